# Generators: while/else, for/else with break, try/except/finally around yields, yield from, generator expressions.
A> def g(n):
...     i = 0
...     while i < n:
...         yield i
...         i += 1
...     else:
...         yield 'while-else'
...     for j in range(n):
...         if j == 5:
...             break
...         yield -j
...     else:
...         yield 'for-else'
...     try:
...         yield 1 / 0
...     except ZeroDivisionError as e:
...         yield str(e)
...     finally:
...         yield 'finally'
A> list(g(2))
A> list(g(7))[-6:]
A> x = (i * i for i in range(4) if i % 2)
A> list(x), list(x)
A> def h():
...     yield from range(3)
...     yield from 'ab'
A> [*h()]
