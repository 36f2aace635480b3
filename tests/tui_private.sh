#!/bin/sh
# chat-tui's private messages, in a real terminal: tmux runs a real
# chat-server and three chat-tui.  Checks: /msg shows the sender as
# "*bob* text" to its target, styled apart (magenta, bold) and ringing
# the bell, and "-> *alice* text" to the sender, without a bell; nobody
# else sees it; /r and Alt-R answer who last wrote; an away target's
# reason comes back; /r before anyone wrote says so; /help lists both.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_private

: >"$tmp/server.log"
start_chat_server 0 "$tmp/server.log"

# window NAME NICK: chat-tui as NICK, connected.
window() {
	tm new-window -d -n "$1" "'$CHAT_TUI' --port $port --nick $2; \
	    echo EXIT=\$?; sleep 600"
	wait_for "$1" "| $2 | connected" "$2's status line"
}

bell() {
	tm display-message -p -t "$1" '#{window_bell_flag}'
}

# The escapes and text of the row of window $1 that shows $2.
styled_row() {
	tm capture-pane -e -p -t "$1" | grep -F -- "$2"
}

tm -f /dev/null new-session -d -s private -x 80 -y 70 -n idle \
    "sleep 600" || fail "tmux cannot start"
window alice alice
window bob bob
window carol carol
[ "$(bell alice)" = 0 ] || fail "a bell before any private message"

# --- a private message: to its target only, styled, with a bell
tm send-keys -t bob "/msg alice psst, the cake" Enter
wait_for alice "*bob* psst, the cake" "the private message"
wait_for bob "-> *alice* psst, the cake" "the sender's echo"
tm send-keys -t bob "after the cake" Enter
wait_for carol "<bob> after the cake" "the room line after it"
[ "$(grep -c "psst" "$tmp/screen")" -eq 0 ] ||
    fail "carol saw the private message"
pass "/msg reaches its target only, echoed to the sender"

[ "$(bell alice)" = 1 ] || fail "no bell for a private message"
[ "$(bell bob)" = 0 ] || fail "a bell for the sender's own echo"
[ "$(bell carol)" = 0 ] || fail "a bell for someone else's message"
pass "a private message rings the bell, its echo does not"

# The text after the nick is magenta (35) and bold (1) for alice, magenta
# for bob; a room line is neither.
esc=$(printf '\033')
styled_row alice "psst, the cake" | tee "$tmp/styled" | grep -q "${esc}\[[0-9;]*35m.* psst" ||
    fail "the private message is not magenta: $(styled_row alice psst)"
styled_row alice "psst, the cake" | grep -q "${esc}\[[0-9;]*1[;m]" ||
    fail "the private message is not bold: $(styled_row alice psst)"
styled_row bob "psst, the cake" | grep -q "${esc}\[[0-9;]*35m.* psst" ||
    fail "the echo is not magenta: $(styled_row bob psst)"
styled_row alice "after the cake" | sed 's/.*>//' | grep -q "35m" &&
    fail "a room line is magenta: $(styled_row alice "after the cake")"
pass "private lines are styled apart"

# --- /r answers who last wrote
tm send-keys -t alice "/r got it" Enter
wait_for bob "*alice* got it" "the /r reply"
wait_for alice "-> *bob* got it" "the /r echo"
pass "/r replies to the last private sender"

# --- Alt-R addresses what is typed to them (Ctrl-R is the search)
tm send-keys -t carol "/msg alice from carol" Enter
wait_for alice "*carol* from carol" "carol's private message"
tm send-keys -t alice "and to you"
wait_for alice "and to you" "typed text"
tm send-keys -t alice M-r
wait_for alice "/msg carol and to you" "Alt-R's reply line"
[ "$(row alice -1)" = "/msg carol and to you" ] ||
    fail "Alt-R: input line \"$(row alice -1)\""
tm send-keys -t alice Enter
wait_for carol "*alice* and to you" "the Alt-R reply"
pass "Alt-R addresses the input line to the last private sender"

# --- away: the reason comes back with the echo
tm send-keys -t bob "/away lunch" Enter
wait_for bob "*** you are marked as away: lunch" "/away answer"
tm send-keys -t carol "/msg bob you there?" Enter
wait_for carol "*** bob is away: lunch" "the away reason"
tm send-keys -t carol "/who" Enter
wait_for carol "bob (away: lunch)" "/who with bob away"
pass "an away target's reason comes back, /who shows it"

# --- /r before anyone wrote, and /help
window dave dave
tm send-keys -t dave "/r anyone?" Enter
wait_for dave "-!- nobody has written to you privately yet" "/r too early"
tm send-keys -t dave "/help" Enter
wait_for dave "/msg NICK TEXT" "the server's /help"
grep -F -q "/r [TEXT]" "$tmp/screen" || fail "/help does not list /r"
grep -F -q "Alt-R" "$tmp/screen" || fail "/help does not list Alt-R"
pass "/r before a private message says so; /help lists /r and Alt-R"

exit 0
