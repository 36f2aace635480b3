/*
 * chat-server's options.  One table gives each its long name, short
 * letter, kind and whether it can change while the server runs; both
 * the command line (getopt_long) and the configuration file (--config,
 * "long-name = value" lines) are read through it, so the file takes
 * exactly the long names.  The command line wins over the file, at
 * start-up and on every reload: its options are kept as given and laid
 * over what the file says each time.
 *
 * A new option is a field in struct options, a row in the table, a line
 * in options_usage(), and whatever applies it: main.c at start-up, and
 * for an OPTION_LIVE one a line in reload.c's reload_modules() if it is
 * not simply read through opts (--history: history_resize()).  A file
 * a module reads again on SIGHUP is OPTION_TEXT and OPTION_LIVE with a
 * reload_file() line (--password-file, --oper-file, --ban-file); an
 * option without a value is OPTION_FLAG ("log-private = yes" in the
 * file); one that does a job and exits is OPTION_ACTION, its act() the
 * job (--hash-password).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conffile.h"
#include "common/net.h"
#include "common/optvalue.h"
#include "common/stream.h"
#include "common/text.h"
#include "common/usage.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define WELCOME_MAX_BYTES	256
#define OPTIONS_MAX		64	/* rows the getopt tables can take */
#define FIELD(f)		offsetof(struct options, f)
#define STRING(n)		STRING_OF(n)	/* 20 -> "20" */
#define STRING_OF(n)		#n

static int	options_set_port(const char **, const char *, const char *,
		    char **);
static int	options_set_tls_port(const char **, const char *,
		    const char *, char **);
static int	options_set_welcome(const char **, const char *,
		    const char *, char **);
static int	options_set_redis(const char **, const char *, const char *,
		    char **);
static int	options_set_room(const char **, const char *, const char *,
		    char **);
static int	options_set_name(const char **, const char *, const char *,
		    char **);
static void	options_hash_password(const char *);
static void	options_help(const char *);
static void	options_version(const char *);
static void	options_config_file(const char *);

/*
 * Sorted by name.  Each row: name, letter, kind, field, range (counts),
 * default as text (NULL: none), set (text with a check), act (actions),
 * flags.
 */
