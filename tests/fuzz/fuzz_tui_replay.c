/*
 * libFuzzer harness for chat-tui's history replay (tui/replay.c): lines
 * from a server, cleaned as loop.c cleans them, go through replay_take()
 * and else into the scrollback; a first byte's bits end the replay early
 * (a lost connection).  replay_parse() must stay inside its line, and
 * every line added must be whole and no longer than the line it came in
 * as cleaned (a marker line aside).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "tui/tui.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scrollback	 sb;
	struct replay		 rp;
	struct style		 st;
	const struct sb_line	*l;
	const uint8_t		*p, *nl, *end = data + size;
	char			*clean;
	time_t			 when;
	size_t			 n, i;

	if (size < 1)
		return 0;
	scrollback_init(&sb, 1 + data[0] % 64);
	replay_init(&rp);
	clean = malloc(size * TEXT_CLEAN_GROWTH + 1);
	for (p = data + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = text_clean((const char *)p, (size_t)(nl - p), clean);
		clean[n] = '\0';
		if (replay_parse(clean, n, &when) > n)
			abort();
		if (n > 0 && (clean[0] & 0x3f) == 0x3f)
			replay_end(&rp, &sb, "me");
		else if (!replay_take(&rp, &sb, "me", clean, n)) {
			style_classify(clean, n, "me", &st);
			scrollback_push(&sb, clean, n, 0, &st);
		}
		if (nl == end)
			break;
	}
	replay_end(&rp, &sb, "me");
	for (i = 0; i < sb.count; i++) {
		l = scrollback_line(&sb, i);
		if (strlen(l->text) != l->len ||
		    l->len > size * TEXT_CLEAN_GROWTH + 64)
			abort();
	}
	free(clean);
	replay_free(&rp);
	scrollback_free(&sb);
	return 0;
}
