# The time module as the seed programs use it: sleep, and timing a loop.
a> import time
a> time
a> for _ in range(1):
...     t0 = time.monotonic()
...     time.sleep(0.05)
...     print(0.04 < time.monotonic() - t0 < 5)
a> from time import sleep, perf_counter
a> sleep(0)
a> sleep(-1)
a> sleep("x")
a> time.time() > 1.7e9
a> type(time.perf_counter())
a> time.nothing
a> for i in range(3):
...     if i == 0:
...         start = perf_counter()
...     sleep(0.01)
... else:
...     print("slept", perf_counter() - start > 0.02)
