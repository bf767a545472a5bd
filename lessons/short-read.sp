# Short reads: recv(n) returns at most n bytes, and only what has arrived: TCP carries bytes, not messages.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47203))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47203))
server> conn, addr = srv.accept()
client> c.sendall(b'hello')
=> None
#? Five bytes are waiting. What does recv(1) return?
server> conn.recv(1)
=> b'h'
#? And recv(1024), with four bytes left?
server> conn.recv(1024)
=> b'ello'
# recv(1024) did not wait for 1024 bytes: it returned the four that were there. An echo server sends back what it got.
server> conn.sendall(b'ello')
client> c.recv(1024)
=> b'ello'
client> c.sendall(b'one')
client> c.sendall(b'two')
#? Two sends of three bytes each. What does recv(6, socket.MSG_WAITALL) return?
server> conn.recv(6, socket.MSG_WAITALL)
=> b'onetwo'
# The two sends come back as one read. A plain recv(1024) may return both or only the first, depending on the kernel and on timing; MSG_WAITALL waits until all 6 bytes are there. Where one message ends is for the application to say (see the framing lesson).
client> c.close()
#? The client has closed. What does the next recv() return?
server> conn.recv(1024)
=> b''
