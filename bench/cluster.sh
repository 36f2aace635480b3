#!/bin/sh
# make bench-cluster: chat-server as several processes.  Each run starts
# fresh servers (and a fresh redis-server for those of a cluster),
# chat-bench measures, and the medians are printed per scenario with
# their ratios and the targets of issue 9:
#
#   four    4 servers on one port (--reuse-port), one room through one
#           Redis, 4000 clients: must finish with nothing lost or out of
#           order (the kernel spreads the clients; a server that is full
#           turns one away and chat-bench connects it again)
#   alone   1 server, 1000 clients x 10 senders, full speed (run.sh's c1000)
#   one     the same through a cluster of one server and Redis: what the
#           cluster costs (one/alone)
#   single  1 server, 100 clients, 10 senders x 10 lines/s: 100 lines/s
#   cross   the same over 2 servers of a cluster, the senders on one and
#           the readers on the other: every latency is across servers
#           (target: p99 <= 3 x single's)
#
# CPU per delivery is summed over every process: the servers and
# redis-server (chat-bench --pid for each, /proc/PID/stat); RSS is each
# server's peak.  The scenarios of a cluster need a chat-server with
# --redis (configure --with-redis) and redis-server; without either they
# are skipped, saying why.
#
# Environment: CHAT_SERVER, CHAT_BENCH (the built programs), RUNS (rounds,
# default 3), SCENARIOS (default "four alone one single cross"),
# REDIS_SERVER (default redis-server), BENCH_RESULTS (keep raw results).
set -u

: "${CHAT_SERVER:?set CHAT_SERVER to the chat-server to measure}"
: "${CHAT_BENCH:?set CHAT_BENCH to chat-bench}"
RUNS=${RUNS:-3}
SCENARIOS=${SCENARIOS:-"four alone one single cross"}
REDIS_SERVER=${REDIS_SERVER:-redis-server}

dir=$(mktemp -d "${TMPDIR:-/tmp}/chat-bench-cluster.XXXXXX") || exit 1
server_pids=
redis_pid=
cleanup() {
	stop_all
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Private copies: a rebuild in the tree mid-run must not mix two versions.
cp "$CHAT_SERVER" "$dir/chat-server" && cp "$CHAT_BENCH" "$dir/chat-bench" ||
    exit 1
CHAT_SERVER=$dir/chat-server
CHAT_BENCH=$dir/chat-bench

# name|description|servers|cluster|ports|chat-bench arguments
# (ports: shared, one port for all with --reuse-port; split, each its own,
# the senders on the first and the readers on the second)
scenario() {
	case $1 in
	four)	echo "4 servers on one port, one Redis: 4000 clients x 10 senders x 100 lines|4|yes|shared|-c 4000 -s 10 -n 100 --time-limit 600" ;;
	alone)	echo "1 server alone: 1000 clients x 10 senders, full speed|1|no|shared|-c 1000 -s 10 -n 500" ;;
	one)	echo "1 server and Redis: 1000 clients x 10 senders, full speed|1|yes|shared|-c 1000 -s 10 -n 500" ;;
	single)	echo "1 server: 100 clients, 10 senders x 10 lines/s|1|no|shared|-c 100 -s 10 -r 10 -n 200" ;;
	cross)	echo "2 servers and Redis, senders on one, readers on the other: 100 clients, 10 senders x 10 lines/s|2|yes|split|-c 100 -s 10 -r 10 -n 200" ;;
	*)	return 1 ;;
	esac
}

stop_all() {
	for pid in $server_pids $redis_pid; do
		kill "$pid" 2>/dev/null
	done
	for pid in $server_pids $redis_pid; do
		wait "$pid" 2>/dev/null
	done
	server_pids=
	redis_pid=
}

# Wait, bounded, for a pattern in a file process $1 writes; 1 if it exits.
wait_for() {
	tries=0
	while [ $tries -lt 600 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		grep -q "$3" "$2" 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries + 1))
	done
	return 1
}

# A port for redis-server, which has no port 0: from our pid and a try.
pick_port() {
	rport=$((20000 + ($$ * 7 + $1 * 131) % 12000))
}

# A redis-server of our own, nothing saved; redis_url and redis_pid.
start_redis() {
	try=0
	while [ $try -lt 20 ]; do
		pick_port $try
		rm -f "$dir/redis.log"
		"$REDIS_SERVER" --port "$rport" --bind 127.0.0.1 --save '' \
		    --appendonly no --daemonize no >"$dir/redis.log" 2>&1 &
		redis_pid=$!
		if wait_for "$redis_pid" "$dir/redis.log" \
		    "Ready to accept connections"; then
			redis_url=redis://127.0.0.1:$rport
			return 0
		fi
		wait "$redis_pid" 2>/dev/null
		redis_pid=
		grep -q "Address already in use" "$dir/redis.log" || break
		try=$((try + 1))
	done
	echo "cluster.sh: redis-server did not start:" >&2
	cat "$dir/redis.log" >&2
	return 1
}

