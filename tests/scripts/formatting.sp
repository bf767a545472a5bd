# %-formatting, str.format and the str and bytes methods of SPEC 2.3.
A> '%s:%d' % ('127.0.0.1', 80), '%5.2f|%-6s|%06d|%+d|%x|%#X|%o' % (3.14159, 'ab', -42, 5, 255, 255, 8)
A> '%r %a %c %c %%' % ('é', 'é', 65, 'z')
A> b'%d bytes: %s %r' % (3, b'abc', b'x')
A> '%(host)s:%(port)d' % {'host': 'h', 'port': 1}
A> '%d' % 'x'
A> '%s %s' % ('a',)
A> '%s' % ('a', 'b')
A> '%z' % 1
A> '%.3s|%10.4e|%g|%G' % ('abcdef', 12345.6789, 0.00001, 1e20)
A> '{} {}'.format(1, 'a'), '{0}{1}{0}'.format('x', 'y'), '{name!r:>8}'.format(name='n')
A> '{:>{w}}|{:^9.3f}|{:,}'.format('r', 3.14159, 1234567, w=5)
A> '{0[1]} {0[0]}'.format(('a', 'b'))
A> '{} {1}'.format(1, 2)
A> '{2}'.format(1)
A> 'a,b,c'.partition(','), 'a,b,c'.rpartition(','), 'abc'.partition('z'), 'x\r\ny\nz'.splitlines(), 'x\ny\n'.splitlines(True)
A> 'hello'.index('l'), 'hello'.rfind('l'), 'hello'.rindex('l'), '42'.zfill(5), '-42'.zfill(5), 'ab'.ljust(5, '*'), 'ab'.rjust(5), 'ab'.center(7, '-'), 'abc'.center(6)
A> 'hello'.index('z')
A> b'a b  c'.rsplit(None, 1), 'a.b.c'.rsplit('.', 1), b'x:y'.partition(b':'), 'Hello World'.swapcase(), 'hello world'.title(), 'hELLO'.capitalize()
A> 'abc'.isalpha(), 'a1'.isalnum(), ' \t'.isspace(), 'ABC'.isupper(), 'abc'.islower(), 'prefix-x'.removeprefix('prefix-')
