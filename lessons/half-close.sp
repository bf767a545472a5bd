# Half-close: shutdown(SHUT_WR) says "I have finished sending" and keeps the socket open to receive the answer.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47206))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47206))
server> conn, addr = srv.accept()
client> c.sendall(b'request')
client> c.shutdown(socket.SHUT_WR)
=> None
server> conn.recv(1024)
=> b'request'
#? The client has shut down its sending side. What does the server's next recv() return?
server> conn.recv(1024)
=> b''
# End of stream, though the client's socket is still open: the server knows the whole request has come. It can still answer.
server> conn.sendall(b'response')
client> c.recv(1024)
=> b'response'
#? Can the client send again?
client> c.send(b'more')
=> BrokenPipeError: [Errno 32] Broken pipe
server> conn.close()
client> c.recv(1024)
=> b''
client> c.close()
