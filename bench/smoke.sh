#!/bin/sh
# A seconds-long chat-bench run against chat-server, for correctness only:
# every line delivered, in order, with or without a client that stalls,
# and the same over chat-server's TLS port when it is built with TLS.
# Never a timing assertion; "make bench" is where timings live.
set -u

: "${CHAT_SERVER:?}" "${CHAT_BENCH:?}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-smoke.XXXXXX") || exit 99
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

# Start chat-server with these options; the port its log names last (the
# TLS one, if any) once it listens: wait for it, bounded.
start() {
	rm -f "$dir/log"
	"$CHAT_SERVER" "$@" --bind 127.0.0.1 --log "$dir/log" \
	    --flood-rate 0 --max-per-ip 0 --max-clients 2000 &
	pid=$!
	port=
	tries=0
	while [ -z "$port" ] && [ $tries -lt 100 ]; do
		kill -0 "$pid" 2>/dev/null ||
		    { echo "chat-server exited"; exit 99; }
		port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) chat-server.*/\1/p' \
		    "$dir/log" 2>/dev/null | head -n 1)
		[ -z "$port" ] && sleep 0.05
		tries=$((tries + 1))
	done
	[ -n "$port" ] || { echo "chat-server never listened"; exit 99; }
}

stop() {
	kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
}

failed=0
check() {
	name=$1
	shift
	out=$("$CHAT_BENCH" --kv --port "$port" --pid "$pid" --time-limit 30 \
	    "$@")
	status=$?
	echo "$name: $out"
	case " $out " in
	*" missing=0 "*) ;;
	*) echo "FAIL $name: lines missing"; failed=1 ;;
	esac
	case " $out " in
	*" ooo=0 "*) ;;
	*) echo "FAIL $name: lines out of order"; failed=1 ;;
	esac
	if [ $status -ne 0 ]; then
		echo "FAIL $name: chat-bench exited $status"
		failed=1
	fi
}

start --port 0
check full-speed --clients 20 --senders 4 --lines 500
check fixed-rate --clients 10 --senders 2 --lines 40 --rate 200
check long-lines --clients 5 --senders 5 --lines 100 --bytes 1024
# Megabytes for the client that never reads: the server must drop it or
# queue it, never hold the others back or lose their lines.
check stalled --clients 10 --senders 4 --stalled 1 --lines 20000
stop

# Over TLS: records split lines anywhere, and a write may have to wait.
if ! "$CHAT_SERVER" --port none --tls-port 0 --tls-cert /dev/null \
    --tls-key /dev/null --log /dev/null 2>&1 | grep -q "built without TLS"
then
	if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj /CN=localhost -keyout "$dir/key.pem" \
	    -out "$dir/cert.pem" >/dev/null 2>&1; then
		echo "FAIL: openssl cannot make a certificate for the TLS runs"
		exit 1
	fi
	start --port none --tls-port 0 --tls-cert "$dir/cert.pem" \
	    --tls-key "$dir/key.pem"
	check tls-full-speed --tls --clients 20 --senders 4 --lines 500
	check tls-long-lines --tls --clients 5 --senders 5 --lines 100 \
	    --bytes 1024
	check tls-stalled --tls --clients 10 --senders 4 --stalled 1 \
	    --lines 20000
	stop
else
	echo "chat-server built without TLS: no TLS runs"
fi
exit $failed
