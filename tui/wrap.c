/*
 * Breaking clean UTF-8 text into rows of a given width in terminal cells:
 * wide characters take two cells, combining marks none and stay with the
 * character before them; rows break after a space where one is in reach.
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
 * The bytes the first row of s takes at width cells; *shown is how many
 * of them to draw.  A row holds at least one character, so a wide
 * character in a one-cell pane still moves on.  When the text goes on, a
 * row ends at the last space that fits; the space at a break is taken
 * along but not drawn, so no row starts or ends with it.
 */
size_t
wrap_row(const char *s, size_t len, size_t width, size_t *shown)
{
	size_t	i = 0, used = 0, n, w, space = 0;

	while (i < len) {
		n = wrap_char(s + i, len - i, &w);
		if (used + w > width && i > 0)
			break;
		i += n;
		used += w;
		if (s[i - n] == ' ')
			space = i;
	}
	*shown = i;
	if (i < len && s[i] == ' ')
		i++;
	else if (i < len && space > 0) {
		i = space;
		*shown = space - 1;
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

/* Cells before the text of each row in a pane cols wide (the timestamp). */
size_t
wrap_indent(size_t cols)
{
	return cols >= STAMP_CELLS + TEXT_MIN_CELLS ? STAMP_CELLS : 0;
}
