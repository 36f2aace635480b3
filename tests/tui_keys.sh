#!/bin/sh
# chat-tui's keys in a real terminal: tmux runs a real chat-server and
# chat-tui, alice's under an interactive shell with job control.
# Checks: the input line shows a short line recalled after a long one,
# and all of a line after 1x1 then 250x70; word keys, Ctrl-Y and Ctrl-T
# under TERM=tmux-256color and TERM=screen; Tab completes nicknames and
# /commands, and the automatic /who's answer is not shown; Ctrl-Z stops
# chat-tui, fg redraws it and a line said meanwhile shows; a bracketed
# paste of 7 lines asks, Enter sends them in order as text; one line is
# typed in at the cursor; Esc joins, Ctrl-C drops; a paste whose end
# marker is lost times out and the keys work again; Ctrl-\ quits.
# While stopped the terminal has the shell's title back, and chat-tui's
# after fg, with the read marker above what came meanwhile; a paste while Ctrl-R searches shows its question, which
# stands through Ctrl-Z and fg; chat-tui's /help fits 80 columns.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_keys

: >"$tmp/server.log"
start_chat_server 0 "$tmp/server.log"

# window NAME NICK [ENV]: chat-tui as NICK, connected.
window() {
	tm new-window -d -n "$1" "$3 '$CHAT_TUI' --port $port --nick $2; \
	    echo EXIT=\$?; sleep 600"
	wait_for "$1" "| $2 | connected" "$2's status line"
}

# input WINDOW TEXT WHAT: wait until the input line is TEXT exactly.
input() {
	deadline=$(($(now) + 10))
	until [ "$(row "$1" -1)" = "$2" ]; do
		[ "$(now)" -ge "$deadline" ] &&
		    fail "$3: input line \"$(row "$1" -1)\", not \"$2\""
		sleep 0.1
	done
}

tm -f /dev/null new-session -d -s keys -x 80 -y 24 -n alice \
    "env PS1='shell> ' ENV= sh -i" || fail "tmux cannot start"
wait_for alice "shell>" "the shell's prompt"
tm send-keys -t alice "printf '\\033]2;%s\\007' shell-title" Enter
deadline=$(($(now) + 10))
until [ "$(title alice)" = shell-title ]; do
	[ "$(now)" -ge "$deadline" ] && fail "the shell's title never set"
	sleep 0.1
done
tm send-keys -t alice "'$CHAT_TUI' --port $port --nick alice" Enter
wait_for alice "| alice | connected" "alice's status line"
window bob bob

# --- the input line's view: a short line after a long one, 1x1 to 250x70
long=$(printf 'long%.0s' $(seq 1 30))
tm send-keys -t alice "short" Enter
tm send-keys -t alice "$long" Enter
wait_for bob "<alice> longlong" "the long line"
tm send-keys -t alice Up
input alice "$(printf '%s' "$long" | tail -c 79)" "the long line recalled"
tm send-keys -t alice Up
input alice "short" "a short line recalled after a long one"
tm send-keys -t alice Down
tm resize-window -t alice -x 1 -y 1
deadline=$(($(now) + 10))
until [ "$(tm display-message -p -t alice '#{window_width}')" = 1 ]; do
	[ "$(now)" -ge "$deadline" ] && fail "the window never got 1 wide"
	sleep 0.1
done
tm resize-window -t alice -x 250 -y 70
input alice "$long" "all of the line after 1x1, then 250x70"
tm resize-window -t alice -x 80 -y 24
tm send-keys -t alice C-u
input alice "" "Ctrl-U"
pass "the input line shows all of a line that fits, after history and resizes"

# --- word keys, Ctrl-Y, Ctrl-T, with two terminal types
window scr scr TERM=screen
for w in alice scr; do
	tm send-keys -t $w "one two three"
	tm send-keys -t $w M-b C-Left M-d
	input $w "one  three" "$w: Alt-B, Ctrl-Left, Alt-D"
	tm send-keys -t $w C-Right M-BSpace
	input $w "one" "$w: Ctrl-Right, Alt-Backspace"	# (spaces trail)
	tm send-keys -t $w C-y M-f C-y
	input $w "one  threethree" "$w: Ctrl-Y"
	tm send-keys -t $w C-a M-f C-t
	input $w "on e threethree" "$w: Ctrl-T"
	tm send-keys -t $w C-e C-u
	input $w "" "$w: Ctrl-U"
done
pass "Alt-B/F/D, Alt-Backspace, Ctrl-Left/Right, Ctrl-Y, Ctrl-T"

# --- Tab: nicknames known from /who and joins; /commands
screen alice
grep -q " online: " "$tmp/screen" && fail "the automatic /who's answer shows"
window carol carol
tm send-keys -t carol "b"
tm send-keys -t carol Tab
input carol "bob:" "Tab at the line's start"	# (spaces trail)
tm send-keys -t carol "hi a"
tm send-keys -t carol Tab
input carol "bob: hi alice" "Tab after a word"
tm send-keys -t carol C-u "/recon"
tm send-keys -t carol Tab
input carol "/reconnect" "Tab on a /command"
tm send-keys -t carol C-u "/who" Enter
wait_for carol " online: " "a /who typed"
pass "Tab completes nicknames and /commands; only a typed /who shows"

# --- Ctrl-Z stops chat-tui; fg brings it back, still connected
tm send-keys -t alice C-z
wait_for alice "Stopped" "the shell's job notice"
[ "$(tm display-message -p -t alice '#{alternate_on}')" = 0 ] ||
    fail "the terminal not given back on Ctrl-Z"
