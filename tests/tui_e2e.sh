#!/bin/sh
# chat-tui end to end, in a real terminal: tmux runs a real chat-server
# and chat-tui sessions; the test types with send-keys and reads the
# screen with capture-pane, waiting on conditions, never on bare sleeps.
# Checks: a message reaches the other client with its sender; a paste
# past the full input line rings the bell once; the input line stays at
# the bottom during a flood; a resize re-lays out; hostile
# bytes are shown harmless; the client reconnects keeping its scrollback;
# /quit and Ctrl-D exit 0 and leave the alternate screen, SIGTERM too;
# a refused connection exits 1 with the reason; usage errors exit 2; the
# plain line mode works in a pipe.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_builddir:?}" "${top_srcdir:?}"
FEED="$top_builddir/tests/tui_feed"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_e2e

# start_server [PORT]: chat-server on PORT (default: any free port).
start_server() {
	: >"$tmp/server.log"
	"$CHAT_SERVER" --port "${1:-0}" --log "$tmp/server.log" \
	    --flood-rate 0 --max-per-ip 0 &
	server_pid=$!
	deadline=$(($(now) + 10))
	port=
	while [ -z "$port" ]; do
		port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' \
		    "$tmp/server.log" | head -n 1)
		[ -n "$port" ] && break
		kill -0 "$server_pid" 2>/dev/null ||
		    fail "chat-server did not start"
		[ "$(now)" -ge "$deadline" ] && fail "no port in the log"
		sleep 0.1
	done
}

stop_server() {
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null
	server_pid=
}

# window NAME COMMAND: a window running COMMAND, then its exit status.
window() {
	tm new-window -d -n "$1" "$2; echo EXIT=\$?; sleep 600"
}

# --- usage errors and a refused connection, before any screen
"$CHAT_TUI" --port nope >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "a bad port does not exit 2"
grep -q "^chat-tui: invalid port \"nope\"" "$tmp/err" ||
    fail "bad port message: $(cat "$tmp/err")"
grep -q "^Try 'chat-tui --help'" "$tmp/err" || fail "no hint line"
"$CHAT_TUI" stray >/dev/null 2>&1
[ $? -eq 2 ] || fail "a stray argument does not exit 2"
"$CHAT_TUI" --bogus >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "an unknown option does not exit 2"
[ "$(cat "$tmp/err")" = "chat-tui: unknown option --bogus
Try 'chat-tui --help' for more information." ] ||
    fail "unknown option message: $(cat "$tmp/err")"
"$CHAT_TUI" --port >/dev/null 2>"$tmp/err"
grep -q "^chat-tui: option --port needs an argument$" "$tmp/err" ||
    fail "missing argument message: $(cat "$tmp/err")"
pass "usage errors exit 2 with a hint"

start_server
dead=$port
stop_server
tm -f /dev/null new-session -d -s e2e -x 80 -y 24 -n idle "sleep 600" ||
    fail "tmux cannot start"
window refused "'$CHAT_TUI' --port $dead"
want="chat-tui: cannot connect to localhost:$dead: Connection refused"
wait_for refused "EXIT=1" "refused connection exit status"
grep -F -q "$want" "$tmp/screen" || fail "refused: no \"$want\""
pass "connection refused exits 1 saying why"

# --- two clients: a message arrives with its sender
start_server
window alice "'$CHAT_TUI' --port $port --nick alice"
window bob "'$CHAT_TUI' --port $port --nick bob"
wait_for alice "| alice | connected" "alice's status line"
wait_for bob "| bob | connected" "bob's status line"
[ "$(tm display-message -p -t alice '#{alternate_on}')" = 1 ] ||
    fail "chat-tui does not use the alternate screen"
tm send-keys -t bob "hello alice, 日本語 ok" Enter
wait_for alice "<bob> hello alice, 日本語 ok" "message from bob"
pass "a message reaches the other client with its sender"

# --- a terminal type it cannot drive fails before it connects
window badterm "TERM=nosuchterm '$CHAT_TUI' --port $port"
wait_for badterm "EXIT=1" "unknown terminal type exit status"
grep -F -q 'chat-tui: cannot use terminal type "nosuchterm"' "$tmp/screen" ||
    fail "unknown terminal type: $(cat "$tmp/screen")"
[ "$(grep -c " join " "$tmp/server.log")" -eq 2 ] ||
    fail "a client with an unknown terminal type joined the room"
pass "an unknown TERM exits 1 before connecting"

# --- chat-tui's connections run TCP keepalive (Linux shows it in /proc)
# (Until what was sent is acknowledged, the retransmit timer shows: wait.)
if [ -r /proc/net/tcp ]; then
	deadline=$(($(now) + 10))
	while :; do
		timers=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk \
		    -v p=":$(printf '%04X' "$port")" \
		    'substr($3, length($3) - 4) == p && $4 == "01" {
			split($6, t, ":"); print t[1] }')
		[ "$(echo "$timers" | grep -c .)" -ge 2 ] ||
		    fail "chat-tui's sockets not in /proc/net/tcp: $timers"
		echo "$timers" | grep -qv '^02$' || break
		[ "$(now)" -ge "$deadline" ] &&
		    fail "a chat-tui socket without a keepalive timer: $timers"
		sleep 0.1
	done
	pass "chat-tui's connection runs TCP keepalive"
