/* prior.h — a person's data against last year's (the baseline, baseline.h)
 * as the client marks it: which values changed and what they were, which
 * records are new this year, which of last year's records are gone; and the
 * people of a school with any change (the staff list's 有变化).  The
 * comparisons are pview's (one person, pview.h prior) and changes_run's (a
 * school): this module only indexes their answers for the screens, so that
 * the screen, the sheet and `jzg changes` cannot disagree.  No curses. */
#ifndef JZG_PRIOR_H
#define JZG_PRIOR_H

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"

struct prior;

/* The marks of person staff_id, keyed with template tpl (the person's),
 * computed now.  *out is NULL when the person's school has no baseline:
 * nothing to mark, not a failure.  Caller frees with prior_free (before
 * closing st). */
enum jzg_status prior_new(struct store *st, const struct template_def *tpl, sqlite3_int64 staff_id,
    struct prior **out, char **cause);
void prior_free(struct prior *m);

/* Compute the marks again (one query per set, as the sheet reads a
 * person): after each committed change. */
enum jzg_status prior_load(struct prior *m, char **cause);

/* The baseline's label ("2025年"); borrowed. */
const char *prior_label(const struct prior *m);

/* 1 when the person loaded is not in last year's data (all of it is new). */
int prior_person_new(const struct prior *m);

/* 1 when the person has any change since last year (new this year, or a
 * set changed): what keeps the person in the staff list's 有变化. */
int prior_changed(const struct prior *m);

/* Set k is tpl->set[k]; rec is the record's id (a many-record set) or the
 * staff id (a one-record set), as the client keys its forms.
 *
 * Last year's value of field j of record rec, as printed (codes as names),
 * when it changed: "" when it was empty, NULL when unchanged or when the
 * record is new.  Borrowed until the next prior_load. */
const char *prior_value(const struct prior *m, size_t k, sqlite3_int64 rec, size_t j);
/* 1 when record rec of set k is new this year. */
int prior_record_new(const struct prior *m, size_t k, sqlite3_int64 rec);
/* How many values of record rec of set k changed. */
int prior_record_changed(const struct prior *m, size_t k, sqlite3_int64 rec);
/* 1 when set k has any change: a value, a new record or a gone one. */
int prior_set_changed(const struct prior *m, size_t k);
/* Last year's records of set k this year lacks: the count, and in *labels
 * (borrowed until the next prior_load) each as its natural key shows it. */
size_t prior_gone(const struct prior *m, size_t k, char *const **labels);

/* What the client's 去年 key says, in Chinese (a new string, caller frees):
 * of field j of record rec of set k (its value last year, or that it is
 * unchanged, or that the record is new); with j < 0 of the record (which
 * values changed); with rec 0 of the set (records new, changed, gone).
 * Last year's records this year lacks are named with the record and the
 * set; a person new this year is said to be. */
char *prior_describe(const struct prior *m, size_t k, sqlite3_int64 rec, int j);

/* The label of school's baseline ("2025年"), or NULL when it has none (an
 * older file without the tables too).  Caller frees. */
char *prior_school_label(struct store *st, const char *school);

/* The people of school with any change since its baseline, people added
 * this year included (changes_run, which links people anew first): *ids
 * sorted (caller frees), *n of them; *gone gets the count of last year's
 * people no longer in the file and *added of this year's new people (each
 * may be NULL).  No baseline: none. */
enum jzg_status prior_people(struct store *st, const char *school, sqlite3_int64 **ids, size_t *n,
    long *added, long *gone, char **cause);

#endif
