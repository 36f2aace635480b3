/*
 * The only file that talks to curses: it draws what the models say (the
 * rows scrollback_layout() picks, the status text, the part of the input
 * line editor_layout() shows) and turns curses keys into struct key.
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <sys/ioctl.h>

#include <curses.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/text.h"
#include "common/xmalloc.h"
#include "tui/tui.h"

#include <term.h>	/* last: its macros (lines, bell...) would clash */

#define ESC_DELAY_MS	25

/* Nick colours come from style_nick_palette(), by the terminal's COLORS. */
enum {
	PAIR_NICK = 1,		/* .. PAIR_NICK + STYLE_NICK_COLOURS_MAX - 1 */
	PAIR_ERROR = PAIR_NICK + STYLE_NICK_COLOURS_MAX,
	PAIR_MENTION,
	PAIR_LOCAL,
	PAIR_PRIVATE
};

/* Focus reports (mode 1004), and the keys they and Alt-letter come as. */
#define FOCUS_ON	"\033[?1004h"
#define FOCUS_OFF	"\033[?1004l"
#define KEY_FOCUS_IN	(KEY_MAX + 1)
#define KEY_FOCUS_OUT	(KEY_MAX + 2)
#define KEY_ALT_BASE	(KEY_MAX + 3)	/* + 'a' .. 'z' */
/* The xterm title stack: push the title on start, pop it on exit. */
#define TITLE_PUSH	"\033[22;0t"
#define TITLE_POP	"\033[23;0t"
#define TITLE_OSC	"\033]2;"
#define TITLE_OSC_END	"\007"

static int		 screen_active;
static int		 screen_colour;
static size_t		 screen_nick_colours;
static enum title_how	 screen_title;
static char		 screen_title_shown[TITLE_MAX_BYTES];
static struct view_row	*screen_rows;
static size_t		 screen_rows_size;

/* exit() from anywhere (out of memory, say) still gives the terminal back. */
static void
screen_atexit(void)
{
	screen_end();
}

/*
 * Whether the terminal can be driven, asked before connecting, so a bad
 * TERM fails before the room sees us join: -1, the reason in *cause.
 * 1 (and why) for a terminal without cursor addressing, such as
 * TERM=dumb: it can have the plain line mode only.
 */
int
screen_usable(char **cause)
{
	char	*cup;
	int	 error;

	if (setupterm(NULL, STDOUT_FILENO, &error) == OK) {
		cup = tigetstr("cup");
		del_curterm(cur_term);
		if (cup == NULL || cup == (char *)-1) {
			*cause = xasprintf("terminal type \"%s\" cannot move "
			    "the cursor", getenv("TERM") != NULL ?
			    getenv("TERM") : "");
			return 1;
		}
		return 0;
	}
	*cause = xasprintf("cannot use terminal type \"%s\"",
	    getenv("TERM") != NULL ? getenv("TERM") : "");
	return -1;
}

/*
 * How long a lone ESC waits for the rest of a key: set_escdelay() is an
 * ncurses extension; elsewhere the ESCDELAY variable, read when curses
 * starts, says it (unless the user already set it).
 */
static void
screen_escdelay_env(void)
{
#ifndef HAVE_SET_ESCDELAY
	char	ms[16];

	snprintf(ms, sizeof ms, "%d", ESC_DELAY_MS);
	setenv("ESCDELAY", ms, 0);
#endif
}

/*
 * Colour pairs over the terminal's own background need
 * use_default_colors() (an ncurses extension): without it, a pair's
 * background would have to be a fixed colour, so the screen stays in
 * bold and reverse alone.
 */
static int
screen_default_colours(void)
{
#ifdef HAVE_USE_DEFAULT_COLORS
	return has_colors() && start_color() == OK &&
	    use_default_colors() == OK;
#else
	return 0;
#endif
}

/* Write escapes straight to the terminal, between curses' refreshes. */
static void
screen_write(const char *s, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, s, len)) <= 0)
			return;		/* a lost title is no reason to stop */
		s += n;
		len -= (size_t)n;
	}
}

static void
screen_puts(const char *s)
{
	screen_write(s, strlen(s));
}

