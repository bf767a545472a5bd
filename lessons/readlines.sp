# Lines from a stream with a generator: readlines() yields each line as soon as it has arrived whole, and runs only when asked.
server> srv = socket.create_server(("127.0.0.1", 47243))
client> sock = socket.create_connection(("127.0.0.1", 47243))
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
#? Has readlines() called recv() yet?
client> type(lines)
=> <class 'generator'>
# Calling a generator function runs none of its body: it makes a generator, which runs when next() asks for an item.
#? The server has sent nothing. What does next(lines) do?
client> next(lines)
=> blocked
# The generator runs up to its recv(), which waits.
server> conn.sendall(b'first line\nsec')
client => 'first line'
# One recv() brought a line and a half: the generator yields the whole line and keeps b'sec' in its buffer.
#? What does the next next(lines) do now?
client> next(lines)
=> blocked
# 'sec' is no line yet: the generator calls recv() again, and waits.
server> conn.sendall(b'ond line\nthird line\n')
client => 'second line'
#? The rest of that recv() held a whole line. Does this next() call recv()?
client> next(lines)
=> 'third line'
# It was in the buffer already: the generator yielded it without a system call.
server> conn.close()
#? The server has closed. What does the generator do?
client> next(lines, 'no more lines')
=> 'no more lines'
# recv() returned b'': the while loop ended, the generator returned, and next() gave its default instead of raising StopIteration.
client> sock.close()
