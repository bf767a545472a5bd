# Full buffers: a sender whose peer does not read fills two queues, and then send() cannot go on.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47208))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47208))
server> conn, addr = srv.accept()
# The server reads nothing. The client sends 10 MB with a timeout of half a second.
client> c.settimeout(0.5)
#? Can all of it go?
client> c.sendall(b'x' * 10000000)
=> TimeoutError: timed out
# sendall() gave up: the server's receive queue and the client's send queue are full (recv-q and send-q in the kernel's view), and for half a second nothing moved.
client> c.setblocking(False)
# Non-blocking now. Whatever room is left goes with the next send: it returns how much it took, maybe nothing.
client> n = c.send(b'x' * 1000000)
#? And the send after that?
client> c.send(b'x' * 1000000)
=> BlockingIOError: [Errno 11] Resource temporarily unavailable
# A blocking socket would wait here for the server to read; a non-blocking one gets EAGAIN.
server> len(conn.recv(65536))
=> 65536
# Reading makes room; the kernel moves more of the client's queue across as the server's window opens again.
client> c.close()
