# Small writes, Nagle and delayed ACKs: why two quick send() calls can take a timer's 40 ms to reach the peer.
server> srv = socket.create_server(('127.0.0.1', 47223))
client> c = socket.create_connection(('127.0.0.1', 47223))
server> conn, addr = srv.accept()
client> import time
#?~ One byte on a new connection: what does send(b'a') put on the wire?
client> c.send(b'a')
=> 1
# A segment with 1 byte at once, acknowledged at once: a new connection's ACKs are quick.
server> conn.recv(100)
=> b'a'
# Now a conversation, request and reply, three times. The server's kernel sees that this connection talks back and forth, and starts delaying its ACKs to send them with its replies.
client> c.send(b'ping')
=> 4
server> conn.recv(100)
=> b'ping'
server> conn.send(b'pong')
=> 4
client> c.recv(100)
=> b'pong'
client> c.send(b'ping')
=> 4
server> conn.recv(100)
=> b'ping'
server> conn.send(b'pong')
=> 4
client> c.recv(100)
=> b'pong'
client> c.send(b'ping')
=> 4
server> conn.recv(100)
=> b'ping'
server> conn.send(b'pong')
=> 4
client> c.recv(100)
=> b'pong'
# Look at the lane: each ping's ACK now rides on the pong (ack moves with the reply); no ACK goes alone.
# A client that writes a request in pieces, then waits a moment for the reply:
client> def request(*pieces):
...     for piece in pieces:
...         c.send(piece)
...     time.sleep(0.1)
#?~ The client writes a request in two small pieces, then waits 0.1 s. What does that put on the wire?
client> request(b'GET ', b'/index')
# 'GET ' went at once; '/index' only after the server's delayed ACK, about 40 ms later (+40 ms in the lane): Nagle's algorithm holds a small segment while earlier data is unacknowledged, and the ACK waited for a reply that never came.
server> conn.recv(100)
=> b'GET /index'
server> conn.send(b'pong')
=> 4
client> c.recv(100)
=> b'pong'
client> c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
#?~ With TCP_NODELAY, the same two pieces?
client> request(b'GET ', b'/index')
# Both at once: TCP_NODELAY turns Nagle off and every send() is a segment. Interactive protocols (ssh, games, RPC) set it; bulk transfers leave it on.
server> conn.recv(100)
=> b'GET /index'
