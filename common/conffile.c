/*
 * Configuration files (see conffile.h).  One line is one setting:
 *
 *	# a comment
 *	key = value		# a comment after an unquoted value
 *	welcome = "  # kept, with its spaces  "
 *
 * Keys are letters, digits, "-" and "_".  An unquoted value runs to a
 * "#" or the end of the line, without the blanks around it; a quoted one
 * keeps everything between its quotes, where \" and \\ stand for " and \.
 * A key given twice is an error, not a silent override: two lines that
 * disagree are a mistake the reader of the file should hear about; only
 * the keys a program names as lists (chat-tui's "ignore") may repeat.
 * Nothing here exits: every error comes back as "FILE:LINE: reason".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/conffile.h"
#include "common/text.h"
#include "common/xmalloc.h"

#define CONFFILE_WHY_BYTES	160	/* one reason, without FILE:LINE */
#define CONFFILE_BOM		"\xef\xbb\xbf"

static int
conffile_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
conffile_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

static const char *
conffile_skip_blanks(const char *p, const char *end)
{
	while (p < end && conffile_blank(*p))
		p++;
	return p;
}

/*
 * Values reach the log and clients, and errors quote them: a line must be
 * UTF-8 without controls (a tab aside) or bidi overrides.
 */
static int
conffile_check_text(const char *p, size_t len, char *why, size_t size)
{
	uint32_t	cp;
	size_t		i;
	int		n;

	for (i = 0; i < len; i += (size_t)n) {
		if ((n = text_decode(p + i, len - i, &cp)) < 0) {
			snprintf(why, size, "invalid UTF-8 in the line");
			return -1;
		}
		if (cp != '\t' && text_is_unsafe(cp)) {
			snprintf(why, size, "control character U+%04X in the "
			    "line", (unsigned int)cp);
			return -1;
		}
	}
	return 0;
}

/* The quoted value at p (past its opening quote) into out; -1 and why. */
static int
conffile_quoted(const char *p, const char *end, char *out, char *why,
    size_t size)
{
	while (p < end && *p != '"') {
		if (*p == '\\') {
			if (p + 1 == end || (p[1] != '"' && p[1] != '\\')) {
				snprintf(why, size, "unknown escape in a "
				    "quoted value (only \\\" and \\\\)");
				return -1;
			}
			p++;
		}
		*out++ = *p++;
	}
	*out = '\0';
	if (p == end) {
		snprintf(why, size, "unterminated quoted value");
		return -1;
	}
	p = conffile_skip_blanks(p + 1, end);
	if (p < end && *p != '#') {
		snprintf(why, size, "unexpected text after the quoted value");
		return -1;
	}
	return 0;
}

/* The value at p into out (as long as the line, at most); -1 and why. */
static int
conffile_value(const char *p, const char *end, char *out, char *why,
    size_t size)
{
	const char	*stop;

	if (p < end && *p == '"')
		return conffile_quoted(p + 1, end, out, why, size);
	stop = memchr(p, '#', (size_t)(end - p));
	if (stop == NULL)
		stop = end;
	while (stop > p && conffile_blank(stop[-1]))
		stop--;
	if (stop == p) {
		snprintf(why, size, "no value after \"=\" (\"\" is an empty "
		    "one)");
		return -1;
	}
	memcpy(out, p, (size_t)(stop - p));
	out[stop - p] = '\0';
	return 0;
}

/* Whether key is one of the NULL-ended lists, which may repeat. */
static int
conffile_is_list(const char *const *lists, const char *key)
{
	for (; lists != NULL && *lists != NULL; lists++) {
		if (strcmp(*lists, key) == 0)
			return 1;
	}
	return 0;
}

static const struct conffile_entry *
conffile_find(const struct conffile *cf, const char *key)
{
	size_t	i;

	for (i = 0; i < cf->count; i++) {
		if (strcmp(cf->entries[i].key, key) == 0)
			return &cf->entries[i];
	}
	return NULL;
}

static void
conffile_add(struct conffile *cf, const char *key, const char *value,
    unsigned int line)
{
	struct conffile_entry	*e;

	cf->entries = xreallocarray(cf->entries, cf->count + 1,
	    sizeof *cf->entries);
	e = &cf->entries[cf->count++];
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	e->line = line;
}

/* One line, without its newline: a setting, a comment or nothing. */
static int
conffile_line(struct conffile *cf, const char *p, size_t len,
    unsigned int line, const char *const *lists, char *why, size_t size)
{
	const struct conffile_entry	*dup;
	const char			*end = p + len, *key;
	char				 k[CONFFILE_KEY_MAX_BYTES + 1];
	char				 v[CONFFILE_LINE_MAX_BYTES + 1];
	size_t				 klen;

	if (conffile_check_text(p, len, why, size) == -1)
		return -1;
	p = conffile_skip_blanks(p, end);
	if (p == end || *p == '#')
		return 0;
	for (key = p; p < end && conffile_key_char(*p); p++)
		continue;
	if ((klen = (size_t)(p - key)) == 0) {
		snprintf(why, size, "expected a key (letters, digits, - and "
		    "_) at the start of the line");
		return -1;
	}
	if (klen > CONFFILE_KEY_MAX_BYTES) {
		snprintf(why, size, "key longer than %d bytes",
		    CONFFILE_KEY_MAX_BYTES);
		return -1;
	}
	memcpy(k, key, klen);
	k[klen] = '\0';
	p = conffile_skip_blanks(p, end);
	if (p == end || *p != '=') {
		snprintf(why, size, "expected \"=\" after \"%s\"", k);
		return -1;
	}
	p = conffile_skip_blanks(p + 1, end);
	if (conffile_value(p, end, v, why, size) == -1)
		return -1;
	if (!conffile_is_list(lists, k) && (dup = conffile_find(cf, k)) !=
	    NULL) {
		snprintf(why, size, "\"%s\" is already set on line %u", k,
		    dup->line);
		return -1;
	}
	conffile_add(cf, k, v, line);
	return 0;
}

