/*
 * Fault suite, TLS and the room password (issue 8): clients no one here
 * wrote (openssl s_client, ncat) chat through the TLS port with a plain
 * one; a stalled TLS reader, half-open handshakes, garbage and plain text
 * on the TLS port; certificates reloaded on SIGHUP; every promise of the
 * plain port (order under a burst, lingering close) over TLS; and the
 * password on both ports.  Certificates are made at test time by
 * tests/tls_certs.sh.  Built without TLS, the TLS tests skip and the
 * password tests run on the plain port.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server.h"
#include "tests/fault.h"
#include "tests/harness.h"
#include "tests/tls_client.h"

#define NICK_BUF_BYTES	32	/* a nickname read back from the server */
#define PASSWORD	"s3cret-Tr0ub4dor&3"	/* the room's, in these tests */
#define WRONG_PASSWORD	"n0t-the-s3cret"
#define PROMPT		"*** password required (/pass SECRET)"
#define WRONG_REPLY	"*** error: wrong password"

#define ARGS_MAX		24
#define INTEROP_TOOLS		3	/* s_client, ncat --ssl, plain ncat */

#define STALL_LINE_BYTES	1000	/* payload of each stall test line */
#define STALL_TOTAL_BYTES	(16 * SENDQ_MAX_BYTES)	/* past any buffer */
#define STALL_WINDOW_LINES	32	/* lines in flight from the talker */
#define STALL_RCVBUF_BYTES	4096	/* the staller's receive buffer */

#define HALF_OPEN_CONNS		200	/* handshakes begun and never ended */
#define HALF_OPEN_BASE		2	/* from 127.0.0.2 on, ... */
#define HALF_OPEN_PER_ADDR	MAX_PER_IP_DEFAULT	/* ...this many each */
#define DEADLINE_EARLY_MS	500	/* a drop this much early is wrong */
#define DEADLINE_LATE_MS	3000	/* and this much late (x4 wrapped) */

#define GARBAGE_BYTES		4096

#define BURST_TALKERS		4	/* at full speed, TLS and plain */
#define BURST_LISTENERS		3	/* TLS clients that only read */
#define BURST_LINES		2000	/* from each talker */
#define BURST_LINE_BYTES	200

#define OWED_BATCH_LINES	400	/* about 20 KB a batch */
#define OWED_MAX_BATCHES	400	/* never the kernel's limit: fail */
#define OWED_PAST_FULL		4	/* batches sent past a full kernel */

/* What the group made for every test: certificates, password files. */
static struct {
	char	dir[256];
	int	certs;		/* 1 made; 0 no TLS or no openssl; -1 failed */
} fx;

/* Slower under a wrapper (valgrind). */
static int
slow(void)
{
	return getenv("CHAT_SERVER_WRAPPER") != NULL ? 4 : 1;
}

static int
wait_ms(void)
{
	return HARNESS_TIMEOUT_MS * slow();
}

