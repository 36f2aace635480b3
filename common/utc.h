/*
 * Times as chat writes them, in UTC and to the second: the history
 * replay's "YYYY-MM-DD HH:MM:SS" and the event log's "YYYY-MM-DDTHH:MM:SS"
 * (the separator is the only difference).
 */
#ifndef UTC_H
#define UTC_H

#include <stddef.h>
#include <time.h>

#define UTC_STAMP_BYTES	19	/* "YYYY-MM-DD HH:MM:SS" */

int	utc_parse(const char *, size_t, char, time_t *);
void	utc_format(time_t, char, char [UTC_STAMP_BYTES + 1]);

#endif
