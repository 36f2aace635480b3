#!/bin/sh
# chat-tui's view of the conversation, in a real terminal: tmux runs a
# real chat-server and chat-tui.  Checks: Ctrl-R finds an old line,
# highlights it and Esc goes back; the read marker shows above the lines
# that came while scrolled up; the pane's title counts them and is given
# back on exit; focus reports count; /urls lists a URL longer than a
# row whole, and those of the server's history replay, and /copy sends
# it by OSC 52; --notify osc777 sends a notification for a private
# message; neither escape appears unasked; TERM=dumb falls back to the
# plain line mode.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_view

: >"$tmp/server.log"
start_chat_server 0 "$tmp/server.log"

# window NAME NICK [OPTIONS]: chat-tui as NICK, its raw output copied to
# $tmp/NAME.raw, connected.
window() {
	name=$1 nick=$2
	shift 2
	tm new-window -d -n "$name" "'$CHAT_TUI' --port $port --nick $nick $*; \
	    echo EXIT=\$?; sleep 600"
	: >"$tmp/$name.raw"
	tm pipe-pane -O -t "$name" "cat >>'$tmp/$name.raw'"
	wait_for "$name" "| $nick | connected" "$nick's status line"
}

# wait_title WINDOW TITLE WHAT: poll the pane's title until it is TITLE.
wait_title() {
	deadline=$(($(now) + 10))
	until [ "$(title "$1")" = "$2" ]; do
		[ "$(now)" -ge "$deadline" ] &&
		    fail "$3: title of $1 is \"$(title "$1")\", not \"$2\""
		sleep 0.1
	done
}

# raw_has WINDOW TEXT: the window's raw output holds TEXT.
raw_has() {
	grep -F -q -- "$2" "$tmp/$1.raw"
}

# bob says lines FROM..TO "WORD N", and alice has them all.
say_numbered() {
	i=$2
	while [ "$i" -le "$3" ]; do
		tm send-keys -t bob "$1 $i" Enter
		i=$((i + 1))
	done
	wait_for alice "<bob> $1 $3" "bob's line $1 $3"
}

tm -f /dev/null new-session -d -s view -x 80 -y 24 -n idle "sleep 600" ||
    fail "tmux cannot start"
before=$(title idle)		# tmux's own: the host name
window alice alice --notify osc777
window bob bob
wait_title alice "chat localhost:$port" "the title at start"

# --- Ctrl-R finds an old line, highlighted; Esc goes back, Enter stays
tm send-keys -t bob "the secret word is Zebra" Enter
say_numbered filler 1 30
screen alice
grep -F -q "secret word" "$tmp/screen" && fail "the old line is still shown"
tm send-keys -t alice C-r
wait_for alice "(search)" "the search prompt"
tm send-keys -t alice "zebra"
wait_for alice "<bob> the secret word is Zebra" "Ctrl-R's match"
[ "$(row alice -1)" = "(search) zebra" ] ||
    fail "search prompt: \"$(row alice -1)\""
esc=$(printf '\033')
tm capture-pane -e -p -t alice | grep -F "secret word" |
    grep -q "${esc}\[[0-9;]*7m[^ ]*Zebra" ||
    fail "the match is not highlighted: $(tm capture-pane -e -p -t alice |
    grep -F "secret word")"
tm send-keys -t alice Escape
wait_for alice "<bob> filler 30" "Esc back to the newest line"
grep -F -q "secret word" "$tmp/screen" && fail "Esc did not go back"
[ "$(row alice -1)" = "" ] || fail "input line after Esc: $(row alice -1)"
tm send-keys -t alice C-r "secret" Enter
wait_for alice "<bob> the secret word is Zebra" "Ctrl-R then Enter"
[ "$(row alice -1)" = "" ] || fail "input line after Enter: $(row alice -1)"
tm send-keys -t alice End
wait_for alice "<bob> filler 30" "End after the search"
pass "Ctrl-R finds an old line and highlights it; Esc goes back"

# --- the read marker and the unread count in the title
tm send-keys -t alice PPage
wait_for alice "scrolled up" "alice scrolled up"
tm send-keys -t bob "late 1" Enter "late 2" Enter "late 3" Enter
wait_for alice "3 new lines below" "the unread lines"
wait_title alice "chat (3) localhost:$port" "the unread count"
pass "the title counts the lines that came while scrolled up"
tm send-keys -t alice End
wait_for alice "<bob> late 3" "back at the bottom"
wait_title alice "chat localhost:$port" "the title once read"
above=$(grep -B 1 -F "<bob> late 1" "$tmp/screen" | head -n 1)
case $above in
"---- new ----"*) ;;
*) fail "no read marker above the first unread line: \"$above\"" ;;
esac
grep -F -q "<bob> filler 30" "$tmp/screen" || fail "the read lines went"
pass "the read marker shows above the first line that came"
say_numbered more 1 25
screen alice
grep -F -q -- "---- new ----" "$tmp/screen" && fail "the marker did not scroll"
tm send-keys -t alice M-u
wait_for alice "---- new ----" "Alt-U to the marker"
[ "$(row alice 2 | cut -c7-)" = "<bob> late 1" ] ||
    fail "Alt-U: second row is \"$(row alice 2)\""