fi

# --- a line that mentions you rings the bell; your own line does not
[ "$(tm display-message -p -t alice '#{window_bell_flag}')" = 1 ] ||
    fail "no bell for a line that mentions alice"
[ "$(tm display-message -p -t bob '#{window_bell_flag}')" = 0 ] ||
    fail "a bell for bob's own line"
pass "a mention rings the bell"

# --- a nickname in use is tried with "_" added; a refused one is dropped
window alice2 "'$CHAT_TUI' --port $port --nick alice"
wait_for alice2 "| alice_ | connected" "the alternate nickname"
grep -F -q -- "-!- trying alice_ instead" "$tmp/screen" ||
    fail "no notice of the alternate nickname"
tm kill-window -t alice2
window badnick "'$CHAT_TUI' --port $port --nick 9lives"
wait_for badnick "the server refused the nickname 9lives; it will not" \
    "refused nickname notice"
pass "a taken nickname gets a \"_\", a refused one is said so"

# --- a full input line beeps and says why, once
tm send-keys -t bob -l "$(head -c 1030 /dev/zero | tr '\000' x)"
wait_for bob "the input line is full: 1024 bytes" "full input line notice"
[ "$(grep -c "the input line is full" "$tmp/screen")" -eq 1 ] ||
    fail "the full input line was told more than once"
[ "$(tm display-message -p -t bob '#{window_bell_flag}')" = 1 ] ||
    fail "no bell for a key the full input line refused"
tm send-keys -t bob C-u
pass "a full input line beeps and says so"

# --- a paste far past the full input line rings the bell once, not once
# a character; after a key that is taken, the next refusal rings again.
# Every byte chat-tui writes to the terminal is counted, up to the
# shell's EXIT line after it, so no bell can still be on its way.
window paster "'$CHAT_TUI' --port $port --nick paster"
tm pipe-pane -O -t paster "cat >'$tmp/paster.bytes'" ||
    fail "tmux cannot pipe the pane's output"
wait_for paster "| paster | connected" "paster's status line"
tm send-keys -t paster -l "$(head -c 3000 /dev/zero | tr '\000' x)"
wait_for paster "the input line is full: 1024 bytes" "full input line notice"
tm send-keys -t paster BSpace
tm send-keys -t paster -l "$(head -c 20 /dev/zero | tr '\000' y)"
tm send-keys -t paster C-u "/quit" Enter
wait_for paster "EXIT=0" "paster's /quit"
deadline=$(($(now) + 10))
until grep -q "EXIT=0" "$tmp/paster.bytes"; do
	[ "$(now)" -ge "$deadline" ] && fail "the pane's output never ended"
	sleep 0.1
done
# (A BEL that ends an OSC, the title chat-tui sets, is no bell.)
bells=$(perl -0777 -ne 's/\e\][^\a\e]*\a//g; print tr/\a//' \
    "$tmp/paster.bytes")
