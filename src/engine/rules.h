/* rules.h — the one rules engine: every check the definitions imply (field
 * rules derived from forms/sets, the rows of forms/checks.tsv, stale derived
 * values), compiled to SQL and run by SQLite over the stored rows.  Used by
 * the check report over a whole file, by the entry screens on one record and
 * by import.  No curses.
 *
 * Per template and set there is ONE statement that evaluates every rule of
 * that set for each stored row, one result column per rule (NULL = holds,
 * anything else = violated, sometimes with a detail such as the bad code).
 * Running whole sets in SQLite rather than row by row in C is what keeps a
 * 100,000-person file within seconds (docs/checks.md §Benchmark).
 *
 * Rule ids: a checks.tsv row keeps its name; a field rule is `<kind>:<FIELD>`
 * (required:XM, format:CSRQ, code:MZM, derived:ZGXLM …, kinds in
 * rules_kind.c); set-level completeness (forms/sets.tsv `required`) is
 * `records:<set>`, an error whose finding names the set with row 0.
 * Findings are error or warning; a warning can be explained (table
 * explanation), then it is still reported but marked explained. */
#ifndef JZG_RULES_H
#define JZG_RULES_H

#include <sqlite3.h>

#include "store.h"

struct rules;

struct finding {
	const char                *rule;      /* rule id; owned by the rules */
	const struct template_def *tpl;
	const struct set_def      *set;       /* the template's set */
	const struct field_def    *field;     /* NULL when a check names no field */
	int                        warning;   /* 0 = error */
	sqlite3_int64              staff_id;
	sqlite3_int64              key;       /* staff_id (one-record set) or record id, as record_set */
	int                        row;       /* 1-based position by seq in the person's set; 1 for one-record sets;
	                                       * 0: the person has no record in set, which is required */
	const char                *message;   /* Chinese; valid during the callback only */
	const char                *explained; /* the reason when explained, else NULL; valid during the callback */
};

/* Called once per finding; return non-zero to stop (rules_check* then
 * returns JZG_OK). */
typedef int (*rules_cb)(const struct finding *f, void *arg);

/* Which stored rows to check: 0 = any. */
struct rules_scope {
	sqlite3_int64 school_id;
	sqlite3_int64 staff_id;
};

/* Compile every rule of every template of st->defs.  st must outlive the
 * rules.  Returns NULL with a Chinese cause (caller frees) when an expression
 * does not translate.  Caller frees with rules_free. */
struct rules *rules_new(struct store *st, char **cause);
void rules_free(struct rules *r);

/* Check every stored row in scope (all templates, all sets).  The whole
 * file, or a school of 2,000 persons or more, is checked on two threads
 * (a second read-only connection to the same file) unless the store's
 * connection has a transaction open or JZG_CHECK_THREADS=1; cb is then
 * called on the caller's thread after the check, in the same order as on
 * one thread. */
enum jzg_status rules_check(struct rules *r, const struct rules_scope *scope, rules_cb cb,
    void *arg, char **cause);

/* Check one stored record: key is staff_id for a one-record set, the record
 * id for a many-record set (as record_set).  t and s are the template and
 * one of its sets (pointers into st->defs). */
enum jzg_status rules_check_record(struct rules *r, const struct template_def *t,
    const struct set_def *s, sqlite3_int64 key, rules_cb cb, void *arg, char **cause);

/* Record why a warning is acceptable.  set_name may be NULL when the rule
 * belongs to one set only; row is the 1-based row (by seq) of a many-record
 * set, 0 when the person has just one row there or the set is one-record.
 * Refuses errors (they must be fixed), unknown rules and rows, and an empty
 * reason.  Replaces an earlier explanation of the same finding. */
enum jzg_status rules_explain(struct rules *r, sqlite3_int64 staff_id, const char *rule,
    const char *set_name, int row, const char *reason, char **cause);

#endif
