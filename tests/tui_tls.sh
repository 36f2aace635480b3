#!/bin/sh
# chat-tui over TLS and with a password, in a real terminal: tmux runs
# chat-tui against a real chat-server with a TLS listener (and a room
# password), with throwaway certificates from tests/tls_certs.sh.
# Checks: messages cross between a TLS and a plain client and the status
# line says "tls" with --tls-ca; the reconnect redoes the handshake; a
# wrong name, an expired certificate and an untrusted CA each exit 1
# saying so before any screen; TLS to a plain port fails, named; trust on
# first use asks, stores the answer (private file, private directories)
# and the next run is silent and says "tls pinned"; plain mode trusts
# nothing new; a changed certificate is refused with both fingerprints
# and the line to edit, at start-up and on a reconnect, where /reconnect
# tries again; --tls-insecure says "tls UNVERIFIED"; the password prompt
# hides what is typed and the password lands in no scrollback, history or
# file; a stored password refused is not sent again; plain mode answers
# with the password file and holds its input until let in; a password
# asked for while a search runs takes the keys.
# Skipped (77) when chat-tui was built without TLS, after checking that
# --tls then says so and exits 2.

: "${CHAT_SERVER:?}" "${CHAT_TUI:?}" "${top_builddir:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_tls

"$CHAT_TUI" --tls --port 1 </dev/null >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "built without TLS" "$tmp/err"; then
	[ "$(cat "$tmp/err")" = "chat-tui: built without TLS" ] ||
	    fail "without TLS: $(cat "$tmp/err")"
	echo "SKIP: chat-tui built without TLS (and --tls says so, exit 2)"
	exit 77
fi

certs="$tmp/certs"
sh "$top_srcdir/tests/tls_certs.sh" "$certs" >"$tmp/certs.log" 2>&1
case $? in
0)	;;
77)	cat "$tmp/certs.log"; exit 77 ;;
*)	fail "tls_certs.sh: $(cat "$tmp/certs.log")" ;;
esac
# A home of its own: nothing the test trusts or types leaves $tmp.
HOME="$tmp/home" XDG_DATA_HOME="$tmp/xdg/data"
XDG_CONFIG_HOME="$tmp/xdg/config" XDG_STATE_HOME="$tmp/xdg/state"
XDG_CACHE_HOME="$tmp/xdg/cache"
export HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME XDG_CACHE_HOME
unset CHAT_PASSWORD
mkdir -p "$HOME"
known="$XDG_DATA_HOME/chat-tui/known_servers"

fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$certs/$1.pem" |
	    sed 's/.*=//'
}

# wait_file FILE TEXT WHAT: poll FILE until it holds TEXT.
wait_file() {
	deadline=$(($(now) + 10))
	until grep -F -q -- "$2" "$1" 2>/dev/null; do
		[ "$(now)" -ge "$deadline" ] && fail "$3: no \"$2\" in $1"
		sleep 0.1
	done
}

