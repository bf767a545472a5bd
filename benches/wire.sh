#!/bin/sh
# The wire view's cost (issue 16): the time per step of `sockplay run` with
# and without --wire on a script of many socket steps (each step sends and
# receives, so each has segments to fence and number), and the memory of a
# 20 MB flood with and without it. Medians of RUNS runs. Run as root (or
# where the private namespace works); each run is in a network namespace of
# its own when `unshare --net` works, so other traffic on lo is not counted.
# usage: benches/wire.sh [SOCKPLAY_BINARY] [RUNS] [STEPS]   (defaults: 7, 4000)
set -eu
bin=$(realpath "${1:-target/release/sockplay}")
runs=${2:-7}
steps=${3:-4000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
port=47299
# Two scripts of socket steps (a send and a receive each); the cost per step
# is the slope between them, so the one-time start (opening the capture,
# about 30 ms: a packet socket's bind waits for the kernel) is apart.
make_steps() {
    {
        echo "server> srv = socket.create_server(('127.0.0.1', $port))"
        echo "client> c = socket.create_connection(('127.0.0.1', $port))"
        echo "server> conn, addr = srv.accept()"
        i=0
        while [ "$i" -lt "$1" ]; do
            echo "client> c.send(b'ping')"
            echo "server> conn.recv(100)"
            i=$((i + 2))
        done
    } > "$dir/steps$1.sp"
}
small=$((steps / 10))
make_steps "$small"
make_steps "$steps"
{
    echo "server> srv = socket.create_server(('127.0.0.1', $port))"
    echo "client> c = socket.create_connection(('127.0.0.1', $port))"
    echo "server> conn, addr = srv.accept()"
    echo "server> n = 0"
    echo "server> while n < 20_000_000:"
    echo "...     n += len(conn.recv(1 << 20))"
    echo "client> c.sendall(bytes(20_000_000))"
    echo "server> n"
} > "$dir/flood.sp"
# Ten times as much (200 MB in one step): memory must not grow with it.
sed -e 's/while n < 20_000_000:/while n < 200_000_000:/' \
    -e 's/c.sendall(bytes(20_000_000))/for _ in range(10): c.sendall(bytes(20_000_000))/' \
    "$dir/flood.sp" > "$dir/flood10.sp"
chmod 644 "$dir"/*.sp

in_netns() {
    if unshare --net -- true 2>/dev/null; then
        unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
    else
        "$@"
    fi
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

seconds() {
    # $1: script; the rest: extra arguments. The median of RUNS runs.
    script=$1; shift
    : > "$dir/secs"
    for _ in $(seq "$runs"); do
        in_netns /usr/bin/time -f '%e' -o "$dir/t" "$bin" run "$@" "$script" > "$dir/out" 2>&1 || true
        cat "$dir/t" >> "$dir/secs"
    done
    median < "$dir/secs"
}

for mode in plain wire; do
    set --
    [ "$mode" = wire ] && set -- --wire
    a=$(seconds "$dir/steps$small.sp" "$@")
    b=$(seconds "$dir/steps$steps.sp" "$@")
    segs=$(grep -c '~ #' "$dir/out" || true)
    python3 -c "print(f'$mode: {$small} steps {$a} s, {$steps} steps {$b} s: {($b - $a) / ($steps - $small) * 1e6:.0f} µs per step ($segs segment lines)')"
done

for flood in flood flood10; do
    for mode in plain wire; do
        extra=""
        [ "$mode" = wire ] && extra="--wire"
        : > "$dir/kb"
        for _ in $(seq "$runs"); do
            # shellcheck disable=SC2086
            in_netns /usr/bin/time -f '%M' -o "$dir/t" "$bin" run $extra "$dir/$flood.sp" > "$dir/out" 2>&1 || true
            cat "$dir/t" >> "$dir/kb"
        done
        kb=$(median < "$dir/kb")
        lines=$(grep -c '~ #' "$dir/out" || true)
        mb=20
        [ "$flood" = flood10 ] && mb=200
        echo "$mb MB flood, $mode: median max RSS $kb KB ($lines segment lines printed)"
    done
done
