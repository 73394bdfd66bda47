/* bench_clock.h — what the C benchmarks (board_bench, check_person,
 * prior_bench) time with, in one place: milliseconds of a clock, and the
 * order of doubles for their percentiles.  Not part of jzg. */
#ifndef JZG_BENCH_CLOCK_H
#define JZG_BENCH_CLOCK_H

#include <time.h>

/* Milliseconds of clock c (CLOCK_MONOTONIC: wall; CLOCK_PROCESS_CPUTIME_ID: CPU). */
static inline double
bench_ms(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static inline int
bench_dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif
