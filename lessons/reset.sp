# Reset on close: closing a socket that has unread data sends a reset, and the peer sees ConnectionResetError.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47207))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47207))
server> conn, addr = srv.accept()
client> c.send(b'unread data')
=> 11
# The server never reads those 11 bytes (recv-q 11 in the kernel's view) and closes.
server> conn.close()
#? What does the client's recv() return now?
client> c.recv(100)
=> ConnectionResetError: [Errno 104] Connection reset by peer
# Closing with unread data makes the kernel send RST instead of FIN: the client gets ECONNRESET, not end of stream.
#? And a second recv()?
client> c.recv(100)
=> b''
# The error is reported once; after it the connection is simply closed.
client> c.close()
