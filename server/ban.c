/*
 * The ban list: masks (a nickname, an IPv4 or IPv6 address, or a CIDR
 * range of either), how long each lasts, and the --ban-file that keeps
 * them over a restart.  A model: no sockets and no clients, so it is
 * driven directly by its unit test and its fuzzer.  Addresses are held
 * as IPv6, IPv4 as ::ffff:a.b.c.d, so an IPv4 mask and the IPv4-mapped
 * form of the same address are one and the same.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/compat.h"
#include "common/conffile.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define BAN_ADDR_BYTES	16
#define BAN_V4_OFFSET	96	/* bits before an IPv4 address in ::ffff:0:0/96 */
#define BAN_FILE_MAX_BYTES ((size_t)BAN_MAX_COUNT * BAN_LINE_MAX_BYTES)
#define BAN_FILE_HEADER \
	"# chat-server bans, one a line: MASK EXPIRES BY REASON\n" \
	"# EXPIRES is a Unix time in seconds, or - for until removed.\n"

static struct ban	*ban_list;
static size_t		 ban_len, ban_cap;
static char		*ban_path;		/* --ban-file, or NULL */

/* The 16 bytes of a textual address, IPv4 mapped; 32 or 128 bits. */
static int
ban_addr_parse(const char *s, unsigned char *addr, unsigned int *bits)
{
	struct in_addr	v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &v4, 4);
		*bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*bits = 128;
		return 0;
	}
	return -1;
}

static int
ban_addr_is_v4(const unsigned char *addr, unsigned int prefix)
{
	static const unsigned char	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };

	return prefix >= BAN_V4_OFFSET && memcmp(addr, mapped, 12) == 0;
}

/* Whether the first prefix bits of a and b agree. */
static int
ban_prefix_equal(const unsigned char *a, const unsigned char *b,
    unsigned int prefix)
{
	unsigned int	full = prefix / 8, rest = prefix % 8;
	unsigned char	keep;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	keep = (unsigned char)(0xff << (8 - rest));
	return (a[full] & keep) == (b[full] & keep);
}

/* An IPv4 range as "10.0.0.0/8", an address alone without "/32". */
static void
ban_addr_format(struct ban *b)
{
	char		host[INET6_ADDRSTRLEN];
	unsigned int	bits = b->prefix;

	if (ban_addr_is_v4(b->addr, b->prefix)) {
		inet_ntop(AF_INET, b->addr + 12, host, sizeof host);
		bits -= BAN_V4_OFFSET;
	} else
		inet_ntop(AF_INET6, b->addr, host, sizeof host);
	if (b->prefix == 128)
		snprintf(b->mask, sizeof b->mask, "%s", host);
	else
		snprintf(b->mask, sizeof b->mask, "%s/%u", host, bits);
}

/* ADDRESS or ADDRESS/BITS into b; the bits past the prefix are cleared. */
static int
ban_parse_addr(const char *s, struct ban *b, char **cause)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*slash = strchr(s, '/');
	unsigned int	 bits, prefix, i;
	size_t		 n = slash != NULL ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof host)
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (ban_addr_parse(host, b->addr, &bits) == -1)
		goto bad;
	prefix = bits;
	if (slash != NULL) {
		if (slash[1] == '\0' || strlen(slash + 1) > 3 ||
		    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
		    (prefix = (unsigned int)atoi(slash + 1)) > bits) {
			*cause = xasprintf("invalid prefix length in \"%s\" "
			    "(expected 0 to %u)", s, bits);
			return -1;
		}
	}
	b->kind = BAN_ADDR;
	b->prefix = prefix + (128 - bits);
	for (i = b->prefix; i < 128; i++)
		b->addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	ban_addr_format(b);
	return 0;
bad:
	*cause = xasprintf("invalid address \"%.*s\"", (int)n, s);
	return -1;
}

/*
 * A mask: a nickname, or an IPv4 or IPv6 address with an optional
 * /prefix.  b gets the kind, the address and the canonical mask; the
 * rest of b is left as it was.
 */