[ "$(title alice)" = shell-title ] ||
    fail "the title while stopped is \"$(title alice)\", not the shell's"
tm send-keys -t bob "said while alice was stopped" Enter
wait_for bob "<bob> said while alice was stopped" "bob's line"
tm send-keys -t alice "fg" Enter
wait_for alice "<bob> said while alice was stopped" "the line after fg"
grep -B1 -F "<bob> said while alice was stopped" "$tmp/screen" |
    grep -q -- "---- new ----" ||
    fail "no read marker above the line said while alice was stopped"
row alice -2 | grep -q "| alice | connected" ||
    fail "no status line after fg: \"$(row alice -2)\""
[ "$(tm display-message -p -t alice '#{alternate_on}')" = 1 ] ||
    fail "no alternate screen after fg"
tm send-keys -t alice "typed after fg"
input alice "typed after fg" "keys after fg"
tm send-keys -t alice C-u
deadline=$(($(now) + 10))
until [ "$(title alice)" = "chat localhost:$port" ]; do
	[ "$(now)" -ge "$deadline" ] &&
	    fail "the title after fg is \"$(title alice)\", not chat-tui's"
	sleep 0.1
done
pass "Ctrl-Z suspends with the shell's title, fg redraws, still connected"

# --- a bracketed paste of 7 lines asks; Enter sends them in order
printf 'paste one\n/quit is text here\npaste three\npaste four\npaste five\npaste six\npaste seven\n' \
    >"$tmp/paste7"
tm load-buffer -b seven "$tmp/paste7"
tm paste-buffer -p -d -b seven -t alice
input alice "send 7 lines? (Enter: send, Esc: edit as one line, Ctrl-C: drop)" \
    "the question"
tm send-keys -t alice Enter
wait_for bob "<alice> paste seven" "the last pasted line"
grep -o "<alice> \(paste .*\|/quit is text here\)$" "$tmp/screen" |
    sed 's/^<alice> //' >"$tmp/got"
cmp -s "$tmp/paste7" "$tmp/got" ||
    fail "pasted lines out of order: $(cat "$tmp/got")"
pass "a paste of 7 lines asks; Enter sends them in order, as text"

# --- one line goes in at the cursor; Esc joins lines; Ctrl-C drops them
tm send-keys -t alice "AB" Left
printf 'xyz' >"$tmp/paste1"
tm load-buffer -b one "$tmp/paste1"
tm paste-buffer -p -d -b one -t alice
input alice "AxyzB" "a one-line paste"
tm send-keys -t alice C-e C-u
printf 'a\nb\nc\n' >"$tmp/paste3"
tm load-buffer -b three "$tmp/paste3"
tm paste-buffer -p -b three -t alice
input alice "send 3 lines? (Enter: send, Esc: edit as one line, Ctrl-C: drop)" \
    "the question for 3"
tm send-keys -t alice Escape
input alice "a b c" "Esc: the lines as one"
tm send-keys -t alice C-u
# (carol was never suspended: the mode is on from the start)
tm paste-buffer -p -d -b three -t carol
input carol "send 3 lines? (Enter: send, Esc: edit as one line, Ctrl-C: drop)" \
    "the question again"
tm send-keys -t carol C-c
wait_for carol "paste dropped" "Ctrl-C at the question"
input carol "" "nothing left after Ctrl-C"
tm send-keys -t carol "still here"
input carol "still here" "keys after the drop"
tm send-keys -t carol C-u
pass "one pasted line goes in at the cursor; Esc joins lines, Ctrl-C drops"

# --- a paste while searching: the question shows, and waits out Ctrl-Z
question="send 3 lines? (Enter: send, Esc: edit as one line, Ctrl-C: drop)"
tm send-keys -t alice C-r "paste"
input alice "(search) paste" "Ctrl-R"
tm load-buffer -b three "$tmp/paste3"
tm paste-buffer -p -d -b three -t alice
input alice "$question" "the question of a paste while searching"
tm send-keys -t alice C-z
wait_for alice "Stopped" "Ctrl-Z at the question"
tm send-keys -t alice "fg" Enter
input alice "$question" "the question after fg"
tm send-keys -t alice C-c
wait_for alice "paste dropped" "Ctrl-C at the question after fg"
input alice "" "nothing left after the drop"
pass "a paste while searching asks on the input line; Ctrl-Z and fg keep it"

# --- chat-tui's /help: a row for each line at 80 columns
tm resize-window -t alice -x 80 -y 60
tm send-keys -t alice "/help" Enter
wait_for alice "/pass [SECRET]" "chat-tui's /help"
sed -n '/-!- Keys:/,/\/pass \[SECRET\]/p' "$tmp/screen" >"$tmp/help"
grep -q '^ ' "$tmp/help" &&
    fail "a /help line wraps at 80 columns: $(grep -B1 '^ ' "$tmp/help")"
tm resize-window -t alice -x 80 -y 24
pass "chat-tui's /help fits 80 columns"

# --- a paste whose end marker is lost ends after a while
tm send-keys -t alice -H 1b 5b 32 30 30 7e 61 62 63
wait_for alice "a paste did not end" "the lost end marker" 15
input alice "abc" "the paste without its end"
tm send-keys -t alice "def"
input alice "abcdef" "keys after the timeout"
tm send-keys -t alice C-u
pass "a paste without its end marker times out; keys work again"

# --- Ctrl-\ quits, as Ctrl-C does
tm send-keys -t scr 'C-\'
wait_for scr "EXIT=0" "Ctrl-\\ exit status"
pass "Ctrl-\\ quits"

exit 0
