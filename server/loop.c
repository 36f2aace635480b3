/*
 * The one select() loop: accept, read everything readable, handle the
 * lines that came in, then write every queue in one writev() each.
 * Signal handlers only write a byte to a pipe the loop watches, so a
 * signal never waits behind a blocked select().
 */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "server/server.h"


static int	loop_spare_fd = -1;	/* given up to accept() past EMFILE */
static double	loop_accept_resume;	/* accept() paused until then */

/* Seconds on the monotonic clock. */
double
loop_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Tell a connection we cannot take why, and close it.  On the TLS port
 * the reason could only come as plain text inside what the client reads
 * as TLS, and a handshake just to say no would cost what a flood of
 * connections asks for: it is closed at once, and the log says why.
 */
static void
loop_refuse(int fd, int tls, const char *addr, const char *why)
{
	char	line[REASON_MAX_BYTES + 128];
	int	n;

	n = snprintf(line, sizeof line, "*** error: %s\n", why);
	if (n >= (int)sizeof line)
		n = (int)sizeof line - 1;
	if (!tls)
		(void)write(fd, line, (size_t)n);
	close(fd);
	log_event("refuse", "%s %s", addr, why);
}

/*
 * Out of descriptors: free the spare one, take the waiting connection
 * just to refuse it, and rest a moment, so the loop never spins on a
 * listen socket it cannot serve.
 */
static void
loop_accept_exhausted(int lfd, int tls, double now)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;
	char			addr[NET_ADDR_MAX];
	int			fd;

	if (loop_spare_fd != -1) {
		close(loop_spare_fd);
		loop_spare_fd = -1;
		fd = accept(lfd, (struct sockaddr *)&ss, &len);
		if (fd != -1) {
			net_addr_format((struct sockaddr *)&ss, addr,
			    sizeof addr);
			loop_refuse(fd, tls, addr, "server full");
		}
		loop_spare_fd = open("/dev/null", O_RDONLY);
	}
	loop_accept_resume = now + ACCEPT_PAUSE_MS / 1000.0;
}

/*
 * A new connection's descriptor is past what select() can watch: if a
 * lingering socket holds a lower one, take that over instead.
 */
static int
loop_lower_fd(int fd)
{
	int	lower;

	if (!linger_evict() || (lower = fcntl(fd, F_DUPFD, 0)) == -1)
		return fd;
	if (lower >= FD_SETSIZE) {
		close(lower);
		return fd;
	}
	close(fd);
	return lower;
}

/* Why a new connection cannot be taken (full, or banned), or NULL. */
static const char *
loop_refusal(int fd, const char *host)
{
	if (fd >= FD_SETSIZE || room_count >= opts->max_clients)
		return "server full";
	if (opts->max_per_ip != 0 &&
	    room_count_host(host) >= opts->max_per_ip)
		return "too many connections from your address";
	return moderation_refusal(host);
}

static void
loop_accept(int lfd, int tls, double now)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct client		*c;
	char			 addr[NET_ADDR_MAX], host[NET_ADDR_MAX];
	const char		*why;
	int			 fd, i;

	for (i = 0; i < ACCEPT_BATCH_CONNS; i++) {
		len = sizeof ss;
		fd = accept(lfd, (struct sockaddr *)&ss, &len);
		if (fd == -1 && (errno == EMFILE || errno == ENFILE) &&
		    linger_evict())
			continue;	/* a lingering socket made room */
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				loop_accept_exhausted(lfd, tls, now);
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_event("error", "accept: %s",
				    strerror(errno));
			return;
		}
		if (fd >= FD_SETSIZE)
			fd = loop_lower_fd(fd);
		net_addr_format((struct sockaddr *)&ss, addr, sizeof addr);
		net_host_format((struct sockaddr *)&ss, host, sizeof host);
		if ((why = loop_refusal(fd, host)) != NULL) {
			loop_refuse(fd, tls, addr, why);
			continue;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (net_set_nonblock(fd) == -1) {
			log_event("error", "%s fcntl: %s", addr,
			    strerror(errno));
			close(fd);
			continue;
		}
		net_set_nodelay(fd);
		net_set_keepalive(fd);
		c = client_create(fd, (struct sockaddr *)&ss);
		room_add(c);
		if (!tls)
			client_ready(c, now);
		else if (client_start_tls(c, now) == 0)
			client_io(c, 1, 0, now);	/* it may have spoken */
	}
}