tm send-keys -t alice End
pass "Alt-U scrolls to the read marker"

# --- focus reports (what a terminal sends with mode 1004): away counts
wait_for alice "<bob> more 25" "alice at the bottom"
tm send-keys -t alice -H 1b 5b 4f		# ESC [ O: focus out
tm send-keys -t bob "while away" Enter
wait_for alice "<bob> while away" "the line while away"
wait_title alice "chat (1) localhost:$port" "the count with the focus away"
tm send-keys -t alice -H 1b 5b 49		# ESC [ I: focus in
wait_title alice "chat localhost:$port" "the title with the focus back"
screen alice
above=$(grep -B 1 -F "<bob> while away" "$tmp/screen" | head -n 1)
case $above in
"---- new ----"*) ;;
*) fail "no read marker above the line that came while away: \"$above\"" ;;
esac
pass "a line that comes while the terminal has lost the focus is unread"

# --- URLs: listed whole, copied by OSC 52 only when asked
long="https://example.org/a/very/long/path/$(printf '%080d' 0)?q=1"
tm send-keys -t bob "see $long, then" Enter
wait_for alice "<bob> see https://example.org" "the URL line"
tm send-keys -t bob "and http://two.example/x" Enter
wait_for alice "<bob> and http://two.example/x" "the second URL"
raw_has alice "]52;" && fail "OSC 52 before /copy"
tm send-keys -t alice "/urls" Enter
wait_for alice "-!-  2 https://example.org/a/very/long/path" "/urls"
grep -F -q -- "-!-  1 http://two.example/x" "$tmp/screen" ||
    fail "/urls: no newest first"
tm send-keys -t alice "/copy 2" Enter
wait_for alice "copied to the clipboard (OSC 52)" "/copy's notice"
b64=$(perl -MMIME::Base64 -e 'print encode_base64($ARGV[0], "")' "$long")
deadline=$(($(now) + 10))
until raw_has alice "]52;c;$b64$(printf '\007')"; do
	[ "$(now)" -ge "$deadline" ] && fail "no OSC 52 of the URL in the output"
	sleep 0.1
done
raw_has alice "$(printf '\033Ptmux;\033\033]52;c;')" ||
    fail "OSC 52 not wrapped for tmux"
pass "/urls lists a long URL whole; /copy sends it by OSC 52 through tmux"

# --- URLs of the server's history replay are in /urls too
window late late
wait_for late "<bob> and http://two.example/x" "the replayed URL line"
tm send-keys -t late "/urls" Enter
wait_for late "-!-  1 http://two.example/x" "/urls of the replay"
tm send-keys -t late "/quit" Enter
wait_for late "EXIT=0" "late's exit"
pass "/urls lists the URLs of the server's history replay"

# --- notifications: only with --notify
raw_has alice "]777;" && fail "a notification before any mention"
tm send-keys -t bob "/msg alice ping" Enter
wait_for alice "*bob* ping" "the private message"
deadline=$(($(now) + 10))
until raw_has alice "]777;notify;chat;*bob* ping$(printf '\007')"; do
	[ "$(now)" -ge "$deadline" ] && fail "no OSC 777 notification"
	sleep 0.1
done
tm send-keys -t alice "hi bob, /copy nothing" Enter
wait_for bob "<alice> hi bob" "a mention of bob"
tm send-keys -t bob "/msg alice done" Enter
wait_for bob "-> *alice* done" "bob's own echo"
raw_has bob "]777;" && fail "a notification without --notify"
raw_has bob "]9;" && fail "an OSC 9 without --notify"
raw_has bob "]52;" && fail "OSC 52 without /copy"
pass "--notify osc777 notifies of a private message; nothing unasked"

# --- the title is given back on exit
tm send-keys -t alice "/quit" Enter
wait_for alice "EXIT=0" "alice's exit"
[ "$(title alice)" = "$before" ] ||
    fail "the title after exit is \"$(title alice)\", not \"$before\""
pass "the title is given back on exit"

# --- TERM=dumb: the plain line mode, said on stderr
tm new-window -d -n dumb "TERM=dumb '$CHAT_TUI' --port $port --nick dummy; \
    echo EXIT=\$?; sleep 600"
wait_for dumb "*** guest" "the plain mode's lines"
tm capture-pane -p -J -S - -t dumb | grep -F -q 'chat-tui: terminal type "dumb" cannot move the cursor: using the plain line mode' ||
    fail "TERM=dumb does not say it uses the plain line mode"
tm send-keys -t dumb "hello from a dumb terminal" Enter
wait_for bob "<dummy> hello from a dumb terminal" "the plain mode's line"
[ "$(tm display-message -p -t dumb '#{alternate_on}')" = 0 ] ||
    fail "TERM=dumb went to the alternate screen"
pass "TERM=dumb falls back to the plain line mode"

exit 0
