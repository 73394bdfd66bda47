/* rekey_report.h — error rates of double-entry verification (rekey
 * report): per keyer and per verifier the fields keyed twice, the
 * discrepancies and the errors per 1,000 fields (a discrepancy counts
 * against whoever's keying was judged wrong: REKEY_KEYER_WRONG,
 * REKEY_VERIFIER_WRONG), the fields and sets where the keyers' errors
 * concentrate, and per school the share of people verified.  Written as
 * text, TSV or an xlsx workbook.  No curses. */
#ifndef JZG_REKEY_REPORT_H
#define JZG_REKEY_REPORT_H

#include <stdio.h>

#include "store.h"

/* One line: a keyer, a verifier, a field, a set or a school. */
struct rekey_line {
	char *name;      /* 录入员 / 核对人 / 信息集 指标 / 学校 (owned) */
	char *code;      /* school code, else NULL (owned) */
	int   fields;    /* fields keyed twice */
	int   diffs;     /* of them different */
	int   errors;    /* of them wrong on this side */
	int   people, verified;   /* schools only */
};

enum rekey_table { RT_KEYER, RT_VERIFIER, RT_FIELD, RT_SET, RT_SCHOOL, RT__COUNT };

struct rekey_report {
	struct rekey_line *line[RT__COUNT];
	size_t             n[RT__COUNT];
};

/* The report of school_id (0: every school).  Fields and sets are those
 * with keyers' errors, most errors first (at most 20 fields).  Free with
 * rekey_report_free. */
enum jzg_status rekey_report_load(struct store *st, sqlite3_int64 school_id, struct rekey_report *r,
    char **cause);
void rekey_report_free(struct rekey_report *r);

/* Errors per 1,000 fields, -1 when no field was keyed twice. */
double rekey_rate(const struct rekey_line *l);

void rekey_report_text(FILE *out, const struct rekey_report *r);
void rekey_report_tsv(FILE *out, const struct rekey_report *r);
/* One sheet per table; through a temporary file (board_xlsx_open). */
enum jzg_status rekey_report_xlsx(const char *path, const struct rekey_report *r, char **cause);

#endif
