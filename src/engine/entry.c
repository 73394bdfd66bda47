/* entry.c — see entry.h.  One person, one value: the client's write path. */
#include "entry.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "normalize.h"
#include "record.h"
#include "text.h"
#include "util.h"

const struct template_def *
entry_template(struct store *st, sqlite3_int64 staff_id)
{
	sqlite3_stmt *ps;
	const struct template_def *t = NULL;

	/* cached: the client asks once per screen, print and signature per person */
	if (store_cached(st, "SELECT school.template FROM staff JOIN school ON school.id = staff.school_id"
	    " WHERE staff.id = ?", &ps, NULL) != JZG_OK)
		return NULL;
	sqlite3_bind_int64(ps, 1, staff_id);
	if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
		t = defs_template(st->defs, (const char *)sqlite3_column_text(ps, 0));
	sqlite3_reset(ps);
	return t;
}

char *
entry_normalise(const struct defs *d, const struct set_def *s, const struct field_def *f, const char *typed)
{
	int id = str_eq(s->v[SC_NAME], d->setting[SK_PERSON_SET]) && str_eq(f->v[FC_NAME], d->setting[SK_PERSON_ID]);

	return normalize_value(f, typed, id);
}

enum jzg_status
entry_touch(struct store *st, sqlite3_int64 staff_id, char **cause)
{
	sqlite3_stmt *ps;
	enum jzg_status rc = store_cached(st, "UPDATE staff SET updated = datetime('now','localtime') WHERE id = ?",
	    &ps, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(ps, 1, staff_id);
	if (sqlite3_step(ps) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "保存失败：%s", sqlite3_errmsg(st->db));
	sqlite3_reset(ps);
	return rc;
}

enum jzg_status
entry_touch_in(struct store *st, const char *staff_sql, char **cause)
{
	char *sql = xasprintf("UPDATE staff SET updated = datetime('now','localtime') WHERE id IN (%s)", staff_sql);
	enum jzg_status rc = store_exec(st, sql, cause);

	free(sql);
	return rc;
}

/* One statement with one int64 parameter, run once. */
static enum jzg_status
exec_key(struct store *st, const char *sql, sqlite3_int64 key, const char *what, char **cause)
{
	sqlite3_stmt *ps;
	enum jzg_status rc = store_prepare(st, sql, &ps, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(ps, 1, key);
	if (sqlite3_step(ps) != SQLITE_DONE) {
		int ec = sqlite3_errcode(st->db);

		/* a trigger's own message (the person is approved and locked) says more */
		rc = jzg_fail(cause, JZG_ERR_DB, "%s失败：%s", what,
		    (ec & 0xFF) == SQLITE_CONSTRAINT ? sqlite3_errmsg(st->db) : store_errstr(ec));
	}
	sqlite3_finalize(ps);
	return rc;
}

enum jzg_status
entry_delete_person(struct store *st, sqlite3_int64 staff_id, char **cause)
{
	return exec_key(st, "DELETE FROM staff WHERE id = ?", staff_id, "删除", cause);
}

struct entry *
entry_new(struct store *st, sqlite3_int64 staff_id)
{
	const struct template_def *tpl = entry_template(st, staff_id);
	struct entry *e;

	if (tpl == NULL)
		return NULL;
	e = xcalloc(1, sizeof *e);
	e->st = st;
	e->tpl = tpl;
	e->staff_id = staff_id;
	e->load = xcalloc(tpl->nset + 1, sizeof *e->load);
	return e;
}

void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->tpl->nset; i++)
		sqlite3_finalize(e->load[i]);
	free(e->load);
	free(e);
}

/* Is s one of e's template's sets? */
static int
own_set(const struct entry *e, const struct set_def *s)
{
	return s >= e->tpl->set && s < e->tpl->set + e->tpl->nset;
}

static enum jzg_status
not_own(const struct set_def *s, char **cause)
{
	return jzg_fail(cause, JZG_ERR_INVALID, "信息集 %s 不属于此人的模板", s->v[SC_LABEL]);
}

static const char *
key_col(const struct set_def *s)
{
	return s->many ? "id" : "staff_id";
}

/* The statement that loads a record of set s: every value, then every
 * field's relevance (one statement, prepared once per set). */
