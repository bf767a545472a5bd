# Compound statements, as the seed posts write them: loops, conditions,
# exceptions as objects, f-strings.
a> total = 0
a> for i in range(10):
...     if i % 2:
...         continue
...     total += i
... else:
...     print("done", total)
a> n = 0
a> while True:
...     n += 1
...     if n > 3: break
... else:
...     print("never")
a> n
a> for word in ["a", "bb", "ccc"]:
...     print(f"{word!r:>6}|{len(word):03d}|{len(word) / 3:.2f}")
a> for k, v in [(1, "one"), (2, "two")]:
...     print(k, v)
a> try:
...     raise ValueError("bad value")
... except (TypeError, ValueError) as e:
...     print("caught", repr(e), e.args, str(e))
... else:
...     print("no")
... finally:
...     print("finally")
a> try:
...     socket.socket().recv(1)
... except OSError as e:
...     print("OSError", e.errno, e.strerror)
...     print(str(e))
a> try:
...     1 / 0
... except ZeroDivisionError:
...     print("zero")
...     raise
a> try:
...     x = int("12")
... except ValueError:
...     x = -1
... else:
...     x += 1
a> x
a> for i in range(3):
...     y = 10 // (1 - i)
a> y
a> "big" if x > 10 else "small"
a> f"{x:#x} {x:,} {-x:+d} {'a':*^5} {0.5:.0%} {1234.5:e}"
a> while n:
...     n -= 1
...     if n == 2:
...         break
a> n
a> for c in b"hi":
...     print(c)
a> try:
...     raise KeyError
... except LookupError as e:
...     print(repr(e))
a> try:
...     pass
... finally:
...     print("only finally")
a> if x:
...     pass
... elif y:
...     print(1)
a> raise OSError(98, "Address already in use")
a> raise socket.timeout("timed out")
a> try:
...     socket.create_connection(("127.0.0.1", 1))
... except ConnectionRefusedError as e:
...     print("refused:", e)
