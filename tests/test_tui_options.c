/*
 * chat-tui's option table (tui/options.c): the defaults, the config file
 * under the command line, every error with FILE:LINE, the ignore list
 * over several lines, the file rewritten by /ignore -save, and the
 * timestamp's width.
 */
#include "config.h"

#include <sys/stat.h>

#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/tui.h"

#define PATH_BYTES	256
#define TEXT_BYTES	4096

static char	dir[] = "/tmp/test-tui-options.XXXXXX";
static char	conf[PATH_BYTES];

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/config", dir);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[PATH_BYTES + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
read_file(const char *path, char *buf, size_t size)
{
	FILE	*f;
	size_t	 n;

	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Load with the command line given as a NULL-ended list after argv[0],
 * the config file at conf (--config conf unless the list has --config or
 * --no-config: then as given).
 */
static int
load(struct options *o, char **why, const char *first, ...)
{
	static char	*argv[32];
	const char	*a;
	va_list		 ap;
	int		 argc = 0, named = 0;

	argv[argc++] = (char *)(uintptr_t)"chat-tui";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 29; a = va_arg(ap, const char *)) {
		if (strcmp(a, "--config") == 0 || strcmp(a, "--no-config") ==
		    0 || strcmp(a, "-") == 0)
			named = 1;
		if (strcmp(a, "-") != 0)
			argv[argc++] = (char *)(uintptr_t)a;
	}
	va_end(ap);
	if (!named) {
		argv[argc++] = (char *)(uintptr_t)"--config";
		argv[argc++] = conf;
	}
	argv[argc] = NULL;
	optind = 0;		/* getopt starts over */
	return options_load(o, argc, argv, NULL, NULL, NULL, why);
}

/* The file says text; loading must fail with exactly want. */
static void
file_error(const char *text, const char *want)
{
	struct options	 o;
	char		*why, full[TEXT_BYTES];

	write_file(conf, text);
	assert_int_equal(load(&o, &why, NULL), -1);
	snprintf(full, sizeof full, "%s:%s", conf, want);
	assert_string_equal(why, full);
	free(why);
}

static void
args_error(const char *want, const char *first, ...)
{
	static char	*argv[16];
	struct options	 o;
	const char	*a;
	va_list		 ap;
	char		*why;
	int		 argc = 0;

	argv[argc++] = (char *)(uintptr_t)"chat-tui";
	argv[argc++] = (char *)(uintptr_t)"--no-config";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	argv[argc] = NULL;
	optind = 0;
	assert_int_equal(options_load(&o, argc, argv, NULL, NULL, NULL, &why),
	    -1);
	assert_string_equal(why, want);
	free(why);
}

static void
test_tui_options_defaults(void **state)
{
	struct options	 o;
	char		*why;

	unlink(conf);
	assert_int_equal(load(&o, &why, "-", NULL), 0);	/* no file at all */
	assert_string_equal(o.host, HOST_DEFAULT);
	assert_string_equal(o.port, PORT_DEFAULT);
	assert_null(o.nick);
	assert_int_equal(o.scrollback, SCROLLBACK_DEFAULT_LINES);
	assert_int_equal(o.no_color, 0);
	assert_int_equal(o.tls, 0);
	assert_string_equal(o.timestamp, "%H:%M");
	assert_null(o.log_dir);
	assert_null(o.ignore);
	assert_string_equal(o.notify, "off");
	assert_int_equal(o.notify_mode, NOTIFY_OFF);
	assert_null(o.config);		/* no home: no default file */
	options_free(&o);
}

/* The default file is found through XDG_CONFIG_HOME, else HOME. */
static void
test_tui_options_default_config_path(void **state)
{
	char	*p;

	p = options_default_config("/x/conf", "/home/a");
	assert_string_equal(p, "/x/conf/chat-tui/config");
	free(p);
	p = options_default_config(NULL, "/home/a");
	assert_string_equal(p, "/home/a/.config/chat-tui/config");
	free(p);
	p = options_default_config("", "/home/a");
	assert_string_equal(p, "/home/a/.config/chat-tui/config");
	free(p);
	p = options_default_config("relative", "/home/a");
	assert_string_equal(p, "/home/a/.config/chat-tui/config");
	free(p);
	assert_null(options_default_config(NULL, NULL));
}

