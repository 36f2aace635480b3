/*
 * Sorting lines: server notices and errors, chat and actions with the
 * speaker's nick, our own lines and mentions of our nick (whole words,
 * any case); anything else is plain.  Nick colours are stable; our nick
 * follows the welcome and renames.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/tui.h"

struct style_case {
	const char	*line;
	const char	*me;
	enum line_kind	 kind;
	const char	*nick;		/* expected speaker, "" for none */
	int		 flags;
};

static void
test_style_classifies_lines(void **state)
{
	static const struct style_case	cases[] = {
		{ "*** bob has joined (2 online)", "", LINE_NOTICE, "", 0 },
		{ "*** error: nickname bob is already in use", "",
		  LINE_ERROR, "", 0 },
		{ "*** Bye", "", LINE_NOTICE, "", 0 },
		{ "<bob> hello", "", LINE_CHAT, "bob", 0 },
		{ "<bob> ", "", LINE_CHAT, "bob", 0 },
		{ "<b[o]b> x", "", LINE_CHAT, "b[o]b", 0 },
		{ "* bob waves", "", LINE_ACTION, "bob", 0 },
		{ "<bob>hello", "", LINE_PLAIN, "", 0 },
		{ "<b ob> hello", "", LINE_PLAIN, "", 0 },
		{ "<> hello", "", LINE_PLAIN, "", 0 },
		{ "*bob waves", "", LINE_PLAIN, "", 0 },
		{ "***", "", LINE_PLAIN, "", 0 },
		{ ":irc.example.org 001 bob :Welcome", "", LINE_PLAIN, "",
		  0 },
		{ "", "", LINE_PLAIN, "", 0 },
	};
	struct style	st;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct style_case	*c = &cases[i];

		style_classify(c->line, strlen(c->line), c->me, &st);
		if (st.kind != c->kind || st.nick_len != strlen(c->nick) ||
		    strncmp(c->line + st.nick_off, c->nick, st.nick_len) != 0)
			fail_msg("\"%s\": kind %d nick \"%.*s\"", c->line,
			    st.kind, (int)st.nick_len, c->line + st.nick_off);
	}
}

static void
test_style_marks_own_lines_and_mentions(void **state)
{
	static const struct style_case	cases[] = {
		{ "<alice> hi", "alice", LINE_CHAT, "alice", STYLE_OWN },
		{ "* alice waves", "alice", LINE_ACTION, "alice",
		  STYLE_OWN },
		{ "<alice> alice talks to herself", "alice", LINE_CHAT,
		  "alice", STYLE_OWN },
		{ "<bob> hi alice!", "alice", LINE_CHAT, "bob",
		  STYLE_MENTION },
		{ "<bob> alice: hi", "alice", LINE_CHAT, "bob",
		  STYLE_MENTION },
		{ "<bob> Hi ALICE", "alice", LINE_CHAT, "bob",
		  STYLE_MENTION },
		{ "* bob hugs alice", "alice", LINE_ACTION, "bob",
		  STYLE_MENTION },
		{ "<bob> hi alices", "alice", LINE_CHAT, "bob", 0 },
		{ "<bob> hi malice", "alice", LINE_CHAT, "bob", 0 },
		{ "<bob> hi alice_", "alice", LINE_CHAT, "bob", 0 },
		{ "<alice2> hi", "alice", LINE_CHAT, "alice2", 0 },
		{ "<bob> hi", "", LINE_CHAT, "bob", 0 },
		{ "*** alice has joined (2 online)", "alice", LINE_NOTICE,
		  "", 0 },
	};
	struct style	st;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct style_case	*c = &cases[i];

		style_classify(c->line, strlen(c->line), c->me, &st);
		assert_int_equal(st.kind, c->kind);
		if (st.flags != c->flags)
			fail_msg("\"%s\" as %s: flags %d, want %d", c->line,
			    c->me, st.flags, c->flags);
	}
}

/*
 * Private messages: "*alice* text" to us counts as a mention whatever
 * it says (it rings the bell); "-> *bob* text", our echo, is ours, as
 * is one we wrote to ourselves.  Lines that only look alike are not.
 */
