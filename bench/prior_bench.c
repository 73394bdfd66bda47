/* prior_bench.c — what the client's marks against last year's data cost
 * (issue 19 item 4): baseline_link of one school (done once per entry
 * into its staff list), prior_new (opening a person) and prior_load (the
 * marks again after each saved value) over people spread over the school,
 * and prior_people (the staff list's 有变化).  CPU time of the process,
 * which does not depend on what else the machine runs.  Not a test:
 * bench/yearly_client.sh runs it and the figures go to docs/benchmarks.md.
 *
 * usage: prior_bench FILE SCHOOL [PERSONS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "audit.h"
#include "baseline.h"
#include "defs.h"
#include "diag.h"
#include "entry.h"
#include "paths.h"
#include "prior.h"
#include "store.h"
#include "util.h"
#include "bench_clock.h"

/* "mean … p99 … max …" of n figures (sorted in place). */
static void
report(const char *what, double *v, size_t n)
{
	double sum = 0;

	if (n == 0)
		return;
	xqsort(v, n, sizeof *v, bench_dbl_cmp);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	printf("%s: %zu, CPU mean %.2f ms, p99 %.2f ms, max %.2f ms\n", what, n, sum / (double)n,
	    v[(size_t)((double)(n - 1) * 0.99)], v[n - 1]);
}

int
main(int argc, char **argv)
{
	struct diag d = { 0 };
	struct defs *defs = NULL;
	struct store *st = NULL;
	sqlite3_stmt *ps;
	char *cause = NULL, *forms = paths_forms_dir(), *data = paths_data_dir();
	int persons = argc > 3 ? atoi(argv[3]) : 200;
	double t0, *open_ms, *load_ms;
	size_t nopen = 0, nload = 0, n = 0;
	sqlite3_int64 *ids = NULL;
	long added = 0, gone = 0;

	if (argc < 3 || persons < 1) {
		fprintf(stderr, "usage: prior_bench FILE SCHOOL [PERSONS]\n");
		return 2;
	}
	if (defs_load(forms, data, &defs, &d, &cause) != JZG_OK || audit_open(argv[1], defs, 0, &st, &cause) != JZG_OK) {
		fprintf(stderr, "%s\n", cause ? cause : "defs");
		return 2;
	}
	for (int i = 0; i < 3; i++) {
		t0 = bench_ms(CLOCK_PROCESS_CPUTIME_ID);
		if (baseline_link(st, argv[2], &cause) != JZG_OK) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		printf("baseline_link of school %s: CPU %.1f ms\n", argv[2], bench_ms(CLOCK_PROCESS_CPUTIME_ID) - t0);
	}
	open_ms = xcalloc((size_t)persons, sizeof *open_ms);
	load_ms = xcalloc((size_t)persons * 3, sizeof *load_ms);
	/* people spread over the school */
	if (sqlite3_prepare_v2(st->db, "SELECT t.id FROM staff t JOIN school k ON k.id = t.school_id WHERE k.code = ?1"
	    " ORDER BY (t.id * 7919) % 1000003 LIMIT ?2", -1, &ps, NULL) != SQLITE_OK)
		return 2;
	sqlite3_bind_text(ps, 1, argv[2], -1, SQLITE_STATIC);
	sqlite3_bind_int(ps, 2, persons);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		sqlite3_int64 staff = sqlite3_column_int64(ps, 0);
		const struct template_def *tpl = entry_template(st, staff);
		struct prior *m = NULL;

		t0 = bench_ms(CLOCK_PROCESS_CPUTIME_ID);
		if (prior_new(st, tpl, staff, &m, &cause) != JZG_OK || m == NULL) {
			fprintf(stderr, "%s\n", cause ? cause : "the school has no baseline");
			return 1;
		}
		open_ms[nopen++] = bench_ms(CLOCK_PROCESS_CPUTIME_ID) - t0;
		for (int k = 0; k < 3; k++) {
			t0 = bench_ms(CLOCK_PROCESS_CPUTIME_ID);
			prior_load(m, NULL);
			load_ms[nload++] = bench_ms(CLOCK_PROCESS_CPUTIME_ID) - t0;
		}
		prior_free(m);
	}
	sqlite3_finalize(ps);
	report("prior_new (a person opened)", open_ms, nopen);
	report("prior_load (the marks again after a saved value)", load_ms, nload);
	t0 = bench_ms(CLOCK_PROCESS_CPUTIME_ID);
	if (prior_people(st, argv[2], &ids, &n, &added, &gone, &cause) != JZG_OK) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	printf("prior_people (有变化) of school %s: %zu people (%ld added, %ld gone), CPU %.0f ms\n", argv[2], n, added,
	    gone, bench_ms(CLOCK_PROCESS_CPUTIME_ID) - t0);
	free(ids);
	free(open_ms);
	free(load_ms);
	store_close(st);
	defs_free(defs);
	diag_free(&d);
	free(forms);
	free(data);
	return 0;
}
