/*
 * Usage errors for the programs' option parsers: one line naming what
 * was wrong, a hint to --help, and exit status 2.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/usage.h"

static const char	*usage_name = "chat";

/* The program name that starts every message. */
void
usage_set_name(const char *name)
{
	usage_name = name;
}

void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", usage_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n",
	    usage_name);
	exit(USAGE_EXIT);
}

/*
 * What getopt_long() (with ':' first in its option string, so it says
 * nothing itself) returned for a bad option, ch ':' or '?', in words.
 */
void
usage_bad_option(int ch, char *const *argv)
{
	if (ch == ':')
		usage_error("option %s needs an argument", argv[optind - 1]);
	if (optopt != 0)
		usage_error("unknown option -%c", optopt);
	usage_error("unknown option %s", argv[optind - 1]);
}
