# Reading lines with a generator: each line is printed as soon as it has
# arrived whole, however the sender cuts its bytes.
server> srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> srv.bind(('127.0.0.1', 5690))
server> srv.listen()
client> sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client> sock.connect(('127.0.0.1', 5690))
server> conn, addr = srv.accept()
client> def readlines(sock, recv_buffer=4096, delim='\n'):
...     buffer = ''
...     data = True
...     while data:
...         data = sock.recv(recv_buffer)
...         buffer += data.decode('utf-8')
...         while buffer.find(delim) != -1:
...             line, buffer = buffer.split('\n', 1)
...             yield line
...     return
client> lines = readlines(sock)
client> lines
client> for line in lines:
...     print(line)
server> conn.sendall(b'first line\nsecond ')
server> conn.sendall(b'line\nthird line\nfourth')
server> conn.sendall(b' line, never ended')
server> conn.close()
client> next(lines, 'no more lines')
client> g = (len(line) for line in readlines(sock))
client> type(g), sum(g)
