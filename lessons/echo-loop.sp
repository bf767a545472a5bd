# The echo loop, one byte at a time: Real Python's echo server with recv(1024) changed to recv(1).
# Two terminals: the server runs the post's loop as one step; the client types.
server> srv = socket.create_server(("127.0.0.1", 47231))
server> conn, addr = srv.accept()
=> blocked
client> c = socket.create_connection(("127.0.0.1", 47231))
# The accept is released. The server now runs the loop from the post, counting its recv() calls.
server> calls = 0
server> while True:
...     data = conn.recv(1)
...     if not data:
...         break
...     calls += 1
...     conn.sendall(data)
=> blocked
# The loop waits in recv(1): nothing has come yet.
client> c.sendall(b"Hello, world")
# Twelve bytes wait in the server's receive queue; recv(1) takes one each time round the loop, and each byte is echoed on its own.
client> c.shutdown(socket.SHUT_WR)
# SHUT_WR sends a FIN: once the twelve bytes are read, the server's next recv(1) returns b'' and its loop ends.
#? How many times did the server's loop call recv(1) and get a byte?
server> calls
=> 12
server> conn.close()
#? The echo came back as twelve one-byte sends. How many bytes does the client read in all?
client> echoed = b""
client> while True:
...     chunk = c.recv(1024)
...     if not chunk:
...         break
...     echoed += chunk
client> echoed
=> b'Hello, world'
# TCP is a stream: twelve one-byte sends arrive as bytes in order, in as many or as few recv() calls as the timing gives. Only the FIN (b'') says the data is over.
client> c.close()
# The post's second experiment: a client that sends and hangs up at once, before the server's loop has read a byte.
client> c2 = socket.create_connection(("127.0.0.1", 47231))
server> conn2, addr2 = srv.accept()
client> c2.sendall(b"Hello, world")
client> c2.close()
# The twelve bytes and the client's FIN wait in the server's receive queue. The server runs the same loop on this connection.
server> calls = 0
#? The client is gone. Does the loop echo all twelve bytes, stop at b'', or fail?
server> while True:
...     data = conn2.recv(1)
...     if not data:
...         break
...     calls += 1
...     conn2.sendall(data)
=> BrokenPipeError: [Errno 32] Broken pipe
#? How many bytes had the loop read when sendall failed?
server> calls
=> 2
# The first echo went to a socket that no longer exists: the client's kernel answered it with a reset (RST). The second sendall found the connection reset while the server still had data to send: BrokenPipeError. recv(1) never saw b'': the bytes still queued were not the end of the stream.
server> conn2.close()