static void
test_style_classifies_private_messages(void **state)
{
	static const struct style_case	cases[] = {
		{ "*alice* psst", "bob", LINE_PRIVATE, "alice",
		  STYLE_MENTION },
		{ "*alice* psst", "", LINE_PRIVATE, "alice", STYLE_MENTION },
		{ "*b[o]b* hi", "me", LINE_PRIVATE, "b[o]b", STYLE_MENTION },
		{ "-> *bob* psst", "alice", LINE_PRIVATE, "bob", STYLE_OWN },
		{ "-> *alice* note", "alice", LINE_PRIVATE, "alice",
		  STYLE_OWN },
		{ "*alice* note", "alice", LINE_PRIVATE, "alice", STYLE_OWN },
		{ "*alice* ", "bob", LINE_PRIVATE, "alice", STYLE_MENTION },
		{ "*alice*", "bob", LINE_PLAIN, "", 0 },
		{ "*alice*psst", "bob", LINE_PLAIN, "", 0 },
		{ "** psst", "bob", LINE_PLAIN, "", 0 },
		{ "*ali ce* psst", "bob", LINE_PLAIN, "", 0 },
		{ "* alice waves", "bob", LINE_ACTION, "alice", 0 },
		{ "* alice *bob* hi", "bob", LINE_ACTION, "alice",
		  STYLE_MENTION },
		{ "->  *bob* psst", "alice", LINE_PLAIN, "", 0 },
		{ "-> *bob*", "alice", LINE_PLAIN, "", 0 },
		{ "<alice> *bob* hi", "carol", LINE_CHAT, "alice", 0 },
		{ "*** bob is away: lunch", "alice", LINE_NOTICE, "", 0 },
		{ "*** error: no such nickname bob", "alice", LINE_ERROR, "",
		  0 },
	};
	struct style	st;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct style_case	*c = &cases[i];

		style_classify(c->line, strlen(c->line), c->me, &st);
		if (st.kind != c->kind || st.flags != c->flags ||
		    st.nick_len != strlen(c->nick) ||
		    strncmp(c->line + st.nick_off, c->nick, st.nick_len) != 0)
			fail_msg("\"%s\" as \"%s\": kind %d flags %d nick "
			    "\"%.*s\"", c->line, c->me, st.kind, st.flags,
			    (int)st.nick_len, c->line + st.nick_off);
	}
}

/* /r answers who wrote to us privately: not our echo, not others. */
static void
test_style_reply_nick_is_last_private_sender(void **state)
{
	static const struct {
		const char	*line;
		const char	*want;		/* NULL: not changed */
	} cases[] = {
		{ "*alice* psst", "alice" },
		{ "-> *alice* hi", NULL },
		{ "<bob> hi", NULL },
		{ "*** carol is away: lunch", NULL },
		{ "* dave waves", NULL },
		{ "*carol* me too", "carol" },
		{ "*me* note to self", NULL },
	};
	struct style	st;
	char		nick[NICK_MAX_BYTES + 1] = "", was[sizeof nick];
	char		tiny[4] = "";
	size_t		i;
	int		set;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strcpy(was, nick);
		style_classify(cases[i].line, strlen(cases[i].line), "me",
		    &st);
		set = style_reply_nick(cases[i].line, &st, nick, sizeof nick);
		assert_int_equal(set, cases[i].want != NULL);
		assert_string_equal(nick, cases[i].want != NULL ?
		    cases[i].want : was);
	}
	/* Never past the buffer. */
	style_classify("*alice* x", 9, "me", &st);
	assert_int_equal(style_reply_nick("*alice* x", &st, tiny,
	    sizeof tiny), 0);
	assert_string_equal(tiny, "");
}

/*
 * Nick colours never look like an error (red), chat-tui's own lines
 * (cyan) or a mention (yellow); a 256-colour terminal gets many more
 * than an 8-colour one; the same nick gets the same colour every run.
 */
static void
test_style_nick_palette_avoids_styles(void **state)
{
	static const short	banned[] = { 1, 3, 6, 9, 11, 14,
		/* the cube's reds, yellows, cyans */
		196, 160, 124, 226, 220, 184, 51, 45, 87, 44, 50 };
	static const int	counts[] = { 8, 16, 88, 256, 65536 };
	const short		*p;
	size_t			 n, i, j, k;

	for (k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		n = style_nick_palette(counts[k], &p);
		assert_true(n >= 3 && n <= STYLE_NICK_COLOURS_MAX);
		for (i = 0; i < n; i++) {
			assert_true(p[i] >= 0 && p[i] < counts[k]);
			for (j = 0; j < sizeof banned / sizeof banned[0]; j++)
				if (p[i] == banned[j])
					fail_msg("%d colours: nick colour %d",
					    counts[k], p[i]);
			for (j = 0; j < i; j++)
				assert_int_not_equal(p[i], p[j]);
		}
	}
	assert_true(style_nick_palette(256, &p) >= 20);
	assert_int_equal(style_nick_palette(8, &p), 3);
	/* FNV-1a of "alice", fixed: the colour is the same on every run. */
	n = style_nick_palette(256, &p);
	assert_int_equal(style_nick_colour("alice", 5, (unsigned int)n),
	    0x872213e7U % n);
}

static void
test_style_nick_colour_is_stable_and_in_range(void **state)
{
	static const char	*const nicks[] = {
		"alice", "bob", "carol", "dave", "eve", "mallory", "trent",
		"guest1", "guest2", "guest3",
	};
	unsigned int		 seen = 0, c;
	size_t			 i;

	for (i = 0; i < sizeof nicks / sizeof nicks[0]; i++) {
		c = style_nick_colour(nicks[i], strlen(nicks[i]), 6);
		assert_true(c < 6);
		assert_int_equal(c, style_nick_colour(nicks[i],
		    strlen(nicks[i]), 6));
		seen |= 1U << c;
	}
	assert_true(seen != (seen & -seen));	/* more than one colour */
	assert_int_equal(style_nick_colour("Alice", 5, 6),
	    style_nick_colour("alice", 5, 6));
	assert_int_equal(style_nick_colour("x", 1, 0), 0);
}

