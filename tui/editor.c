/*
 * The input line: clean UTF-8 text with a cursor that moves by whole
 * characters (a character and the combining marks after it) and by
 * words, the usual kill commands and a kill buffer to yank back, a
 * history of sent lines, and which part of a line wider than the screen
 * is shown.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/compat.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

void
editor_init(struct editor *ed)
{
	memset(ed, 0, sizeof *ed);
}

void
editor_free(struct editor *ed)
{
	size_t	i;

	for (i = 0; i < ed->hist_count; i++)
		free(ed->history[i]);
	free(ed->draft);
	editor_init(ed);
}

/* Bytes and cells of the character at i. */
static size_t
editor_char(const struct editor *ed, size_t i, int *cells)
{
	uint32_t	cp;
	int		n;

	n = text_decode(ed->buf + i, ed->len - i, &cp);
	if (n < 0) {
		*cells = 1;
		return (size_t)-n;
	}
	*cells = text_cp_width(cp);
	return (size_t)n;
}

/* Where the character cluster after i ends. */
static size_t
editor_next(const struct editor *ed, size_t i)
{
	int	w;

	if (i >= ed->len)
		return ed->len;
	i += editor_char(ed, i, &w);
	while (i < ed->len) {
		size_t n = editor_char(ed, i, &w);

		if (w != 0)
			break;
		i += n;
	}
	return i;
}

/* Where the character cluster before i starts. */
static size_t
editor_prev(const struct editor *ed, size_t i)
{
	int	w;

	while (i > 0) {
		do
			i--;
		while (i > 0 && ((unsigned char)ed->buf[i] & 0xC0) == 0x80);
		editor_char(ed, i, &w);
		if (w != 0)
			break;
	}
	return i;
}

static void
editor_cut(struct editor *ed, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(ed->buf + from, ed->buf + to, ed->len - to);
	ed->len -= to - from;
	ed->buf[ed->len] = '\0';
	if (ed->cursor >= to)
		ed->cursor -= to - from;
	else if (ed->cursor > from)
		ed->cursor = from;
}

/*
 * Insert typed or pasted text at the cursor, cleaned like network text
 * (tabs become spaces, controls go).  What does not fit is dropped:
 * returns -1 then.
 */
int
editor_insert(struct editor *ed, const char *s, size_t len)
{
	char	*clean;
	size_t	 n, room = EDITOR_MAX_BYTES - ed->len;
	int	 fit;

	clean = xmalloc(len * TEXT_CLEAN_GROWTH + 1);
	n = text_clean(s, len, clean);
	fit = n <= room;
	n = text_cut(clean, n, room);
	memmove(ed->buf + ed->cursor + n, ed->buf + ed->cursor,
	    ed->len - ed->cursor);
	memcpy(ed->buf + ed->cursor, clean, n);
	ed->len += n;
	ed->cursor += n;
	ed->buf[ed->len] = '\0';
	free(clean);
	return fit ? 0 : -1;
}

/*
 * Bytes [from, to) replaced by s (clean already), the cursor after it;
 * -1 and nothing changed if the line has no room.
 */
int
editor_replace(struct editor *ed, size_t from, size_t to, const char *s,
    size_t len)
{
	if (to < from || to > ed->len ||
	    ed->len - (to - from) + len > EDITOR_MAX_BYTES)
		return -1;
	editor_cut(ed, from, to);
	ed->cursor = from;
	return editor_insert(ed, s, len);
}

void
editor_left(struct editor *ed)
{
	ed->cursor = editor_prev(ed, ed->cursor);
}

void
editor_right(struct editor *ed)
{
	ed->cursor = editor_next(ed, ed->cursor);
}

void
editor_home(struct editor *ed)
{
	ed->cursor = 0;
}

void
editor_end(struct editor *ed)
{
	ed->cursor = ed->len;
}

void
editor_backspace(struct editor *ed)
{
	editor_cut(ed, editor_prev(ed, ed->cursor), ed->cursor);
}

void
editor_delete(struct editor *ed)
{
	editor_cut(ed, ed->cursor, editor_next(ed, ed->cursor));
}

