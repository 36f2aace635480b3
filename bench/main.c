/*
 * chat-bench: a fan-out load generator for line-based chat servers.
 * Options, start-up and the report; the work is in the loop.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xmalloc.h"
#include "bench/bench.h"

#define EXIT_LOST	1	/* lines missing or out of order */
#define EXIT_USAGE	2
#define CLIENTS_MAX	100000
#define TIME_LIMIT_DEFAULT 60

static const struct option longopts[] = {
	{ "bytes",	 required_argument,	NULL, 'b' },
	{ "clients",	 required_argument,	NULL, 'c' },
	{ "no-echo",	 no_argument,		NULL, 'E' },
	{ "help",	 no_argument,		NULL, 'h' },
	{ "host",	 required_argument,	NULL, 'H' },
	{ "kv",		 no_argument,		NULL, 'k' },
	{ "lines",	 required_argument,	NULL, 'n' },
	{ "pid",	 required_argument,	NULL, 'P' },
	{ "port",	 required_argument,	NULL, 'p' },
	{ "rate",	 required_argument,	NULL, 'r' },
	{ "sender-port", required_argument,	NULL, 'X' },
	{ "senders",	 required_argument,	NULL, 's' },
	{ "stalled",	 required_argument,	NULL, 'S' },
	{ "time-limit",	 required_argument,	NULL, 't' },
	{ "tls",	 no_argument,		NULL, 'T' },
	{ "version",	 no_argument,		NULL, 'V' },
	{ "window",	 required_argument,	NULL, 'w' },
	{ "no-welcome",	 no_argument,		NULL, 'W' },
	{ NULL,		 0,			NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: chat-bench [-EhkTVW] [-b bytes] [-c clients] [-H host] [-n lines]\n"
"                  [-P pid] [-r rate] [-S stalled] [-s senders]\n"
"                  [-t seconds] [-w window] [-X port] -p port\n"
"\n"
"  -p, --port PORT        the server's TCP port\n"
"  -H, --host ADDRESS     the server's address (default 127.0.0.1)\n"
"  -X, --sender-port PORT the senders connect here, the others to --port\n"
"                         (across servers of a cluster); the latencies\n"
"                         are the others' only\n"
"  -c, --clients N        connections, all reading (default 100)\n"
"  -s, --senders N        of them, how many send (default 10)\n"
"  -n, --lines N          lines each sender sends (default 1000)\n"
"  -b, --bytes N          bytes per line with its newline (default 64; %d-%d)\n"
"  -r, --rate N           lines/s per sender (default 0: full speed)\n"
"  -w, --window N         at full speed, lines in flight per sender (default 32)\n"
"  -S, --stalled N        clients that stop reading once joined (default 0)\n"
"  -E, --no-echo          the server does not send a line back to its sender\n"
"  -W, --no-welcome       do not wait for a first line from the server\n"
"  -P, --pid PID          the server's pid, for its CPU time and peak RSS;\n"
"                         up to %d, summed (a TLS proxy and the server,\n"
"                         servers and their Redis)\n"
"  -T, --tls              connect with TLS (the certificate is not checked)\n"
"  -t, --time-limit SECS  give up after this long (default %d)\n"
"  -k, --kv               one line of key=value results, for scripts\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n",
	    LINE_MIN_BYTES, LINE_MAX_BYTES, PIDS_MAX, TIME_LIMIT_DEFAULT);
}

static void __attribute__((noreturn))
usage_error(const char *what, const char *s)
{
	fprintf(stderr, "chat-bench: invalid %s \"%s\"\n"
	    "Try 'chat-bench --help' for more information.\n", what, s);
	exit(EXIT_USAGE);
}

static unsigned long long
parse_number(const char *what, const char *s, unsigned long long min,
    unsigned long long max)
{
	unsigned long long	 v;
	char			*end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min ||
	    v > max)
		usage_error(what, s);
	return v;
}

