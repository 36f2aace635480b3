/*
 * libFuzzer harness for the ban list's parsers (server/ban.c).  The
 * first byte picks one: a mask, a duration, or a whole ban file.
 * Checked: a mask taken comes out in a canonical form that reads back
 * as the same ban; a duration taken is 1 s to the cap and prints as
 * something that reads back as the same number; a ban file taken holds
 * at most BAN_MAX_COUNT bans, each with a mask that reads back the same
 * and a reason the cleaner leaves alone; a file refused names
 * "fuzz:LINE:" with a line it has, and leaves the list as it was.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "server/server.h"

#define FUZZ_TEXT_MAX	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What server/main.c provides to the rest of the server. */
static struct options	 fuzz_opts;
const struct options	*opts = &fuzz_opts;
volatile sig_atomic_t	 sig_term, sig_hup;

void
fatal(const char *fmt, ...)
{
	abort();
}

static void
fuzz_mask(const char *s)
{
	struct ban	 a, b;
	char		*cause;

	memset(&a, 0, sizeof a);
	if (ban_parse_mask(s, &a, &cause) == -1) {
		free(cause);
		return;
	}
	memset(&b, 0, sizeof b);
	if (ban_parse_mask(a.mask, &b, &cause) == -1)
		abort();
	if (strcmp(a.mask, b.mask) != 0 || a.kind != b.kind ||
	    a.prefix != b.prefix || memcmp(a.addr, b.addr, sizeof a.addr) != 0)
		abort();
	if (a.kind == BAN_ADDR && a.prefix > 128)
		abort();
	if (a.kind == BAN_NICK && !ban_matches_nick(&a, s))
		abort();
}

static void
fuzz_duration(const char *s)
{
	char	*cause, buf[64];
	long	 secs, again;

	if (ban_parse_duration(s, &secs, &cause) == -1) {
		free(cause);
		return;
	}
	if (secs < 1 || secs > BAN_DURATION_MAX_SECONDS)
		abort();
	ban_format_duration(secs, buf, sizeof buf);
	if (ban_parse_duration(buf, &again, NULL) == -1 || again != secs)
		abort();
}

/* Every ban in the list is whole and reads back the same. */
static void
fuzz_check_list(void)
{
	const struct ban	*b;
	char			 clean[REASON_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	size_t			 i, n;

	if (ban_count() > BAN_MAX_COUNT)
		abort();
	for (i = 0; (b = ban_get(i)) != NULL; i++) {
		fuzz_mask(b->mask);
		n = strlen(b->reason);
		if (n == 0 || n > REASON_MAX_BYTES ||
		    text_clean(b->reason, n, clean) != n ||
		    memcmp(clean, b->reason, n) != 0)
			abort();
		if (!room_nick_valid(b->by))
			abort();
	}
}

static void
fuzz_file(const char *text, size_t len)
{
	char	*cause, *end;
	size_t	 before = ban_count(), lines = 1, i;
	unsigned long line;

	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (ban_parse(text, len, "fuzz", 1700000000, &cause) == 0) {
		fuzz_check_list();
		return;
	}
	if (strncmp(cause, "fuzz:", 5) != 0)
		abort();
	line = strtoul(cause + 5, &end, 10);
	if (*end != ':' || line < 1 || line > lines)
		abort();
	free(cause);
	if (ban_count() != before)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size < 1 || size > FUZZ_TEXT_MAX)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		fuzz_mask(s);
		break;
	case 1:
		fuzz_duration(s);
		break;
	default:
		fuzz_file(s, size - 1);
		break;
	}
	free(s);
	ban_free();
	return 0;
}