/* Announce every client marked dead, including any the announcements
 * themselves made dead, and hand each to the lingering close. */
static void
loop_reap(double now)
{
	struct client	*c;
	size_t		 i;
	int		 found;

	do {
		found = 0;
		for (i = 0; i < room_count; ) {
			c = room_clients[i];
			if (c->dead == NULL) {
				i++;
				continue;
			}
			found = 1;
			room_leave(c);
			client_flush(c);	/* a last "*** Bye" */
			linger_add(c, now);
		}
	} while (found);
}

static void
loop_drain_signals(int sigfd)
{
	char	buf[64];

	while (read(sigfd, buf, sizeof buf) > 0)
		continue;
}

/* SIGHUP: see reload.c. */
static void
loop_hangup(void)
{
	sig_hup = 0;
	reload_run();
}

/* The sooner of wait and an event in seconds (overdue: now); -1 none. */
static double
loop_sooner(double wait, double in)
{
	if (in < 0)
		in = 0;
	return wait < 0 || in < wait ? in : wait;
}

/* How long select() may sleep: not at all with lines left over. */
static struct timeval *
loop_timeout(struct timeval *tv, double now)
{
	struct client	*c;
	double		 wait = -1, linger, service, cluster;
	size_t		 i;

	for (i = 0; i < room_count; i++) {
		c = room_clients[i];
		/* Lines left over, or a write failed: the next turn is now. */
		if (client_has_lines(c) || c->dead != NULL)
			wait = 0;
		else if (c->throttled)	/* a reload may have set rate 0 */
			wait = loop_sooner(wait, opts->flood_rate == 0 ? 0 :
			    1.0 / opts->flood_rate);
		/* Decrypted input already held: read it now. */
		if (client_wants_read(c) && stream_pending(&c->st) > 0)
			wait = 0;
		/* A handshake or a password is due. */
		if (c->deadline != 0)
			wait = loop_sooner(wait, c->deadline - now);
		/* A queue over the soft limit is judged when its time is up. */
		if (c->soft_since != 0)
			wait = loop_sooner(wait, c->soft_since +
			    SENDQ_SOFT_SECONDS - now);
	}
	if (loop_accept_resume > now)
		wait = loop_sooner(wait, loop_accept_resume - now);
	if ((linger = linger_wait(now)) >= 0)
		wait = loop_sooner(wait, linger);
	if ((service = service_wait(now)) >= 0)
		wait = loop_sooner(wait, service);
	if ((cluster = cluster_wait(now)) >= 0)
		wait = loop_sooner(wait, cluster);
	if (wait < 0)
		return NULL;
	tv->tv_sec = (time_t)wait;
	tv->tv_usec = (suseconds_t)((wait - (double)tv->tv_sec) * 1e6);
	return tv;
}

static int
loop_fill(fd_set *rset, fd_set *wset, const struct listener *l, size_t nl,
    int sigfd, double now)
{
	struct client	*c;
	size_t		 i, k;
	int		 maxfd = sigfd;

	FD_ZERO(rset);
	FD_ZERO(wset);
	FD_SET(sigfd, rset);
	for (k = 0; k < nl && loop_accept_resume <= now; k++) {
		FD_SET(l[k].fd, rset);
		if (l[k].fd > maxfd)
			maxfd = l[k].fd;
	}
	for (i = 0; i < room_count; i++) {
		c = room_clients[i];
		if (client_wants_read(c))
			FD_SET(c->fd, rset);
		if (client_wants_write(c))
			FD_SET(c->fd, wset);
		if (c->fd > maxfd)
			maxfd = c->fd;
	}
	maxfd = cluster_fill(rset, wset, maxfd);
	return linger_fill(rset, wset, maxfd);
}

