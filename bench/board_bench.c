/* board_bench.c — how long the progress board's query takes (county_board,
 * what scr_board runs on open and after each school checked in idle time).
 * Not a test: bench/workflow.sh runs it on a 500-school / 100,000-person
 * file and the figures go to docs/workflow.md.
 *
 * usage: board_bench FILE [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "county.h"
#include "defs.h"
#include "lint.h"
#include "paths.h"
#include "audit.h"
#include "store.h"
#include "bench_clock.h"

int
main(int argc, char **argv)
{
	struct diag d = { 0 };
	struct defs *defs = NULL;
	struct store *st = NULL;
	struct board_row *rows, total;
	char *cause = NULL, *forms = paths_forms_dir(), *data = paths_data_dir();
	int runs = argc > 2 ? atoi(argv[2]) : 20;
	double *t, open_ms;
	size_t n = 0;
	long entered = 0;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: board_bench FILE [RUNS]\n");
		return 2;
	}
	if (defs_load(forms, data, &defs, &d, &cause) != JZG_OK) {
		fprintf(stderr, "defs: %s\n", cause ? cause : "problems");
		return 2;
	}
	open_ms = bench_ms(CLOCK_MONOTONIC);
	if (audit_open(argv[1], defs, 0, &st, &cause) != JZG_OK) {
		fprintf(stderr, "%s\n", cause);
		return 2;
	}
	open_ms = bench_ms(CLOCK_MONOTONIC) - open_ms;
	t = calloc((size_t)runs, sizeof *t);
	for (int i = 0; i < runs; i++) {
		double t0 = bench_ms(CLOCK_MONOTONIC);

		if (county_board(st, BOARD_SORT_NOTICE, &rows, &n, &total, &cause) != JZG_OK) {
			fprintf(stderr, "%s\n", cause);
			return 2;
		}
		t[i] = bench_ms(CLOCK_MONOTONIC) - t0;
		entered = total.entered;
		board_free(rows, n);
		board_row_clear(&total);
	}
	qsort(t, (size_t)runs, sizeof *t, bench_dbl_cmp);
	printf("schools=%zu staff=%ld runs=%d store_open=%.1fms board min=%.1fms median=%.1fms max=%.1fms\n",
	    n, entered, runs, open_ms, t[0], t[runs / 2], t[runs - 1]);
	free(t);
	store_close(st);
	defs_free(defs);
	diag_free(&d);
	free(forms);
	free(data);
	return 0;
}
