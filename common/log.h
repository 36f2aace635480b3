/*
 * The event log: one line per event, "TIMESTAMP EVENT details", written
 * whole, alone or with the other lines of a batch, in one write(), so a
 * crash or kill never leaves half a line.
 */
#ifndef LOG_H
#define LOG_H

#define LOG_LINE_MAX	4096
#define LOG_BATCH_BYTES	(64 * 1024)	/* lines held for one write() */

void	log_set_name(const char *);
int	log_open(const char *, char **);
int	log_reopen(char **);
void	log_close(void);
void	log_batch(int);
void	log_flush(void);
void	log_event(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
