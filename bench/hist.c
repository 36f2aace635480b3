/*
 * Latency histogram with log-linear buckets (as HdrHistogram): values
 * below 128 ns are exact, above that each power of two is cut in 64, so a
 * percentile is within 1.6% at any scale and memory stays fixed however
 * many deliveries are counted.
 */
#include "config.h"

#include "bench/bench.h"

#define HIST_SUB	(1U << HIST_SUB_BITS)

static unsigned int
hist_index(uint64_t v)
{
	unsigned int	shift = 0;

	if (v < 2 * HIST_SUB)
		return (unsigned int)v;
	while ((v >> shift) >= 2 * HIST_SUB)
		shift++;
	return (shift + 1) * HIST_SUB + (unsigned int)((v >> shift) - HIST_SUB);
}

/* The middle of a bucket, the value reported for everything in it. */
static uint64_t
hist_value(unsigned int i)
{
	unsigned int	shift;
	uint64_t	low;

	if (i < 2 * HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	low = (uint64_t)(i % HIST_SUB + HIST_SUB) << shift;
	return low + ((1ULL << shift) >> 1);
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->count[hist_index(v)]++;
	h->total++;
	if (v > h->max)
		h->max = v;
}

/* The value below which a fraction p (0 to 1) of the samples fall. */
uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t	rank, seen = 0;
	unsigned int	i;

	if (h->total == 0)
		return 0;
	rank = (uint64_t)(p * (double)h->total + 0.5);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank)
			return hist_value(i) < h->max ? hist_value(i) : h->max;
	}
	return h->max;
}
