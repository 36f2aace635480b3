/*
 * libFuzzer harness for what the server does with a client's bytes
 * before it has given the room password (server/auth.c, reached through
 * client_process() and the telnet filter, framer and cleaner).  The
 * bytes come as the first lines of a client at the door, in random-sized
 * reads, while a member listens; time moves on a second a turn, so the
 * password deadline passes too.  Checked: until the right password,
 * nothing reaches the member's queue and the client is sent only the
 * door's own replies; the secret is never in anything queued to anyone,
 * nor in the log.  A client let in, or closed, makes way for the next.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "server/server.h"

#define FUZZ_SECRET	"fuzz-s3cret"	/* also in the seeds */
#define FUZZ_TURNS_MAX	64		/* client_process() calls per read */
#define FUZZ_PATH_MAX	64

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What server/main.c provides to the rest of the server. */
static struct options	 fuzz_opts = {
	.port = "0",
	.welcome = WELCOME_DEFAULT,
	.max_clients = MAX_CLIENTS_DEFAULT,
	.max_per_ip = 0,
	.flood_burst = FLOOD_BURST_DEFAULT,
	.flood_rate = 0,
};
const struct options	*opts = &fuzz_opts;
volatile sig_atomic_t	 sig_term, sig_hup;

static char	fuzz_log[FUZZ_PATH_MAX];

/* What a client at the door may be sent, and nothing else. */
static const char *const fuzz_door_lines[] = {
	"*** password required (/pass SECRET)",
	"*** error: wrong password",
	"*** error: excess flood",
	"*** error: no password in 30 s",
	"*** Bye",
};

void
fatal(const char *fmt, ...)
{
	abort();
}

/* The password in a file only we may read, loaded as --password-file. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	path[FUZZ_PATH_MAX], *cause;
	int	fd;

	snprintf(path, sizeof path, "/tmp/fuzz_auth.XXXXXX");
	if ((fd = mkstemp(path)) == -1 || fchmod(fd, 0600) == -1 ||
	    write(fd, FUZZ_SECRET "\n", sizeof FUZZ_SECRET) !=
	    (ssize_t)sizeof FUZZ_SECRET)
		abort();
	close(fd);
	if (auth_load(path, &cause) == -1 || !auth_required())
		abort();
	unlink(path);
	snprintf(fuzz_log, sizeof fuzz_log, "/tmp/fuzz_auth_log.XXXXXX");
	if ((fd = mkstemp(fuzz_log)) == -1)
		abort();
	close(fd);
	if (log_open(fuzz_log, &cause) == -1)
		abort();
	return 0;
}

static struct client *
fuzz_client(unsigned short port)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	return client_create(-1, (struct sockaddr *)&sin);
}

/* A member already in the room (it gave the password long ago). */
static struct client *
fuzz_member(unsigned short port)
{
	struct client	*c = fuzz_client(port);

	room_join(c);
	return c;
}

/* A new connection at the door: asked for the password. */
static struct client *
fuzz_door(unsigned short port, double now)
{
	struct client	*c = fuzz_client(port);

	room_add(c);
	client_ready(c, now);
	if (c->state != CLIENT_AUTH)
		abort();
	return c;
}

/* Whether the secret is in anything queued to c. */
static int
fuzz_queue_has_secret(const struct client *c)
{
	const struct qent	*e;
	size_t			 i;

	for (i = 0; i < c->qlen; i++) {
		e = &c->q[(c->qhead + i) & (c->qcap - 1)];
		if (memmem(e->data, e->len, FUZZ_SECRET,
		    strlen(FUZZ_SECRET)) != NULL)
			return 1;
	}
	return 0;
}

/* Every line queued to a client at the door is one of the door's. */
static void
fuzz_check_door(const struct client *c)
{
	const struct qent	*e;
	const char		*p, *nl;
	size_t			 i, k, left, n;

	for (i = 0; i < c->qlen; i++) {
		e = &c->q[(c->qhead + i) & (c->qcap - 1)];
		for (p = e->data, left = e->len; left > 0; ) {
			if ((nl = memchr(p, '\n', left)) == NULL)
				abort();	/* a line cut in two */
			n = (size_t)(nl - p);
			for (k = 0; k < sizeof fuzz_door_lines /
			    sizeof fuzz_door_lines[0]; k++) {
				if (n == strlen(fuzz_door_lines[k]) &&
				    memcmp(p, fuzz_door_lines[k], n) == 0)
					break;
			}
			/* "*** error: line too long, cut to N bytes" */
			if (k == sizeof fuzz_door_lines /
			    sizeof fuzz_door_lines[0] &&
			    (n < 26 || memcmp(p, "*** error: line too long, ",
			    26) != 0))
				abort();
			left -= n + 1;
			p = nl + 1;
		}
	}
}

