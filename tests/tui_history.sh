#!/bin/sh
# chat-tui and the server's history replay, in a real terminal (tmux):
# a newcomer sees the room's earlier lines dimmed under an "earlier"
# marker; across a server restart (--history-file the same file as
# --log) chat-tui shows no line twice, and a line said while it was
# disconnected appears, once.  Waits are on conditions, never bare sleeps.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_history

log="$tmp/events.log"

# start_server [PORT]: chat-server on PORT (default: any free port),
# logging to and keeping its history in $log; its port goes to $port.
server_err=$tmp/server.err
start_server() {
	start_chat_server "${1:-0}" "$log" --history-file "$log"
}

# window NAME COMMAND: a window running COMMAND.
window() {
	tm new-window -d -n "$1" "$2; echo EXIT=\$?; sleep 600"
}

# once WINDOW TEXT: the screen shows TEXT on exactly one row.
once() {
	screen "$1"
	n=$(grep -c -F -- "$2" "$tmp/screen")
	[ "$n" -eq 1 ] || fail "window $1 shows \"$2\" $n times"
}

# log_wait TEXT WHAT: wait until the event log holds TEXT.
log_wait() {
	deadline=$(($(now) + 10))
	until grep -F -q -- "$1" "$log"; do
		[ "$(now)" -ge "$deadline" ] && fail "$2: no \"$1\" in the log"
		sleep 0.1
	done
}

start_server
first=$port
tm -f /dev/null new-session -d -s history -x 100 -y 50 -n idle \
    "sleep 600" || fail "tmux cannot start"

# --- the room's earlier lines, to a newcomer
window bob "'$CHAT_TUI' --port $port --nick bob"
wait_for bob "| bob | connected" "bob's status line"
tm send-keys -t bob "said before alice came" Enter
tm send-keys -t bob "/me waves early" Enter
wait_for bob "* bob waves early" "bob's action"
window alice "'$CHAT_TUI' --port $port --nick alice"
wait_for alice "| alice | connected" "alice's status line"
wait_for alice "-- earlier: 2 lines from the server's history --" \
    "the earlier marker"
once alice "<bob> said before alice came"
once alice "* bob waves early"
grep -E -q "\[[0-9]{4}-[0-9]{2}-" "$tmp/screen" && fail "the replay's stamps are shown raw"
grep -F -q "*** history:" "$tmp/screen" && fail "the marker is shown raw"
pass "a newcomer sees the earlier lines under a marker"

# --- lines said live, then the server restarts
tm send-keys -t alice "alice says hi" Enter
tm send-keys -t bob "bob answers" Enter
tm send-keys -t bob "/me nods" Enter
wait_for alice "* bob nods" "bob's last line at alice"
tm kill-window -t bob
stop_server
wait_for alice "| alice | disconnected" "alice disconnected"

# Someone says a line while alice is away: on another port, so she
# cannot be back before it, through the same history file.
start_server
printf 'said while alice was away\n' |
    "$CHAT_TUI" --port "$port" --nick carol >"$tmp/carol.out" 2>&1 ||
    fail "carol's plain client: $(cat "$tmp/carol.out")"
log_wait "carol said while alice was away" "carol's line"
stop_server

start_server "$first"
tm send-keys -t alice "/reconnect" Enter
wait_for alice "<carol> said while alice was away" "the line missed"
wait_for alice "| alice | connected" "alice reconnected"
for line in "<bob> said before alice came" "* bob waves early" \
    "<alice> alice says hi" "<bob> bob answers" "* bob nods" \
    "<carol> said while alice was away"; do
	once alice "$line"
done
once alice "-- earlier: 1 line said while disconnected --"
pass "across a restart no line shows twice, and the missed one shows"

# --- a second reconnect, nothing new: nothing added
screen alice
seen=$(grep -c "connected to localhost:$first" "$tmp/screen")
stop_server
wait_for alice "| alice | disconnected" "alice disconnected again"
start_server "$first"
tm send-keys -t alice "/reconnect" Enter
deadline=$(($(now) + 10))
until [ "$(screen alice; grep -c "connected to localhost:$first" \
    "$tmp/screen")" -gt "$seen" ]; do
	[ "$(now)" -ge "$deadline" ] && fail "alice did not reconnect again"
	sleep 0.1
done
wait_for alice "| alice | connected" "alice connected again"
# Her /who answer comes after the replay: once it shows, the replay did.
tm send-keys -t alice "/who" Enter
wait_for alice "1 online: alice" "the /who after the second reconnect"
for line in "<bob> said before alice came" "<alice> alice says hi" \
    "* bob nods" "<carol> said while alice was away" \
    "-- earlier: 1 line said while disconnected --"; do
	once alice "$line"
done
pass "a replay of lines all shown adds nothing"
