/*
 * hiredis's asynchronous API driven from chat-server's select() loop:
 * the context's ev hooks only record whether hiredis wants to read or
 * write; the loop puts the socket in its sets and calls back in.
 * Included by cluster.c and redis_loop.c only: nothing else sees hiredis.
 */
#ifndef REDIS_LOOP_H
#define REDIS_LOOP_H

#include <sys/select.h>

#include <hiredis/async.h>

struct redis_loop {
	redisAsyncContext	*ac;	/* NULL: not connected */
	int			 reading;
	int			 writing;
	char			 why[128];	/* why hiredis let it go */
};

int	redis_loop_attach(struct redis_loop *, redisAsyncContext *);
int	redis_loop_fill(const struct redis_loop *, fd_set *, fd_set *, int);
void	redis_loop_run(struct redis_loop *, const fd_set *, const fd_set *);

#endif
