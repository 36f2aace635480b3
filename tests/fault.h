/*
 * Helpers for the fault and abuse suite: what /proc says about the
 * server (memory, CPU time), plain sockets in bulk, and a checker for
 * the text the server relays.
 */
#ifndef FAULT_H
#define FAULT_H

#include <sys/types.h>

#include <stddef.h>

#define FAULT_TEST_ALARM_S	300	/* a hung test dies rather than waits */

long	fault_rss_kb(pid_t);
long	fault_cpu_ms(pid_t);
int	fault_rss_meaningful(void);
int	fault_raise_nofile(long);
int	fault_setup(void **);
int	fault_teardown(void **);
int	fault_read_line(int, char *, size_t, int);
int	fault_text_safe(const char *, size_t);
int	fault_log_whole(const char *, char *, size_t);
size_t	fault_count(const char *, const char *);
long	fault_tx_queue(int, int);
int	fault_loopback_net(void);
int	fault_open_from(int, int, int, int);
int	fault_sock_port(int, int);

struct harness_conn;
struct harness_server;
int	fault_pause(struct harness_server *, int);
ssize_t	fault_fill(struct harness_conn *);
int	fault_pop(struct harness_conn *, char *, size_t);
int	fault_write_all(int, const void *, size_t, int);

#endif
