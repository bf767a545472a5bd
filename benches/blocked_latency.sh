#!/bin/sh
# How soon a blocked step is reported, from the moment its pane's thread
# enters the system call that waits (issue 13: within 1 ms): poll(2) with no
# timeout before a blocking call (or the call itself), measured with
# strace's timestamps on the real binary: `sockplay run` and piped
# `sockplay repl`, and the interface in a tmux window (the frame that draws
# "blocked in"). strace --seccomp-bpf stops only on the two calls it records.
# usage: benches/blocked_latency.sh [SOCKPLAY_BINARY] [RUNS]
set -eu
bin=${1:-target/release/sockplay}
runs=${2:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'server> s = socket.socket()\nserver> s.bind(("127.0.0.1", %s))\nserver> s.listen()\nserver> conn, addr = s.accept()\nclient> 1\n' "$port" > "$dir/accept.sp"
measure() {
    # $1: label; the rest: the command. Prints the gap between entering
    # accept4 and the first write that says "blocked".
    label=$1; shift
    for i in $(seq "$runs"); do
        [ "$label" = interface ] && { tui "$@"; gap "$label"; continue; }
        strace --seccomp-bpf -f -ttt -s 256 -e trace=accept4,poll,write -o "$dir/trace" "$@" > /dev/null 2>&1 < "${STDIN:-/dev/null}" || true
        gap "$label"
    done
}
gap() {
        python3 - "$dir/trace" "$1" <<'PY'
import re, sys
start = end = None
for line in open(sys.argv[1]):
    m = re.match(r"\d+\s+(\d+\.\d+)\s+(\w+)\((.*)", line)
    if not m:
        continue
    t, call, rest = float(m.group(1)), m.group(2), m.group(3)
    # The wait: poll with the engine's "no timeout" (an hour), or accept4.
    if start is None and (call == "accept4" or (call == "poll" and ", 3600000" in rest)):
        start = t
    if call == "write" and end is None and "blocked" in rest:
        end = t
# Negative: the wait was reported before the thread entered accept4 (the
# engine announces a wait once the kernel said it must wait, then waits).
print(f"{sys.argv[2]}: {(end - start) * 1000:+.3f} ms" if start and end else f"{sys.argv[2]}: not seen")
PY
}
tui() {
    # The interface, typed into through tmux; the trace covers its frames.
    session=sockplay-latency-$$
    tmux new-session -d -s "$session" -x 150 -y 40 \
        "strace --seccomp-bpf -f -ttt -s 8192 -e trace=accept4,poll,write -o $dir/trace $bin --record $dir/rec-\$RANDOM.sp"
    sleep 1
    p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    tmux send-keys -t "$session" "s = socket.socket()" Enter "s.bind(('127.0.0.1', $p))" Enter "s.listen()" Enter
    sleep 0.5
    tmux send-keys -t "$session" "c, a = s.accept()" Enter
    sleep 1
    tmux send-keys -t "$session" C-q
    sleep 0.5
    tmux kill-session -t "$session" 2>/dev/null || true
}
measure "run" "$bin" run "$dir/accept.sp"
grep -v "^client> 1" "$dir/accept.sp" | sed 's/^server> //' > "$dir/accept.txt"
STDIN="$dir/accept.txt" measure "repl (piped)" "$bin" repl
measure interface
