#!/bin/sh
# chat-tui's config file, /ignore, --log-dir and the lines typed while
# disconnected, in a real terminal: tmux runs a real chat-server and
# chat-tui sessions; the test types with send-keys and reads the screen
# with capture-pane, waiting on conditions, never on bare sleeps.
# Checks: the config file sets options and the command line wins; a bad
# line is "chat-tui: FILE:LINE: reason" and exit 2; --timestamp sets the
# stamp and its width; /ignore hides a nick's lines (any case), lists,
# saves into the config (other lines kept) and /unignore shows them
# again; the saved list holds at the next start; --log-dir logs what is
# shown and shows it dimmed at the next start, less the lines of a nick
# ignored since; a log that cannot be made is one notice; lines typed
# while the server is down are kept, shown as pending, and arrive in
# order after the reconnect; past 100, the rest is counted.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_builddir:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_conf

# No config of the user's: every chat-tui here reads $tmp/xdg's.
XDG_CONFIG_HOME=$tmp/xdg
HOME=$tmp/home
export XDG_CONFIG_HOME HOME
conf=$XDG_CONFIG_HOME/chat-tui/config
mkdir -p "$XDG_CONFIG_HOME/chat-tui" "$HOME"

# start_server [PORT]: chat-server on PORT (default: any free port).
server_err=$tmp/server.err
start_server() {
	: >"$tmp/server.log"
	start_chat_server "${1:-0}" "$tmp/server.log"
}

# window NAME COMMAND: a window running COMMAND, then its exit status.
window() {
	tm new-window -d -n "$1" "$2; echo EXIT=\$?; sleep 600"
}

# quit WINDOW: /quit it and wait for it to be gone.
quit() {
	tm send-keys -t "$1" C-u "/quit" Enter
	wait_for "$1" "EXIT=0" "$1's /quit"
	tm kill-window -t "$1"
}

# line_no WINDOW TEXT: the row where TEXT first shows (0: nowhere).
line_no() {
	screen "$1"
	grep -n -F -- "$2" "$tmp/screen" | head -n 1 | cut -d: -f1 |
	    grep . || echo 0
}

# --- a bad config line: FILE:LINE: reason, exit 2, before any screen
printf '# mine\nport = 2000\nnick = "a b"\n' >"$conf"
"$CHAT_TUI" </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "a bad config line does not exit 2"
grep -q "^chat-tui: $conf:3: invalid nickname \"a b\"" "$tmp/err" ||
    fail "bad config line message: $(cat "$tmp/err")"
printf 'colour = yes\n' >"$conf"
"$CHAT_TUI" </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "an unknown config key does not exit 2"
grep -q "^chat-tui: $conf:1: unknown option \"colour\"" "$tmp/err" ||
    fail "unknown key message: $(cat "$tmp/err")"
"$CHAT_TUI" --config "$tmp/none" </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "a missing --config file does not exit 2"
grep -q "^chat-tui: cannot open config file $tmp/none: No such file" \
    "$tmp/err" || fail "missing --config message: $(cat "$tmp/err")"
"$CHAT_TUI" --help | grep -q -- "--config FILE" ||
    fail "--help does not tell of --config"
pass "a bad config line is FILE:LINE: reason and exit 2"

# --- the config file sets the options; the command line wins
start_server
printf '# chat-tui\nport = %s\nnick = fromfile\ntimestamp = "%%H:%%M:%%S"\n' \
    "$port" >"$conf"
tm -f /dev/null new-session -d -s conf -x 160 -y 40 -n idle "sleep 600" ||
    fail "tmux cannot start"
window filed "'$CHAT_TUI'"
wait_for filed "| fromfile | connected" "the nick from the config file"
window overridden "'$CHAT_TUI' --nick fromargs --no-color"
wait_for overridden "| fromargs | connected" "the nick from the command line"
tm send-keys -t filed "stamped line" Enter
wait_for filed "<fromfile> stamped line" "own line"
grep -E -q '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] <fromfile> stamped line' \
    "$tmp/screen" || fail "no HH:MM:SS stamp, 9 cells wide, before the line"
quit filed
quit overridden
window nostamp "'$CHAT_TUI' --timestamp '' --nick nostamp"
wait_for nostamp "| nostamp | connected" "nostamp's status line"
tm send-keys -t nostamp "bare line" Enter
wait_for nostamp "<nostamp> bare line" "own line without a stamp"
grep -q '^<nostamp> bare line' "$tmp/screen" ||
    fail "--timestamp '' still draws a stamp"
quit nostamp
pass "the config file sets options, the command line wins, --timestamp"

# --- /ignore hides a nick's lines; -save keeps them in the config
printf '# kept\nport = %s\n' "$port" >"$conf"
window alice "'$CHAT_TUI' --nick alice"
window bob "'$CHAT_TUI' --nick bob"
window carol "'$CHAT_TUI' --nick carol"
wait_for alice "| alice | connected" "alice's status line"
wait_for bob "| bob | connected" "bob's status line"
wait_for carol "| carol | connected" "carol's status line"
tm send-keys -t alice "/ignore BOB" Enter
wait_for alice "-!- ignoring BOB" "/ignore's notice"
tm send-keys -t bob "/me hides" Enter
wait_for bob "* bob hides" "bob's own action"
tm send-keys -t bob "hidden one" Enter
wait_for bob "<bob> hidden one" "bob's own line"
tm send-keys -t bob "/nick bobby" Enter
wait_for bob "| bobby | connected" "bob's new nick"
tm send-keys -t carol "/msg alice after bob" Enter
wait_for alice "*carol* after bob" "carol's line after bob's"
for hidden in "hidden one" "* bob hides" "bob is now known as"; do
	grep -F -q -- "$hidden" "$tmp/screen" &&
	    fail "alice sees \"$hidden\" from an ignored nick"