/* A kill: the text goes, into the kill buffer for Ctrl-Y. */
static void
editor_kill(struct editor *ed, size_t from, size_t to)
{
	if (to <= from)
		return;		/* nothing killed: the last kill stays */
	memcpy(ed->killed, ed->buf + from, to - from);
	ed->killed_len = to - from;
	editor_cut(ed, from, to);
}

void
editor_kill_start(struct editor *ed)
{
	editor_kill(ed, 0, ed->cursor);
}

void
editor_kill_end(struct editor *ed)
{
	editor_kill(ed, ed->cursor, ed->len);
}

/* Ctrl-W: the spaces before the cursor, then the word before them. */
void
editor_kill_word(struct editor *ed)
{
	size_t	i = ed->cursor;

	while (i > 0 && ed->buf[i - 1] == ' ')
		i--;
	while (i > 0 && ed->buf[i - 1] != ' ')
		i = editor_prev(ed, i);
	editor_kill(ed, i, ed->cursor);
}

/*
 * Alt-B, Alt-F and their kills take words as readline does: letters
 * and digits, any character beyond ASCII counting as a letter, so
 * punctuation and spaces separate words.
 */
static int
editor_word_at(const struct editor *ed, size_t i)
{
	unsigned char	c = (unsigned char)ed->buf[i];

	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* The end of the next word after i. */
static size_t
editor_word_next(const struct editor *ed, size_t i)
{
	while (i < ed->len && !editor_word_at(ed, i))
		i = editor_next(ed, i);
	while (i < ed->len && editor_word_at(ed, i))
		i = editor_next(ed, i);
	return i;
}

/* The start of the word before i. */
static size_t
editor_word_prev(const struct editor *ed, size_t i)
{
	while (i > 0 && !editor_word_at(ed, editor_prev(ed, i)))
		i = editor_prev(ed, i);
	while (i > 0 && editor_word_at(ed, editor_prev(ed, i)))
		i = editor_prev(ed, i);
	return i;
}

void
editor_word_left(struct editor *ed)
{
	ed->cursor = editor_word_prev(ed, ed->cursor);
}

void
editor_word_right(struct editor *ed)
{
	ed->cursor = editor_word_next(ed, ed->cursor);
}

/* Alt-D: to the end of the word. */
void
editor_kill_word_next(struct editor *ed)
{
	editor_kill(ed, ed->cursor, editor_word_next(ed, ed->cursor));
}

/* Alt-Backspace: to the start of the word. */
void
editor_kill_word_prev(struct editor *ed)
{
	editor_kill(ed, editor_word_prev(ed, ed->cursor), ed->cursor);
}

/* Ctrl-Y: the last kill back at the cursor; -1 if it does not fit. */
int
editor_yank(struct editor *ed)
{
	if (ed->killed_len == 0)
		return 0;
	return editor_insert(ed, ed->killed, ed->killed_len);
}

/*
 * Ctrl-T, as readline: the character before the cursor moves over the
 * one at it and the cursor after both; at the end of the line the two
 * before the cursor swap.  Characters are whole clusters.
 */
void
editor_transpose(struct editor *ed)
{
	char	tmp[EDITOR_MAX_BYTES];
	size_t	a, b, c;

	if (ed->cursor == 0)
		return;
	b = ed->cursor == ed->len ? editor_prev(ed, ed->len) : ed->cursor;
	if (b == 0)
		return;
	a = editor_prev(ed, b);
	c = editor_next(ed, b);
	memcpy(tmp, ed->buf + b, c - b);
	memcpy(tmp + (c - b), ed->buf + a, b - a);
	memcpy(ed->buf + a, tmp, c - a);
	ed->cursor = c;
}

static void
editor_load(struct editor *ed, const char *s)
{
	ed->len = strlen(s);
	memcpy(ed->buf, s, ed->len + 1);
	ed->cursor = ed->len;
}

/* Up: an older line; the line being typed is kept to come back to. */
void
editor_history_prev(struct editor *ed)
{
	if (ed->hist_pos == 0)
		return;
	if (ed->hist_pos == ed->hist_count) {
		free(ed->draft);
		ed->draft = xstrdup(ed->buf);
	}
	editor_load(ed, ed->history[--ed->hist_pos]);
}

void
editor_history_next(struct editor *ed)
{
	if (ed->hist_pos == ed->hist_count)
		return;
	if (++ed->hist_pos < ed->hist_count) {
		editor_load(ed, ed->history[ed->hist_pos]);
		return;
	}
	editor_load(ed, ed->draft != NULL ? ed->draft : "");
	free(ed->draft);
	ed->draft = NULL;
}

/*
 * Enter: hand out the line (the caller frees it), keep it in the history
 * unless empty or the same as the last, and start a new one.
 */
char *
editor_take(struct editor *ed)
{
	char	*line = xstrdup(ed->buf);

	if (ed->len > 0 && (ed->hist_count == 0 ||
	    strcmp(ed->history[ed->hist_count - 1], line) != 0)) {
		if (ed->hist_count == HISTORY_MAX_LINES) {
			free(ed->history[0]);
			memmove(ed->history, ed->history + 1,
			    (HISTORY_MAX_LINES - 1) * sizeof *ed->history);
			ed->hist_count--;
		}
		ed->history[ed->hist_count++] = xstrdup(line);
	}
	free(ed->draft);
	ed->draft = NULL;
	ed->hist_pos = ed->hist_count;
	ed->len = ed->cursor = ed->scroll = 0;
	ed->buf[0] = '\0';
	return line;
}

/*
 * Enter on a password: hand it out with no trace left behind, neither
 * in the history nor in the buffer's bytes.
 */
char *
editor_take_secret(struct editor *ed)
{
	char	*line = xstrdup(ed->buf);

	explicit_bzero(ed->buf, sizeof ed->buf);
	explicit_bzero(ed->killed, sizeof ed->killed);	/* a piece of it */
	ed->len = ed->cursor = ed->scroll = ed->killed_len = 0;
	free(ed->draft);
	ed->draft = NULL;
	ed->hist_pos = ed->hist_count;
	return line;
}

/*
 * The first cell a field width cells wide shows of a line total cells
 * wide, the cursor at cell cursor, the view starting at cell scroll
 * before: the whole line when it fits (with a cell for the cursor at
 * its end); else the view moves just enough to hold the cursor, and
 * back as far as the end of the line leaves room for, so a line
 * recalled shorter or a wider screen never shows a blank field.
 */
size_t
editor_scroll_cells(size_t scroll, size_t cursor, size_t total,
    size_t width)
{
	size_t	need = total + (cursor >= total);

	if (width == 0 || need <= width)
		return 0;
	if (cursor < scroll)
		scroll = cursor;
	else if (cursor >= scroll + width)
		scroll = cursor - width + 1;
	if (scroll + width > need)
		scroll = need - width;
	return scroll;
}

/*
 * What a field width cells wide shows: bytes [*off, *off + *len) and the
 * cursor at cell *col.  The view scrolls as editor_scroll_cells() says,
 * and always starts on a whole character.
 */
void
editor_layout(struct editor *ed, size_t width, size_t *off, size_t *len,
    size_t *col)
{
	size_t	c = text_width(ed->buf, ed->cursor), i = 0, p = 0, n, used;
	int	w;

	*off = *len = *col = 0;
	if (width == 0)
		return;
	ed->scroll = editor_scroll_cells(ed->scroll, c,
	    text_width(ed->buf, ed->len), width);
	for (; i < ed->len; i += n, p += (size_t)w) {
		n = editor_char(ed, i, &w);
		if (p >= ed->scroll && w > 0)
			break;
	}
	if (i >= ed->len && p < ed->scroll)
		p = ed->scroll;
	ed->scroll = p;
	*off = i;
	for (used = 0; i < ed->len; i += n, used += (size_t)w) {
		n = editor_char(ed, i, &w);
		if (used + (size_t)w > width)
			break;
	}
	*len = i - *off;
	*col = c - ed->scroll;
}
