/*
 * Breaking clean UTF-8 text into rows of a given width in terminal cells:
 * wide characters take two cells, combining marks none and stay with the
 * character before them.  A row may break after a space and before and
 * after a wide character, as CJK text has no spaces; a word too long for
 * a row of its own is cut at the width instead, so the row is filled.
 */
#include "config.h"

#include "common/text.h"
#include "tui/tui.h"

/* Bytes and cells of the character at s; invalid bytes count as one each. */
static size_t
wrap_char(const char *s, size_t len, size_t *cells)
{
	uint32_t	cp;
	int		n;

	n = text_decode(s, len, &cp);
	if (n < 0) {
		*cells = 1;
		return (size_t)-n;
	}
	*cells = (size_t)text_cp_width(cp);
	return (size_t)n;
}

/*
 * Whether a row may start at s[i], a character w cells wide, when the
 * last character before it with cells was wide: after a space, and before
 * and after a wide character.  A combining mark never starts a row.
 */
static int
wrap_breaks(const char *s, size_t i, size_t w, int wide)
{
	return i > 0 && w > 0 && (s[i - 1] == ' ' || wide || w == 2);
}

/*
 * Cells of the word at s, up to the next place a row may break or a
 * space; counting stops once past max, which is all the caller asks.
 */
static size_t
wrap_word(const char *s, size_t len, size_t max)
{
	size_t	i = 0, cells = 0, n, w;
	int	wide = 0;

	while (i < len && cells <= max) {
		n = wrap_char(s + i, len - i, &w);
		if (s[i] == ' ' || wrap_breaks(s, i, w, wide))
			break;
		i += n;
		cells += w;
		if (w > 0)
			wide = w == 2;
	}
	return cells;
}

/*
 * The bytes the first row of s takes at width cells; *shown is how many
 * of them to draw.  A row holds at least one character, so a wide
 * character in a one-cell pane still moves on.  When the text goes on, a
 * row ends at the last place it may break (after a space, before or
 * after a wide character) unless the word after that place is wider than
 * width: moving such a word gains nothing, so the row is filled and the
 * word cut at the width.  The space at a break is taken along but not
 * drawn, so no row starts or ends with it; nothing else is dropped.
 */
size_t
wrap_row(const char *s, size_t len, size_t width, size_t *shown)
{
	size_t	i = 0, used = 0, n, w, brk = 0;
	int	wide = 0;

	while (i < len) {
		n = wrap_char(s + i, len - i, &w);
		if (wrap_breaks(s, i, w, wide))
			brk = i;
		if (w > 0 && used + w > width && i > 0)
			break;
		i += n;
		used += w;
		if (w > 0)
			wide = w == 2;
	}
	*shown = i;
	if (i < len && s[i] == ' ')
		return i + 1;
	if (i < len && brk > 0 &&
	    (brk == i || wrap_word(s + brk, len - brk, width) <= width)) {
		*shown = s[brk - 1] == ' ' ? brk - 1 : brk;
		return brk;
	}
	return i;
}

/* Rows s takes at width; an empty line still takes one. */
size_t
wrap_rows(const char *s, size_t len, size_t width)
{
	size_t	rows = 0, n, shown;

	do {
		n = wrap_row(s, len, width, &shown);
		s += n;
		len -= n;
		rows++;
	} while (len > 0);
	return rows;
}

/*
 * Cells before the text of each row in a pane cols wide: the timestamp,
 * stamp cells with its blank, unless that leaves too little for text.
 */
size_t
wrap_indent(size_t cols, size_t stamp)
{
	return cols >= stamp + TEXT_MIN_CELLS ? stamp : 0;
}
