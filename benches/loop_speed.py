#!/usr/bin/env python3
"""Issue 15's speed goals: a loop in a pane against the same loop in CPython.

  pure   `for i in range(1_000_000): total += i` in one step: at most 2x CPython
  echo   10 MB through recv(4096)/sendall between two panes, both loops in
         blocks (the server echoes, the client sends 4 KiB and reads it
         back 2,560 times): at most 1.2x CPython

Each loop times itself with time.perf_counter() and prints the seconds it took,
so that neither runner's pace between steps counts: sockplay with
`sockplay run --json`, CPython with the shared reference runner
(oracle/pyoracle.py) on the same script. Prints the median of RUNS.

usage: benches/loop_speed.py [SOCKPLAY_BINARY] [--runs N]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "..", "..", "shared", "oracle", "pyoracle.py")

PURE = """\
a> import time
a> total = 0
a> t0 = time.perf_counter()
a> for i in range(1_000_000):
...     total += i
... else:
...     print(time.perf_counter() - t0)
a> total
"""

ECHO = """\
server> srv = socket.create_server(("127.0.0.1", {port}))
client> c = socket.create_connection(("127.0.0.1", {port}))
server> conn, addr = srv.accept()
server> while True:
...     data = conn.recv(4096)
...     if not data:
...         break
...     conn.sendall(data)
client> import time
client> chunk = b"x" * 4096
client> total = 0
client> t0 = time.perf_counter()
client> for i in range(2560):
...     c.sendall(chunk)
...     got = 0
...     while got < 4096:
...         got += len(c.recv(4096))
...     total += got
... else:
...     print(time.perf_counter() - t0)
client> total
client> c.close()
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loop_seconds(command):
    """The seconds the script's loop printed, from a JSON Lines transcript."""
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        event = json.loads(line)
        if "stdout" in event and event.get("status") == "ok":
            return float(event["stdout"].strip())
    raise SystemExit(f"no timing in the transcript of {command}:\n{out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sockplay", nargs="?", default="target/release/sockplay")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, text, goal in [("pure", PURE, 2.0), ("echo", ECHO, 1.2)]:
            py, sp = [], []
            for _ in range(args.runs):
                script = os.path.join(tmp, f"{name}.sp")
                with open(script, "w") as f:
                    f.write(text.format(port=free_port()))
                py.append(loop_seconds([sys.executable, ORACLE, script, "--settle", "2"]))
                sp.append(loop_seconds([args.sockplay, "run", "--json", script, "--settle", "2000"]))
            py, sp = statistics.median(py), statistics.median(sp)
            print(f"{name:5} cpython {py * 1000:8.1f} ms  sockplay {sp * 1000:8.1f} ms  "
                  f"ratio {sp / py:.2f} (goal {goal})")


if __name__ == "__main__":
    main()
