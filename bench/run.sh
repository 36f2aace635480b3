#!/bin/sh
# make bench: run chat-bench against chat-server and, when it is installed,
# ncat --chat, alternating them scenario by scenario, a fresh server for
# every run, and print the medians side by side with their ratios.
# make bench-tls: the same for chat-server plain, over its own TLS port,
# and behind stunnel (TLS terminated in front of its plain port).
#
# Environment: CHAT_SERVER, CHAT_BENCH (the built programs), RUNS (rounds,
# default 3), SCENARIOS (names to run, default all), SERVERS (columns, of
# ours, ncat, tls and stunnel; default "ours ncat"), NCAT (default ncat;
# "none" to run chat-server alone), STUNNEL (default stunnel, else
# stunnel4), BENCH_RESULTS (keep raw results here), CPUS ("S B": pin
# servers to CPU S and chat-bench to CPU B with taskset).
set -u

: "${CHAT_SERVER:?set CHAT_SERVER to the chat-server to measure}"
: "${CHAT_BENCH:?set CHAT_BENCH to chat-bench}"
RUNS=${RUNS:-3}
SCENARIOS=${SCENARIOS:-"rate full stall c1000 c10"}
SERVERS=${SERVERS:-"ours ncat"}
NCAT=${NCAT:-ncat}
STUNNEL=${STUNNEL:-}
CPUS=${CPUS:-}
pin_server=''
pin_bench=''
if [ -n "$CPUS" ]; then
	command -v taskset >/dev/null 2>&1 ||
	    { echo "run.sh: CPUS needs taskset" >&2; exit 1; }
	# shellcheck disable=SC2086 # two words on purpose
	set -- $CPUS
	pin_server="taskset -c $1" pin_bench="taskset -c $2"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench.XXXXXX") || exit 1
server_pid=
proxy_pid=
cleanup() {
	stop_server
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Private copies: a rebuild in the tree mid-run must not mix two versions.
cp "$CHAT_SERVER" "$dir/chat-server" && cp "$CHAT_BENCH" "$dir/chat-bench" ||
    exit 1
CHAT_SERVER=$dir/chat-server
CHAT_BENCH=$dir/chat-bench

# name|description|chat-bench arguments
scenario() {
	case $1 in
	rate)	echo "100 clients x 10 senders x 100 lines/s|-c 100 -s 10 -n 300 -r 100" ;;
	full)	echo "100 clients x 10 senders, full speed|-c 100 -s 10 -n 10000" ;;
	stall)	echo "100 clients (1 stalled) x 10 senders, full speed|-c 100 -s 10 -n 10000 -S 1" ;;
	c1000)	echo "1000 clients x 10 senders, full speed|-c 1000 -s 10 -n 500" ;;
	c10)	echo "10 clients x 1 sender, full speed|-c 10 -s 1 -n 100000" ;;
	*)	return 1 ;;
	esac
}

# The proxy first, so the server behind it never sees it still relaying.
stop_server() {
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid" 2>/dev/null
		wait "$proxy_pid" 2>/dev/null
		proxy_pid=
	fi
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
}

# Wait, bounded, for a pattern in a file process $1 writes once listening.
wait_for() {
	tries=0
	while [ $tries -lt 100 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		grep -q "$3" "$2" 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries + 1))
	done
	return 1
}

# Throttling and per-address limits off: every client is on 127.0.0.1.
# The port is the last one the listen line names: the TLS one if any.
start_chat_server() {
	rm -f "$dir/ours.log"
	$pin_server "$CHAT_SERVER" "$@" --bind 127.0.0.1 --log "$dir/ours.log" \
	    --flood-rate 0 --max-per-ip 0 --max-clients 2000 &
	server_pid=$!
	wait_for "$server_pid" "$dir/ours.log" " listen " || return 1
	port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) chat-server.*/\1/p' \
	    "$dir/ours.log" | head -n 1)
	args="--pid $server_pid"
}

start_ours() {
	start_chat_server --port 0
}

