# Several clients and select(): one server waits on many sockets and serves whichever is ready.
server> lsock = socket.socket()
server> lsock.bind(('127.0.0.1', 47213))
server> lsock.listen()
client> a = socket.create_connection(('127.0.0.1', 47213))
client> b = socket.create_connection(('127.0.0.1', 47213))
server> conn_a, addr_a = lsock.accept()
server> conn_b, addr_b = lsock.accept()
#? Neither client has sent anything. What does select() with a timeout of 0 return?
server> select.select([conn_a, conn_b], [], [], 0)
=> ([], [], [])
client> b.send(b'from b')
=> 6
#? Client b has sent. Which socket is readable?
server> r, w, x = select.select([conn_a, conn_b], [], [], 1)
server> r == [conn_b]
=> True
server> conn_b.recv(1024)
=> b'from b'
# A recv() on a socket select() called readable does not block.
client> a.close()
#? Client a has closed. Is its socket readable?
server> r, w, x = select.select([conn_a, conn_b], [], [], 1)
server> r == [conn_a]
=> True
server> conn_a.recv(1024)
=> b''
# Readable also means "end of stream is there to read". A listening socket is readable when a connection waits to be accepted.
client> c = socket.create_connection(('127.0.0.1', 47213))
server> r, w, x = select.select([lsock, conn_b], [], [], 1)
server> r == [lsock]
=> True
