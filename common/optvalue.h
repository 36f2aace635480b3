/*
 * Option values from their text, the same way in chat-server and
 * chat-tui: counts, yes/no flags, and a config file's lines handed to
 * the program's own option table.  Each program keeps its table and its
 * struct options; only the reading of values and the wording of their
 * errors live here, so both say them alike.
 */
#ifndef OPTVALUE_H
#define OPTVALUE_H

struct conffile;

#define OPTVALUE_UNKNOWN	(-2)	/* optvalue_set_fn: no such key */

/*
 * Set key to value in the program's options (ctx); 0, -1 and why, or
 * OPTVALUE_UNKNOWN.
 */
typedef int	(*optvalue_set_fn)(void *, const char *, const char *,
		    char **);

int	optvalue_count(unsigned int *, unsigned int, unsigned int,
	    const char *, const char *, char **);
int	optvalue_flag(int *, const char *, const char *, char **);
int	optvalue_apply_file(const struct conffile *, optvalue_set_fn, void *,
	    char **);

#endif