done
tm send-keys -t bob "/nick bob" Enter
wait_for bob "| bob | connected" "bob's nick back"
tm send-keys -t alice "/ignore" Enter
wait_for alice "-!- ignoring: BOB" "/ignore's list"
tm send-keys -t alice "/ignore -save" Enter
wait_for alice "-!- saved the ignore list (1) in $conf" "the save notice"
[ "$(cat "$conf")" = "# kept
port = $port
ignore = BOB" ] || fail "the saved config: $(cat "$conf")"
tm send-keys -t alice "/unignore bob" Enter
wait_for alice "-!- no longer ignoring bob" "/unignore's notice"
tm send-keys -t bob "shown again" Enter
wait_for alice "<bob> shown again" "bob's line after /unignore"
quit alice
window alice "'$CHAT_TUI' --nick alice"
wait_for alice "| alice | connected" "alice's status line, again"
tm send-keys -t bob "hidden two" Enter
wait_for bob "<bob> hidden two" "bob's own line"
tm send-keys -t carol "after bob again" Enter
wait_for alice "<carol> after bob again" "carol's line after bob's"
grep -F -q "hidden two" "$tmp/screen" &&
    fail "the saved ignore list does not hold at the next start"
quit alice
pass "/ignore hides a nick's lines, lists, saves; /unignore"

# --- --log-dir: lines shown are logged, and shown again at the next start
window alice "'$CHAT_TUI' --nick alice --no-config --port $port --log-dir '$tmp/logs'"
wait_for alice "| alice | connected" "alice's status line"
tm send-keys -t carol "remember this" Enter
wait_for alice "<carol> remember this" "carol's line"
quit alice
log="$tmp/logs/localhost_$port.log"
[ -f "$log" ] || fail "no log file $log"
grep -E -q '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\] <carol> remember this$' \
    "$log" || fail "carol's line not in the log: $(cat "$log")"
case "$(ls -ld "$tmp/logs" "$log" | cut -c1-10 | tr '\n' ' ')" in
"drwx------ -rw------- ") ;;
*) fail "log modes: $(ls -ld "$tmp/logs" "$log")" ;;
esac
window alice "'$CHAT_TUI' --nick alice --no-config --port $port --log-dir '$tmp/logs'"
wait_for alice "| alice | connected" "alice's status line, again"
wait_for alice "lines from $log --" "the earlier lines' marker"
grep -E -q -- "-- earlier: [0-9]+ lines from $log --" "$tmp/screen" ||
    fail "the earlier lines' marker"
[ "$(line_no alice "<carol> remember this")" -gt \
    "$(line_no alice "lines from $log --")" ] ||
    fail "the earlier line is not under the marker"
tm capture-pane -e -p -t alice | grep -F "remember this" |
    grep -q "$(printf '\033')\[2m<" || fail "the earlier line is not dimmed"
quit alice
window alice "'$CHAT_TUI' --nick alice --no-config --port $port --log-dir '$tmp/logs' --ignore carol"
wait_for alice "| alice | connected" "alice's status line, ignoring carol"
wait_for alice "lines from $log --" "the earlier lines' marker, ignoring carol"
grep -F -q "remember this" "$tmp/screen" &&
    fail "an ignored nick's line shows from the log"
quit alice
window alice "'$CHAT_TUI' --nick alice --no-config --port $port --log-dir /dev/null/logs"
wait_for alice "| alice | connected" "alice's status line, no log"
want="-!- cannot open log file /dev/null/logs/localhost_$port.log: Not a directory; not logging"
grep -F -q -- "$want" "$tmp/screen" ||
    fail "no notice of the log that cannot be made"
[ "$(grep -c "not logging" "$tmp/screen")" -eq 1 ] ||
    fail "more than one notice of the log that cannot be made"
quit alice
pass "--log-dir logs what is shown, shows it at the next start, or says why not"

# --- lines typed while disconnected go out, in order, after the reconnect
window alice "'$CHAT_TUI' --nick alice --no-config --port $port"
wait_for alice "| alice | connected" "alice's status line"
quit bob
quit carol
stop_server
wait_for alice "| disconnected" "alice's lost connection"
for n in one two three; do
	tm send-keys -t alice "queued $n" Enter
	wait_for alice "-!- pending: queued $n" "the pending line $n"
done
start_server "$port"
window bob "'$CHAT_TUI' --nick bob --no-config --port $port"
wait_for bob "| bob | connected" "bob's status line"
wait_for alice "-!- sending 3 lines typed while disconnected" \
    "the sending notice" 20
wait_for bob "<alice> queued three" "the pending lines at bob" 20
a=$(line_no bob "<alice> queued one")
b=$(line_no bob "<alice> queued two")
c=$(line_no bob "<alice> queued three")
[ "$a" -gt 0 ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] ||
    fail "the pending lines arrived out of order ($a $b $c)"
pass "lines typed while disconnected arrive in order after the reconnect"

# --- past 100 lines, the rest is counted, not kept
stop_server
wait_for alice "| disconnected" "alice's lost connection"
keys=
i=0
while [ $i -lt 102 ]; do
	keys="$keys 'over $i' Enter"
	i=$((i + 1))
done
eval "tm send-keys -t alice $keys"
wait_for alice "-!- not kept: 100 lines wait already for the connection (2 not kept)" \
    "the notice of the lines not kept"
pass "past 100 pending lines the rest is counted"