int
ban_parse_mask(const char *s, struct ban *b, char **cause)
{
	if (strchr(s, '.') != NULL || strchr(s, ':') != NULL ||
	    strchr(s, '/') != NULL || isdigit((unsigned char)s[0]))
		return ban_parse_addr(s, b, cause);
	if (!room_nick_valid(s)) {
		*cause = xasprintf("invalid ban mask \"%s\": a nickname, an "
		    "IP address, or an address/prefix range", s);
		return -1;
	}
	b->kind = BAN_NICK;
	memset(b->addr, 0, sizeof b->addr);
	b->prefix = 0;
	snprintf(b->mask, sizeof b->mask, "%s", s);
	return 0;
}

/*
 * A duration: numbers with units d, h, m, s, largest first, each at
 * most once ("30s", "10m", "1h30m", "7d").  1 s to ten years.
 */
int
ban_parse_duration(const char *s, long *seconds, char **cause)
{
	static const char	units[] = "dhms";
	static const long	unit_s[] = { 86400, 3600, 60, 1 };
	const char		*p = s, *u;
	size_t			 next = 0;
	long			 total = 0, v;

	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			goto bad;
		for (v = 0; isdigit((unsigned char)*p); p++) {
			v = v * 10 + (*p - '0');
			if (v > BAN_DURATION_MAX_SECONDS)
				goto bad;
		}
		if (*p == '\0' || (u = strchr(units, *p)) == NULL ||
		    (size_t)(u - units) < next)
			goto bad;
		next = (size_t)(u - units) + 1;
		p++;
		if (v > (BAN_DURATION_MAX_SECONDS - total) / unit_s[next - 1])
			goto bad;
		total += v * unit_s[next - 1];
	}
	if (total == 0)
		goto bad;
	*seconds = total;
	return 0;
bad:
	if (cause != NULL)
		*cause = xasprintf("invalid duration \"%s\" (expected like "
		    "30s, 10m, 2h, 7d or 1h30m, up to %ldd)", s,
		    BAN_DURATION_MAX_SECONDS / 86400);
	return -1;
}

/* seconds as ban_parse_duration() reads it: "1h30m", "45s", "0s". */
void
ban_format_duration(long seconds, char *buf, size_t size)
{
	static const char	units[] = "dhms";
	static const long	unit_s[] = { 86400, 3600, 60, 1 };
	size_t			i, len = 0;
	long			v;

	buf[0] = '\0';
	for (i = 0; i < 4 && len < size; i++) {
		v = seconds / unit_s[i];
		seconds %= unit_s[i];
		if (v != 0)
			len += (size_t)snprintf(buf + len, size - len, "%ld%c",
			    v, units[i]);
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "0s");
}

/* Whether a and b ban the same thing. */
static int
ban_same(const struct ban *a, const struct ban *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == BAN_NICK)
		return strcasecmp(a->mask, b->mask) == 0;
	return a->prefix == b->prefix &&
	    memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

static int
ban_live(const struct ban *b, time_t now)
{
	return b->expires == 0 || b->expires > now;
}

int
ban_matches_host(const struct ban *b, const char *host)
{
	unsigned char	addr[BAN_ADDR_BYTES];
	unsigned int	bits;

	if (b->kind != BAN_ADDR || ban_addr_parse(host, addr, &bits) == -1)
		return 0;
	return ban_prefix_equal(addr, b->addr, b->prefix);
}

int
ban_matches_nick(const struct ban *b, const char *nick)
{
	return b->kind == BAN_NICK && strcasecmp(b->mask, nick) == 0;
}

/* The ban in force on a peer address ("127.0.0.1", "::1"), or NULL. */
const struct ban *
ban_find_host(const char *host, time_t now)
{
	size_t	i;

	for (i = 0; i < ban_len; i++) {
		if (ban_live(&ban_list[i], now) &&
		    ban_matches_host(&ban_list[i], host))
			return &ban_list[i];
	}
	return NULL;
}

const struct ban *
ban_find_nick(const char *nick, time_t now)
{
	size_t	i;

	for (i = 0; i < ban_len; i++) {
		if (ban_live(&ban_list[i], now) &&
		    ban_matches_nick(&ban_list[i], nick))
			return &ban_list[i];
	}
	return NULL;
}