struct track_case {
	const char	*before;
	const char	*line;
	int		 first;		/* the first line of a connection */
	const char	*after;
	int		 changed;
};

static void
test_style_tracks_own_nick(void **state)
{
	static const struct track_case	cases[] = {
		{ "", "*** Welcome to chat! Type /help for commands. "
		  "(you are guest1, 1 online)", 1, "guest1", STYLE_NICK_WELCOME },
		{ "old", "*** Hi (you are guest7, 3 online)", 1, "guest7",
		  STYLE_NICK_WELCOME },
		{ "guest1", "*** guest1 is now known as alice", 0, "alice",
		  STYLE_NICK_RENAMED },
		{ "guest1", "*** Hi (you are guest1, 1 online)", 1, "guest1", 0 },
		{ "guest1", "*** guest10 is now known as bob", 0, "guest1", 0 },
		{ "guest1", "*** carol is now known as dave", 0, "guest1", 0 },
		{ "guest1", "<bob> (you are fooled, yes)", 1, "guest1", 0 },
		{ "guest1", "*** bob has joined (2 online)", 0, "guest1", 0 },
		{ "guest1", "*** (you are broken", 1, "guest1", 0 },
		/* A user's /quit reason is no welcome, after the first line. */
		{ "guest1", "*** bob has left (quit: x (you are mallory, 1 "
		  "online)", 0, "guest1", 0 },
		{ "guest1", "*** Hi (you are guest9, 2 online)", 0, "guest1", 0 },
	};
	char	nick[NICK_MAX_BYTES + 1];
	size_t	i;
	int	changed;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(nick, sizeof nick, "%s", cases[i].before);
		changed = style_track_nick(cases[i].line,
		    strlen(cases[i].line), nick, sizeof nick, cases[i].first);
		assert_string_equal(nick, cases[i].after);
		assert_int_equal(changed, cases[i].changed);
	}
}

/* Answers to the nickname asked for on connecting, and nothing else. */
static void
test_style_reads_answer_to_asked_nick(void **state)
{
	static const struct {
		const char	*line;
		int		 want;
	} cases[] = {
		{ "*** error: nickname alice is already in use",
		    STYLE_ASK_TAKEN },
		{ "*** error: nickname alice is already in use as Alice "
		    "(nicknames ignore case)", STYLE_ASK_TAKEN },
		{ "*** error: invalid nickname \"alice\": 1 to 16 letters",
		    STYLE_ASK_REFUSED },
		{ "*** error: nickname alice_ is already in use", 0 },
		{ "*** error: nickname alic is already in use", 0 },
		{ "*** error: invalid nickname \"alice_\": 1 to 16", 0 },
		{ "<bob> *** error: nickname alice is already in use", 0 },
		{ "*** alice has joined (2 online)", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (style_nick_answer(cases[i].line, strlen(cases[i].line),
		    "alice") != cases[i].want)
			fail_msg("\"%s\": not %d", cases[i].line,
			    cases[i].want);
	}
}

/* The next nick to try has one "_" more, within the server's length. */
static void
test_style_next_nick_adds_underscore_within_limit(void **state)
{
	char	nick[NICK_MAX_BYTES + 1] = "alice";
	char	full[NICK_MAX_BYTES + 1];

	(void)state;
	assert_int_equal(style_next_nick(nick, sizeof nick), 0);
	assert_string_equal(nick, "alice_");
	assert_int_equal(style_next_nick(nick, sizeof nick), 0);
	assert_string_equal(nick, "alice__");
	memset(full, 'a', PROTO_NICK_MAX_BYTES);
	full[PROTO_NICK_MAX_BYTES] = '\0';
	assert_int_equal(style_next_nick(full, sizeof full), -1);
	assert_int_equal(strlen(full), PROTO_NICK_MAX_BYTES);
}

static void
test_style_password_request_and_refusal(void **state)
{
	static const struct {
		const char	*line;
		int		 want;
	} cases[] = {
		{ "*** password required (/pass SECRET)", STYLE_PASS_ASKED },
		{ "*** error: wrong password", STYLE_PASS_WRONG },
		{ "*** Welcome to chat! (you are guest1, 1 online)", 0 },
		{ "<bob> *** password required (/pass SECRET)", 0 },
		{ "*** error: wrong nickname", 0 },
		{ "password required", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (style_password(cases[i].line, strlen(cases[i].line)) !=
		    cases[i].want)
			fail_msg("\"%s\": not %d", cases[i].line,
			    cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_style_classifies_lines),
		cmocka_unit_test(test_style_marks_own_lines_and_mentions),
		cmocka_unit_test(test_style_classifies_private_messages),
		cmocka_unit_test(test_style_reply_nick_is_last_private_sender),
		cmocka_unit_test(test_style_nick_colour_is_stable_and_in_range),
		cmocka_unit_test(test_style_nick_palette_avoids_styles),
		cmocka_unit_test(test_style_tracks_own_nick),
		cmocka_unit_test(test_style_reads_answer_to_asked_nick),
		cmocka_unit_test(
		    test_style_next_nick_adds_underscore_within_limit),
		cmocka_unit_test(test_style_password_request_and_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
