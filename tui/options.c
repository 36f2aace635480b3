/*
 * chat-tui's options.  One table gives each its long name, letter and
 * kind; both the command line (getopt_long) and the configuration file
 * ("long-name = value" lines, $XDG_CONFIG_HOME/chat-tui/config unless
 * --config or --no-config say otherwise) are read through it, so the
 * file takes exactly the long names.  The command line wins over the
 * file; a list (ignore) from the command line adds to the file's.
 *
 * A new option is a field in struct options, a row in the table and a
 * line in options_usage(); main.c applies it.  Nothing here exits or
 * prints but options_usage(): errors come back as text, a bad file line
 * as "FILE:LINE: reason".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conffile.h"
#include "common/net.h"
#include "common/optvalue.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#define OPTIONS_MAX		32	/* rows the getopt tables can take */
#define OPTIONS_LABEL_BYTES	64
#define OPTIONS_DIR_DEPTH	2	/* directories /ignore -save makes */
#define FIELD(f)		offsetof(struct options, f)
#define STRING(n)		STRING_OF(n)	/* 20 -> "20" */
#define STRING_OF(n)		#n

enum option_kind {
	OPTION_TEXT,		/* char *, checked by set if it has one */
	OPTION_LIST,		/* char *, words; each setting adds some */
	OPTION_COUNT,		/* unsigned int in min..max */
	OPTION_FLAG,		/* int; alone, or "yes"/"no" in the file */
	OPTION_CONFIG,		/* --config FILE */
	OPTION_NO_CONFIG,
	OPTION_HELP,
	OPTION_VERSION
};

struct option_def {
	const char	*name;		/* --name, and the key in the file */
	int		 letter;	/* -l, or 0 */
	enum option_kind kind;
	size_t		 field;		/* offsetof() in struct options */
	unsigned int	 min, max;	/* OPTION_COUNT */
	const char	*initial;	/* the default, as text, or NULL */
	/* Check value (label names it); -1 and why. */
	int		(*check)(const char *, const char *, char **);
};

static int	options_check_host(const char *, const char *, char **);
static int	options_check_port(const char *, const char *, char **);
static int	options_check_nick(const char *, const char *, char **);
static int	options_check_nicks(const char *, const char *, char **);
static int	options_check_notify(const char *, const char *, char **);
static int	options_check_stamp(const char *, const char *, char **);

/* Sorted by name. */
static const struct option_def options_table[] = {
	{ "config", 0, OPTION_CONFIG, 0, 0, 0, NULL, NULL },
	{ "help", 'h', OPTION_HELP, 0, 0, 0, NULL, NULL },
	{ "host", 'H', OPTION_TEXT, FIELD(host), 0, 0, HOST_DEFAULT,
	    options_check_host },
	{ "ignore", 0, OPTION_LIST, FIELD(ignore), 0, 0, NULL,
	    options_check_nicks },
	{ "log-dir", 0, OPTION_TEXT, FIELD(log_dir), 0, 0, NULL, NULL },
	{ "nick", 'n', OPTION_TEXT, FIELD(nick), 0, 0, NULL,
	    options_check_nick },
	{ "no-color", 'C', OPTION_FLAG, FIELD(no_color), 0, 0, NULL, NULL },
	{ "no-config", 0, OPTION_NO_CONFIG, 0, 0, 0, NULL, NULL },
	{ "notify", 0, OPTION_TEXT, FIELD(notify), 0, 0, "off",
	    options_check_notify },
	{ "password-file", 0, OPTION_TEXT, FIELD(password_file), 0, 0, NULL,
	    NULL },
	{ "port", 'p', OPTION_TEXT, FIELD(port), 0, 0, PORT_DEFAULT,
	    options_check_port },
	{ "scrollback", 's', OPTION_COUNT, FIELD(scrollback), 1,
	    SCROLLBACK_MAX_LINES, STRING(SCROLLBACK_DEFAULT_LINES), NULL },
	{ "timestamp", 0, OPTION_TEXT, FIELD(timestamp), 0, 0,
	    STAMP_DEFAULT, options_check_stamp },
	{ "tls", 'T', OPTION_FLAG, FIELD(tls), 0, 0, NULL, NULL },
	{ "tls-ca", 0, OPTION_TEXT, FIELD(tls_ca), 0, 0, NULL, NULL },
	{ "tls-insecure", 0, OPTION_FLAG, FIELD(tls_insecure), 0, 0, NULL,
	    NULL },
	{ "version", 'V', OPTION_VERSION, 0, 0, 0, NULL, NULL },
};
#define OPTIONS_COUNT	(sizeof options_table / sizeof options_table[0])

