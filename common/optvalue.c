/*
 * Option values from their text, shared by chat-server's and chat-tui's
 * option tables (server/options.c, tui/options.c): the errors they give
 * for a bad count, flag or file line are worded here once.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/conffile.h"
#include "common/optvalue.h"
#include "common/xmalloc.h"

/* A count in min..max, in decimal digits only; label names it in why. */
int
optvalue_count(unsigned int *field, unsigned int min, unsigned int max,
    const char *label, const char *value, char **why)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		*why = xasprintf("invalid %s \"%s\" (expected %u to %u)",
		    label, value, min, max);
		return -1;
	}
	*field = (unsigned int)v;
	return 0;
}

/* A flag: given alone on the command line, "yes" or "no" in the file. */
int
optvalue_flag(int *field, const char *label, const char *value, char **why)
{
	if (value == NULL || strcmp(value, "yes") == 0)
		*field = 1;
	else if (strcmp(value, "no") == 0)
		*field = 0;
	else {
		*why = xasprintf("invalid %s \"%s\" (expected yes or no)",
		    label, value);
		return -1;
	}
	return 0;
}

/*
 * Each line of the file through set, in order; an unknown key is an
 * error too.  why says "FILE:LINE: reason".
 */
int
optvalue_apply_file(const struct conffile *cf, optvalue_set_fn set,
    void *ctx, char **why)
{
	const struct conffile_entry	*e;
	char				*reason;
	size_t				 i;
	int				 rc;

	for (i = 0; i < cf->count; i++) {
		e = &cf->entries[i];
		rc = set(ctx, e->key, e->value, &reason);
		if (rc == OPTVALUE_UNKNOWN) {
			*why = xasprintf("%s:%u: unknown option \"%s\"",
			    cf->path, e->line, e->key);
			return -1;
		}
		if (rc == -1) {
			*why = xasprintf("%s:%u: %s", cf->path, e->line,
			    reason);
			free(reason);
			return -1;
		}
	}
	return 0;
}

/*
 * The getopt_long tables for a table of count rows: longopts has room
 * for count + 1, shortopts for count * 2 + 2.  A row without a letter
 * gets OPTVALUE_LONG_FIRST + its index as its value.
 */
void
optvalue_getopt(struct option *longopts, char *shortopts, size_t count,
    optvalue_key_fn key)
{
	struct optvalue_key	k;
	size_t			i;

	*shortopts++ = ':';	/* our message, with the hint */
	for (i = 0; i < count; i++) {
		key(i, &k);
		longopts[i].name = k.name;
		longopts[i].has_arg = k.has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = k.letter != 0 ? k.letter :
		    OPTVALUE_LONG_FIRST + (int)i;
		if (k.letter != 0) {
			*shortopts++ = (char)k.letter;
			if (k.has_arg == required_argument)
				*shortopts++ = ':';
		}
	}
	memset(&longopts[i], 0, sizeof longopts[i]);
	*shortopts = '\0';
}

/* The row getopt_long's val stands for, or -1. */
int
optvalue_row(int val, size_t count, optvalue_key_fn key)
{
	struct optvalue_key	k;
	size_t			i;

	if (val >= OPTVALUE_LONG_FIRST &&
	    (size_t)(val - OPTVALUE_LONG_FIRST) < count)
		return val - OPTVALUE_LONG_FIRST;
	for (i = 0; i < count; i++) {
		key(i, &k);
		if (k.letter != 0 && k.letter == val)
			return (int)i;
	}
	return -1;
}
