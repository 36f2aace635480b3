/*
 * libFuzzer harness for what chat-tui does with a server's lines: clean,
 * classify (tui/style.c), follow our nickname, keep in the scrollback
 * and wrap into rows (tui/scrollback.c, tui/wrap.c).  Every span handed
 * to the screen must lie inside its line, every row fit the pane unless
 * one character is wider than it, and scrolling stay in range.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "tests/fault.h"
#include "tui/tui.h"

#define FUZZ_HEIGHT_MAX	48

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Each row of one line: progress, inside the line, no wider than width. */
static void
check_wrap(const char *s, size_t len, size_t width)
{
	size_t	n, shown, rows = 0, left = len;

	do {
		n = wrap_row(s, left, width, &shown);
		if ((n == 0 && left > 0) || n > left || shown > n)
			abort();
		if (text_width(s, shown) > width &&
		    text_decode(s, shown, &(uint32_t){ 0 }) != (int)shown)
			abort();	/* too wide, and not one wide char */
		s += n;
		left -= n;
		rows++;
	} while (left > 0);
	if (rows != wrap_rows(s - len, len, width))
		abort();
}

static void
check_layout(struct scrollback *sb, size_t width, size_t height,
    struct view_row *rows)
{
	size_t	got, i;

	got = scrollback_layout(sb, width, height, rows);
	if (got > height)
		abort();
	for (i = 0; i < got; i++) {
		if (rows[i].line == NULL ||
		    rows[i].off + rows[i].len > rows[i].line->len)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct view_row	 rows[FUZZ_HEIGHT_MAX];
	struct scrollback sb;
	struct style	 st;
	char		 nick[NICK_MAX_BYTES + 1] = "me", *clean;
	const uint8_t	*p, *nl, *end;
	size_t		 width, height, n;

	if (size < 3)
		return 0;
	width = 1 + data[0] % 200;
	height = 1 + data[1] % FUZZ_HEIGHT_MAX;
	scrollback_init(&sb, 1 + data[2] % 16);
	end = data + size;
	clean = malloc(size * TEXT_CLEAN_GROWTH + 1);
	for (p = data + 3; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = text_clean((const char *)p, (size_t)(nl - p), clean);
		style_classify(clean, n, nick, &st);
		if (st.nick_off + st.nick_len > n ||
		    (unsigned)st.kind > LINE_LOCAL)
			abort();
		style_track_nick(clean, n, nick, sizeof nick, size % 2);
		if (strlen(nick) > NICK_MAX_BYTES)
			abort();
		check_wrap(clean, n, width);
		scrollback_push(&sb, clean, n, 0, &st);
		/* Some lines scroll the pane by their first byte. */
		if (n > 0 && (clean[0] & 0x7) == 0)
			scrollback_scroll(&sb, (signed char)p[0]);
		check_layout(&sb, width, height, rows);
		if (nl == end)
			break;
	}
	scrollback_bottom(&sb);
	check_layout(&sb, width, height, rows);
	free(clean);
	scrollback_free(&sb);
	return 0;
}
