#!/bin/sh
# Issue 14: a 1 MB paste neither freezes the interface nor is taken silently.
# Starts the interface in a tmux window, pastes 1 MiB of statements as a
# terminal does (bracketed paste), types one key, and measures how long until
# the screen shows both the refusal and the key (goal: within 100 ms).
# usage: benches/paste_1mb.sh [SOCKPLAY_BINARY] [RUNS]
set -eu
bin=${1:-target/release/sockplay}
runs=${2:-5}
dir=$(mktemp -d)
session=sockplay-paste-bench
# A tmux server of its own per run (-L), so that no run waits on another's exit.
trap 'rm -rf "$dir"' EXIT
python3 -c 'import sys; sys.stdout.write("x = 1\n" * (1024 * 1024 // 6 + 1))' > "$dir/paste.txt"
for i in $(seq "$runs"); do
    tmux -L "bench$i" new-session -d -s $session -x 150 -y 40 "$bin"
    # The interface is up when its footer is drawn.
    until tmux -L "bench$i" capture-pane -t $session -p | grep -q "Ctrl-Q quit"; do sleep 0.05; done
    tmux -L "bench$i" load-buffer -b big "$dir/paste.txt"
    python3 - "$session" "bench$i" <<'PY'
import subprocess, sys, time
session, server = sys.argv[1], sys.argv[2]
tmux = ["tmux", "-L", server]
start = time.perf_counter()
subprocess.run(tmux + ["paste-buffer", "-p", "-b", "big", "-t", session], check=True)
subprocess.run(tmux + ["send-keys", "-t", session, "z"], check=True)
while True:
    screen = subprocess.run(tmux + ["capture-pane", "-t", session, "-p"], capture_output=True, text=True).stdout
    if "paste refused" in screen and ">>> z" in screen:
        break
    if time.perf_counter() - start > 30:
        sys.exit("the screen never showed the refusal and the key:\n" + screen)
    time.sleep(0.002)
print(f"paste of 1 MiB refused and a key shown after {(time.perf_counter() - start) * 1000:.0f} ms")
PY
    tmux -L "bench$i" kill-server
done
