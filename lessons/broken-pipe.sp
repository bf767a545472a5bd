# Send after the peer closed: the first send succeeds, the next raises BrokenPipeError.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47205))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47205))
server> conn, addr = srv.accept()
server> conn.close()
# The server closed its connection; the client's socket is in CLOSE_WAIT.
#? Does the client's send() fail?
client> c.send(b'hello?')
=> 6
# It succeeds: send() only hands bytes to the kernel. The server's kernel has no socket for them and answers with a reset (RST).
#? The reset has come back. What does the next send() do?
client> c.send(b'anyone?')
=> BrokenPipeError: [Errno 32] Broken pipe
# EPIPE: the connection is gone. A program that is not Python would also get SIGPIPE; Python ignores that signal and raises BrokenPipeError.
client> c.recv(10)
=> b''
client> c.close()
