# Integers as CPython has them: any size, exact comparisons with floats, C-size errors
a> 2**200
a> x = 2**64
a> x * x - 1
a> (-2**63)//-1
a> -(-2**63)
a> (-2**63) % -1
a> abs(-2**63)
a> int(9.3e18)
a> int(-1e20)
a> 99999999999999999999 == 99999999999999999999
a> 99999999999999999999 + 1
a> 0xffffffffffffffffff
a> 9007199254740993 == 9007199254740993.0
a> 9007199254740992 == 9007199254740992.0
a> 2**64 > 1.5e19
a> 2**64 == 2.0**64
a> 2**1100 > 1e308
a> 2**1100 < float('inf')
a> 2**64 < float('nan')
a> float(2**2000)
a> 2**2000 * 1.0
a> 2**2000 / 3
a> (2**70) / 3
a> 10**20 // 7
a> 10**20 % 7
a> -(2**64) % 7
a> divmod_like = (-(10**20)) // 7
a> ~(2**64)
a> 2**64 & -1
a> 2**64 | 1
a> 2**64 ^ 2**65
a> 2**64 >> 3
a> -(2**64) >> 100
a> 1 << 100
a> True + 2**64
a> len(range(-2**63, 2**63-1))
a> len(range(-2**62, 2**62))
a> b'abc'[10**20]
a> [1][2**70]
a> b'abc'[10**20:]
a> b'abcdef'[-10**20:2]
a> bytes(2**70)
a> 'ab' * 2**64
a> bytes(socket.AF_INET)
a> socket.AF_INET + 2**64
a> (2**64).bit_length()
a> (2**64).to_bytes(9, 'big')
a> (2**64).to_bytes(8, 'big')
a> (-2**64).to_bytes(9, 'big', signed=True)
a> int.from_bytes(b'\xff' * 9, 'big')
a> int.from_bytes(b'\xff' * 9, 'big', signed=True)
a> int.from_bytes(b'\x80' + bytes(8), 'little')
a> hex(2**64)
a> hex(-2**64)
a> int('  -99999999999999999999  ')
a> int('ffffffffffffffffffff', 16)
a> int('9' * 5000)
a> str(2**64)
a> repr(2**20000)
a> y = 2**20000
a> len(hex(y))
a> sum([2**63, 2**63])
a> max(2**64, 1.0)
a> min(1, 2**64)
a> 2**64 == 2**64
a> 0**-1
a> 2**-1
a> (-1) ** (2**100)
a> 1 ** (2**100)
a> 2**64 in [2**64]
a> 2**64 in range(10)
a> 2**64 in b'abc'
a> s = socket.socket()
a> s.settimeout(2**64)
a> s.recv(2**64)
a> s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 2**64)
a> s.close()
