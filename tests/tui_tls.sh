#!/bin/sh
# chat-tui over TLS and with a password, in a real terminal: tmux runs
# chat-tui against "openssl s_server" (which prints what it receives and
# sends what the test writes to it), with throwaway certificates from
# tests/tls_certs.sh.  Checks: messages cross over TLS and the status
# line says "tls" with --tls-ca; a wrong name, an expired certificate and
# an untrusted CA each exit 1 saying so before any screen; trust on first
# use asks, stores the answer (private file, private directories) and
# the next run is silent and says "tls pinned"; a changed certificate is
# refused with both fingerprints and the line to edit, at start-up and on
# a reconnect; plain mode trusts nothing new; --tls-insecure says
# "tls UNVERIFIED"; the reconnect redoes the handshake; the password
# prompt hides what is typed and the password lands in no scrollback,
# history or file; a stored password refused is not sent again.
# Skipped (77) when chat-tui was built without TLS, after checking that
# --tls then says so and exits 2.

: "${CHAT_TUI:?}" "${top_builddir:?}" "${top_srcdir:?}"

. "$top_srcdir/tests/tmux.sh"
tmux_setup tui_tls

"$CHAT_TUI" --tls --port 1 </dev/null >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "built without TLS" "$tmp/err"; then
	[ "$(cat "$tmp/err")" = "chat-tui: built without TLS" ] ||
	    fail "without TLS: $(cat "$tmp/err")"
	echo "SKIP: chat-tui built without TLS (and --tls says so, exit 2)"
	exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl"; exit 77; }

certs="$tmp/certs"
sh "$top_srcdir/tests/tls_certs.sh" "$certs" >"$tmp/certs.log" 2>&1 ||
    fail "tls_certs.sh: $(cat "$tmp/certs.log")"
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

