# chat-bench: the fan-out load generator.  Built by make, never installed;
# "make bench" compares chat-server with ncat --chat when ncat is there.
noinst_PROGRAMS += bench/chat-bench
bench_chat_bench_SOURCES = \
	bench/bench.h \
	bench/conn.c \
	bench/hist.c \
	bench/line.c \
	bench/loop.c \
	bench/main.c \
	bench/proc.c \
	bench/send.c
bench_chat_bench_LDADD = common/libcommon.a compat/libcompat.a

EXTRA_DIST += bench/run.sh bench/smoke.sh bench/cluster.sh
if ENABLE_TESTS
TESTS += bench/smoke.sh
endif

# RUNS and SCENARIOS may be set on the command line: make bench RUNS=5
bench: bench/chat-bench server/chat-server
	CHAT_SERVER='$(abs_top_builddir)/server/chat-server' \
	CHAT_BENCH='$(abs_top_builddir)/bench/chat-bench' \
	$(SHELL) '$(top_srcdir)/bench/run.sh'

# chat-server's own TLS against plain and against stunnel in front of it.
bench-tls: bench/chat-bench server/chat-server
	CHAT_SERVER='$(abs_top_builddir)/server/chat-server' \
	CHAT_BENCH='$(abs_top_builddir)/bench/chat-bench' \
	SERVERS="$${SERVERS:-ours tls stunnel}" \
	SCENARIOS="$${SCENARIOS:-rate full c1000}" \
	$(SHELL) '$(top_srcdir)/bench/run.sh'

# chat-server as several processes: --reuse-port, a cluster through
# Redis (issue 9); see bench/cluster.sh.  Never part of make check.
bench-cluster: bench/chat-bench server/chat-server
	CHAT_SERVER='$(abs_top_builddir)/server/chat-server' \
	CHAT_BENCH='$(abs_top_builddir)/bench/chat-bench' \
	$(SHELL) '$(top_srcdir)/bench/cluster.sh'

.PHONY: bench bench-tls bench-cluster
