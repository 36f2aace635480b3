#!/bin/sh
# chat-tui's plain line mode on every way out: stdin ends, /quit, Ctrl-C
# (SIGINT), SIGTERM, standard output fails, a server that never closes,
# the server closes, the connection is refused.  Each must end with its
# exit status and say nothing on standard error but its one message.
# CI runs it with CHAT_TUI_WRAPPER set to valgrind (split at spaces, put
# before chat-tui), so a leak or a bad read on any of these paths prints
# to standard error and fails it; under AddressSanitizer, LeakSanitizer
# does the same.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_builddir:?}"
FEED="$top_builddir/tests/tui_feed"
WAIT_SECONDS=30		# valgrind makes chat-tui ten times slower

LC_ALL=C.UTF-8
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tui_plain_exits.XXXXXX") || exit 1
server_pid= feed_pid=

cleanup() {
	for f in "$tmp"/*.pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for pid in $server_pid $feed_pid; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	exit 1
}

now() {
	date +%s
}

# wait_grep FILE TEXT WHAT: poll FILE until it holds TEXT.
wait_grep() {
	deadline=$(($(now) + WAIT_SECONDS))
	until grep -F -q -- "$2" "$1" 2>/dev/null; do
		[ "$(now)" -ge "$deadline" ] && fail "$3: no \"$2\" in $1"
		sleep 0.1
	done
}

# client NAME INPUT OUTPUT ARGS: chat-tui ARGS in the background reading
# INPUT (opened there, so a fifo does not block this shell) and writing
# OUTPUT, its standard error in $tmp/NAME.err, its pid in $tmp/NAME.pid
# and, once it has ended, its exit status in $tmp/NAME.status.
client() {
	name=$1 input=$2 output=$3
	shift 3
	(
		exec <"$input" >"$output"
		# (Standard error is redirected in the exec, so a shell's
		# "Terminated" goes to the log, not to what is checked.)
		sh -c 'echo $$ >"$0"; err=$1; shift; exec "$@" 2>"$err"' \
		    "$tmp/$name.pid" "$tmp/$name.err" \
		    $CHAT_TUI_WRAPPER "$CHAT_TUI" "$@"
		echo $? >"$tmp/$name.status"
	) &
}

# finished NAME STATUS [STDERR]: wait for client NAME to end, then check
# its exit status and that its standard error is STDERR exactly.
finished() {
	deadline=$(($(now) + WAIT_SECONDS))
	until [ -s "$tmp/$1.status" ]; do
		[ "$(now)" -ge "$deadline" ] && fail "$1: chat-tui did not exit"
		sleep 0.1
	done
	rm -f "$tmp/$1.pid"
	got=$(cat "$tmp/$1.status")
	[ "$got" = "$2" ] ||
	    fail "$1: exit status $got, not $2; standard error:
$(cat "$tmp/$1.err")"
	[ "$(cat "$tmp/$1.err")" = "${3:-}" ] ||
	    fail "$1: standard error is not \"${3:-}\" but:
$(cat "$tmp/$1.err")"
}

# talking NAME PORT: client NAME on PORT with its standard input a fifo
# held open on fd 4, once it has sent a line and seen it come back.
talking() {
	rm -f "$tmp/$1.in"
	mkfifo "$tmp/$1.in" || fail "mkfifo"
	client "$1" "$tmp/$1.in" "$tmp/$1.out" --port "$2"
	exec 4>"$tmp/$1.in"
	printf '%s says hi\n' "$1" >&4
	wait_grep "$tmp/$1.out" "> $1 says hi" "$1: its line back"
}

# start_server: chat-server on a free port, which goes to $port.
start_server() {
	: >"$tmp/server.log"
	"$CHAT_SERVER" --port 0 --log "$tmp/server.log" --flood-rate 0 &
	server_pid=$!
	wait_grep "$tmp/server.log" " listen " "chat-server start"
	port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' \
	    "$tmp/server.log")
	[ -n "$port" ] || fail "no port in the server log"
}

start_server

# --- standard input ends: the server is told, answers, closes
printf 'piped line\n' >"$tmp/eof.in"
client eof "$tmp/eof.in" "$tmp/eof.out" --port "$port"
finished eof 0
grep -q "^<guest[0-9]*> piped line$" "$tmp/eof.out" || fail "eof: no echo"
echo "ok: the end of standard input exits 0"

# --- /quit while standard input is still open
talking quit "$port"
printf '/quit\n' >&4
finished quit 0
exec 4>&-
grep -q "^\*\*\* Bye" "$tmp/quit.out" || fail "quit: no Bye"
echo "ok: /quit exits 0"

# --- Ctrl-C, SIGTERM
talking sigint "$port"
kill -INT "$(cat "$tmp/sigint.pid")"
finished sigint 0
exec 4>&-
echo "ok: SIGINT exits 0"
talking sigterm "$port"
kill -TERM "$(cat "$tmp/sigterm.pid")"
finished sigterm 143
exec 4>&-
echo "ok: SIGTERM ends it by the signal"

# --- standard output cannot be written
printf 'into the void\n' >"$tmp/full.in"
client full "$tmp/full.in" /dev/full --port "$port"
finished full 1 \
    "chat-tui: cannot write standard output: No space left on device"
echo "ok: a failed write to standard output exits 1"

# --- a server that never closes: chat-tui gives up waiting for it
mkfifo "$tmp/feed.in" || fail "mkfifo"
"$FEED" <"$tmp/feed.in" >"$tmp/feed.port" &
feed_pid=$!
exec 3>"$tmp/feed.in"	# open, the feed neither sends nor reads more
wait_grep "$tmp/feed.port" "" "feed start"
client linger /dev/null "$tmp/linger.out" --port "$(cat "$tmp/feed.port")"
finished linger 0
exec 3>&-
wait "$feed_pid"
feed_pid=
echo "ok: a server that never closes is left after a while, exit 0"

# --- the server closes while standard input is still open
talking closed "$port"
kill "$server_pid"
wait "$server_pid"
server_pid=
finished closed 1 \
    "chat-tui: localhost:$port: connection closed by the server"
exec 4>&-
echo "ok: the server closing exits 1 saying so"

# --- nothing listens: refused before plain mode starts
client refused /dev/null "$tmp/refused.out" --port "$port"
finished refused 1 \
    "chat-tui: cannot connect to localhost:$port: Connection refused"
echo "ok: a refused connection exits 1 saying why"

exit 0