[ "$bells" -eq 2 ] ||
    fail "two pastes past the full input line rang $bells bells, not 2"
tm kill-window -t paster
pass "a paste past the full input line rings the bell once"

# --- colours: nick colours, none with NO_COLOR
tm capture-pane -e -p -t alice | grep -F "bob" | grep -q "$(printf '\033')\[3[1-6]m" ||
    fail "no nick colour on screen"
window mono "NO_COLOR=1 '$CHAT_TUI' --port $port --nick mono"
wait_for mono "| mono | connected" "mono's status line"
tm send-keys -t bob "in black and white" Enter
wait_for mono "<bob> in black and white" "message in mono"
if tm capture-pane -e -p -t mono | grep -q "$(printf '\033')\[3[0-7]m"; then
	fail "colours drawn with NO_COLOR set"
fi
tm kill-window -t mono
pass "nicks in colour, and none with NO_COLOR"

# --- flood: the input line stays put at the bottom
tm send-keys -t alice "draft stays"
wait_for alice "draft stays" "typed text"
# (ncat, not chat-tui: chat-tui paces what it sends.)
{ echo "/nick flooder"; seq 1 3000 | sed 's/^/flood line /'; } |
    ncat 127.0.0.1 "$port" >/dev/null 2>&1 &
flood_pid=$!
deadline=$(($(now) + 20))
while :; do
	[ "$(row alice -1)" = "draft stays" ] ||
	    fail "input line moved during the flood: \"$(row alice -1)\""
	row alice -2 | grep -q "^ localhost:$port | alice | connected" ||
	    fail "status line moved during the flood"
	grep -q "flood line 3000" "$tmp/screen" && break
	[ "$(now)" -ge "$deadline" ] && fail "flood never ended"
	sleep 0.05
done
wait "$flood_pid"
[ "$(tm display-message -p -t alice '#{cursor_y},#{cursor_x}')" = \
    "23,11" ] || fail "cursor not at the end of the input line"
pass "the input line and cursor stay at the bottom during a flood"

# --- resize: everything laid out again, input kept
tm resize-window -t alice -x 50 -y 15
long="0123456789 abcdefghij 0123456789 abcdefghij 0123456789 end"
tm send-keys -t bob "$long" Enter
wait_for alice "0123456789 end" "long line after resize"
[ "$(wc -l <"$tmp/screen")" -eq 15 ] || fail "pane is not 15 rows"
[ "$(row alice -1)" = "draft stays" ] || fail "input lost in resize"
row alice -2 | grep -q "^ localhost:$port | alice" ||
    fail "status line not on the second last row after resize"
row alice -3 | grep -q "^      abcdefghij 0123456789 end$" ||
    fail "long line not wrapped at the new width: \"$(row alice -3)\""
tm send-keys -t alice C-u "typed after resize"
wait_for alice "typed after resize" "typing after a resize"
[ "$(row alice -1)" = "typed after resize" ] ||
    fail "keys after a resize not on the input line"
tm send-keys -t alice C-u
pass "a resize re-lays out, keeps the input line, keys still work"

# --- hostile bytes from a server are shown harmless
start_feed
window hostile "'$CHAT_TUI' --host 127.0.0.1 --port $feed_port"
printf 'plain\033[2J\033]0;pwned\007 \342\200\256desrever \377 end\n' >&3
printf 'ring\007\033[H\033[31mred\r\n' >&3
wait_for hostile "ring[H[31mred" "control bytes"
grep -F -q "plain[2J]0;pwned desrever � end" "$tmp/screen" ||
    fail "escape sequences, bidi or bad UTF-8 not neutralised"
row hostile -2 | grep -q "^ 127.0.0.1:" ||
    fail "status line damaged by hostile bytes"
[ "$(tm display-message -p -t hostile '#{pane_title}')" != pwned ] ||
    fail "the server set the terminal title"
pass "escapes, controls, bidi overrides and bad UTF-8 are neutralised"

