# select(): readable, writable, timeouts, closed sockets.
server> from select import select
server> s = socket.create_server(("127.0.0.1", 47210))
server> select([s], [], [], 0)
client> c = socket.socket()
client> c.connect(("127.0.0.1", 47210))
server> r, w, x = select([s], [s], [], 0.5)
server> len(r), len(w)
server> conn, _ = s.accept()
server> select([conn], [conn], [], 0)[1] == [conn]
server> select([conn], [], [], 0.2)
client> c.send(b"ping")
server> select([conn], [], [])[0][0] is conn
client> c.close()
server> conn.recv(10)
server> conn.recv(10)
server> select([conn], [], [], 0)[0] == [conn]
server> conn.close()
server> select([conn], [], [], 0)
server> select([], [], [], -1)
server> select(conn, [], [])
server> select([], [], [], "x")
server> select([], [], [])
