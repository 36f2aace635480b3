/*
 * The adapter between hiredis's asynchronous contexts and our select()
 * loop, in the manner of hiredis's adapters/ae.h: hiredis says through
 * its ev hooks when it wants the socket readable or writable, and the
 * loop calls redisAsyncHandleRead/Write when select() says so.
 */
#include "config.h"

#ifdef HAVE_REDIS
#include <sys/types.h>
#include <sys/select.h>

#include <stdio.h>

#include "server/redis_loop.h"

static void
redis_loop_add_read(void *p)
{
	((struct redis_loop *)p)->reading = 1;
}

static void
redis_loop_del_read(void *p)
{
	((struct redis_loop *)p)->reading = 0;
}

static void
redis_loop_add_write(void *p)
{
	((struct redis_loop *)p)->writing = 1;
}

static void
redis_loop_del_write(void *p)
{
	((struct redis_loop *)p)->writing = 0;
}

/* hiredis frees the context after this: forget it, keep why. */
static void
redis_loop_cleanup(void *p)
{
	struct redis_loop	*rl = p;

	if (rl->ac != NULL && rl->ac->err != 0)
		snprintf(rl->why, sizeof rl->why, "%s", rl->ac->errstr);
	else if (rl->ac != NULL)
		snprintf(rl->why, sizeof rl->why, "connection closed");
	rl->ac = NULL;
	rl->reading = rl->writing = 0;
}

/*
 * Take over ac's events.  -1 when its socket is past what select() can
 * watch: the caller frees it and tries again later, as after any error.
 */
int
redis_loop_attach(struct redis_loop *rl, redisAsyncContext *ac)
{
	if (ac->c.fd < 0 || ac->c.fd >= FD_SETSIZE)
		return -1;
	rl->ac = ac;
	rl->why[0] = '\0';
	rl->reading = 0;
	rl->writing = 1;	/* hiredis finishes connect() on writable */
	ac->ev.addRead = redis_loop_add_read;
	ac->ev.delRead = redis_loop_del_read;
	ac->ev.addWrite = redis_loop_add_write;
	ac->ev.delWrite = redis_loop_del_write;
	ac->ev.cleanup = redis_loop_cleanup;
	ac->ev.data = rl;
	return 0;
}

/* Put the socket in the sets hiredis asked for; the new highest fd. */
int
redis_loop_fill(const struct redis_loop *rl, fd_set *rset, fd_set *wset,
    int maxfd)
{
	int	fd;

	if (rl->ac == NULL)
		return maxfd;
	fd = rl->ac->c.fd;
	if (rl->reading)
		FD_SET(fd, rset);
	if (rl->writing)
		FD_SET(fd, wset);
	if ((rl->reading || rl->writing) && fd > maxfd)
		maxfd = fd;
	return maxfd;
}

/*
 * What select() said.  A read may end the context (an error, a reply
 * hiredis cannot parse): then the cleanup hook has cleared rl->ac.
 */
void
redis_loop_run(struct redis_loop *rl, const fd_set *rset, const fd_set *wset)
{
	int	fd, r, w;

	if (rl->ac == NULL)
		return;
	fd = rl->ac->c.fd;
	r = rl->reading && FD_ISSET(fd, rset);
	w = rl->writing && FD_ISSET(fd, wset);
	if (r)
		redisAsyncHandleRead(rl->ac);
	if (w && rl->ac != NULL && rl->writing)
		redisAsyncHandleWrite(rl->ac);
}
#endif
