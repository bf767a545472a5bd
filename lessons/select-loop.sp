# The select() polling loop: a zero timeout never waits, so the loop spins; a timeout of None waits in the kernel.
server> srv = socket.create_server(("127.0.0.1", 47244))
client> c = socket.create_connection(("127.0.0.1", 47244))
server> conn, addr = srv.accept()
server> conn.setblocking(False)
#? Nothing has been sent. What does one poll with a timeout of 0 return?
server> readable, _, _ = select.select([conn], [], [], 0)
server> readable
=> []
# Polling answers at once: nothing is readable now.
server> polls = 0
server> while True:
...     readable, _, _ = select.select([conn], [], [], 0)
...     polls += 1
...     if readable:
...         break
=> blocked
# The loop spins: it makes select() calls as fast as it can, each answered "nothing", and never waits in the kernel. The pane shows it busy.
client> c.send(b"ping")
=> 4
server => None
#? How many times did the loop call select()?
server> polls > 1
=> True
server> conn.recv(10)
=> b'ping'
# Every poll before the data came was wasted work. The same loop with no timeout waits in the kernel and is woken when data arrives.
server> polls = 0
server> while True:
...     readable, _, _ = select.select([conn], [], [])
...     polls += 1
...     if readable:
...         break
=> blocked
client> c.send(b"pong")
=> 4
server => None
#? And how many select() calls this time?
server> polls
=> 1
server> conn.recv(10)
=> b'pong'
