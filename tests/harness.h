/*
 * Integration test harness: start the real chat-server on --port 0,
 * connect real sockets to it, and wait for lines with deadlines.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <sys/types.h>

#include <stddef.h>

#define HARNESS_TIMEOUT_MS	5000	/* default deadline for one wait */
/*
 * Deadlines for a server to start (write its listen line) or to exit
 * after SIGTERM.  They only catch a server that never does, so they
 * cost nothing when it does and need not be tight; under a wrapper
 * (valgrind) the start is seconds of work, which a loaded machine
 * stretches: on 2 cores about 2 s at load 2, 5 to 8 s at load 10 to 13,
 * more than 20 s at load 20 to 28.
 */
#define HARNESS_START_MS	30000
#define HARNESS_WRAPPED_START_MS 120000

/* Runs in the server's process between fork and exec (see harness_start_child). */
typedef void	harness_child_fn(void *);

struct harness_server {
	pid_t	 pid;
	int	 status;		/* wait status if it exited before its
					 * listen line, else -1 */
	harness_child_fn *child;	/* NULL, or run before each exec */
	void	*child_arg;
	int	 port;			/* plain port, 0 with --port none */
	int	 tls_port;		/* TLS port, 0 without --tls-port */
	char	 dir[256];		/* private temporary directory */
	char	 log[300];		/* its --log file */
	char	 err[300];		/* its stderr, or "" for ours */
};

struct harness_conn {
	int	 fd;
	char	 buf[65536];
	size_t	 len;
};

int	harness_start(struct harness_server *, const char *const *);
int	harness_start_ms(void);
int	harness_start_err(struct harness_server *, const char *const *);
int	harness_start_child(struct harness_server *, const char *const *,
	    harness_child_fn *, void *);
int	harness_restart(struct harness_server *, const char *const *);
int	harness_stop(struct harness_server *);
int	harness_signal_wait(struct harness_server *, int, int);
void	harness_cleanup(struct harness_server *);
int	harness_log_wait(struct harness_server *, const char *, int);
char	*harness_log_read(struct harness_server *);

int	harness_socket(const char *, int, int);
int	harness_connect(struct harness_conn *, int);
int	harness_connect_from(struct harness_conn *, const char *, int);
void	harness_close(struct harness_conn *);
int	harness_send(struct harness_conn *, const char *);
int	harness_sendn(struct harness_conn *, const void *, size_t);
int	harness_read_line(struct harness_conn *, char *, size_t, int);
int	harness_expect(struct harness_conn *, const char *, char *, size_t,
	    int);
int	harness_join(struct harness_conn *, int, char *, size_t);
int	harness_wait_closed(struct harness_conn *, int);
long	harness_now_ms(void);
int	harness_server_says(const char *const *, const char *);
int	harness_server_has_opers(void);

#endif
