/*
 * libFuzzer harness for the configuration file parser (common/conffile.c):
 * any bytes either parse into entries that keep the promises of the
 * format or fail with "PATH:LINE: reason", LINE within the text.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conffile.h"
#include "tests/fault.h"

#define FUZZ_PATH	"fuzz.conf"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* How many lines the text has, the last one without its newline too. */
static unsigned long
count_lines(const uint8_t *data, size_t size)
{
	unsigned long	n = 0;
	size_t		i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size > 0 && data[size - 1] != '\n');
}

static int
key_ok(const char *key)
{
	size_t	len = strlen(key);

	return len > 0 && len <= CONFFILE_KEY_MAX_BYTES &&
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_") == len;
}

/*
 * Only UTF-8 without controls (a tab aside) reaches a value, by the
 * fault suite's checker, written apart from common/text.c.
 */
static int
value_ok(const char *value)
{
	char	copy[CONFFILE_LINE_MAX_BYTES + 1];
	size_t	len = strlen(value), i;

	if (len > CONFFILE_LINE_MAX_BYTES)
		return 0;
	for (i = 0; i < len; i++)
		copy[i] = value[i] == '\t' ? ' ' : value[i];
	return fault_text_safe(copy, len);
}

static void
check_entries(const struct conffile *cf, unsigned long lines)
{
	size_t	i, j;

	for (i = 0; i < cf->count; i++) {
		if (!key_ok(cf->entries[i].key) ||
		    !value_ok(cf->entries[i].value) ||
		    cf->entries[i].line == 0 || cf->entries[i].line > lines)
			abort();
		if (i > 0 && cf->entries[i].line <= cf->entries[i - 1].line)
			abort();	/* one setting a line, in order */
		for (j = 0; j < i; j++) {
			if (strcmp(cf->entries[i].key, cf->entries[j].key) == 0)
				abort();	/* duplicates are errors */
		}
	}
}

static void
check_cause(const char *cause, unsigned long lines)
{
	char		*end;
	unsigned long	 line;

	if (strncmp(cause, FUZZ_PATH ":", strlen(FUZZ_PATH ":")) != 0)
		abort();
	line = strtoul(cause + strlen(FUZZ_PATH ":"), &end, 10);
	if (line == 0 || line > lines || strncmp(end, ": ", 2) != 0 ||
	    end[2] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conffile	 cf;
	char		*cause;
	unsigned long	 lines = count_lines(data, size);

	if (size > CONFFILE_MAX_BYTES)
		return 0;
	if (conffile_parse(&cf, FUZZ_PATH, (const char *)data, size,
	    &cause) == 0)
		check_entries(&cf, lines);
	else {
		check_cause(cause, lines);
		free(cause);
	}
	conffile_free(&cf);
	return 0;
}