# start_server CERT [TLSPORT [ARGS]]: chat-server with a plain listener
# (its port in $port) and a TLS one with CERT (on TLSPORT, default any
# free one; in $tls_port), ARGS added; its log in $tmp/server.log.
start_server() {
	cert=$1 want=${2:-0}
	shift
	[ $# -gt 0 ] && shift
	: >"$tmp/server.log"
	"$CHAT_SERVER" --port 0 --tls-port "$want" \
	    --tls-cert "$certs/$cert.pem" --tls-key "$certs/$cert.key" \
	    --log "$tmp/server.log" --flood-rate 0 --max-per-ip 0 "$@" &
	server_pid=$!
	wait_file "$tmp/server.log" " listen " "chat-server start"
	port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) tls .*/\1/p' \
	    "$tmp/server.log")
	tls_port=$(sed -n 's/.* tls .*:\([0-9][0-9]*\) chat-server .*/\1/p' \
	    "$tmp/server.log")
	[ -n "$port" ] && [ -n "$tls_port" ] ||
	    fail "no ports in: $(cat "$tmp/server.log")"
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

# input_is WINDOW TEXT WHAT: wait until the input line is TEXT exactly.
input_is() {
	deadline=$(($(now) + 10))
	until [ "$(row "$1" -1)" = "$2" ]; do
		[ "$(now)" -ge "$deadline" ] &&
		    fail "$3: the input line is \"$(row "$1" -1)\""
		sleep 0.1
	done
}

# flat WINDOW: its screen, wrapped lines joined, into $tmp/screen.flat.
flat() {
	screen "$1"
	tr -d '\n' <"$tmp/screen" >"$tmp/screen.flat"
}

# refused NAME CERT ARGS WHY: chat-tui ARGS against CERT exits 1 saying
# WHY on the terminal, before any screen (the shell's EXIT line shows).
refused() {
	start_server "$2"
	window "$1" "'$CHAT_TUI' --port $tls_port $3"
	wait_for "$1" "EXIT=1" "$1: exit status"
	flat "$1"
	want="chat-tui: cannot connect to localhost:$tls_port: certificate verify failed: $4"
	grep -F -q -- "$want" "$tmp/screen.flat" || fail "$1: no \"$want\""
	tm kill-window -t "$1"
	stop_server
}

tm -f /dev/null new-session -d -s tls -x 120 -y 30 -n idle "sleep 600" ||
    fail "tmux cannot start"

# --- a verified link: messages cross, the status line says "tls"
start_server localhost
window alice "'$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem' --nick alice"
window bob "'$CHAT_TUI' --port $port --nick bob"
wait_for alice "| alice | connected | tls" "alice's status line, TLS"
wait_for bob "| bob | connected | plain" "bob's status line, plain"
tm send-keys -t alice "hello over tls" Enter
wait_for bob "<alice> hello over tls" "a line from the TLS client"
tm send-keys -t bob "hello in the clear" Enter
wait_for alice "<bob> hello in the clear" "a line to the TLS client"
pass "over TLS messages cross and the status line says tls"

# --- the server goes and comes back: the handshake is done again
old_port=$tls_port
stop_server
wait_for alice "| disconnected, reconnecting in" "TLS connection lost"
start_server localhost "$old_port"
wait_for alice "connected to localhost:$tls_port (tls)" "TLS reconnect" 20
wait_for alice "| alice | connected | tls" "the nick back after the reconnect"
tm kill-window -t alice
tm kill-window -t bob
stop_server
pass "a reconnect does the TLS handshake again"

# --- certificates that must fail, whatever the user would answer
refused wrongname wrongname "--tls-ca '$certs/ca.pem'" "hostname mismatch"
refused expired expired "--tls-ca '$certs/ca.pem'" "certificate has expired"
refused otherca other "--tls-ca '$certs/ca.pem'" \
    "unable to get local issuer certificate"
[ ! -e "$known" ] || fail "a refused certificate was stored"
pass "wrong name, expired, untrusted CA: exit 1 saying why"

# --- a CA file that is not there: said before connecting
"$CHAT_TUI" --tls-ca "$tmp/nonexistent.pem" --port 1 </dev/null \
    >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "a missing CA file: not exit 1"
[ "$(cat "$tmp/err")" = "chat-tui: cannot load CA $tmp/nonexistent.pem: No such file or directory" ] ||
    fail "a missing CA file: $(cat "$tmp/err")"
pass "a missing CA file: exit 1 saying why"

# --- TLS to the plain port: the handshake fails, named
start_server localhost
"$CHAT_TUI" --tls-insecure --port "$port" </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "TLS to the plain port: not exit 1"
grep -q "^chat-tui: cannot connect to localhost:$port: TLS handshake failed: .* (is it a plain-text port?)$" \
    "$tmp/err" || fail "TLS to the plain port: $(cat "$tmp/err")"
stop_server
pass "TLS to a plain port: exit 1, the handshake named, the port questioned"

# --- trust on first use: asked, answered no, nothing stored
fp_self=$(fingerprint selfsigned)
start_server selfsigned
window tofu_no "'$CHAT_TUI' --tls --port $tls_port"
wait_for tofu_no "(yes/no)?" "the first-use question"
grep -F -q "$fp_self" "$tmp/screen" || fail "the fingerprint is not shown"
grep -F -q "self-signed certificate" "$tmp/screen" ||
    fail "the question does not say why"
tm send-keys -t tofu_no "maybe" Enter
wait_for tofu_no 'Please type "yes" or "no".' "a bad answer asked again"
tm send-keys -t tofu_no "no" Enter
wait_for tofu_no "EXIT=1" "no: exit status"
grep -F -q "chat-tui: cannot connect to localhost:$tls_port: certificate verify failed: self-signed certificate (not trusted)" \
    "$tmp/screen" || fail "no: the reason"
[ ! -e "$known" ] || fail "no: the certificate was stored"
tm kill-window -t tofu_no
pass "first use: the fingerprint is shown; no stores nothing, exit 1"

# --- trust on first use: yes stores it, the next run is silent
window tofu_yes "'$CHAT_TUI' --tls --port $tls_port"
wait_for tofu_yes "(yes/no)?" "the first-use question"
tm send-keys -t tofu_yes "yes" Enter
wait_for tofu_yes "| connected | tls pinned" "pinned status line"
grep -q "^localhost:$tls_port $fp_self$" "$known" ||
    fail "yes: not stored: $(cat "$known")"
[ "$(stat -c %a "$known")" = 600 ] || fail "known_servers not 0600"
for d in "$XDG_DATA_HOME" "$XDG_DATA_HOME/chat-tui"; do
	[ "$(stat -c %a "$d")" = 700 ] || fail "$d not 0700"
done
pinned_port=$tls_port
tm send-keys -t tofu_yes "/quit" Enter
wait_for tofu_yes "EXIT=0" "pinned /quit"
tm kill-window -t tofu_yes
window pinned "'$CHAT_TUI' --tls --port $tls_port --nick pia"
wait_for pinned "| pia | connected | tls pinned" "second run, silent"
grep -q "yes/no" "$tmp/screen" && fail "asked again about a known server"
pass "first use: yes stores host:port and fingerprint; the next run is silent"

# --- plain mode trusts what was trusted, and nothing new
printf 'from a pipe\n' | "$CHAT_TUI" --tls --port "$tls_port" \
    >"$tmp/plain.out" 2>"$tmp/plain.err" ||
    fail "plain mode, pinned: $(cat "$tmp/plain.err")"
wait_for pinned "> from a pipe" "plain mode's line over a pinned link"
tm kill-window -t pinned
stop_server
start_server other
"$CHAT_TUI" --tls --host 127.0.0.1 --port "$tls_port" </dev/null \
    >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "plain mode took a new certificate"
grep -F -q "chat-tui: cannot connect to 127.0.0.1:$tls_port: certificate verify failed: unable to get local issuer certificate" \
    "$tmp/err" || fail "plain mode, new certificate: $(cat "$tmp/err")"
grep -q "only when chat-tui starts on a terminal" "$tmp/err" ||
    fail "plain mode does not say how to trust: $(cat "$tmp/err")"
grep -q "^127.0.0.1:" "$known" && fail "plain mode stored a certificate"
stop_server
pass "plain mode uses pins and trusts nothing new"

# --- a changed certificate for a known server: refused, loudly
fp_other=$(fingerprint other)
line=$(grep -n "^localhost:" "$known" | cut -d: -f1)
start_server other "$pinned_port"
window changed "'$CHAT_TUI' --tls --port $tls_port"
wait_for changed "EXIT=1" "changed certificate: exit status"
flat changed
for want in "is NOT the certificate trusted before" "$fp_self" "$fp_other" \
    "delete line $line of $known"; do
	grep -F -q -- "$want" "$tmp/screen.flat" ||
	    fail "changed certificate: no \"$want\""
done
grep -q "yes/no" "$tmp/screen" && fail "asked about a changed certificate"
tm kill-window -t changed
stop_server
pass "a changed certificate is refused with both fingerprints and the line"

# --- ... and on a reconnect too, until /reconnect finds the right one
start_server selfsigned "$pinned_port"
window reswap "'$CHAT_TUI' --tls --port $tls_port"
wait_for reswap "| connected | tls pinned" "pinned before the swap"
stop_server
start_server other "$pinned_port"
wait_for reswap "certificate refused (/reconnect, /quit)" \
    "changed certificate on reconnect" 20
flat reswap
grep -F -q "is NOT the certificate trusted before" "$tmp/screen.flat" ||
    fail "reconnect: the refusal is not in the pane"
grep -F -q "$fp_other" "$tmp/screen.flat" ||
    fail "reconnect: the new fingerprint is not in the pane"
stop_server
start_server selfsigned "$pinned_port"
tm send-keys -t reswap "/reconnect" Enter
wait_for reswap "| connected | tls pinned" "/reconnect after a refusal"
tm kill-window -t reswap
stop_server
pass "a changed certificate on a reconnect is refused and shown; /reconnect retries"

# --- --tls-insecure says so
start_server other
window insecure "'$CHAT_TUI' --tls-insecure --port $tls_port"
wait_for insecure "| connected | tls UNVERIFIED" "insecure status line"
tm kill-window -t insecure
stop_server
pass "--tls-insecure says tls UNVERIFIED"

# --- the password, typed: hidden, sent, in no history or file
secret="hunter2-$$-sekrit"
(umask 077; printf '%s\n' "$secret" >"$tmp/room.pw")
start_server localhost 0 --password-file "$tmp/room.pw"
window pass "'$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem' --nick carol"
wait_for pass "password for localhost:$tls_port (hidden):" "password prompt"
grep -q " nick " "$tmp/server.log" &&
    fail "the nickname went before the password"
tm send-keys -t pass -l "$secret"
tm send-keys -t pass Enter
wait_for pass "| carol | connected | tls" "let in, with the nickname"
wait_file "$tmp/server.log" "password accepted" "the password accepted"
# Up brings back the last line sent, if any: a marker typed after it
# shows what it brought.
tm send-keys -t pass Up Z
input_is pass "Z" "the password kept out of the history"
tm send-keys -t pass C-u
tm capture-pane -p -S - -t pass >"$tmp/scrollback"
grep -F -q "$secret" "$tmp/scrollback" &&
    fail "the password shows on the screen or in the scrollback"
pass "a typed password is hidden, sent and kept out of the pane and history"

# --- on a reconnect the password is sent again, from memory
old_port=$tls_port
stop_server
wait_for pass "| disconnected, reconnecting in" "password: connection lost"
start_server localhost "$old_port" --password-file "$tmp/room.pw"
wait_for pass "password sent (typed earlier)" "the password sent again" 20
wait_for pass "| carol | connected | tls" "password: back after reconnect"
# /pass typed out: kept out of the history too
tm send-keys -t pass -l "/pass $secret"
tm send-keys -t pass Enter
tm send-keys -t pass Up Z
input_is pass "Z" "a typed /pass kept out of the history"
tm send-keys -t pass C-u "/quit" Enter
wait_for pass "EXIT=0" "password: /quit"
tm kill-window -t pass
if grep -r -F -l -- "$secret" "$HOME" "$tmp/xdg" "$tmp/server.log" \
    2>/dev/null; then
	fail "the password is in a file"
fi
pass "the password goes again on a reconnect, and is in no file"

# --- a stored password refused is not sent again: the user is asked
window wrongpw "CHAT_PASSWORD=not-it '$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem'"
wait_for wrongpw "password for localhost:$tls_port (hidden):" \
    "prompt after a refused stored password"
grep -F -q "the server refused the password (from CHAT_PASSWORD)" \
    "$tmp/screen" || fail "no word of the refused password"
wait_file "$tmp/server.log" "wrong password (1 of 3)" "the refusal logged"
tm send-keys -t wrongpw -l "$secret"
tm send-keys -t wrongpw Enter
wait_for wrongpw "| connected | tls" "let in after typing it"
[ "$(grep -c "wrong password" "$tmp/server.log")" -eq 1 ] ||
    fail "a refused stored password was sent again"
tm kill-window -t wrongpw
pass "a refused stored password is not sent again; the user is asked"

# --- plain mode: the password file answers, stdin waits for it
window watcher "'$CHAT_TUI' --port $tls_port --password-file '$tmp/room.pw' --tls-ca '$certs/ca.pem' --nick wendy"
wait_for watcher "| wendy | connected | tls" "watcher let in"
printf 'piped after login\n' | "$CHAT_TUI" --port "$tls_port" \
    --tls-ca "$certs/ca.pem" --password-file "$tmp/room.pw" --nick dave \
    >"$tmp/pw.out" 2>"$tmp/pw.err" ||
    fail "plain mode with a password file: $(cat "$tmp/pw.err")"
wait_for watcher "<dave> piped after login" "plain mode's line in the room"
grep -q "password required" "$tmp/pw.out" ||
    fail "plain mode: no password request seen"
grep -q "(you are " "$tmp/pw.out" || fail "plain mode: not let in"
grep -q "error" "$tmp/pw.out" && fail "plain mode: $(cat "$tmp/pw.out")"
tm kill-window -t watcher
CHAT_PASSWORD=nope "$CHAT_TUI" --port "$tls_port" --tls-ca "$certs/ca.pem" \
    </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "plain mode, wrong password: not exit 1"
[ "$(cat "$tmp/err")" = \
    "chat-tui: cannot log in to localhost:$tls_port: wrong password" ] ||
    fail "plain mode, wrong password: $(cat "$tmp/err")"
stop_server
pass "plain mode answers with the password file, exits 1 on a wrong one"

# --- a password asked for while Ctrl-R searches: the keys are the password's
start_server localhost 0 --password-file "$tmp/room.pw"
window search "CHAT_PASSWORD='$secret' '$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem' --nick sam"
wait_for search "| sam | connected | tls" "sam let in"
tm send-keys -t search C-r "sam"
input_is search "(search) sam" "a search"
old_port=$tls_port
stop_server
(umask 077; printf '%s\n' "$secret-new" >"$tmp/room2.pw")
start_server localhost "$old_port" --password-file "$tmp/room2.pw"
wait_for search "password for localhost:$old_port (hidden):" \
    "the prompt for a changed password" 20
tm send-keys -t search -l "$secret-new"
tm send-keys -t search Enter
wait_file "$tmp/server.log" "password accepted" "the password typed after a search"
tm kill-window -t search
stop_server
pass "a password asked for during a search takes the keys"

exit 0