/* The keys of the file that may be given on several lines. */
static const char *const options_lists[] = { "ignore", NULL };

void
options_usage(FILE *f)
{
	fprintf(f,
"usage: chat-tui [-ChTV] [-H host] [-n nick] [-p port] [-s lines]\n"
"                [--config file | --no-config] [--password-file file]\n"
"                [--tls-ca file] [--tls-insecure] [--timestamp format]\n"
"                [--log-dir dir] [--notify osc9|osc777|off] [--ignore nick]\n"
"\n"
"  -H, --host HOST         server to connect to (default %s)\n"
"  -p, --port PORT         its TCP port (default %s)\n"
"  -T, --tls               connect with TLS, checking the certificate\n"
"      --tls-ca FILE       trust only this CA (PEM) for it; implies --tls\n"
"      --tls-insecure      TLS without checking the certificate (tests)\n"
"      --password-file FILE  the server's password, on the first line\n"
"                          (else CHAT_PASSWORD, else asked for)\n"
"  -n, --nick NAME         ask for this nickname on each connect\n"
"  -s, --scrollback LINES  lines of history kept (default %d)\n"
"  -C, --no-color          no colours (also when NO_COLOR is set)\n"
"      --timestamp FORMAT  strftime(3) format of the time before each line\n"
"                          (default %s; \"\": none)\n"
"      --log-dir DIR       append what is shown to DIR/HOST_PORT.log and\n"
"                          show its last lines at start-up (default: off)\n"
"      --notify HOW        desktop notifications: osc9, osc777 or off\n"
"      --ignore NICK       hide NICK's lines (again for more nicks)\n"
"      --config FILE       read options from FILE, \"long-name = value\"\n"
"                          lines (default $XDG_CONFIG_HOME/chat-tui/config,\n"
"                          ~/.config/chat-tui/config); the command line wins\n"
"      --no-config         read no config file\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n",
	    HOST_DEFAULT, PORT_DEFAULT, SCROLLBACK_DEFAULT_LINES,
	    STAMP_DEFAULT);
}

static int
options_check_host(const char *label, const char *value, char **why)
{
	(void)label;
	if (*value != '\0')
		return 0;
	*why = xstrdup("empty host name");
	return -1;
}

static int
options_check_port(const char *label, const char *value, char **why)
{
	if (net_parse_port(value, 0) != -1)
		return 0;
	*why = xasprintf("invalid %s \"%s\" (expected 1 to 65535)", label,
	    value);
	return -1;
}

/* The server judges nicknames; we only refuse what would break the line. */
static int
options_check_nick(const char *label, const char *value, char **why)
{
	size_t	i, len = strlen(value);

	(void)label;
	if (len == 0 || len > NICK_MAX_BYTES) {
		*why = xasprintf("invalid nickname \"%s\" (1 to %d bytes)",
		    value, NICK_MAX_BYTES);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)value[i] <= ' ' || value[i] == 0x7F) {
			*why = xasprintf("invalid nickname \"%s\" (no spaces "
			    "or control characters)", value);
			return -1;
		}
	}
	return 0;
}

