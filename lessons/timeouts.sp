# Timeouts: settimeout(t) makes a blocking call give up after t seconds with TimeoutError.
server> srv = socket.socket()
server> srv.bind(('127.0.0.1', 47209))
server> srv.listen()
server> srv.settimeout(0.1)
#? No client has connected. What does accept() do with a timeout of 0.1 s?
server> srv.accept()
=> TimeoutError: timed out
server> srv.gettimeout()
=> 0.1
# It waited a tenth of a second, then raised TimeoutError (socket.timeout is another name for it). It has no errno.
client> c = socket.create_connection(('127.0.0.1', 47209), timeout=2)
client> c.gettimeout()
=> 2.0
server> conn, addr = srv.accept()
server> conn.gettimeout()
=> None
# The socket accept() returns does not take the listener's timeout: it is blocking.
client> c.settimeout(1.0)
#? Nothing has been sent. What does recv() do with a timeout of 1 s?
client> c.recv(1024)
=> TimeoutError: timed out
# It blocked for a second (the pane showed it), then gave up.
client> c.settimeout(0)
client> c.getblocking()
=> False
#? A timeout of 0 is non-blocking mode. And now recv()?
client> c.recv(1024)
=> BlockingIOError: [Errno 11] Resource temporarily unavailable
client> c.settimeout(None)
client> c.getblocking()
=> True
client> c.close()