/* A file in the group's directory (a few at once may be in use). */
static const char *
fx_file(const char *name)
{
	static char	buf[8][320];
	static int	next;
	char		*p = buf[next++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", fx.dir, name);
	return p;
}

static int
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

/* The whole of a file as a string (caller frees), or NULL. */
static char *
file_read(const char *path)
{
	char	*buf;
	FILE	*f;
	long	 size;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	if ((buf = malloc((size_t)size + 1)) != NULL) {
		size = (long)fread(buf, 1, (size_t)size, f);
		buf[size] = '\0';
	}
	fclose(f);
	return buf;
}

/* Show text in the test's output, each line marked as a comment. */
static void
print_marked(const char *what, const char *text)
{
	const char	*p = text;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, "\n");
		printf("# %s: %.*s\n", what, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* Copy src over dst at once (a new file renamed into place). */
static void
copy_file(const char *src, const char *dst)
{
	char	 buf[8192], tmp[400];
	FILE	*in, *out;
	size_t	 n;

	snprintf(tmp, sizeof tmp, "%s.new", dst);
	assert_non_null(in = fopen(src, "r"));
	assert_non_null(out = fopen(tmp, "w"));
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chmod(tmp, 0600), 0);
	assert_int_equal(rename(tmp, dst), 0);
}

/* Whether a command is on $PATH. */
static int
have_tool(const char *name)
{
	char	cmd[128];

	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/*
 * Password files for every test; certificates when the build has TLS and
 * the openssl command is there (a script that fails is a failure).
 */
static int
group_setup(void **state)
{
	const char	*src = getenv("top_srcdir");
	char		 cmd[1024];

	snprintf(fx.dir, sizeof fx.dir, "%s/chat-tls.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(fx.dir) == NULL ||
	    write_file(fx_file("password"), PASSWORD "\n", 0600) == -1 ||
	    write_file(fx_file("password-open"), PASSWORD "\n", 0644) == -1)
		return -1;
	if (!tls_client_available() || !have_tool("openssl"))
		return 0;
	snprintf(cmd, sizeof cmd, "sh '%s/tests/tls_certs.sh' '%s' "
	    ">'%s/certs.log' 2>&1", src != NULL ? src : ".", fx.dir, fx.dir);
	fx.certs = system(cmd) == 0 &&
	    tls_client_set_ca(fx_file("ca.pem")) == 0 ? 1 : -1;
	if (fx.certs == -1) {
		snprintf(cmd, sizeof cmd, "cat '%s/certs.log' >&2", fx.dir);
		(void)system(cmd);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	char	cmd[400];

	if (fx.dir[0] != '\0' && getenv("HARNESS_KEEP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx.dir);
		(void)system(cmd);
	}
	return 0;
}

/* TLS tests skip in a build without TLS, or without the openssl command. */
static void
need_tls(void)
{
	if (fx.certs == -1)
		fail_msg("tests/tls_certs.sh failed (its output is above)");
	if (fx.certs == 0)
		skip();
}


/* What a server is started with. */
#define WITH_TLS	0x1	/* the TLS port, localhost.pem */
#define WITH_TLS_HUP	0x2	/* the TLS port, hup.pem (replaced later) */
#define WITH_PASSWORD	0x4	/* --password-file */

struct args {
	const char	*v[ARGS_MAX];
	int		 n;
};

/* The options for what, then the extra ones (NULL-ended). */
static const char *const *
server_args(struct args *a, unsigned int what, ...)
{
	const char	*s;
	va_list		 ap;

	a->n = 0;
	if (what & (WITH_TLS | WITH_TLS_HUP)) {
		a->v[a->n++] = "--tls-port";
		a->v[a->n++] = "0";
		a->v[a->n++] = "--tls-cert";
		a->v[a->n++] = fx_file(what & WITH_TLS ? "localhost.pem" :
		    "hup.pem");
		a->v[a->n++] = "--tls-key";
		a->v[a->n++] = fx_file(what & WITH_TLS ? "localhost.key" :
		    "hup.key");
	}
	if (what & WITH_PASSWORD) {
		a->v[a->n++] = "--password-file";
		a->v[a->n++] = fx_file("password");
	}
	va_start(ap, what);
	while ((s = va_arg(ap, const char *)) != NULL && a->n < ARGS_MAX - 1)
		a->v[a->n++] = s;
	va_end(ap);
	a->v[a->n] = NULL;
	return a->v;
}

static void
start(struct harness_server *s, const char *const *args)
{
	assert_int_equal(harness_start(s, args), 0);
}

/* The TLS port when tls, else the plain one. */
static int
port_of(const struct harness_server *s, int tls)
{
	return tls ? s->tls_port : s->port;
}

/* How the server names our end of fd in its log: "127.0.0.1:PORT". */
static void
addr_of(int fd, char *buf, size_t size)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(buf, size, "127.0.0.1:%d", ntohs(sin.sin_port));
}

/* Wait until the log holds needle n times; -1 on the deadline. */
static int
log_wait_count(struct harness_server *s, const char *needle, size_t n,
    int timeout_ms)
{
	long	 deadline = harness_now_ms() + timeout_ms;
	char	*log;
	size_t	 found;

	for (;;) {
		log = harness_log_read(s);
		found = log != NULL ? fault_count(log, needle) : 0;
		free(log);
		if (found >= n)
			return 0;
		if (harness_now_ms() > deadline)
			return -1;
		poll(NULL, 0, 10);
	}
}

/* How many times the log holds needle. */
static size_t
log_count(struct harness_server *s, const char *needle)
{
	char	*log = harness_log_read(s);
	size_t	 n;

	assert_non_null(log);
	n = fault_count(log, needle);
	free(log);
	return n;
}

/* Whether the log holds needle anywhere. */
static int
log_has(struct harness_server *s, const char *needle)
{
	char	*log = harness_log_read(s);
	int	 found;

	assert_non_null(log);
	found = strstr(log, needle) != NULL;
	free(log);
	return found;
}

/* A socket from 127.0.0.(base + i / per) to port, not read. */
static int
open_from(int base, int i, int per, int port)
{
	int	fd = fault_open_from(base, i, per, port);

	assert_true(fd != -1);
	return fd;
}

/* Wait for end of stream (or a reset) on a plain socket: 0, or -1. */
static int
fd_wait_closed(int fd, int timeout_ms)
{
	struct harness_conn	c;

	memset(&c, 0, sizeof c);
	c.fd = fd;
	return harness_wait_closed(&c, timeout_ms);
}

/* Say a line and wait until to has seen it from nick. */
static void
say(struct tls_client *from, const char *nick, struct tls_client *to,
    const char *text)
{
	char	line[512];

	snprintf(line, sizeof line, "%s\n", text);
	assert_int_equal(tls_client_send(from, line), 0);
	snprintf(line, sizeof line, "<%s> %s", nick, text);
	assert_int_equal(tls_client_expect(to, line, NULL, 0, wait_ms()), 0);
}

/* Connect; the first line must be the password prompt. */
static void
connect_prompted(struct tls_client *c, int port, int tls)
{
	char	line[1024];

	assert_int_equal(tls_client_connect(c, NULL, port, tls, 0), 0);
	assert_int_equal(tls_client_read_line(c, line, sizeof line,
	    wait_ms()), 0);
	assert_string_equal(line, PROMPT);
}

/* Connect, give the password, and read the welcome: the nick in nick. */
static void
join_with_password(struct tls_client *c, int port, int tls, char *nick,
    size_t size)
{
	char	line[1024], *p;

	connect_prompted(c, port, tls);
	assert_int_equal(tls_client_send(c, "/pass " PASSWORD "\n"), 0);
	assert_int_equal(tls_client_read_line(c, line, sizeof line,
	    wait_ms()), 0);
	assert_non_null(p = strstr(line, "(you are "));
	p += 9;
	snprintf(nick, size, "%.*s", (int)strcspn(p, ","), p);
}

/* A program the test talks to through pipes; its stderr in a file. */
struct tool {
	pid_t			pid;
	int			in;
	struct harness_conn	out;
	char			err[320];
	char			nick[32];
};

static void
tool_start(struct tool *t, const char *err, const char *const argv[])
{
	int	in[2], out[2], fd;

	snprintf(t->err, sizeof t->err, "%s", err);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	/* Only the child's 0, 1 and 2 reach it (or the next tool): its
	 * input ends when ours is closed. */
	fcntl(in[0], F_SETFD, FD_CLOEXEC);
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(out[0], F_SETFD, FD_CLOEXEC);
	fcntl(out[1], F_SETFD, FD_CLOEXEC);
	assert_true((t->pid = fork()) != -1);
	if (t->pid == 0) {
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in = in[1];
	memset(&t->out, 0, sizeof t->out);
	t->out.fd = out[0];
}

/* Write text to its input (a pipe: small writes do not block). */
static void
tool_say(struct tool *t, const char *text)
{
	assert_int_equal(write(t->in, text, strlen(text)),
	    (ssize_t)strlen(text));
}

/* Its exit status once it exits; -1 (and killed) on the deadline. */
static int
tool_wait(struct tool *t, int timeout_ms)
{
	long	deadline = harness_now_ms() + timeout_ms;
	int	status;

	while (waitpid(t->pid, &status, WNOHANG) != t->pid) {
		if (harness_now_ms() > deadline) {
			kill(t->pid, SIGKILL);
			waitpid(t->pid, NULL, 0);
			return -1;
		}
		poll(NULL, 0, 10);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Three clients no one here wrote, in one room: openssl s_client and
 * ncat --ssl on the TLS port (both verifying the certificate against the
 * test CA), plain ncat on the plain port.  Each one's line reaches the
 * other two; each says /quit, gets "*** Bye" and exits 0: s_client on
 * its own when the server closes (-quiet ignores the end of its input),
 * with no error; ncat once its input ends too.
 */
static void
test_tls_interop_s_client_ncat_and_plain_ncat(void **state)
{
	static struct tool	 t[INTEROP_TOOLS];
	static const char	*name[INTEROP_TOOLS] = { "s_client",
	    "ncat-ssl", "ncat-plain" };
	struct harness_server	*s = *state;
	struct args		 a;
	char			 connect[64], tport[16], pport[16];
	char			 line[1024], want[256], errpath[300], *p, *err;
	const char		*ca;
	int			 i, j;

	need_tls();
	if (!have_tool("ncat"))
		skip();
	start(s, server_args(&a, WITH_TLS, NULL));
	ca = fx_file("ca.pem");
	snprintf(connect, sizeof connect, "127.0.0.1:%d", s->tls_port);
	snprintf(tport, sizeof tport, "%d", s->tls_port);
	snprintf(pport, sizeof pport, "%d", s->port);
	{
		const char *const s_client[] = { "openssl", "s_client",
		    "-quiet", "-connect", connect, "-CAfile", ca,
		    "-verify_return_error", "-verify_ip", "127.0.0.1", NULL };
		const char *const ncat_ssl[] = { "ncat", "--ssl",
		    "--ssl-verify", "--ssl-trustfile", ca, "localhost", tport,
		    NULL };
		const char *const ncat_plain[] = { "ncat", "127.0.0.1", pport,
		    NULL };
		const char *const *argv[INTEROP_TOOLS] = { s_client, ncat_ssl,
		    ncat_plain };

		for (i = 0; i < INTEROP_TOOLS; i++) {
			snprintf(errpath, sizeof errpath, "%s/%s.err",
			    s->dir, name[i]);
			tool_start(&t[i], errpath, argv[i]);
			assert_int_equal(harness_expect(&t[i].out,
			    "(you are ", line, sizeof line, wait_ms()), 0);
			p = strstr(line, "(you are ") + 9;
			snprintf(t[i].nick, sizeof t[i].nick, "%.*s",
			    (int)strcspn(p, ","), p);
		}
	}
	for (i = 0; i < INTEROP_TOOLS; i++) {
		snprintf(line, sizeof line, "line from %s\n", name[i]);
		tool_say(&t[i], line);
		for (j = 0; j < INTEROP_TOOLS; j++) {
			if (j == i)
				continue;
			snprintf(want, sizeof want, "<%s> line from %s",
			    t[i].nick, name[i]);
			assert_int_equal(harness_expect(&t[j].out, want, line,
			    sizeof line, wait_ms()), 0);
			assert_string_equal(line, want);
		}
	}
	for (i = 0; i < INTEROP_TOOLS; i++) {
		tool_say(&t[i], "/quit\n");
		assert_int_equal(harness_expect(&t[i].out, "*** Bye", NULL, 0,
		    wait_ms()), 0);
		/* ncat waits for the end of its input too. */
		if (i > 0)
			close(t[i].in);
		assert_int_equal(tool_wait(&t[i], wait_ms()), 0);
		if (i == 0)
			close(t[i].in);
		harness_close(&t[i].out);
	}
	/* s_client says nothing of an error or a truncated stream. */
	snprintf(errpath, sizeof errpath, "%s/s_client.err", s->dir);
	assert_non_null(err = file_read(errpath));
	print_marked("s_client stderr", err);
	for (p = err; *p != '\0'; p++)	/* case-blind: POSIX has no such strstr */
		*p = (char)tolower((unsigned char)*p);
	assert_null(strstr(err, "error"));
	assert_null(strstr(err, "errno"));
	free(err);
	assert_int_equal(harness_stop(s), 0);
}

/* The lines that have come to c; fails if the server closed it. */
static void
drain(struct tls_client *c, const char *who)
{
	if (tls_client_fill(c) == 0)
		fail_msg("%s was closed by the server (%s)", who, c->why);
}

/*
 * A TLS client with a small receive buffer that never reads, while a
 * plain client talks at full speed: it is dropped once its queue passes
 * SENDQ_MAX_BYTES, with the reason in the log and to the room, and a TLS
 * and a plain reader get every line, in order.
 */
static void
test_tls_stalled_reader_dropped_at_queue_cap(void **state)
{
	static struct tls_client a, b, r, stall;
	struct harness_server	*s = *state;
	struct args		 args;
	char			 na[32], ns[32], line[4096], want[256];
	char			 next[64], payload[STALL_LINE_BYTES + 1];
	struct tls_client	*reader[2] = { &b, &r };
	int			 nlines, sent = 0, got[2] = { 0, 0 }, i;
	int			 dropped_at = -1;
	long			 deadline;
	struct pollfd		 pfd[3];

	need_tls();
	nlines = STALL_TOTAL_BYTES / STALL_LINE_BYTES;
	memset(payload, 'x', STALL_LINE_BYTES);
	payload[STALL_LINE_BYTES] = '\0';
	start(s, server_args(&args, WITH_TLS, "--flood-rate", "0", NULL));
	assert_int_equal(tls_client_join(&a, s->port, 0, na, sizeof na), 0);
	assert_int_equal(tls_client_join(&b, s->tls_port, 1, NULL, 0), 0);
	assert_int_equal(tls_client_join(&r, s->port, 0, NULL, 0), 0);
	assert_int_equal(tls_client_connect(&stall, NULL, s->tls_port, 1,
	    STALL_RCVBUF_BYTES), 0);
	assert_int_equal(tls_client_expect(&stall, "(you are ", line,
	    sizeof line, wait_ms()), 0);
	snprintf(ns, sizeof ns, "%.*s", (int)strcspn(strstr(line,
	    "(you are ") + 9, ","), strstr(line, "(you are ") + 9);
	snprintf(want, sizeof want, "*** %s has left (send queue exceeded "
	    "(%d bytes))", ns, SENDQ_MAX_BYTES);

	deadline = harness_now_ms() + 30000 * slow();
	while (got[0] < nlines || got[1] < nlines) {
		assert_true(harness_now_ms() < deadline);
		if (sent < nlines && sent - got[0] < STALL_WINDOW_LINES &&
		    sent - got[1] < STALL_WINDOW_LINES) {
			snprintf(line, sizeof line, "%06d %s\n", sent,
			    payload + 7);
			assert_int_equal(tls_client_send(&a, line), 0);
			sent++;
			continue;
		}
		pfd[0].fd = a.fd;
		pfd[1].fd = b.fd;
		pfd[2].fd = r.fd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		poll(pfd, 3, 100);
		drain(&a, "the talker");
		while (tls_client_pop(&a, line, sizeof line))
			continue;
		for (i = 0; i < 2; i++) {
			drain(reader[i], "a reader");
			while (tls_client_pop(reader[i], line, sizeof line)) {
				if (strcmp(line, want) == 0 && i == 0)
					dropped_at = got[0];
				if (line[0] != '<')
					continue;
				/* In order: exactly the next line. */
				snprintf(next, sizeof next, "<%s> %06d ", na,
				    got[i]);
				assert_memory_equal(line, next, strlen(next));
				got[i]++;
			}
		}
	}
	printf("# stalled TLS reader: %d lines of %d bytes, dropped after %d; "
	    "a TLS and a plain reader got all of them in order\n", nlines,
	    STALL_LINE_BYTES, dropped_at);
	assert_true(dropped_at >= 0);
	snprintf(line, sizeof line, " %s send queue exceeded (%d bytes)\n",
	    ns, SENDQ_MAX_BYTES);
	assert_true(log_has(s, line));
	/* Its stream ends, what the kernel held for it read and dropped. */
	assert_true(tls_client_wait_closed(&stall, wait_ms()) >= 0);
	tls_client_close(&stall);
	tls_client_close(&a);
	tls_client_close(&b);
	tls_client_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

/* Wait for n lines holding needle in the log, until deadline (ms). */
static void
wait_log_until(struct harness_server *s, const char *needle, size_t n,
    long deadline)
{
	long	left = deadline - harness_now_ms();

	if (log_wait_count(s, needle, n, left > 0 ? (int)left : 0) == -1)
		fail_msg("the log did not show %zu of \"%s\" in time", n,
		    needle);
}

/* All c gets is the password prompt, then why it is closed, then the end. */
static void
only_prompts_then_closed(struct tls_client *c)
{
	char	line[1024], why[64];
	int	told = 0;

	snprintf(why, sizeof why, "*** error: no password in %d s",
	    AUTH_MAX_MS / 1000);
	while (tls_client_read_line(c, line, sizeof line, wait_ms()) == 0) {
		assert_false(told);		/* the reason comes last */
		if (strcmp(line, why) == 0)
			told = 1;
		else
			assert_string_equal(line, PROMPT);
	}
	assert_int_equal(errno, 0);	/* the end, not the deadline */
	assert_true(told);
}

/*
 * HALF_OPEN_CONNS TLS handshakes begun from many addresses
 * (HALF_OPEN_PER_ADDR from each, the --max-per-ip) and never finished,
 * half saying nothing, half half a ClientHello.  One more from one of
 * those addresses is refused: handshakes count against the limit.  They
 * keep nobody else out: a TLS client from 127.0.0.1 gets in and chats.
 * All of them are dropped HANDSHAKE_MAX_MS after they came, with the
 * reason in the log.
 */
static void
half_open_handshakes(struct harness_server *s, int *fd, long *begun)
{
	unsigned char	hello[4096];
	char		line[1024];
	struct pollfd	pfd;
	size_t		hello_len;
	int		i, x;

	hello_len = tls_client_hello(hello, sizeof hello);
	assert_true(hello_len > 4);
	*begun = harness_now_ms();
	for (i = 0; i < HALF_OPEN_CONNS; i++) {
		fd[i] = open_from(HALF_OPEN_BASE, i, HALF_OPEN_PER_ADDR,
		    s->tls_port);
		if (i % 2 == 1)
			assert_int_equal(fault_write_all(fd[i], hello,
			    hello_len / 2, wait_ms()), 0);
	}
	/* Refused on the TLS port: closed without a plain-text line. */
	x = open_from(HALF_OPEN_BASE, 0, 1, s->tls_port);
	pfd.fd = x;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, wait_ms()), 1);
	assert_true(recv(x, line, sizeof line, 0) <= 0);	/* no text */
	close(x);
	snprintf(line, sizeof line, "refuse 127.0.0.%d:", HALF_OPEN_BASE);
	assert_int_equal(harness_log_wait(s, line, wait_ms()), 0);
	assert_int_equal(harness_log_wait(s, " too many connections from "
	    "your address\n", wait_ms()), 0);
}

static void
half_open_dropped(struct harness_server *s, int *fd, long begun)
{
	char		 needle[64], *log;
	size_t		 n = 0;
	long		 first = 0, deadline;
	int		 i;

	snprintf(needle, sizeof needle, " TLS handshake not finished in %d "
	    "s\n", HANDSHAKE_MAX_MS / 1000);
	deadline = begun + HANDSHAKE_MAX_MS + DEADLINE_LATE_MS * slow();
	while (n < HALF_OPEN_CONNS) {
		if (harness_now_ms() > deadline)
			fail_msg("%zu of %d half-open handshakes dropped in "
			    "time", n, HALF_OPEN_CONNS);
		assert_non_null(log = harness_log_read(s));
		n = fault_count(log, needle);
		free(log);
		if (n > 0 && first == 0)
			first = harness_now_ms();
		poll(NULL, 0, 20);
	}
	printf("# %d half-open handshakes from %d addresses: the first "
	    "dropped after %ld ms, all after %ld ms (HANDSHAKE_MAX_MS %d)\n",
	    HALF_OPEN_CONNS, HALF_OPEN_CONNS / HALF_OPEN_PER_ADDR,
	    first - begun, harness_now_ms() - begun, HANDSHAKE_MAX_MS);
	assert_true(first - begun >= HANDSHAKE_MAX_MS - DEADLINE_EARLY_MS);
	for (i = 0; i < HALF_OPEN_CONNS; i++) {
		assert_int_equal(fd_wait_closed(fd[i], wait_ms()), 0);
		close(fd[i]);
	}
}

/*
 * Both deadlines in one test, since each is a wait.  With TLS (and all
 * of 127.0.0.0/8), the half-open handshakes above; meanwhile two
 * clients that never give the password, one plain and one TLS, outlive
 * them, see nothing but the prompt, and are dropped AUTH_MAX_MS after
 * they came, with the reason in the log; the members chat throughout.
 * Built without TLS, the password part alone, on the plain port.
 */
static void
test_deadlines_handshake_then_password(void **state)
{
	static struct tls_client m1, m2, q[2];
	static int		 half[HALF_OPEN_CONNS];
	struct harness_server	*s = *state;
	struct args		 args;
	char			 n1[32], n2[32], line[1024], addr[2][64];
	int			 tls = fx.certs == 1, many, i, nq;
	long			 begun = 0, q_begun, dropped;

	if (fx.certs == -1)
		need_tls();	/* fails, with why */
	many = tls && fault_loopback_net();
	start(s, server_args(&args, (tls ? WITH_TLS : 0) | WITH_PASSWORD,
	    NULL));
	if (many)
		half_open_handshakes(s, half, &begun);
	q_begun = harness_now_ms();
	nq = tls ? 2 : 1;
	for (i = 0; i < nq; i++) {
		connect_prompted(&q[i], port_of(s, i), i);
		addr_of(q[i].fd, addr[i], sizeof addr[i]);
	}
	assert_int_equal(tls_client_send(&q[0], "anyone here?\n"), 0);
	assert_int_equal(tls_client_read_line(&q[0], line, sizeof line,
	    wait_ms()), 0);
	assert_string_equal(line, PROMPT);
	join_with_password(&m1, port_of(s, tls), tls, n1, sizeof n1);
	join_with_password(&m2, s->port, 0, n2, sizeof n2);
	say(&m1, n1, &m2, "in, whatever waits at the door");
	say(&m2, n2, &m1, "and back");

	if (many) {
		half_open_dropped(s, half, begun);
		for (i = 0; i < nq; i++)
			assert_int_equal(tls_client_fill(&q[i]), -1);
		say(&m1, n1, &m2, "the handshakes have gone");
	}
	for (i = 0; i < nq; i++) {
		snprintf(line, sizeof line, "drop %s no password in %d s\n",
		    addr[i], AUTH_MAX_MS / 1000);
		wait_log_until(s, line, 1, q_begun + AUTH_MAX_MS +
		    DEADLINE_LATE_MS * slow());
	}
	dropped = harness_now_ms() - q_begun;
	printf("# %d client%s without the password dropped after %ld ms "
	    "(AUTH_MAX_MS %d)\n", nq, nq > 1 ? "s" : "", dropped,
	    AUTH_MAX_MS);
	assert_true(dropped >= AUTH_MAX_MS - DEADLINE_EARLY_MS);
	for (i = 0; i < nq; i++) {
		only_prompts_then_closed(&q[i]);
		tls_client_close(&q[i]);
	}
	say(&m1, n1, &m2, "the door is clear");
	say(&m2, n2, &m1, "it is");
	tls_client_close(&m1);
	tls_client_close(&m2);
	assert_int_equal(harness_stop(s), 0);
}

/* Send data on a new socket to the TLS port; it must be dropped so. */
static void
dropped_for(struct harness_server *s, const void *data, size_t len,
    const char *reason)
{
	char	addr[64], want[256];
	int	fd;

	fd = harness_socket(NULL, s->tls_port, 0);
	assert_true(fd != -1);
	addr_of(fd, addr, sizeof addr);
	if (len > 0)
		assert_int_equal(fault_write_all(fd, data, len, wait_ms()), 0);
	shutdown(fd, SHUT_WR);
	assert_int_equal(fd_wait_closed(fd, wait_ms()), 0);
	close(fd);
	snprintf(want, sizeof want, " drop %s TLS handshake: %s", addr,
	    reason);
	assert_int_equal(harness_log_wait(s, want, wait_ms()), 0);
}

/*
 * What is not TLS on the TLS port is dropped at once and harms no one:
 * a plain client (named as such in the log), garbage that starts like a
 * TLS record, half a ClientHello and then the end, and a TLS client
 * that, once in, writes raw bytes over its TLS stream.  The members, one
 * TLS and one plain, chat on, and saw nobody join but the last.
 */
static void
test_tls_garbage_and_plain_text_dropped_others_chat_on(void **state)
{
	static struct tls_client m1, m2, g;
	static unsigned char	 junk[GARBAGE_BYTES];
	struct harness_server	*s = *state;
	struct args		 args;
	char			 n1[32], n2[32], ng[32], line[1024], want[256];
	char			 addr[64];
	unsigned char		 hello[4096];
	size_t			 i, hello_len;

	need_tls();
	start(s, server_args(&args, WITH_TLS, NULL));
	assert_int_equal(tls_client_join(&m1, s->tls_port, 1, n1, sizeof n1),
	    0);
	assert_int_equal(tls_client_join(&m2, s->port, 0, n2, sizeof n2), 0);
	srandom(8);
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)random();

	dropped_for(s, "hello, is this chat?\n", 21,
	    "not TLS (plain text on the TLS port)");
	junk[0] = 'G';
	dropped_for(s, junk, sizeof junk,
	    "not TLS (plain text on the TLS port)");
	junk[0] = 0x16;		/* a handshake record, of nonsense */
	dropped_for(s, junk, sizeof junk, "");
	hello_len = tls_client_hello(hello, sizeof hello);
	dropped_for(s, hello, hello_len / 2, "closed during the TLS handshake");
	say(&m1, n1, &m2, "nothing happened");

	/* In, then raw bytes: a read error, that client's alone. */
	assert_int_equal(tls_client_join(&g, s->tls_port, 1, ng, sizeof ng),
	    0);
	addr_of(g.fd, addr, sizeof addr);
	assert_int_equal(fault_write_all(g.fd, junk + 1, sizeof junk - 1,
	    wait_ms()), 0);
	snprintf(want, sizeof want, "*** %s has left (read error: ", ng);
	assert_int_equal(tls_client_expect(&m2, want, line, sizeof line,
	    wait_ms()), 0);
	printf("# %s\n", line);
	snprintf(want, sizeof want, " part %s %s read error: ", addr, ng);
	assert_int_equal(harness_log_wait(s, want, wait_ms()), 0);
	assert_true(tls_client_wait_closed(&g, wait_ms()) >= 0);
	tls_client_close(&g);

	say(&m2, n2, &m1, "still nothing");
	say(&m1, n1, &m2, "quite");
	/* Of all of them, only g was ever in the room. */
	assert_int_equal(log_count(s, " join "), 3);
	tls_client_close(&m1);
	tls_client_close(&m2);
	assert_int_equal(harness_stop(s), 0);
}

/* A new TLS client's view of the certificate: its fingerprint in fp. */
static void
served_fingerprint(struct harness_server *s, struct tls_client *c, char *fp,
    size_t size)
{
	assert_int_equal(tls_client_join(c, s->tls_port, 1, NULL, 0), 0);
	assert_int_equal(tls_client_fingerprint(c, fp, size), 0);
}

/* SIGHUP; wait for the n-th line holding needle. */
static void
hangup(struct harness_server *s, const char *needle, size_t n)
{
	assert_int_equal(kill(s->pid, SIGHUP), 0);
	assert_int_equal(log_wait_count(s, needle, n, wait_ms()), 0);
}

/*
 * SIGHUP reloads the certificate (on a TLS-only server, --port none): a
 * client that comes after it sees the new one (by SHA-256 fingerprint),
 * a client from before stays and chats with it.  A bad new pair, a key
 * that is not one and then a key that does not match, is refused in the
 * log and on stderr, and the certificate in use is still served.
 */
static void
test_tls_sighup_new_certificate_bad_pair_kept(void **state)
{
	static struct tls_client old, new, probe;
	struct harness_server	*s = *state;
	struct args		 args;
	char			 fp1[TLS_CLIENT_FP_MAX], fp2[TLS_CLIENT_FP_MAX];
	char			 fp[TLS_CLIENT_FP_MAX], no[32], nn[32], *err;
	const char		*reload = " reload TLS certificate ";
	const char		*kept = "; the certificate in use is kept\n";

	need_tls();
	copy_file(fx_file("localhost.pem"), fx_file("hup.pem"));
	copy_file(fx_file("localhost.key"), fx_file("hup.key"));
	assert_int_equal(tls_client_file_fingerprint(fx_file("localhost.pem"),
	    fp1, sizeof fp1), 0);
	assert_int_equal(tls_client_file_fingerprint(
	    fx_file("localhost2.pem"), fp2, sizeof fp2), 0);
	assert_string_not_equal(fp1, fp2);
	assert_int_equal(harness_start_err(s, server_args(&args, WITH_TLS_HUP,
	    "--port", "none", NULL)), 0);
	assert_int_equal(s->port, 0);

	assert_int_equal(tls_client_join(&old, s->tls_port, 1, no, sizeof no),
	    0);
	assert_int_equal(tls_client_fingerprint(&old, fp, sizeof fp), 0);
	assert_string_equal(fp, fp1);

	copy_file(fx_file("localhost2.pem"), fx_file("hup.pem"));
	copy_file(fx_file("localhost2.key"), fx_file("hup.key"));
	hangup(s, reload, 1);
	assert_int_equal(tls_client_join(&new, s->tls_port, 1, nn, sizeof nn),
	    0);
	assert_int_equal(tls_client_fingerprint(&new, fp, sizeof fp), 0);
	assert_string_equal(fp, fp2);
	say(&old, no, &new, "from before the reload");
	say(&new, nn, &old, "from after it");

	/* A key that is no key: refused, the new certificate kept. */
	assert_int_equal(write_file(fx_file("hup.key"), "not a key\n", 0600),
	    0);
	hangup(s, kept, 1);
	served_fingerprint(s, &probe, fp, sizeof fp);
	assert_string_equal(fp, fp2);
	tls_client_close(&probe);

	/* A key of another certificate: refused as not matching. */
	copy_file(fx_file("localhost.key"), fx_file("hup.key"));
	hangup(s, kept, 2);
	assert_true(log_has(s, "key values mismatch"));
	served_fingerprint(s, &probe, fp, sizeof fp);
	assert_string_equal(fp, fp2);
	tls_client_close(&probe);

	assert_int_equal(log_count(s, reload), 1);
	assert_non_null(err = file_read(s->err));
	print_marked("stderr", err);
	assert_int_equal(fault_count(err, "chat-server: TLS reload: "), 2);
	assert_int_equal(fault_count(err, kept), 2);
	free(err);
	say(&old, no, &new, "still here");
	say(&new, nn, &old, "so am I");
	tls_client_close(&old);
	tls_client_close(&new);
	assert_int_equal(harness_stop(s), 0);
}

/* The room of the burst test: who talks, what each has seen. */
struct burst {
	struct tls_client	c[BURST_TALKERS + BURST_LISTENERS];
	char			nick[BURST_TALKERS + BURST_LISTENERS][32];
	char			*out[BURST_TALKERS];	/* all it will say */
	size_t			outlen, sent[BURST_TALKERS];
	int			next[BURST_TALKERS + BURST_LISTENERS]
				    [BURST_TALKERS];	/* lines seen */
};

#define BURST_ALL	(BURST_TALKERS + BURST_LISTENERS)

/* Check one line c got: from a talker, it must be that talker's next. */
static void
burst_take(struct burst *b, int c, const char *line)
{
	char	want[64];
	int	t;

	if (line[0] != '<')
		return;
	for (t = 0; t < BURST_TALKERS; t++) {
		snprintf(want, sizeof want, "<%s> ", b->nick[t]);
		if (strncmp(line, want, strlen(want)) == 0)
			break;
	}
	assert_true(t < BURST_TALKERS);
	snprintf(want, sizeof want, "<%s> b%d %05d ", b->nick[t], t,
	    b->next[c][t]);
	if (strncmp(line, want, strlen(want)) != 0)
		fail_msg("%s got \"%.60s\", not \"%s...\"", b->nick[c], line,
		    want);
	b->next[c][t]++;
}

static int
burst_done(const struct burst *b)
{
	int	c, t;

	for (c = 0; c < BURST_ALL; c++) {
		for (t = 0; t < BURST_TALKERS; t++) {
			if (b->next[c][t] < BURST_LINES)
				return 0;
		}
	}
	return 1;
}

/* One pass: write what each talker's socket takes, read everything. */
static void
burst_pass(struct burst *b)
{
	struct pollfd	 pfd[BURST_ALL];
	char		 line[1024];
	ssize_t		 n;
	int		 c;

	for (c = 0; c < BURST_ALL; c++) {
		pfd[c].fd = b->c[c].fd;
		pfd[c].events = POLLIN;
		if (c < BURST_TALKERS && b->sent[c] < b->outlen)
			pfd[c].events |= POLLOUT;
	}
	poll(pfd, BURST_ALL, 100);
	for (c = 0; c < BURST_ALL; c++) {
		if (c < BURST_TALKERS && b->sent[c] < b->outlen) {
			n = tls_client_write_some(&b->c[c], b->out[c] +
			    b->sent[c], b->outlen - b->sent[c]);
			assert_true(n >= 0);
			b->sent[c] += (size_t)n;
		}
		if (tls_client_fill(&b->c[c]) == 0)
			fail_msg("%s was closed by the server (%s)",
			    b->nick[c], b->c[c].why);
		while (tls_client_pop(&b->c[c], line, sizeof line))
			burst_take(b, c, line);
	}
}

/*
 * BURST_TALKERS clients, TLS and plain by turns, say BURST_LINES lines
 * each at full speed (the flood rule off) while BURST_LISTENERS TLS
 * clients only read: every client, talker or not, gets every line, each
 * talker's in order, and nobody is dropped.
 */
static void
test_tls_burst_every_reader_gets_every_line_in_order(void **state)
{
	static struct burst	 b;
	struct harness_server	*s = *state;
	struct args		 args;
	long			 deadline, began;
	size_t			 n;
	int			 c, i, tls;

	need_tls();
	start(s, server_args(&args, WITH_TLS, "--flood-rate", "0", NULL));
	memset(&b, 0, sizeof b);
	for (c = 0; c < BURST_ALL; c++) {
		tls = c >= BURST_TALKERS || c % 2 == 0;
		assert_int_equal(tls_client_join(&b.c[c], port_of(s, tls), tls,
		    b.nick[c], sizeof b.nick[c]), 0);
	}
	b.outlen = (size_t)BURST_LINES * (BURST_LINE_BYTES + 1);
	for (c = 0; c < BURST_TALKERS; c++) {
		assert_non_null(b.out[c] = malloc(b.outlen + 1));
		for (i = 0, n = 0; i < BURST_LINES; i++) {
			n += (size_t)snprintf(b.out[c] + n, 64, "b%d %05d ", c,
			    i);
			while (n % (BURST_LINE_BYTES + 1) < BURST_LINE_BYTES)
				b.out[c][n++] = 'a' + c;
			b.out[c][n++] = '\n';
		}
	}
	began = harness_now_ms();
	deadline = began + 60000 * slow();
	while (!burst_done(&b)) {
		if (harness_now_ms() > deadline)
			fail_msg("the burst did not get through in time");
		burst_pass(&b);
	}
	printf("# burst: %d talkers x %d lines of %d bytes at full speed; all "
	    "%d clients got every line in order in %ld ms\n", BURST_TALKERS,
	    BURST_LINES, BURST_LINE_BYTES, BURST_ALL,
	    harness_now_ms() - began);
	assert_false(log_has(s, "send queue"));
	for (c = 0; c < BURST_ALL; c++) {
		tls_client_close(&b.c[c]);
		if (c < BURST_TALKERS)
			free(b.out[c]);
	}
	assert_int_equal(harness_stop(s), 0);
}


/*
 * Talk in batches to a TLS client that does not read, until the server's
 * socket to it stops taking more (its send queue in /proc stops
 * growing), then OWED_PAST_FULL batches more: those wait in the
 * server's own queue.  The number of lines sent, or -1 where /proc
 * cannot tell.
 */
static int
fill_past_kernel(struct tls_client *t, struct tls_client *r, const char *nt,
    int slow_fd, long *kernel)
{
	char	buf[OWED_BATCH_LINES * 64], want[64];
	long	tx, last = 0;
	int	sent = 0, batch, flat = 0, past = -1, i;
	size_t	n;

	for (batch = 0; batch < OWED_MAX_BATCHES && past != 0; batch++) {
		for (i = 0, n = 0; i < OWED_BATCH_LINES; i++, sent++)
			n += (size_t)snprintf(buf + n, sizeof buf - n,
			    "owed %06d ...........................\n", sent);
		assert_int_equal(tls_client_sendn(t, buf, n), 0);
		snprintf(want, sizeof want, "<%s> owed %06d ", nt, sent - 1);
		assert_int_equal(tls_client_expect(r, want, NULL, 0,
		    wait_ms()), 0);
		if (past > 0) {
			past--;
			continue;
		}
		tx = fault_tx_queue(fault_sock_port(slow_fd, 1),
		    fault_sock_port(slow_fd, 0));
		if (tx < 0)
			return -1;
		flat = tx - last < (long)n / 2 ? flat + 1 : 0;
		last = tx;
		if (flat == 2)
			past = OWED_PAST_FULL;
	}
	assert_int_equal(past, 0);
	*kernel = last;
	return sent;
}

/*
 * A server (flood rule off) with a TLS client on a small receive buffer
 * that has not read, talker t and reader r on the plain port, and more
 * said than the kernel holds for the TLS client, so the rest waits in
 * the server's queue.  Its nickname in ns, t's in nt (NICK_BUF_BYTES
 * each); the lines owed.
 */
static int
owe_past_kernel(struct harness_server *s, struct tls_client *slow,
    struct tls_client *t, struct tls_client *r, char *nt, char *ns,
    long *kernel)
{
	struct args	args;
	char		line[1024];
	int		owed;

	need_tls();
	start(s, server_args(&args, WITH_TLS, "--flood-rate", "0", NULL));
	assert_int_equal(tls_client_connect(slow, NULL, s->tls_port, 1,
	    STALL_RCVBUF_BYTES), 0);
	assert_int_equal(tls_client_expect(slow, "(you are ", line,
	    sizeof line, wait_ms()), 0);
	snprintf(ns, NICK_BUF_BYTES, "%.*s", (int)strcspn(strstr(line,
	    "(you are ") + 9, ","), strstr(line, "(you are ") + 9);
	assert_int_equal(tls_client_join(t, s->port, 0, nt, NICK_BUF_BYTES),
	    0);
	assert_int_equal(tls_client_join(r, s->port, 0, NULL, 0), 0);
	if ((owed = fill_past_kernel(t, r, nt, slow->fd, kernel)) == -1)
		skip();		/* no /proc/net/tcp: not Linux */
	return owed;
}

/* The owed lines from nt, every one, in order. */
static void
read_owed(struct tls_client *slow, const char *nt, int owed)
{
	char	line[1024], want[128];
	int	i;

	for (i = 0; i < owed; i++) {
		do
			assert_int_equal(tls_client_read_line(slow, line,
			    sizeof line, wait_ms()), 0);
		while (line[0] != '<');
		snprintf(want, sizeof want, "<%s> owed %06d ", nt, i);
		assert_memory_equal(line, want, strlen(want));
	}
}

/*
 * The lingering close over TLS: a TLS client with a small receive
 * buffer has not read what it was sent, more than the kernel holds for
 * it, so the rest waits in the server's queue, when it says /quit.  It
 * gets every owed line, in order, then "*** Bye", then a clean TLS end:
 * a close_notify before the end of the stream.
 */
static void
test_tls_quit_gets_owed_lines_bye_then_close_notify(void **state)
{
	static struct tls_client t, r, slow_reader;
	struct harness_server	*s = *state;
	char			 nt[NICK_BUF_BYTES], ns[NICK_BUF_BYTES];
	char			 line[1024], want[128];
	long			 kernel;
	int			 owed;

	owed = owe_past_kernel(s, &slow_reader, &t, &r, nt, ns, &kernel);
	assert_int_equal(tls_client_send(&slow_reader, "/quit bye now\n"), 0);
	snprintf(want, sizeof want, "*** %s has left (quit: bye now)", ns);
	assert_int_equal(tls_client_expect(&r, want, NULL, 0, wait_ms()), 0);

	read_owed(&slow_reader, nt, owed);
	assert_int_equal(tls_client_read_line(&slow_reader, line, sizeof line,
	    wait_ms()), 0);
	assert_string_equal(line, "*** Bye");
	assert_int_equal(tls_client_wait_closed(&slow_reader, wait_ms()),
	    TLS_CLIENT_NOTIFY);
	printf("# /quit over TLS with %d lines owed (the kernel took %ld "
	    "bytes; %d lines waited in the server): all of them, \"*** "
	    "Bye\", close_notify, end of stream\n", owed, kernel,
	    OWED_PAST_FULL * OWED_BATCH_LINES);
	tls_client_close(&slow_reader);
	tls_client_close(&t);
	tls_client_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * A TLS reader owed more than the kernel holds sends a KeyUpdate (a
 * record without data, which the server reads as "want read") while its
 * queue waits on writing: the queue must still go out as it reads, and
 * a line said afterwards arrives too.  Before the fix the blocked write
 * took the read's "want read" for its own and was never tried again.
 */
static void
test_tls_key_update_does_not_stall_owed_output(void **state)
{
	static struct tls_client t, r, slow_reader;
	struct harness_server	*s = *state;
	char			 nt[NICK_BUF_BYTES], ns[NICK_BUF_BYTES];
	char			 want[128];
	long			 kernel;
	int			 owed;

	owed = owe_past_kernel(s, &slow_reader, &t, &r, nt, ns, &kernel);
	if (tls_client_key_update(&slow_reader, wait_ms()) == -1)
		skip();		/* no TLS 1.3 */
	/* Let the server read it before anything moves. */
	assert_int_equal(tls_client_send(&t, "after the key update\n"), 0);
	snprintf(want, sizeof want, "<%s> after the key update", nt);
	assert_int_equal(tls_client_expect(&r, want, NULL, 0, wait_ms()), 0);

	read_owed(&slow_reader, nt, owed);
	assert_int_equal(tls_client_expect(&slow_reader, want, NULL, 0,
	    wait_ms()), 0);
	printf("# KeyUpdate from a TLS reader owed %d lines (the kernel took "
	    "%ld bytes): all of them, then the next line\n", owed, kernel);
	tls_client_close(&slow_reader);
	tls_client_close(&t);
	tls_client_close(&r);
	assert_int_equal(harness_stop(s), 0);
}

/*
 * The room password on one port: the right one lets a client in; a
 * wrong one is refused and logged as the n-th try, and the right one
 * still works after it; three wrong ones close the connection.  A client
 * that has not given it sees nothing of the room while the members talk
 * (each of its lines gets the prompt, with nothing between), is not
 * announced, not counted, and what it says, chat or command, is neither
 * relayed nor logged, not even as the reason of a /quit.  The password,
 * right or wrong, is nowhere in the log.
 */
static void
password_on(struct harness_server *s, int tls)
{
	static struct tls_client m1, m2, o, x;
	static const char *const outside[] = { "hello from outside",
	    "/me waves from outside", "/nick outsider", "/who",
	    "//slash from outside", "/pass", ("/passwd " PASSWORD) };
	struct args	 args;
	char		 n1[32], n2[32], no[32], addr[64], line[1024];
	char		 want[256];
	int		 port, i;

	start(s, server_args(&args, (tls ? WITH_TLS : 0) | WITH_PASSWORD,
	    NULL));
	port = port_of(s, tls);
	assert_int_equal(harness_log_wait(s, " auth a password is required (",
	    wait_ms()), 0);

	/* Right at once. */
	join_with_password(&m1, port, tls, n1, sizeof n1);
	addr_of(m1.fd, addr, sizeof addr);
	snprintf(want, sizeof want, " auth %s password accepted\n", addr);
	assert_true(log_has(s, want));

	/* Anything else, then wrong, then right. */
	connect_prompted(&m2, port, tls);
	addr_of(m2.fd, addr, sizeof addr);
	assert_int_equal(tls_client_send(&m2, "hello?\n/pass " WRONG_PASSWORD
	    "\n"), 0);
	assert_int_equal(tls_client_read_line(&m2, line, sizeof line,
	    wait_ms()), 0);
	assert_string_equal(line, PROMPT);
	assert_int_equal(tls_client_read_line(&m2, line, sizeof line,
	    wait_ms()), 0);
	assert_string_equal(line, WRONG_REPLY);
	snprintf(want, sizeof want, " auth %s wrong password (1 of %d)\n",
	    addr, AUTH_MAX_TRIES);
	assert_int_equal(harness_log_wait(s, want, wait_ms()), 0);
	assert_int_equal(tls_client_send(&m2, "/PASS " PASSWORD "\n"), 0);
	assert_int_equal(tls_client_expect(&m2, "(you are ", line,
	    sizeof line, wait_ms()), 0);
	snprintf(n2, sizeof n2, "%.*s", (int)strcspn(strstr(line,
	    "(you are ") + 9, ","), strstr(line, "(you are ") + 9);
	snprintf(want, sizeof want, "*** %s has joined (2 online)", n2);
	assert_int_equal(tls_client_expect(&m1, want, NULL, 0, wait_ms()), 0);

	/* Outside: sees nothing, says nothing anyone hears. */
	connect_prompted(&o, port, tls);
	say(&m1, n1, &m2, "members only, 1");
	for (i = 0; i < (int)(sizeof outside / sizeof outside[0]); i++) {
		snprintf(line, sizeof line, "%s\n", outside[i]);
		assert_int_equal(tls_client_send(&o, line), 0);
		assert_int_equal(tls_client_read_line(&o, line, sizeof line,
		    wait_ms()), 0);
		assert_string_equal(line, PROMPT);
	}
	say(&m1, n1, &m2, "members only, 2");
	assert_int_equal(tls_client_send(&m1, "/who\n"), 0);
	snprintf(want, sizeof want, "*** 2 online: ");
	assert_int_equal(tls_client_expect(&m1, want, line, sizeof line,
	    wait_ms()), 0);
	assert_non_null(strstr(line, n1));
	assert_non_null(strstr(line, n2));
	say(&m2, n2, &m1, "members only, 3");

	/* Three wrong: closed, never in. */
	connect_prompted(&x, port, tls);
	addr_of(x.fd, addr, sizeof addr);
	assert_int_equal(tls_client_send(&x, "/pass a\n/pass b\n/pass c\n"),
	    0);
	for (i = 0; i < AUTH_MAX_TRIES; i++) {
		assert_int_equal(tls_client_read_line(&x, line, sizeof line,
		    wait_ms()), 0);
		assert_string_equal(line, WRONG_REPLY);
	}
	assert_true(tls_client_wait_closed(&x, wait_ms()) >= 0);
	tls_client_close(&x);
	snprintf(want, sizeof want, " drop %s wrong password %d times\n", addr,
	    AUTH_MAX_TRIES);
	assert_int_equal(harness_log_wait(s, want, wait_ms()), 0);

	/* Leaving before it: "*** Bye", and its reason is not logged. */
	connect_prompted(&x, port, tls);
	addr_of(x.fd, addr, sizeof addr);
	assert_int_equal(tls_client_send(&x, "/quit from outside, the "
	    "password is " PASSWORD "\n"), 0);
	assert_int_equal(tls_client_read_line(&x, line, sizeof line,
	    wait_ms()), 0);
	assert_string_equal(line, "*** Bye");
	assert_true(tls_client_wait_closed(&x, wait_ms()) >= 0);
	tls_client_close(&x);
	snprintf(want, sizeof want, " drop %s quit\n", addr);
	assert_int_equal(harness_log_wait(s, want, wait_ms()), 0);

	/* The outsider gives it at last: in, and heard. */
	assert_int_equal(tls_client_send(&o, "/pass " PASSWORD "\n"), 0);
	assert_int_equal(tls_client_read_line(&o, line, sizeof line,
	    wait_ms()), 0);
	assert_non_null(strstr(line, "(you are "));
	assert_non_null(strstr(line, ", 3 online)"));
	snprintf(no, sizeof no, "%.*s", (int)strcspn(strstr(line,
	    "(you are ") + 9, ","), strstr(line, "(you are ") + 9);
	assert_int_equal(tls_client_send(&o, "now inside\n"), 0);

	/* The members saw nothing of the outside, nor of x. */
	for (i = 0; i < 2; i++) {
		struct tls_client *m = i == 0 ? &m1 : &m2;

		snprintf(want, sizeof want, "%s has joined (3 online)", no);
		for (;;) {
			assert_int_equal(tls_client_read_line(m, line,
			    sizeof line, wait_ms()), 0);
			if (strstr(line, "> now inside") != NULL)
				break;
			if (strstr(line, "outside") != NULL ||
			    (strstr(line, "has joined") != NULL &&
			    strstr(line, want) == NULL))
				fail_msg("a member saw \"%s\"", line);
		}
	}
	tls_client_close(&o);
	tls_client_close(&m1);
	tls_client_close(&m2);
	assert_int_equal(harness_stop(s), 0);

	/* Nothing from outside, and no password, in all of the log. */
	assert_false(log_has(s, "outside"));
	assert_false(log_has(s, "outsider"));
	assert_false(log_has(s, PASSWORD));
	assert_false(log_has(s, WRONG_PASSWORD));
	assert_false(log_has(s, "/pass "));
	assert_int_equal(log_count(s, " join "), 3);
}

static void
test_password_on_plain_port(void **state)
{
	password_on(*state, 0);
}

static void
test_password_on_tls_port(void **state)
{
	need_tls();
	password_on(*state, 1);
}

/*
 * Run the server (under the wrapper too) with args, expecting it to
 * refuse to start: its exit status, its stderr in err.
 */
static int
refused(struct harness_server *s, const char *const *args, char **err)
{
	const char	*argv[32], *bin = getenv("CHAT_SERVER");
	char		 path[320], wrapper[512], *word, *last;
	size_t		 n = 0;
	pid_t		 pid;
	int		 fd, status;
	long		 deadline = harness_now_ms() + wait_ms();

	if (getenv("CHAT_SERVER_WRAPPER") != NULL) {
		snprintf(wrapper, sizeof wrapper, "%s",
		    getenv("CHAT_SERVER_WRAPPER"));
		for (word = strtok_r(wrapper, " ", &last); word != NULL &&
		    n < 16; word = strtok_r(NULL, " ", &last))
			argv[n++] = word;
	}
	argv[n++] = bin != NULL ? bin : "server/chat-server";
	argv[n++] = "--log";
	argv[n++] = s->log;
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	snprintf(path, sizeof path, "%s/refused.err", s->dir);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (harness_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("the server did not refuse to start");
		}
		poll(NULL, 0, 10);
	}
	assert_non_null(*err = file_read(path));
	print_marked("refused", *err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Start-up refusals: a password file that others may read (exit 1, and
 * how to fix it), or that holds a password no client can send (exit 1);
 * with TLS, a key that is no key (exit 1); without TLS, any TLS option
 * (exit 2, "built without TLS").
 */
static void
test_start_refuses_open_password_file_and_bad_tls(void **state)
{
	struct harness_server	*s = *state;
	const char		*open_file = fx_file("password-open");
	const char *const	 open_args[] = { "--port", "0",
	    "--password-file", open_file, NULL };
	const char		*tab_file = fx_file("password-tab");
	const char *const	 tab_args[] = { "--port", "0",
	    "--password-file", tab_file, NULL };
	const char *const	 tls_args[] = { "--port", "0", "--tls-port",
	    "0", "--tls-cert", fx_file("localhost.pem"), "--tls-key",
	    fx_file("password"), NULL };
	char			 want[1024], *err;

	/* A directory to run in, as harness_start would make. */
	snprintf(s->dir, sizeof s->dir, "%s/chat-test.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);

	assert_int_equal(refused(s, open_args, &err), 1);
	snprintf(want, sizeof want, "chat-server: password file %s is open to "
	    "others (mode 0644): chmod 600 %s\n", open_file, open_file);
	assert_non_null(strstr(err, want));
	free(err);

	/* A tab is cleaned to a space on the way in: it could never match. */
	assert_int_equal(write_file(tab_file, "tab\there\n", 0600), 0);
	assert_int_equal(refused(s, tab_args, &err), 1);
	snprintf(want, sizeof want, "chat-server: password file %s: the "
	    "password has characters a client cannot send", tab_file);
	assert_non_null(strstr(err, want));
	free(err);

	if (!tls_client_available()) {
		assert_int_equal(refused(s, tls_args, &err), 2);
		assert_non_null(strstr(err, "chat-server: built without TLS"));
		free(err);
		return;
	}
	if (fx.certs != 1)
		return;
	assert_int_equal(refused(s, tls_args, &err), 1);
	snprintf(want, sizeof want, "chat-server: cannot load key %s: ",
	    fx_file("password"));
	assert_non_null(strstr(err, want));
	free(err);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fault_setup, fault_teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_tls_interop_s_client_ncat_and_plain_ncat),
		T(test_tls_stalled_reader_dropped_at_queue_cap),
		T(test_tls_garbage_and_plain_text_dropped_others_chat_on),
		T(test_tls_sighup_new_certificate_bad_pair_kept),
		T(test_tls_burst_every_reader_gets_every_line_in_order),
		T(test_tls_quit_gets_owed_lines_bye_then_close_notify),
		T(test_tls_key_update_does_not_stall_owed_output),
		T(test_password_on_plain_port),
		T(test_password_on_tls_port),
		T(test_start_refuses_open_password_file_and_bad_tls),
		T(test_deadlines_handshake_then_password),
	};

	alarm(FAULT_TEST_ALARM_S);
	signal(SIGPIPE, SIG_IGN);	/* a dead server fails an assertion */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
