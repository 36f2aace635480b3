/*
 * Untrusted text made safe: UTF-8 decoding with U+FFFD for anything
 * invalid, removal of the characters that can take over a terminal or
 * reorder what is shown (C0/C1 controls, DEL, bidi overrides), and
 * display widths for laying text out in terminal cells.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_REPLACEMENT	0xFFFDU
/* text_clean() never writes more than this many bytes per input byte. */
#define TEXT_CLEAN_GROWTH	3

int	text_decode(const char *, size_t, uint32_t *);
size_t	text_encode(uint32_t, char *);
int	text_is_unsafe(uint32_t);
size_t	text_clean(const char *, size_t, char *);
size_t	text_cut(const char *, size_t, size_t);
int	text_cp_width(uint32_t);
size_t	text_width(const char *, size_t);

#endif