start_tls() {
	start_chat_server --port none --tls-port 0 --tls-cert "$dir/cert.pem" \
	    --tls-key "$dir/key.pem" || return 1
	args="$args --tls"
}

# A port nobody may be using: 20000-59999, from our pid and a try count.
pick_port() {
	port=$((20000 + ($$ * 7 + $1 * 131) % 40000))
}

# stunnel in front of a plain chat-server, both measured: CPU and peak
# RSS summed.  stunnel picks no port for us either.
start_stunnel() {
	start_ours || return 1
	plain_port=$port
	try=0
	while [ $try -lt 20 ]; do
		pick_port $try
		rm -f "$dir/stunnel.log"
		cat >"$dir/stunnel.conf" <<-EOF
		foreground = quiet
		pid =
		syslog = no
		output = $dir/stunnel.log
		debug = info
		[chat]
		accept = 127.0.0.1:$port
		connect = 127.0.0.1:$plain_port
		cert = $dir/cert.pem
		key = $dir/key.pem
		EOF
		$pin_server "$STUNNEL" "$dir/stunnel.conf" 2>>"$dir/stunnel.err" &
		proxy_pid=$!
		if wait_for "$proxy_pid" "$dir/stunnel.log" " bound to "; then
			args="--tls --pid $proxy_pid --pid $server_pid"
			return 0
		fi
		kill "$proxy_pid" 2>/dev/null
		wait "$proxy_pid" 2>/dev/null
		proxy_pid=
		try=$((try + 1))
	done
	return 1
}

# ncat picks no port for us: try a few until one binds.  Its default
# limit of 100 connections would refuse the 1000-client scenario.
start_ncat() {
	try=0
	while [ $try -lt 20 ]; do
		rm -f "$dir/ncat.err"
		pick_port $try
		$pin_server "$NCAT" -v --chat --max-conns 2000 -l 127.0.0.1 "$port" \
		    2>"$dir/ncat.err" &
		server_pid=$!
		if wait_for "$server_pid" "$dir/ncat.err" "Listening on"; then
			args="--pid $server_pid --no-echo"
			return 0
		fi
		stop_server
		try=$((try + 1))
	done
	return 1
}

run_one() {
	name=$1 server=$2 round=$3
	desc=$(scenario "$name") || { echo "unknown scenario $name" >&2; exit 1; }
	bargs=${desc#*|}
	if ! "start_$server"; then
		echo "run.sh: cannot start $server" >&2
		stop_server
		return
	fi
	# shellcheck disable=SC2086
	out=$($pin_bench "$CHAT_BENCH" --kv --port "$port" --time-limit 60 $args $bargs \
	    2>"$dir/bench.err")
	[ -n "$out" ] || out="failed=1 error=$(tr ' ' _ <"$dir/bench.err")"
	stop_server
	echo "$name $server $round $out" >>"$dir/results"
	printf '  %-6s %-12s run %s: %s\n' "$name" "$server" "$round" \
	    "$(echo "$out" | tr ' ' '\n' | grep -E \
	    '^(dps|cpu_ns|p99_ms|missing|ooo|rss_kb|error)=' | tr '\n' ' ')" >&2
}

# A throwaway self-signed certificate for both TLS servers, once.
make_cert() {
	[ -f "$dir/cert.pem" ] && return 0
	command -v openssl >/dev/null 2>&1 || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj /CN=localhost -keyout "$dir/key.pem" \
	    -out "$dir/cert.pem" >/dev/null 2>&1
}

# Built without TLS, chat-server refuses the TLS options at once.
tls_built() {
	! "$CHAT_SERVER" --port none --tls-port 0 --tls-cert /dev/null \
	    --tls-key /dev/null --log /dev/null 2>&1 |
	    grep -q "built without TLS"
}

# The columns asked for; those that cannot run are said so and left empty.
servers=
for server in $SERVERS; do
	case $server in
	ours)	;;
	ncat)
		if [ "$NCAT" = none ] || ! command -v "$NCAT" >/dev/null 2>&1
		then
			echo "run.sh: ncat not found, measuring without it" >&2
			continue
		fi ;;
	tls)
		if ! tls_built; then
			echo "run.sh: chat-server built without TLS, no tls" >&2
			continue
		fi
		if ! make_cert; then
			echo "run.sh: openssl cannot make a certificate, no tls" >&2
			continue
		fi ;;
	stunnel)
		if [ -z "$STUNNEL" ]; then
			STUNNEL=stunnel
			command -v stunnel >/dev/null 2>&1 || STUNNEL=stunnel4
		fi
		if ! command -v "$STUNNEL" >/dev/null 2>&1; then
			echo "run.sh: stunnel not found, measuring without it" >&2
			continue
		fi
		if ! tls_built; then	# chat-bench is built alike
			echo "run.sh: built without TLS, no stunnel" >&2
			continue
		fi
		if ! make_cert; then
			echo "run.sh: openssl cannot make a certificate, no" \
			    "stunnel" >&2
			continue
		fi ;;
	*)
		echo "run.sh: unknown server $server (ours, ncat, tls," \
		    "stunnel)" >&2
		exit 1 ;;
	esac
	servers="${servers:+$servers }$server"
