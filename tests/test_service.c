/*
 * The parsers of server/service.c, without a service manager: the
 * numbers in LISTEN_PID, LISTEN_FDS and WATCHDOG_USEC, the names in
 * LISTEN_FDNAMES, and the address NOTIFY_SOCKET gives.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/server.h"

/* What server/main.c owns in the real program. */
void
fatal(const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fail_msg("fatal: %s", buf);
	abort();
}

static const struct {
	const char		*in;
	unsigned long long	 max;
	int			 ret;
	unsigned long long	 value;
} numbers[] = {
	{ "0", 64, 0, 0 },
	{ "1", 64, 0, 1 },
	{ "64", 64, 0, 64 },
	{ "65", 64, -1, 0 },
	{ "007", 64, 0, 7 },
	{ "", 64, -1, 0 },
	{ "-1", 64, -1, 0 },
	{ "+1", 64, -1, 0 },
	{ " 1", 64, -1, 0 },
	{ "1 ", 64, -1, 0 },
	{ "1x", 64, -1, 0 },
	{ "18446744073709551615", (unsigned long long)-1, 0,
	    18446744073709551615ULL },
	{ "18446744073709551616", (unsigned long long)-1, -1, 0 },
	{ "99999999999999999999999", (unsigned long long)-1, -1, 0 },
};

static void
test_service_parse_number_takes_digits_only(void **state)
{
	unsigned long long	v;
	size_t			i;

	for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		v = 12345;
		if (service_parse_number(numbers[i].in, numbers[i].max, &v) !=
		    numbers[i].ret)
			fail_msg("\"%s\": not %d", numbers[i].in,
			    numbers[i].ret);
		if (numbers[i].ret == 0 && v != numbers[i].value)
			fail_msg("\"%s\": %llu", numbers[i].in, v);
	}
	assert_int_equal(service_parse_number(NULL, 64, &v), -1);
}

static const struct {
	const char	*names;
	int		 index;
	int		 tls;
} names[] = {
	{ NULL, 0, 0 },
	{ "", 0, 0 },
	{ "tls", 0, 1 },
	{ "tls", 1, 0 },
	{ "chat:tls", 0, 0 },
	{ "chat:tls", 1, 1 },
	{ "tls:chat", 1, 0 },
	{ "tlsx:tls", 0, 0 },
	{ "x:tl", 1, 0 },
	{ "a::tls", 2, 1 },
	{ "a::tls", 1, 0 },
	{ "tls:", 1, 0 },
	{ ":tls", 1, 1 },
	{ "TLS", 0, 0 },
};

static void
test_service_fd_named_picks_its_name(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (service_fd_named(names[i].names, names[i].index, "tls") !=
		    names[i].tls)
			fail_msg("\"%s\" [%d]: not %d", names[i].names != NULL ?
			    names[i].names : "(null)", names[i].index,
			    names[i].tls);
	}
}

static void
test_service_notify_addr_path(void **state)
{
	struct sockaddr_un	sa;
	socklen_t		len;
	char			*cause;

	assert_int_equal(service_notify_addr("/run/systemd/notify", &sa,
	    &len, &cause), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, "/run/systemd/notify");
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) +
	    strlen("/run/systemd/notify") + 1);
}

static void
test_service_notify_addr_abstract(void **state)
{
	struct sockaddr_un	sa;
	socklen_t		len;
	char			*cause = NULL;
	int			ret;

	ret = service_notify_addr("@notify", &sa, &len, &cause);
#ifdef __linux__
	assert_int_equal(ret, 0);
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, "notify", 6);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 7);
#else
	assert_int_equal(ret, -1);
	assert_non_null(strstr(cause, "abstract"));
	free(cause);
#endif
}

static void
test_service_notify_addr_refuses(void **state)
{
	struct sockaddr_un	sa;
	socklen_t		len;
	char			*cause, path[sizeof sa.sun_path + 2];
	static const char	*bad[] = { "", "relative/path", "@", "/",
				    "vsock:2:1234" };
	size_t			i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (service_notify_addr(bad[i], &sa, &len, &cause) != -1)
			fail_msg("\"%s\" taken", bad[i]);
		assert_non_null(strstr(cause, "NOTIFY_SOCKET"));
		free(cause);
	}
	/* A path needs its terminator: one byte short of sun_path. */
	memset(path, 'x', sizeof path);
	path[0] = '/';
	path[sizeof sa.sun_path] = '\0';
	assert_int_equal(service_notify_addr(path, &sa, &len, &cause), -1);
	assert_non_null(strstr(cause, "too long"));
	free(cause);
	path[sizeof sa.sun_path - 1] = '\0';
	assert_int_equal(service_notify_addr(path, &sa, &len, &cause), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_service_parse_number_takes_digits_only),
		cmocka_unit_test(test_service_fd_named_picks_its_name),
		cmocka_unit_test(test_service_notify_addr_path),
		cmocka_unit_test(test_service_notify_addr_abstract),
		cmocka_unit_test(test_service_notify_addr_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
