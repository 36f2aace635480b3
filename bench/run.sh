#!/bin/sh
# make bench: run chat-bench against chat-server and, when it is installed,
# ncat --chat, alternating them scenario by scenario, a fresh server for
# every run, and print the medians side by side with their ratios.
#
# Environment: CHAT_SERVER, CHAT_BENCH (the built programs), RUNS (rounds,
# default 3), SCENARIOS (names to run, default all), NCAT (default ncat;
# "none" to run chat-server alone), BENCH_RESULTS (keep raw results here),
# CPUS ("S B": pin servers to CPU S and chat-bench to CPU B with taskset).
set -u

: "${CHAT_SERVER:?set CHAT_SERVER to the chat-server to measure}"
: "${CHAT_BENCH:?set CHAT_BENCH to chat-bench}"
RUNS=${RUNS:-3}
SCENARIOS=${SCENARIOS:-"rate full stall c1000 c10"}
NCAT=${NCAT:-ncat}
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

stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
}

# Wait, bounded, for a pattern in a file the server writes once listening.
wait_for() {
	tries=0
	while [ $tries -lt 100 ]; do
		kill -0 "$server_pid" 2>/dev/null || return 1
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries + 1))
	done
	return 1
}

# Throttling and per-address limits off: every client is on 127.0.0.1.
start_ours() {
	rm -f "$dir/ours.log"
	$pin_server "$CHAT_SERVER" --port 0 --bind 127.0.0.1 --log "$dir/ours.log" \
	    --flood-rate 0 --max-per-ip 0 --max-clients 2000 &
	server_pid=$!
	wait_for "$dir/ours.log" " listen " || return 1
	port=$(sed -n 's/.* listen .*:\([0-9][0-9]*\) chat-server.*/\1/p' \
	    "$dir/ours.log" | head -n 1)
	args="--pid $server_pid"
}

# ncat picks no port for us: try a few until one binds.  Its default
# limit of 100 connections would refuse the 1000-client scenario.
start_ncat() {
	try=0
	while [ $try -lt 20 ]; do
		rm -f "$dir/ncat.err"
		port=$((20000 + ($$ * 7 + try * 131) % 40000))
		$pin_server "$NCAT" -v --chat --max-conns 2000 -l 127.0.0.1 "$port" \
		    2>"$dir/ncat.err" &
		server_pid=$!
		if wait_for "$dir/ncat.err" "Listening on"; then
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

servers="ours"
if [ "$NCAT" != none ] && command -v "$NCAT" >/dev/null 2>&1; then
	servers="ours ncat"
else
	echo "run.sh: ncat not found, measuring chat-server alone" >&2
fi

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

awk -v runs="$RUNS" -f - "$dir/names" "$dir/results" <<'EOF'
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
function row(s, label, metric, unit, how,    a, b) {
	if (how == "worst") {
		a = worst(s SUBSEP "ours" SUBSEP metric)
		b = worst(s SUBSEP "ncat" SUBSEP metric)
	} else {
		a = median(s SUBSEP "ours" SUBSEP metric)
		b = median(s SUBSEP "ncat" SUBSEP metric)
	}
	printf "  %-20s %14s %14s %8s\n", label, fmt(a, unit),
	    have_ncat ? fmt(b, unit) : "-",
	    have_ncat && how != "worst" ? ratio(a, b) : ""
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
FNR == NR {
	split($0, d, "|")
	order[++nscen] = d[1]
	title[d[1]] = d[2]
	next
}
{
	s = $1; srv = $2
	if (srv == "ncat")
		have_ncat = 1
	if ($4 ~ /^failed=/)
		failed[s] = failed[s] " " srv "/run" $3
	for (i = 4; i <= NF; i++) {
		split($i, kv, "=")
		vals[s SUBSEP srv SUBSEP kv[1]] = vals[s SUBSEP srv SUBSEP kv[1]] \
		    (vals[s SUBSEP srv SUBSEP kv[1]] == "" ? "" : " ") kv[2]
	}
}
END {
	printf "\nchat-server vs ncat --chat: median of %d alternating runs " \
	    "(losses: worst run)\n", runs
	printf "  %-20s %14s %14s %8s\n", "", "chat-server", "ncat --chat",
	    "ratio"
	for (k = 1; k <= nscen; k++) {
		s = order[k]
		printf "\n%s\n", title[s]
		if (s != "rate" && s != "stall")
			row(s, "deliveries/s", "dps", "int")
		row(s, "CPU ns/delivery", "cpu_ns", "ns")
		row(s, "latency p50 ms", "p50_ms", "ms")
		row(s, "latency p99 ms", "p99_ms", "ms")
		row(s, "latency p99.9 ms", "p999_ms", "ms")
		row(s, "peak RSS MB", "rss_kb", "MB")
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

	m = "ours"
	target("rate: p99 vs ncat (<= 0.15)", ratio(median("rate" SUBSEP m \
	    SUBSEP "p99_ms"), median("rate" SUBSEP "ncat" SUBSEP "p99_ms")),
	    ratio(median("rate" SUBSEP m SUBSEP "p99_ms"),
	    median("rate" SUBSEP "ncat" SUBSEP "p99_ms")) + 0 <= 0.15)
	r = ratio(median("full" SUBSEP m SUBSEP "dps"),
	    median("full" SUBSEP "ncat" SUBSEP "dps"))
	target("full: deliveries/s vs ncat (>= 1)", r, r + 0 >= 1)
	r = ratio(median("full" SUBSEP m SUBSEP "cpu_ns"),
	    median("full" SUBSEP "ncat" SUBSEP "cpu_ns"))
	target("full: CPU per delivery vs ncat (<= 0.7)", r, r + 0 <= 0.7)
	r = ratio(median("c1000" SUBSEP m SUBSEP "rss_kb"),
	    median("c1000" SUBSEP "ncat" SUBSEP "rss_kb"))
	target("c1000: peak RSS vs ncat (<= 1)", r, r + 0 <= 1)
	r = ratio(median("stall" SUBSEP m SUBSEP "p99_ms"),
	    median("full" SUBSEP m SUBSEP "p99_ms"))
	target("stall: chat-server p99 vs its own without a stall (< 2)", r,
	    r + 0 < 2)
	r = ratio(median("stall" SUBSEP "ncat" SUBSEP "p99_ms"),
	    median("full" SUBSEP "ncat" SUBSEP "p99_ms"))
	if (have_ncat)
		targets = targets sprintf("  %-58s %10s  %s\n",
		    "stall: ncat p99 vs its own without a stall (for reference)",
		    r, "")
	lost = 0
	for (k = 1; k <= nscen; k++)
		lost += worst(order[k] SUBSEP m SUBSEP "missing") + \
		    worst(order[k] SUBSEP m SUBSEP "ooo") + \
		    worst(order[k] SUBSEP m SUBSEP "failed")
	target("chat-server: missing + out of order, all runs (= 0)", lost,
	    lost == 0)
	printf "\nTargets (chat-server / ncat --chat, same run)\n%s", targets
}
EOF
