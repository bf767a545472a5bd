#!/bin/bash
# Memory under a flood (issue #3): a client sends 2.5 MB five times a round and
# the server receives it all; the resident size must not grow with the rounds.
#
#   benches/flood-memory.sh [ROUNDS]      (default 6; needs tmux and python3)
#
# Part 1 drives the two-pane interface in a tmux session, typing as a user
# would, and prints VmRSS after each round. Part 2 plays the same flood with
# the headless runner (with and without --check) for 2 and ROUNDS rounds and
# prints the peak RSS of each: flat means the runner keeps no values it does
# not need. Figures vary by some MB from run to run on gVisor; look at the trend.
set -eu
ROUNDS=${1:-6}
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/sockplay
TMP=$(mktemp -d)
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$TMP"' EXIT
free_port() {
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

echo "== interface: VmRSS after each round (5 x 2.5 MB)"
S=sockplay-flood-$$
P=$(free_port)
tmux new-session -d -s "$S" -x 200 -y 50 "$BIN --record $TMP/session.sp"
sleep 1.5
PID=$(tmux list-panes -t "$S" -F '#{pane_pid}')
rss() { echo "$1: $(awk '/VmRSS/ {print $2, $3}' /proc/"$PID"/status)"; }
type_line() { tmux send-keys -t "$S" -l "$1"; tmux send-keys -t "$S" Enter; sleep "${2:-0.3}"; }
type_line "server> import socket"
type_line "server> srv = socket.socket()"
type_line "server> srv.bind(('127.0.0.1', $P))"
type_line "server> srv.listen()"
type_line "client> import socket"
type_line "client> c = socket.create_connection(('127.0.0.1', $P))"
type_line "server> conn, addr = srv.accept()"
type_line "server> conn.setblocking(False)"
type_line "client> data = b'x' * 2500000"
type_line "client> c.settimeout(0.5)"
rss "start"
for i in $(seq "$ROUNDS"); do
    for _ in 1 2 3 4 5; do
        type_line "client> n = c.send(data)" 0.2
        type_line "server> x = conn.recv(20000000)" 0.3
    done
    rss "round $i"
done
echo "recording: $(wc -c <"$TMP/session.sp") bytes on disk"
tmux send-keys -t "$S" C-q
sleep 1

flood_script() {
    local port=$1 rounds=$2
    echo "server> srv = socket.socket()"
    echo "server> srv.bind(('127.0.0.1', $port))"
    echo "server> srv.listen()"
    echo "client> c = socket.create_connection(('127.0.0.1', $port))"
    echo "server> conn, addr = srv.accept()"
    echo "server> conn.setblocking(False)"
    echo "client> data = b'x' * 2500000"
    echo "client> c.settimeout(0.5)"
    for _ in $(seq $((rounds * 5))); do
        echo "client> n = c.send(data)"
        echo "client> n > 0"
        echo "=> True"
        echo "server> x = conn.recv(20000000)"
        echo "server> len(x) > 0"
        echo "=> True"
    done
}
echo "== runner: peak RSS (KB)"
for rounds in 2 "$ROUNDS"; do
    flood_script "$(free_port)" "$rounds" >"$TMP/flood.sp"
    for check in "" "--check"; do
        peak=$( { /usr/bin/time -f '%M' "$BIN" run $check "$TMP/flood.sp" >/dev/null 2>"$TMP/err"; } 2>&1 || true)
        peak=$(tail -1 "$TMP/err")
        echo "rounds $rounds ${check:-(no check)}: peak $peak KB; $(grep '^check' "$TMP/err" || true)"
    done
done
