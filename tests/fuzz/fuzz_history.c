/*
 * libFuzzer harness for the server's history reload (server/history.c):
 * every line of the input goes to history_parse(), whose fields must lie
 * inside the line; then the whole input, as a file, is reloaded as an
 * event log read backwards, whose lines must be whole, at most the
 * history's size, and safe to send (tests/fault_safe.c).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fault.h"
#include "server/server.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	path[64];

static void
check_parse(const char *s, size_t len)
{
	struct history_event	ev;

	if (history_parse(s, len, &ev) == -1)
		return;
	if (ev.nick < s || ev.nick + ev.nick_len > s + len ||
	    ev.text < s || ev.text + ev.text_len != s + len ||
	    ev.nick_len == 0 || ev.nick_len > NICK_MAX_BYTES ||
	    ev.text_len == 0 || memchr(ev.nick, ' ', ev.nick_len) != NULL)
		abort();
}

static void
check_load(const uint8_t *data, size_t size, unsigned int cap)
{
	const struct history_line	*l;
	FILE				*f;
	char				*cause = NULL;
	size_t				 i;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	history_resize(cap);
	if (history_load(path, &cause) == -1)
		abort();
	if (history_count() > cap)
		abort();
	for (i = 0; i < history_count(); i++) {
		l = history_line(i);
		if (strlen(l->text) != l->len || l->len > LINE_MAX_BYTES +
		    NICK_MAX_BYTES + 3 || !fault_text_safe(l->text, l->len))
			abort();
	}
	history_free();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *nl, *end = data + size;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/fuzz_history.%ld",
		    (long)getpid());
	if (size < 1)
		return 0;
	for (p = data + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		check_parse((const char *)p, (size_t)(nl - p));
		if (nl == end)
			break;
	}
	check_load(data + 1, size - 1, data[0] % 8);
	unlink(path);
	return 0;
}
