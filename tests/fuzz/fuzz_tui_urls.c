/*
 * libFuzzer harness for what chat-tui takes out of a server's line for
 * the terminal itself: the URLs (tui/urls.c), and the OSC sequences
 * built from them and from the line (tui/osc.c, tui/notify.c).  Every
 * URL must lie inside the line and start with its scheme, and no
 * sequence may hold a control character but its own ESC and BEL.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/tui.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Between "ESC ] " and its BEL, no control byte and no C1. */
static void
check_sequence(const char *s, size_t len)
{
	size_t	i;

	if (len < 3 || s[0] != '\033' || s[1] != ']' || s[len - 1] != '\007')
		abort();
	for (i = 2; i + 1 < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F ||
		    ((unsigned char)s[i] == 0xC2 && i + 2 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] < 0xA0))
			abort();
}

static void
check_urls(const char *s, size_t len)
{
	struct urls	 u;
	struct termout	 out;
	size_t		 at = 0, n, i;

	while ((n = urls_find(s, len, &at)) > 0) {
		if (at + n > len || n > URL_MAX_BYTES ||
		    (strncasecmp(s + at, "http", 4) != 0 &&
		    strncasecmp(s + at, "ftp", 3) != 0))
			abort();
		at += n;
	}
	memset(&u, 0, sizeof u);
	urls_scan(&u, s, len);
	for (i = 1; urls_get(&u, i) != NULL; i++) {
		out.len = 0;
		if (osc_copy(&out, urls_get(&u, i), strlen(urls_get(&u, i)),
		    0) == 0)
			check_sequence(out.buf, out.len);
	}
	urls_free(&u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct termout	 out;
	char		*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_urls(s, size);
	out.len = 0;
	if (notify_send(&out, NOTIFY_OSC777, 0, s, s, size) == 0)
		check_sequence(out.buf, out.len);
	out.len = 0;
	if (notify_send(&out, NOTIFY_OSC9, 0, "chat", s, size) == 0)
		check_sequence(out.buf, out.len);
	free(s);
	return 0;
}
