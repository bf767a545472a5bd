# send() may send less than it was given: the loop sends the rest, as the
# "Socket Programming HOWTO" writes it, over a connection whose reader waits.
# Small buffers (64 KiB each way) make one megabyte more than they hold.
server> srv = socket.socket()
server> srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
server> srv.bind(("127.0.0.1", 47412))
server> srv.listen()
client> c = socket.socket()
client> c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
client> c.connect(("127.0.0.1", 47412))
server> conn, addr = srv.accept()
client> c.setblocking(False)
client> sends = 0
client> try:
...     buffer = b"x" * 1_000_000
...     while buffer:
...         sent = c.send(buffer)
...         sends += 1
...         buffer = buffer[sent:]
... except BlockingIOError as e:
...     print("the send buffer is full:", e.errno)
client> 0 < len(buffer) < 1_000_000
client> sends >= 1
server> conn.setblocking(False)
server> got = 0
server> try:
...     while True:
...         chunk = conn.recv(100_000)
...         if not chunk:
...             break
...         got += len(chunk)
... except BlockingIOError:
...     print("drained")
server> 0 < got < 1_000_000
