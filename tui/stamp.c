/*
 * The time before each line of the pane, in --timestamp's strftime(3)
 * format.  The pane gives every stamp the same width, so the width is
 * the widest the format gets over times that vary every field.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/text.h"
#include "tui/tui.h"

/* The format is the user's, by design: checked by stamp_cells(). */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define STAMP_SAMPLES	12	/* one time in each month, each weekday */

static int
stamp_unsafe(const char *s, size_t len)
{
	uint32_t	cp;
	size_t		i;
	int		n;

	for (i = 0; i < len; i += (size_t)n) {
		if ((n = text_decode(s + i, len - i, &cp)) < 0 ||
		    text_is_unsafe(cp) || cp == '\t')
			return 1;
	}
	return 0;
}

/* Columns the format's times take, and a blank; 0 for none or too many. */
size_t
stamp_cells(const char *fmt)
{
	char		buf[STAMP_MAX_CELLS * 4 + 1];
	struct tm	tm;
	size_t		i, n, w, widest = 0;

	if (*fmt == '\0')
		return 0;
	for (i = 0; i < STAMP_SAMPLES; i++) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = 126;		/* 2026 */
		tm.tm_mon = (int)i;
		tm.tm_mday = 20 + (int)i;
		tm.tm_wday = (int)(i % 7);
		tm.tm_yday = (int)i * 30;
		tm.tm_hour = i % 2 ? 23 : 9;
		tm.tm_min = 59;
		tm.tm_sec = 59;
		tm.tm_isdst = -1;
		if ((n = strftime(buf, sizeof buf, fmt, &tm)) == 0)
			return 0;	/* empty, or longer than the buffer */
		if (stamp_unsafe(buf, n))
			return 0;	/* %n, %t: they would break the row */
		if ((w = text_width(buf, n)) > widest)
			widest = w;
	}
	return widest + 1 < STAMP_MAX_CELLS ? widest + 1 : 0;
}

/* The stamp of when into buf, without its blank; its length. */
size_t
stamp_format(const char *fmt, time_t when, char *buf, size_t size)
{
	struct tm	*tm;

	if (*fmt == '\0' || (tm = localtime(&when)) == NULL)
		return 0;
	return strftime(buf, size, fmt, tm);
}
