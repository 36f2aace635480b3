/*
 * libFuzzer harness for chat-tui's config file (tui/options.c over
 * common/conffile.c): any bytes either give options that keep the
 * table's promises or fail with "PATH:LINE: reason", LINE within the
 * text; and a file that reads well still reads well, with the new list,
 * once /ignore -save has rewritten its ignore lines.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conffile.h"
#include "common/net.h"
#include "tui/tui.h"

#define FUZZ_PATH	"fuzz.conf"
#define FUZZ_LIST	"alice b[o]b"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned long
count_lines(const uint8_t *data, size_t size)
{
	unsigned long	n = 0;
	size_t		i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size > 0 && data[size - 1] != '\n');
}

static void
check_options(const struct options *o)
{
	struct ignore	ig;

	if (o->host == NULL || *o->host == '\0' || o->port == NULL ||
	    net_parse_port(o->port, 0) == -1 || o->scrollback < 1 ||
	    o->scrollback > SCROLLBACK_MAX_LINES || o->timestamp == NULL ||
	    (*o->timestamp != '\0' && stamp_cells(o->timestamp) == 0) ||
	    options_notify_mode(o->notify) != (int)o->notify_mode ||
	    (o->tls_ca != NULL && o->tls_insecure) ||
	    ((o->tls_ca != NULL || o->tls_insecure) && !o->tls))
		abort();
	if (o->ignore != NULL && ignore_load(&ig, o->ignore) == 0 &&
	    ig.count == 0)
		abort();	/* a list given holds a nickname */
}

static void
check_cause(const char *cause, unsigned long lines)
{
	char		*end;
	unsigned long	 line;

	if (strcmp(cause, FUZZ_PATH ": --tls-ca and --tls-insecure "
	    "contradict each other") == 0)
		return;		/* two lines together, not one */
	if (strncmp(cause, FUZZ_PATH ":", strlen(FUZZ_PATH ":")) != 0)
		abort();
	line = strtoul(cause + strlen(FUZZ_PATH ":"), &end, 10);
	if (line == 0 || line > lines || strncmp(end, ": ", 2) != 0 ||
	    end[2] == '\0')
		abort();
}

/* /ignore -save's rewrite of a good file is a good file, with the list. */
static void
check_rewrite(const uint8_t *data, size_t size)
{
	struct options	 o;
	char		*out, *why;
	size_t		 len;

	out = options_rewrite((const char *)data, size, "ignore", FUZZ_LIST,
	    &len);
	if (options_from_text(&o, FUZZ_PATH, out, len, &why) == -1)
		abort();
	if (o.ignore == NULL || strcmp(o.ignore, FUZZ_LIST) != 0)
		abort();
	options_free(&o);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct options	 o;
	char		*cause;

	if (size > CONFFILE_MAX_BYTES)
		return 0;
	if (options_from_text(&o, FUZZ_PATH, (const char *)data, size,
	    &cause) == 0) {
		check_options(&o);
		options_free(&o);
		check_rewrite(data, size);
	} else {
		check_cause(cause, count_lines(data, size));
		free(cause);
	}
	return 0;
}
