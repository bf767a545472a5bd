# send() versus sendall(): send may take only part of what it is given; the post's `while buffer:` loop sends the rest.
# Small buffers (64 KiB each way) make one megabyte more than the connection holds while the reader waits.
server> srv = socket.socket()
server> srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
server> srv.bind(("127.0.0.1", 47242))
server> srv.listen()
client> c = socket.socket()
client> c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
client> c.connect(("127.0.0.1", 47242))
server> conn, addr = srv.accept()
client> c.setblocking(False)
client> buffer = b"x" * 1_000_000
#? The server reads nothing yet. How much of the megabyte does one send() take?
client> sent = c.send(buffer)
client> 0 < sent < len(buffer)
=> True
# send() returns how many bytes it copied into the kernel's send buffer: what fit, not what was asked. The rest is the caller's to send.
client> buffer = buffer[sent:]
#? Keep calling send() with what is left. How does it end, while the server reads nothing?
client> try:
...     while buffer:
...         sent = c.send(buffer)
...         buffer = buffer[sent:]
... except BlockingIOError as e:
...     print("send() raised", type(e).__name__)
| send() raised BlockingIOError
client> 0 < len(buffer) < 1_000_000
=> True
# Once the buffers are full, a send() on a non-blocking socket sends nothing and raises BlockingIOError: it never returns 0.
client> c.setblocking(True)
client> sends = 0
client> while buffer:
...     sent = c.send(buffer)
...     sends += 1
...     buffer = buffer[sent:]
=> blocked
# The post's loop, on a blocking socket: send() waits for room, sends what fits, and the loop goes round until the buffer is empty. It waits now, because the server reads nothing.
server> got = 0
server> while got < 1_000_000:
...     got += len(conn.recv(100_000))
client => None
# The server read the megabyte (what the first send took, the rest through the loop), and the client's loop ended as room came free.
server> got
=> 1000000
#? Did the loop need more than one send()?
client> sends >= 1
=> True
# And sendall()? On a blocking socket it loops as the post's loop does, and returns None once every byte is sent. On a non-blocking socket:
client> c.setblocking(False)
#? The server reads nothing. What does sendall() of a megabyte do?
client> c.sendall(b"y" * 1_000_000)
=> BlockingIOError: [Errno 11] Resource temporarily unavailable
# It sent what fit, then raised, and the exception does not say how much went: the caller cannot know where to resume. With a non-blocking socket, use send() and count.
client> c.close()
