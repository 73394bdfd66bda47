/* rules_prior.c — the prior-year rules (${prior.X}, ${prior_missing.SET},
 * written as sub-queries by expr.c) as the rules engine runs them.
 *
 * expr.c's sub-queries work wherever an expression runs, but asked for
 * every person of a check they were a third of its instructions: eleven
 * per person (issue 21), each opening cursors on b_staff and b_<set>.  So:
 * - every one is guarded by rules_baseline() (nothing to ask without a
 *   baseline);
 * - in the statement of a one-record set, last year's row of the person is
 *   joined once (LEFT JOIN "b_<set>" AS prior_row) and ${prior.X} reads
 *   prior_row."X";
 * - in a whole-file or whole-school check (the bulk statements) the row id
 *   that join needs, and each ${prior_missing.SET}, are loaded set-wise
 *   before the sets run (rules_prior_load, through the person look-ups of
 *   rules_person.c) and read by rules_person(k, staff id).
 * One person or one record keeps the sub-queries; the results are the
 * same either way (bench/check_same.sh on a file with a baseline). */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "rules_int.h"

/* The join every expr.c sub-query of last year's values reads through. */
static const char prior_join[] = " p JOIN b_staff pb ON pb.id = p.staff_id WHERE pb.staff_id = ";

/* The row id of the person's row in b_<set> that ${prior.X} reads: the
 * same row as expr.c's sub-query (b_staff by its staff_id index, in id
 * order, then the person's b_<set> row). */
#define PRIOR_ROW_SQL "(CASE WHEN rules_baseline() THEN (SELECT p.id FROM \"b_%s\"" \
	" p JOIN b_staff pb ON pb.id = p.staff_id WHERE pb.staff_id = cur.staff_id LIMIT 1) END)"

/* sql (taken) with every sub-query of last year's values guarded by
 * rules_baseline(): without a baseline they are NULL and 0.  For a
 * one-record set (own, else NULL) ${prior.X} of its own rows becomes
 * prior_row."X"; *joined is set when any did. */
char *
rules_prior_columns(char *sql, const struct set_def *own, int *joined)
{
	struct strbuf b = { 0 };
	const char *p = sql, *q;
	size_t nown = own ? strlen(own->v[SC_NAME]) : 0;

	*joined = 0;
	if (sql == NULL)
		return NULL;
	while ((q = strstr(p, "(SELECT ")) != NULL) {
		const char *from = rules_sql_scan(q + 8, NULL, " FROM "), *t, *close;
		int count = strncmp(q + 8, "count(*) FROM ", 14) == 0;

		strbuf_add(&b, p, (size_t)(q - p));
		p = q + 1;
		if (from == NULL || strncmp(from + 6, "\"b_", 3) != 0 || (!count && strncmp(q + 8, "p.\"", 3) != 0) ||
		    (t = strchr(from + 9, '"')) == NULL || strncmp(t + 1, prior_join, sizeof prior_join - 1) != 0 ||
		    (close = rules_sql_scan(q + 1, NULL, NULL)) == NULL) {
			strbuf_addc(&b, '(');
			continue;
		}
		/* `(SELECT p."X" FROM "b_<own>" p JOIN … = cur.staff_id LIMIT 1)` */
		if (own != NULL && !count && (size_t)(t - from - 9) == nown && strncmp(from + 9, own->v[SC_NAME], nown) == 0 &&
		    strncmp(t + sizeof prior_join, "cur.staff_id LIMIT 1)", 21) == 0 &&
		    t + sizeof prior_join + 20 == close) {
			strbuf_addf(&b, "prior_row.%.*s", (int)(from - q - 10), q + 10);
			*joined = 1;
		} else
			strbuf_addf(&b, "(CASE WHEN rules_baseline() THEN %.*s%s END)", (int)(close + 1 - q), q,
			    count ? " ELSE 0" : "");
		p = close + 1;
	}
	strbuf_adds(&b, p);
	free(sql);
	return strbuf_take(&b);
}

