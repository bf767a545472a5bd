# Misuse: the errors CPython raises for wrong types, counts, ranges and closed sockets.
a> s = socket.socket()
a> s.send("text")
a> s.bind(("127.0.0.1", 70000))
a> s.bind(("127.0.0.1", -1))
a> s.bind(("127.0.0.1", "80"))
a> s.bind("127.0.0.1:80")
a> s.bind(("127.0.0.1",))
a> s.recv(-1)
a> s.recv()
a> s.recv(1, 2, 3)
a> s.recv(bufsize=3)
a> s.recv("10")
a> s.listen("5")
a> s.settimeout(-1)
a> s.setblocking()
a> s.accept()
a> s.getpeername()
a> s.shutdown(socket.SHUT_RDWR)
a> s.connect(("no-such-host.invalid", 80))
a> s.nosuchmethod()
a> s.close()
a> s.recv(10)
a> s.send(b"x")
a> s.fileno()
a> s.getsockname()
a> nosuchname
a> socket.nosuch
a> x = "unterminated
a> s.recv(1024
a> b"abc" + "def"
a> "abc" + 1
a> b"x"[5]
a> 1 / 0
a> a, b = 1
a> a, b = (1, 2, 3)
a> len(5)
a> bytes("abc")
a> b"\xff".decode("ascii")
a> socket.socket(99)
a> socket.socket(foo=1)
a> int("abc")
a> x = 1; y = 2
a> s.sendall()
a> socket.create_connection()
a> select.select([s], [], [], 0)
a> sum(range(4), stop=1)
a> sum(range(4), 1, start=2)
a> sum()
a> help(1, 2)
a> help(x=1)
a> exit(1, 2)
a> exit(x=1)
a> exit(1, code=2)
a> type()
a> type(1, 2)
a> dir(1, 2)
a> s
