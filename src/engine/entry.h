/* entry.h — the one write path of a person's data.  No curses.
 *
 * Every way a person's values change goes through here: the client's form
 * (one value at a time), import and demo (a whole record held in memory).
 * Both build the same row from the same definitions: a typed value is
 * normalised (normalize_value), a new record starts from the template's
 * defaults, the `calculate` expressions of editable fields derive their
 * values (出生日期 and 性别 from the ID number), fields no longer relevant
 * are cleared, the read-only derived (引自) fields are recomputed
 * (record_recalc) and `staff.updated` is stamped.
 *
 * Nothing here begins or commits a transaction: each change runs inside the
 * caller's (a SAVEPOINT undoes just the refused value), and every write
 * goes through the store's tables, so the audit triggers see it.  No C code
 * here names an indicator: everything comes from the definitions. */
#ifndef JZG_ENTRY_H
#define JZG_ENTRY_H

#include <sqlite3.h>

#include "jpeg.h"
#include "store.h"

/* The template of staff member staff_id, or NULL when the person or the
 * template is unknown.  Borrowed from st->defs. */
const struct template_def *entry_template(struct store *st, sqlite3_int64 staff_id);

/* The form of what a clerk typed that the store keeps, for field f of set s
 * (the person's 身份证件号 gets the ID rules).  NULL in, NULL out; caller
 * frees. */
char *entry_normalise(const struct defs *d, const struct set_def *s, const struct field_def *f,
    const char *typed);

/* Stamp staff.updated of a person whose data changed; entry_touch_in of
 * every person whose id staff_sql (a one-column SELECT) yields. */
enum jzg_status entry_touch(struct store *st, sqlite3_int64 staff_id, char **cause);
enum jzg_status entry_touch_in(struct store *st, const char *staff_sql, char **cause);

/* Delete a person and every record (the tables cascade from staff). */
enum jzg_status entry_delete_person(struct store *st, sqlite3_int64 staff_id, char **cause);

/* ------------------------------------------------------- one person, one value */

/* A person being edited value by value (the client's form).  The sets
 * passed to its functions are the template's (tpl->set[k]): a set of
 * another template is refused. */
struct entry {
	struct store              *st;
	const struct template_def *tpl;       /* borrowed */
	sqlite3_int64              staff_id;
	sqlite3_stmt             **load;      /* per set of tpl: entry_load's statement */
};

/* The editor of person staff_id, or NULL when the person or the template
 * is unknown.  Free with entry_free. */
struct entry *entry_new(struct store *st, sqlite3_int64 staff_id);
void entry_free(struct entry *e);

/* Load record key (staff_id for a one-record set, the record id for a
 * many-record set) of set s: val[j] gets a new string or NULL (caller
 * frees; the old values are not freed), locked[j] 1 when field j is not
 * relevant now.  Returns 0, or -1 when the record is not there. */
int entry_load(struct entry *e, const struct set_def *s, sqlite3_int64 key, char **val,
    unsigned char *locked);

/* The record of one-record set s, created with the template's defaults if
 * the person has none yet. */
enum jzg_status entry_open(struct entry *e, const struct set_def *s, char **cause);

/* Add a record with the template's defaults to many-record set s; *id gets
 * its id. */
enum jzg_status entry_add(struct entry *e, const struct set_def *s, sqlite3_int64 *id, char **cause);

/* Store value (NULL or "" clears) in field f of record key of set s, then
 * what follows from it: the calculate fields it feeds, the fields no
 * longer relevant cleared, the derived fields of the person recomputed,
 * staff.updated stamped.  All or nothing: a refused value leaves the
 * record as it was. */
enum jzg_status entry_set(struct entry *e, const struct set_def *s, sqlite3_int64 key,
    const struct field_def *f, const char *value, char **cause);

/* entry_set of what a clerk typed, normalised first (entry_normalise). */
enum jzg_status entry_set_typed(struct entry *e, const struct set_def *s, sqlite3_int64 key,
    const struct field_def *f, const char *typed, char **cause);

/* Delete record key of many-record set s and recompute what derives from it. */
enum jzg_status entry_delete(struct entry *e, const struct set_def *s, sqlite3_int64 key, char **cause);

/* The records of many-record set s, in the order the definitions give
 * (order_by, then as entered): *id gets their ids, *val the first ncol
 * values of each, val[i * ncol + j] (NULL when empty).  Both are new arrays
 * (caller frees them and each string).  Returns their number. */
int entry_records(struct entry *e, const struct set_def *s, int ncol, sqlite3_int64 **id, char ***val);

/* The person's 姓名, 身份证件号 and school name (each new or NULL; caller
 * frees).  Returns 0, or -1 when the person is not there. */
int entry_person(struct entry *e, char **name, char **idno, char **school);

/* The SQL condition (over temp.code) that field f's choice_filter puts on
 * the codes offered for record key of set s, or NULL when it has none
 * (caller frees). */
char *entry_choice_filter(const struct set_def *s, sqlite3_int64 key, const struct field_def *f);

