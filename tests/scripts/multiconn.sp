# Real Python's multi-connection server and client (selectors), as the post
# writes them; only sys.argv is replaced by the host and port themselves.
# The server runs its event loop for ever; the client's loop is first taken
# one turn at a time (so each turn's events can be read), then run to its end.
server> import sys
server> import socket
server> import selectors
server> import types
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
server> host, port = "127.0.0.1", 65432
server> lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> lsock.bind((host, port))
server> lsock.listen()
server> print(f"Listening on {(host, port)}")
server> lsock.setblocking(False)
server> sel.register(lsock, selectors.EVENT_READ, data=None)
server> try:
...     while True:
...         events = sel.select(timeout=None)
...         for key, mask in events:
...             if key.data is None:
...                 accept_wrapper(key.fileobj)
...             else:
...                 service_connection(key, mask)
... except KeyboardInterrupt:
...     print("Caught keyboard interrupt, exiting")
... finally:
...     sel.close()
client> import sys
client> import socket
client> import selectors
client> import types
client> sel = selectors.DefaultSelector()
client> messages = [b"Message 1 from client.", b"Message 2 from client."]
client> def start_connections(host, port, num_conns):
...     server_addr = (host, port)
...     for i in range(0, num_conns):
...         connid = i + 1
...         print(f"Starting connection {connid} to {server_addr}")
...         sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
...         sock.setblocking(False)
...         sock.connect_ex(server_addr)
...         events = selectors.EVENT_READ | selectors.EVENT_WRITE
...         data = types.SimpleNamespace(
...             connid=connid,
...             msg_total=sum(len(m) for m in messages),
...             recv_total=0,
...             messages=messages.copy(),
...             outb=b"",
...         )
...         sel.register(sock, events, data=data)
client> def service_connection(key, mask):
...     sock = key.fileobj
...     data = key.data
...     if mask & selectors.EVENT_READ:
...         recv_data = sock.recv(1024)  # Should be ready to read
...         if recv_data:
...             print(f"Received {recv_data!r} from connection {data.connid}")
...             data.recv_total += len(recv_data)
...         if not recv_data or data.recv_total == data.msg_total:
...             print(f"Closing connection {data.connid}")
...             sel.unregister(sock)
...             sock.close()
...     if mask & selectors.EVENT_WRITE:
...         if not data.outb and data.messages:
...             data.outb = data.messages.pop(0)
...         if data.outb:
...             print(f"Sending {data.outb!r} to connection {data.connid}")
...             sent = sock.send(data.outb)  # Should be ready to write
...             data.outb = data.outb[sent:]
client> host, port, num_conns = "127.0.0.1", "65432", "2"
client> start_connections(host, int(port), int(num_conns))
client> len(sel.get_map())
client> events = sel.select(timeout=1)
client> [(key.data.connid, mask) for key, mask in events]
client> for key, mask in events:
...     service_connection(key, mask)
client> events = sel.select(timeout=1)
client> sorted((key.data.connid, mask) for key, mask in events)
client> for key, mask in sorted(events, key=lambda e: e[0].data.connid):
...     service_connection(key, mask)
client> try:
...     while True:
...         events = sel.select(timeout=1)
...         if events:
...             for key, mask in events:
...                 service_connection(key, mask)
...         # Check for a socket being monitored to continue.
...         if not sel.get_map():
...             break
... except KeyboardInterrupt:
...     print("Caught keyboard interrupt, exiting")
... finally:
...     sel.close()
client> sel.get_map()
