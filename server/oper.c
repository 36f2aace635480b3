/*
 * Operators: the --oper-file of "NAME HASH" lines, checking a /oper
 * password against a hash, and making hashes for the file
 * (--hash-password).  The hashes are the system's crypt(3), yescrypt
 * where the library has it, else sha512-crypt: the file never holds a
 * password, and a stolen copy costs a guesser the hash's work per try.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#if defined(HAVE_CRYPT) && defined(HAVE_CRYPT_H)
#include <crypt.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/conffile.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define OPER_FILE_MAX_BYTES	((size_t)OPER_MAX_COUNT * (OPER_LINE_MAX_BYTES + 1))
#define OPER_SALT_BYTES		16	/* sha512-crypt salt, when made here */
#define OPER_NAME_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
#define OPER_HASH_CHARS	\
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./$=,"

struct oper {
	char	name[OPER_NAME_MAX_BYTES + 1];
	char	hash[OPER_HASH_MAX_BYTES + 1];
	size_t	line;			/* in the file, for errors */
};

static struct oper	*oper_list;
static size_t		 oper_len;
static struct termios	 oper_tty;		/* as it was, echo on */
static volatile sig_atomic_t oper_echo_off;

/*
 * A crypt(3) hash: "$id$...", at least three '$'.  A password in plain
 * text, or an old DES hash, has no '$' up front.
 */
static int
oper_hash_valid(const char *hash)
{
	size_t		 n = 0;
	const char	*p;

	if (hash[0] != '$' || strspn(hash, OPER_HASH_CHARS) != strlen(hash))
		return 0;
	for (p = hash; *p != '\0'; p++)
		n += *p == '$';
	return n >= 3;
}

/* "NAME HASH" into o; -1 with why (without file:line). */
static int
oper_parse_line(char *line, struct oper *o, char **cause)
{
	char	*name, *hash, *extra, *last;

	name = strtok_r(line, " \t", &last);
	hash = strtok_r(NULL, " \t", &last);
	extra = strtok_r(NULL, " \t", &last);
	if (name == NULL || hash == NULL || extra != NULL) {
		*cause = xstrdup("expected NAME HASH");
		return -1;
	}
	if (strlen(name) > OPER_NAME_MAX_BYTES ||
	    strspn(name, OPER_NAME_CHARS) != strlen(name)) {
		*cause = xasprintf("invalid operator name \"%s\" (1 to %d "
		    "letters, digits or -_.)", name, OPER_NAME_MAX_BYTES);
		return -1;
	}
	if (strlen(hash) > OPER_HASH_MAX_BYTES || !oper_hash_valid(hash)) {
		*cause = xasprintf("the password of %s is not a crypt(3) hash "
		    "(make one with chat-server --hash-password; the file "
		    "never holds a password itself)", name);
		return -1;
	}
	snprintf(o->name, sizeof o->name, "%s", name);
	snprintf(o->hash, sizeof o->hash, "%s", hash);
	return 0;
}

/* The operators in text (len bytes of file name) into a new list. */
static int
oper_parse_list(const char *text, size_t len, const char *name,
    struct oper **listp, size_t *lenp, char **cause)
{
	char		 line[OPER_LINE_MAX_BYTES + 1], *why;
	struct oper	*list = NULL, o;
	size_t		 i, nlist = 0, lineno = 0;
	int		 rc;

	while ((rc = conffile_next_line(&text, &len, &lineno, line,
	    OPER_LINE_MAX_BYTES, &why)) == 1) {
		if (oper_parse_line(line, &o, &why) == -1)
			goto fail;
		o.line = lineno;
		for (i = 0; i < nlist; i++) {
			if (strcmp(list[i].name, o.name) == 0) {
				why = xasprintf("operator %s is already on "
				    "line %zu", o.name, list[i].line);
				goto fail;
			}
		}
		if (nlist == OPER_MAX_COUNT) {
			why = xasprintf("more than %d operators",
			    OPER_MAX_COUNT);
			goto fail;
		}
		list = xreallocarray(list, nlist + 1, sizeof *list);
		list[nlist++] = o;
	}
	if (rc == -1)
		goto fail;
	*listp = list;
	*lenp = nlist;
	return 0;
fail:
	*cause = xasprintf("%s:%zu: %s", name, lineno, why);
	free(why);
	free(list);
	return -1;
}

static void
oper_replace(struct oper *list, size_t len)
{
	if (oper_list != NULL)
		explicit_bzero(oper_list, oper_len * sizeof *oper_list);
	free(oper_list);
	oper_list = list;
	oper_len = len;
}

/*
 * Parse the operators of text (len bytes, the contents of file name) in
 * place of the ones there were; on error those stay, and cause says
 * "name:line: why".  The hashes are checked for their form only.
 */