/* Set the title the way the terminal takes it (title.c chose). */
static void
screen_set_title(const char *text)
{
	char	*tsl;

	if (screen_title == TITLE_TERMINFO &&
	    (tsl = tiparm(tigetstr("tsl"), 0)) != NULL) {
		screen_puts(tsl);
		screen_puts(text);
		screen_puts(tigetstr("fsl"));
	} else if (screen_title == TITLE_XTERM) {
		screen_puts(TITLE_OSC);
		screen_puts(text);
		screen_puts(TITLE_OSC_END);
	}
}

static int
screen_has_tsl(void)
{
	char	*tsl = tigetstr("tsl"), *fsl = tigetstr("fsl");

	return tigetflag("hs") > 0 && tsl != NULL && tsl != (char *)-1 &&
	    fsl != NULL && fsl != (char *)-1;
}

/*
 * Ask for focus reports and the Alt keys; keep the terminal's title to
 * give it back on exit.
 */
static void
screen_init_terminal(void)
{
	char	seq[4];
	int	c;

	define_key("\033[I", KEY_FOCUS_IN);
	define_key("\033[O", KEY_FOCUS_OUT);
	for (c = 'a'; c <= 'z'; c++) {
		snprintf(seq, sizeof seq, "\033%c", c);
		define_key(seq, KEY_ALT_BASE + c);
	}
	screen_puts(FOCUS_ON);
	screen_title = title_how(screen_has_tsl(), getenv("TERM"));
	if (screen_title != TITLE_NONE)
		screen_puts(TITLE_PUSH);
}

static void
screen_init_colours(void)
{
	const short	*palette;
	short		 i;

	screen_nick_colours = style_nick_palette(COLORS, &palette);
	for (i = 0; i < (short)screen_nick_colours; i++)
		init_pair((short)(PAIR_NICK + i), palette[i], -1);
	init_pair(PAIR_ERROR, COLOR_RED, -1);
	init_pair(PAIR_MENTION, COLOR_YELLOW, -1);
	init_pair(PAIR_LOCAL, COLOR_CYAN, -1);
	init_pair(PAIR_PRIVATE, COLOR_MAGENTA, -1);
	screen_colour = 1;
}

void
screen_init(int colour)
{

	screen_escdelay_env();
	if (newterm(NULL, stdout, stdin) == NULL)
		errx(1, "cannot use terminal type \"%s\"",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
	screen_active = 1;
	atexit(screen_atexit);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
#ifdef HAVE_SET_ESCDELAY
	set_escdelay(ESC_DELAY_MS);
#endif
	/* (A terminal with too few colour pairs for ours gets none.) */
	if (colour && screen_default_colours() && COLOR_PAIRS > PAIR_PRIVATE)
		screen_init_colours();
	screen_init_terminal();
}

void
screen_end(void)
{
	if (!screen_active)
		return;
	screen_active = 0;
	endwin();
	screen_puts(FOCUS_OFF);
	/* Where the stack is not kept, the title is at least not ours. */
	if (screen_title != TITLE_NONE) {
		screen_set_title("");
		screen_puts(TITLE_POP);
	}
}

/* SIGWINCH: take the new size; the next draw lays everything out again. */
void
screen_resize(void)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
#ifdef HAVE_RESIZETERM
		resizeterm(ws.ws_row, ws.ws_col);
#else
		/* X/Open curses reads the size again when it resumes. */
		endwin();
		refresh();
#endif
	}
}

static const struct {
	int		 curses;
	enum keyc	 code;
} screen_keys[] = {
	{ KEY_LEFT, KEYC_LEFT },
	{ KEY_RIGHT, KEYC_RIGHT },
	{ KEY_UP, KEYC_UP },
	{ KEY_DOWN, KEYC_DOWN },
	{ KEY_HOME, KEYC_HOME },
	{ KEY_END, KEYC_END },
	{ KEY_BACKSPACE, KEYC_BACKSPACE },
	{ KEY_DC, KEYC_DELETE },
	{ KEY_PPAGE, KEYC_PPAGE },
	{ KEY_NPAGE, KEYC_NPAGE },
	{ KEY_SR, KEYC_SUP },
	{ KEY_SF, KEYC_SDOWN },
	{ KEY_ENTER, KEYC_ENTER },
	{ KEY_RESIZE, KEYC_RESIZE },
};

