# The reverse server: the server sends back each message reversed, one line at a time.
server> server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server> server.bind(('127.0.0.1', 47202))
server> server.listen()
server> client, address = server.accept()
=> blocked
client> client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client> client.connect(('127.0.0.1', 47202))
=> None
#? The client sends 13 bytes. What does send() return?
client> client.send(b'Hello, world!')
=> 13
# send() returns how many bytes the kernel took into its send buffer: all 13 here.
server> data = client.recv(1024)
=> b'Hello, world!'
server> response = bytes(reversed(data))
=> b'!dlrow ,olleH'
server> client.send(response)
=> 13
server> client.close()
client> back = client.recv(1024)
=> b'!dlrow ,olleH'
client> print(back.decode('utf8'))
=> None
#? The server has closed its side. What does the next recv() return?
client> client.recv(1024)
=> b''
# b'' is how a blocking recv() reports the end of the stream: it does not wait when the peer has closed.
client> client.close()