const struct option_def options_table[] = {
	{ "ban-file", 0, OPTION_TEXT, FIELD(ban_file), 0, 0, NULL, NULL, NULL,
	    OPTION_LIVE },
	{ "bind", 'b', OPTION_TEXT, FIELD(bind), 0, 0, NULL, NULL, NULL, 0 },
	{ "config", 0, OPTION_ACTION_ARG, 0, 0, 0, NULL, NULL,
	    options_config_file, 0 },
	{ "flood-burst", 'B', OPTION_COUNT, FIELD(flood_burst), 1, 1000000,
	    STRING(FLOOD_BURST_DEFAULT), NULL, NULL, OPTION_LIVE },
	{ "flood-rate", 'R', OPTION_COUNT, FIELD(flood_rate), 0, 1000000,
	    STRING(FLOOD_RATE_DEFAULT), NULL, NULL, OPTION_LIVE },
	{ "hash-password", 0, OPTION_ACTION, 0, 0, 0, NULL, NULL,
	    options_hash_password, 0 },
	{ "help", 'h', OPTION_ACTION, 0, 0, 0, NULL, NULL, options_help, 0 },
	{ "history", 0, OPTION_COUNT, FIELD(history), 0, HISTORY_MAX_LINES,
	    STRING(HISTORY_DEFAULT_LINES), NULL, NULL, OPTION_LIVE },
	{ "history-file", 0, OPTION_TEXT, FIELD(history_file), 0, 0, NULL,
	    NULL, NULL, 0 },
	{ "log", 'l', OPTION_TEXT, FIELD(log), 0, 0, NULL, NULL, NULL,
	    OPTION_LIVE },
	{ "log-private", 0, OPTION_FLAG, FIELD(log_private), 0, 0, NULL, NULL,
	    NULL, OPTION_LIVE },
	{ "max-clients", 'm', OPTION_COUNT, FIELD(max_clients), 1, INT_MAX,
	    STRING(MAX_CLIENTS_DEFAULT), NULL, NULL, OPTION_LIVE },
	{ "max-per-ip", 'i', OPTION_COUNT, FIELD(max_per_ip), 0, INT_MAX,
	    STRING(MAX_PER_IP_DEFAULT), NULL, NULL, OPTION_LIVE },
	{ "name", 0, OPTION_TEXT, FIELD(name), 0, 0, NULL, options_set_name,
	    NULL, 0 },
	{ "oper-file", 0, OPTION_TEXT, FIELD(oper_file), 0, 0, NULL, NULL,
	    NULL, OPTION_LIVE },
	{ "password-file", 0, OPTION_TEXT, FIELD(password_file), 0, 0, NULL,
	    NULL, NULL, OPTION_LIVE },
	{ "port", 'p', OPTION_TEXT, FIELD(port), 0, 0, PORT_DEFAULT,
	    options_set_port, NULL, 0 },
	{ "redis", 0, OPTION_TEXT, FIELD(redis), 0, 0, NULL, options_set_redis,
	    NULL, 0 },
	{ "reuse-port", 0, OPTION_FLAG, FIELD(reuse_port), 0, 0, NULL, NULL,
	    NULL, 0 },
	{ "room", 0, OPTION_TEXT, FIELD(room), 0, 0, ROOM_DEFAULT,
	    options_set_room, NULL, 0 },
	{ "tls-cert", 0, OPTION_TEXT, FIELD(tls_cert), 0, 0, NULL, NULL, NULL,
	    OPTION_LIVE },
	{ "tls-key", 0, OPTION_TEXT, FIELD(tls_key), 0, 0, NULL, NULL, NULL,
	    OPTION_LIVE },
	{ "tls-port", 0, OPTION_TEXT, FIELD(tls_port), 0, 0, NULL,
	    options_set_tls_port, NULL, 0 },
	{ "version", 'V', OPTION_ACTION, 0, 0, 0, NULL, NULL, options_version,
	    0 },
	{ "welcome", 'w', OPTION_TEXT, FIELD(welcome), 0, 0, WELCOME_DEFAULT,
	    options_set_welcome, NULL, OPTION_LIVE },
};
const size_t	options_count = sizeof options_table / sizeof options_table[0];

/* An option as the command line gave it. */
struct options_arg {
	const struct option_def	*def;
	const char		*value;		/* in argv, or NULL */
};

static struct options_arg	*options_args;
static size_t			 options_nargs;
static const char		*options_config_path;
static int			 options_activated;	/* sockets handed over */
static int			 options_activated_tls;	/* one of them TLS */
static struct options		 options_current;

