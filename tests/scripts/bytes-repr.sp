# Every byte value through repr, and the quote choice.
a> bytes(range(256))
a> bytes(range(128, 256)) + b"'\""
a> b"it's"
a> b'say "hi"'
a> b"it's \"both\""
a> 'it\'s'
a> "tab\there\r\n\x00\x7f\x80\xa0\xad\u00e9\u2028\U0001F600"
a> b"\x1b[2J\x07"
a> bytes(range(256)).decode("latin-1")
a> b"\xff".decode()
a> b"\xe2\x82".decode("utf-8")
a> b"ab\xff".decode("utf-8", "replace")
a> 0.1 + 0.2
a> 1e-05, 1e16, 2.0, 1/3, -0.0, 10/4
a> [1, (2,), [], (), 'x']
a> bytes(5), bytes([65, 66]), bytes("é", "utf-8")
a> list(reversed(b"abc"))
a> b"hello world".split(), b"a,b,,c".split(b","), "  x  ".strip()
a> b"Hello".upper(), b"Hello".lower(), b"hello".find(b"l"), b"hello".hex()
a> b"hello".startswith(b"he"), "hello".endswith("lo"), "é".encode()
a> print("a", 1, b"x", None, sep="|")
a> repr("x"), str(b"x"), len("héllo"), len(b"h\xc3\xa9")
a> socket.AF_INET, socket.SOCK_DGRAM, socket.MSG_PEEK | socket.MSG_DONTWAIT, socket.SOL_SOCKET