/* The value of field f in the record before key (many-record set) or in
 * the previous person of the school (one-record set): F4 “repeat”.  NULL
 * when there is none; caller frees. */
char *entry_previous(struct entry *e, const struct set_def *s, sqlite3_int64 key, const struct field_def *f);

/* ------------------------------------------------------------- the photo */

/* What the definitions ask of a photo (forms/settings.tsv photo_*): the
 * proportions in mm, the least pixels (photo_min_dpi), the byte limit, and
 * the pixels the fix makes (photo_fix_dpi). */
struct photo_spec {
	double w_mm, h_mm, tolerance;
	int    min_w, min_h;
	int    fix_w, fix_h, fix_dpi;
	size_t max_bytes;
};

void entry_photo_spec(const struct defs *d, struct photo_spec *sp);

/* Why buf is no photo of the spec, or JZG_OK (then *info has its pixels,
 * info may be NULL).  In order: not a JPEG (or more than JPEG_MAX_PIXELS),
 * too large (bytes), too small (pixels), wrong proportions, damaged data
 * (a whole decode).  *fixable (may be NULL) is 1 when entry_photo_fix can
 * make it good (only size or proportions wrong). */
enum jzg_status entry_photo_judge(const struct photo_spec *sp, const unsigned char *buf, size_t len,
    struct jpeg_info *info, int *fixable, char **cause);

/* buf cropped to the proportions, scaled to fix_w × fix_h (never up) and
 * re-encoded under max_bytes (jpeg_fix), then judged: *out new (caller
 * frees), *outlen. */
enum jzg_status entry_photo_fix(const struct photo_spec *sp, const unsigned char *buf, size_t len,
    unsigned char **out, size_t *outlen, char **cause);

/* Make buf (judged first: a refused file changes nothing) the photo of
 * staff_id, stamping staff.updated; an identical photo changes nothing
 * (*changed 0; changed may be NULL).  A SAVEPOINT inside the caller's
 * transaction, like every entry change; the audit triggers keep its hash
 * and size, and an approved person's photo is locked like the rest. */
enum jzg_status entry_photo_set(struct store *st, sqlite3_int64 staff_id, const unsigned char *buf, size_t len,
    int *changed, char **cause);

/* Remove staff_id's photo (nothing to remove is no error). */
enum jzg_status entry_photo_remove(struct store *st, sqlite3_int64 staff_id, int *changed, char **cause);

/* --------------------------------------------- a whole record held in memory */

/* A definition expression compiled over a record held in memory
 * (EXPR_PARAM): the values are bound, no table is read. */
struct entry_expr {
	sqlite3_stmt *stmt;    /* NULL when the definition has none */
	int          *ref;     /* field indexes it reads */
	int           nref;
	int           staff;   /* parameter number of ${_staff}, 0 if unused */
};

/* Compile src (NULL: none, unless wrap is given, then "1") for set s; self
 * is what `.` stands for.  wrap is the statement around the expression, a
 * printf format with one %s (NULL: "SELECT (%s)").  Free with
 * entry_expr_free, also after a failure. */
enum jzg_status entry_expr_compile(struct store *st, const struct set_def *s, const char *src,
    const char *self, const char *wrap, struct entry_expr *e, char **cause);
void entry_expr_free(struct entry_expr *e);

/* Reset e and bind the values it reads from val (by field index) and
 * staff; the caller steps e->stmt. */
void entry_expr_bind(struct entry_expr *e, const struct set_def *s, char **val, sqlite3_int64 staff);

/* The first column of e's first row over val (caller frees), or NULL. */
char *entry_expr_value(struct entry_expr *e, const struct set_def *s, char **val, sqlite3_int64 staff);

/* Bind v as parameter i the way the store column of f holds it, so that
 * numbers compare as numbers in memory just as over stored rows. */
void entry_bind_value(sqlite3_stmt *ps, int i, const struct field_def *f, const char *v);

/* The compiled defaults, calculate and relevant expressions of one set, for
 * records built in memory (import, demo).  Free with entry_row_free. */
struct entry_row;

enum jzg_status entry_row_new(struct store *st, const struct set_def *s, struct entry_row **out,
    char **cause);
void entry_row_free(struct entry_row *r);

/* Complete in place a record of person staff_id held in val (owned, by
 * field index), as the client would have built it from the same values
 * typed into a new record: with fresh, the template's defaults fill the
 * empty fields; an empty editable calculate field gets its value (出生日期
 * from the ID number); a value so filled in a field that is not relevant
 * is dropped.  What val already held is never changed: a value the file
 * gives in a field that is not relevant stays, for the checks to report. */
void entry_row_fill(struct entry_row *r, char **val, sqlite3_int64 staff_id, int fresh);

/* The value of the calculate expression of editable field j over val
 * (caller frees), or NULL. */
char *entry_row_calc(struct entry_row *r, size_t j, char **val, sqlite3_int64 staff_id);

#endif