/* A missing default file is fine; so is --no-config. */
static void
test_tui_options_default_config_missing_is_fine(void **state)
{
	static char	 name[] = "chat-tui";
	char		*argv[] = { name, NULL };
	struct options	 o;
	char		*why, want[PATH_BYTES + 32];

	optind = 0;
	assert_int_equal(options_load(&o, 1, argv, dir, NULL, NULL, &why), 0);
	snprintf(want, sizeof want, "%s/chat-tui/config", dir);
	assert_string_equal(o.config, want);
	assert_int_equal(o.config_read, 0);
	options_free(&o);
}

static void
test_tui_options_default_config_read(void **state)
{
	static char	 name[] = "chat-tui", no[] = "--no-config";
	char		*argv[] = { name, NULL };
	char		*argv_no[] = { name, no, NULL };
	struct options	 o;
	char		 sub[PATH_BYTES], path[PATH_BYTES + 16], *why;

	snprintf(sub, sizeof sub, "%s/chat-tui", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/config", sub);
	write_file(path, "port = 4000\n");
	optind = 0;
	assert_int_equal(options_load(&o, 1, argv, dir, NULL, NULL, &why), 0);
	assert_string_equal(o.port, "4000");
	assert_int_equal(o.config_read, 1);
	options_free(&o);
	optind = 0;
	assert_int_equal(options_load(&o, 2, argv_no, dir, NULL, NULL, &why),
	    0);
	assert_string_equal(o.port, PORT_DEFAULT);
	assert_null(o.config);
	options_free(&o);
	unlink(path);
	rmdir(sub);
}

/* The file sets what the command line leaves; the command line wins. */
static void
test_tui_options_command_line_over_file(void **state)
{
	struct options	 o;
	char		*why;

	write_file(conf, "# chat-tui\nhost = chat.example\nport = 4000\n"
	    "nick = alice\nscrollback = 300\nno-color = yes\n"
	    "timestamp = \"%H:%M:%S\"\nlog-dir = /var/tmp/logs\n"
	    "notify = osc777\npassword-file = /p\n");
	assert_int_equal(load(&o, &why, "-p", "5000", "--nick", "bob",
	    "--timestamp", "%d %H:%M", NULL), 0);
	assert_string_equal(o.host, "chat.example");
	assert_string_equal(o.port, "5000");
	assert_string_equal(o.nick, "bob");
	assert_int_equal(o.scrollback, 300);
	assert_int_equal(o.no_color, 1);
	assert_string_equal(o.timestamp, "%d %H:%M");
	assert_string_equal(o.log_dir, "/var/tmp/logs");
	assert_int_equal(o.notify_mode, NOTIFY_OSC777);
	assert_string_equal(o.password_file, "/p");
	assert_string_equal(o.config, conf);
	assert_int_equal(o.config_read, 1);
	options_free(&o);
}

/* NO_COLOR sets the default; the file's "no-color = no" overrides it. */
static void
test_tui_options_no_color(void **state)
{
	static char	 name[] = "chat-tui", flag[] = "--config";
	char		*argv[] = { name, flag, conf, NULL };
	struct options	 o;
	char		*why;

	write_file(conf, "\n");
	optind = 0;
	assert_int_equal(options_load(&o, 3, argv, NULL, NULL, "1", &why), 0);
	assert_int_equal(o.no_color, 1);
	options_free(&o);
	write_file(conf, "no-color = no\n");
	optind = 0;
	assert_int_equal(options_load(&o, 3, argv, NULL, NULL, "1", &why), 0);
	assert_int_equal(o.no_color, 0);
	options_free(&o);
	optind = 0;
	assert_int_equal(options_load(&o, 3, argv, NULL, NULL, "", &why), 0);
	assert_int_equal(o.no_color, 0);
	options_free(&o);
}

/* ignore: a repeatable key, words separated by blanks; --ignore adds. */
static void
test_tui_options_ignore_list(void **state)
{
	struct options	 o;
	char		*why;

	write_file(conf, "ignore = bob\nport = 1\nignore = carol  dave\n");
	assert_int_equal(load(&o, &why, "--ignore", "eve", NULL), 0);
	assert_string_equal(o.ignore, "bob carol  dave eve");
	options_free(&o);
	/* A blank list first (found by fuzz_tui_config): nobody ignored. */
	write_file(conf, "ignore = \"\"\t\t\n");
	if (load(&o, &why, NULL) != 0)
		fail_msg("%s", why);
	assert_null(o.ignore);
	options_free(&o);
}

static void
test_tui_options_tls_implied(void **state)
{
	struct options	 o;
	char		*why;

	write_file(conf, "tls-ca = /ca.pem\n");
	assert_int_equal(load(&o, &why, NULL), 0);
	assert_int_equal(o.tls, 1);
	assert_string_equal(o.tls_ca, "/ca.pem");
	options_free(&o);
	write_file(conf, "tls = yes\n");
	assert_int_equal(load(&o, &why, NULL), 0);
	assert_int_equal(o.tls, 1);
	options_free(&o);
	write_file(conf, "tls-ca = /ca.pem\n");
	assert_int_equal(load(&o, &why, "--tls-insecure", NULL), -1);
	assert_string_equal(why, "--tls-ca and --tls-insecure contradict "
	    "each other");
	free(why);
}

static void
test_tui_options_help_and_version(void **state)
{
	struct options	 o;
	char		*why;

	write_file(conf, "bogus = 1\n");	/* not even read */
	assert_int_equal(load(&o, &why, "-h", NULL), OPTIONS_HELP);
	options_free(&o);
	assert_int_equal(load(&o, &why, "--version", NULL), OPTIONS_VERSION);
	options_free(&o);
}

/* Every error a file line can have, each with its FILE:LINE. */
/* An ignore list one past the bound, over two lines. */
static const char *
many_nicks(void)
{
	static char	text[IGNORE_MAX_NICKS * 8 + 32];
	size_t		len;
	int		i;

	len = (size_t)snprintf(text, sizeof text, "ignore = n0\nignore =");
	for (i = 1; i <= IGNORE_MAX_NICKS; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, " n%d",
		    i);
	snprintf(text + len, sizeof text - len, "\n");
	return text;
}

static void
test_tui_options_file_errors(void **state)
{
	file_error("port = 1\nbogus = 2\n", "2: unknown option \"bogus\"");
	file_error("port = 1\nport = 2\n",
	    "2: \"port\" is already set on line 1");
	file_error("port = 0\n",
	    "1: invalid port \"0\" (expected 1 to 65535)");
	file_error("\nport = http\n",
	    "2: invalid port \"http\" (expected 1 to 65535)");
	file_error("host = \"\"\n", "1: empty host name");
	file_error("nick = \"a b\"\n", "1: invalid nickname \"a b\" (no "
	    "spaces or control characters)");
	file_error("scrollback = 0\n",
	    "1: invalid scrollback \"0\" (expected 1 to 1000000)");
	file_error("scrollback = lots\n",
	    "1: invalid scrollback \"lots\" (expected 1 to 1000000)");
	file_error("no-color = maybe\n",
	    "1: invalid no-color \"maybe\" (expected yes or no)");
	file_error("tls = 1\n", "1: invalid tls \"1\" (expected yes or no)");
	file_error("notify = bell\n",
	    "1: invalid notify \"bell\" (expected osc9, osc777 or off)");
	file_error("ignore = bob 9lives\n", "1: invalid nickname \"9lives\" "
	    "to ignore (1 to 16 letters, digits or -_[]\\`^{}|, not starting "
	    "with a digit or -)");
	file_error(many_nicks(), "2: more than 100 nicknames to ignore");
	file_error("timestamp = \"%H%n\"\n", "1: invalid timestamp format "
	    "\"%H%n\" (it shows nothing, or more than 31 columns)");
	file_error("timestamp = \"%c %c %c\"\n", "1: invalid timestamp "
	    "format \"%c %c %c\" (it shows nothing, or more than 31 "
	    "columns)");
	file_error("timestamp = \"%H%H%H%H%H%H%H%H%H%H%H%H%H%H%H%H%H%H%H%H"
	    "%H%H%H%H%H%H%H%H%H%H%H%H%H\"\n",
	    "1: timestamp format longer than 64 bytes");
	file_error("config = /etc/x\n",
	    "1: \"config\" is for the command line only");
	file_error("help = yes\n", "1: \"help\" is for the command line only");
	file_error("no-config = yes\n",
	    "1: \"no-config\" is for the command line only");
	file_error("port 1\n", "1: expected \"=\" after \"port\"");
	file_error("port =\n", "1: no value after \"=\" (\"\" is an empty "
	    "one)");
}

/* A file that cannot be read: named with the reason. */
static void
test_tui_options_unreadable_file(void **state)
{
	struct options	 o;
	char		*why, want[PATH_BYTES * 2];

	assert_int_equal(load(&o, &why, "--config", "/nonexistent/c", NULL),
	    -1);
	assert_string_equal(why, "cannot open config file /nonexistent/c: "
	    "No such file or directory");
	free(why);
	assert_int_equal(load(&o, &why, "--config", dir, NULL), -1);
	snprintf(want, sizeof want, "config file %s is not a regular file",
	    dir);
	assert_string_equal(why, want);
	free(why);
}

static void
test_tui_options_command_line_errors(void **state)
{
	args_error("invalid port \"nope\" (expected 1 to 65535)", "--port",
	    "nope", NULL);
	args_error("unknown option --bogus", "--bogus", NULL);
	args_error("unknown option -x", "-x", NULL);
	args_error("option --port needs an argument", "--port", NULL);
	args_error("unexpected argument \"stray\"", "stray", NULL);
	args_error("empty host name", "-H", "", NULL);
	args_error("invalid notify \"x\" (expected osc9, osc777 or off)",
	    "--notify", "x", NULL);
	args_error("invalid scrollback \"0\" (expected 1 to 1000000)", "-s",
	    "0", NULL);
}

/* The ignore line(s) replaced by one, where the first was; rest kept. */
static void
test_tui_options_rewrite(void **state)
{
	static const struct {
		const char	*in, *value, *want;
	} cases[] = {
		{ "", "bob", "ignore = bob\n" },
		{ "port = 1", "bob", "port = 1\nignore = bob\n" },
		{ "# mine\nignore = a\nport = 1\n  ignore=b # x\n", "c d",
		  "# mine\nignore = c d\nport = 1\n" },
		{ "ignore = a\nport = 1\n", "", "port = 1\n" },
		{ "# ignore = a\nignored = 1\n", "b",
		  "# ignore = a\nignored = 1\nignore = b\n" },
	};
	char	*out;
	size_t	 i, len;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out = options_rewrite(cases[i].in, strlen(cases[i].in),
		    "ignore", cases[i].value, &len);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(len, strlen(cases[i].want));
		free(out);
	}
}

