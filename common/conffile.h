/*
 * Configuration files: "key = value" lines, "#" comments and blank
 * lines, read into a list of entries that remember their line, so the
 * program that gives the keys a meaning can say where a bad one is.
 * (Named conffile, not config: "config.h" is autoconf's header.)
 */
#ifndef CONFFILE_H
#define CONFFILE_H

#include <stddef.h>

#define CONFFILE_MAX_BYTES	(64 * 1024)	/* a whole file */
#define CONFFILE_LINE_MAX_BYTES	1024	/* one line, without its newline */
#define CONFFILE_KEY_MAX_BYTES	32

struct conffile_entry {
	char		*key;
	char		*value;
	unsigned int	 line;
};

struct conffile {
	char			*path;
	struct conffile_entry	*entries;
	size_t			 count;
};

int	conffile_parse(struct conffile *, const char *, const char *, size_t,
	    char **);
int	conffile_parse_lists(struct conffile *, const char *, const char *,
	    size_t, const char *const *, char **);
int	conffile_read(struct conffile *, const char *, char **);
int	conffile_read_lists(struct conffile *, const char *,
	    const char *const *, char **);
void	conffile_free(struct conffile *);
int	conffile_next_line(const char **, size_t *, size_t *, char *, size_t,
	    char **);

#endif