/* No queue holds the secret. */
static void
fuzz_check_queues(void)
{
	size_t	i;

	for (i = 0; i < room_count; i++) {
		if (fuzz_queue_has_secret(room_clients[i]))
			abort();
	}
}

/* The log does not hold the secret; then it is emptied for the next. */
static void
fuzz_check_log(void)
{
	char	 buf[65536];
	size_t	 n;
	FILE	*f;

	log_flush();
	if ((f = fopen(fuzz_log, "r")) == NULL)
		abort();
	/* Read in parts that overlap by the secret's length but one. */
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (memmem(buf, n, FUZZ_SECRET, strlen(FUZZ_SECRET)) != NULL)
			abort();
		if (n < sizeof buf)
			break;
		fseek(f, 1 - (long)strlen(FUZZ_SECRET), SEEK_CUR);
	}
	fclose(f);
	if (truncate(fuzz_log, 0) == -1)
		abort();
}

/* The loop's reaping: announce and free the dead. */
static void
fuzz_reap(void)
{
	struct client	*c;
	size_t		 i;
	int		 found;

	do {
		found = 0;
		for (i = 0; i < room_count; i++) {
			c = room_clients[i];
			if (c->dead == NULL)
				continue;
			room_leave(c);
			client_destroy(c);
			found = 1;
			break;
		}
	} while (found);
}

/*
 * Run the lines the client at the door has, as the loop's turns would
 * (client_process(), but a turn ends where the client is let in: what
 * it says after that is the room's, and not checked here).
 */
static void
fuzz_process(struct client *c, double *now)
{
	int	turn;

	for (turn = 0; turn < FUZZ_TURNS_MAX && c->dead == NULL; turn++) {
		client_begin_turn(c);
		while (c->state == CLIENT_AUTH && client_take_line(c, *now))
			continue;
		client_end_turn(c);
		*now += 1.0;
		client_check_deadline(c, *now);
		if (c->state == CLIENT_MEMBER ||
		    (!c->backlog && !c->throttled))
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client	*member, *door;
	double		 now = 1.0;
	size_t		 fed = 0, n, space, heard;
	unsigned int	 seed;
	unsigned short	 port = 1001;
	char		*tail;
	int		 in;

	if (size < 1)
		return 0;
	/* The first byte: the flood rule on or off, and how reads split. */
	fuzz_opts.flood_rate = data[0] & 1 ? FLOOD_RATE_DEFAULT : 0;
	seed = data[0];
	data++;
	size--;

	member = fuzz_member(1000);
	heard = member->qbytes;
	door = fuzz_door(port++, now);
	while (fed < size) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 64;
		if ((space = linebuf_space(&door->in)) == 0)
			abort();	/* no room and nothing to take: wedged */
		if (n > space)
			n = space;
		if (n > size - fed)
			n = size - fed;
		tail = linebuf_tail(&door->in);
		memcpy(tail, data + fed, n);
		fed += n;
		linebuf_commit(&door->in,
		    telnet_filter(&door->telnet_state, tail, n));
		fuzz_process(door, &now);
		if (door->state == CLIENT_AUTH) {
			fuzz_check_door(door);
			if (member->qbytes != heard)
				abort();	/* the room heard the door */
		}
		fuzz_check_queues();
		if (door->state == CLIENT_MEMBER)	/* in: the next one */
			client_kill(door, "fuzz: let in");
		if (door->dead != NULL) {
			in = door->state == CLIENT_MEMBER;
			fuzz_reap();
			/* A leaver from the door is not announced. */
			if (!in && member->qbytes != heard)
				abort();
			heard = member->qbytes;
			door = fuzz_door(port++, now);
		}
	}
	door->eof = 1;
	fuzz_process(door, &now);
	if (door->state == CLIENT_AUTH && member->qbytes != heard)
		abort();
	fuzz_check_queues();
	fuzz_reap();
	while (room_count > 0) {
		client_kill(room_clients[0], "fuzz done");
		fuzz_reap();
	}
	fuzz_check_log();
	msg_pool_drain();
	return 0;
}