/* /ignore -save: the file made (and its directory), or rewritten. */
static void
test_tui_options_save(void **state)
{
	struct options	 o;
	struct stat	 st;
	char		 path[PATH_BYTES + 32], buf[TEXT_BYTES], *why;

	snprintf(path, sizeof path, "%s/new/chat-tui/config", dir);
	if (options_save(path, "ignore", "bob", &why) == -1)
		fail_msg("%s", why);
	read_file(path, buf, sizeof buf);
	assert_string_equal(buf, "ignore = bob\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	write_file(conf, "port = 4000\nignore = x\n# end\n");
	assert_int_equal(options_save(conf, "ignore", "bob carol", &why), 0);
	read_file(conf, buf, sizeof buf);
	assert_string_equal(buf, "port = 4000\nignore = bob carol\n# end\n");
	assert_int_equal(load(&o, &why, NULL), 0);
	assert_string_equal(o.ignore, "bob carol");
	options_free(&o);

	/* (Not under /nonexistent: root could make it.) */
	snprintf(path, sizeof path, "%s/x/config", conf);
	assert_int_equal(options_save(path, "ignore", "a", &why), -1);
	snprintf(buf, sizeof buf, "cannot open %s: Not a directory", path);
	assert_string_equal(why, buf);
	free(why);
}

/* The pane's stamp is as wide as the format's widest time, and a blank. */
static void
test_tui_options_stamp_cells(void **state)
{
	char	buf[64];

	assert_int_equal(stamp_cells("%H:%M"), STAMP_CELLS);
	assert_int_equal(stamp_cells("%H:%M:%S"), 9);
	assert_int_equal(stamp_cells("%Y-%m-%d %H:%M"), 17);
	assert_int_equal(stamp_cells("[%H]"), 5);
	assert_int_equal(stamp_cells(""), 0);
	assert_int_equal(stamp_cells("%n"), 0);
	assert_int_equal(stamp_format("", 0, buf, sizeof buf), 0);
	assert_int_equal(stamp_format("%Y", 0, buf, sizeof buf), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_options_defaults),
		cmocka_unit_test(test_tui_options_default_config_path),
		cmocka_unit_test(
		    test_tui_options_default_config_missing_is_fine),
		cmocka_unit_test(test_tui_options_default_config_read),
		cmocka_unit_test(test_tui_options_command_line_over_file),
		cmocka_unit_test(test_tui_options_no_color),
		cmocka_unit_test(test_tui_options_ignore_list),
		cmocka_unit_test(test_tui_options_tls_implied),
		cmocka_unit_test(test_tui_options_help_and_version),
		cmocka_unit_test(test_tui_options_file_errors),
		cmocka_unit_test(test_tui_options_unreadable_file),
		cmocka_unit_test(test_tui_options_command_line_errors),
		cmocka_unit_test(test_tui_options_rewrite),
		cmocka_unit_test(test_tui_options_save),
		cmocka_unit_test(test_tui_options_stamp_cells),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