/* Nicknames to ignore, separated by blanks: each one the server's kind. */
static int
options_check_nicks(const char *label, const char *value, char **why)
{
	const char	*p = value;
	size_t		 n;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			return 0;
		n = strcspn(p, " \t");
		if (!ignore_valid_nick(p, n)) {
			*why = xasprintf("invalid nickname \"%.*s\" to %s "
			    "(1 to %d letters, digits or -_[]\\`^{}|, not "
			    "starting with a digit or -)", (int)n, p, label,
			    PROTO_NICK_MAX_BYTES);
			return -1;
		}
		p += n;
	}
}

static int
options_check_notify(const char *label, const char *value, char **why)
{
	if (options_notify_mode(value) != -1)
		return 0;
	*why = xasprintf("invalid %s \"%s\" (expected osc9, osc777 or off)",
	    label, value);
	return -1;
}

/* The pane gives the time a fixed width: the format must have a bound. */
static int
options_check_stamp(const char *label, const char *value, char **why)
{
	if (strlen(value) > STAMP_FORMAT_MAX_BYTES) {
		*why = xasprintf("%s format longer than %d bytes", label,
		    STAMP_FORMAT_MAX_BYTES);
		return -1;
	}
	if (stamp_cells(value) == 0 && *value != '\0') {
		*why = xasprintf("invalid %s format \"%s\" (it shows nothing, "
		    "or more than %d columns)", label, value,
		    STAMP_MAX_CELLS - 1);
		return -1;
	}
	return 0;
}

/* The notify_mode that text names, or -1. */
int
options_notify_mode(const char *s)
{
	if (strcmp(s, "off") == 0)
		return NOTIFY_OFF;
	if (strcmp(s, "osc9") == 0)
		return NOTIFY_OSC9;
	if (strcmp(s, "osc777") == 0)
		return NOTIFY_OSC777;
	return -1;
}

static char **
options_text_field(struct options *o, const struct option_def *def)
{
	return (char **)(void *)((char *)o + def->field);
}

/*
 * The ignore list within its bound, told here where the line is known,
 * and before connecting, not after the room saw us join.
 */
static int
options_check_count(const char *label, const char *words, char **why)
{
	struct ignore	ig;

	/* A blank first "ignore =" line leaves the list unset: nobody. */
	if (words == NULL || ignore_load(&ig, words) == 0)
		return 0;
	*why = xasprintf("more than %d nicknames to %s", IGNORE_MAX_NICKS,
	    label);
	return -1;
}

/* A list's words after the ones it has, one blank between each. */
static void
options_add_words(char **field, const char *value)
{
	char	*words;

	value += strspn(value, " \t");
	if (*value == '\0')
		return;
	if (*field == NULL)
		words = xstrdup(value);
	else
		words = xasprintf("%s %s", *field, value);
	free(*field);
	*field = words;
}

/* Set one option in o from its text; label names it in the error. */
static int
options_set(struct options *o, const struct option_def *def,
    const char *label, const char *value, char **why)
{
	char	**text;

	switch (def->kind) {
	case OPTION_TEXT:
	case OPTION_LIST:
		if (def->check != NULL && def->check(label, value, why) == -1)
			return -1;
		text = options_text_field(o, def);
		if (def->kind == OPTION_LIST) {
			options_add_words(text, value);
			return options_check_count(label, *text, why);
		}
		free(*text);
		*text = xstrdup(value);
		return 0;
	case OPTION_COUNT:
		return optvalue_count((unsigned int *)(void *)((char *)o +
		    def->field), def->min, def->max, label, value, why);
	case OPTION_FLAG:
		return optvalue_flag((int *)(void *)((char *)o + def->field),
		    label, value, why);
	default:
		*why = xasprintf("\"%s\" is for the command line only",
		    def->name);
		return -1;
	}
}

static const struct option_def *
options_find(const char *name)
{
	size_t	i;

	for (i = 0; i < OPTIONS_COUNT; i++) {
		if (strcmp(options_table[i].name, name) == 0)
			return &options_table[i];
	}
	return NULL;
}