static void
options_usage(FILE *f)
{
	fprintf(f,
"usage: chat-server [-hV] [-B lines] [-b address] [-i count] [-l file]\n"
"                   [-m count] [-p port] [-R lines] [-w text]\n"
"                   [--log-private] [--history lines] [--history-file file]\n"
"                   [--config file] [--password-file file]\n"
"                   [--oper-file file] [--ban-file file] [--reuse-port]\n"
"                   [--tls-port port --tls-cert file --tls-key file]\n"
"                   [--redis url [--room name] [--name name]]\n"
"       chat-server --hash-password\n"
"\n"
"      --config FILE       read options from FILE, \"long-name = value\"\n"
"                          lines; the command line wins; SIGHUP reads it again\n"
"  -p, --port PORT         TCP port to listen on (default %s; 0: any free;\n"
"                          none: no plain listener)\n"
"      --tls-port PORT     also listen for TLS connections on PORT\n"
"      --tls-cert FILE     the TLS certificate chain, PEM\n"
"      --tls-key FILE      the TLS private key, PEM\n"
"      --password-file FILE  ask every client for the password on its\n"
"                          first line\n"
"      --oper-file FILE    operators and their password hashes, for /oper\n"
"      --ban-file FILE     keep the bans in FILE over restarts\n"
"      --hash-password     read a password on standard input, print its\n"
"                          hash for the oper file, and exit\n"
"  -b, --bind ADDRESS      address to listen on (default: all, IPv6 and IPv4)\n"
"      --reuse-port        let other chat-servers listen on the same ports\n"
"                          (SO_REUSEPORT; the system spreads connections\n"
"                          over them where it can, see chat-server(1))\n"
"  -l, --log FILE          append the event log to FILE (default: stderr)\n"
"      --log-private       log the text of private messages too (default:\n"
"                          only who wrote to whom, and how long)\n"
"  -w, --welcome TEXT      greeting sent to each new client\n"
"      --history N         lines said replayed to each new client (default\n"
"                          %d, at most %d; 0: none)\n"
"      --history-file FILE  reload that history at start-up from the end\n"
"                          of FILE, the event log (also --log's default)\n"
"  -m, --max-clients N     most clients at once (default %d)\n"
"  -i, --max-per-ip N      most clients from one address (default %d; 0: no limit)\n"
"  -B, --flood-burst N     lines a client may send at once (default %d)\n"
"  -R, --flood-rate N      lines per second after the burst (default %d; 0: off)\n"
"      --redis URL         join the servers of a cluster through Redis:\n"
"                          redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:PATH\n"
"      --room NAME         the cluster's room (default %s)\n"
"      --name NAME         this server in the cluster (default host:port)\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n",
	    PORT_DEFAULT, HISTORY_DEFAULT_LINES, HISTORY_MAX_LINES,
	    MAX_CLIENTS_DEFAULT, MAX_PER_IP_DEFAULT,
	    FLOOD_BURST_DEFAULT, FLOOD_RATE_DEFAULT, ROOM_DEFAULT);
}

/* Nothing else is done: the other options are not even read. */
static void
options_hash_password(const char *arg)
{
	(void)arg;
	exit(oper_hash_main());
}

static void
options_help(const char *arg)
{
	(void)arg;
	options_usage(stdout);
	exit(0);
}

static void
options_version(const char *arg)
{
	(void)arg;
	printf("chat-server %s\n", PACKAGE_VERSION);
	exit(0);
}

static void
options_config_file(const char *arg)
{
	options_config_path = arg;
}

/* Strings in struct options are read-only to everyone but us. */
static void
options_free_text(const char *s)
{
	free((void *)(uintptr_t)s);
}

static const char **
options_text_field(struct options *o, const struct option_def *def)
{
	return (const char **)(void *)((char *)o + def->field);
}

static unsigned int *
options_count_field(struct options *o, const struct option_def *def)
{
	return (unsigned int *)(void *)((char *)o + def->field);
}

static int *
options_flag_field(struct options *o, const struct option_def *def)
{
	return (int *)(void *)((char *)o + def->field);
}

static int
options_set_port(const char **field, const char *label, const char *value,
    char **why)
{
	if (strcmp(value, "none") == 0) {
		*field = NULL;
		return 0;
	}
	if (net_parse_port(value, 1) == -1) {
		*why = xasprintf("invalid %s \"%s\" (expected 0 to 65535, or "
		    "none)", label, value);
		return -1;
	}
	*field = xstrdup(value);
	return 0;
}

static int
options_set_tls_port(const char **field, const char *label,
    const char *value, char **why)
{
	if (net_parse_port(value, 1) == -1) {
		*why = xasprintf("invalid %s \"%s\" (expected 0 to 65535)",
		    label, value);
		return -1;
	}
	*field = xstrdup(value);
	return 0;
}

