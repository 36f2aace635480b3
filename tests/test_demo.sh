#!/bin/sh
# make demo's script (tui/demo.sh): on its preferred port when that is
# free, else on another one, and either way it says which port and the
# command a second user runs.  The preferred port comes from DEMO_PORT,
# a port this test holds, never 2000 (other tests and users may hold
# it).  chat-tui runs in its plain mode with nothing to read, so it
# connects and leaves.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_srcdir:?}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_demo.XXXXXX") || exit 1
server_pid=
trap 'test -n "$server_pid" && kill $server_pid 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	echo "--- output:"
	cat "$tmp/out" "$tmp/err" 2>/dev/null
	exit 1
}

# A port taken by a chat-server of ours.
"$CHAT_SERVER" --bind localhost --port 0 --log "$tmp/held.log" &
server_pid=$!
deadline=$(($(date +%s) + 10))
held=
while [ -z "$held" ]; do
	held=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' "$tmp/held.log" |
	    head -n 1)
	[ -n "$held" ] && break
	[ "$(date +%s)" -ge "$deadline" ] && fail "no port held"
	sleep 0.1
done

DEMO_PORT=$held sh "$top_srcdir/tui/demo.sh" "$CHAT_SERVER" "$CHAT_TUI" \
    </dev/null >"$tmp/out" 2>"$tmp/err" || fail "demo.sh failed"
other=$(sed -n 's/^chat demo: port [0-9]* is taken, so chat-server is on localhost port \([0-9]*\) instead\.$/\1/p' \
    "$tmp/out")
[ -n "$other" ] && [ "$other" != "$held" ] ||
    fail "a taken port is not said with the one used instead"
grep -q "^	$CHAT_TUI --port $other\$" "$tmp/out" ||
    fail "no command for a second user with --port $other"
grep -q "WELCOME\|Welcome" "$tmp/out" ||
    fail "chat-tui did not reach the demo's server"
echo "ok: a taken port: another, said, with the command to join"

# The same port, once free: used, and said.
kill $server_pid
wait $server_pid 2>/dev/null
server_pid=
DEMO_PORT=$held sh "$top_srcdir/tui/demo.sh" "$CHAT_SERVER" "$CHAT_TUI" \
    </dev/null >"$tmp/out" 2>"$tmp/err" || fail "demo.sh failed"
grep -q "^chat demo: chat-server is on localhost port $held\.$" \
    "$tmp/out" || fail "the free port is not said"
grep -q "^	$CHAT_TUI --port $held\$" "$tmp/out" ||
    fail "no command for a second user with --port $held"
echo "ok: a free port: used, said, with the command to join"
