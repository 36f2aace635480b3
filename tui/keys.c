/*
 * Keys to actions: the editor's editing keys and the pane's scrolling,
 * through one table.  Keys arrive already translated from curses by
 * screen.c, so this file is a model tests can drive.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/text.h"
#include "tui/tui.h"

struct binding {
	enum keyc		 code;
	uint32_t		 cp;	/* for KEYC_CHAR: the control code */
	enum keys_result	(*fn)(struct tui *);
};

/* The line keys edit: the password's while one is asked for. */
static struct editor *
keys_editor(struct tui *t)
{
	return t->secret ? &t->pw : &t->ed;
}

#define MSG_COMMAND	"/msg "

#define KEYS_EDIT(name, call)					\
static enum keys_result						\
name(struct tui *t)						\
{								\
	call(keys_editor(t));					\
	return KEYS_NONE;					\
}

KEYS_EDIT(keys_left, editor_left)
KEYS_EDIT(keys_right, editor_right)
KEYS_EDIT(keys_home, editor_home)
KEYS_EDIT(keys_end, editor_end)
KEYS_EDIT(keys_backspace, editor_backspace)
KEYS_EDIT(keys_delete, editor_delete)
KEYS_EDIT(keys_kill_start, editor_kill_start)
KEYS_EDIT(keys_kill_end, editor_kill_end)
KEYS_EDIT(keys_kill_word, editor_kill_word)
KEYS_EDIT(keys_history_prev, editor_history_prev)
KEYS_EDIT(keys_history_next, editor_history_next)
KEYS_EDIT(keys_word_left, editor_word_left)
KEYS_EDIT(keys_word_right, editor_word_right)
KEYS_EDIT(keys_kill_word_next, editor_kill_word_next)
KEYS_EDIT(keys_kill_word_prev, editor_kill_word_prev)
KEYS_EDIT(keys_transpose, editor_transpose)

static enum keys_result
keys_yank(struct tui *t)
{
	return editor_yank(keys_editor(t)) == 0 ? KEYS_NONE : KEYS_FULL;
}

/* Tab: a nickname or /command; never in a password. */
static enum keys_result
keys_complete(struct tui *t)
{
	if (t->secret || complete_tab(&t->comp, &t->ed, t->nick) == -1)
		return KEYS_BELL;	/* nothing to complete */
	return KEYS_NONE;
}

static enum keys_result
keys_suspend(struct tui *t)
{
	(void)t;
	return KEYS_SUSPEND;
}

/* A page is the pane less one row, so a line of context stays in view. */
static long
keys_page(const struct tui *t)
{
	return t->page_rows > 1 ? (long)t->page_rows - 1 : 1;
}

static enum keys_result
keys_page_up(struct tui *t)
{
	scrollback_scroll(&t->sb, keys_page(t));
	return KEYS_NONE;
}

static enum keys_result
keys_page_down(struct tui *t)
{
	scrollback_scroll(&t->sb, -keys_page(t));
	return KEYS_NONE;
}

static enum keys_result
keys_row_up(struct tui *t)
{
	scrollback_scroll(&t->sb, 1);
	return KEYS_NONE;
}

static enum keys_result
keys_row_down(struct tui *t)
{
	scrollback_scroll(&t->sb, -1);
	return KEYS_NONE;
}

/* End goes to the end of the input line and the bottom of the pane. */
static enum keys_result
keys_bottom(struct tui *t)
{
	editor_end(keys_editor(t));
	scrollback_bottom(&t->sb);
	return KEYS_NONE;
}

static enum keys_result
keys_enter(struct tui *t)
{
	scrollback_bottom(&t->sb);
	return KEYS_LINE;
}

/* Ctrl-D deletes forward, or quits on an empty line as a shell does. */
static enum keys_result
keys_eof(struct tui *t)
{
	if (keys_editor(t)->len == 0)
		return KEYS_QUIT;
	editor_delete(keys_editor(t));
	return KEYS_NONE;
}

static enum keys_result
keys_quit(struct tui *t)
{
	(void)t;
	return KEYS_QUIT;
}

/* The length of a "/msg NICK " that starts line, or 0. */
static size_t
keys_msg_prefix(const char *line)
{
	size_t	n = strlen(MSG_COMMAND), word;

	if (strncasecmp(line, MSG_COMMAND, n) != 0)
		return 0;
	word = strcspn(line + n, " ");
	if (word == 0 || line[n + word] != ' ')
		return 0;
	return n + word + strspn(line + n + word, " ");
}

/*
 * Alt-R (and /r alone): address the input line to who last wrote to
 * us privately, "/msg NICK " before what is typed, in place of an
 * earlier "/msg OTHER ".  A line too full for it is left alone.
 */
enum keys_result
keys_reply(struct tui *t)
{
	struct editor	*ed = &t->ed;
	char		 prefix[NICK_MAX_BYTES + sizeof MSG_COMMAND + 1];
	size_t		 skip;

	if (t->secret || t->reply_nick[0] == '\0')
		return KEYS_NONE;
	snprintf(prefix, sizeof prefix, MSG_COMMAND "%s ", t->reply_nick);
	skip = keys_msg_prefix(ed->buf);
	/* (replaced, not killed: Ctrl-Y keeps what the user deleted) */
	if (editor_replace(ed, 0, skip, prefix, strlen(prefix)) == -1)
		return KEYS_FULL;
	editor_end(ed);
	return KEYS_NONE;
}

/* Ctrl-R: search the scrollback (search.c takes the keys from here). */
static enum keys_result
keys_search(struct tui *t)
{
	if (!t->secret)
		search_start(&t->search, &t->sb);
	return KEYS_NONE;
}

