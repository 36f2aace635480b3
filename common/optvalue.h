/*
 * Option values from their text, the same way in chat-server and
 * chat-tui: counts, yes/no flags, and a config file's lines handed to
 * the program's own option table.  Each program keeps its table and its
 * struct options; only the reading of values and the wording of their
 * errors live here, so both say them alike.
 */
#ifndef OPTVALUE_H
#define OPTVALUE_H

#include <stddef.h>

struct conffile;
struct option;

#define OPTVALUE_UNKNOWN	(-2)	/* optvalue_set_fn: no such key */
#define OPTVALUE_LONG_FIRST	256	/* getopt_long value of row 0 */

/* Row of a program's table as getopt_long needs it. */
struct optvalue_key {
	const char	*name;
	int		 letter;	/* -l, or 0 */
	int		 has_arg;	/* no_argument or required_argument */
};

/* Fill in the key of the table's row (the size_t). */
typedef void	(*optvalue_key_fn)(size_t, struct optvalue_key *);

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
void	optvalue_getopt(struct option *, char *, size_t, optvalue_key_fn);
int	optvalue_row(int, size_t, optvalue_key_fn);

#endif