# The port in a server's listen line.
listen_port() {
	sed -n 's/.* listen .*:\([0-9][0-9]*\) chat-server.*/\1/p' "$1" |
	    head -n 1
}

# n servers, of a cluster or not, sharing a port or not; ports in
# "ports", pids in server_pids.  Throttling and per-address limits off:
# every client is on 127.0.0.1.
start_servers() {
	n=$1 cluster=$2 shared=$3 room=bench$4
	ports=
	if [ "$cluster" = yes ]; then start_redis || return 1; fi
	i=1
	while [ "$i" -le "$n" ]; do
		log=$dir/s$i.log
		rm -f "$log"
		set -- --port 0
		if [ "$shared" = shared ]; then
			[ "$i" -gt 1 ] && set -- --port "${ports%% *}"
			set -- "$@" --reuse-port
		fi
		[ "$cluster" = yes ] && set -- "$@" --redis "$redis_url" \
		    --room "$room" --name "s$i"
		"$CHAT_SERVER" "$@" --bind 127.0.0.1 --log "$log" \
		    --flood-rate 0 --max-per-ip 0 --max-clients 2000 \
		    2>>"$dir/servers.err" &
		server_pids="${server_pids:+$server_pids }$!"
		wait_for "$!" "$log" " listen " || return 1
		if [ "$cluster" = yes ] &&
		    ! wait_for "$!" "$log" "cluster link up"; then
			return 1
		fi
		ports="${ports:+$ports }$(listen_port "$log")"
		i=$((i + 1))
	done
}

# Whether this chat-server can be one of a cluster.
cluster_built() {
	"$CHAT_SERVER" --help 2>/dev/null | grep -q -- '--redis'
}

run_one() {
	name=$1 round=$2
	desc=$(scenario "$name") || { echo "unknown scenario $name" >&2; exit 1; }
	IFS='|' read -r _ n cluster shared bargs <<-EOF
	$desc
	EOF
	if ! start_servers "$n" "$cluster" "$shared" "$round"; then
		echo "cluster.sh: cannot start the servers of $name:" >&2
		cat "$dir"/s*.log "$dir/servers.err" 2>/dev/null | tail -5 >&2
		stop_all
		echo "$name $round failed=1" >>"$dir/results"
		return
	fi
	set -- --port "${ports##* }"
	[ "$shared" = split ] && set -- --sender-port "${ports%% *}" "$@"
	for pid in $server_pids $redis_pid; do
		set -- "$@" --pid "$pid"
	done
	# shellcheck disable=SC2086
	out=$("$CHAT_BENCH" --kv "$@" $bargs 2>"$dir/bench.err")
	[ -n "$out" ] || out="failed=1 error=$(tr ' ' _ <"$dir/bench.err")"
	stop_all
	echo "$name $round servers=$n redis=$([ "$cluster" = yes ] &&
	    echo $((n + 1)) || echo 0) $out" >>"$dir/results"
	printf '  %-6s run %s: %s\n' "$name" "$round" "$(echo "$out" |
	    tr ' ' '\n' | grep -E '^(dps|cpu_ns|p99_ms|missing|ooo|refused|error)=' |
	    tr '\n' ' ')" >&2
}

# The scenarios that can run here; the others said so.
run=
for name in $SCENARIOS; do
	desc=$(scenario "$name") || { echo "unknown scenario $name" >&2; exit 1; }
	case $desc in
	*"|yes|"*)
		if ! cluster_built; then
			echo "cluster.sh: skipped $name: this chat-server has" \
			    "no --redis (configure --with-redis)" >&2
			continue
		fi
		if ! command -v "$REDIS_SERVER" >/dev/null 2>&1; then
			echo "cluster.sh: skipped $name: $REDIS_SERVER is not" \
			    "installed" >&2
			continue
		fi ;;
	esac
	run="${run:+$run }$name"
done
[ -n "$run" ] || { echo "cluster.sh: no scenario can run" >&2; exit 1; }

echo "chat-bench: $RUNS rounds of: $run" >&2
: >"$dir/results"
round=1
while [ $round -le "$RUNS" ]; do
	for name in $run; do
		run_one "$name" "$round"
	done
	round=$((round + 1))
done
[ -n "${BENCH_RESULTS:-}" ] && cp "$dir/results" "$BENCH_RESULTS"