/* The next key typed, if any: 1 and *k filled, or 0. */
int
screen_key(struct key *k)
{
	wint_t	wc;
	size_t	i;

	for (;;) {
		switch (wget_wch(stdscr, &wc)) {
		case OK:
			k->code = KEYC_CHAR;
			k->cp = (uint32_t)wc;
			return 1;
		case KEY_CODE_YES:
			k->cp = 0;
			if (wc >= KEY_ALT_BASE + 'a' &&
			    wc <= KEY_ALT_BASE + 'z') {
				k->code = KEYC_ALT;
				k->cp = (uint32_t)(wc - KEY_ALT_BASE);
				return 1;
			}
			if (wc == KEY_FOCUS_IN || wc == KEY_FOCUS_OUT) {
				k->code = wc == KEY_FOCUS_IN ? KEYC_FOCUS_IN :
				    KEYC_FOCUS_OUT;
				return 1;
			}
			for (i = 0; i < sizeof screen_keys /
			    sizeof screen_keys[0]; i++) {
				if (screen_keys[i].curses == (int)wc) {
					k->code = screen_keys[i].code;
					k->cp = 0;
					return 1;
				}
			}
			continue;	/* a key we have no use for */
		default:
			return 0;
		}
	}
}

static attr_t
screen_pair(short pair, attr_t fallback)
{
	return screen_colour ? COLOR_PAIR(pair) : fallback;
}

/*
 * How a line is drawn, nick aside.  Private lines look alike whichever
 * way they go (underlined without colour), and one to us is bold.
 */
static attr_t
screen_line_attr(const struct style *st)
{
	if (st->flags & STYLE_REPLAY)	/* earlier lines, from the server */
		return A_DIM;
	if (st->kind == LINE_PRIVATE)
		return (st->flags & STYLE_OWN ? A_NORMAL : A_BOLD) |
		    screen_pair(PAIR_PRIVATE, A_UNDERLINE);
	if (st->flags & STYLE_MENTION)
		return A_BOLD | screen_pair(PAIR_MENTION, A_REVERSE);
	if (st->flags & STYLE_OWN)
		return A_BOLD;
	switch (st->kind) {
	case LINE_NOTICE:
		return A_DIM;
	case LINE_ERROR:
		return screen_pair(PAIR_ERROR, A_BOLD);
	case LINE_LOCAL:
		return screen_pair(PAIR_LOCAL, A_DIM);
	default:
		return A_NORMAL;
	}
}

static attr_t
screen_nick_attr(const struct sb_line *l)
{
	unsigned int	c;

	c = style_nick_colour(l->text + l->style.nick_off, l->style.nick_len,
	    (unsigned int)screen_nick_colours);
	return A_BOLD | screen_pair((short)(PAIR_NICK + c), A_NORMAL);
}

static void
screen_span(const char *s, size_t from, size_t to, attr_t attr)
{
	if (to <= from)
		return;
	attrset(attr);
	addnstr(s + from, (int)(to - from));
}

/* The read marker's row: a line across the pane. */
static void
screen_marker(int y, size_t cols)
{
	static const char	label[] = "-- new --";
	size_t			i;

	move(y, 0);
	attrset(screen_pair(PAIR_MENTION, A_BOLD));
	for (i = 0; i < cols; i++)
		addch(i >= 2 && i - 2 < sizeof label - 1 ? label[i - 2] : '-');
}

/* Matches of the search in a row, in reverse video. */
static void
screen_matches(int y, const struct view_row *r, size_t indent,
    const struct search *s)
{
	const struct sb_line	*l = r->line;
	const char		*p = l->text + r->off, *m;
	size_t			 end = r->off + r->len, col, w, n;

	if (!s->active || s->len == 0)
		return;
	while ((m = search_match(p, (size_t)(l->text + end - p), s->text,
	    s->len)) != NULL) {
		col = indent + text_width(l->text + r->off,
		    (size_t)(m - l->text) - r->off);
		n = s->len;
		w = text_width(m, n);
		mvchgat(y, (int)col, (int)w, A_REVERSE | A_BOLD, 0, NULL);
		p = m + n;
	}
}

