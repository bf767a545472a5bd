# UDP keeps message boundaries: each recv() returns one whole datagram, or part of one and the rest is lost.
server> u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server> u.bind(('127.0.0.1', 47210))
client> c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# No connection, no accept(): the client sends to an address.
client> c.sendto(b'hello', ('127.0.0.1', 47210))
=> 5
client> c.sendto(b'world!', ('127.0.0.1', 47210))
=> 6
#? Two datagrams are waiting. What does one recv(1024) return?
server> u.recv(1024)
=> b'hello'
#? The next datagram has 6 bytes. What does recvfrom(3) return?
server> data, addr = u.recvfrom(3)
server> data
=> b'wor'
server> u.setblocking(False)
#? Are the other three bytes still there?
server> u.recv(1024)
=> BlockingIOError: [Errno 11] Resource temporarily unavailable
# The rest of a datagram that does not fit is discarded. The sender's address came with it, so the server can answer.
server> u.sendto(b'pong', addr)
=> 4
client> c.recvfrom(1024)
=> (b'pong', ('127.0.0.1', 47210))
# UDP to a port where nothing listens: a connected UDP socket hears about it on its next call.
client> d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client> d.connect(('127.0.0.1', 47211))
client> d.send(b'anyone?')
=> 7
#? The ICMP "port unreachable" has come back. What does recv() do?
client> d.recv(1024)
=> ConnectionRefusedError: [Errno 111] Connection refused
