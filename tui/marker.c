/*
 * The read marker: where reading stopped.  The user reads while the pane
 * is at the bottom, the terminal has the focus (as far as it reports
 * focus) and a key came within MARKER_IDLE_SEC.  The first line that
 * arrives while not reading is marked, and a separator row is drawn
 * above it; the count of lines since is the unread count of the title.
 * The marker stays until the next time reading stops and a line comes.
 */
#include "config.h"

#include <string.h>

#include "tui/tui.h"

void
marker_init(struct marker *m, time_t now)
{
	memset(m, 0, sizeof *m);
	m->armed = 1;
	m->input = now;
}

int
marker_reading(const struct marker *m, const struct scrollback *sb,
    time_t now)
{
	return !m->away && sb->scroll == 0 && now - m->input < MARKER_IDLE_SEC;
}

/* The newest line of sb just came from the server. */
void
marker_line(struct marker *m, const struct scrollback *sb, time_t now)
{
	if (sb->count == 0 || marker_reading(m, sb, now))
		return;
	m->unread++;
	if (!m->armed)
		return;
	m->armed = 0;
	m->set = 1;
	m->seq = sb->pushed - 1;
}

/* Once a pass: while the user reads, what came is read. */
void
marker_tick(struct marker *m, const struct scrollback *sb, time_t now)
{
	if (!marker_reading(m, sb, now))
		return;
	m->unread = 0;
	m->armed = 1;
}

/*
 * Put the marker's row (line NULL) into the n rows of a pane of height
 * rows, above the first row of the marked line: the rows above it move
 * up one, or, with room to spare, the rows below move down.  Returns the
 * rows now shown.  A marked line at the top of a full pane, or one no
 * longer shown, gets no row.
 */
size_t
marker_place(const struct marker *m, const struct scrollback *sb,
    struct view_row *rows, size_t n, size_t height)
{
	size_t	i;

	if (!m->set)
		return n;
	for (i = 0; i < n; i++)
		if (rows[i].first && rows[i].line != NULL &&
		    scrollback_seq(sb, rows[i].line) == m->seq)
			break;
	if (i == n || (i == 0 && n == height) || height == 0)
		return n;
	if (n < height) {
		memmove(rows + i + 1, rows + i, (n - i) * sizeof *rows);
		n++;
	} else {
		memmove(rows, rows + 1, (i - 1) * sizeof *rows);
		i--;
	}
	memset(&rows[i], 0, sizeof rows[i]);
	return n;
}