static sqlite3_stmt *
load_stmt(struct entry *e, const struct set_def *s)
{
	size_t k = (size_t)(s - e->tpl->set);
	struct strbuf cols = { 0 };
	char *sql;

	if (!own_set(e, s))
		return NULL;
	if (e->load[k] != NULL)
		return e->load[k];
	for (size_t j = 0; j < s->nfield; j++)
		strbuf_addf(&cols, "%scur.\"%s\"", j ? ", " : "", s->field[j].v[FC_NAME]);
	for (size_t j = 0; j < s->nfield; j++) {
		char *x = s->field[j].v[FC_RELEVANT] ?
		    expr_sql(s->field[j].v[FC_RELEVANT], s, NULL, EXPR_ROW, NULL, NULL) : NULL;

		strbuf_addf(&cols, ", coalesce((%s), 0)", x ? x : "1");
		free(x);
	}
	sql = xasprintf("SELECT %s FROM \"s_%s\" AS cur WHERE cur.%s = ?", cols.s ? cols.s : "1", s->v[SC_NAME],
	    key_col(s));
	if (sqlite3_prepare_v2(e->st->db, sql, -1, &e->load[k], NULL) != SQLITE_OK) {
		sqlite3_finalize(e->load[k]);
		e->load[k] = NULL;
	}
	free(sql);
	strbuf_free(&cols);
	return e->load[k];
}

int
entry_load(struct entry *e, const struct set_def *s, sqlite3_int64 key, char **val, unsigned char *locked)
{
	sqlite3_stmt *st = load_stmt(e, s);
	int n = (int)s->nfield, found = 0;

	for (int j = 0; j < n; j++) {
		val[j] = NULL;
		locked[j] = 0;
	}
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		for (int j = 0; j < n; j++) {
			if (sqlite3_column_type(st, j) != SQLITE_NULL)
				val[j] = xstrdup((const char *)sqlite3_column_text(st, j));
			locked[j] = sqlite3_column_int(st, n + j) == 0;
		}
	}
	sqlite3_reset(st);
	return found ? 0 : -1;
}

enum jzg_status
entry_open(struct entry *e, const struct set_def *s, char **cause)
{
	char *sql = xasprintf("SELECT 1 FROM \"s_%s\" WHERE staff_id = ?", s->v[SC_NAME]);
	sqlite3_stmt *ps;
	enum jzg_status rc = store_cached(e->st, sql, &ps, cause);
	int exists = 0;

	free(sql);
	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(ps, 1, e->staff_id);
	exists = sqlite3_step(ps) == SQLITE_ROW;
	sqlite3_reset(ps);
	if (exists)
		return JZG_OK;
	if (!own_set(e, s))
		return not_own(s, cause);
	/* a one-record set not yet filled: created with its defaults */
	return record_add(e->st, s, e->staff_id, NULL, cause);
}

enum jzg_status
entry_add(struct entry *e, const struct set_def *s, sqlite3_int64 *id, char **cause)
{
	if (!own_set(e, s))
		return not_own(s, cause);
	if (!s->many)
		return jzg_fail(cause, JZG_ERR_INVALID, "信息集 %s 每人只有一条记录", s->v[SC_LABEL]);
	return record_add(e->st, s, e->staff_id, id, cause);
}

/* Value of a one-column expression over record key of s (EXPR_ROW);
 * *ok is 0 when it could not be read. */
