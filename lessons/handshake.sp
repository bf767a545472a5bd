# The handshake happens before accept(): the kernel answers a connect() by itself, and accept() only takes a finished connection from a queue.
# The wire lane under the panes (F3) shows every segment each step put on the wire; the lesson turns it on.
server> srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> srv.bind(('127.0.0.1', 47221))
server> srv.listen(1)
# The server listens with a backlog of 1 and does not call accept().
client> c1 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
#?~ The server has not called accept(). What does connect() put on the wire?
client> c1.connect(('127.0.0.1', 47221))
=> None
# SYN, SYN-ACK, ACK: the server's kernel finished the handshake by itself. The connection waits in the accept queue (accept-q 1/1 in the server's kernel view).
client> c2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client> c2.connect(('127.0.0.1', 47221))
=> None
# Linux keeps one more connection than the backlog: this one was handshaken too, and the queue is now full.
client> c3 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client> c3.setblocking(False)
#?~ The queue is full. What does a third (non-blocking) connect put on the wire?
client> c3.connect_ex(('127.0.0.1', 47221))
=> 115
# Only a SYN, and no answer: with its queue full, the server's kernel drops it. connect_ex() says EINPROGRESS (115): the handshake goes on without the program, and the client's kernel will send the SYN again.
#?~ Now the server accepts. What does accept() put on the wire?
server> conn, addr = srv.accept()
# Nothing: accept() takes a connection the kernel made long ago out of the queue, which has room again.
#? select() waits (up to 5 s) until c3 is connected (writable). What does it return?
client> select.select([], [c3], [], 5)
# About a second after the first, the client's kernel sent its SYN again (retransmitted); this time the queue had room, so the server's kernel answered it: the handshake, again with no accept() in it.
client> c3.getpeername()
=> ('127.0.0.1', 47221)