static void
options_defaults(struct options *o, const char *no_color)
{
	const struct option_def	*def;
	char			*why;
	size_t			 i;

	memset(o, 0, sizeof *o);
	for (i = 0; i < OPTIONS_COUNT; i++) {
		def = &options_table[i];
		if (def->initial != NULL &&
		    options_set(o, def, def->name, def->initial, &why) == -1)
			abort();	/* a default the table refuses */
	}
	o->no_color = no_color != NULL && *no_color != '\0';
}

void
options_free(struct options *o)
{
	size_t	i;

	for (i = 0; i < OPTIONS_COUNT; i++) {
		if (options_table[i].kind == OPTION_TEXT ||
		    options_table[i].kind == OPTION_LIST)
			free(*options_text_field(o, &options_table[i]));
	}
	free(o->config);
	memset(o, 0, sizeof *o);
}

/*
 * The file read when neither --config nor --no-config is given:
 * $XDG_CONFIG_HOME/chat-tui/config, else ~/.config/chat-tui/config;
 * NULL without a home.  (A relative XDG_CONFIG_HOME is ignored, as the
 * XDG base directory specification says.)
 */
char *
options_default_config(const char *xdg, const char *home)
{
	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/chat-tui/config", xdg);
	if (home != NULL && *home != '\0')
		return xasprintf("%s/.config/chat-tui/config", home);
	return NULL;
}

/* One line of the file into o (optvalue_set_fn). */
static int
options_set_line(void *o, const char *key, const char *value, char **why)
{
	const struct option_def	*def;

	if ((def = options_find(key)) == NULL)
		return OPTVALUE_UNKNOWN;
	return options_set(o, def, key, value, why);
}

/*
 * Read the config file into o.  A missing default file is no error; one
 * named by --config is.
 */
static int
options_read_config(struct options *o, int named, char **why)
{
	struct conffile	cf;
	struct stat	st;
	int		rc;

	if (!named && stat(o->config, &st) == -1 && errno == ENOENT)
		return 0;
	if ((rc = conffile_read_lists(&cf, o->config, options_lists,
	    why)) == 0) {
		o->config_read = 1;
		rc = optvalue_apply_file(&cf, options_set_line, o, why);
	}
	conffile_free(&cf);
	return rc;
}

/* Row i of the table for getopt_long (optvalue_key_fn). */
static void
options_key(size_t i, struct optvalue_key *k)
{
	const struct option_def	*def = &options_table[i];

	k->name = def->name;
	k->letter = def->letter;
	k->has_arg = def->kind == OPTION_FLAG ||
	    def->kind == OPTION_HELP || def->kind == OPTION_VERSION ||
	    def->kind == OPTION_NO_CONFIG ? no_argument : required_argument;
}

/* The getopt_long tables from ours. */
static void
options_getopt(struct option *longopts, char *shortopts)
{
	optvalue_getopt(longopts, shortopts, OPTIONS_COUNT, options_key);
}

static const struct option_def *
options_by_val(int val)
{
	int	i = optvalue_row(val, OPTIONS_COUNT, options_key);

	return i == -1 ? NULL : &options_table[i];
}

/* What getopt_long() (quiet, ':' first) returned for a bad option. */
static char *
options_bad(int ch, char *const *argv)
{
	if (ch == ':')
		return xasprintf("option %s needs an argument",
		    argv[optind - 1]);
	if (optopt != 0)
		return xasprintf("unknown option -%c", optopt);
	return xasprintf("unknown option %s", argv[optind - 1]);
}

/* An option as the command line gave it, to lay over the file. */
struct options_arg {
	const struct option_def	*def;
	const char		*value;		/* in argv, or NULL */
};

/*
 * The command line into args (settings) and o (--config, --no-config);
 * OPTIONS_HELP or OPTIONS_VERSION as soon as one is seen.
 */
