/* record.c — see record.h. */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "idcard.h"
#include "util.h"

char *
record_default(struct store *st, const struct set_def *s, const struct field_def *f,
    sqlite3_int64 staff_id)
{
	const char *def = f->v[FC_DEFAULT];
	char *sql, *q, *out = NULL;
	sqlite3_stmt *ps;

	if (def == NULL)
		return NULL;
	if (def[0] != '=')
		return xstrdup(def);
	if ((sql = expr_sql(def + 1, s, NULL, EXPR_PARAM, NULL, NULL)) == NULL)
		return NULL;
	q = xasprintf("SELECT (%s)", sql);
	if (sqlite3_prepare_v2(st->db, q, -1, &ps, NULL) == SQLITE_OK) {
		if (sqlite3_bind_parameter_count(ps) >= (int)s->nfield + 1)
			sqlite3_bind_int64(ps, (int)s->nfield + 1, staff_id);
		if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
			out = xstrdup((const char *)sqlite3_column_text(ps, 0));
		sqlite3_finalize(ps);
	}
	free(q);
	free(sql);
	return out;
}

static enum jzg_status
insert_with_defaults(struct store *st, const struct set_def *s, sqlite3_int64 staff_id,
    sqlite3_int64 *rowid, char **cause)
{
	struct strbuf cols = { 0 }, vals = { 0 };
	char **dv = xcalloc(s->nfield ? s->nfield : 1, sizeof *dv);
	sqlite3_stmt *ps;
	enum jzg_status rc;
	int n = 1;
	char *sql;

	strbuf_adds(&cols, "staff_id");
	strbuf_adds(&vals, "?1");
	if (s->many) {
		strbuf_adds(&cols, ", seq");
		strbuf_addf(&vals, ", (SELECT coalesce(max(seq), 0) + 1 FROM \"s_%s\" WHERE staff_id = ?1)",
		    s->v[SC_NAME]);
	}
	for (size_t j = 0; j < s->nfield; j++) {
		if ((dv[j] = record_default(st, s, &s->field[j], staff_id)) == NULL)
			continue;
		strbuf_addf(&cols, ", \"%s\"", s->field[j].v[FC_NAME]);
		strbuf_addf(&vals, ", ?%d", ++n);
	}
	sql = xasprintf("INSERT INTO \"s_%s\"(%s) VALUES(%s)", s->v[SC_NAME], cols.s, vals.s);
	rc = store_prepare(st, sql, &ps, cause);
	if (rc == JZG_OK) {
		sqlite3_bind_int64(ps, 1, staff_id);
		n = 1;
		for (size_t j = 0; j < s->nfield; j++)
			if (dv[j] != NULL)
				sqlite3_bind_text(ps, ++n, dv[j], -1, SQLITE_STATIC);
		if (sqlite3_step(ps) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "保存失败：%s", store_errstr(sqlite3_errcode(st->db)));
		else if (rowid != NULL)
			*rowid = sqlite3_last_insert_rowid(st->db);
		sqlite3_finalize(ps);
	}
	for (size_t j = 0; j < s->nfield; j++)
		free(dv[j]);
	free(dv);
	free(sql);
	strbuf_free(&cols);
	strbuf_free(&vals);
	return rc;
}

enum jzg_status
record_new_staff(struct store *st, sqlite3_int64 school_id, const struct template_def *tpl,
    sqlite3_int64 *staff_id, char **cause)
{
	const struct set_def *ps = template_person_set(st->defs, tpl);
	sqlite3_stmt *s;
	enum jzg_status rc;

	if (ps == NULL)
		return jzg_fail(cause, JZG_ERR_DEFS, "模板 %s 没有人员信息集", tpl->v[TC_NAME]);
	if ((rc = store_exec(st, "SAVEPOINT new_staff", cause)) != JZG_OK)
		return rc;
	rc = store_prepare(st, "INSERT INTO staff(school_id) VALUES(?)", &s, cause);
	if (rc == JZG_OK) {
		sqlite3_bind_int64(s, 1, school_id);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "添加人员失败：%s", store_errstr(sqlite3_errcode(st->db)));
		sqlite3_finalize(s);
	}
	if (rc == JZG_OK) {
		*staff_id = sqlite3_last_insert_rowid(st->db);
		rc = insert_with_defaults(st, ps, *staff_id, NULL, cause);
	}
	if (rc != JZG_OK) {
		sqlite3_exec(st->db, "ROLLBACK TO new_staff; RELEASE new_staff", NULL, NULL, NULL);
		return rc;
	}
	return store_exec(st, "RELEASE new_staff", cause);
}

enum jzg_status
record_add(struct store *st, const struct set_def *s, sqlite3_int64 staff_id, sqlite3_int64 *rowid,
    char **cause)
{
	return insert_with_defaults(st, s, staff_id, rowid, cause);
}

