# Unix domain sockets: path addresses, FileNotFoundError, and socketpair.
server> s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client> c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client> c.connect("/tmp/sockplay-test-unix.sock")
server> s.bind("/tmp/sockplay-test-unix.sock")
server> s.getsockname()
server> s.listen()
client> c.connect("/tmp/sockplay-test-unix.sock")
server> conn, addr = s.accept()
server> addr
server> conn
client> c.sendall(b"over a path")
server> conn.recv(100)
server> s2 = socket.socket(socket.AF_UNIX)
server> s2.bind("/tmp/sockplay-test-unix.sock")
server> a, b = socket.socketpair()
server> a.send(b"pair")
server> b.recv(4)
server> a.family
server> s.bind(("127.0.0.1", 80))