static int
options_scan(struct options *o, int argc, char **argv,
    struct options_arg *args, size_t *nargs, int *no_config, char **why)
{
	struct option			 longopts[OPTIONS_MAX + 1];
	const struct option_def		*def;
	char				 shortopts[OPTIONS_MAX * 2 + 2];
	int				 ch;

	options_getopt(longopts, shortopts);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	    -1) {
		if ((def = options_by_val(ch)) == NULL) {
			*why = options_bad(ch, argv);
			return -1;
		}
		switch (def->kind) {
		case OPTION_HELP:
			return OPTIONS_HELP;
		case OPTION_VERSION:
			return OPTIONS_VERSION;
		case OPTION_CONFIG:
			free(o->config);
			o->config = xstrdup(optarg);
			*no_config = 0;
			break;
		case OPTION_NO_CONFIG:
			*no_config = 1;
			break;
		default:
			args[*nargs].def = def;
			args[(*nargs)++].value = optarg;
		}
	}
	if (optind < argc) {
		*why = xasprintf("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	return 0;
}

/* What the options say together. */
static int
options_finish(struct options *o, char **why)
{
	if (o->tls_ca != NULL || o->tls_insecure)
		o->tls = 1;
	if (o->tls_ca != NULL && o->tls_insecure) {
		*why = xstrdup("--tls-ca and --tls-insecure contradict each "
		    "other");
		return -1;
	}
	o->notify_mode = (enum notify_mode)options_notify_mode(o->notify);
	return 0;
}

/*
 * The options: the defaults (no-colour if no_color, NO_COLOR's value,
 * is set), then the config file, then the command line.  0, or
 * OPTIONS_HELP or OPTIONS_VERSION when asked for (nothing else read), or
 * -1 and why (o is left empty then).  o->config is the file's name even
 * when there is no such file yet (/ignore -save writes it), NULL with
 * --no-config.
 */
int
options_load(struct options *o, int argc, char **argv, const char *xdg,
    const char *home, const char *no_color, char **why)
{
	struct options_arg	*args;
	char			 label[OPTIONS_LABEL_BYTES];
	size_t			 nargs = 0, i;
	int			 rc, no_config = 0, named;

	options_defaults(o, no_color);
	args = xreallocarray(NULL, (size_t)argc + 1, sizeof *args);
	rc = options_scan(o, argc, argv, args, &nargs, &no_config, why);
	named = o->config != NULL;
	if (rc == 0 && no_config) {
		free(o->config);
		o->config = NULL;
	} else if (rc == 0 && !named)
		o->config = options_default_config(xdg, home);
	if (rc == 0 && o->config != NULL)
		rc = options_read_config(o, named, why);
	for (i = 0; rc == 0 && i < nargs; i++) {
		snprintf(label, sizeof label, "%s", args[i].def->name);
		rc = options_set(o, args[i].def, label, args[i].value, why);
	}
	free(args);
	if (rc == 0)
		rc = options_finish(o, why);
	if (rc == -1)
		options_free(o);
	return rc;
}

/*
 * The options from a config file's text alone, named path in errors:
 * what the fuzzer drives.  0, or -1 and why (o is left empty then).
 */
int
options_from_text(struct options *o, const char *path, const char *text,
    size_t len, char **why)
{
	struct conffile	 cf;
	char		*reason;
	int		 rc;

	options_defaults(o, NULL);
	if ((rc = conffile_parse_lists(&cf, path, text, len, options_lists,
	    why)) == 0)
		rc = optvalue_apply_file(&cf, options_set_line, o, why);
	conffile_free(&cf);
	if (rc == 0 && (rc = options_finish(o, &reason)) == -1) {
		*why = xasprintf("%s: %s", path, reason);
		free(reason);
	}
	if (rc == -1)
		options_free(o);
	return rc;
}

/*
 * The config file's text with every line of key replaced by one line
 * "key = value" (where the first was, else at the end; none if value is
 * empty), the other lines as they were.  The result is NUL-terminated,
 * its length in *outlen.
 */
char *
options_rewrite(const char *text, size_t len, const char *key,
    const char *value, size_t *outlen)
{
	const char	*p = text, *end = text + len, *nl, *q;
	char		*out, *line;
	size_t		 n, klen = strlen(key), o = 0;
	int		 done = *value == '\0';

	line = xasprintf("%s = %s\n", key, value);
	out = xmalloc(len + strlen(line) + 2);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl + 1 : end) - p);
		q = p;
		if (p == text && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			q += 3;		/* the parser skips a BOM too */
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(end - q) > klen && memcmp(q, key, klen) == 0 &&
		    (q[klen] == ' ' || q[klen] == '\t' || q[klen] == '=')) {
			if (!done)
				o += (size_t)sprintf(out + o, "%s", line);
			done = 1;
		} else {
			memcpy(out + o, p, n);
			o += n;
			if (nl == NULL)		/* a last line without \n */
				out[o++] = '\n';
		}
		p += n;
	}
	if (!done)
		o += (size_t)sprintf(out + o, "%s", line);
	out[o] = '\0';
	free(line);
	*outlen = o;
	return out;
}

