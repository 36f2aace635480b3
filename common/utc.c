/*
 * UTC stamps, written and read back: chat-server writes them into its
 * replay and its event log, and reads the log's back at start-up;
 * chat-tui reads the replay's.  No timegm() (not in POSIX.1-2008).
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "common/utc.h"

/* The number in the n digits at s, or -1 if one is not a digit. */
static int
utc_number(const char *s, size_t n)
{
	int	v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/*
 * Seconds since the epoch of a date and time in UTC, by counting the
 * days from the civil date as H. Hinnant's days_from_civil() does.
 */
static time_t
utc_epoch(int y, int mo, int d, int h, int mi, int s)
{
	long	era, yoe, doy, doe, days;

	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return (time_t)days * 86400 + h * 3600 + mi * 60 + s;
}

/*
 * The stamp in the first UTC_STAMP_BYTES of s (len at least that), with
 * sep between date and time: 0 and *when, or -1 if it is not a real one
 * (2026-02-30 is refused, not moved to March).
 */
int
utc_parse(const char *s, size_t len, char sep, time_t *when)
{
	static const char	pat[] = "dddd-dd-dd?dd:dd:dd";
	struct tm		tm;
	int			y, mo, d, h, mi, sec;
	size_t			i;

	if (len < UTC_STAMP_BYTES)
		return -1;
	for (i = 0; i < UTC_STAMP_BYTES; i++) {
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' :
		    s[i] != (pat[i] == '?' ? sep : pat[i]))
			return -1;
	}
	y = utc_number(s, 4);
	mo = utc_number(s + 5, 2);
	d = utc_number(s + 8, 2);
	h = utc_number(s + 11, 2);
	mi = utc_number(s + 14, 2);
	sec = utc_number(s + 17, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	*when = utc_epoch(y, mo, d, h, mi, sec);
	if (gmtime_r(when, &tm) == NULL || tm.tm_mday != d ||
	    tm.tm_mon != mo - 1)
		return -1;
	return 0;
}

/* when as "YYYY-MM-DD HH:MM:SS" (sep for the space) into stamp. */
void
utc_format(time_t when, char sep, char stamp[UTC_STAMP_BYTES + 1])
{
	struct tm	tm;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(stamp, UTC_STAMP_BYTES + 1, "%Y-%m-%d %H:%M:%S",
	    &tm) != UTC_STAMP_BYTES)
		memcpy(stamp, "0000-00-00 00:00:00", UTC_STAMP_BYTES + 1);
	stamp[10] = sep;
}