/* Tell everyone the server is going, and give each queue one last write. */
static void
loop_shutdown(void)
{
	size_t	i;

	room_announce("*** server shutting down");
	cluster_stop();		/* the other servers learn who left */
	for (i = 0; i < room_count; i++) {
		client_flush(room_clients[i]);
		stream_close_notify(&room_clients[i]->st);
		client_kill(room_clients[i], "server shutting down");
	}
	for (i = 0; i < room_count; i++) {
		if (room_clients[i]->state == CLIENT_MEMBER)
			log_event("part", "%s %s %s", room_clients[i]->addr,
			    room_clients[i]->nick, room_clients[i]->dead);
		else
			log_event("drop", "%s %s", room_clients[i]->addr,
			    room_clients[i]->dead);
		client_destroy(room_clients[i]);
	}
	room_free();
	tls_free();
	linger_close_all();	/* their chunks go back before the pools go */
	msg_pool_drain();
}

/* Write every queue that can take output, then judge what is left. */
static void
loop_write(double now)
{
	struct client	*c;
	size_t		 i;

	for (i = 0; i < room_count; i++) {
		c = room_clients[i];
		if (c->dead != NULL || c->qlen == 0)
			continue;
		/* Over the cap: one more try, in case it has read since. */
		if (!c->blocked || c->qbytes > SENDQ_MAX_BYTES)
			client_flush(c);
		client_check_queue(c, now);
	}
}

/*
 * The nl listeners l[] take plain and TLS connections; sigfd becomes
 * readable when a signal came.
 */
void
loop_run(const struct listener *l, size_t nl, int sigfd)
{
	fd_set		 rset, wset;
	struct timeval	 tv;
	struct client	*c;
	double		 now;
	size_t		 i, n, k;
	int		 maxfd;

	loop_spare_fd = open("/dev/null", O_RDONLY);
	log_batch(1);
	while (!sig_term) {
		now = loop_now();
		service_tick(now, room_members);
		maxfd = loop_fill(&rset, &wset, l, nl, sigfd, now);
		log_flush();	/* nothing logged waits while we sleep */
		if (select(maxfd + 1, &rset, &wset, NULL,
		    loop_timeout(&tv, now)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("select: %s", strerror(errno));
		}
		now = loop_now();
		if (FD_ISSET(sigfd, &rset))
			loop_drain_signals(sigfd);
		/*
		 * Within the turn, so what a reload sends (the welcome of a
		 * client it lets in) goes out in this turn's writes; the
		 * signal's byte in the pipe always brings a turn.
		 */
		if (sig_hup) {
			service_reloading();
			loop_hangup();
			service_ready(room_members);
		}

		/* Only clients that were in the sets; accept comes after. */
		n = room_count;
		for (i = 0; i < n; i++) {
			c = room_clients[i];
			client_io(c, FD_ISSET(c->fd, &rset),
			    FD_ISSET(c->fd, &wset), now);
			client_check_deadline(c, now);
		}
		linger_run(&rset, &wset, now);
		cluster_run(&rset, &wset, now);
		room_process(now);
		for (k = 0; k < nl; k++) {
			if (loop_accept_resume <= now &&
			    FD_ISSET(l[k].fd, &rset))
				loop_accept(l[k].fd, l[k].tls, now);
		}
		/* Reap first, so the departures go out in this turn's writes. */
		loop_reap(now);
		log_flush();	/* logged before it is sent */
		loop_write(now);
	}
	log_event("stop", "signal %d", (int)sig_term);
	service_stopping();
	loop_shutdown();
	if (loop_spare_fd != -1)
		close(loop_spare_fd);
}
