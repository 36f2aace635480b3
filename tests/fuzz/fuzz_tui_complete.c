/*
 * libFuzzer harness for Tab completion's side of a server's lines
 * (tui/complete.c): each line, cleaned as chat-tui cleans it, is
 * classified and learnt from, the answer to chat-tui's own /who hidden;
 * after each, Tabs complete the word being typed.  The line stays clean
 * UTF-8 within EDITOR_MAX_BYTES, the cursor on a character, and what
 * Tab put in ends at the cursor.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "tests/fault.h"
#include "tui/tui.h"

#define FUZZ_TABS	3	/* Tabs after each line: cycling, too */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *
local_name(size_t i)
{
	return i == 0 ? "quit" : NULL;
}

static void
check_editor(const struct editor *ed, const struct complete *c)
{
	if (ed->len > EDITOR_MAX_BYTES || ed->cursor > ed->len ||
	    ed->buf[ed->len] != '\0' || !fault_text_safe(ed->buf, ed->len))
		abort();
	if (c->cycling && (c->end != ed->cursor || c->start > c->end))
		abort();
}

/* Learn from one line; then Tab a few times on what its first byte says. */
static void
one_line(struct complete *c, struct editor *ed, const char *s, size_t len)
{
	static char	clean[SHOWN_LINE_MAX_BYTES * TEXT_CLEAN_GROWTH + 1];
	static const char *const typed[] = { "", "a", "/", "x y", "/q" };
	struct style	st;
	size_t		n, i;

	n = text_clean(s, len, clean);
	n = text_cut(clean, n, SHOWN_LINE_MAX_BYTES);
	clean[n] = '\0';
	style_classify(clean, n, "me", &st);
	complete_line(c, clean, n, &st);
	if (len > 0 && s[0] == 'W')
		complete_who_sent(c);
	if (len > 0 && s[0] == 'R')
		complete_reset(c);
	complete_end(c);
	ed->len = ed->cursor = 0;
	ed->buf[0] = '\0';
	i = len > 0 ? (unsigned char)s[len - 1] % 5 : 0;
	editor_insert(ed, typed[i], strlen(typed[i]));
	for (i = 0; i < FUZZ_TABS; i++) {
		complete_tab(c, ed, "me");
		check_editor(ed, c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct complete	 c;
	struct editor	 ed;
	const char	*s = (const char *)data, *end = s + size, *nl;

	complete_init(&c);
	c.command_name = local_name;
	editor_init(&ed);
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		one_line(&c, &ed, s, (size_t)(nl - s));
		s = nl + 1;
	}
	if (c.count > COMPLETE_MAX_NICKS)
		abort();
	complete_free(&c);
	editor_free(&ed);
	return 0;
}
