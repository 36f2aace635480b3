# Shared by the tests that drive chat-tui in tmux; source it with
#   . "$top_srcdir/tests/tmux.sh"; tmux_setup NAME
# It skips the test (exit 77) when tmux is missing, makes $tmp, runs a
# private tmux server, and on exit kills it and the processes named by
# $server_pid, $feed_pid and $pids.  It also gives start_chat_server,
# stop_server, wait_for, row, title, pass and fail.

tmux_setup() {
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: tmux not installed"
		exit 77
	fi
	LC_ALL=C.UTF-8
	export LC_ALL
	unset NO_COLOR TMUX
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	sock="$1_$$"
	pids= server_pid= feed_pid= server_err=
	trap tmux_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

tmux_cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	for pid in $server_pid $feed_pid $pids; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}

fail() {
	echo "FAIL: $*"
	if [ -f "$tmp/screen" ]; then
		echo "--- last screen:"
		cat "$tmp/screen"
		echo "---"
	fi
	exit 1
}

pass() {
	echo "ok: $*"
}

now() {
	date +%s
}

tm() {
	tmux -L "$sock" "$@"
}

# screen WINDOW: its contents into $tmp/screen.
screen() {
	tm capture-pane -p -t "$1" >"$tmp/screen" 2>/dev/null
}

# wait_for WINDOW TEXT WHAT [SECONDS]: poll the screen until it shows
# TEXT, failing after SECONDS (default 10).
wait_for() {
	deadline=$(($(now) + ${4:-10}))
	while :; do
		screen "$1"
		grep -F -q -- "$2" "$tmp/screen" && return 0
		[ "$(now)" -ge "$deadline" ] &&
		    fail "$3: window $1 never showed \"$2\""
		sleep 0.1
	done
}

# row WINDOW N: row N of the screen (1 is the top, -1 the bottom).
row() {
	screen "$1"
	if [ "$2" -lt 0 ]; then
		tail -n $((-$2)) "$tmp/screen" | head -n 1
	else
		sed -n "$2p" "$tmp/screen"
	fi
}

# start_feed [-c]: tests/tui_feed on a free port, fed through fd 3; the
# port goes to $feed_port.  -c: it closes the connection once fd 3 is
# closed and all was sent.
start_feed() {
	rm -f "$tmp/feed.in" "$tmp/feed.port"
	mkfifo "$tmp/feed.in"
	"$FEED" "$@" <"$tmp/feed.in" >"$tmp/feed.port" &
	feed_pid=$!
	exec 3>"$tmp/feed.in"
	deadline=$(($(now) + 10))
	until [ -s "$tmp/feed.port" ]; do
		[ "$(now)" -ge "$deadline" ] && fail "feed server did not start"
		sleep 0.1
	done
	feed_port=$(cat "$tmp/feed.port")
}

# start_chat_server PORT LOG [ARGS]: chat-server on PORT (0: any free),
# logging to LOG, with the flood and per-address limits off; its
# standard error goes to $server_err when that is set.  Waits until
# the server names its port in LOG (on the first " listen " line after
# those LOG had already) and puts it in $port.
start_chat_server() {
	srv_port=$1 srv_log=$2
	shift 2
	srv_before=$(grep -c " listen " "$srv_log" 2>/dev/null)
	if [ -n "${server_err:-}" ]; then
		"$CHAT_SERVER" --port "$srv_port" --log "$srv_log" "$@" \
		    --flood-rate 0 --max-per-ip 0 2>>"$server_err" &
	else
		"$CHAT_SERVER" --port "$srv_port" --log "$srv_log" "$@" \
		    --flood-rate 0 --max-per-ip 0 &
	fi
	server_pid=$!
	deadline=$(($(now) + 10))
	port=
	while [ -z "$port" ]; do
		port=$(grep " listen " "$srv_log" 2>/dev/null |
		    sed -n "$((${srv_before:-0} + 1))"'s/.*:\([0-9][0-9]*\) .*/\1/p')
		[ -n "$port" ] && break
		kill -0 "$server_pid" 2>/dev/null ||
		    fail "chat-server did not start$(tmux_server_err)"
		[ "$(now)" -ge "$deadline" ] && fail "no port in the log"
		sleep 0.1
	done
}

# What the chat-server wrote to $server_err, after ": " (nothing unset).
tmux_server_err() {
	[ -n "${server_err:-}" ] && printf ': %s' "$(cat "$server_err")"
}

# stop_server: stop the chat-server start_chat_server started.
stop_server() {
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null
	server_pid=
}

# title WINDOW: the pane's title.
title() {
	tm display-message -p -t "$1" '#{pane_title}'
}
