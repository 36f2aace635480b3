/*
 * Without a terminal, a plain line client for scripts and pipes: lines
 * from stdin go to the server, lines from the server are printed cleaned
 * of control bytes.  At the end of stdin it says so to the server and
 * prints what is left until the server closes.  With a password it
 * answers the server's request for it, and holds stdin back until the
 * server has let it in, so no line is lost before the password.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "tui/tui.h"

#define STDIN_BUF_BYTES		(16 * 1024)
#define PLAIN_LINGER_MS		5000	/* wait for the server after stdin ends */

struct plain {
	struct conn	*conn;
	const char	*nick;		/* to ask for once let in */
	const char	*password;
	int		 held;		/* stdin waits: not let in yet */
	int		 pass_sent;
	int		 pass_wrong;	/* the password was refused */
	struct linebuf	 in;
	int		 eof;		/* stdin is done */
	int		 shut;		/* and the server was told */
	int		 quit;		/* a /quit was sent */
	int		 out_error;	/* errno of a failed write to stdout */
	int64_t		 linger_until;
};

static void
plain_print(const char *line, size_t len)
{
	static char	clean[SHOWN_LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	size_t		n;

	n = text_clean(line, len, clean);
	n = text_cut(clean, n, SHOWN_LINE_MAX_BYTES);
	clean[n++] = '\n';
	fwrite(clean, 1, n, stdout);
}

static void
plain_send(struct plain *p, const char *line, size_t len)
{
	if (len >= 5 && strncmp(line, "/quit", 5) == 0 &&
	    (len == 5 || line[5] == ' '))
		p->quit = 1;
	conn_send(p->conn, line, len);
}

/* Read stdin only while a whole buffer of lines fits the send queue. */
static int
plain_can_read(const struct plain *p)
{
	return !p->eof && !p->held && SENDQ_MAX_BYTES - p->conn->sendq_len >
	    STDIN_BUF_BYTES + 1;
}

/* The server let us in (or never asked): the nickname, then stdin. */
static void
plain_let_in(struct plain *p)
{
	char	line[NICK_MAX_BYTES + 8];

	p->held = 0;
	if (p->nick == NULL)
		return;
	snprintf(line, sizeof line, "/nick %s", p->nick);
	conn_send(p->conn, line, strlen(line));
	p->nick = NULL;
}

/*
 * A line from the server, while held: its request for the password is
 * answered once; a refusal of it ends the run (-1), as nobody can type
 * another; anything else means we are in.
 */
static int
plain_gate(struct plain *p, const char *line, size_t len)
{
	switch (style_password(line, len)) {
	case STYLE_PASS_ASKED:
		if (p->password != NULL && !p->pass_sent) {
			pass_send(p->conn, p->password);
			p->pass_sent = 1;
		}
		return 0;
	case STYLE_PASS_WRONG:
		if (!p->pass_sent)
			return 0;
		p->pass_wrong = 1;
		return -1;
	}
	plain_let_in(p);
	return 0;
}

static void
plain_stdin(struct plain *p)
{
	enum linebuf_status	 status;
	ssize_t			 n;
	char			*line;
	size_t			 len;

	n = read(STDIN_FILENO, linebuf_tail(&p->in), linebuf_space(&p->in));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		linebuf_commit(&p->in, (size_t)n);
	else
		p->eof = 1;
	for (;;) {
		status = p->eof ? linebuf_flush(&p->in, &line, &len) :
		    linebuf_next(&p->in, &line, &len);
		if (status == LINEBUF_NONE)
			break;
		plain_send(p, line, len);
	}
}

/* -1 when the connection is gone. */
static int
plain_socket(struct plain *p, short revents)
{
	char	*line;
	size_t	 len;

	if (conn_readable(p->conn, revents) && conn_read(p->conn) == -1)
		return -1;
	while (conn_next_line(p->conn, &line, &len) != LINEBUF_NONE) {
		plain_print(line, len);
		if (p->held && plain_gate(p, line, len) == -1)
			break;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		p->out_error = errno != 0 ? errno : EIO;
		return -1;
	}
	if (p->pass_wrong)
		return -1;
	if (conn_writable(p->conn, revents) && conn_write(p->conn) == -1)
		return -1;
	return 0;
}

static int
plain_timeout(const struct plain *p)
{
	int64_t	left;

	if (!p->shut)
		return conn_timeout(p->conn, conn_now());
	left = p->linger_until - conn_now();
	return left > 0 ? (int)left : 0;
}

/* Why the connection ended, and the exit status that goes with it. */
static int
plain_ended(const struct plain *p)
{
	if (p->out_error != 0) {
		fprintf(stderr, "chat-tui: cannot write standard output: %s\n",
		    strerror(p->out_error));
		return 1;
	}
	if (p->pass_wrong) {
		fprintf(stderr, "chat-tui: cannot log in to %s:%s: wrong "
		    "password\n", p->conn->host, p->conn->port);
		return 1;
	}
	if (p->eof || p->quit)
		return 0;
	fprintf(stderr, "chat-tui: %s:%s: %s\n", p->conn->host, p->conn->port,
	    p->conn->cause);
	return 1;
}

/* Returns like plain_run(); what it holds, plain_run() frees. */
static int
plain_loop(struct plain *p, int sigfd)
{
	struct conn	*c = p->conn;
	struct pollfd	 pfd[3];
	char		 drain[64];

	for (;;) {
		if (sig_term || sig_hup)
			return sig_term ? -SIGTERM : -SIGHUP;
		if (sig_int)
			return 0;
		if (p->eof && !p->shut && c->sendq_len == 0) {
			conn_shutdown(c);
			p->shut = 1;
			p->linger_until = conn_now() + PLAIN_LINGER_MS;
		}
		pfd[0].fd = plain_can_read(p) ? STDIN_FILENO : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = sigfd;
		pfd[1].events = POLLIN;
		pfd[2].fd = c->fd;
		pfd[2].events = conn_events(c);
		switch (poll(pfd, 3, plain_timeout(p))) {
		case -1:
			if (errno == EINTR)
				continue;
			return 1;
		case 0:
			if (p->shut && conn_now() >= p->linger_until)
				return 0; /* the server never closed: done */
			break;
		}
		if (pfd[1].revents & POLLIN)
			while (read(sigfd, drain, sizeof drain) > 0)
				;
		if (pfd[0].revents != 0)
			plain_stdin(p);
		if ((pfd[2].revents != 0 || conn_readable(c, 0)) &&
		    plain_socket(p, pfd[2].revents) == -1)
			return plain_ended(p);
		conn_pace(c, conn_now());
	}
}

/*
 * Returns the exit status, or minus the signal that ended it.  Every way
 * out of the loop comes back here, so the stdin buffer is freed once.
 */
int
plain_run(struct conn *c, int sigfd, const char *nick, const char *password)
{
	struct plain	p;
	int		status;

	memset(&p, 0, sizeof p);
	p.conn = c;
	p.nick = nick;
	p.password = password;
	p.held = 1;
	if (password == NULL)
		plain_let_in(&p);	/* nothing to wait for */
	linebuf_init(&p.in, SHOWN_LINE_MAX_BYTES, STDIN_BUF_BYTES);
	status = plain_loop(&p, sigfd);
	linebuf_free(&p.in);
	return status;
}
