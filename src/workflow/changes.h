/* changes.h — what changed since the baseline (baseline.h), person by
 * person: people added, people gone (with their 人员状态, or a finding
 * when it does not say why they left), and for everyone else each
 * changed value and each added or removed record, records of many-record
 * sets matched by their natural key (recmatch.h).  And the 更新率 of each
 * school: people with any change (added people included) ÷ this year's
 * people.  No curses. */
#ifndef JZG_CHANGES_H
#define JZG_CHANGES_H

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"

enum change_kind {
	CHANGE_ADDED,            /* a person not in the baseline */
	CHANGE_GONE,             /* a baseline person no longer in the file */
	CHANGE_RECORD_ADDED,     /* a record of a many-record set (or a one-record set's first) */
	CHANGE_RECORD_REMOVED,
	CHANGE_VALUE             /* one field of a matched record */
};

/* One change.  Strings are valid during the callback only. */
struct change {
	enum change_kind        kind;
	const char             *school;     /* 学校标识码 */
	sqlite3_int64           staff_id;   /* this year's person; 0 when gone */
	const char             *name, *idno;
	const struct set_def   *set;        /* NULL for a person added or gone */
	const char             *record;     /* a many-record set's record: its key fields shown ("2005-09 硕士研究生"); else NULL */
	const struct field_def *field;      /* CHANGE_VALUE */
	const char             *old, *new;  /* CHANGE_VALUE: the values as printed (codes as names), NULL = empty */
	const char             *why;        /* CHANGE_GONE: 人员状态 or the finding */
	int                     finding;    /* CHANGE_GONE: 1 when why is a finding (status does not say) */
};

typedef void (*changes_cb)(const struct change *c, void *arg);

/* One school's counts. */
struct changes_school {
	char *code, *name, *label;   /* label: the baseline's */
	long  people;                /* this year */
	long  baseline;              /* last year */
	long  added, gone, changed;  /* changed: people present both years with any change */
	double rate;                 /* 更新率, 0..1: (added + changed) / people; 0 when no people */
};

/* Compare every school with a baseline (or only school, or only person
 * staff_id when not 0), calling cb for each change in order (school,
 * person, set order, record, field order); cb may be NULL to count only.
 * *sum gets one row per school compared (caller frees with
 * changes_free).  Links people anew first (baseline_link). */
enum jzg_status changes_run(struct store *st, const char *school, sqlite3_int64 staff_id, changes_cb cb,
    void *arg, struct changes_school **sum, size_t *nsum, char **cause);
void changes_free(struct changes_school *sum, size_t n);

struct board_row;

/* Fill update_rate of the board's rows (county.h) and of total (may be
 * NULL: every school with a baseline together) by comparing every school
 * with its baseline: seconds for 100,000 people, so the board calls it
 * only when the file has a baseline, stats and weekly before printing. */
enum jzg_status changes_board(struct store *st, struct board_row *rows, size_t n, struct board_row *total,
    char **cause);

#endif
