/*
 * --redis URL: "redis://[:PASSWORD@]HOST[:PORT][/DB]" or "unix:PATH".
 * A model: no sockets, no hiredis, so a unit test drives it.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compat.h"
#include "common/xmalloc.h"
#include "server/server.h"

#define REDIS_PREFIX	"redis://"
#define UNIX_PREFIX	"unix:"

/* A decimal number from 0 to max, the whole of s[0..len). */
static int
redis_url_number(const char *s, size_t len, long max, long *out)
{
	long	n = 0;
	size_t	i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

static int
redis_url_fail(const char *url, const char *what, char **why)
{
	*why = xasprintf("bad --redis URL \"%s\": %s (redis://[:PASSWORD@]"
	    "HOST[:PORT][/DB] or unix:PATH)", url, what);
	return -1;
}

/* The host part: a name, an IPv4 address, or [IPv6]; then :PORT. */
static int
redis_url_host(const char *url, const char *p, size_t len, struct redis_url *u,
    char **why)
{
	const char	*colon, *end = p + len;
	size_t		 hlen;
	long		 port = REDIS_PORT_DEFAULT;

	if (len > 0 && *p == '[') {
		colon = memchr(p, ']', len);
		if (colon == NULL)
			return redis_url_fail(url, "no ] after [", why);
		hlen = (size_t)(colon - p - 1);
		p++;
		colon++;
		if (colon < end && *colon != ':')
			return redis_url_fail(url, "junk after ]", why);
		if (colon == end)
			colon = NULL;
	} else {
		colon = memchr(p, ':', len);
		hlen = colon != NULL ? (size_t)(colon - p) : len;
	}
	if (hlen == 0 || hlen >= sizeof u->host)
		return redis_url_fail(url, "no host, or too long", why);
	if (colon != NULL && (redis_url_number(colon + 1,
	    (size_t)(end - colon - 1), 65535, &port) == -1 || port == 0))
		return redis_url_fail(url, "the port is not 1 to 65535", why);
	memcpy(u->host, p, hlen);
	u->host[hlen] = '\0';
	u->port = (int)port;
	return 0;
}

int
redis_url_parse(const char *url, struct redis_url *u, char **why)
{
	const char	*p, *at, *slash, *end;
	long		 db = 0;

	memset(u, 0, sizeof *u);
	if (strncmp(url, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		p = url + strlen(UNIX_PREFIX);
		if (*p == '\0' || strlen(p) >= sizeof u->path)
			return redis_url_fail(url, "no path, or too long", why);
		strlcpy(u->path, p, sizeof u->path);
		return 0;
	}
	if (strncmp(url, REDIS_PREFIX, strlen(REDIS_PREFIX)) != 0)
		return redis_url_fail(url, "not redis:// or unix:", why);
	p = url + strlen(REDIS_PREFIX);
	end = p + strlen(p);
	if ((slash = strchr(p, '/')) != NULL) {
		if (redis_url_number(slash + 1, (size_t)(end - slash - 1),
		    REDIS_DB_MAX, &db) == -1)
			return redis_url_fail(url, "the database is not a "
			    "number", why);
		end = slash;
	}
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL) {
		if (*p != ':' || (size_t)(at - p - 1) >= sizeof u->password)
			return redis_url_fail(url, "the password goes as "
			    ":PASSWORD@, at most 255 bytes", why);
		memcpy(u->password, p + 1, (size_t)(at - p - 1));
		u->password[at - p - 1] = '\0';
		p = at + 1;
	}
	u->db = (int)db;
	return redis_url_host(url, p, (size_t)(end - p), u, why);
}
