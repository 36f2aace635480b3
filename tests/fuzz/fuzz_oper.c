/*
 * libFuzzer harness for the oper file parser (server/oper.c).  Checked:
 * a file taken holds at most OPER_MAX_COUNT operators; a file refused
 * names "fuzz:LINE:" with a line it has, and leaves the operators as
 * they were.  Passwords are not checked here: crypt(3) with a hash the
 * fuzzer wrote could be asked for any amount of work, and the parser
 * is what stands between the file and it.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

#define FUZZ_TEXT_MAX	(128 * 1024)
#define FUZZ_KEEP	"keep $6$salt$hash\n"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What server/main.c provides to the rest of the server. */
static struct options	 fuzz_opts;
const struct options	*opts = &fuzz_opts;
volatile sig_atomic_t	 sig_term, sig_hup;

void
fatal(const char *fmt, ...)
{
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*text = (const char *)data;
	char		*cause, *end;
	size_t		 lines = 1, i;
	unsigned long	 line;

	if (size > FUZZ_TEXT_MAX)
		return 0;
	if (oper_parse(FUZZ_KEEP, strlen(FUZZ_KEEP), "keep", &cause) == -1 ||
	    oper_count() != 1)
		abort();
	for (i = 0; i < size; i++)
		lines += text[i] == '\n';
	if (oper_parse(text, size, "fuzz", &cause) == 0) {
		if (oper_count() > OPER_MAX_COUNT)
			abort();
		oper_free();
		return 0;
	}
	if (strncmp(cause, "fuzz:", 5) != 0)
		abort();
	line = strtoul(cause + 5, &end, 10);
	if (*end != ':' || line < 1 || line > lines)
		abort();
	free(cause);
	if (oper_count() != 1)
		abort();
	oper_free();
	return 0;
}