done
[ -n "$servers" ] || { echo "run.sh: no server to measure" >&2; exit 1; }

echo "chat-bench: $RUNS rounds of: $SCENARIOS (servers: $servers)" \
    "${CPUS:+(pinned: server CPU ${CPUS% *}, chat-bench CPU ${CPUS#* })}" >&2
: >"$dir/results"
round=1
while [ $round -le "$RUNS" ]; do
	# Alternate which server goes first, so neither always runs warm.
	if [ $((round % 2)) -eq 1 ]; then order=$servers; else
		order=$(echo "$servers" | awk '{ for (i = NF; i > 0; i--)
		    printf "%s%s", $i, (i > 1 ? " " : "") }'); fi
	for name in $SCENARIOS; do
		for server in $order; do
			run_one "$name" "$server" "$round"
		done
	done
	round=$((round + 1))
done
[ -n "${BENCH_RESULTS:-}" ] && cp "$dir/results" "$BENCH_RESULTS"

for name in $SCENARIOS; do
	desc=$(scenario "$name")
	echo "$name|${desc%%|*}"
done >"$dir/names"

# The table's columns are the servers asked for, a "-" for one that could
# not run; its ratios compare them pairwise (first / second).
case " $SERVERS " in
*" tls "*)
	ratios=
	case " $SERVERS " in *" ours "*) ratios="tls/ours" ;; esac
	case " $SERVERS " in *" stunnel "*)
		ratios="${ratios:+$ratios }tls/stunnel" ;; esac
	heading="chat-server over TLS, plain and behind stunnel" ;;
*)
	ratios="ours/ncat"
	heading="chat-server vs ncat --chat" ;;
esac

awk -v runs="$RUNS" -v cols="$SERVERS" -v ratios="$ratios" \
    -v heading="$heading" -f - "$dir/names" "$dir/results" <<'EOF'
