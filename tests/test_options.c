/*
 * chat-server's option table (server/options.c) without a server: the
 * defaults, the file under the command line, errors with FILE:LINE, and
 * the comparisons a reload makes.
 */
#include "config.h"

#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server.h"

#define PATH_BYTES	256

/* What server/main.c owns in the real program. */
const struct options	*opts;
volatile sig_atomic_t	 sig_term, sig_hup;

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

static char	dir[] = "/tmp/test-options.XXXXXX";
static char	conf[PATH_BYTES];

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/c.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	unlink(conf);
	return rmdir(dir);
}

static void
write_conf(const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(conf, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Parse a command line given as a NULL-ended list after argv[0]. */
static void
parse(const char *first, ...)
{
	static char	*argv[32];
	const char	*a;
	va_list		 ap;
	int		 argc = 0;

	argv[argc++] = (char *)(uintptr_t)"chat-server";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	argv[argc] = NULL;
	optind = 0;		/* getopt starts over */
	options_parse_args(argc, argv);
}

static void
test_options_defaults(void **state)
{
	struct options	o;
	char		*why;

	parse(NULL);
	assert_int_equal(options_load(&o, &why), 0);
	assert_string_equal(o.port, "2000");
	assert_string_equal(o.welcome, WELCOME_DEFAULT);
	assert_null(o.bind);
	assert_null(o.log);
	assert_int_equal(o.max_clients, MAX_CLIENTS_DEFAULT);
	assert_int_equal(o.max_per_ip, MAX_PER_IP_DEFAULT);
	assert_int_equal(o.flood_burst, FLOOD_BURST_DEFAULT);
	assert_int_equal(o.flood_rate, FLOOD_RATE_DEFAULT);
	assert_null(options_config());
	options_free(&o);
}

/* The file sets what the command line leaves; the command line wins. */
static void
test_options_command_line_over_file(void **state)
{
	struct options	o;
	char		*why;

	write_conf("max-clients = 5\nwelcome = \"  from the file\"\n"
	    "port = none\ntls-port = 6697\n");
	parse("--config", conf, "-m", "7", "--port", "0", NULL);
	assert_string_equal(options_config(), conf);
	/* --tls-port from the file alone would be an error: it needs more. */
	assert_int_equal(options_load(&o, &why), -1);
	assert_string_equal(why, "--tls-port, --tls-cert and --tls-key go "
	    "together");
	free(why);

	write_conf("max-clients = 5\nwelcome = \"  from the file\"\n"
	    "port = none\nflood-rate = 0\n");
	assert_int_equal(options_load(&o, &why), 0);
	assert_int_equal(o.max_clients, 7);
	assert_string_equal(o.port, "0");
	assert_string_equal(o.welcome, "  from the file");
	assert_int_equal(o.flood_rate, 0);
	options_free(&o);
}

/* Control characters in a welcome from the command line are cleaned. */
static void
test_options_welcome_cleaned(void **state)
{
	struct options	o;
	char		*why;

	parse("-w", "a\x1b[2Jb", NULL);
	assert_int_equal(options_load(&o, &why), 0);
	assert_string_equal(o.welcome, "a[2Jb");
	options_free(&o);
}

static void
test_options_file_errors_name_the_line(void **state)
{
	static const struct {
		const char	*text;
		const char	*error;		/* after "FILE:" */
	} sc[] = {
		{ "port = 0\nprot = 1\n", "2: unknown option \"prot\"" },
		{ "version = yes\n", "1: \"version\" is for the command line "
		    "only" },
		{ "flood-burst = 0\n", "1: invalid flood-burst \"0\" (expected "
		    "1 to 1000000)" },
		{ "max-per-ip = -1\n", "1: invalid max-per-ip \"-1\" "
		    "(expected 0 to 2147483647)" },
		{ "max-per-ip = 1x\n", "1: invalid max-per-ip \"1x\" "
		    "(expected 0 to 2147483647)" },
		{ "tls-port = none\n", "1: invalid tls-port \"none\" "
		    "(expected 0 to 65535)" },
	};
	struct options	 o;
	char		*why, want[PATH_BYTES + 128];
	size_t		 i;

	parse("--config", conf, NULL);
	for (i = 0; i < sizeof sc / sizeof sc[0]; i++) {
		write_conf(sc[i].text);
		assert_int_equal(options_load(&o, &why), -1);
		snprintf(want, sizeof want, "%s:%s", conf, sc[i].error);
		assert_string_equal(why, want);
		free(why);
	}
}

/* What a reload compares and keeps, for each kind of option. */
static void
test_options_same_and_copy(void **state)
{
	const struct option_def	*port = options_find("port");
	const struct option_def	*max = options_find("max-clients");
	struct options		 a, b;
	char			*why;

	assert_non_null(port);
	assert_non_null(max);
	assert_null(options_find("nope"));
	parse(NULL);
	assert_int_equal(options_load(&a, &why), 0);
	parse("-p", "none", "--tls-port", "1", "--tls-cert", "c",
	    "--tls-key", "k", "-m", "3", NULL);
	assert_int_equal(options_load(&b, &why), 0);
	assert_false(options_same(&a, &b, port));
	assert_false(options_same(&a, &b, max));
	assert_true(options_same(&a, &b, options_find("welcome")));
	options_copy(&b, &a, port);
	options_copy(&b, &a, max);
	assert_true(options_same(&a, &b, port));
	assert_string_equal(b.port, "2000");
	assert_int_equal(b.max_clients, MAX_CLIENTS_DEFAULT);
	assert_string_equal(options_text(&b, "tls-cert"), "c");
	options_free(&a);
	options_free(&b);
}

/* Every row names a field of its kind, and only live ones say so. */
static void
test_options_table_is_sound(void **state)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (i > 0)
			assert_true(strcmp(options_table[i - 1].name,
			    options_table[i].name) < 0);
		if (options_table[i].kind == OPTION_ACTION ||
		    options_table[i].kind == OPTION_ACTION_ARG)
			assert_non_null(options_table[i].act);
		else
			assert_true(options_table[i].field <
			    sizeof(struct options));
	}
	assert_false(options_find("port")->flags & OPTION_LIVE);
	assert_false(options_find("bind")->flags & OPTION_LIVE);
	assert_true(options_find("welcome")->flags & OPTION_LIVE);
}

#define T(f)	cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_options_defaults),
		T(test_options_command_line_over_file),
		T(test_options_welcome_cleaned),
		T(test_options_file_errors_name_the_line),
		T(test_options_same_and_copy),
		T(test_options_table_is_sound),
	};

	return cmocka_run_group_tests_name("options", tests, setup, teardown);
}