/* The join a one-record set's statement adds when rules_prior_columns
 * joined (a new string). */
char *
rules_prior_join(const struct set_def *s)
{
	return xasprintf(" LEFT JOIN \"b_%s\" AS prior_row ON prior_row.id = " PRIOR_ROW_SQL, s->v[SC_NAME],
	    s->v[SC_NAME]);
}

/* sql with needle written as repl, every time (a new string); NULL when
 * it has none. */
static char *
replace_all(const char *sql, const char *needle, const char *repl)
{
	struct strbuf b = { 0 };
	const char *p = sql, *q;
	size_t n = strlen(needle);

	if (strstr(sql, needle) == NULL)
		return NULL;
	while ((q = strstr(p, needle)) != NULL) {
		strbuf_add(&b, p, (size_t)(q - p));
		strbuf_adds(&b, repl);
		p = q + n;
	}
	strbuf_adds(&b, p);
	return strbuf_take(&b);
}

/* *sql (NULL: none yet) replaced by replace_all(*sql or base, …) when
 * that found anything. */
static void
replace_step(char **sql, const char *base, const char *needle, const char *repl)
{
	char *next = replace_all(*sql ? *sql : base, needle, repl);

	if (next != NULL) {
		free(*sql);
		*sql = next;
	}
}

/* The bulk form of statement sql of set s (a new string), or NULL when it
 * reads nothing of last year's set-wise: the prior row's id and each
 * ${prior_missing.SET} by rules_person(k, cur.staff_id), loaded set-wise
 * (rules_prior_load). */
char *
rules_prior_bulk(struct rules *r, const struct set_def *s, const char *sql)
{
	const struct defs *defs = r->st->defs;
	char *out = NULL, *needle, *repl;

	if (strstr(sql, "rules_baseline()") == NULL)
		return NULL;
	if (!s->many) {
		needle = xasprintf(PRIOR_ROW_SQL, s->v[SC_NAME]);
		if (strstr(sql, needle) != NULL) {
			repl = xasprintf("rules_person(%d, cur.staff_id)", rules_person_prior(r, s->v[SC_NAME], PC_PRIOR_ROW));
			replace_step(&out, sql, needle, repl);
			free(repl);
		}
		free(needle);
	}
	for (size_t i = 0; i < defs->nall; i++) {
		const struct set_def *o = &defs->all[i];
		char *src, *e;

		if (!o->many)
			continue;
		src = xasprintf("${prior_missing.%s}", o->v[SC_NAME]);
		e = expr_sql(src, s, NULL, EXPR_ROW, NULL, NULL);
		free(src);
		if (e == NULL)
			continue;
		needle = xasprintf("(CASE WHEN rules_baseline() THEN %s ELSE 0 END)", e);
		free(e);
		if (strstr(out ? out : sql, needle) != NULL) {
			repl = xasprintf("coalesce(rules_person(%d, cur.staff_id), 0)", rules_person_prior(r, o->v[SC_NAME],
			    PC_PRIOR_MISSING));
			replace_step(&out, sql, needle, repl);
			free(repl);
		}
		free(needle);
	}
	return out;
}

/* rules_baseline(): whether the file holds a baseline (b_staff has a row).
 * Deterministic and without arguments, so SQLite asks it once per run of
 * a statement, not per row. */
void
rules_fn_baseline(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	int any = 1;

	(void)argc;
	(void)argv;
	if (store_int(sqlite3_context_db_handle(c), "SELECT EXISTS (SELECT 1 FROM b_staff)", &any) != SQLITE_OK)
		any = 1;   /* cannot tell: ask the sub-queries */
	sqlite3_result_int(c, any);
}