# tls_server CERT [PORT]: openssl s_server with CERT on PORT (default
# any free one, in $tls_port); what it receives goes to $tmp/tls.out,
# what is written to fd 5 goes to the client.
tls_server() {
	rm -f "$tmp/tls.in"
	mkfifo "$tmp/tls.in" || fail "mkfifo"
	: >"$tmp/tls.out"
	openssl s_server -accept "${2:-0}" -cert "$certs/$1.pem" \
	    -key "$certs/$1.key" <"$tmp/tls.in" >"$tmp/tls.out" \
	    2>"$tmp/tls.err" &
	tls_pid=$!
	pids="$pids $tls_pid"
	exec 5>"$tmp/tls.in"
	wait_file "$tmp/tls.out" "ACCEPT" "s_server start: $(cat "$tmp/tls.err")"
	# (Given a port, s_server says just "ACCEPT".)
	tls_port=${2:-$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' \
	    "$tmp/tls.out")}
	[ -n "$tls_port" ] || fail "no port from s_server"
}

tls_stop() {
	exec 5>&-
	kill "$tls_pid" 2>/dev/null
	wait "$tls_pid" 2>/dev/null
}

# say TEXT: the server sends a line.
say() {
	printf '%s\n' "$1" >&5
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

# window NAME COMMAND: a window running COMMAND, then its exit status.
window() {
	tm new-window -d -n "$1" "$2; echo EXIT=\$?; sleep 600"
}

# refused NAME CERT ARGS WHY: chat-tui ARGS against CERT exits 1 saying
# WHY on the terminal, before any screen (the shell's EXIT line shows).
refused() {
	tls_server "$2"
	window "$1" "'$CHAT_TUI' --port $tls_port $3"
	wait_for "$1" "EXIT=1" "$1: exit status"
	want="chat-tui: cannot connect to localhost:$tls_port: certificate verify failed: $4"
	tr -d '\n' <"$tmp/screen" >"$tmp/screen.flat"	# long lines wrap
	grep -F -q -- "$want" "$tmp/screen.flat" || fail "$1: no \"$want\""
	tm kill-window -t "$1"
	tls_stop
}

tm -f /dev/null new-session -d -s tls -x 120 -y 30 -n idle "sleep 600" ||
    fail "tmux cannot start"

# --- a verified link: messages cross, the status line says "tls"
tls_server localhost
window verified "'$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem' --nick alice"
wait_for verified "| connected | tls" "verified status line"
say "*** Welcome to chat! (you are guest1, 1 online)"
wait_for verified "| guest1 | connected | tls" "welcome over TLS"
wait_file "$tmp/tls.out" "/nick alice" "the nickname, after the welcome"
tm send-keys -t verified "hello over tls" Enter
wait_file "$tmp/tls.out" "hello over tls" "a line to the server"
say "<bob> hello alice"
wait_for verified "<bob> hello alice" "a line from the server"
pass "over TLS messages cross and the status line says tls"

# --- the server goes and comes back: the handshake is done again
tls_stop
wait_for verified "| disconnected, reconnecting in" "TLS connection lost"
tls_server localhost "$tls_port"
wait_for verified "connected to localhost:$tls_port (tls)" "TLS reconnect" 20
say "after the reconnect"
wait_for verified "after the reconnect" "a line after the TLS reconnect"
tm kill-window -t verified
tls_stop
pass "a reconnect does the TLS handshake again"

# --- certificates that must fail, whatever the user would answer
refused wrongname wrongname "--tls-ca '$certs/ca.pem'" "hostname mismatch"
refused expired expired "--tls-ca '$certs/ca.pem'" "certificate has expired"
refused otherca other "--tls-ca '$certs/ca.pem'" \
    "unable to get local issuer certificate"
[ ! -e "$known" ] || fail "a refused certificate was stored"
pass "wrong name, expired, untrusted CA: exit 1 saying why"

# --- a server that does not speak TLS: the handshake fails, named
FEED="$top_builddir/tests/tui_feed"
start_feed
printf '*** Welcome to chat!\n' >&3
"$CHAT_TUI" --tls-insecure --host 127.0.0.1 --port "$feed_port" </dev/null \
    >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "TLS to a plain server: not exit 1"
grep -q "^chat-tui: cannot connect to 127.0.0.1:$feed_port: TLS handshake failed: " \
    "$tmp/err" || fail "TLS to a plain server: $(cat "$tmp/err")"
exec 3>&-
kill "$feed_pid" 2>/dev/null
wait "$feed_pid" 2>/dev/null
feed_pid=
pass "a server that does not speak TLS: exit 1, the handshake named"

# --- trust on first use: asked, answered no, nothing stored
fp_self=$(fingerprint selfsigned)
tls_server selfsigned
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
tls_stop
pass "first use: the fingerprint is shown; no stores nothing, exit 1"

# --- trust on first use: yes stores it, the next run is silent
tls_server selfsigned
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
window pinned "'$CHAT_TUI' --tls --port $tls_port"
wait_for pinned "| connected | tls pinned" "second run, silent"
grep -q "yes/no" "$tmp/screen" && fail "asked again about a known server"
pass "first use: yes stores host:port and fingerprint; the next run is silent"

# --- plain mode trusts what was trusted, and nothing new
# (s_server serves one client at a time.)
tm kill-window -t pinned
printf 'from a pipe\n' | "$CHAT_TUI" --tls --port "$tls_port" \
    >"$tmp/plain.out" 2>"$tmp/plain.err" ||
    fail "plain mode, pinned: $(cat "$tmp/plain.err")"
wait_file "$tmp/tls.out" "from a pipe" "plain mode's line"
tls_stop
tls_server other
"$CHAT_TUI" --tls --host 127.0.0.1 --port "$tls_port" </dev/null \
    >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "plain mode took a new certificate"
grep -F -q "chat-tui: cannot connect to 127.0.0.1:$tls_port: certificate verify failed: unable to get local issuer certificate" \
    "$tmp/err" || fail "plain mode, new certificate: $(cat "$tmp/err")"
grep -q "only when chat-tui starts on a terminal" "$tmp/err" ||
    fail "plain mode does not say how to trust: $(cat "$tmp/err")"
grep -q "^127.0.0.1:" "$known" && fail "plain mode stored a certificate"
tls_stop
pass "plain mode uses pins and trusts nothing new"

# --- a changed certificate for a known server: refused, loudly
fp_other=$(fingerprint other)
line=$(grep -n "^localhost:" "$known" | cut -d: -f1)
tls_server other "$pinned_port"
window changed "'$CHAT_TUI' --tls --port $tls_port"
wait_for changed "EXIT=1" "changed certificate: exit status"
tr -d '\n' <"$tmp/screen" >"$tmp/screen.flat"	# long lines wrap
for want in "is NOT the certificate trusted before" "$fp_self" "$fp_other" \
    "delete line $line of $known"; do
	grep -F -q -- "$want" "$tmp/screen.flat" ||
	    fail "changed certificate: no \"$want\""
done
grep -q "yes/no" "$tmp/screen" && fail "asked about a changed certificate"
tm kill-window -t changed
tls_stop
pass "a changed certificate is refused with both fingerprints and the line"

# --- ... and on a reconnect too
tls_server selfsigned "$pinned_port"
window reswap "'$CHAT_TUI' --tls --port $tls_port"
wait_for reswap "| connected | tls pinned" "pinned before the swap"
tls_stop
tls_server other "$pinned_port"
wait_for reswap "certificate refused (/reconnect, /quit)" \
    "changed certificate on reconnect" 20
tr -d '\n' <"$tmp/screen" >"$tmp/screen.flat"
grep -F -q "is NOT the certificate trusted before" "$tmp/screen.flat" ||
    fail "reconnect: the refusal is not in the pane"
grep -F -q "$fp_other" "$tmp/screen.flat" ||
    fail "reconnect: the new fingerprint is not in the pane"
tls_stop
tls_server selfsigned "$pinned_port"
tm send-keys -t reswap "/reconnect" Enter
wait_for reswap "| connected | tls pinned" "/reconnect after a refusal"
tm kill-window -t reswap
tls_stop
pass "a changed certificate on a reconnect is refused and shown; /reconnect retries"

# --- --tls-insecure says so
tls_server other
window insecure "'$CHAT_TUI' --tls-insecure --port $tls_port"
wait_for insecure "| connected | tls UNVERIFIED" "insecure status line"
tm kill-window -t insecure
tls_stop
pass "--tls-insecure says tls UNVERIFIED"

# --- the password, typed: hidden, sent, in no history or file
secret="hunter2-$$-sekrit"
tls_server localhost
window pass "'$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem' --nick carol"
wait_for pass "| connected | tls" "password: connected"
tm send-keys -t pass "draft kept"
say "*** password required (/pass SECRET)"
wait_for pass "password for localhost:$tls_port (hidden):" "password prompt"
tm send-keys -t pass -l "$secret"
tm send-keys -t pass Enter
wait_file "$tmp/tls.out" "/pass $secret" "the password sent"
grep -q "/nick carol" "$tmp/tls.out" && fail "the nickname went before the welcome"
say "*** Welcome to chat! (you are guest7, 2 online)"
wait_file "$tmp/tls.out" "/nick carol" "the nickname, after the password"
wait_for pass "| guest7 | connected | tls" "let in"
input_is pass "draft kept" "the draft, after the password prompt"
# Up brings back the last line sent, if any: a marker typed after it
# shows what it brought.
tm send-keys -t pass C-u Up Z
input_is pass "Z" "the password kept out of the history"
tm capture-pane -p -S - -t pass >"$tmp/scrollback"
grep -F -q "$secret" "$tmp/scrollback" &&
    fail "the password shows on the screen or in the scrollback"
# /pass typed out: sent, kept out of the history too
tm send-keys -t pass C-u
tm send-keys -t pass -l "/pass $secret-2"
tm send-keys -t pass Enter
wait_file "$tmp/tls.out" "/pass $secret-2" "a typed /pass"
tm send-keys -t pass Up Z
input_is pass "Z" "a typed /pass kept out of the history"
tm send-keys -t pass C-u
if grep -r -F -l -- "$secret" "$HOME" "$tmp/xdg" 2>/dev/null; then
	fail "the password is in a file"
fi
tm send-keys -t pass "/quit" Enter
wait_for pass "EXIT=0" "password: /quit"
tm kill-window -t pass
tls_stop
pass "a typed password is hidden, sent, in no scrollback, history or file"

# --- a stored password refused is not sent again: the user is asked
tls_server localhost
window wrongpw "CHAT_PASSWORD=not-it '$CHAT_TUI' --port $tls_port --tls-ca '$certs/ca.pem'"
wait_for wrongpw "| connected | tls" "wrong password: connected"
say "*** password required (/pass SECRET)"
wait_file "$tmp/tls.out" "/pass not-it" "the stored password sent"
say "*** error: wrong password"
wait_for wrongpw "password for localhost:$tls_port (hidden):" \
    "prompt after a refused stored password"
grep -F -q "the server refused the password (from CHAT_PASSWORD)" \
    "$tmp/screen" || fail "no word of the refused password"
[ "$(grep -c "/pass not-it" "$tmp/tls.out")" -eq 1 ] ||
    fail "a refused stored password was sent again"
tm send-keys -t wrongpw -l "right-one"
tm send-keys -t wrongpw Enter
wait_file "$tmp/tls.out" "/pass right-one" "the typed password after"
tm kill-window -t wrongpw
tls_stop
pass "a refused stored password is not sent again; the user is asked"

# --- plain mode: the password file answers, stdin waits for it
printf 'file-secret\n' >"$tmp/pw"
tls_server localhost
say "*** password required (/pass SECRET)"
( printf 'piped after login\n' | "$CHAT_TUI" --port "$tls_port" \
    --tls-ca "$certs/ca.pem" --password-file "$tmp/pw" --nick dave \
    >"$tmp/pw.out" 2>"$tmp/pw.err"; echo $? >"$tmp/pw.status" ) &
pids="$pids $!"
wait_file "$tmp/tls.out" "/pass file-secret" "the password file's password"
grep -q "piped after login\|/nick dave" "$tmp/tls.out" &&
    fail "plain mode sent before it was let in"
say "*** Welcome to chat! (you are guest8, 1 online)"
wait_file "$tmp/tls.out" "piped after login" "plain mode's line after login"
grep -n "/pass file-secret\|/nick dave\|piped after login" "$tmp/tls.out" |
    cut -d: -f2- | tr -d '\r' >"$tmp/order"
[ "$(cat "$tmp/order")" = "/pass file-secret
/nick dave
piped after login" ] || fail "plain mode's order: $(cat "$tmp/order")"
tls_stop
wait_file "$tmp/pw.status" "" "plain mode's end"
[ "$(cat "$tmp/pw.status")" = 0 ] ||
    fail "plain mode with a password file: $(cat "$tmp/pw.err")"
pass "plain mode answers with the password file, holding stdin till let in"

tls_server localhost
say "*** password required (/pass SECRET)"
say "*** error: wrong password"
CHAT_PASSWORD=nope "$CHAT_TUI" --port "$tls_port" --tls-ca "$certs/ca.pem" \
    </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "plain mode, wrong password: not exit 1"
[ "$(cat "$tmp/err")" = \
    "chat-tui: cannot log in to localhost:$tls_port: wrong password" ] ||
    fail "plain mode, wrong password: $(cat "$tmp/err")"
tls_stop
pass "plain mode exits 1 on a wrong password"

exit 0