enum jzg_status
record_set(struct store *st, const struct set_def *s, sqlite3_int64 key, const struct field_def *f,
    const char *value, char **cause)
{
	char *sql = xasprintf("UPDATE \"s_%s\" SET \"%s\" = ? WHERE %s = ?", s->v[SC_NAME],
	    f->v[FC_NAME], s->many ? "id" : "staff_id");
	sqlite3_stmt *ps;
	enum jzg_status rc = store_cached(st, sql, &ps, cause);

	free(sql);
	if (rc != JZG_OK)
		return rc;
	if (str_empty(value))
		sqlite3_bind_null(ps, 1);
	else
		sqlite3_bind_text(ps, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ps, 2, key);
	if (sqlite3_step(ps) != SQLITE_DONE) {
		int ec = sqlite3_errcode(st->db);

		/* a trigger's own message (e.g. the record is approved and locked) says more */
		rc = jzg_fail(cause, JZG_ERR_DB, "保存 %s 失败：%s", f->v[FC_LABEL],
		    (ec & 0xFF) == SQLITE_CONSTRAINT ? sqlite3_errmsg(st->db) : store_errstr(ec));
	}
	else if (sqlite3_changes(st->db) == 0)
		rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "记录已不存在");
	sqlite3_reset(ps);
	return rc;
}

enum jzg_status
record_recalc_in(struct store *st, const struct template_def *tpl, const char *staff_sql,
    sqlite3_int64 staff_id, char **cause)
{
	enum jzg_status rc = JZG_OK;

	/* one UPDATE per set that has derived fields */
	for (size_t i = 0; i < tpl->nset && rc == JZG_OK; i++) {
		const struct set_def *s = &tpl->set[i];
		struct strbuf b = { 0 };
		sqlite3_stmt *ps;
		char *sql;

		for (size_t j = 0; j < s->nfield; j++) {
			const struct field_def *f = &s->field[j];
			char *expr;

			if (!f->readonly || f->v[FC_CALCULATE] == NULL)
				continue;
			if ((expr = expr_sql(f->v[FC_CALCULATE], s, NULL, EXPR_ROW, NULL, cause)) == NULL) {
				strbuf_free(&b);
				return JZG_ERR_DEFS;
			}
			strbuf_addf(&b, "%s\"%s\" = (%s)", b.len ? ", " : "", f->v[FC_NAME], expr);
			free(expr);
		}
		if (b.len == 0)
			continue;
		if (staff_sql == NULL) {
			sql = xasprintf("UPDATE \"s_%s\" AS cur SET %s WHERE cur.staff_id = ?", s->v[SC_NAME], b.s);
			rc = store_cached(st, sql, &ps, cause);
		} else {
			sql = xasprintf("UPDATE \"s_%s\" AS cur SET %s WHERE cur.staff_id IN (%s)", s->v[SC_NAME], b.s,
			    staff_sql);
			rc = store_prepare(st, sql, &ps, cause);
		}
		if (rc == JZG_OK) {
			if (staff_sql == NULL)
				sqlite3_bind_int64(ps, 1, staff_id);
			if (sqlite3_step(ps) != SQLITE_DONE)
				rc = jzg_fail(cause, JZG_ERR_DB, "更新 %s 的引用项失败：%s", s->v[SC_LABEL],
				    sqlite3_errmsg(st->db));
			if (staff_sql == NULL)
				sqlite3_reset(ps);
			else
				sqlite3_finalize(ps);
		}
		free(sql);
		strbuf_free(&b);
	}
	return rc;
}

enum jzg_status
record_recalc(struct store *st, const struct template_def *tpl, sqlite3_int64 staff_id, char **cause)
{
	return record_recalc_in(st, tpl, NULL, staff_id, cause);
}

enum jzg_status
record_find_staff(struct store *st, const char *idno, sqlite3_int64 *staff_id, char **label,
    char **cause)
{
	const struct defs *d = st->defs;
	char *sql = xasprintf("SELECT staff_id, coalesce(\"%s\", '') || ' ' || \"%s\" FROM \"s_%s\""
	    " WHERE \"%s\" IN (?1, ?2) LIMIT 2", d->setting[SK_PERSON_NAME], d->setting[SK_PERSON_ID],
	    d->setting[SK_PERSON_SET], d->setting[SK_PERSON_ID]);
	char *norm = idcard_normalise(idno);
	sqlite3_stmt *ps;
	enum jzg_status rc;
	int n = 0;

	*staff_id = 0;
	if (label != NULL)
		*label = NULL;
	rc = store_prepare(st, sql, &ps, cause);
	free(sql);
	if (rc == JZG_OK) {
		sqlite3_bind_text(ps, 1, idno, -1, SQLITE_STATIC);
		sqlite3_bind_text(ps, 2, norm, -1, SQLITE_STATIC);
		while (sqlite3_step(ps) == SQLITE_ROW)
			if (n++ == 0) {
				*staff_id = sqlite3_column_int64(ps, 0);
				if (label != NULL)
					*label = xstrdup((const char *)sqlite3_column_text(ps, 1));
			}
		sqlite3_finalize(ps);
		if (n == 0)
			rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有身份证件号为 %s 的人员", idno);
		else if (n > 1)
			rc = jzg_fail(cause, JZG_ERR_EXISTS, "身份证件号 %s 对应多名人员，请先处理重复", idno);
		if (rc != JZG_OK) {
			*staff_id = 0;
			if (label != NULL) {
				free(*label);
				*label = NULL;
			}
		}
	}
	free(norm);
	return rc;
}
