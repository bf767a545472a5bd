# Polling with select and a zero timeout, as the seed post's loop does: the
# loop spins until the client's bytes arrive.
server> srv = socket.create_server(("127.0.0.1", 47413))
client> c = socket.create_connection(("127.0.0.1", 47413))
server> conn, addr = srv.accept()
server> polls = 0
server> while True:
...     readable, writable, _ = select.select([conn], [conn], [], 0)
...     polls += 1
...     if readable:
...         print("readable after", "many" if polls > 1 else "one", "polls")
...         break
client> c.send(b"ping")
server> conn.recv(10)
server> readable == [conn] and writable == [conn]
