/* Sockets: listening, connecting with a deadline, and naming peers. */
#ifndef NET_H
#define NET_H

#include <sys/types.h>
#include <sys/socket.h>

/* "[" + an IPv6 address + "]:" + a port, with room to spare. */
#define NET_ADDR_MAX	64
#define NET_KEEPALIVE_IDLE_S	120	/* silence before the first probe */
#define NET_KEEPALIVE_INTERVAL_S 30	/* between probes */
#define NET_KEEPALIVE_PROBES	4	/* unanswered, then the link is dead */

#define NET_LISTEN_MAX	2	/* sockets for one listen address */

/* net_listen_all flags. */
#define NET_REUSE_PORT	0x1	/* other processes may bind the port too */

int	net_listen(const char *, const char *, int, char **);
int	net_listen_all(const char *, const char *, int, int, int *, char **);
const char *net_reuse_port_name(void);
struct addrinfo;
int	net_resolve(const char *, const char *, struct addrinfo **, char **);
int	net_connect_list(const struct addrinfo *, const char *, const char *,
	    int, char **);
int	net_connect(const char *, const char *, int, char **);
int	net_set_nonblock(int);
void	net_set_nodelay(int);
void	net_set_keepalive(int);
void	net_addr_format(const struct sockaddr *, char *, size_t);
void	net_host_format(const struct sockaddr *, char *, size_t);
int	net_local_port(int);
int	net_parse_port(const char *, int);

#endif
