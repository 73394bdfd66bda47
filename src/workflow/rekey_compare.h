/* rekey_compare.h — independent double entry (rekey compare): a second
 * keying made in another jzg file (a county re-keying a school's paper
 * forms on another PC, or a school's file keyed twice) compared with this
 * one, person by person (matched by 身份证件号 within the same school code),
 * field by field, the records of many-record sets matched by their natural
 * key (recmatch, the one matcher).  Read-only fields (引自 other sets)
 * follow from others and are not compared.  No curses.
 *
 * A discrepancy is resolved for one side: mine keeps this file's value,
 * theirs stores the other's through the one write path (entry_set, with
 * path rekey, like a merge conflict taken); both are stored in rekey_field
 * (source "compare:<file name>") and written to the audit trail. */
#ifndef JZG_REKEY_COMPARE_H
#define JZG_REKEY_COMPARE_H

#include "store.h"

enum rekey_diff_kind {
	RD_FIELD,         /* a field of a matched record differs */
	RD_MINE_ONLY,     /* a record (or, set NULL, a person) only this file has */
	RD_THEIRS_ONLY    /* a record (or person) only the other file has */
};

/* One discrepancy; the strings are valid during the callback only. */
struct rekey_diff {
	enum rekey_diff_kind    kind;
	sqlite3_int64           staff_id;   /* this file's person; 0 when only theirs */
	const char             *idno, *name;
	const struct set_def   *set;        /* NULL: the person */
	const char             *key;        /* the record's natural key as text, "" for none */
	sqlite3_int64           mine_rec, theirs_rec;  /* record ids (staff ids for one-record sets) */
	const struct field_def *field;      /* RD_FIELD */
	const char             *mine, *theirs;
	int                     kept;       /* RD_FIELD: resolved before for mine (rekey_take) */
};

typedef int (*rekey_diff_cb)(const struct rekey_diff *d, void *arg);

/* Compare this file (school_id, 0: every school) with the file at path,
 * calling cb for every discrepancy, person by person (this file's order),
 * set by set.  The other file is attached read-only and checked first
 * (merge_attach); nothing in either file changes.  A non-zero return of
 * cb stops. */
enum jzg_status rekey_compare(struct store *st, const char *path, sqlite3_int64 school_id, rekey_diff_cb cb,
    void *arg, char **cause);

/* Resolve discrepancy d of the comparison with path: theirs = 0 keeps this
 * file's value, 1 stores the other's (RD_FIELD only: a record or person
 * on one side only is added by merge, not here).  The decision goes to
 * rekey_field and the trail; the file's value changes only for theirs.
 * In the caller's transaction, if any. */
enum jzg_status rekey_take(struct store *st, const char *path, const struct rekey_diff *d, int theirs,
    char **cause);

/* Keep the field discrepancies d[0..n) of the comparison with path still
 * open (not kept before) in rekey_open, replacing those of an earlier
 * comparison with the same file name, so that the clerk can decide them in
 * the client (rekey_begin).  All or nothing. */
enum jzg_status rekey_open_store(struct store *st, const char *path, const struct rekey_diff *const *d, size_t n,
    char **cause);

#endif
