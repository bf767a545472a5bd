# UDP keeps message boundaries; recvfrom tells who sent; a short buffer truncates.
server> s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server> s.bind(("127.0.0.1", 47203))
client> c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client> c.sendto(b"first", ("127.0.0.1", 47203))
client> c.sendto(b"second", ("127.0.0.1", 47203))
client> c.getsockname()[0]
server> data, peer = s.recvfrom(1024)
server> data
server> s.recv(3)
server> s.setblocking(False)
server> s.recv(1024)
client> c.sendto(b"", ("127.0.0.1", 47203))
server> s.recvfrom(10)[0]
server> s.sendto("text", ("127.0.0.1", 47203))
client> c.type
client> c.recvfrom(10, socket.MSG_DONTWAIT)
