/* record.h — people and their records in the store: create with defaults,
 * set one value (committed at once), refresh derived values.  No curses.
 *
 * Every call is its own transaction unless the caller holds one, so that a
 * value is on disk the moment the user leaves its field. */
#ifndef JZG_RECORD_H
#define JZG_RECORD_H

#include <sqlite3.h>

#include "store.h"

/* Create a person in school (staff row + a person-set record with the
 * template's defaults).  *staff_id gets the new id. */
enum jzg_status record_new_staff(struct store *st, sqlite3_int64 school_id,
    const struct template_def *tpl, sqlite3_int64 *staff_id, char **cause);

/* Add a record with defaults (rowid may be NULL, else gets its id).  A
 * one-record set takes one only while the person has none. */
enum jzg_status record_add(struct store *st, const struct set_def *s, sqlite3_int64 staff_id,
    sqlite3_int64 *rowid, char **cause);

/* Default value of field f for a new record of person staff_id: the literal,
 * or the value of an `=` expression.  Returns a new string or NULL (caller
 * frees). */
char *record_default(struct store *st, const struct set_def *s, const struct field_def *f,
    sqlite3_int64 staff_id);

/* Store value (NULL or "" clears) in field f of the record key (staff_id for
 * a one-record set, the record id for a many-record set). */
enum jzg_status record_set(struct store *st, const struct set_def *s, sqlite3_int64 key,
    const struct field_def *f, const char *value, char **cause);

/* The person whose 身份证件号 (settings: person_id) is idno, as typed or
 * normalised (full-width digits, lower-case x).  *staff_id gets the id;
 * label (may be NULL) gets "姓名 身份证件号" (caller frees).  Fails with a
 * Chinese cause: JZG_ERR_NOTFOUND when nobody has it, JZG_ERR_EXISTS when
 * several people do. */
enum jzg_status record_find_staff(struct store *st, const char *idno, sqlite3_int64 *staff_id,
    char **label, char **cause);

/* Recompute the read-only derived fields (引自 other sets) of a person. */
enum jzg_status record_recalc(struct store *st, const struct template_def *tpl,
    sqlite3_int64 staff_id, char **cause);

/* record_recalc for every person whose id staff_sql (a SELECT of one
 * column, e.g. over a temp table) yields: one UPDATE per set, for import. */
enum jzg_status record_recalc_in(struct store *st, const struct template_def *tpl,
    const char *staff_sql, sqlite3_int64 staff_id, char **cause);

#endif
