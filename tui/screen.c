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
#include <signal.h>
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
#define KEY_ESC		0x1B
#define PASTE_MODE_ON	"\033[?2004h"	/* bracketed paste, as xterm */
#define PASTE_MODE_OFF	"\033[?2004l"

/* Keys of our own, for sequences curses may not know. */
enum {
	SCREEN_KEY_CLEFT = KEY_MAX + 1,
	SCREEN_KEY_CRIGHT,
	SCREEN_KEY_PASTE_START,
	SCREEN_KEY_PASTE_END,
	SCREEN_KEY_FOCUS_IN,		/* focus reports (mode 1004) */
	SCREEN_KEY_FOCUS_OUT
};

#ifdef HAVE_DEFINE_KEY
/*
 * Ctrl-Left and Ctrl-Right as terminfo names them (tmux-256color,
 * xterm), and as xterm and rxvt send them where it does not (screen):
 * TERM=screen inside tmux still gets xterm's.  The paste markers are in
 * no terminfo key.  (cap is not const: tigetstr() takes a plain char *
 * in older curses.)
 */
static struct {
	char		 cap[8];	/* "": only seq */
	const char	*seq;
	int		 code;
} screen_defs[] = {
	{ "kLFT5", "\033[1;5D", SCREEN_KEY_CLEFT },
	{ "kRIT5", "\033[1;5C", SCREEN_KEY_CRIGHT },
	{ "", "\033Od", SCREEN_KEY_CLEFT },
	{ "", "\033Oc", SCREEN_KEY_CRIGHT },
	{ "", "\033[200~", SCREEN_KEY_PASTE_START },
	{ "", "\033[201~", SCREEN_KEY_PASTE_END },
	{ "", "\033[I", SCREEN_KEY_FOCUS_IN },
	{ "", "\033[O", SCREEN_KEY_FOCUS_OUT },
};
#endif

/* Nick colours come from style_nick_palette(), by the terminal's COLORS. */
enum {
	PAIR_NICK = 1,		/* .. PAIR_NICK + STYLE_NICK_COLOURS_MAX - 1 */
	PAIR_ERROR = PAIR_NICK + STYLE_NICK_COLOURS_MAX,
	PAIR_MENTION,
	PAIR_LOCAL,
	PAIR_PRIVATE
};

/* Focus reports (mode 1004), asked for only where curses can tell them. */
#define FOCUS_ON	"\033[?1004h"
#define FOCUS_OFF	"\033[?1004l"
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
static int		 screen_paste;	/* bracketed paste can be told */
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
 * Ask for focus reports (where curses was told their keys); keep the
 * terminal's title to give it back on exit.
 */
static void
screen_init_terminal(void)
{
	if (screen_paste)
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

#ifdef HAVE_DEFINE_KEY
/* Each sequence is ours, whatever curses made of it before. */
static void
screen_define(const char *seq, int code)
{
	if (seq == NULL || seq == (char *)-1 || *seq == '\0')
		return;
	define_key(seq, 0);
	define_key(seq, code);
}
#endif

/*
 * Our keys known to curses.  Without define_key() (an ncurses
 * extension) it cannot tell the paste markers, so bracketed paste stays
 * off, and Ctrl-Left and Ctrl-Right do nothing.
 */
static void
screen_define_keys(void)
{
#ifdef HAVE_DEFINE_KEY
	size_t	i;

	for (i = 0; i < sizeof screen_defs / sizeof screen_defs[0]; i++) {
		if (screen_defs[i].cap[0] != '\0')
			screen_define(tigetstr(screen_defs[i].cap),
			    screen_defs[i].code);
		screen_define(screen_defs[i].seq, screen_defs[i].code);
	}
	screen_paste = 1;
#endif
}

/* Straight to the terminal: curses has no word for the mode. */
static void
screen_paste_mode(int on)
{
	const char	*s = on ? PASTE_MODE_ON : PASTE_MODE_OFF;

	if (!screen_paste)
		return;
	fflush(stdout);
	if (write(STDOUT_FILENO, s, strlen(s)) == -1)
		return;		/* the terminal is gone: nothing to undo */
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
	screen_define_keys();
	screen_paste_mode(1);
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
	screen_paste_mode(0);
	endwin();
	if (screen_paste)
		screen_puts(FOCUS_OFF);
	/* Where the stack is not kept, the title is at least not ours. */
	if (screen_title != TITLE_NONE) {
		screen_set_title("");
		screen_puts(TITLE_POP);
	}
}

/*
 * Ctrl-Z: the terminal as the shell left it, stopped as SIGTSTP stops
 * a job (raw mode keeps the terminal from sending it); back after fg,
 * redrawn whole at the next draw.  The connection stays open meanwhile.
 */
void
screen_suspend(void)
{
	struct sigaction	sa, old;

	screen_paste_mode(0);
	endwin();
	if (screen_paste)
		screen_puts(FOCUS_OFF);
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, &old);
	raise(SIGTSTP);		/* returns on SIGCONT */
	sigaction(SIGTSTP, &old, NULL);
	screen_paste_mode(1);
	if (screen_paste)
		screen_puts(FOCUS_ON);
	screen_resize();	/* the size may have changed meanwhile */
	clearok(curscr, TRUE);
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
	{ SCREEN_KEY_CLEFT, KEYC_CLEFT },
	{ SCREEN_KEY_CRIGHT, KEYC_CRIGHT },
	{ SCREEN_KEY_PASTE_START, KEYC_PASTE_START },
	{ SCREEN_KEY_PASTE_END, KEYC_PASTE_END },
	{ SCREEN_KEY_FOCUS_IN, KEYC_FOCUS_IN },
	{ SCREEN_KEY_FOCUS_OUT, KEYC_FOCUS_OUT },
};

/*
 * Esc and what follows it at once is Alt and that key (the terminal
 * sent them together, so curses has the second already); Esc alone, as
 * it is typed, is Esc.
 */
static void
screen_meta(struct key *k)
{
	wint_t	wc;

	switch (wget_wch(stdscr, &wc)) {
	case OK:
		k->code = KEYC_META;
		k->cp = (uint32_t)wc;
		break;
	case KEY_CODE_YES:
		if (wc == KEY_BACKSPACE) {
			k->code = KEYC_META;
			k->cp = 0x7F;
		} else if (wc != KEY_RESIZE)
			ungetch((int)wc);
		break;
	}
}

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
			if (wc == KEY_ESC)
				screen_meta(k);
			return 1;
		case KEY_CODE_YES:
			k->cp = 0;
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
	} else if (t->paste.state == PASTE_ASKING) {
		attrset(A_BOLD);
		mvaddnstr((int)rows - 1, 0, t->paste.prompt, (int)cols);
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