/* The persons in scope, as a condition on column col ("" for SM_ALL). */
static char *
scope_sql(enum scope_mode m, const char *col)
{
	if (m == SM_SLICE)
		return xasprintf(" AND %s BETWEEN ?2 AND ?3 AND %s IN (SELECT id FROM staff WHERE school_id = ?1)", col, col);
	if (m == SM_SCHOOL)
		return xasprintf(" AND %s IN (SELECT id FROM staff WHERE school_id = ?1)", col);
	return xstrdup("");
}

static sqlite3_stmt *
prepare_scoped(struct rules *r, sqlite3 *db, const char *sql, enum scope_mode m, sqlite3_int64 id)
{
	sqlite3_stmt *ps;

	if (sqlite3_prepare_v2(db, sql, -1, &ps, NULL) != SQLITE_OK)
		return NULL;
	if (m == SM_SCHOOL || m == SM_SLICE)
		sqlite3_bind_int64(ps, 1, id);
	if (m == SM_SLICE) {
		sqlite3_bind_int64(ps, 2, r->slice_lo);
		sqlite3_bind_int64(ps, 3, r->slice_hi);
	}
	return ps;
}

/* Person sid's value v (an integer) appended to pc (ids ascending). */
static void
put_int(struct person_col *pc, size_t *cap, sqlite3_int64 sid, sqlite3_int64 v)
{
	if (pc->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		pc->id = xreallocarray(pc->id, *cap, sizeof *pc->id);
		pc->v = xreallocarray(pc->v, *cap, sizeof *pc->v);
	}
	pc->id[pc->n] = sid;
	memset(&pc->v[pc->n], 0, sizeof pc->v[pc->n]);
	pc->v[pc->n].type = SQLITE_INTEGER;
	pc->v[pc->n++].u.i = v;
}

/* The keys of this year's records of one person, as the merge in
 * load_missing collects them. */
struct keys {
	struct strbuf text;
	size_t       *off, *len;
	size_t        n, cap;
};

static int
keys_have(const struct keys *k, const char *s, size_t len)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->len[i] == len && (len == 0 || memcmp(k->text.s + k->off[i], s, len) == 0))
			return 1;
	return 0;
}

/* ${prior_missing.SET} for every person in scope: last year's records
 * (b_staff by this year's id, then b_<SET>'s nk from its index) merged,
 * person by person, with this year's keys (s_<SET> by its staff_id index,
 * the key as expr.c writes it); a person's count is how many of last
 * year's keys none of this year's equals (as `key = p.nk`: the same text,
 * and a NULL nk never equals).  Only counts above 0 are kept. */
