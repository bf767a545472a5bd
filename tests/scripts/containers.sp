# Lists, dicts and sets as Python shares and changes them; comprehensions,
# generators and the builtins that walk them.
A> d = {'a': 1, 'b': [1, 2]}
A> d['c'] = 3
A> d
A> d.get('z', 5), d.pop('a'), list(d.items()), list(d), d.keys(), d.values()
A> d.setdefault('e', []).append(1); d
A> d.update({'f': 0}, g=1); d.popitem(), len(d), 'b' in d, 'zz' not in d
A> d['missing']
A> {1: 'a', 1.0: 'b', True: 'c'}
A> {[1]: 2}
A> s = {3, 1, 2}
A> s.add(4); s.discard(9); s
A> s | {9}, s & {1, 9}, s - {1}, s ^ {1, 4}, {1, 2} <= {1, 2, 3}, {1} < {1}
A> s.remove(42)
A> set(), set('aab') == {'a', 'b'}, {x % 3 for x in range(10)}
A> [x * 2 for x in range(5) if x % 2 == 0]
A> [(i, j) for i in range(3) for j in range(i)]
A> {k: v for k, v in zip('abc', range(3))}
A> x = 'outer'; [x for x in range(2)]; x
A> sum(len(m) for m in [b'ab', b'cde'])
A> def gen(n):
...     for i in range(n):
...         yield i * i
...     return
A> g = gen(3)
A> next(g), next(g), list(g), next(g, 'done')
A> next(g)
A> l = [3, 1, 2]; m = l; m.append(0); l.sort(); l
A> l.insert(0, 9); l.extend(range(2)); l, l.index(2), l.count(0), l.pop(), l.pop(0)
A> l.remove(7)
A> l[1] = 'x'; del l[0]; l
A> l.reverse(); l, l.copy() is l, l * 2, l + [1]
A> a = b = []; a += [1]; b
A> sorted(['b', 'a'], reverse=True), sorted([3, 1, 2], key=lambda n: -n), list(enumerate('ab', 1))
A> sorted([1, 'a'])
A> min(['bb', 'a', 'ccc'], key=len), max([1, 5, 3]), any(x > 4 for x in [1, 5]), all([])
A> isinstance(1, int), isinstance(True, (str, int)), isinstance('x', bytes), isinstance({}, dict)
A> a = []; a.append(a); a
A> list(zip([1, 2, 3], 'ab')), dict(zip('xy', [1, 2])), dict([('a', 1)], b=2), tuple({1: 2})
A> it = iter([1, 2]); next(it), next(it), next(it, None)
A> type(iter(range(3))), type(gen), type(gen(1)), type({}.items())
A> divmod(7, -2), round(2.5), round(3.14159, 2), round(1234, -2), hash(-1), hash(2**61)
A> first, *rest = [1, 2, 3]
A> del d['nothere']
A> *init, last = 'abc'; init, last
A> a, *b, c = range(1); 
A> print(*[1, 2], sep='-'), [*range(2), *'ab'], dict(**{'k': 1})
A> def f():
...     try:
...         1/0
...     except ZeroDivisionError as e:
...         pass
...     return 'e' in dir(), dir()
A> e = 5
A> f(), e
A> '%d%%' % 3.9, '%a' % 'é', '{!a}'.format('é')
A> l = [1, 2]
A> l[-1] = 9
A> del l[0]
A> l
A> l[5] = 1
# A set or dict with itself (each lock is taken once).
A> s = {1, 2}
A> s | s, s & s, s <= s, s < s, s.issubset(s), s - s, s ^ s
A> d = {1: 2}
A> d | d, d == d
A> s |= s; s
A> d |= d; d
