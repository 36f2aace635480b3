/*
 * The event log: one line per event, "TIMESTAMP EVENT details", written
 * whole, alone or with the other lines of a batch.  What a kill in the
 * middle of a write kept of a line is taken off the end and logged as a
 * line of its own the next time the log is opened (or, too long for that,
 * ended where it stopped), so every line in the log is whole.
 */
#ifndef LOG_H
#define LOG_H

#include <sys/types.h>

#include <time.h>

#define LOG_LINE_MAX	4096
#define LOG_BATCH_BYTES	(64 * 1024)	/* lines held for log_flush() */
#define LOG_PAGE_BYTES	4096	/* a kill can cut a write at a multiple */
#define LOG_OFF_NONE	((off_t)-1)	/* the log is not a regular file */
#define LOG_OFF_UNKNOWN	((off_t)-2)	/* not looked at yet */

size_t	log_span(const char *, size_t, off_t);

void	log_set_name(const char *);
int	log_open(const char *, char **);
int	log_reopen(char **);
void	log_close(void);
void	log_batch(int);
void	log_flush(void);
time_t	log_last_time(void);
void	log_event(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