/* Add b, or replace a ban on the same mask: 0 added, 1 replaced, -1 full. */
static int
ban_insert(struct ban **list, size_t *len, size_t *cap, const struct ban *b)
{
	size_t	i;

	for (i = 0; i < *len; i++) {
		if (ban_same(&(*list)[i], b)) {
			(*list)[i] = *b;
			return 1;
		}
	}
	if (*len == BAN_MAX_COUNT)
		return -1;
	if (*len == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	(*list)[(*len)++] = *b;
	return 0;
}

int
ban_add(const struct ban *b)
{
	return ban_insert(&ban_list, &ban_len, &ban_cap, b);
}

/* Remove the ban on the same mask as b: 0, or -1 if there is none. */
int
ban_remove(const struct ban *b)
{
	size_t	i;

	for (i = 0; i < ban_len; i++) {
		if (ban_same(&ban_list[i], b)) {
			memmove(&ban_list[i], &ban_list[i + 1],
			    (ban_len - i - 1) * sizeof *ban_list);
			ban_len--;
			return 0;
		}
	}
	return -1;
}

/* Drop the bans whose time is up; how many went. */
size_t
ban_expire(time_t now)
{
	size_t	i, k;

	for (i = k = 0; i < ban_len; i++) {
		if (ban_live(&ban_list[i], now))
			ban_list[k++] = ban_list[i];
	}
	i = ban_len - k;
	ban_len = k;
	return i;
}

size_t
ban_count(void)
{
	return ban_len;
}

const struct ban *
ban_get(size_t i)
{
	return i < ban_len ? &ban_list[i] : NULL;
}

/* "MASK EXPIRES BY [REASON]" into b; -1 with why (without file:line). */
static int
ban_parse_line(char *line, struct ban *b, char **cause)
{
	char		 clean[BAN_LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	char		*mask, *expires, *by, *reason, *end;
	long long	 t;
	size_t		 n;

	mask = strtok_r(line, " \t", &end);
	expires = strtok_r(NULL, " \t", &end);
	by = strtok_r(NULL, " \t", &end);
	if (mask == NULL || expires == NULL || by == NULL) {
		*cause = xstrdup("expected MASK EXPIRES BY REASON");
		return -1;
	}
	memset(b, 0, sizeof *b);
	if (ban_parse_mask(mask, b, cause) == -1)
		return -1;
	if (strcmp(expires, "-") != 0) {
		errno = 0;
		t = strtoll(expires, &reason, 10);
		if (!isdigit((unsigned char)*expires) || *reason != '\0' ||
		    errno != 0 || t <= 0 || (time_t)t != t) {
			*cause = xasprintf("invalid expiry \"%s\" (expected a "
			    "Unix time or -)", expires);
			return -1;
		}
		b->expires = (time_t)t;
	}
	if (!room_nick_valid(by)) {
		*cause = xasprintf("invalid nickname \"%s\"", by);
		return -1;
	}
	snprintf(b->by, sizeof b->by, "%s", by);
	reason = end + strspn(end, " \t");
	n = text_clean(reason, strlen(reason), clean);
	n = text_cut(clean, n, REASON_MAX_BYTES);
	clean[n] = '\0';
	if (n == 0)
		snprintf(b->reason, sizeof b->reason, BAN_REASON_DEFAULT);
	else
		memcpy(b->reason, clean, n + 1);
	return 0;
}

/*
 * The bans in text (len bytes, the contents of file name), those past
 * now left out, in place of the list; on error the list stays as it
 * was, and cause says "name:line: why".
 */
int
ban_parse(const char *text, size_t len, const char *name, time_t now,
    char **cause)
{
	char		 line[BAN_LINE_MAX_BYTES + 1], *why;
	struct ban	*list = NULL, b;
	size_t		 nlist = 0, cap = 0, lineno = 0;
	int		 rc;

	while ((rc = conffile_next_line(&text, &len, &lineno, line,
	    BAN_LINE_MAX_BYTES, &why)) == 1) {
		if (ban_parse_line(line, &b, &why) == -1)
			goto fail;
		if (ban_live(&b, now) &&
		    ban_insert(&list, &nlist, &cap, &b) == -1) {
			why = xasprintf("more than %d bans", BAN_MAX_COUNT);
			goto fail;
		}
	}
	if (rc == -1)
		goto fail;
	free(ban_list);
	ban_list = list;
	ban_len = nlist;
	ban_cap = cap;
	return 0;
fail:
	*cause = xasprintf("%s:%zu: %s", name, lineno, why);
	free(why);
	free(list);
	return -1;
}

/*
 * The whole of a regular file of at most max bytes (caller frees); -1
 * with errno, EINVAL if not a regular file, EFBIG if too big.
 */
static int
ban_read_file(int fd, size_t max, char **text, size_t *len)
{
	struct stat	st;
	size_t		size;
	ssize_t		n;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		return -1;
	}
	size = (size_t)st.st_size;
	*text = xmalloc(size + 1);
	*len = 0;
	/* One byte more than fstat said, to see a file that grew. */
	while (*len <= size &&
	    (n = read(fd, *text + *len, size + 1 - *len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(*text);
			return -1;
		}
		*len += (size_t)n;
	}
	if (*len > size) {
		free(*text);
		errno = EFBIG;
		return -1;
	}
	return 0;
}

/*
 * Load the bans of path (the --ban-file), which is written back on
 * every change.  A file that is not there yet is an empty list.  On
 * error the bans in force stay, and so does the file they go to.
 */
int
ban_load(const char *path, char **cause)
{
	char	*text;
	size_t	 len;
	int	 fd, rc;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1 &&
	    errno != ENOENT) {
		*cause = xasprintf("cannot open ban file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fd == -1) {
		text = xstrdup("");
		len = 0;
	} else if (ban_read_file(fd, BAN_FILE_MAX_BYTES, &text, &len) == -1) {
		*cause = xasprintf("cannot read ban file %s: %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		close(fd);
		return -1;
	}
	if (fd != -1)
		close(fd);
	rc = ban_parse(text, len, path, time(NULL), cause);
	free(text);
	if (rc == 0) {
		free(ban_path);
		ban_path = xstrdup(path);
	}
	return rc;
}

/* The list as the file holds it (caller frees), bans past now left out. */
static char *
ban_format_file(time_t now, size_t *len)
{
	const struct ban	*b;
	char			*text, expires[32];
	size_t			 i, size, n;

	size = sizeof BAN_FILE_HEADER + ban_len * BAN_LINE_MAX_BYTES;
	text = xmalloc(size);
	n = (size_t)snprintf(text, size, "%s", BAN_FILE_HEADER);
	for (i = 0; i < ban_len; i++) {
		b = &ban_list[i];
		if (!ban_live(b, now))
			continue;
		if (b->expires == 0)
			snprintf(expires, sizeof expires, "-");
		else
			snprintf(expires, sizeof expires, "%lld",
			    (long long)b->expires);
		n += (size_t)snprintf(text + n, size - n, "%s %s %s %s\n",
		    b->mask, expires, b->by, b->reason);
	}
	*len = n;
	return text;
}

/* Write all of text to fd. */
static int
ban_write_all(int fd, const char *text, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, text, len)) == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory path is in, so its rename is on disk too. */
static void
ban_sync_dir(const char *path)
{
	char	*dir = xstrdup(path), *slash = strrchr(dir, '/');
	int	 fd;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if ((fd = open(slash != NULL ? dir : ".", O_RDONLY)) != -1) {
		(void)fsync(fd);	/* not every system syncs a directory */
		close(fd);
	}
	free(dir);
}

/*
 * Write the list to the --ban-file (none given: nothing to do), whole
 * or not at all: a new file in the same directory, synced, renamed over
 * the old one.  A crash leaves the old list or the new, never half.
 */
int
ban_save(char **cause)
{
	char	*tmp, *text;
	size_t	 len;
	int	 fd;

	if (ban_path == NULL)
		return 0;
	tmp = xasprintf("%s.XXXXXX", ban_path);
	if ((fd = mkstemp(tmp)) == -1) {
		*cause = xasprintf("cannot create %s: %s", tmp,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	text = ban_format_file(time(NULL), &len);
	if (ban_write_all(fd, text, len) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1) {
		*cause = xasprintf("cannot write %s: %s", tmp,
		    strerror(errno));
		close(fd);
		goto fail;
	}
	if (rename(tmp, ban_path) == -1) {
		*cause = xasprintf("cannot rename %s to %s: %s", tmp,
		    ban_path, strerror(errno));
		goto fail;
	}
	ban_sync_dir(ban_path);
	free(text);
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(text);
	free(tmp);
	return -1;
}

void
ban_free(void)
{
	free(ban_list);
	ban_list = NULL;
	ban_len = ban_cap = 0;
	free(ban_path);
	ban_path = NULL;
}