/* The whole file at path into *text (none yet: empty); -1 and why. */
static int
options_slurp(const char *path, char **text, size_t *len, char **why)
{
	char	*buf;
	ssize_t	 n;
	size_t	 got = 0;
	int	 fd;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return 0;
		*why = xasprintf("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(CONFFILE_MAX_BYTES + 1);
	while ((n = read(fd, buf + got, CONFFILE_MAX_BYTES + 1 - got)) > 0 &&
	    (got += (size_t)n) <= CONFFILE_MAX_BYTES)
		continue;
	close(fd);
	if (n == -1 || got > CONFFILE_MAX_BYTES) {
		*why = n == -1 ? xasprintf("cannot read %s: %s", path,
		    strerror(errno)) : xasprintf("%s is larger than %d bytes",
		    path, CONFFILE_MAX_BYTES);
		free(buf);
		return -1;
	}
	*text = buf;
	*len = got;
	return 0;
}

/* Write len bytes to a new file beside path and rename it over path. */
static int
options_replace(const char *path, const char *text, size_t len, char **why)
{
	char	*tmp;
	ssize_t	 n;
	size_t	 off = 0;
	int	 fd;

	tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		*why = xasprintf("cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < len && (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	if (off < len || fsync(fd) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		*why = xasprintf("cannot write %s: %s", path, strerror(errno));
		if (off < len)
			close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/*
 * Make the directories path is in, up to depth of them from the last
 * (chat-tui, and ~/.config itself), 0700; a failure shows later, when
 * the file cannot be made.
 */
static void
options_make_dirs(const char *path, int depth)
{
	char	*dir, *slash;

	dir = xstrdup(path);
	if (depth > 0 && (slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) == -1 && errno == ENOENT) {
			options_make_dirs(dir, depth - 1);
			(void)mkdir(dir, 0700);
		}
	}
	free(dir);
}

/*
 * Make the config file at path say "key = value" (the list's words) and
 * nothing else of key, keeping its other lines: written whole beside it
 * and renamed over it, so a crash leaves the old file or the new one.
 * Its directory is made (0700) if it is missing.
 */
int
options_save(const char *path, const char *key, const char *value,
    char **why)
{
	char	*text, *out;
	size_t	 len, outlen;
	int	 rc;

	options_make_dirs(path, OPTIONS_DIR_DEPTH);
	if (options_slurp(path, &text, &len, why) == -1)
		return -1;
	out = options_rewrite(text != NULL ? text : "", len, key, value,
	    &outlen);
	rc = options_replace(path, out, outlen, why);
	free(text);
	free(out);
	return rc;
}
