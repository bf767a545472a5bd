# A reverse server: each message comes back reversed; "quit" ends it.
server> def serve(port):
...     with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
...         s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
...         s.bind(('127.0.0.1', port))
...         s.listen(1)
...         conn, addr = s.accept()
...         with conn:
...             while True:
...                 data = conn.recv(1024)
...                 if not data or data.strip() == b'quit':
...                     break
...                 reply = data.strip()[::-1] + b'\n'
...                 print(f'{data.strip().decode()!r} -> {reply.strip().decode()!r}')
...                 conn.sendall(reply)
...     return 'served %s' % addr[0]
server> serve(5691)
client> c = socket.create_connection(('127.0.0.1', 5691))
client> for word in ['hello', 'sockets', 'level']:
...     c.sendall(word.encode() + b'\n')
...     print(c.recv(1024))
client> c.sendall(b'quit\n')
client> c.recv(1024)
client> c.close()
