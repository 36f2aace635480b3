/*
 * Listening on every interface serves IPv4 and IPv6: through one
 * dual-stack socket where the system allows it, else through an
 * IPv6-only socket and an IPv4 one on the same port.  Systems whose
 * IPV6_V6ONLY is read-only (OpenBSD) are played here by a setsockopt()
 * that refuses to turn the option off, as theirs does.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/net.h"

static int	v6only_read_only;	/* play a system like OpenBSD */

typedef int	(*setsockopt_fn)(int, int, int, const void *, socklen_t);

/*
 * Every setsockopt() in this program comes here first (net.o is linked
 * into it); all but the played refusal go on to the system's.
 */
int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static setsockopt_fn	 real;
	int			 on = 1;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "setsockopt");
#ifdef IPV6_V6ONLY
	if (v6only_read_only && level == IPPROTO_IPV6 && name == IPV6_V6ONLY &&
	    *(const int *)val == 0) {
		real(fd, level, name, &on, sizeof on);
		errno = EINVAL;
		return -1;
	}
#endif
	return real(fd, level, name, val, len);
}

/* Whether this machine can use IPv6 loopback at all. */
static int
have_ipv6(void)
{
	struct sockaddr_in6	sin6;
	int			fd, ok;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd == -1)
		return 0;
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == 0;
	close(fd);
	return ok;
}

/* Connect to host:port and return the listener among fds that got it. */
static int
accepted_on(const char *host, int port, const int *fds, int n)
{
	struct pollfd	 pfd[NET_LISTEN_MAX];
	char		 portstr[8], *cause = NULL;
	int		 c, a, i, got = -1;

	snprintf(portstr, sizeof portstr, "%d", port);
	c = net_connect(host, portstr, 5000, &cause);
	if (c == -1) {
		print_error("connect %s: %s\n", host, cause);
		free(cause);
		return -1;
	}
	for (i = 0; i < n; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, (nfds_t)n, 5000) > 0) {
		for (i = 0; i < n && got == -1; i++) {
			if ((pfd[i].revents & POLLIN) &&
			    (a = accept(fds[i], NULL, NULL)) != -1) {
				close(a);
				got = i;
			}
		}
	}
	close(c);
	return got;
}

