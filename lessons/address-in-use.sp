# Address already in use: why a restarted server cannot bind, and what SO_REUSEADDR changes.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47212))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47212))
server> conn, addr = srv.accept()
# The server closes its connection first, so its end goes through FIN_WAIT2 and then waits in TIME_WAIT for a minute.
server> conn.close()
client> c.close()
server> srv.close()
# "Restart" the server: a new socket on the same port.
server> srv = socket.socket()
#? Every socket on the port is closed. Will bind() work?
server> srv.bind(('127.0.0.1', 47212))
=> OSError: [Errno 98] Address already in use
# The old connection still sits in TIME_WAIT on the port, and the kernel refuses a new bind to it.
server> srv.close()
# The cure is SO_REUSEADDR, set before bind() by the server that will restart: then a connection it leaves in TIME_WAIT does not hold the port.
server> srv = socket.socket()
server> srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server> srv.bind(('127.0.0.1', 47215))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47215))
server> conn, addr = srv.accept()
server> conn.close()
client> c.close()
server> srv.close()
server> srv = socket.socket()
server> srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
#? The same restart, with SO_REUSEADDR on both servers. Will bind() work now?
server> srv.bind(('127.0.0.1', 47215))
=> None
server> srv.listen()
# SO_REUSEADDR lets a server bind over TIME_WAIT; it does not let a second socket bind to a port that a server listens on.
client> other = socket.socket()
client> other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
client> other.bind(('127.0.0.1', 47215))
=> OSError: [Errno 98] Address already in use
