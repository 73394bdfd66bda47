/* check_person.c — how long the checks of one person take: rules_check
 * with a staff scope (the entry screens' 本人检查, workflow submit) and
 * rules_check_record on each of the person's records (what the client runs
 * when the user leaves a field).  Not a test: bench/check.sh runs it and
 * the figures go to docs/checks.md §Benchmark.
 *
 * usage: check_person FILE [PERSONS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "defs.h"
#include "diag.h"
#include "paths.h"
#include "rules.h"
#include "audit.h"
#include "bench_clock.h"
#include "store.h"

static int
count(const struct finding *f, void *arg)
{
	(void)f;
	++*(long *)arg;
	return 0;
}

int
main(int argc, char **argv)
{
	struct diag d = { 0 };
	struct defs *defs = NULL;
	struct store *st = NULL;
	struct rules *r;
	sqlite3_stmt *ps;
	char *cause = NULL, *forms = paths_forms_dir(), *data = paths_data_dir();
	int persons = argc > 2 ? atoi(argv[2]) : 200, done = 0;
	long findings = 0, records = 0;
	double t_staff = 0, t_record = 0, t0;

	if (argc < 2 || persons < 1) {
		fprintf(stderr, "usage: check_person FILE [PERSONS]\n");
		return 2;
	}
	if (defs_load(forms, data, &defs, &d, &cause) != JZG_OK ||
	    audit_open(argv[1], defs, 0, &st, &cause) != JZG_OK || (r = rules_new(st, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause ? cause : "defs");
		return 2;
	}
	/* persons spread over the file, every school's template */
	if (sqlite3_prepare_v2(st->db, "SELECT staff.id, school.template FROM staff JOIN school ON school.id ="
	    " staff.school_id ORDER BY (staff.id * 7919) % 1000003 LIMIT ?1", -1, &ps, NULL) != SQLITE_OK)
		return 2;
	sqlite3_bind_int(ps, 1, persons);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		sqlite3_int64 staff = sqlite3_column_int64(ps, 0);
		const struct template_def *t = defs_template(defs, (const char *)sqlite3_column_text(ps, 1));
		struct rules_scope sc = { 0, staff };

		t0 = (bench_ms(CLOCK_MONOTONIC) * 1e3);
		if (rules_check(r, &sc, count, &findings, &cause) != JZG_OK) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		t_staff += (bench_ms(CLOCK_MONOTONIC) * 1e3) - t0;
		for (size_t k = 0; t != NULL && k < t->nset; k++) {
			const struct set_def *s = &t->set[k];
			char *sql = sqlite3_mprintf("SELECT %s FROM \"s_%q\" WHERE staff_id = %lld",
			    s->many ? "id" : "staff_id", s->v[SC_NAME], (long long)staff);
			sqlite3_stmt *q;

			if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
				while (sqlite3_step(q) == SQLITE_ROW) {
					t0 = (bench_ms(CLOCK_MONOTONIC) * 1e3);
					rules_check_record(r, t, s, sqlite3_column_int64(q, 0), count, &findings, &cause);
					t_record += (bench_ms(CLOCK_MONOTONIC) * 1e3) - t0;
					records++;
				}
				sqlite3_finalize(q);
			}
			sqlite3_free(sql);
		}
		done++;
	}
	sqlite3_finalize(ps);
	printf("persons %d: rules_check --staff %.0f µs per person; records %ld: rules_check_record %.0f µs per record;"
	    " findings %ld\n", done, done ? t_staff / done : 0, records, records ? t_record / records : 0, findings);
	rules_free(r);
	store_close(st);
	defs_free(defs);
	diag_free(&d);
	free(forms);
	free(data);
	return 0;
}