for name in $run; do
	desc=$(scenario "$name")
	echo "$name|${desc%%|*}"
done >"$dir/names"

awk -v runs="$RUNS" -f - "$dir/names" "$dir/results" <<'EOF'
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
function row(s, label, metric, unit, how) {
	printf "  %-34s %14s\n", label, fmt(how == "worst" ? \
	    worst(s SUBSEP metric) : median(s SUBSEP metric), unit)
}
function target(what, value, ok) {
	if (value == "-" || value == "")
		targets = targets sprintf("  %-58s %10s  %s\n", what, "-", "n/a")
	else
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
	s = $1
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		key = s SUBSEP kv[1]
		vals[key] = vals[key] (vals[key] == "" ? "" : " ") kv[2]
	}
	# The pids were the servers, then redis-server: its share apart,
	# and each server's peak RSS.
	n = 0; sum = 0; peak = 0; rcpu = ""; rrss = ""
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		f[kv[1]] = kv[2]
	}
	for (k = 1; k <= f["servers"]; k++) {
		if (("rss_kb_" k) in f) {
			sum += f["rss_kb_" k]
			if (f["rss_kb_" k] > peak)
				peak = f["rss_kb_" k]
		} else if (f["servers"] == 1 && "rss_kb" in f)
			sum = peak = f["rss_kb"]
	}
	if (f["redis"] > 0) {
		rcpu = f["cpu_ns_" f["redis"]]
		rrss = f["rss_kb_" f["redis"]]
	}
	add(s, "server_rss_avg", f["servers"] > 0 ? sum / f["servers"] : "")
	add(s, "server_rss_max", peak)
	add(s, "redis_cpu_ns", rcpu)
	add(s, "redis_rss_kb", rrss)
	delete f
}
function add(s, k, v) {
	if (v == "")
		return
	vals[s SUBSEP k] = vals[s SUBSEP k] (vals[s SUBSEP k] == "" ? "" : " ") v
}
END {
	printf "chat-server as several processes: median of %d runs (losses: worst run)\n", runs
	for (k = 1; k <= nscen; k++) {
		s = order[k]
		printf "\n%s: %s\n", s, title[s]
		if (vals[s SUBSEP "received"] == "") {
			printf "  failed in every run\n"
			continue
		}
		row(s, "deliveries/s", "dps", "int")
		row(s, "latency p50 ms", "p50_ms", "ms")
		row(s, "latency p99 ms", "p99_ms", "ms")
		row(s, "latency p99.9 ms", "p999_ms", "ms")
		row(s, "CPU ns/delivery, all processes", "cpu_ns", "ns")
		if (vals[s SUBSEP "redis_cpu_ns"] != "")
			row(s, "  of it redis-server", "redis_cpu_ns", "ns")
		row(s, "peak RSS MB per server (mean)", "server_rss_avg", "MB")
		row(s, "peak RSS MB per server (max)", "server_rss_max", "MB")
		if (vals[s SUBSEP "redis_rss_kb"] != "")
			row(s, "redis-server peak RSS MB", "redis_rss_kb", "MB")
		row(s, "joining s", "join_s", "ms")
		row(s, "refused as full, connected again", "refused", "int",
		    "worst")
		row(s, "missing", "missing", "int", "worst")
		row(s, "out of order", "ooo", "int", "worst")
		row(s, "failed runs", "failed", "int", "worst")
	}
	if (vals["four" SUBSEP "received"] != "" || "four" in title) {
		r = worst("four" SUBSEP "missing") + worst("four" SUBSEP "ooo") + \
		    worst("four" SUBSEP "failed")
		target("four: 4 servers, 4000 clients, lost + out of order (= 0)",
		    vals["four" SUBSEP "received"] == "" ? "-" : r, r == 0)
	}
	m = "dps"
	r = ratio(median("one" SUBSEP m), median("alone" SUBSEP m))
	targets = targets sprintf("  %-58s %10s\n",
	    "one/alone: deliveries/s (for the record)", r)
	r = ratio(median("one" SUBSEP "cpu_ns"), median("alone" SUBSEP "cpu_ns"))
	targets = targets sprintf("  %-58s %10s\n",
	    "one/alone: CPU per delivery, Redis included", r)
	r = ratio(median("one" SUBSEP "p99_ms"), median("alone" SUBSEP "p99_ms"))
	targets = targets sprintf("  %-58s %10s\n", "one/alone: p99", r)
	r = ratio(median("cross" SUBSEP "p99_ms"),
	    median("single" SUBSEP "p99_ms"))
	target("cross/single: p99 at 100 lines/s (<= 3)", r, r + 0 <= 3)
	printf "\nTargets and ratios\n%s", targets
}
EOF
