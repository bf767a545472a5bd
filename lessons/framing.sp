# Message framing on a stream: a length prefix tells the reader where each message ends.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47214))
server> srv.listen()
client> c = socket.create_connection(('127.0.0.1', 47214))
server> conn, addr = srv.accept()
# Each message goes out as a 2-byte big-endian length, then the bytes.
client> c.sendall(len(b'hello').to_bytes(2, 'big') + b'hello')
client> c.sendall(len(b'sockets!').to_bytes(2, 'big') + b'sockets!')
#? Two messages were sent. What would recv(1024) return?
server> header = conn.recv(2)
server> header
=> b'\x00\x05'
server> size = int.from_bytes(header, 'big')
server> size
=> 5
server> conn.recv(size)
=> b'hello'
# Read the header, then exactly that many bytes: the next message starts right after.
server> size = int.from_bytes(conn.recv(2), 'big')
server> conn.recv(size)
=> b'sockets!'
# Loopback delivers small messages whole; on a real network recv(size) may return less, and the reader loops until it has size bytes (or uses MSG_WAITALL).
client> c.sendall(b'\x00\x03abc')
server> conn.recv(5, socket.MSG_WAITALL)
=> b'\x00\x03abc'