/* A URL hiredis can reach; refused at once on a build without it. */
static int
options_set_redis(const char **field, const char *label, const char *value,
    char **why)
{
	struct redis_url	u;

	if (!cluster_available()) {
		*why = xasprintf("%s: this chat-server was built without "
		    "Redis support (hiredis); see ./configure --with-redis",
		    label);
		return -1;
	}
	if (redis_url_parse(value, &u, why) == -1)
		return -1;
	*field = xstrdup(value);
	return 0;
}

/* Room and server names go into Redis key names and the log: plain. */
static int
options_name_valid(const char *value, size_t max)
{
	size_t	i, len = strlen(value);

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)value[i]) &&
		    strchr("-_.:", value[i]) == NULL)
			return 0;
	}
	return 1;
}

static int
options_set_room(const char **field, const char *label, const char *value,
    char **why)
{
	if (!options_name_valid(value, ROOM_NAME_MAX_BYTES)) {
		*why = xasprintf("invalid %s \"%s\" (1 to %d letters, digits "
		    "or -_.:)", label, value, ROOM_NAME_MAX_BYTES);
		return -1;
	}
	*field = xstrdup(value);
	return 0;
}

static int
options_set_name(const char **field, const char *label, const char *value,
    char **why)
{
	if (!options_name_valid(value, SERVER_NAME_MAX_BYTES)) {
		*why = xasprintf("invalid %s \"%s\" (1 to %d letters, digits "
		    "or -_.:)", label, value, SERVER_NAME_MAX_BYTES);
		return -1;
	}
	*field = xstrdup(value);
	return 0;
}

/* Kept cleaned: it goes to every client that joins. */
static int
options_set_welcome(const char **field, const char *label, const char *value,
    char **why)
{
	char	*clean;
	size_t	 len = strlen(value);

	if (len > WELCOME_MAX_BYTES) {
		*why = xasprintf("%s is longer than %d bytes", label,
		    WELCOME_MAX_BYTES);
		return -1;
	}
	clean = xmalloc(len * TEXT_CLEAN_GROWTH + 1);
	text_clean(value, len, clean);
	*field = clean;
	return 0;
}

/* Set one option in o from its text; label names it in the error. */
static int
options_set(struct options *o, const struct option_def *def,
    const char *label, const char *value, char **why)
{
	const char	**text, *old;

	switch (def->kind) {
	case OPTION_TEXT:
		text = options_text_field(o, def);
		old = *text;
		if (def->set == NULL)
			*text = xstrdup(value);
		else if (def->set(text, label, value, why) == -1)
			return -1;
		options_free_text(old);
		return 0;
	case OPTION_COUNT:
		return optvalue_count(options_count_field(o, def), def->min,
		    def->max, label, value, why);
	case OPTION_FLAG:
		return optvalue_flag(options_flag_field(o, def), label, value,
		    why);
	default:
		fatal("option %s is not a setting", def->name);
	}
}

const struct option_def *
options_find(const char *name)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (strcmp(options_table[i].name, name) == 0)
			return &options_table[i];
	}
	return NULL;
}

static const void *
options_cfield(const struct options *o, const struct option_def *def)
{
	return (const char *)o + def->field;
}

/* Whether def has the same value in a and b. */
int
options_same(const struct options *a, const struct options *b,
    const struct option_def *def)
{
	const char	*s, *t;

	switch (def->kind) {
	case OPTION_TEXT:
		s = *(const char *const *)options_cfield(a, def);
		t = *(const char *const *)options_cfield(b, def);
		return s == t || (s != NULL && t != NULL && strcmp(s, t) == 0);
	case OPTION_COUNT:
		return *(const unsigned int *)options_cfield(a, def) ==
		    *(const unsigned int *)options_cfield(b, def);
	case OPTION_FLAG:
		return *(const int *)options_cfield(a, def) ==
		    *(const int *)options_cfield(b, def);
	default:
		return 1;
	}
}

