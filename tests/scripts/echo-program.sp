# Real Python's echo server and client, as the post writes them.
server> HOST = "127.0.0.1"  # Standard loopback interface address (localhost)
server> PORT = 65432  # Port to listen on (non-privileged ports are > 1023)
server> with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
...     s.bind((HOST, PORT))
...     s.listen()
...     conn, addr = s.accept()
...     with conn:
...         print(f"Connected by {addr}")
...         while True:
...             data = conn.recv(1024)
...             if not data:
...                 break
...             conn.sendall(data)
client> HOST = "127.0.0.1"  # The server's hostname or IP address
client> PORT = 65432  # The port used by the server
client> with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
...     s.connect((HOST, PORT))
...     s.sendall(b"Hello, world")
...     data = s.recv(1024)
...
client> print(f"Received {data!r}")
