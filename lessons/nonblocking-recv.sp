# Error or empty bytes? What a non-blocking recv() says before data comes, and after the peer has gone.
# Two terminals: the left one is a server, the right one a client.
server> srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> srv.bind(('127.0.0.1', 47201))
server> srv.listen(1)
# accept() waits for a client, so the server pane blocks until the client connects.
server> conn, addr = srv.accept()
=> blocked
client> client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client> client.connect(('127.0.0.1', 47201))
=> None
# The connect released the server's accept(). Now the client stops waiting for anything.
client> client.setblocking(False)
#? Nothing has been sent yet. What does the non-blocking recv() do?
client> packet = client.recv(1024)
=> BlockingIOError: [Errno 11] Resource temporarily unavailable
# The socket is non-blocking and its receive queue is empty, so the kernel answers EAGAIN ("try again later") instead of waiting.
server> conn.close()
#? The server has closed the connection. What does recv() do now?
client> packet = client.recv(1024)
=> b''
# Empty bytes mean end of stream: the peer closed. The kernel's view shows the client's socket in CLOSE_WAIT.
client> client.close()
