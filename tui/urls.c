/*
 * The URLs seen in the pane, for /urls and /copy: the last URLS_MAX,
 * url[0] the newest, each once.  They are taken from a line's text, not
 * from the screen, so a URL wrapped across rows is still whole.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"
#include "tui/tui.h"

static const char *const urls_schemes[] = { "https://", "http://",
	"ftp://" };

/* Punctuation a sentence puts after a URL, not part of it. */
#define URLS_TRAIL	".,;:!?'\""

static size_t
urls_scheme_at(const char *s, size_t len)
{
	size_t	i, n;

	for (i = 0; i < sizeof urls_schemes / sizeof urls_schemes[0]; i++) {
		n = strlen(urls_schemes[i]);
		if (len > n && strncasecmp(s, urls_schemes[i], n) == 0)
			return n;
	}
	return 0;
}

static int
urls_is_url_byte(unsigned char c)
{
	return c > ' ' && c != 0x7F && c != '<' && c != '>' && c != '"';
}

/* Whether the bracket closing at end is opened inside s[0, end). */
static int
urls_balanced(const char *s, size_t end, char open, char close)
{
	size_t	i;
	int	depth = 0;

	for (i = 0; i < end; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close)
			depth--;
	}
	return depth > 0;
}

/*
 * The next URL in s at or after *at: its length, with *at moved to its
 * start, or 0 when there is none.  It ends at a space, a control
 * character or <>", less trailing punctuation and unopened brackets.
 */
size_t
urls_find(const char *s, size_t len, size_t *at)
{
	size_t	i, n, end;
	char	c;

	for (i = *at; i < len; i++) {
		if (i > 0 && urls_is_url_byte((unsigned char)s[i - 1]) &&
		    s[i - 1] != '(' && s[i - 1] != '[' && s[i - 1] != '\'')
			continue;	/* only at a word's start */
		if ((n = urls_scheme_at(s + i, len - i)) == 0)
			continue;
		for (end = i + n; end < len &&
		    urls_is_url_byte((unsigned char)s[end]); end++)
			;
		while (end > i + n) {
			c = s[end - 1];
			if (strchr(URLS_TRAIL, c) != NULL ||
			    (c == ')' && !urls_balanced(s + i, end - 1 - i,
			    '(', ')')) ||
			    (c == ']' && !urls_balanced(s + i, end - 1 - i,
			    '[', ']')))
				end--;
			else
				break;
		}
		if (end == i + n || end - i > URL_MAX_BYTES) {
			i = end;
			continue;
		}
		*at = i;
		return end - i;
	}
	return 0;
}

/* Make url, len bytes, the newest; one seen before moves up. */
static void
urls_add(struct urls *u, const char *url, size_t len)
{
	char	*keep = NULL;
	size_t	 i;

	for (i = 0; i < u->count; i++) {
		if (strlen(u->url[i]) == len && memcmp(u->url[i], url,
		    len) == 0) {
			keep = u->url[i];
			memmove(u->url + i, u->url + i + 1,
			    (u->count - i - 1) * sizeof *u->url);
			u->count--;
			break;
		}
	}
	if (keep == NULL) {
		keep = xmalloc(len + 1);
		memcpy(keep, url, len);
		keep[len] = '\0';
	}
	if (u->count == URLS_MAX)
		free(u->url[--u->count]);
	memmove(u->url + 1, u->url, u->count * sizeof *u->url);
	u->url[0] = keep;
	u->count++;
}

/* Every URL of a line, the last of it the newest. */
void
urls_scan(struct urls *u, const char *s, size_t len)
{
	size_t	at = 0, n;

	while ((n = urls_find(s, len, &at)) > 0) {
		urls_add(u, s + at, n);
		at += n;
	}
}

/* URL number n, 1 the newest, or NULL. */
const char *
urls_get(const struct urls *u, size_t n)
{
	if (n == 0 || n > u->count)
		return NULL;
	return u->url[n - 1];
}

void
urls_free(struct urls *u)
{
	size_t	i;

	for (i = 0; i < u->count; i++)
		free(u->url[i]);
	u->count = 0;
}
