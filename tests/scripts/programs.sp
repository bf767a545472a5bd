# Odds and ends of the programs: print(flush=), iterating while removing, generators with send, *args and **kwargs, ** in displays.
A> print('a', 'b', sep='-', end='!\n', flush=True)
A> import time
A> t = time.monotonic(); type(t)
A> x = [1, 2, 3]
A> for i, v in enumerate(x):
...     if v == 2:
...         x.remove(v)
...     print(i, v)
A> it = iter({'a': 1, 'b': 2}.items()); next(it)
A> sorted({3: 'c', 1: 'a'}.items())
A> max({'a': 3, 'b': 5}, key=lambda k: {'a': 3, 'b': 5}[k])
A> b'%s-%s' % (b'a', b'b'), b'%5d|' % 42, '%c' % 0x1f600
A> {**{'a': 1}}
A> (lambda *a: a)(1)
A> def g():
...     x = yield 1
...     print('got', x)
...     yield x * 2
A> gen = g()
A> next(gen), gen.send(21)
A> try:
...     next(gen)
... except StopIteration as e:
...     print('stop', type(e).__name__)
A> def f(a, *args, b=2, **kw):
...     return a, args, b, kw
A> f(1), f(1, 2, 3), f(1, b=5, c=6), f(*[1, 2], **{'b': 0, 'z': 1})
A> def h(*args): print(*args, sep=',')
A> h(1, 'x')
A> f()
A> {'a': 1, **{'b': 2}, 'c': 3}, {1: 2 3}