uint64_t
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Who receives each line: every reader, less the sender without echo. */
uint64_t
bench_receivers(const struct bench *b)
{
	return b->clients - b->stalled - (b->echo ? 0 : 1);
}

uint64_t
bench_expected(const struct bench *b)
{
	uint64_t	sent = 0;
	unsigned int	i;

	for (i = 0; i < b->senders; i++)
		sent += b->sends[i].sent;
	return sent * bench_receivers(b);
}

static void
parse_options(struct bench *b, int argc, char **argv)
{
	int	ch;

	while ((ch = getopt_long(argc, argv, "b:c:EhH:kn:P:p:r:S:s:Tt:Vw:WX:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			b->bytes = (unsigned int)parse_number("line size",
			    optarg, LINE_MIN_BYTES, LINE_MAX_BYTES);
			break;
		case 'c':
			b->clients = (unsigned int)parse_number("client count",
			    optarg, 1, CLIENTS_MAX);
			break;
		case 'E':
			b->echo = 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'H':
			b->host = optarg;
			break;
		case 'k':
			b->kv = 1;
			break;
		case 'n':
			b->lines = parse_number("line count", optarg, 1,
			    1000000000);
			break;
		case 'P':
			if (b->npids == PIDS_MAX)
				usage_error("pid (too many)", optarg);
			b->pids[b->npids++] = (long)parse_number("pid", optarg,
			    1, 1 << 30);
			break;
		case 'p':
			b->port = optarg;
			break;
		case 'r':
			b->rate = (unsigned int)parse_number("rate", optarg, 0,
			    1000000);
			break;
		case 'S':
			b->stalled = (unsigned int)parse_number("stalled count",
			    optarg, 0, CLIENTS_MAX);
			break;
		case 's':
			b->senders = (unsigned int)parse_number("sender count",
			    optarg, 1, CLIENTS_MAX);
			break;
		case 'T':
			b->tls = 1;
			break;
		case 't':
			b->time_limit = parse_number("time limit", optarg, 1,
			    86400) * NS_PER_SEC;
			break;
		case 'V':
			printf("chat-bench %s\n", PACKAGE_VERSION);
			exit(0);
		case 'w':
			b->window = (unsigned int)parse_number("window", optarg,
			    1, 1000000);
			break;
		case 'W':
			b->wait_welcome = 0;
			break;
		case 'X':
			b->sender_port = optarg;
			break;
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("argument", argv[optind]);
	if (b->port == NULL)
		usage_error("port", "");
	if (b->senders + b->stalled > b->clients ||
	    bench_receivers(b) == 0) {
		fprintf(stderr, "chat-bench: %u senders and %u stalled "
		    "clients need more than %u clients\n", b->senders,
		    b->stalled, b->clients);
		exit(EXIT_USAGE);
	}
}

/* Senders come first, stalled clients last, the rest only read. */
static void
setup(struct bench *b)
{
	unsigned int	 i;
	char		*cause;

	if (proc_raise_fd_limit(b->clients) == -1)
		errx(1, "cannot raise the descriptor limit to %u "
		    "connections", b->clients);
	signal(SIGPIPE, SIG_IGN);
	if (b->tls && (b->tls_ctx = stream_ctx_client(NULL, &cause)) == NULL)
		errx(1, "%s", cause);
	b->conns = xcalloc(b->clients, sizeof *b->conns);
	b->pfds = xcalloc(b->clients, sizeof *b->pfds);
	b->sends = xcalloc(b->senders, sizeof *b->sends);
	b->seqs = xcalloc((size_t)b->clients * b->senders, sizeof *b->seqs);
	for (i = 0; i < b->clients; i++) {
		b->conns[i].fd = -1;
		b->conns[i].index = i;
		b->conns[i].stalled = i >= b->clients - b->stalled;
		b->conns[i].last_seq = b->seqs + (size_t)i * b->senders;
		b->pfds[i].fd = -1;
	}
	for (i = 0; i < b->senders; i++)
		b->sends[i].c = &b->conns[i];
}

static uint64_t
cpu_self_ns(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    NS_PER_SEC + (uint64_t)(ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_usec) * 1000;
}

struct result {
	uint64_t	expected, missing;
	double		seconds, per_sec;
	double		p50, p99, p999, max;	/* ms */
	double		cpu_ns;			/* server, per delivery */
	double		cpu_ns_each[PIDS_MAX];	/* of it, each --pid's */
	uint64_t	rss_kb;			/* summed over the pids */
	uint64_t	rss_kb_each[PIDS_MAX];
	double		bench_cpu;		/* seconds */
	int		have_cpu, have_rss;
};

/* Every --pid's CPU time now; -1 if one cannot be read (it is gone). */
static int
pids_cpu_ns(const struct bench *b, uint64_t *ns)
{
	unsigned int	i;

	for (i = 0; i < b->npids; i++) {
		if (proc_cpu_ns(b->pids[i], &ns[i]) == -1)
			return -1;
	}
	return b->npids > 0 ? 0 : -1;
}

/* Peak RSS of every --pid, and their sum (an upper bound on the pair's). */
static int
pids_peak_rss(const struct bench *b, struct result *r)
{
	unsigned int	i;

	r->rss_kb = 0;
	for (i = 0; i < b->npids; i++) {
		if (proc_peak_rss_kb(b->pids[i], &r->rss_kb_each[i]) == -1)
			return -1;
		r->rss_kb += r->rss_kb_each[i];
	}
	return b->npids > 0 ? 0 : -1;
}

static void
report_text(const struct bench *b, const struct result *r)
{
	unsigned int	i;

	printf("chat-bench: %u clients (%u stalled)%s, %u senders x %llu "
	    "lines of %u bytes, ", b->clients, b->stalled, b->tls ?
	    " over TLS" : "", b->senders, (unsigned long long)b->lines,
	    b->bytes);
	if (b->rate == 0)
		printf("full speed (window %u)\n", b->window);
	else
		printf("%u lines/s each\n", b->rate);
	printf("joining:     %u clients in %.3f s, quiet after %.3f s\n",
	    b->clients, (double)(b->joined - b->start) / 1e9,
	    (double)(b->settled - b->start) / 1e9);
	printf("deliveries:  expected %llu, received %llu, missing %llu, "
	    "out of order %llu%s\n", (unsigned long long)r->expected,
	    (unsigned long long)b->received, (unsigned long long)r->missing,
	    (unsigned long long)b->out_of_order,
	    b->timed_out ? " (time limit reached)" :
	    b->stuck ? " (server stopped sending)" : "");
	if (b->closed > 0)
		printf("closed:      %u connections closed by the server\n",
		    b->closed);
	if (b->refused > 0)
		printf("refused:     %u connections turned away as full, "
		    "made again\n", b->refused);
	printf("throughput:  %.0f deliveries/s over %.3f s\n", r->per_sec,
	    r->seconds);
	printf("latency:     p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
	    "max %.3f ms\n", r->p50, r->p99, r->p999, r->max);
	if (r->have_cpu)
		printf("server:      %.1f ns CPU per delivery\n", r->cpu_ns);
	for (i = 0; r->have_cpu && b->npids > 1 && i < b->npids; i++)
		printf("  pid %-6ld %.1f ns of it\n", b->pids[i],
		    r->cpu_ns_each[i]);
	if (r->have_rss)
		printf("server:      %.1f MB peak RSS\n",
		    (double)r->rss_kb / 1024);
	for (i = 0; r->have_rss && b->npids > 1 && i < b->npids; i++)
		printf("  pid %-6ld %.1f MB of it\n", b->pids[i],
		    (double)r->rss_kb_each[i] / 1024);
	printf("chat-bench:  %.2f s CPU\n", r->bench_cpu);
}

static void
report_kv(const struct bench *b, const struct result *r)
{
	unsigned int	i;

	printf("clients=%u senders=%u stalled=%u lines=%llu bytes=%u rate=%u "
	    "expected=%llu received=%llu missing=%llu ooo=%llu closed=%u "
	    "timeout=%d stuck=%d seconds=%.4f dps=%.0f p50_ms=%.4f p99_ms=%.4f "
	    "p999_ms=%.4f max_ms=%.4f bench_cpu_s=%.3f join_s=%.3f",
	    b->clients, b->senders, b->stalled, (unsigned long long)b->lines,
	    b->bytes, b->rate, (unsigned long long)r->expected,
	    (unsigned long long)b->received, (unsigned long long)r->missing,
	    (unsigned long long)b->out_of_order, b->closed, b->timed_out,
	    b->stuck, r->seconds, r->per_sec, r->p50, r->p99, r->p999, r->max,
	    r->bench_cpu, (double)(b->settled - b->start) / 1e9);
	if (r->have_cpu)
		printf(" cpu_ns=%.2f", r->cpu_ns);
	else
		printf(" cpu_ns=-");
	if (r->have_rss)
		printf(" rss_kb=%llu", (unsigned long long)r->rss_kb);
	else
		printf(" rss_kb=-");
	for (i = 0; b->npids > 1 && i < b->npids; i++) {
		if (r->have_cpu)
			printf(" cpu_ns_%u=%.2f", i + 1, r->cpu_ns_each[i]);
		if (r->have_rss)
			printf(" rss_kb_%u=%llu", i + 1,
			    (unsigned long long)r->rss_kb_each[i]);
	}
	printf(" refused=%u tls=%d\n", b->refused, b->tls);
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

int
main(int argc, char **argv)
{
	static struct bench	 bench = {
		.host = "127.0.0.1",
		.clients = 100,
		.senders = 10,
		.lines = 1000,
		.bytes = 64,
		.window = 32,
		.echo = 1,
		.wait_welcome = 1,
		.time_limit = TIME_LIMIT_DEFAULT * NS_PER_SEC,
	};
	struct bench		*b = &bench;
	struct result		 r;
	uint64_t		 cpu0[PIDS_MAX], cpu1[PIDS_MAX], cpu = 0, self0;
	unsigned int		 i;

	parse_options(b, argc, argv);
	setup(b);
	b->start = bench_now();
	b->deadline = b->start + b->time_limit;

	loop_connect(b);
	b->joined = bench_now();
	loop_settle(b);
	b->settled = bench_now();
	memset(&r, 0, sizeof r);
	r.have_cpu = pids_cpu_ns(b, cpu0) == 0;
	self0 = cpu_self_ns();
	loop_send(b);
	r.have_cpu = r.have_cpu && pids_cpu_ns(b, cpu1) == 0;
	r.have_rss = pids_peak_rss(b, &r) == 0;
	r.bench_cpu = (double)(cpu_self_ns() - self0) / 1e9;
	loop_check_stalled(b);

	r.expected = bench_expected(b);
	r.missing = r.expected > b->received ? r.expected - b->received : 0;
	r.seconds = (double)(b->last_delivery - b->send_start) / 1e9;
	r.per_sec = r.seconds > 0 ? (double)b->received / r.seconds : 0;
	r.p50 = ms(hist_percentile(&b->latency, 0.50));
	r.p99 = ms(hist_percentile(&b->latency, 0.99));
	r.p999 = ms(hist_percentile(&b->latency, 0.999));
	r.max = ms(b->latency.max);
	for (i = 0; r.have_cpu && b->received > 0 && i < b->npids; i++) {
		r.cpu_ns_each[i] = (double)(cpu1[i] - cpu0[i]) /
		    (double)b->received;
		cpu += cpu1[i] - cpu0[i];
	}
	if (r.have_cpu && b->received > 0)
		r.cpu_ns = (double)cpu / (double)b->received;
	else
		r.have_cpu = 0;

	if (b->kv)
		report_kv(b, &r);
	else
		report_text(b, &r);
	return r.missing == 0 && b->out_of_order == 0 ? 0 : EXIT_LOST;
}
