/*
 * Lingering close.  A client that leaves while it may still be sending
 * (a /quit with more lines behind it, a flood cut off) must not be closed
 * with input unread: the kernel would answer with a reset, which throws
 * away the last lines still on their way to it, "*** error: excess
 * flood" or "*** Bye" among them.  Instead the socket is shut down for
 * writing, so those lines go out followed by end of stream, and what the
 * peer still sends is read and thrown away until it closes, for at most
 * LINGER_MS.  At most LINGER_MAX_SOCKETS wait at once; past that a
 * socket is closed at once, as before.  A lingering socket gives its
 * descriptor up as soon as a new client needs one (linger_evict()).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "server/server.h"

struct linger_slot {
	int	fd;
	double	until;		/* closed then, whatever the peer does */
};

static struct linger_slot linger_slots[LINGER_MAX_SOCKETS];
static size_t		  linger_count;

/* Take over fd, a socket whose client has left. */
void
linger_add(int fd, double now)
{
	if (linger_count == LINGER_MAX_SOCKETS || shutdown(fd, SHUT_WR) == -1) {
		close(fd);
		return;
	}
	linger_slots[linger_count].fd = fd;
	linger_slots[linger_count].until = now + LINGER_MS / 1000.0;
	linger_count++;
}

static void
linger_remove(size_t i)
{
	close(linger_slots[i].fd);
	linger_slots[i] = linger_slots[--linger_count];
}

/* Ask select() to watch every lingering socket; returns the highest fd. */
int
linger_fill(fd_set *rset, int maxfd)
{
	size_t	i;

	for (i = 0; i < linger_count; i++) {
		FD_SET(linger_slots[i].fd, rset);
		if (linger_slots[i].fd > maxfd)
			maxfd = linger_slots[i].fd;
	}
	return maxfd;
}

/*
 * Throw away what readable sockets sent; close those at end of stream,
 * those whose peer is gone, and those past their time.
 */
void
linger_run(const fd_set *rset, double now)
{
	char	buf[4096];
	ssize_t	n;
	size_t	i = 0;

	while (i < linger_count) {
		n = 1;
		if (FD_ISSET(linger_slots[i].fd, rset)) {
			n = read(linger_slots[i].fd, buf, sizeof buf);
			if (n == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK || errno == EINTR))
				n = 1;
		}
		if (n <= 0 || now >= linger_slots[i].until)
			linger_remove(i);
		else
			i++;
	}
}

/* Seconds until the next socket is due to close, or -1 for none. */
double
linger_wait(double now)
{
	double	wait = -1;
	size_t	i;

	for (i = 0; i < linger_count; i++) {
		if (wait < 0 || linger_slots[i].until - now < wait)
			wait = linger_slots[i].until - now;
	}
	return wait < 0 ? -1 : (wait > 0 ? wait : 0);
}

/*
 * Give up the socket closest to its end, for a new client that needs a
 * descriptor: lingering never costs a client its place.  0 if none.
 */
int
linger_evict(void)
{
	size_t	i, oldest = 0;

	if (linger_count == 0)
		return 0;
	for (i = 1; i < linger_count; i++) {
		if (linger_slots[i].until < linger_slots[oldest].until)
			oldest = i;
	}
	linger_remove(oldest);
	return 1;
}

void
linger_close_all(void)
{
	while (linger_count > 0)
		linger_remove(0);
}