int
oper_parse(const char *text, size_t len, const char *name, char **cause)
{
	struct oper	*list;
	size_t		 n;

	if (oper_parse_list(text, len, name, &list, &n, cause) == -1)
		return -1;
	oper_replace(list, n);
	return 0;
}

#define OPER_NO_CRYPT	"chat-server was built without crypt(3), so it has " \
			"no operators (see README, Portability)"

/* crypt(3), or nothing where the build has none (operators are refused). */
static const char *
oper_crypt(const char *password, const char *setting)
{
#ifdef HAVE_CRYPT
	return crypt(password, setting);
#else
	(void)password;
	(void)setting;
	return NULL;
#endif
}

/* Whether this build has operators at all. */
int
oper_available(void)
{
#ifdef HAVE_CRYPT
	return 1;
#else
	return 0;
#endif
}

/* Whether this system's crypt(3) can check against hash. */
static int
oper_hash_works(const char *hash)
{
	const char	*r = oper_crypt("", hash);

	return r != NULL && r[0] == '$' && strlen(r) == strlen(hash);
}

/*
 * Load the --oper-file: regular, and open to nobody but its owner (a
 * copy of the hashes lets a guesser work offline).  On error the
 * operators there were stay.
 */
int
oper_load(const char *path, char **cause)
{
	char		*text = NULL;
	struct oper	*list;
	size_t		 n, i, count;
	ssize_t		 r;
	int		 fd;

#ifndef HAVE_CRYPT
	*cause = xasprintf("cannot use oper file %s: %s", path, OPER_NO_CRYPT);
	return -1;
#endif
	if ((fd = auth_open_private(path, "oper file", cause)) == -1)
		return -1;
	text = xmalloc(OPER_FILE_MAX_BYTES + 1);
	for (n = 0; n <= OPER_FILE_MAX_BYTES; n += (size_t)r) {
		r = read(fd, text + n, OPER_FILE_MAX_BYTES + 1 - n);
		if (r == 0)
			break;
		if (r == -1 && errno != EINTR) {
			*cause = xasprintf("cannot read oper file %s: %s",
			    path, strerror(errno));
			goto fail;
		}
		if (r == -1)
			r = 0;
	}
	close(fd);
	fd = -1;
	if (n > OPER_FILE_MAX_BYTES) {
		*cause = xasprintf("oper file %s is larger than %zu bytes",
		    path, OPER_FILE_MAX_BYTES);
		goto fail;
	}
	if (oper_parse_list(text, n, path, &list, &count, cause) == -1)
		goto fail;
	free(text);
	for (i = 0; i < count; i++) {
		if (!oper_hash_works(list[i].hash)) {
			*cause = xasprintf("%s:%zu: this system's crypt(3) "
			    "cannot check the hash of %s", path, list[i].line,
			    list[i].name);
			free(list);
			return -1;
		}
	}
	oper_replace(list, count);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	free(text);
	return -1;
}

int
oper_count(void)
{
	return (int)oper_len;
}

/*
 * Whether password is name's.  An unknown name costs a hash too, so the
 * time taken does not tell which names exist; the hashes are compared
 * in constant time.
 */
int
oper_check(const char *name, const char *password)
{
	const struct oper	*o = NULL;
	const char		*r;
	size_t			 i;
	int			 same;

	if (oper_len == 0)
		return 0;
	for (i = 0; i < oper_len; i++) {
		if (strcmp(oper_list[i].name, name) == 0)
			o = &oper_list[i];
	}
	r = oper_crypt(password, o != NULL ? o->hash : oper_list[0].hash);
	if (r == NULL)
		return 0;
	same = auth_equal(r, strlen(r), o != NULL ? o->hash :
	    oper_list[0].hash, strlen(o != NULL ? o->hash : oper_list[0].hash));
	return o != NULL && same;
}

/*
 * Whether a client could ever give this password with /oper: the server
 * cleans what it is sent (so no control characters or invalid UTF-8)
 * and drops spaces around it.
 */
