/* entry_row.c — see entry.h.  A whole record held in memory: the write path
 * of import and demo, built from the same definitions as the client's. */
#include "entry.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "util.h"

enum jzg_status
entry_expr_compile(struct store *st, const struct set_def *s, const char *src, const char *self,
    const char *wrap, struct entry_expr *e, char **cause)
{
	unsigned char *refs;
	char *sql, *q;

	memset(e, 0, sizeof *e);
	if (src == NULL && wrap == NULL)
		return JZG_OK;
	refs = xcalloc(s->nfield + 1, 1);
	if (src != NULL) {
		if ((sql = expr_sql(src, s, self, EXPR_PARAM, refs, cause)) == NULL) {
			free(refs);
			return JZG_ERR_DEFS;
		}
	} else
		sql = xstrdup("1");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	q = xasprintf(wrap ? wrap : "SELECT (%s)", sql);
#pragma GCC diagnostic pop
	if (sqlite3_prepare_v2(st->db, q, -1, &e->stmt, NULL) != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_DEFS, "表达式有错（%s）：%s", src ? src : "", sqlite3_errmsg(st->db));
		sqlite3_finalize(e->stmt);
		e->stmt = NULL;
		free(refs);
		free(sql);
		free(q);
		return JZG_ERR_DEFS;
	}
	e->ref = xcalloc(s->nfield + 1, sizeof *e->ref);
	for (size_t i = 0; i < s->nfield; i++)
		if (refs[i])
			e->ref[e->nref++] = (int)i;
	if (sqlite3_bind_parameter_count(e->stmt) == (int)s->nfield + 1)
		e->staff = (int)s->nfield + 1;
	free(refs);
	free(sql);
	free(q);
	return JZG_OK;
}

void
entry_expr_free(struct entry_expr *e)
{
	sqlite3_finalize(e->stmt);
	free(e->ref);
	memset(e, 0, sizeof *e);
}

void
entry_bind_value(sqlite3_stmt *ps, int i, const struct field_def *f, const char *v)
{
	char *end;

	if (v == NULL) {
		sqlite3_bind_null(ps, i);
		return;
	}
	if (fieldtype_of(f)->places >= 0) {
		double d = strtod(v, &end);

		if (*end == '\0' && end != v) {
			if (fieldtype_of(f)->places == 0 && strchr(v, '.') == NULL)
				sqlite3_bind_int64(ps, i, strtoll(v, NULL, 10));
			else
				sqlite3_bind_double(ps, i, d);
			return;
		}
	}
	sqlite3_bind_text(ps, i, v, -1, SQLITE_TRANSIENT);
}

void
entry_expr_bind(struct entry_expr *e, const struct set_def *s, char **val, sqlite3_int64 staff)
{
	sqlite3_reset(e->stmt);
	for (int k = 0; k < e->nref; k++)
		entry_bind_value(e->stmt, e->ref[k] + 1, &s->field[e->ref[k]], val[e->ref[k]]);
	if (e->staff)
		sqlite3_bind_int64(e->stmt, e->staff, staff);
}

char *
entry_expr_value(struct entry_expr *e, const struct set_def *s, char **val, sqlite3_int64 staff)
{
	char *out = NULL;

	if (e->stmt == NULL)
		return NULL;
	entry_expr_bind(e, s, val, staff);
	if (sqlite3_step(e->stmt) == SQLITE_ROW && sqlite3_column_type(e->stmt, 0) != SQLITE_NULL)
		out = xstrdup((const char *)sqlite3_column_text(e->stmt, 0));
	sqlite3_reset(e->stmt);
	return out;
}

struct entry_row {
	struct store         *st;
	const struct set_def *s;
	int                   any;        /* some field has a default or calculate */
	struct entry_expr    *def;        /* `=` defaults */
	struct entry_expr    *calc;       /* calculate of editable fields */
	struct entry_expr    *rel;        /* relevant */
	unsigned char        *filled;     /* entry_row_fill: filled here, not given */
};

