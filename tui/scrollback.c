/*
 * The message history: a ring of at most cap lines (the oldest goes when
 * a new one comes), the scroll position in rows above the bottom, and the
 * layout of the rows a pane of a given size shows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "tui/tui.h"

void
scrollback_init(struct scrollback *sb, size_t cap)
{
	memset(sb, 0, sizeof *sb);
	sb->cap = cap > 0 ? cap : 1;
	sb->lines = xcalloc(sb->cap, sizeof *sb->lines);
}

void
scrollback_clear(struct scrollback *sb)
{
	size_t	i;

	for (i = 0; i < sb->count; i++)
		free(sb->lines[(sb->first + i) % sb->cap].text);
	sb->first = sb->count = 0;
	sb->scroll = sb->unread = 0;
}

void
scrollback_free(struct scrollback *sb)
{
	scrollback_clear(sb);
	free(sb->lines);
	sb->lines = NULL;
}

/* Line i, 0 the oldest; NULL past the newest. */
const struct sb_line *
scrollback_line(const struct scrollback *sb, size_t i)
{
	if (i >= sb->count)
		return NULL;
	return &sb->lines[(sb->first + i) % sb->cap];
}

static size_t
scrollback_rows(struct sb_line *l, size_t width)
{
	if (l->rows == 0 || l->rows_width != width) {
		l->rows = wrap_rows(l->text, l->len, width);
		l->rows_width = width;
	}
	return l->rows;
}

/*
 * Add a line.  While scrolled up the view stays where it is: the scroll
 * grows by the rows the new line takes, and the line counts as unread.
 */
void
scrollback_push(struct scrollback *sb, const char *text, size_t len,
    time_t when, const struct style *st)
{
	struct sb_line	*l;

	if (sb->count == sb->cap) {
		free(sb->lines[sb->first].text);
		sb->first = (sb->first + 1) % sb->cap;
		sb->count--;
	}
	l = &sb->lines[(sb->first + sb->count) % sb->cap];
	memset(l, 0, sizeof *l);
	l->text = xmalloc(len + 1);
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	l->len = len;
	l->time = when;
	l->style = *st;
	sb->count++;
	sb->pushed++;
	if (sb->scroll > 0) {
		if (sb->width > 0)
			sb->scroll += scrollback_rows(l, sb->width);
		sb->unread++;
	}
}

/* Rows of all lines at the width of the last layout. */
static size_t
scrollback_total(struct scrollback *sb)
{
	size_t	i, total = 0;

	for (i = 0; i < sb->count; i++)
		total += scrollback_rows(&sb->lines[(sb->first + i) % sb->cap],
		    sb->width);
	return total;
}

/*
 * Move the view up (rows > 0) or down, no further than the oldest row
 * at the top of the pane of the last layout.
 */
void
scrollback_scroll(struct scrollback *sb, long rows)
{
	size_t	total, top;

	if (rows < 0 && (size_t)-rows >= sb->scroll) {
		scrollback_bottom(sb);
		return;
	}
	sb->scroll = (size_t)((long)sb->scroll + rows);
	if (sb->width == 0)
		return;
	total = scrollback_total(sb);
	top = total > sb->height ? total - sb->height : 0;
	if (sb->scroll >= top) {
		sb->scroll = top;
		if (top == 0)
			sb->unread = 0;
	}
}

void
scrollback_bottom(struct scrollback *sb)
{
	sb->scroll = 0;
	sb->unread = 0;
}

/*
 * Put the rows of line l numbered [from, to) into out[at...].  Rows are
 * found by wrapping from the start, as a line knows only its row count.
 */
static void
scrollback_place(struct sb_line *l, size_t width, size_t from, size_t to,
    struct view_row *out)
{
	size_t	off = 0, row, n, shown;

	for (row = 0; row < to; row++) {
		n = wrap_row(l->text + off, l->len - off, width, &shown);
		if (row >= from) {
			out->line = l;
			out->off = off;
			out->len = shown;
			out->first = row == 0;
			out++;
		}
		off += n;
	}
}

/*
 * Fill out with the rows a pane of height rows and width cells shows,
 * top to bottom, the last one scroll rows above the newest row; returns
 * how many (fewer than height when there is not enough history).  A
 * scroll past the oldest row is pulled back so the pane stays full.
 */
size_t
scrollback_layout(struct scrollback *sb, size_t width, size_t height,
    struct view_row *out)
{
	struct sb_line	*l;
	size_t		 i, skip, rows, need, got = 0, total = 0, vis;

	sb->width = width;
	sb->height = height;
	if (height == 0 || width == 0)
		return 0;
	skip = sb->scroll;
	for (i = sb->count; i > 0 && got < height; i--) {
		l = &sb->lines[(sb->first + i - 1) % sb->cap];
		rows = scrollback_rows(l, width);
		total += rows;
		if (skip >= rows) {
			skip -= rows;
			continue;
		}
		vis = rows - skip;
		need = height - got;
		if (vis > need) {
			scrollback_place(l, width, vis - need, vis,
			    out + height - got - need);
			got += need;
		} else {
			scrollback_place(l, width, 0, vis,
			    out + height - got - vis);
			got += vis;
		}
		skip = 0;
	}
	if (got < height && sb->scroll > 0) {
		sb->scroll = total > height ? total - height : 0;
		if (sb->scroll == 0)
			sb->unread = 0;
		return scrollback_layout(sb, width, height, out);
	}
	memmove(out, out + height - got, got * sizeof *out);
	return got;
}

/*
 * A line's sequence number: lines keep theirs while older ones leave the
 * ring, so a search match or the read marker can hold on to a line.
 */
size_t
scrollback_seq(const struct scrollback *sb, const struct sb_line *l)
{
	size_t	slot = (size_t)(l - sb->lines);

	return sb->pushed - sb->count + (slot + sb->cap - sb->first) % sb->cap;
}

/* The index of the line numbered seq: 0 and *i set, or -1 if it is gone. */
int
scrollback_find_seq(const struct scrollback *sb, size_t seq, size_t *i)
{
	if (seq >= sb->pushed || seq < sb->pushed - sb->count)
		return -1;
	*i = seq - (sb->pushed - sb->count);
	return 0;
}

/*
 * Scroll so line i shows: its last row at the bottom of the pane, or,
 * with at_top, its first row on the pane's second row (the first is the
 * read marker's).  Before any layout, a line counts as one row.
 */
void
scrollback_show(struct scrollback *sb, size_t i, int at_top)
{
	size_t	j, after = 0, rows;

	if (i >= sb->count)
		return;
	for (j = sb->count - 1; j > i; j--)
		after += sb->width > 0 ? scrollback_rows(&sb->lines[(sb->first +
		    j) % sb->cap], sb->width) : 1;
	rows = sb->width > 0 ? scrollback_rows(&sb->lines[(sb->first + i) %
	    sb->cap], sb->width) : 1;
	if (!at_top)
		sb->scroll = after;
	else
		sb->scroll = after + rows + 1 > sb->height ?
		    after + rows + 1 - sb->height : 0;
	if (sb->scroll == 0)
		sb->unread = 0;
}
