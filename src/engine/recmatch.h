/* recmatch.h — match two keyings of the same people record by record and
 * field by field: last year's baseline against this year's data (changes,
 * prior-year rules), or a second keying against the first (rekey
 * compare).  No curses.
 *
 * Records of a many-record set are matched by the set's natural key, data
 * in forms/sets.tsv (column key, e.g. 学习经历 by 入学年月 and 获得学历;
 * defs.h set_key_fields), so that an added degree is one added record, not
 * every later row shifted.  Among records with the same key, identical
 * ones pair first (the same records read back in another order), the
 * others in entry order; a set without a key is one such group.  A
 * one-record set is one record per person.  Values compare as text, empty
 * and NULL alike (what the store, the template and the sheet show).
 *
 * Two entry points: recmatch_person for the records of one person held in
 * memory, and recmatch_stream for two SQL statements that yield many
 * people's records in one pass each (100,000 people in a second; a query
 * per person is ten times slower).  Both report through one callback. */
#ifndef JZG_RECMATCH_H
#define JZG_RECMATCH_H

#include <sqlite3.h>
#include <stddef.h>

#include "defs.h"
#include "status.h"

/* The key SQL of set s's rows named alias: set_key_sql (defs.h), which
 * the statements of recmatch_stream use.  Returns a new string (caller
 * frees). */
static inline char *recmatch_key_sql(const struct set_def *s, const char *alias) { return set_key_sql(s, alias); }

/* One record as the matcher sees it; nothing here is owned by the matcher. */
struct recmatch_rec {
	sqlite3_int64       id;    /* the caller's: record id, or staff id of a one-record set */
	const char         *key;   /* natural key text as recmatch_key_sql gives it */
	const char *const  *v;     /* values in the set's field order (nfield), NULL = empty */
};

enum recmatch_kind {
	RM_ADDED,     /* a record only the new side has (old is NULL) */
	RM_REMOVED,   /* a record only the old side has (new is NULL) */
	RM_CHANGED    /* a field of a matched record differs (field is its index) */
};

/* One difference.  The pointers are valid only during the callback. */
struct recmatch_diff {
	enum recmatch_kind         kind;
	sqlite3_int64              person;   /* recmatch_stream: the pair's id; recmatch_person: 0 */
	const struct set_def      *set;
	const struct recmatch_rec *old, *new;
	int                        field;    /* RM_CHANGED: index into set->field; else -1 */
};

/* Called once per difference, in key order, a record's fields in set
 * order; a non-zero return stops the match (the recmatch_* call then
 * returns JZG_OK at once). */
typedef int (*recmatch_cb)(const struct recmatch_diff *d, void *arg);

/* Match one person's records of set s: old[0..nold) against new[0..nnew),
 * each in entry order (which pairs records of equal key); the arrays are
 * not changed.  Returns JZG_OK. */
enum jzg_status recmatch_person(const struct set_def *s, struct recmatch_rec *old, size_t nold,
    struct recmatch_rec *new, size_t nnew, recmatch_cb cb, void *arg);

/* Match many people in one pass.  Each statement (prepared and bound by
 * the caller, who keeps ownership and finalizes it; stepped to the end
 * here) yields one row per record:
 *   column 0  the person's pair id (INTEGER; the same person has the same
 *             id on both sides), ascending;
 *   column 1  the record's id;
 *   column 2  its key (recmatch_key_sql);
 *   column 3… the set's fields in order (set->nfield columns).
 * A person present on one side only has all records added or removed;
 * callers that want people matched first (changes) yield only pairs. */
enum jzg_status recmatch_stream(const struct set_def *s, sqlite3_stmt *old, sqlite3_stmt *new,
    recmatch_cb cb, void *arg, char **cause);

#endif