/*
 * Parse len bytes of text (path names it in errors) into cf, which the
 * caller frees with conffile_free() either way; -1 and why on the first
 * bad line.
 */
int
conffile_parse(struct conffile *cf, const char *path, const char *text,
    size_t len, char **cause)
{
	return conffile_parse_lists(cf, path, text, len, NULL, cause);
}

/* The same, where the keys in lists (NULL-ended) may be given again. */
int
conffile_parse_lists(struct conffile *cf, const char *path, const char *text,
    size_t len, const char *const *lists, char **cause)
{
	const char	*p = text, *end = text + len, *nl;
	char		 why[CONFFILE_WHY_BYTES];
	size_t		 n;
	unsigned int	 line = 0;

	memset(cf, 0, sizeof *cf);
	cf->path = xstrdup(path);
	if (len >= 3 && memcmp(p, CONFFILE_BOM, 3) == 0)
		p += 3;
	while (p < end) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;		/* written on Windows */
		if (n > CONFFILE_LINE_MAX_BYTES) {
			snprintf(why, sizeof why, "line longer than %d bytes",
			    CONFFILE_LINE_MAX_BYTES);
			goto fail;
		}
		if (conffile_line(cf, p, n, line, lists, why, sizeof why) ==
		    -1)
			goto fail;
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
fail:
	*cause = xasprintf("%s:%u: %s", path, line, why);
	return -1;
}

/* Read and parse the file at path; -1 and why (the caller frees cf). */
int
conffile_read(struct conffile *cf, const char *path, char **cause)
{
	return conffile_read_lists(cf, path, NULL, cause);
}

/* The same, where the keys in lists (NULL-ended) may be given again. */
int
conffile_read_lists(struct conffile *cf, const char *path,
    const char *const *lists, char **cause)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, rc;

	memset(cf, 0, sizeof *cf);
	/* O_NONBLOCK: a FIFO without a writer must not hang the open. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1) {
		*cause = xasprintf("cannot open config file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*cause = xasprintf("config file %s is not a regular file",
		    path);
		close(fd);
		return -1;
	}
	buf = xmalloc(CONFFILE_MAX_BYTES + 1);
	while ((n = read(fd, buf + len, CONFFILE_MAX_BYTES + 1 - len)) > 0 &&
	    (len += (size_t)n) <= CONFFILE_MAX_BYTES)
		continue;
	if (n == -1)
		*cause = xasprintf("cannot read config file %s: %s", path,
		    strerror(errno));
	else if (len > CONFFILE_MAX_BYTES)
		*cause = xasprintf("config file %s is larger than %d bytes",
		    path, CONFFILE_MAX_BYTES);
	close(fd);
	rc = n == -1 || len > CONFFILE_MAX_BYTES ? -1 :
	    conffile_parse_lists(cf, path, buf, len, lists, cause);
	free(buf);
	return rc;
}

void
conffile_free(struct conffile *cf)
{
	size_t	i;

	for (i = 0; i < cf->count; i++) {
		free(cf->entries[i].key);
		free(cf->entries[i].value);
	}
	free(cf->entries);
	free(cf->path);
	memset(cf, 0, sizeof *cf);
}

/*
 * The next line of text (*len bytes) that is neither blank nor a "#"
 * comment, for files of other shapes than "key = value" (operators,
 * bans): copied into line (max bytes and a NUL) without its CR LF or LF,
 * *text and *len moved past it, *lineno counting every line.  1 a line,
 * 0 the end, -1 a line too long or holding a NUL, with why (to free).
 */
int
conffile_next_line(const char **text, size_t *len, size_t *lineno,
    char *line, size_t max, char **why)
{
	const char	*nl, *p;
	size_t		 n, full;

	while (*len > 0) {
		(*lineno)++;
		nl = memchr(*text, '\n', *len);
		n = nl != NULL ? (size_t)(nl - *text) : *len;
		full = n + (nl != NULL);
		if (n > 0 && (*text)[n - 1] == '\r')
			n--;
		if (n > max) {
			*why = xasprintf("line longer than %zu bytes", max);
			return -1;
		}
		if (memchr(*text, '\0', n) != NULL) {
			*why = xstrdup("a NUL byte in the line");
			return -1;
		}
		memcpy(line, *text, n);
		line[n] = '\0';
		*text += full;
		*len -= full;
		p = line + strspn(line, " \t");
		if (*p != '\0' && *p != '#')
			return 1;
	}
	return 0;
}