/* Give def in dst the value it has in src. */
void
options_copy(struct options *dst, const struct options *src,
    const struct option_def *def)
{
	const char	**text, *s;

	switch (def->kind) {
	case OPTION_TEXT:
		text = options_text_field(dst, def);
		s = *(const char *const *)options_cfield(src, def);
		options_free_text(*text);
		*text = s != NULL ? xstrdup(s) : NULL;
		break;
	case OPTION_COUNT:
		*options_count_field(dst, def) =
		    *(const unsigned int *)options_cfield(src, def);
		break;
	case OPTION_FLAG:
		*options_flag_field(dst, def) =
		    *(const int *)options_cfield(src, def);
		break;
	default:
		break;
	}
}

/* The text option name in o (NULL if unset). */
const char *
options_text(const struct options *o, const char *name)
{
	const struct option_def	*def = options_find(name);

	if (def == NULL || def->kind != OPTION_TEXT)
		fatal("no text option %s", name);
	return *(const char *const *)options_cfield(o, def);
}

static void
options_defaults(struct options *o)
{
	const struct option_def	*def;
	char			*why;
	size_t			 i;

	memset(o, 0, sizeof *o);
	for (i = 0; i < options_count; i++) {
		def = &options_table[i];
		if (def->initial != NULL &&
		    options_set(o, def, def->name, def->initial, &why) == -1)
			fatal("default: %s", why);
	}
}

void
options_free(struct options *o)
{
	size_t	i;

	for (i = 0; i < options_count; i++) {
		if (options_table[i].kind == OPTION_TEXT)
			options_free_text(*options_text_field(o,
			    &options_table[i]));
	}
	memset(o, 0, sizeof *o);
}

/*
 * Whether the history file (NULL: none) is the log file: the same name,
 * or two names of one existing file.
 */
