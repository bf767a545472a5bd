# Functions as the seed programs write them: defaults, keywords, recursion,
# closures, lambdas, a send loop in a function, and CPython's errors.
a> def add(a, b=2):
...     return a + b
a> add(1)
a> add(1, b=5)
a> add()
a> add(1, 2, 3)
a> add(1, c=3)
a> def fact(n):
...     if n <= 1:
...         return 1
...     return n * fact(n - 1)
a> fact(20)
a> def forever(n):
...     return forever(n + 1)
a> forever(0)
a> square = lambda x: x * x
a> square(7)
a> (lambda: 42)()
a> def outer(x):
...     def inner(y):
...         return x + y
...     return inner
a> outer(10)(5)
a> def sendall_loop(sock, data):
...     total = 0
...     while data:
...         sent = sock.send(data)
...         total += sent
...         data = data[sent:]
...     return total
a> p, q = socket.socketpair()
a> sendall_loop(p, b"hello" * 10)
a> len(q.recv(100))
a> def find(items, want):
...     for i in range(len(items)):
...         if items[i] == want:
...             return i
...     return -1
a> find([5, 6, 7], 7), find([5], 1)
a> def f(): pass
a> f()
a> type(f)
a> return 5
a> def g(a, a): pass
a> def h(a=1, b): pass
a> def noisy():
...     x = 1 / 0
a> noisy()
a> x = 10
a> def reads_global():
...     return x * 2
a> reads_global()
