# Connection refused: connecting to a port where nothing listens.
client> s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
#? Nothing listens on the port yet. What does connect() do?
client> s.connect(('127.0.0.1', 47204))
=> ConnectionRefusedError: [Errno 111] Connection refused
# The server's kernel answered the connection request with a reset (RST): no socket listens on that port.
client> s.close()
client> s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
#? connect_ex() is connect() that returns the error number instead of raising. What does it return?
client> s.connect_ex(('127.0.0.1', 47204))
=> 111
# 111 is ECONNREFUSED. Now a server starts listening on the port.
client> s.close()
server> lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> lsock.bind(('127.0.0.1', 47204))
server> lsock.listen()
client> s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
#? The server listens but has not called accept(). Does connect() wait for it?
client> s.connect_ex(('127.0.0.1', 47204))
=> 0
# The kernel completes the handshake by itself and queues the connection until accept() takes it (see accept-q in the kernel's view).
server> conn, addr = lsock.accept()
server> conn.getpeername() == addr
=> True