enum jzg_status
entry_row_new(struct store *st, const struct set_def *s, struct entry_row **out, char **cause)
{
	struct entry_row *r = xcalloc(1, sizeof *r);
	enum jzg_status rc = JZG_OK;
	size_t n = s->nfield + 1;

	r->st = st;
	r->s = s;
	r->def = xcalloc(n, sizeof *r->def);
	r->calc = xcalloc(n, sizeof *r->calc);
	r->rel = xcalloc(n, sizeof *r->rel);
	r->filled = xcalloc(n, 1);
	for (size_t j = 0; j < s->nfield && rc == JZG_OK; j++) {
		const struct field_def *f = &s->field[j];
		const char *def = f->v[FC_DEFAULT];

		if (f->readonly)
			continue;
		if (def != NULL || f->v[FC_CALCULATE] != NULL)
			r->any = 1;
		if ((rc = entry_expr_compile(st, s, def && def[0] == '=' ? def + 1 : NULL, NULL, NULL, &r->def[j], cause)) ||
		    (rc = entry_expr_compile(st, s, f->v[FC_CALCULATE], NULL, NULL, &r->calc[j], cause)))
			break;
		rc = entry_expr_compile(st, s, f->v[FC_RELEVANT], NULL, NULL, &r->rel[j], cause);
	}
	if (rc != JZG_OK) {
		entry_row_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

void
entry_row_free(struct entry_row *r)
{
	if (r == NULL)
		return;
	for (size_t j = 0; j < r->s->nfield; j++) {
		entry_expr_free(&r->def[j]);
		entry_expr_free(&r->calc[j]);
		entry_expr_free(&r->rel[j]);
	}
	free(r->def);
	free(r->calc);
	free(r->rel);
	free(r->filled);
	free(r);
}

char *
entry_row_calc(struct entry_row *r, size_t j, char **val, sqlite3_int64 staff_id)
{
	return entry_expr_value(&r->calc[j], r->s, val, staff_id);
}

enum fill { FILL_DEFAULT_PLAIN, FILL_CALC, FILL_DEFAULT };

/* Fill the empty editable fields: by their calculate (FILL_CALC), or by
 * their default (fresh records only; FILL_DEFAULT_PLAIN leaves the fields
 * that have a calculate for it). */
static void
fill(struct entry_row *r, char **val, sqlite3_int64 staff_id, int fresh, enum fill how)
{
	const struct set_def *s = r->s;

	for (size_t j = 0; j < s->nfield; j++) {
		const struct field_def *f = &s->field[j];
		char *v;

		if (val[j] != NULL || f->readonly)
			continue;
		if (how == FILL_CALC)
			v = entry_row_calc(r, j, val, staff_id);
		else if (!fresh || f->v[FC_DEFAULT] == NULL || (how == FILL_DEFAULT_PLAIN && f->v[FC_CALCULATE] != NULL))
			continue;
		else if (f->v[FC_DEFAULT][0] == '=')
			v = entry_expr_value(&r->def[j], s, val, staff_id);
		else
			v = xstrdup(f->v[FC_DEFAULT]);
		if ((val[j] = v) != NULL)
			r->filled[j] = 1;
	}
}

void
entry_row_fill(struct entry_row *r, char **val, sqlite3_int64 staff_id, int fresh)
{
	const struct set_def *s = r->s;

	if (!r->any)
		return;
	memset(r->filled, 0, s->nfield + 1);
	/* As the client: a new record holds its defaults before anything is
	 * typed, so the calculate fields see them (出生日期 needs 身份证件类型);
	 * a field with both a default and a calculate gets its calculated value
	 * first, as typing what it reads would have set it, and its default only
	 * when the calculation gives nothing. */
	fill(r, val, staff_id, fresh, FILL_DEFAULT_PLAIN);
	fill(r, val, staff_id, fresh, FILL_CALC);
	fill(r, val, staff_id, fresh, FILL_DEFAULT);
	/* what was filled here where it is not relevant goes (twice: a value
	 * dropped may make another irrelevant) */
	for (int pass = 0; pass < 2; pass++)
		for (size_t j = 0; j < s->nfield; j++) {
			char *rel;

			if (!r->filled[j] || val[j] == NULL || r->rel[j].stmt == NULL)
				continue;
			rel = entry_expr_value(&r->rel[j], s, val, staff_id);
			if (rel == NULL || strtod(rel, NULL) == 0) {
				free(val[j]);
				val[j] = NULL;
			}
			free(rel);
		}
}