static enum jzg_status
load_missing(struct rules *r, struct person_col *pc, sqlite3 *db, enum scope_mode m, sqlite3_int64 id, char **cause)
{
	const struct set_def *o = defs_set(r->st->defs->all, r->st->defs->nall, pc->set);
	char *in = scope_sql(m, "pb.staff_id"), *key, *sql;
	sqlite3_stmt *pb, *cs = NULL;
	struct keys k = { 0 };
	size_t cap = 0;
	int stb, stc;
	enum jzg_status rc = JZG_OK;

	sql = xasprintf("SELECT pb.staff_id, p.nk FROM b_staff pb JOIN \"b_%s\" p ON p.staff_id = pb.id"
	    " WHERE pb.staff_id IS NOT NULL%s ORDER BY pb.staff_id", pc->set, in);
	pb = prepare_scoped(r, db, sql, m, id);
	free(sql);
	free(in);
	if (pb == NULL)
		return jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
	if ((stb = sqlite3_step(pb)) == SQLITE_ROW) {
		/* someone in scope has last year's records: this year's keys */
		in = scope_sql(m, "c.staff_id");
		key = o ? set_key_sql(o, "c") : xstrdup("''");
		sql = xasprintf("SELECT c.staff_id, %s FROM \"s_%s\" c WHERE 1%s ORDER BY c.staff_id", key, pc->set, in);
		cs = prepare_scoped(r, db, sql, m, id);
		free(sql);
		free(key);
		free(in);
		if (cs == NULL) {
			sqlite3_finalize(pb);
			return jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
		}
	}
	stc = cs ? sqlite3_step(cs) : SQLITE_DONE;
	while (stb == SQLITE_ROW) {
		sqlite3_int64 sid = sqlite3_column_int64(pb, 0);
		int missing = 0;

		k.n = 0;
		k.text.len = 0;
		while (stc == SQLITE_ROW && sqlite3_column_int64(cs, 0) < sid)
			stc = sqlite3_step(cs);
		for (; stc == SQLITE_ROW && sqlite3_column_int64(cs, 0) == sid; stc = sqlite3_step(cs)) {
			const char *s = (const char *)sqlite3_column_text(cs, 1);

			if (s == NULL)
				continue;   /* NULL equals nothing */
			if (k.n == k.cap) {
				k.cap = k.cap ? k.cap * 2 : 16;
				k.off = xreallocarray(k.off, k.cap, sizeof *k.off);
				k.len = xreallocarray(k.len, k.cap, sizeof *k.len);
			}
			k.off[k.n] = k.text.len;
			k.len[k.n] = (size_t)sqlite3_column_bytes(cs, 1);
			strbuf_add(&k.text, s, k.len[k.n++]);
		}
		do {
			const char *nk = (const char *)sqlite3_column_text(pb, 1);

			if (nk == NULL || !keys_have(&k, nk, (size_t)sqlite3_column_bytes(pb, 1)))
				missing++;
		} while ((stb = sqlite3_step(pb)) == SQLITE_ROW && sqlite3_column_int64(pb, 0) == sid);
		if (missing > 0)
			put_int(pc, &cap, sid, missing);
	}
	if (stb != SQLITE_DONE || (stc != SQLITE_DONE && stc != SQLITE_ROW))
		rc = jzg_fail(cause, JZG_ERR_DB, "读取基线时出错：%s", sqlite3_errmsg(db));
	sqlite3_finalize(pb);
	sqlite3_finalize(cs);
	free(k.off);
	free(k.len);
	strbuf_free(&k.text);
	return rc;
}

/* The id of each person's row of last year in b_<set> (one-record set):
 * the first, by b_staff id, of those linked to the person that have one. */
static enum jzg_status
load_row(struct rules *r, struct person_col *pc, sqlite3 *db, enum scope_mode m, sqlite3_int64 id, char **cause)
{
	char *in = scope_sql(m, "pb.staff_id");
	char *sql = xasprintf("SELECT pb.staff_id, p.id FROM b_staff pb JOIN \"b_%s\" p ON p.staff_id = pb.id"
	    " WHERE pb.staff_id IS NOT NULL%s ORDER BY pb.staff_id, pb.id", pc->set, in);
	sqlite3_stmt *ps = prepare_scoped(r, db, sql, m, id);
	size_t cap = 0;
	int step = SQLITE_DONE;

	free(sql);
	free(in);
	if (ps == NULL)
		return jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
	while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
		sqlite3_int64 sid = sqlite3_column_int64(ps, 0);

		if (pc->n == 0 || pc->id[pc->n - 1] != sid)
			put_int(pc, &cap, sid, sqlite3_column_int64(ps, 1));
	}
	sqlite3_finalize(ps);
	return step == SQLITE_DONE ? JZG_OK : jzg_fail(cause, JZG_ERR_DB, "读取基线时出错：%s", sqlite3_errmsg(db));
}

enum jzg_status
rules_prior_load(struct rules *r, struct person_col *pc, sqlite3 *db, enum scope_mode m, sqlite3_int64 id,
    char **cause)
{
	enum jzg_status rc = pc->prior == PC_PRIOR_ROW ? load_row(r, pc, db, m, id, cause) :
	    load_missing(r, pc, db, m, id, cause);

	rules_person_index_ids(pc);
	return rc;
}
