#!/usr/bin/env python3
"""`sockplay run` against CPython's reference runner, script by script.

Issue 13's goal: all shared scenarios and lessons together run in at most 5%
of the reference runner's time, not counting scripts where a socket timeout
expires (both must wait those out; sockplay may add at most 20 ms to them).
Scripts with a loop that runs between calls (a polling loop, a selector loop
on writable sockets: `... running at line N` in sockplay's transcript) are
totalled apart too: no kernel wait tells that they are blocked, so both
runners wait out their settle time (SPEC 5).

usage: benches/run_speed.py [SOCKPLAY_BINARY] [--runs N] [SCRIPT...]
Prints, per script, the median wall time of each and the ratio; then totals.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared")


sys.path.insert(0, os.path.join(SHARED, "oracle"))
import compare  # noqa: E402  (the shared oracle's port remapping)


def timed(command):
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return time.perf_counter() - start, out.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=os.path.join(ROOT, "target/release/sockplay"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("scripts", nargs="*")
    args = parser.parse_args()
    scripts = args.scripts or sorted(
        glob.glob(os.path.join(SHARED, "scenarios", "*.sp")) + glob.glob(os.path.join(ROOT, "lessons", "*.sp"))
    )
    oracle = os.path.join(SHARED, "oracle", "pyoracle.py")
    totals = {"plain": [0.0, 0.0], "timeouts": [0.0, 0.0], "running": [0.0, 0.0]}
    print(f"{'script':32} {'cpython':>9} {'sockplay':>9} {'ratio':>7}")
    for script in scripts:
        ours, theirs, timeout = [], [], False
        with open(script, encoding="utf-8") as handle:
            text = handle.read()
        for _ in range(args.runs):
            # Fresh ports (and paths) for both, each run, as compare.py gives them:
            # a port left in TIME_WAIT would change the outcome.
            mapped, _ = compare.remap(text)
            path = os.path.join("/tmp", f"run-speed-{os.getpid()}.sp")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(mapped)
            t, out = timed([args.binary, "run", "--json", path])
            ours.append(t)
            t2, out2 = timed([sys.executable, oracle, path])
            theirs.append(t2)
            os.unlink(path)
            for line in out2.splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("exception") == "TimeoutError" and event.get("errno") is None:
                    timeout = True
        a, b = statistics.median(ours), statistics.median(theirs)
        # One more run, not timed, in the readable form: does a loop run between calls?
        mapped, _ = compare.remap(text)
        path = os.path.join("/tmp", f"run-speed-{os.getpid()}.sp")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(mapped)
        _, readable = timed([args.binary, "run", path])
        os.unlink(path)
        running = "... running at line" in readable
        kind = "timeouts" if timeout else "running" if running else "plain"
        totals[kind][0] += a
        totals[kind][1] += b
        mark = {"timeouts": "  (a socket timeout expires)", "running": "  (a loop runs between calls)", "plain": ""}[kind]
        print(f"{os.path.basename(script):32} {b*1000:8.0f}ms {a*1000:8.0f}ms {a/b:7.3f}{mark}")
    for kind, (a, b) in totals.items():
        if b:
            print(f"total, {kind:9}: cpython {b*1000:.0f} ms, sockplay {a*1000:.0f} ms, ratio {a/b:.3f}")


if __name__ == "__main__":
    main()
