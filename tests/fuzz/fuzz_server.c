/*
 * libFuzzer harness for what the server does with a client's bytes: the
 * telnet filter, the line framer, the cleaner and the command parser
 * (server/telnet.c, client.c, command.c, room.c through libserver).  The
 * bytes come from one client in random-sized reads, another listens, and
 * everything queued to either must be whole lines of clean text.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "server/server.h"
#include "tests/fault.h"

#define FUZZ_TURNS_MAX	64	/* client_process() calls per read */

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

void
fatal(const char *fmt, ...)
{
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*cause;

	if (log_open("/dev/null", &cause) == -1)
		abort();
	return 0;
}

static struct client *
join(unsigned short port)
{
	struct sockaddr_in	 sin;
	struct client		*c;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	c = client_create(-1, (struct sockaddr *)&sin);
	room_join(c);
	return c;
}

/* Everything queued to c: whole lines, each clean. */
static void
check_queue(const struct client *c)
{
	const struct qent	*e;
	const char		*p, *nl;
	size_t			 i, left;

	for (i = 0; i < c->qlen; i++) {
		e = &c->q[(c->qhead + i) % c->qcap];
		if (e->len == 0 || e->data[e->len - 1] != '\n')
			abort();
		for (p = e->data, left = e->len; left > 0; ) {
			nl = memchr(p, '\n', left);
			if (!fault_text_safe(p, (size_t)(nl - p)))
				abort();
			left -= (size_t)(nl - p) + 1;
			p = nl + 1;
		}
	}
}

/* The loop's reaping: check, announce and free the dead. */
static void
reap(void)
{
	struct client	*c;
	size_t		 i;
	int		 found;

	do {
		found = 0;
		for (i = 0; i < room_count; i++) {
			c = room_clients[i];
			check_queue(c);
			if (c->dead == NULL)
				continue;
			room_leave(c);
			client_destroy(c);
			found = 1;
			break;
		}
	} while (found);
}

/* Run the lines the speaker has, as the loop's turns would. */
static void
process(struct client *c, double *now)
{
	int	turn;

	for (turn = 0; turn < FUZZ_TURNS_MAX && c->dead == NULL; turn++) {
		client_process(c, *now);
		*now += 1.0;
		if (!c->backlog && !c->throttled)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client	*speaker;
	double		 now = 1.0;
	size_t		 fed = 0, n, space;
	unsigned int	 seed;
	char		*tail;

	if (size < 1)
		return 0;
	/* The first byte: the flood rule on or off, and how reads split. */
	fuzz_opts.flood_rate = data[0] & 1 ? FLOOD_RATE_DEFAULT : 0;
	seed = data[0];
	data++;
	size--;

	(void)join(1000);
	speaker = join(1001);
	while (fed < size) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 64;
		if ((space = linebuf_space(&speaker->in)) == 0)
			abort();	/* no room and nothing to take: wedged */
		if (n > space)
			n = space;
		if (n > size - fed)
			n = size - fed;
		tail = linebuf_tail(&speaker->in);
		memcpy(tail, data + fed, n);
		fed += n;
		linebuf_commit(&speaker->in,
		    telnet_filter(&speaker->telnet_state, tail, n));
		process(speaker, &now);
		if (speaker->dead != NULL) {
			reap();
			speaker = join(1002);
		}
	}
	speaker->eof = 1;
	process(speaker, &now);
	reap();
	while (room_count > 0) {
		speaker = room_clients[0];
		client_kill(speaker, "fuzz done");
		reap();
	}
	msg_pool_drain();
	return 0;
}