/* One row of the pane: the time on a line's first row, then its text. */
static void
screen_row(const struct tui *t, int y, const struct view_row *r,
    size_t indent)
{
	const struct sb_line	*l = r->line;
	size_t			 end = r->off + r->len, a, b, n;
	attr_t			 base = screen_line_attr(&l->style);
	char			 stamp[STAMP_MAX_CELLS * 4 + 1];

	move(y, 0);
	if (indent > 0 && r->first && (n = stamp_format(t->stamp,
	    l->time, stamp, sizeof stamp)) > 0) {
		attrset(A_DIM);
		addnstr(stamp, (int)n);
	}
	move(y, (int)indent);
	a = l->style.nick_off;
	b = a + l->style.nick_len;
	if (l->style.nick_len == 0 || b <= r->off || a >= end) {
		screen_span(l->text, r->off, end, base);
	} else {
		a = a > r->off ? a : r->off;
		b = b < end ? b : end;
		screen_span(l->text, r->off, a, base);
		screen_span(l->text, a, b, (base & ~A_COLOR) |
		    screen_nick_attr(l));
		screen_span(l->text, b, end, base);
	}
	screen_matches(y, r, indent, &t->search);
}

static void
screen_pane(struct tui *t, size_t height, size_t cols)
{
	size_t	indent = wrap_indent(cols, t->stamp_cells), n, i;

	if (height > screen_rows_size) {
		screen_rows = xreallocarray(screen_rows, height,
		    sizeof *screen_rows);
		screen_rows_size = height;
	}
	t->page_rows = height;
	n = scrollback_layout(&t->sb, cols - indent, height, screen_rows);
	n = marker_place(&t->marker, &t->sb, screen_rows, n, height);
	for (i = 0; i < n; i++) {
		if (screen_rows[i].line == NULL)
			screen_marker((int)(height - n + i), cols);
		else
			screen_row(t, (int)(height - n + i), &screen_rows[i],
			    indent);
	}
}

static void
screen_status(const struct tui *t, int y, size_t cols)
{
	size_t	i;

	move(y, 0);
	attrset(A_REVERSE);
	for (i = 0; i < cols; i++)
		addch(' ');
	mvaddnstr(y, 0, t->status, (int)cols);
}

/*
 * After a refresh, what is not drawn on the screen: the title when it
 * changed, and the queued OSC sequences (clipboard, notifications).
 */
static void
screen_extras(struct tui *t)
{
	char	title[TITLE_MAX_BYTES];

	if (screen_title != TITLE_NONE) {
		title_text(title, sizeof title, t->marker.unread, t->conn.host,
		    t->conn.port);
		if (strcmp(title, screen_title_shown) != 0) {
			screen_set_title(title);
			memcpy(screen_title_shown, title, sizeof title);
		}
	}
	if (t->out.len > 0) {
		screen_write(t->out.buf, t->out.len);
		t->out.len = 0;
	}
}

/* Draw it all; curses sends the terminal only what changed. */
void
screen_draw(struct tui *t)
{
	size_t	rows = (size_t)LINES, cols = (size_t)COLS, off, len, col;
	char	prompt[SEARCH_MAX_BYTES + 32];

	erase();
	if (rows >= 3)
		screen_pane(t, rows - 2, cols);
	if (rows >= 2)
		screen_status(t, (int)rows - 2, cols);
	attrset(A_NORMAL);
	if (t->secret) {	/* the prompt only: nothing typed shows */
		mvaddnstr((int)rows - 1, 0, t->prompt, (int)cols);
	} else if (t->search.active) {
		search_prompt(&t->search, prompt, sizeof prompt);
		mvaddnstr((int)rows - 1, 0, prompt, (int)cols);
	} else {
		editor_layout(&t->ed, cols, &off, &len, &col);
		mvaddnstr((int)rows - 1, 0, t->ed.buf + off, (int)len);
		move((int)rows - 1, (int)col);
	}
	if (t->ring) {		/* one for every mention since the last draw */
		beep();
		t->ring = 0;
	}
	refresh();
	screen_extras(t);
}

/* The terminal's bell: a key that could not be taken. */
void
screen_beep(void)
{
	beep();
}
