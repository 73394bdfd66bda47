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

/* sql (taken) prepared on db with scope m's parameters bound; NULL with
 * *cause set when it cannot be prepared. */
static sqlite3_stmt *
prepare_scoped(struct rules *r, sqlite3 *db, char *sql, enum scope_mode m, sqlite3_int64 id, char **cause)
{
	sqlite3_stmt *ps;
	int ok = sqlite3_prepare_v2(db, sql, -1, &ps, NULL) == SQLITE_OK;

	free(sql);
	if (!ok) {
		jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
		return NULL;
	}
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

/* A pair of ids, or a key of this year's (load_missing); each is sorted
 * by its first member (first_from). */
struct pair {
	sqlite3_int64 a, b;
};

struct tkey {
	sqlite3_int64 sid;   /* this year's staff id */
	size_t        off;   /* in the text */
	int           len;   /* -1: NULL */
};

static int
cmp_pair(const void *pa, const void *pb)
{
	const struct pair *x = pa, *y = pb;

	return x->a < y->a ? -1 : x->a > y->a ? 1 : x->b < y->b ? -1 : x->b > y->b;
}

static int
cmp_tkey(const void *pa, const void *pb)
{
	const struct tkey *x = pa, *y = pb;

	return x->sid < y->sid ? -1 : x->sid > y->sid ? 1 : x->off < y->off ? -1 : x->off > y->off;
}

/* Sort a (n elements of size bytes) by cmp; rows read in storage order
 * mostly come sorted already (b_staff by id, this year's records by
 * person), and checking is cheaper than qsort. */
static void
sort_unless_sorted(void *a, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	const char *p = a;

	for (size_t i = 1; i < n; i++)
		if (cmp(p + (i - 1) * size, p + i * size) > 0) {
			xqsort(a, n, size, cmp);
			return;
		}
}

/* The first index in a[0..n) (elements of size bytes, sorted by their
 * first member, an sqlite3_int64: struct pair's a, struct tkey's sid)
 * whose first member is at least want. */
static size_t
first_from(const void *a, size_t n, size_t size, sqlite3_int64 want)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		sqlite3_int64 v;

		memcpy(&v, (const char *)a + mid * size, sizeof v);
		if (v < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ${prior_missing.SET} for every person in scope: how many of last year's
 * records of SET linked to the person (b_staff) have a key (nk) that none of
 * the person's records of this year has (the key as expr.c writes it; as
 * SQL's `key = p.nk`: the same text, and a NULL nk equals nothing).  For
 * the whole file each table is read once in storage order (b_<SET>'s
 * staff_id and nk from its index) and matched in memory: read person by
 * person through the indexes, a record cost 2,000 to 2,700 instructions.  A
 * school or a slice of one reads its own people through the indexes.  Only
 * counts above 0 are kept. */
static enum jzg_status
load_missing(struct rules *r, struct person_col *pc, sqlite3 *db, enum scope_mode m, sqlite3_int64 id, char **cause)
{
	const struct set_def *o = defs_set(r->st->defs->all, r->st->defs->nall, pc->set);
	char *in, *key, *sql;
	sqlite3_stmt *ps;
	struct pair *link = NULL, *miss = NULL;
	struct tkey *tk = NULL;
	struct strbuf text = { 0 };
	size_t nlink = 0, caplink = 0, ntk = 0, captk = 0, nmiss = 0, capmiss = 0, cap = 0;
	int step;
	enum jzg_status rc = JZG_OK;

	/* last year's people linked to this year's in scope: b_staff.id → staff id */
	in = scope_sql(m, "staff_id");
	sql = xasprintf("SELECT id, staff_id FROM b_staff WHERE staff_id IS NOT NULL%s", in);
	free(in);
	if ((ps = prepare_scoped(r, db, sql, m, id, cause)) == NULL)
		return JZG_ERR_DB;
	while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
		if (nlink == caplink) {
			caplink = caplink ? caplink * 2 : 1024;
			link = xreallocarray(link, caplink, sizeof *link);
		}
		link[nlink++] = (struct pair){ sqlite3_column_int64(ps, 0), sqlite3_column_int64(ps, 1) };
	}
	sqlite3_finalize(ps);
	if (step != SQLITE_DONE || nlink == 0)
		goto done;   /* no baseline, or nobody in scope linked: nothing to read */
	sort_unless_sorted(link, nlink, sizeof *link, cmp_pair);

	/* this year's keys, by person */
	in = scope_sql(m, "c.staff_id");
	key = o ? set_key_sql(o, "c") : xstrdup("''");
	sql = xasprintf("SELECT c.staff_id, %s FROM \"s_%s\" c WHERE 1%s", key, pc->set, in);
	free(key);
	free(in);
	if ((ps = prepare_scoped(r, db, sql, m, id, cause)) == NULL) {
		rc = JZG_ERR_DB;
		goto out;
	}
	while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(ps, 1);

		if (ntk == captk) {
			captk = captk ? captk * 2 : 1024;
			tk = xreallocarray(tk, captk, sizeof *tk);
		}
		tk[ntk].sid = sqlite3_column_int64(ps, 0);
		tk[ntk].off = text.len;
		tk[ntk].len = k ? sqlite3_column_bytes(ps, 1) : -1;   /* NULL equals nothing */
		if (k != NULL)
			strbuf_add(&text, k, (size_t)tk[ntk].len);
		ntk++;
	}
	sqlite3_finalize(ps);
	if (step != SQLITE_DONE)
		goto done;
	sort_unless_sorted(tk, ntk, sizeof *tk, cmp_tkey);

	/* last year's keys: each one this year's person lacks is one missing;
	 * all of them for the whole file, else only the linked people's in
	 * scope, through the indexes */
	in = scope_sql(m, "pb.staff_id");
	sql = m == SM_ALL ? xasprintf("SELECT staff_id, nk FROM \"b_%s\"", pc->set) :
	    xasprintf("SELECT p.staff_id, p.nk FROM b_staff pb JOIN \"b_%s\" p ON p.staff_id = pb.id"
	    " WHERE pb.staff_id IS NOT NULL%s", pc->set, in);
	free(in);
	if ((ps = prepare_scoped(r, db, sql, m, id, cause)) == NULL) {
		rc = JZG_ERR_DB;
		goto out;
	}
	while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
		size_t at = first_from(link, nlink, sizeof *link, sqlite3_column_int64(ps, 0));
		const char *nk;
		int len, found = 0;

		for (; at < nlink && link[at].a == sqlite3_column_int64(ps, 0); at++) {
			sqlite3_int64 sid = link[at].b;

			nk = (const char *)sqlite3_column_text(ps, 1);
			len = sqlite3_column_bytes(ps, 1);
			found = 0;
			for (size_t t = first_from(tk, ntk, sizeof *tk, sid); nk != NULL && !found && t < ntk && tk[t].sid == sid; t++)
				found = tk[t].len == len && (len == 0 || memcmp(text.s + tk[t].off, nk, (size_t)len) == 0);
			if (!found) {
				if (nmiss == capmiss) {
					capmiss = capmiss ? capmiss * 2 : 256;
					miss = xreallocarray(miss, capmiss, sizeof *miss);
				}
				miss[nmiss++] = (struct pair){ sid, 0 };
			}
		}
	}
	sqlite3_finalize(ps);
done:
	if (step != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "读取基线时出错：%s", sqlite3_errmsg(db));
	/* the counts, by staff id */
	xqsort(miss, nmiss, sizeof *miss, cmp_pair);
	for (size_t i = 0, j; rc == JZG_OK && i < nmiss; i = j) {
		for (j = i; j < nmiss && miss[j].a == miss[i].a; j++)
			;
		put_int(pc, &cap, miss[i].a, (sqlite3_int64)(j - i));
	}
out:
	free(link);
	free(tk);
	free(miss);
	strbuf_free(&text);
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
	sqlite3_stmt *ps = prepare_scoped(r, db, sql, m, id, cause);
	size_t cap = 0;
	int step = SQLITE_DONE;

	free(in);
	if (ps == NULL)
		return JZG_ERR_DB;
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
