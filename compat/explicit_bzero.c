/*
 * explicit_bzero(3) for systems whose libc lacks it: a memset the
 * compiler cannot drop because the buffer is never read again.
 */
#include "config.h"

#include <string.h>

#include "common/compat.h"

static void *(*volatile explicit_memset)(void *, int, size_t) = memset;

void
explicit_bzero(void *buf, size_t len)
{
	explicit_memset(buf, 0, len);
}
