/*
 * libFuzzer harness for chat-tui's input line: random keystrokes
 * (tui/keys.c), through bracketed paste (tui/paste.c) as the loop does,
 * drive the editor (tui/editor.c) and Tab (tui/complete.c).  After every
 * key the line is clean UTF-8 within EDITOR_MAX_BYTES with the cursor on
 * a character, its layout stays inside it, and every line Enter hands
 * out or a paste holds is clean.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fault.h"
#include "tui/tui.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The next key from the input; the first byte of each picks its kind. */
static size_t
next_key(const uint8_t *d, size_t left, struct key *k)
{
	memset(k, 0, sizeof *k);
	if (left < 2)
		return left;
	switch (d[0] % 4) {
	case 0:
		k->code = (enum keyc)(d[1] % (KEYC_PASTE_END + 1));
		k->cp = d[1] & 0x80 ? 0x7F : 'a' + d[1] % 26;	/* for Alt */
		return 2;
	case 1:
		k->code = KEYC_CHAR;
		k->cp = d[1] & 0x80 ? 0x7F : d[1] & 0x1F;
		return 2;
	case 2:
		k->code = KEYC_CHAR;
		k->cp = d[1];
		return 2;
	default:
		if (left < 4)
			return left;
		k->code = KEYC_CHAR;
		k->cp = ((uint32_t)d[1] | (uint32_t)d[2] << 8 |
		    (uint32_t)d[3] << 16) % 0x110100;
		return 4;
	}
}

static void
check_editor(struct editor *ed, size_t width)
{
	size_t	off, len, col;

	if (ed->len > EDITOR_MAX_BYTES || ed->cursor > ed->len ||
	    ed->buf[ed->len] != '\0' || !fault_text_safe(ed->buf, ed->len))
		abort();
	if (ed->cursor < ed->len &&
	    ((unsigned char)ed->buf[ed->cursor] & 0xC0) == 0x80)
		abort();	/* the cursor inside a character */
	editor_layout(ed, width, &off, &len, &col);
	if (off + len > ed->len || off > ed->cursor || col > width)
		abort();
}

/* What a paste came to, taken as the loop takes it. */
static void
take_paste(struct tui *t, enum paste_action a)
{
	char	*joined;
	size_t	 i;

	if (a != PASTE_INSERT && a != PASTE_SEND && a != PASTE_EDIT &&
	    a != PASTE_DROP)
		return;
	for (i = 0; i < t->paste.count; i++)
		if (strlen(t->paste.lines[i]) > EDITOR_MAX_BYTES ||
		    !fault_text_safe(t->paste.lines[i],
		    strlen(t->paste.lines[i])))
			abort();
	if (a == PASTE_INSERT || a == PASTE_EDIT) {
		joined = paste_joined(&t->paste);
		editor_insert(&t->ed, joined, strlen(joined));
		free(joined);
	}
	paste_clear(&t->paste);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui	 t;
	struct key	 k;
	size_t		 i = 0, width;
	char		*line;

	if (size < 1)
		return 0;
	width = 1 + data[0] % 100;
	memset(&t, 0, sizeof t);
	editor_init(&t.ed);
	scrollback_init(&t.sb, 16);
	complete_init(&t.comp);
	paste_init(&t.paste);
	t.page_rows = 10;
	for (i = 1; i < size; ) {
		enum paste_action	a;
		struct style		st;

		i += next_key(data + i, size - i, &k);
		if (i % 64 == 0) {	/* someone says something: Tab knows */
			style_classify("<Abe> hi", 8, "me", &st);
			complete_line(&t.comp, "<Abe> hi", 8, &st);
		}
		if ((a = paste_key(&t.paste, &k, (int64_t)i * 100)) !=
		    PASTE_PASS) {
			take_paste(&t, a);
			take_paste(&t, paste_expire(&t.paste,
			    (int64_t)i * 100 + PASTE_TIMEOUT_MS));
			check_editor(&t.ed, width);
			continue;
		}
		if (keys_handle(&t, &k) == KEYS_LINE) {
			line = editor_take(&t.ed);
			if (strlen(line) > EDITOR_MAX_BYTES ||
			    !fault_text_safe(line, strlen(line)))
				abort();
			free(line);
		}
		check_editor(&t.ed, width);
	}
	editor_free(&t.ed);
	scrollback_free(&t.sb);
	complete_free(&t.comp);
	paste_free(&t.paste);
	return 0;
}
