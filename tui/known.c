/*
 * Trust on first use, as ssh does it: the known_servers file, one
 * "host:port fingerprint" a line, where certificates that chain to no
 * trusted authority are remembered once the user accepted them; and the
 * rule deciding what a server's certificate earns.  No curses and no
 * sockets here: the caller brings what the TLS library said.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "tui/tui.h"

#define KNOWN_DIR_MODE		0700
#define KNOWN_FILE_MODE		0600
#define KNOWN_SUBPATH		"chat-tui/known_servers"
#define KNOWN_HEADER		"# chat-tui known servers: \"host:port " \
				"SHA-256-fingerprint\" a line; delete a " \
				"line to forget a server.\n"

/*
 * Where the file is: $XDG_DATA_HOME/chat-tui/known_servers, or under
 * ~/.local/share when XDG_DATA_HOME is unset or not absolute (the XDG
 * rule).  -1 when there is no home to put it in.
 */
int
known_path(char *buf, size_t size, const char *xdg, const char *home)
{
	int	n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, size, "%s/%s", xdg, KNOWN_SUBPATH);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, size, "%s/.local/share/%s", home,
		    KNOWN_SUBPATH);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The name a server is filed under: "host:port", the host in lower case
 * (names ignore case), an IPv6 address in brackets so the port stays
 * apart.
 */
void
known_key(char *buf, size_t size, const char *host, const char *port)
{
	size_t	i;

	snprintf(buf, size, strchr(host, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    host, port);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
}

/* Whether s is a SHA-256 fingerprint, "AB:CD:..." (either case). */
static int
known_is_fingerprint(const char *s, size_t len)
{
	size_t	i;

	if (len != KNOWN_FINGERPRINT_BYTES)
		return 0;
	for (i = 0; i < len; i++) {
		if (i % 3 == 2 ? s[i] != ':' :
		    !isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * Split one line of the file into its key and fingerprint.  0 for an
 * entry; -1 for a blank line, a comment or a line that is neither,
 * which are skipped (a hand edit gone wrong must not trust anything).
 */
int
known_parse(const char *line, const char **key, size_t *key_len,
    const char **fp)
{
	const char	*p = line + strspn(line, " \t"), *f;
	size_t		 n, m;

	if (*p == '\0' || *p == '#' || *p == '\n')
		return -1;
	n = strcspn(p, " \t\r\n");
	f = p + n + strspn(p + n, " \t");
	m = strcspn(f, " \t\r\n");
	if (!known_is_fingerprint(f, m) || f[m + strspn(f + m, " \t\r\n")] !=
	    '\0')
		return -1;
	*key = p;
	*key_len = n;
	*fp = f;
	return 0;
}

static void
known_skip_rest(FILE *f)
{
	int	c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

/*
 * What the file says of key presenting fingerprint fp: KNOWN_MATCH (a
 * line holds them both), KNOWN_CHANGED (the key is there, with other
 * fingerprints only: *e tells the first such line), KNOWN_NEW (not
 * there, or no file yet), or -1 when the file cannot be read.
 */
int
known_find(const char *path, const char *key, const char *fp,
    struct known_entry *e, char **cause)
{
	FILE		*f;
	char		 line[KNOWN_LINE_MAX_BYTES];
	const char	*k, *lfp;
	size_t		 klen, n = 0;
	int		 found = KNOWN_NEW;

	memset(e, 0, sizeof *e);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return KNOWN_NEW;
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			known_skip_rest(f);	/* too long: no entry */
			continue;
		}
		if (known_parse(line, &k, &klen, &lfp) == -1 ||
		    klen != strlen(key) || strncasecmp(k, key, klen) != 0)
			continue;
		if (strncasecmp(lfp, fp, KNOWN_FINGERPRINT_BYTES) == 0) {
			e->line = n;
			found = KNOWN_MATCH;
			break;
		}
		if (found == KNOWN_NEW) {
			e->line = n;
			memcpy(e->fp, lfp, KNOWN_FINGERPRINT_BYTES);
			e->fp[KNOWN_FINGERPRINT_BYTES] = '\0';
			found = KNOWN_CHANGED;
		}
	}
	fclose(f);
	return found;
}

/* mkdir -p of the directories above path, each new one private. */
static int
known_mkdirs(const char *path, char **cause)
{
	char	*dir = xstrdup(path), *p;

	for (p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, KNOWN_DIR_MODE) == -1 && errno != EEXIST) {
			*cause = xasprintf("cannot create %s: %s", dir,
			    strerror(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

/* The line for key and fp, after a newline if the file lacks its last. */
static int
known_write(int fd, const char *key, const char *fp)
{
	struct stat	 st;
	char		 last = '\n', *line;
	int		 r;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size == 0 && write(fd, KNOWN_HEADER,
	    strlen(KNOWN_HEADER)) == -1)
		return -1;
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == -1)
		return -1;
	line = xasprintf("%s%s %s\n", last == '\n' ? "" : "\n", key, fp);
	r = write(fd, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : -1;
	free(line);
	return r;
}

/*
 * Remember that key presents fp: append a line, creating the file (0600)
 * and its directories (0700) as needed.
 */
int
known_add(const char *path, const char *key, const char *fp, char **cause)
{
	int	fd, saved;

	if (known_mkdirs(path, cause) == -1)
		return -1;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    KNOWN_FILE_MODE);
	if (fd == -1 || known_write(fd, key, fp) == -1) {
		saved = errno;
		*cause = xasprintf("cannot write %s: %s", path,
		    strerror(saved));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		*cause = xasprintf("cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The rule.  A certificate that verifies (chain to a trusted authority,
 * and the host name) is taken.  One that chains to a trusted authority
 * but fails otherwise (expired, another name) is refused: the
 * authority's word is the check, and it failed.  Only one that chains to
 * no trusted authority (self-signed, unknown issuer) is for trust on
 * first use: taken if known_servers holds it, refused if it holds
 * another, asked about if new and a terminal can answer.  With a private
 * CA (--tls-ca) that CA alone is the check: no first use.  Insecure
 * (--tls-insecure) takes anything.
 */
enum known_verdict
known_judge(const struct known_facts *k)
{
	if (k->insecure)
		return KNOWN_TAKE_UNVERIFIED;
	if (k->verified)
		return KNOWN_TAKE_VERIFIED;
	if (!k->untrusted || k->private_ca)
		return KNOWN_REFUSE_INVALID;
	switch (k->found) {
	case KNOWN_MATCH:
		return KNOWN_TAKE_PINNED;
	case KNOWN_CHANGED:
		return KNOWN_REFUSE_CHANGED;
	default:
		return k->interactive ? KNOWN_ASK : KNOWN_REFUSE_NEW;
	}
}