# Medians per scenario, server and metric; worst case for losses.
function median(key,    n, i, j, t, v) {
	n = split(vals[key], v, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function worst(key,    n, i, v, m) {
	n = split(vals[key], v, " ")
	if (n == 0)
		return ""
	m = v[1] + 0
	for (i = 2; i <= n; i++)
		if (v[i] + 0 > m)
			m = v[i] + 0
	return m
}
function fmt(x, unit) {
	if (x == "" || x == "-")
		return "-"
	if (unit == "int")
		return sprintf("%.0f", x)
	if (unit == "MB")
		return sprintf("%.1f", x / 1024)
	if (unit == "ns")
		return sprintf("%.1f", x)
	return sprintf("%.3f", x)
}
function ratio(a, b) {
	if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0)
		return "-"
	return sprintf("%.2f", a / b)
}
function pick(s, srv, metric, how) {
	if (how == "worst")
		return worst(s SUBSEP srv SUBSEP metric)
	return median(s SUBSEP srv SUBSEP metric)
}
# One line of the table: a value per column, then the ratios (none for
# losses, nor against a column that never ran).
function row(s, label, metric, unit, how,    i, line, a, b, r) {
	line = sprintf("  %-20s", label)
	for (i = 1; i <= ncols; i++)
		line = line sprintf(" %14s",
		    fmt(pick(s, col[i], metric, how), unit))
	for (i = 1; i <= nratios; i++) {
		a = pick(s, num[i], metric)
		b = pick(s, den[i], metric)
		r = have[den[i]] && how != "worst" ? ratio(a, b) : ""
		line = line sprintf(" %" rwidth[i] "s", r)
	}
	print line
}
# A row only some columns have (a proxy's share): left out if none do.
function row_if(s, label, metric, unit,    i) {
	for (i = 1; i <= ncols; i++)
		if (vals[s SUBSEP col[i] SUBSEP metric] != "") {
			row(s, label, metric, unit)
			return
		}
}
# A target line: what, the value, the test, pass or FAIL.
function target(what, value, ok) {
	if (value == "-" || value == "") {
		targets = targets sprintf("  %-58s %10s  %s\n", what, "-",
		    "n/a")
		return
	}
	targets = targets sprintf("  %-58s %10s  %s\n", what, value,
	    ok ? "pass" : "FAIL")
}
function lost_all(m,    k, lost) {
	lost = 0
	for (k = 1; k <= nscen; k++)
		lost += worst(order[k] SUBSEP m SUBSEP "missing") + \
		    worst(order[k] SUBSEP m SUBSEP "ooo") + \
		    worst(order[k] SUBSEP m SUBSEP "failed")
	return have[m] ? lost : ""
}
function ratio_of(s, a, b, metric) {
	return ratio(median(s SUBSEP a SUBSEP metric),
	    median(s SUBSEP b SUBSEP metric))
}
# Issue 5: chat-server against ncat --chat.
function targets_ncat(    m, r) {
	m = "ours"
	r = ratio_of("rate", m, "ncat", "p99_ms")
	target("rate: p99 vs ncat (<= 0.15)", r, r + 0 <= 0.15)
	r = ratio_of("full", m, "ncat", "dps")
	target("full: deliveries/s vs ncat (>= 1)", r, r + 0 >= 1)
	r = ratio_of("full", m, "ncat", "cpu_ns")
	target("full: CPU per delivery vs ncat (<= 0.7)", r, r + 0 <= 0.7)
	r = ratio_of("c1000", m, "ncat", "rss_kb")
	target("c1000: peak RSS vs ncat (<= 1)", r, r + 0 <= 1)
	r = ratio(median("stall" SUBSEP m SUBSEP "p99_ms"),
	    median("full" SUBSEP m SUBSEP "p99_ms"))
	target("stall: chat-server p99 vs its own without a stall (< 2)", r,
	    r + 0 < 2)
	r = ratio(median("stall" SUBSEP "ncat" SUBSEP "p99_ms"),
	    median("full" SUBSEP "ncat" SUBSEP "p99_ms"))
	if (have["ncat"])
		targets = targets sprintf("  %-58s %10s  %s\n",
		    "stall: ncat p99 vs its own without a stall (for reference)",
		    r, "")
	r = lost_all(m)
	target("chat-server: missing + out of order, all runs (= 0)", r,
	    r == 0)
	printf "\nTargets (chat-server / ncat --chat, same run)\n%s", targets
}
function note(what, value) {
	targets = targets sprintf("  %-58s %10s\n", what, value)
}
# Issue 8: chat-server's own TLS against stunnel in front of it.
function targets_tls(    r, s, k) {
	for (k = 1; k <= nscen; k++) {
		s = order[k]
		if (s != "full" && s != "c1000")
			continue
		r = ratio_of(s, "tls", "stunnel", "cpu_ns")
		target(s ": TLS CPU/delivery vs stunnel + chat-server (<= 1.5)",
		    r, r + 0 <= 1.5)
	}
	if (vals["c1000" SUBSEP "tls" SUBSEP "received"] != "") {
		r = worst("c1000" SUBSEP "tls" SUBSEP "missing") + \
		    worst("c1000" SUBSEP "tls" SUBSEP "ooo") + \
		    worst("c1000" SUBSEP "tls" SUBSEP "failed")
		target("c1000: 1000 TLS clients, missing + out of order (= 0)",
		    r, r == 0)
		note("c1000: TLS peak RSS MB (stunnel + chat-server: " \
		    fmt(median("c1000" SUBSEP "stunnel" SUBSEP "rss_kb"),
		    "MB") ")", fmt(median("c1000" SUBSEP "tls" SUBSEP "rss_kb"),
		    "MB"))
	}
	r = lost_all("tls")
	target("TLS: missing + out of order, all runs (= 0)", r, r == 0)
	printf "\nTargets (chat-server TLS / stunnel + chat-server, same " \
	    "run)\n%s", targets
}
BEGIN {
	label["ours"] = "chat-server"
	label["ncat"] = "ncat --chat"
	label["tls"] = "TLS built in"
	label["stunnel"] = "stunnel"
	rlabel["ours/ncat"] = "ratio"
	rlabel["tls/ours"] = "TLS/plain"
	rlabel["tls/stunnel"] = "TLS/stunnel"
	ncols = split(cols, col, " ")
	nratios = split(ratios, rat, " ")
	for (i = 1; i <= nratios; i++) {
		split(rat[i], pair, "/")
		num[i] = pair[1]
		den[i] = pair[2]
		rwidth[i] = length(rlabel[rat[i]]) > 8 ? \
		    length(rlabel[rat[i]]) : 8
	}
}
FNR == NR {
	split($0, d, "|")
	order[++nscen] = d[1]
	title[d[1]] = d[2]
	next
}
{
	s = $1; srv = $2
	have[srv] = 1
	if ($4 ~ /^failed=/)
		failed[s] = failed[s] " " srv "/run" $3
	for (i = 4; i <= NF; i++) {
		split($i, kv, "=")
		vals[s SUBSEP srv SUBSEP kv[1]] = vals[s SUBSEP srv SUBSEP kv[1]] \
		    (vals[s SUBSEP srv SUBSEP kv[1]] == "" ? "" : " ") kv[2]
	}
}
END {
	printf "\n%s: median of %d alternating runs (losses: worst run)\n",
	    heading, runs
	line = sprintf("  %-20s", "")
	for (i = 1; i <= ncols; i++)
		line = line sprintf(" %14s", label[col[i]])
	for (i = 1; i <= nratios; i++)
		line = line sprintf(" %" rwidth[i] "s", rlabel[rat[i]])
	print line
	for (k = 1; k <= nscen; k++) {
		s = order[k]
		printf "\n%s\n", title[s]
		if (s != "rate" && s != "stall")
			row(s, "deliveries/s", "dps", "int")
		row(s, "CPU ns/delivery", "cpu_ns", "ns")
		row_if(s, "  of it stunnel", "cpu_ns_1", "ns")
		row(s, "latency p50 ms", "p50_ms", "ms")
		row(s, "latency p99 ms", "p99_ms", "ms")
		row(s, "latency p99.9 ms", "p999_ms", "ms")
		row(s, "peak RSS MB", "rss_kb", "MB")
		row_if(s, "  of it stunnel", "rss_kb_1", "MB")
		if (s == "c1000")
			row(s, "joining s", "join_s", "ms")
		row(s, "missing", "missing", "int", "worst")
		row(s, "out of order", "ooo", "int", "worst")
		if (s == "stall") {
			row(s, "closed by server", "closed", "int", "worst")
			row(s, "server stuck", "stuck", "int", "worst")
		}
		if (failed[s])
			printf "  %-20s %s\n", "failed runs", failed[s]
	}
	if (cols ~ /(^| )tls( |$)/)
		targets_tls()
	else if (cols ~ /(^| )ours( |$)/ && cols ~ /(^| )ncat( |$)/)
		targets_ncat()
}
EOF
