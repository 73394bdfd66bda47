/* report.h — the check report (`jzg check`): every finding of the rules
 * engine with school, person, set, row and field, then per school the staff,
 * the complete persons, 完整率 and errors/warnings per set.  Text for an
 * 80-column terminal, TSV or JSON (docs/checks.md).  No curses.
 *
 * A person is complete when they have no error and no unexplained warning. */
#ifndef JZG_REPORT_H
#define JZG_REPORT_H

#include <stdio.h>

#include "rules.h"

enum report_format { REPORT_TEXT, REPORT_TSV, REPORT_JSON };

struct report_opts {
	struct rules_scope scope;   /* 0 = all */
	enum report_format format;
};

/* Run every rule in scope and write the report to out.  *found is set to 1
 * when there is an error or an unexplained warning, else 0.  Fails (with a
 * Chinese cause the caller frees) only when the store cannot be read. */
enum jzg_status report_check(struct store *st, struct rules *r, const struct report_opts *o,
    FILE *out, int *found, char **cause);

/* s as a JSON string (null for NULL) on out: the one JSON quoting of
 * check --format json and changes --format json. */
void report_json_str(FILE *out, const char *s);

#endif