int
oper_password_usable(const char *pw)
{
	char	clean[PASSWORD_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	size_t	len = strlen(pw);

	if (len == 0 || len > PASSWORD_MAX_BYTES || pw[0] == ' ' ||
	    pw[len - 1] == ' ')
		return 0;
	return text_clean(pw, len, clean) == len && memcmp(clean, pw, len) == 0;
}

/* A setting (method and random salt) for crypt(3); caller frees. */
static char *
oper_setting(char **cause)
{
#ifdef HAVE_CRYPT_GENSALT
	const char	*s;

	/* Random bytes NULL: the library takes them from the system. */
	if ((s = crypt_gensalt("$y$", 0, NULL, 0)) != NULL ||
	    (s = crypt_gensalt("$6$", 0, NULL, 0)) != NULL)
		return xstrdup(s);
	*cause = xasprintf("crypt_gensalt: %s", strerror(errno));
	return NULL;
#else
	static const char	b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	unsigned char		rnd[OPER_SALT_BYTES];
	char			salt[OPER_SALT_BYTES + 1];
	size_t			i;
	int			fd;

	if ((fd = open("/dev/urandom", O_RDONLY)) == -1 ||
	    read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
		*cause = xasprintf("cannot read /dev/urandom: %s",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	close(fd);
	for (i = 0; i < sizeof rnd; i++)
		salt[i] = b64[rnd[i] % 64];
	salt[i] = '\0';
	return xasprintf("$6$%s$", salt);
#endif
}

/* The hash of password for the oper file (caller frees), or NULL. */
char *
oper_hash(const char *password, char **cause)
{
	char		*setting;
	const char	*r;

#ifndef HAVE_CRYPT
	(void)password;
	*cause = xstrdup(OPER_NO_CRYPT);
	return NULL;
#endif
	if ((setting = oper_setting(cause)) == NULL)
		return NULL;
	r = oper_crypt(password, setting);
	/* A crypt(3) that ignores the method would make something weak. */
	if (r == NULL || strncmp(r, setting, 3) != 0 || !oper_hash_valid(r)) {
		*cause = xasprintf("this system's crypt(3) cannot make a %s "
		    "hash", strncmp(setting, "$y$", 3) == 0 ? "yescrypt" :
		    "sha512-crypt");
		free(setting);
		return NULL;
	}
	free(setting);
	return xstrdup(r);
}

/* A signal while echo is off: turn it back on, then die of the signal. */
static void
oper_tty_signal(int sig)
{
	if (oper_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &oper_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line of standard input, without its newline: 0, or -1 with why. */
static int
oper_read_line(char *buf, size_t size, char **cause)
{
	size_t	n;

	if (fgets(buf, (int)size, stdin) == NULL) {
		*cause = ferror(stdin) ? xasprintf("cannot read the password: "
		    "%s", strerror(errno)) : xstrdup("no password given");
		return -1;
	}
	n = strcspn(buf, "\n");
	if (buf[n] != '\n' && !feof(stdin)) {
		*cause = xasprintf("the password is longer than %d bytes",
		    PASSWORD_MAX_BYTES);
		return -1;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[n - 1] = '\0';
	return 0;
}

/* Ask on the terminal (echo is off); the prompt goes to standard error. */
static int
oper_ask(const char *prompt, char *buf, size_t size, char **cause)
{
	int	rc;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	rc = oper_read_line(buf, size, cause);
	fprintf(stderr, "\n");
	return rc;
}

/*
 * The password: asked twice on a terminal with echo off, one line from
 * anything else.  Echo goes off before the first prompt, so nothing
 * typed after it is ever shown, and comes back on whatever happens.
 */
static int
oper_get_password(char *pw, char *again, size_t size, char **cause)
{
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct termios		quiet;
	size_t			i;
	int			rc;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &oper_tty) == -1)
		return oper_read_line(pw, size, cause);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], oper_tty_signal);
	quiet = oper_tty;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	oper_echo_off = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = oper_ask("Operator password: ", pw, size, cause);
	if (rc == 0)
		rc = oper_ask("Again: ", again, size, cause);
	tcsetattr(STDIN_FILENO, TCSANOW, &oper_tty);
	oper_echo_off = 0;
	if (rc == 0 && strcmp(pw, again) != 0) {
		*cause = xstrdup("the passwords do not match");
		rc = -1;
	}
	return rc;
}

/*
 * chat-server --hash-password: read a password from standard input and
 * print its hash for the oper file.  The exit status.
 */
int
oper_hash_main(void)
{
	char	pw[PASSWORD_MAX_BYTES + 2], again[PASSWORD_MAX_BYTES + 2];
	char	*hash = NULL, *cause = NULL;

#ifndef HAVE_CRYPT
	fprintf(stderr, "chat-server: --hash-password: %s\n", OPER_NO_CRYPT);
	return 1;
#endif
	if (oper_get_password(pw, again, sizeof pw, &cause) == 0 &&
	    !oper_password_usable(pw))
		cause = xasprintf("a password is 1 to %d bytes of text, no "
		    "control characters, no spaces at either end",
		    PASSWORD_MAX_BYTES);
	if (cause == NULL)
		hash = oper_hash(pw, &cause);
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(again, sizeof again);
	if (hash == NULL) {
		fprintf(stderr, "chat-server: %s\n", cause);
		free(cause);
		return 1;
	}
	printf("%s\n", hash);
	free(hash);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

void
oper_free(void)
{
	oper_replace(NULL, 0);
}
