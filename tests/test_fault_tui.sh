#!/bin/sh
# Fault suite, chat-tui in tmux against a server that sends what it likes
# (tests/tui_feed): DCS, C1 controls raw and as UTF-8, OSC title strings
# ended by ST and BEL, a 1 MiB line, then TUI_FLOOD_LINES lines.  The
# terminal title and the layout (status line, input line) must not
# change, typing must still show within TUI_KEY_DEADLINE_S, and a server
# dying mid-session must give the reconnecting state, not a crash.
# (tests/tui_e2e.sh covers the plainer hostile bytes and the reconnect.)

: "${CHAT_TUI:?}" "${top_builddir:?}" "${top_srcdir:?}"
FEED="$top_builddir/tests/tui_feed"
TUI_GIANT_BYTES=1048576
TUI_FLOOD_LINES=100000
TUI_FLOOD_DEADLINE_S=120	# generous: a loaded 2-core machine
TUI_KEY_DEADLINE_S=10

. "$top_srcdir/tests/tmux.sh"
tmux_setup fault_tui

start_feed
tm new-session -d -s t -x 80 -y 24 \
    "'$CHAT_TUI' --host 127.0.0.1 --port $feed_port; sleep 60"
tm set-option -t t set-titles on

# The title is chat-tui's own, "chat [(N)] host:port", and only that.
title_ours() {
	case $(tm display-message -p -t t '#{pane_title}') in
	"chat 127.0.0.1:$feed_port" | "chat ("*") 127.0.0.1:$feed_port")
		return 0 ;;
	esac
	return 1
}
deadline=$(($(now) + 10))
until title_ours; do
	[ "$(now)" -ge "$deadline" ] && fail "chat-tui did not set its title"
	sleep 0.1
done

printf 'dcs \033P1;2|pwned\033\\ end\n' >&3
printf 'c1 \302\233 2J \302\235 0;pwned \302\234 \233 31m end\n' >&3
printf 'osc \033]2;pwned\033\\ \033]0;pwned\007 \033[?1049l\033[24;1H end\n' >&3
wait_for t "osc" "hostile controls"
title_ours || fail "the server changed the terminal title"
grep -q "pwned" "$tmp/screen" || fail "the hostile lines are not shown"
echo "ok: DCS, C1 and OSC shown as text, title unchanged"

head -c "$TUI_GIANT_BYTES" /dev/zero | tr '\000' G >&3
printf '\n' >&3
t0=$(now)
awk -v n="$TUI_FLOOD_LINES" \
    'BEGIN { for (i = 0; i < n; i++) printf "<flood> line %06d\n", i }' >&3
printf 'the end of the flood\n' >&3
wait_for t "the end of the flood" "after the flood" "$TUI_FLOOD_DEADLINE_S"
echo "ok: a $TUI_GIANT_BYTES-byte line and $TUI_FLOOD_LINES lines shown in $(($(now) - t0)) s (bound $TUI_FLOOD_DEADLINE_S)"

row t 23 | grep -q "^ 127.0.0.1:" || fail "status line moved: \"$(row t 23)\""
tm send-keys -t t "still typing"
wait_for t "still typing" "typing after the flood" "$TUI_KEY_DEADLINE_S"
[ "$(row t 24)" = "still typing" ] || fail "input line moved: \"$(row t 24)\""
title_ours || fail "the title changed"
echo "ok: layout and title unchanged, keys answered"

exec 3>&-
kill "$feed_pid"
wait "$feed_pid" 2>/dev/null
feed_pid=
wait_for t "reconnecting" "server gone"
# The pane's process or its child is chat-tui (POSIX ps selects no parent).
pane_pid=$(tm display-message -p -t t '#{pane_pid}')
ps -A -o pid= -o ppid= -o comm= | awk -v p="$pane_pid" \
    '($1 == p || $2 == p) && $3 ~ /chat-tui/ { found = 1 } END { exit !found }' ||
    fail "chat-tui is gone"
row t 23 | grep -q "^ 127.0.0.1:.*reconnecting" ||
    fail "no reconnecting status: \"$(row t 23)\""
echo "ok: the server died mid-session: reconnecting, no crash"