# one enormous line is cut, and what follows still shows
head -c 300000 /dev/zero | tr '\000' A >&3
printf '\nafter the giant line\n' >&3
exec 3>&-
wait_for hostile "after the giant line" "a line after a giant one"
row hostile -2 | grep -q "^ 127.0.0.1:" ||
    fail "status line damaged by a giant line"
tm send-keys -t hostile "still typing"
wait_for hostile "still typing" "typing after a giant line"
pass "an enormous line is cut and the screen stays live"

# --- the server goes away: the client says so, retries, keeps scrollback
window carol "'$CHAT_TUI' --port $port --nick carol"
wait_for carol "| carol | connected" "carol's status line"
tm send-keys -t bob "before the restart" Enter
wait_for carol "<bob> before the restart" "message before restart"
tm send-keys -t bob "/nick robert" Enter
wait_for bob "| robert | connected" "bob renamed"
tm send-keys -t bob -l "$(seq 1 30 | sed 's/^/queued /')"
tm send-keys -t bob Enter
wait_for bob "lines waiting" "pasted lines waiting to be paced out"
stop_server
wait_for bob "lines were not sent before the connection went" \
    "unsent lines told"
wait_for carol "reconnecting in" "status while disconnected"
wait_for bob "| robert | disconnected, reconnecting in" "bob disconnected"
grep -F -q "connection closed by the server" "$tmp/screen" ||
    fail "the pane does not say the connection went"
start_server "$port"
wait_for carol "| carol | connected" "reconnected status"
# badnick, refused before the restart, does not ask for 9lives again: the
# answer to a /who typed after reconnecting comes with no error before it.
wait_for badnick "connected to localhost:$port" "badnick reconnected"
tm send-keys -t badnick "/who" Enter
deadline=$(($(now) + 10))
until [ "$(screen badnick; grep -c " online: " "$tmp/screen")" -ge 1 ]; do
	[ "$(now)" -ge "$deadline" ] && fail "no /who answer for badnick"
	sleep 0.1
done
awk '/-!- connected to localhost/ { after = "" } { after = after $0 "\n" }
    END { printf "%s", after }' "$tmp/screen" >"$tmp/after"
grep -q " online: " "$tmp/after" || fail "badnick: no /who after reconnecting"
if grep -q 'invalid nickname' "$tmp/after"; then
	fail "a refused nickname was asked for again after reconnecting"
fi
tm kill-window -t badnick
wait_for carol "connected to localhost:$port" "reconnect notice"
grep -F -q "<bob> before the restart" "$tmp/screen" ||
    fail "scrollback lost over the reconnect"
# (Counted after the reconnect notice: under load, enough queued lines
# get out before the restart to push the first rename off the screen.)
deadline=$(($(now) + 10))
until screen carol; awk '/-!- connected to localhost/ { after = "" }
    { after = after $0 "\n" } END { printf "%s", after }' "$tmp/screen" |
    grep -q "is now known as carol"
do
	[ "$(now)" -ge "$deadline" ] && fail "--nick not sent on reconnect"
	sleep 0.1
done
wait_for bob "| robert | connected" "a /nick name kept over a reconnect"
pass "reconnects with backoff, keeps the scrollback, asks for the nick again"

# --- /quit, Ctrl-D, SIGTERM: exit and give the terminal back
tm send-keys -t carol "/QUIT" Enter	# command names ignore case
wait_for carol "EXIT=0" "/quit exit status"
[ "$(tm display-message -p -t carol '#{alternate_on}')" = 0 ] ||
    fail "alternate screen still on after /quit"
pass "/quit exits 0 and restores the terminal"

window dave "'$CHAT_TUI' --port $port --nick dave"
wait_for dave "| dave | connected" "dave's status line"
tm send-keys -t dave C-d
wait_for dave "EXIT=0" "Ctrl-D exit status"
[ "$(tm display-message -p -t dave '#{alternate_on}')" = 0 ] ||
    fail "alternate screen still on after Ctrl-D"
pass "Ctrl-D on an empty line exits 0"

