# FIN or RST: how a connection ends on the wire depends on how it is closed.
server> import struct
server> srv = socket.create_server(('127.0.0.1', 47222))
client> c = socket.create_connection(('127.0.0.1', 47222))
server> conn, addr = srv.accept()
client> c.send(b'hello')
=> 5
server> conn.recv(100)
=> b'hello'
#?~ The server has read everything. What does its close() put on the wire?
server> conn.close()
# A FIN: "I will send nothing more". The client's kernel acknowledges it, perhaps a little later (a delayed ACK, marked later in the lane).
client> c.recv(100)
=> b''
client> c.close()
# A second connection: this time the server does not read what arrives.
client> c = socket.create_connection(('127.0.0.1', 47222))
server> conn, addr = srv.accept()
client> c.send(b'unread')
=> 6
#?~ The server closes with 6 bytes unread. What does close() put on the wire?
server> conn.close()
# An RST, not a FIN: closing with unread data aborts the connection (RFC 1122, 4.2.2.13); the 6 bytes are thrown away.
client> c.recv(100)
=> ConnectionResetError: [Errno 104] Connection reset by peer
client> c.close()
# A third: SO_LINGER on with a timeout of 0 makes close() abort even with nothing unread.
client> c = socket.create_connection(('127.0.0.1', 47222))
server> conn, addr = srv.accept()
server> conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
#?~ Nothing is unread, but linger is on with 0 seconds. What does close() put on the wire?
server> conn.close()
# An RST again: linger 0 means "drop everything and reset". The server's side leaves no TIME_WAIT behind, which is why some servers do it, and the client loses what was in flight.
client> c.recv(100)
=> ConnectionResetError: [Errno 104] Connection reset by peer
client> c.close()