static char *
eval_row(struct entry *e, const struct set_def *s, sqlite3_int64 key, const char *src, int *ok)
{
	char *x = expr_sql(src, s, NULL, EXPR_ROW, NULL, NULL), *sql, *out = NULL;
	sqlite3_stmt *st;

	*ok = 0;
	if (x == NULL)
		return NULL;
	sql = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur WHERE cur.%s = ?", x, s->v[SC_NAME], key_col(s));
	if (store_cached(e->st, sql, &st, NULL) == JZG_OK) {
		sqlite3_bind_int64(st, 1, key);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*ok = 1;
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				out = xstrdup((const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_reset(st);
	}
	free(sql);
	free(x);
	return out;
}

/* What follows from field i of record key having changed: the editable
 * calculate fields that read it, then the fields no longer relevant
 * cleared (twice: a cleared field may unlock another), then the person's
 * derived fields. */
static enum jzg_status
cascade(struct entry *e, const struct set_def *s, sqlite3_int64 key, size_t i, char **cause)
{
	size_t n = s->nfield;
	char **val = xcalloc(n + 1, sizeof *val);
	unsigned char *locked = xcalloc(n + 1, 1), *refs = xcalloc(n + 1, 1);
	enum jzg_status rc = JZG_OK;

	entry_load(e, s, key, val, locked);
	for (size_t j = 0; j < n && rc == JZG_OK; j++) {
		const struct field_def *f = &s->field[j];
		char *x, *v;
		int ok;

		if (j == i || f->readonly || f->v[FC_CALCULATE] == NULL)
			continue;
		memset(refs, 0, n + 1);
		x = expr_sql(f->v[FC_CALCULATE], s, NULL, EXPR_ROW, refs, NULL);
		free(x);
		if (!refs[i])
			continue;
		v = eval_row(e, s, key, f->v[FC_CALCULATE], &ok);
		if (ok && v != NULL && !str_eq(v, val[j]))
			rc = record_set(e->st, s, key, f, v, cause);
		free(v);
	}
	for (int pass = 0; pass < 2 && rc == JZG_OK; pass++) {
		for (size_t j = 0; j < n; j++)
			free(val[j]);
		entry_load(e, s, key, val, locked);
		for (size_t j = 0; j < n && rc == JZG_OK; j++)
			if (locked[j] && val[j] != NULL)
				rc = record_set(e->st, s, key, &s->field[j], NULL, cause);
	}
	if (rc == JZG_OK)
		rc = record_recalc(e->st, e->tpl, e->staff_id, cause);
	for (size_t j = 0; j < n; j++)
		free(val[j]);
	free(val);
	free(locked);
	free(refs);
	return rc;
}

/* End the savepoint `entry` that a change opened: kept when rc is JZG_OK,
 * undone otherwise, so that a change is all or nothing. */
static enum jzg_status
savepoint_end(struct store *st, enum jzg_status rc)
{
	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK TO entry; RELEASE entry", NULL, NULL, NULL);
	else
		sqlite3_exec(st->db, "RELEASE entry", NULL, NULL, NULL);
	return rc;
}

enum jzg_status
entry_set(struct entry *e, const struct set_def *s, sqlite3_int64 key, const struct field_def *f,
    const char *value, char **cause)
{
	enum jzg_status rc;
	const char *why;

	if (!own_set(e, s))
		return not_own(s, cause);
	if ((why = text_fault(value, TEXT_ANY)) != NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "%s%s，未保存", f->v[FC_LABEL], why);
	if ((rc = store_exec(e->st, "SAVEPOINT entry", cause)) != JZG_OK)
		return rc;
	rc = record_set(e->st, s, key, f, value, cause);
	if (rc == JZG_OK)
		rc = entry_touch(e->st, e->staff_id, cause);
	if (rc == JZG_OK)
		rc = cascade(e, s, key, (size_t)(f - s->field), cause);
	return savepoint_end(e->st, rc);
}

enum jzg_status
entry_set_typed(struct entry *e, const struct set_def *s, sqlite3_int64 key, const struct field_def *f,
    const char *typed, char **cause)
{
	char *norm = entry_normalise(e->st->defs, s, f, typed);
	enum jzg_status rc = entry_set(e, s, key, f, norm, cause);

	free(norm);
	return rc;
}

enum jzg_status
entry_delete(struct entry *e, const struct set_def *s, sqlite3_int64 key, char **cause)
{
	char *sql = xasprintf("DELETE FROM \"s_%s\" WHERE id = ?", s->v[SC_NAME]);
	enum jzg_status rc = store_exec(e->st, "SAVEPOINT entry", cause);

	if (rc == JZG_OK && !own_set(e, s))
		rc = not_own(s, cause);
	if (rc == JZG_OK && !s->many)
		rc = jzg_fail(cause, JZG_ERR_INVALID, "信息集 %s 每人只有一条记录", s->v[SC_LABEL]);
	if (rc == JZG_OK)
		rc = exec_key(e->st, sql, key, "删除", cause);
	free(sql);
	if (rc == JZG_OK)
		rc = entry_touch(e->st, e->staff_id, cause);
	if (rc == JZG_OK)
		rc = record_recalc(e->st, e->tpl, e->staff_id, cause);
	return savepoint_end(e->st, rc);
}

char *
entry_previous(struct entry *e, const struct set_def *s, sqlite3_int64 key, const struct field_def *f)
{
	char *sql, *v = NULL;
	sqlite3_stmt *st;

	if (s->many)
		sql = xasprintf("SELECT \"%s\" FROM \"s_%s\" WHERE staff_id = ?1 AND id <> ?2 AND \"%s\" IS NOT NULL"
		    " AND seq <= (SELECT seq FROM \"s_%s\" WHERE id = ?2) ORDER BY seq DESC, id DESC LIMIT 1",
		    f->v[FC_NAME], s->v[SC_NAME], f->v[FC_NAME], s->v[SC_NAME]);
	else
		sql = xasprintf("SELECT t.\"%s\" FROM \"s_%s\" t JOIN staff ON staff.id = t.staff_id"
		    " WHERE staff.school_id = (SELECT school_id FROM staff WHERE id = ?1) AND t.staff_id < ?1"
		    " AND t.\"%s\" IS NOT NULL ORDER BY t.staff_id DESC LIMIT 1", f->v[FC_NAME], s->v[SC_NAME], f->v[FC_NAME]);
	if (sqlite3_prepare_v2(e->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, e->staff_id);
		sqlite3_bind_int64(st, 2, key);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	free(sql);
	return v;
}

int
entry_records(struct entry *e, const struct set_def *s, int ncol, sqlite3_int64 **id, char ***val)
{
	struct strbuf cols = { 0 };
	sqlite3_stmt *st;
	char *sql, *order = NULL;
	int n = 0, cap = 0, nc = (int)s->nfield < ncol ? (int)s->nfield : ncol;

	*id = NULL;
	*val = NULL;
	for (int j = 0; j < nc; j++)
		strbuf_addf(&cols, ", \"%s\"", s->field[j].v[FC_NAME]);
	if (s->v[SC_ORDER_BY] != NULL)
		order = expr_sql(s->v[SC_ORDER_BY], s, NULL, EXPR_ROW, NULL, NULL);
	sql = xasprintf("SELECT id%s FROM \"s_%s\" AS cur WHERE staff_id = ? ORDER BY %s%sseq, id",
	    cols.s ? cols.s : "", s->v[SC_NAME], order ? order : "", order ? ", " : "");
	if (sqlite3_prepare_v2(e->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, e->staff_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				*id = xreallocarray(*id, (size_t)cap, sizeof **id);
				*val = xreallocarray(*val, (size_t)cap * (size_t)ncol, sizeof **val);
			}
			(*id)[n] = sqlite3_column_int64(st, 0);
			for (int j = 0; j < ncol; j++)
				(*val)[n * ncol + j] = j < nc && sqlite3_column_type(st, j + 1) != SQLITE_NULL ?
				    xstrdup((const char *)sqlite3_column_text(st, j + 1)) : NULL;
			n++;
		}
		sqlite3_finalize(st);
	}
	free(sql);
	free(order);
	strbuf_free(&cols);
	return n;
}

static char *
column_dup(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : xstrdup((const char *)sqlite3_column_text(st, i));
}

int
entry_person(struct entry *e, char **name, char **idno, char **school)
{
	const struct defs *d = e->st->defs;
	const struct set_def *ps = template_person_set(d, e->tpl);
	char *sql = xasprintf("SELECT p.\"%s\", p.\"%s\", school.name FROM staff JOIN school ON school.id = staff.school_id"
	    " LEFT JOIN \"s_%s\" p ON p.staff_id = staff.id WHERE staff.id = ?", d->setting[SK_PERSON_NAME],
	    d->setting[SK_PERSON_ID], ps ? ps->v[SC_NAME] : d->setting[SK_PERSON_SET]);
	sqlite3_stmt *st;
	int rc = -1;

	*name = *idno = *school = NULL;
	if (sqlite3_prepare_v2(e->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, e->staff_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*name = column_dup(st, 0);
			*idno = column_dup(st, 1);
			*school = column_dup(st, 2);
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	free(sql);
	return rc;
}

char *
entry_choice_filter(const struct set_def *s, sqlite3_int64 key, const struct field_def *f)
{
	char *x, *where;

	if (f->v[FC_CHOICE_FILTER] == NULL)
		return NULL;
	/* the choice_filter of the definitions, with this record's values */
	if ((x = expr_sql(f->v[FC_CHOICE_FILTER], s, NULL, EXPR_ROW, NULL, NULL)) == NULL)
		return NULL;
	where = xasprintf("EXISTS(SELECT 1 FROM \"s_%s\" AS cur WHERE cur.%s = %lld AND (%s))", s->v[SC_NAME],
	    key_col(s), (long long)key, x);
	free(x);
	return where;
}