static void
close_all(const int *fds, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void
test_net_listen_all_one_dual_stack_socket(void **state)
{
	int	 fds[NET_LISTEN_MAX], n, port;
	char	*cause = NULL;

	(void)state;
	if (!have_ipv6())
		skip();
	v6only_read_only = 0;
	n = net_listen_all(NULL, "0", 8, 0, fds, &cause);
	assert_int_equal(n, 1);
	port = net_local_port(fds[0]);
	assert_int_equal(accepted_on("127.0.0.1", port, fds, n), 0);
	assert_int_equal(accepted_on("::1", port, fds, n), 0);
	close_all(fds, n);
}

static void
test_net_listen_all_adds_ipv4_socket_where_v6only_is_fixed(void **state)
{
	int	 fds[NET_LISTEN_MAX], n, port;
	char	*cause = NULL;

	(void)state;
	if (!have_ipv6())
		skip();
	v6only_read_only = 1;
	n = net_listen_all(NULL, "0", 8, 0, fds, &cause);
	v6only_read_only = 0;
	assert_int_equal(n, 2);
	port = net_local_port(fds[0]);
	assert_int_equal(net_local_port(fds[1]), port);
	assert_int_equal(accepted_on("::1", port, fds, n), 0);
	assert_int_equal(accepted_on("127.0.0.1", port, fds, n), 1);
	close_all(fds, n);
}

static void
test_net_listen_all_given_host_is_one_socket(void **state)
{
	int	 fds[NET_LISTEN_MAX], n;
	char	*cause = NULL;

	(void)state;
	v6only_read_only = 1;
	n = net_listen_all("127.0.0.1", "0", 8, 0, fds, &cause);
	v6only_read_only = 0;
	assert_int_equal(n, 1);
	assert_int_equal(accepted_on("127.0.0.1", net_local_port(fds[0]), fds,
	    n), 0);
	close_all(fds, n);
}

static void
test_net_listen_all_port_in_use_names_it(void **state)
{
	int	 fds[NET_LISTEN_MAX], other[NET_LISTEN_MAX], n;
	char	 port[8], *cause = NULL;

	(void)state;
	n = net_listen_all("127.0.0.1", "0", 8, 0, fds, &cause);
	assert_int_equal(n, 1);
	snprintf(port, sizeof port, "%d", net_local_port(fds[0]));
	assert_int_equal(net_listen_all("127.0.0.1", port, 8, 0, other, &cause),
	    -1);
	assert_non_null(strstr(cause, "cannot listen on 127.0.0.1:"));
	assert_non_null(strstr(cause, strerror(EADDRINUSE)));
	free(cause);
	close_all(fds, n);
}

/* Two sockets asking for NET_REUSE_PORT share a port; both take connections. */
static void
test_net_listen_all_reuse_port_shares_the_port(void **state)
{
	int	 a[NET_LISTEN_MAX], b[NET_LISTEN_MAX], na, nb;
	char	 port[8], *cause = NULL;

	(void)state;
	if (net_reuse_port_name() == NULL)
		skip();		/* no SO_REUSEPORT here */
	na = net_listen_all("127.0.0.1", "0", 8, NET_REUSE_PORT, a, &cause);
	assert_int_equal(na, 1);
	snprintf(port, sizeof port, "%d", net_local_port(a[0]));
	nb = net_listen_all("127.0.0.1", port, 8, NET_REUSE_PORT, b, &cause);
	if (nb == -1)
		fail_msg("%s", cause);
	assert_int_equal(net_local_port(b[0]), net_local_port(a[0]));
	close_all(a, na);
	/* The first gone, the second still serves the port. */
	assert_int_equal(accepted_on("127.0.0.1", net_local_port(b[0]), b,
	    nb), 0);
	close_all(b, nb);
}

/* Every interface, both sockets where v6only is fixed, shared too. */
static void
test_net_listen_all_reuse_port_every_interface(void **state)
{
	int	 a[NET_LISTEN_MAX], b[NET_LISTEN_MAX], na, nb, i;
	char	 port[8], *cause = NULL;

	(void)state;
	if (net_reuse_port_name() == NULL)
		skip();
	for (i = 0; i < 2; i++) {
		v6only_read_only = i;
		na = net_listen_all(NULL, "0", 8, NET_REUSE_PORT, a, &cause);
		assert_true(na >= 1);
		snprintf(port, sizeof port, "%d", net_local_port(a[0]));
		nb = net_listen_all(NULL, port, 8, NET_REUSE_PORT, b, &cause);
		if (nb == -1)
			fail_msg("v6only fixed %d: %s", i, cause);
		assert_int_equal(nb, na);
		close_all(a, na);
		close_all(b, nb);
	}
	v6only_read_only = 0;
}

/* Sharing needs both: one that did not ask keeps the port its own. */
static void
test_net_listen_all_reuse_port_needs_both_to_ask(void **state)
{
	int	 a[NET_LISTEN_MAX], b[NET_LISTEN_MAX], na, first;
	char	 port[8], *cause = NULL;

	(void)state;
	if (net_reuse_port_name() == NULL)
		skip();
	for (first = 0; first < 2; first++) {
		na = net_listen_all("127.0.0.1", "0", 8,
		    first ? NET_REUSE_PORT : 0, a, &cause);
		assert_int_equal(na, 1);
		snprintf(port, sizeof port, "%d", net_local_port(a[0]));
		assert_int_equal(net_listen_all("127.0.0.1", port, 8,
		    first ? 0 : NET_REUSE_PORT, b, &cause), -1);
		assert_int_equal(errno, EADDRINUSE);
		assert_non_null(strstr(cause, strerror(EADDRINUSE)));
		free(cause);
		close_all(a, na);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_listen_all_one_dual_stack_socket),
		cmocka_unit_test(
		    test_net_listen_all_adds_ipv4_socket_where_v6only_is_fixed),
		cmocka_unit_test(test_net_listen_all_given_host_is_one_socket),
		cmocka_unit_test(test_net_listen_all_port_in_use_names_it),
		cmocka_unit_test(test_net_listen_all_reuse_port_shares_the_port),
		cmocka_unit_test(test_net_listen_all_reuse_port_every_interface),
		cmocka_unit_test(
		    test_net_listen_all_reuse_port_needs_both_to_ask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