/* Alt-U: scroll to the read marker, its line at the top. */
static enum keys_result
keys_marker(struct tui *t)
{
	size_t	i;

	if (t->marker.set && scrollback_find_seq(&t->sb, t->marker.seq,
	    &i) == 0)
		scrollback_show(&t->sb, i, 1);
	return KEYS_NONE;
}

static enum keys_result
keys_focus_in(struct tui *t)
{
	t->marker.away = 0;
	return KEYS_NONE;
}

static enum keys_result
keys_focus_out(struct tui *t)
{
	t->marker.away = 1;
	return KEYS_NONE;
}

static const struct binding bindings[] = {
	{ KEYC_LEFT, 0, keys_left },
	{ KEYC_RIGHT, 0, keys_right },
	{ KEYC_UP, 0, keys_history_prev },
	{ KEYC_DOWN, 0, keys_history_next },
	{ KEYC_HOME, 0, keys_home },
	{ KEYC_END, 0, keys_bottom },
	{ KEYC_BACKSPACE, 0, keys_backspace },
	{ KEYC_DELETE, 0, keys_delete },
	{ KEYC_PPAGE, 0, keys_page_up },
	{ KEYC_NPAGE, 0, keys_page_down },
	{ KEYC_SUP, 0, keys_row_up },
	{ KEYC_SDOWN, 0, keys_row_down },
	{ KEYC_ENTER, 0, keys_enter },
	{ KEYC_CLEFT, 0, keys_word_left },
	{ KEYC_CRIGHT, 0, keys_word_right },
	{ KEYC_META, 'b', keys_word_left },
	{ KEYC_META, 'd', keys_kill_word_next },
	{ KEYC_META, 'f', keys_word_right },
	{ KEYC_META, 'r', keys_reply },
	{ KEYC_META, KEYS_CTRL('H'), keys_kill_word_prev },
	{ KEYC_META, 0x7F, keys_kill_word_prev },
	{ KEYC_CHAR, KEYS_CTRL('A'), keys_home },
	{ KEYC_CHAR, KEYS_CTRL('B'), keys_left },
	{ KEYC_CHAR, KEYS_CTRL('C'), keys_quit },
	{ KEYC_CHAR, KEYS_CTRL('D'), keys_eof },
	{ KEYC_CHAR, KEYS_CTRL('E'), keys_end },
	{ KEYC_CHAR, KEYS_CTRL('F'), keys_right },
	{ KEYC_CHAR, KEYS_CTRL('H'), keys_backspace },
	{ KEYC_CHAR, KEYS_CTRL('I'), keys_complete },
	{ KEYC_CHAR, KEYS_CTRL('J'), keys_enter },
	{ KEYC_CHAR, KEYS_CTRL('K'), keys_kill_end },
	{ KEYC_CHAR, KEYS_CTRL('M'), keys_enter },
	{ KEYC_CHAR, KEYS_CTRL('N'), keys_history_next },
	{ KEYC_CHAR, KEYS_CTRL('P'), keys_history_prev },
	{ KEYC_CHAR, KEYS_CTRL('R'), keys_search },
	{ KEYC_META, 'u', keys_marker },
	{ KEYC_FOCUS_IN, 0, keys_focus_in },
	{ KEYC_FOCUS_OUT, 0, keys_focus_out },
	{ KEYC_CHAR, KEYS_CTRL('U'), keys_kill_start },
	{ KEYC_CHAR, KEYS_CTRL('T'), keys_transpose },
	{ KEYC_CHAR, KEYS_CTRL('W'), keys_kill_word },
	{ KEYC_CHAR, KEYS_CTRL('Y'), keys_yank },
	{ KEYC_CHAR, KEYS_CTRL('Z'), keys_suspend },
	{ KEYC_CHAR, KEYS_CTRL('\\'), keys_quit },	/* as Ctrl-C, not SIGQUIT */
	{ KEYC_CHAR, 0x7F, keys_backspace },
};

/*
 * Type one character.  Of a run of characters the full input line
 * refuses, as a long paste makes, only the first says KEYS_FULL, so the
 * bell rings once for the paste, not once a character; the run ends at
 * the next key that is taken.
 */
static enum keys_result
keys_type(struct tui *t, uint32_t cp)
{
	char	buf[4];

	if (text_is_unsafe(cp) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return KEYS_NONE;	/* never typed: no run starts or ends */
	if (editor_insert(keys_editor(t), buf, text_encode(cp, buf)) == 0) {
		t->refusing = 0;
		return KEYS_NONE;
	}
	if (t->refusing)
		return KEYS_NONE;
	t->refusing = 1;
	return KEYS_FULL;
}

/* Alt with a letter: Alt-Shift-B is Alt-B. */
static uint32_t
keys_meta_cp(uint32_t cp)
{
	return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
}

/*
 * Act on one key; printable characters are typed into the input line.
 * Any key but Tab ends a Tab cycle.
 */
enum keys_result
keys_handle(struct tui *t, const struct key *k)
{
	size_t	i;

	if (!(k->code == KEYC_CHAR && k->cp == KEYS_CTRL('I')))
		complete_end(&t->comp);
	if (t->search.active && search_key(t, k))
		return KEYS_NONE;
	for (i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		if (bindings[i].code != k->code)
			continue;
		if (k->code == KEYC_CHAR &&
		    bindings[i].cp != k->cp)
			continue;
		if (k->code == KEYC_META &&
		    bindings[i].cp != keys_meta_cp(k->cp))
			continue;
		t->refusing = 0;
		return bindings[i].fn(t);
	}
	if (k->code == KEYC_CHAR)
		return keys_type(t, k->cp);
	return KEYS_NONE;
}