window eve "sh -c 'echo \$\$ >$tmp/eve.pid; exec $CHAT_TUI --port $port'"
wait_for eve "| connected" "eve's status line"
kill -TERM "$(cat "$tmp/eve.pid")"
wait_for eve "EXIT=143" "SIGTERM exit status"
[ "$(tm display-message -p -t eve '#{alternate_on}')" = 0 ] ||
    fail "alternate screen still on after SIGTERM"
pass "SIGTERM restores the terminal"

# --- without a terminal: a plain line client
printf 'piped hello\n/who\n' |
    "$CHAT_TUI" --port "$port" --nick piper >"$tmp/plain.out" 2>&1
[ $? -eq 0 ] || fail "plain mode exit status: $(cat "$tmp/plain.out")"
grep -q "^\*\*\* .*(you are " "$tmp/plain.out" || fail "plain: no welcome"
grep -q "^<piper> piped hello$" "$tmp/plain.out" || fail "plain: no echo"
grep -q "^\*\*\* [0-9]* online: .*piper" "$tmp/plain.out" ||
    fail "plain: no /who answer"
wait_for alice "<piper> piped hello" "piped line on screen"
if grep -q "$(printf '\033')" "$tmp/plain.out"; then
	fail "plain mode printed an escape"
fi
pass "plain line mode works in a pipe"

# --- plain mode prints a last line the server sent without a newline
start_feed -c
printf 'first line\nlast words, no newline' >&3
exec 3>&-
"$CHAT_TUI" --port "$feed_port" </dev/null >"$tmp/last.out" 2>&1
status=$?
wait "$feed_pid" 2>/dev/null
[ $status -eq 0 ] || fail "last line: exit status $status: $(cat "$tmp/last.out")"
grep -q "^first line$" "$tmp/last.out" || fail "last line: no first line"
grep -q "^last words, no newline$" "$tmp/last.out" ||
    fail "plain mode lost a last line without newline: $(cat "$tmp/last.out")"
pass "plain mode prints a last line without newline"

# --- plain mode whose output cannot be written: exit 1, saying why
printf 'into the void\n' |
    "$CHAT_TUI" --port "$port" >/dev/full 2>"$tmp/full.err"
status=$?
[ $status -eq 1 ] || fail "stdout on /dev/full: exit status $status"
grep -q "^chat-tui: cannot write standard output: No space left on device" \
    "$tmp/full.err" || fail "stdout on /dev/full: $(cat "$tmp/full.err")"
pass "plain mode stops with exit 1 when its output fails"

# --- a piped file larger than the server's flood backlog is paced out,
# not cut off: against chat-server's default flood rule (20 lines, then
# 5 a second, "excess flood" when 8 KiB wait), 50 lines of 500 bytes
# get through only if chat-tui paces them.
stop_server
: >"$tmp/server.log"
"$CHAT_SERVER" --port 0 --log "$tmp/server.log" &
server_pid=$!
wait_for_log() {
	deadline=$(($(now) + 10))
	until grep -q "$1" "$tmp/server.log"; do
		[ "$(now)" -ge "$deadline" ] && fail "$2"
		sleep 0.1
	done
}
wait_for_log " listen " "flood-rule chat-server did not start"
port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) .*/\1/p' "$tmp/server.log")
pad=$(printf '%0480d' 0)
i=0
while [ $i -lt 50 ]; do
	printf 'paced %02d %s\n' $i "$pad"
	i=$((i + 1))
done >"$tmp/paste.txt"
"$CHAT_TUI" --port "$port" <"$tmp/paste.txt" >"$tmp/paced.out" 2>&1 ||
    fail "paced pipe exit status: $(tail -n 3 "$tmp/paced.out")"
[ "$(grep -c '^<guest[0-9]*> paced ' "$tmp/paced.out")" -eq 50 ] ||
    fail "paced pipe: $(grep -c '^<guest[0-9]*> paced ' "$tmp/paced.out") of 50 lines came back"
grep -q "excess flood" "$tmp/server.log" && fail "paced pipe hit the flood rule"
pass "a long paste is paced under the server's flood rule"

exit 0