static int
options_same_file(const char *log, const char *history)
{
	struct stat	a, b;

	if (history == NULL || log == NULL || strcmp(log, history) == 0)
		return 1;
	return stat(log, &a) == 0 && stat(history, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * The TLS options go together, and need a build with TLS.  Under socket
 * activation the sockets came with their kinds: a TLS one needs the
 * certificate and key, and the port options are not used.
 */
static int
options_check(const struct options *o, char **why)
{
	int	any = o->tls_port != NULL || o->tls_cert != NULL ||
	    o->tls_key != NULL;

	if (!options_same_file(o->log, o->history_file))
		*why = xasprintf("--history-file %s is not the event log "
		    "(--log %s): the history is read back from the log, so "
		    "give both the same file, or leave --log out",
		    o->history_file, o->log);
	else if (o->reuse_port && net_reuse_port_name() == NULL)
		*why = xstrdup("--reuse-port: this system has no SO_REUSEPORT, "
		    "so only one chat-server can listen on a port");
	else if (any && !stream_tls_available())
		*why = xstrdup("built without TLS");
	else if (o->oper_file != NULL && !oper_available())
		*why = xstrdup("--oper-file: built without crypt(3), so there "
		    "are no operators");
	else if (options_activated > 0 && options_activated_tls &&
	    (o->tls_cert == NULL || o->tls_key == NULL))
		*why = xstrdup("the socket named tls needs --tls-cert and "
		    "--tls-key");
	else if (options_activated > 0)
		return 0;
	else if (any && (o->tls_port == NULL || o->tls_cert == NULL ||
	    o->tls_key == NULL))
		*why = xstrdup("--tls-port, --tls-cert and --tls-key go "
		    "together");
	else if (o->port == NULL && o->tls_port == NULL)
		*why = xstrdup("--port none needs --tls-port");
	else
		return 0;
	return -1;
}

/* How many sockets a service manager handed over, and whether one is TLS. */
void
options_set_activated(int count, int tls)
{
	options_activated = count;
	options_activated_tls = tls;
}

int
options_is_activated(void)
{
	return options_activated > 0;
}

/* One line of the file into o (optvalue_set_fn). */
static int
options_set_line(void *o, const char *key, const char *value, char **why)
{
	const struct option_def	*def;

	if ((def = options_find(key)) == NULL)
		return OPTVALUE_UNKNOWN;
	if (def->kind == OPTION_ACTION || def->kind == OPTION_ACTION_ARG) {
		*why = xasprintf("\"%s\" is for the command line only", key);
		return -1;
	}
	return options_set(o, def, key, value, why);
}

static int
options_apply_args(struct options *o, char **why)
{
	char	label[64];
	size_t	i;

	for (i = 0; i < options_nargs; i++) {
		snprintf(label, sizeof label, "--%s",
		    options_args[i].def->name);
		if (options_set(o, options_args[i].def, label,
		    options_args[i].value, why) == -1)
			return -1;
	}
	return 0;
}

/*
 * The options afresh: the defaults, then the config file if there is
 * one, then the command line.  -1 and why ("FILE:LINE: ..." for a bad
 * line); o is left empty then.
 */
int
options_load(struct options *o, char **why)
{
	struct conffile	cf;
	int		rc = 0;

	options_defaults(o);
	if (options_config_path != NULL) {
		if ((rc = conffile_read(&cf, options_config_path, why)) == 0)
			rc = optvalue_apply_file(&cf, options_set_line, o,
			    why);
		conffile_free(&cf);
	}
	if (rc == 0)
		rc = options_apply_args(o, why);
	/* The history file is the event log: written, unless --log says
	 * where else. */
	if (rc == 0 && o->log == NULL && o->history_file != NULL)
		o->log = xstrdup(o->history_file);
	if (rc == 0)
		rc = options_check(o, why);
	if (rc == -1)
		options_free(o);
	return rc;
}

/* Make o the options in force (they are moved, o is left empty). */
void
options_install(struct options *o)
{
	options_free(&options_current);
	options_current = *o;
	memset(o, 0, sizeof *o);
	opts = &options_current;
}

void
options_free_current(void)
{
	options_free(&options_current);
}

const char *
options_config(void)
{
	return options_config_path;
}

/* Row i of the table for getopt_long (optvalue_key_fn). */
static void
options_key(size_t i, struct optvalue_key *k)
{
	const struct option_def	*def = &options_table[i];

	k->name = def->name;
	k->letter = def->letter;
	k->has_arg = def->kind == OPTION_ACTION || def->kind == OPTION_FLAG ?
	    no_argument : required_argument;
}

/* The getopt_long tables from ours. */
static void
options_getopt(struct option *longopts, char *shortopts)
{
	if (options_count >= OPTIONS_MAX)
		fatal("%zu options, more than %d", options_count, OPTIONS_MAX);
	optvalue_getopt(longopts, shortopts, options_count, options_key);
}

static const struct option_def *
options_by_val(int val)
{
	int	i = optvalue_row(val, options_count, options_key);

	return i == -1 ? NULL : &options_table[i];
}

/*
 * Read the command line: actions (--help, --version) happen now, each
 * setting is checked now (a bad one exits with status 2) and kept for
 * options_load() to lay over the file.
 */
void
options_parse_args(int argc, char **argv)
{
	struct option			 longopts[OPTIONS_MAX + 1];
	struct options			 scratch;
	const struct option_def		*def;
	char				 shortopts[OPTIONS_MAX * 2 + 2];
	char				 label[64], *why;
	int				 ch;

	options_getopt(longopts, shortopts);
	free(options_args);
	options_args = xreallocarray(NULL, (size_t)argc + 1,
	    sizeof *options_args);
	options_nargs = 0;
	options_config_path = NULL;
	options_defaults(&scratch);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	    -1) {
		if ((def = options_by_val(ch)) == NULL)
			usage_bad_option(ch, argv);
		if (def->act != NULL) {
			def->act(optarg);
			continue;
		}
		snprintf(label, sizeof label, "--%s", def->name);
		if (options_set(&scratch, def, label, optarg, &why) == -1)
			usage_error("%s", why);
		options_args[options_nargs].def = def;
		options_args[options_nargs++].value = optarg;
	}
	options_free(&scratch);
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
}
