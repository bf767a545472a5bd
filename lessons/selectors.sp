# Real Python's multi-connection server: one selector, a listening socket and many connections, each served when it is ready.
server> import selectors, types
server> sel = selectors.DefaultSelector()
server> def accept_wrapper(sock):
...     conn, addr = sock.accept()  # Should be ready to read
...     print(f"Accepted connection from {addr}")
...     conn.setblocking(False)
...     data = types.SimpleNamespace(addr=addr, inb=b"", outb=b"")
...     events = selectors.EVENT_READ | selectors.EVENT_WRITE
...     sel.register(conn, events, data=data)
server> def service_connection(key, mask):
...     sock = key.fileobj
...     data = key.data
...     if mask & selectors.EVENT_READ:
...         recv_data = sock.recv(1024)  # Should be ready to read
...         if recv_data:
...             data.outb += recv_data
...         else:
...             print(f"Closing connection to {data.addr}")
...             sel.unregister(sock)
...             sock.close()
...     if mask & selectors.EVENT_WRITE:
...         if data.outb:
...             print(f"Echoing {data.outb!r} to {data.addr}")
...             sent = sock.send(data.outb)  # Should be ready to write
...             data.outb = data.outb[sent:]
server> lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> lsock.bind(("127.0.0.1", 47245))
server> lsock.listen()
server> lsock.setblocking(False)
server> key = sel.register(lsock, selectors.EVENT_READ, data=None)
#? Nobody has connected. What does a select() with a timeout of 0 return?
server> sel.select(timeout=0)
=> []
client> a = socket.create_connection(("127.0.0.1", 47245))
client> b = socket.create_connection(("127.0.0.1", 47245))
#? Two clients are waiting to be accepted. Which keys are ready, with which events?
server> [(k.data, mask) for k, mask in sel.select(timeout=0)]
=> [(None, 1)]
# The listening socket's key (data None) is readable: a connection waits in its backlog. One key, however many connections wait.
server> served = 0
server> while served < 2 or len(sel.get_map()) > 1:
...     for key, mask in sel.select(timeout=None):
...         if key.data is None:
...             accept_wrapper(key.fileobj)
...             served += 1
...         else:
...             service_connection(key, mask)
=> blocked
# The post's event loop (it ends here once both clients are served and gone). It accepted both, and now waits in select() for one of them to speak.
client> a.sendall(b"Hello from a")
#? The server echoes what it reads. What does a get back?
client> a.recv(1024)
=> b'Hello from a'
client> b.sendall(b"Hello from b")
client> b.recv(1024)
=> b'Hello from b'
# Each connection was served when it was ready, by one thread that never blocked on a single socket.
client> a.close()
client> b.close()
server => None
#? What does the selector hold now?
server> [k.data for k in sel.get_map().values()]
=> [None]
# Both connections were unregistered and closed when they read b''; only the listening socket is left.
server> sel.close()
