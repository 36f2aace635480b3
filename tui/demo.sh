#!/bin/sh
# make demo: chat-server on localhost, on port $DEMO_PORT (default 2000)
# if it is free, so a second terminal can join with a plain chat-tui, or
# else on any free port, said so; then chat-tui on it.  The server stops
# when chat-tui exits.
#	demo.sh CHAT-SERVER CHAT-TUI
server=${1:?usage: demo.sh chat-server chat-tui}
tui=${2:?usage: demo.sh chat-server chat-tui}
want=${DEMO_PORT:-2000}

dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-demo.XXXXXX") || exit 1
pid=
trap 'test -n "$pid" && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP

for try in "$want" 0; do
	: >"$dir/log"
	"$server" --bind localhost --port "$try" --log "$dir/log" \
	    2>>"$dir/err" &
	pid=$!
	port=
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' \
		    "$dir/log" | head -n 1)
		test -n "$port" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	test -n "$port" && break
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	pid=
done
if [ -z "$port" ]; then
	cat "$dir/err" >&2
	exit 1
fi
if [ "$port" != "$want" ]; then
	echo "chat demo: port $want is taken, so chat-server is on localhost" \
	    "port $port instead."
else
	echo "chat demo: chat-server is on localhost port $port."
fi
echo "A second user joins from another terminal with:"
echo "	$tui --port $port"
if [ -t 0 ] && [ -t 1 ]; then
	printf 'Press Enter to start chat-tui here. '
	read -r _
fi
"$tui" --port "$port"
