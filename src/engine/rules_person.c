/* rules_person.c — person look-ups (struct person_col): sub-queries of a
 * person's own rows found in the compiled SQL and rewritten as
 * rules_person(k, staff id), loaded set-wise once per whole-file or
 * whole-school check and read by rules_person() from memory. */
#include "rules.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

/* The person look-up k for set y, expression e, filter w (or NULL) and
 * tail (struct person_col), added when new. */
static int
person_col_find(const struct rules *r, const char *y, const char *e, const char *w, const char *tail, int exists)
{
	for (size_t k = 0; k < r->npc; k++)
		if (strcmp(r->pc[k].set, y) == 0 && strcmp(r->pc[k].expr, e) == 0 && r->pc[k].exists == exists &&
		    (w == NULL ? r->pc[k].where == NULL : r->pc[k].where != NULL && strcmp(r->pc[k].where, w) == 0) &&
		    strcmp(r->pc[k].tail, tail) == 0)
			return (int)k;
	return -1;
}

static int
person_col(struct rules *r, const char *y, const char *e, const char *w, const char *tail, int first, int exists)
{
	int k = person_col_find(r, y, e, w, tail, exists);

	if (k >= 0)
		return k;
	r->pc = xreallocarray(r->pc, r->npc + 1, sizeof *r->pc);
	memset(&r->pc[r->npc], 0, sizeof *r->pc);
	r->pc[r->npc].set = xstrdup(y);
	r->pc[r->npc].expr = xstrdup(e);
	r->pc[r->npc].where = w ? xstrdup(w) : NULL;
	r->pc[r->npc].tail = xstrdup(tail);
	r->pc[r->npc].first = first;
	r->pc[r->npc].exists = exists;
	return (int)r->npc++;
}

/* The look-up of last year's values of kind (PC_PRIOR_*) for set (a
 * rules_prior.c load), added when new. */
int
rules_person_prior(struct rules *r, const char *set, int kind)
{
	int k = person_col(r, set, "", NULL, kind == PC_PRIOR_ROW ? "@prior_row" : "@prior_missing", 0, 0);

	r->pc[k].prior = kind;
	return k;
}

/* Scanning SQL text from p to end (NULL: its end) outside quotes: with kw
 * (" FROM ", " ORDER BY " …), where kw first occurs outside parentheses;
 * without, the ')' that closes the parenthesis p is inside.  NULL when
 * there is none, or a ')' closes more than was opened before kw. */
const char *
rules_sql_scan(const char *p, const char *end, const char *kw)
{
	size_t n = kw ? strlen(kw) : 0;
	int depth = 0;

	for (; end ? p < end : *p != '\0'; p++) {
		if (*p == '\'' || *p == '"') {
			const char *q = strchr(p + 1, *p);

			if (q == NULL || (end && q >= end))
				return NULL;
			p = q;
		} else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			return kw ? NULL : p;
		else if (kw && depth == 0 && strncmp(p, kw, n) == 0 && (!end || (size_t)(end - p) >= n))
			return p;
	}
	return NULL;
}

/* Whether the SQL prepares on db; with rows = 0, also that it gives no row. */
static int
probe_sql(sqlite3 *db, const char *sql, int rows)
{
	sqlite3_stmt *ps;
	int ok = sqlite3_prepare_v2(db, sql, -1, &ps, NULL) == SQLITE_OK;

	if (ok && !rows)
		ok = sqlite3_step(ps) == SQLITE_DONE;
	sqlite3_finalize(ps);
	return ok;
}

/* Plain text for a person look-up: no sub-query, nothing of the outer row. */
static int
plain_part(const char *s)
{
	return s == NULL || (strstr(s, "SELECT") == NULL && strstr(s, "select") == NULL && strstr(s, "cur.") == NULL);
}

/* For the clauses [rest, close) after `WHERE staff_id = cur.staff_id` of a
 * sub-query `(SELECT ex FROM s_<name> …)`: the person look-up it is
 * (struct person_col), or -1 when it is none of the forms read set-wise. */
static int
person_many(struct rules *r, const char *name, const char *ex, const char *rest, const char *close)
{
	const char *ob = rules_sql_scan(rest, close, " ORDER BY "), *lim = rules_sql_scan(rest, close, " LIMIT ");
	const char *hv = rules_sql_scan(rest, close, " HAVING "), *kw;
	char *w = NULL, *o = NULL, *h = NULL, *tail = NULL, *sql;
	int k = -1, ok;

	if (rules_sql_scan(rest, close, " GROUP BY ") != NULL)
		return -1;
	kw = ob ? ob : hv ? hv : close;
	if (kw != rest) {
		if (strncmp(rest, " AND ", 5) != 0 || kw == rest + 5)
			return -1;
		w = xstrndup(rest + 5, (size_t)(kw - rest - 5));
	}
	if (ob != NULL && hv == NULL && lim > ob && close - lim == 8 && strncmp(lim, " LIMIT 1", 8) == 0) {
		o = xstrndup(ob + 10, (size_t)(lim - ob - 10));
		tail = xasprintf(" ORDER BY staff_id, %s", o);
	} else if (ob == NULL && lim == NULL && hv != NULL) {
		h = xstrndup(hv + 8, (size_t)(close - hv - 8));
		tail = xasprintf(" GROUP BY staff_id HAVING %s ORDER BY staff_id", h);
	}
	if (tail == NULL || !plain_part(ex) || !plain_part(w) || !plain_part(o) || !plain_part(h))
		goto out;
	/* the same look-up in another template's statement: probed already
	 * (each probe is a statement prepared; the five templates share most) */
	if ((k = person_col_find(r, name, ex, w, tail, 0)) >= 0)
		goto out;
	/* it must compile over s_Y alone (so it means no column of the outer
	 * query); with HAVING, it must be an aggregate that gives no row for
	 * a person without records, as the person's NULL look-up does */
	sql = xasprintf("SELECT staff_id, (%s) FROM \"s_%s\" WHERE (%s)%s", ex, name, w ? w : "1", tail);
	ok = probe_sql(r->st->db, sql, 1);
	free(sql);
	if (ok && h != NULL) {
		sql = xasprintf("SELECT (%s) FROM \"s_%s\" WHERE 0 HAVING %s", ex, name, h);
		ok = probe_sql(r->st->db, sql, 0);
		free(sql);
	}
	if (ok)
		k = person_col(r, name, ex, w, tail, o != NULL, 0);
out:
	free(w);
	free(o);
	free(h);
	free(tail);
	return k;
}

/* sql with every look-up of the person's one-record row
 * `(SELECT E FROM s_Y WHERE staff_id = cur.staff_id)`, and of the person's
 * many records in the forms person_many reads, written rules_person(k,
 * cur.staff_id) (struct person_col), or NULL when it has none.  Only a
 * plain E qualifies: no sub-query, nothing of cur, and it must compile over
 * s_Y alone (so it cannot mean a column of the outer query either). */
char *
rules_person_rewrite(struct rules *r, const char *sql)
{
	static const char tail[] = " WHERE staff_id = cur.staff_id)";
	static const char head[] = " WHERE staff_id = cur.staff_id";
	static const char exists_tail[] = "\" WHERE staff_id = staff.id)";
	const struct defs *defs = r->st->defs;
	struct strbuf b = { 0 };
	const char *p = sql, *q;
	int any = 0;

	while ((q = strstr(p, "(SELECT ")) != NULL) {
		const char *e = q + 8, *end = rules_sql_scan(e, NULL, " FROM "), *y, *t;
		const struct set_def *set = NULL;
		char *ex = NULL, *name = NULL;
		const char *close;
		int k;

		/* whether the person has a record in s_Y (compile_records' form) */
		if (q - p >= 7 && strncmp(q - 7, "EXISTS ", 7) == 0 && strncmp(e, "1 FROM \"s_", 10) == 0 &&
		    (t = strchr(e + 10, '"')) != NULL && strncmp(t, exists_tail, sizeof exists_tail - 1) == 0) {
			name = xstrndup(e + 10, (size_t)(t - e - 10));
			if (defs_set(defs->all, defs->nall, name) != NULL) {
				strbuf_add(&b, p, (size_t)(q - 7 - p));
				strbuf_addf(&b, "rules_person(%d, staff.id)", person_col(r, name, "1", NULL, " ORDER BY staff_id",
				    0, 1));
				p = t + sizeof exists_tail - 1;
				any = 1;
				free(name);
				continue;
			}
			free(name);
			name = NULL;
		}

		if (end != NULL && strncmp(end + 6, "s_", 2) == 0) {
			y = end + 8;
			for (t = y; isalnum((unsigned char)*t) || *t == '_'; t++)
				;
			name = xstrndup(y, (size_t)(t - y));
			set = defs_set(defs->all, defs->nall, name);
			ex = xstrndup(e, (size_t)(end - e));
			if (set != NULL && strncmp(t, head, sizeof head - 1) == 0 && t[sizeof head - 1] != ')' &&
			    (close = rules_sql_scan(t + sizeof head - 1, NULL, NULL)) != NULL &&
			    (k = person_many(r, name, ex, t + sizeof head - 1, close)) >= 0) {
				strbuf_add(&b, p, (size_t)(q - p));
				strbuf_addf(&b, "rules_person(%d, cur.staff_id)", k);
				p = close + 1;
				any = 1;
				free(ex);
				free(name);
				continue;
			}
			if (set == NULL || set->many || strncmp(t, tail, sizeof tail - 1) != 0 || !plain_part(ex))
				set = NULL;
			else if (person_col_find(r, name, ex, NULL, " ORDER BY staff_id", 0) < 0) {
				char *probe = xasprintf("SELECT (%s) FROM \"s_%s\"", ex, name);

				if (!probe_sql(r->st->db, probe, 1))
					set = NULL;
				free(probe);
			}
			if (set != NULL) {
				strbuf_add(&b, p, (size_t)(q - p));
				strbuf_addf(&b, "rules_person(%d, cur.staff_id)", person_col(r, name, ex, NULL, " ORDER BY staff_id", 0, 0));
				p = t + sizeof tail - 1;
				any = 1;
			}
		}
		if (set == NULL) {
			strbuf_add(&b, p, (size_t)(e - p));
			p = e;
		}
		free(ex);
		free(name);
	}
	if (!any) {
		strbuf_free(&b);
		return NULL;
	}
	strbuf_adds(&b, p);
	return strbuf_take(&b);
}

/* The index of staff id in pc, or pc->n when the person has no row. */
static size_t
person_index(const struct person_col *pc, sqlite3_int64 id)
{
	size_t lo = 0, hi = pc->n;

	if (pc->slot != NULL)
		return id >= pc->id[0] && id - pc->id[0] < pc->nslot && pc->slot[id - pc->id[0]] != 0 ?
		    pc->slot[id - pc->id[0]] - 1 : pc->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pc->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pc->n && pc->id[lo] == id ? lo : pc->n;
}

/* rules_person(k, staff id): the value of person look-up k (struct
 * person_col) for this person, NULL when the person has no row there. */
void
rules_fn_person(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	sqlite3_int64 k = sqlite3_value_int64(argv[0]);
	const struct person_col *pc;
	size_t lo;

	(void)argc;
	if (k < 0 || (size_t)k >= r->npc || r->pc[k].id == NULL) {
		sqlite3_result_error(c, "rules_person: 未载入", -1);
		return;
	}
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(c);
		return;
	}
	pc = &r->pc[k];
	if (pc->exists) {
		sqlite3_int64 id = sqlite3_value_int64(argv[1]);

		if (pc->has != NULL)
			sqlite3_result_int(c, id >= pc->id[0] && id - pc->id[0] < pc->nslot &&
			    (pc->has[(id - pc->id[0]) / 8] >> ((id - pc->id[0]) % 8) & 1));
		else
			sqlite3_result_int(c, person_index(pc, id) < pc->n);
		return;
	}
	if ((lo = person_index(pc, sqlite3_value_int64(argv[1]))) == pc->n) {
		sqlite3_result_null(c);
		return;
	}
	/* the values stay put until the check is over: no copy */
	switch (pc->v[lo].type) {
	case SQLITE_INTEGER:
		sqlite3_result_int64(c, pc->v[lo].u.i);
		break;
	case SQLITE_FLOAT:
		sqlite3_result_double(c, pc->v[lo].u.d);
		break;
	case SQLITE_TEXT:
		sqlite3_result_text(c, pc->text.s + pc->v[lo].u.off, pc->v[lo].len, SQLITE_STATIC);
		break;
	case SQLITE_BLOB:
		sqlite3_result_blob(c, pc->text.s + pc->v[lo].u.off, pc->v[lo].len, SQLITE_STATIC);
		break;
	default:
		sqlite3_result_null(c);
	}
}

void
rules_person_unload(struct rules *r)
{
	for (size_t k = 0; k < r->npc; k++) {
		struct person_col *pc = &r->pc[k];

		free(pc->id);
		free(pc->v);
		free(pc->slot);
		free(pc->has);
		pc->has = NULL;
		strbuf_free(&pc->text);
		pc->slot = NULL;
		pc->nslot = 0;
		pc->id = NULL;
		pc->v = NULL;
		pc->n = 0;
	}
}

/* uses[k] = whether SQL text sql (NULL: none) reads person look-up k. */
void
rules_person_uses(const struct rules *r, const char *sql, unsigned char *uses)
{
	static const char call[] = "rules_person(";

	memset(uses, 0, r->npc);
	for (const char *p = sql; p != NULL && (p = strstr(p, call)) != NULL; p += sizeof call - 1) {
		long k = strtol(p + sizeof call - 1, NULL, 10);

		if (k >= 0 && (size_t)k < r->npc)
			uses[k] = 1;
	}
}

/* Whether look-ups a and b read the same rows in the same order (then
 * one scan loads both: 学位名称 and 学位院校 of the highest 学位). */
static int
same_scan(const struct person_col *a, const struct person_col *b)
{
	if (a == b)
		return 1;
	if (a->prior || b->prior)
		return 0;
	return strcmp(a->set, b->set) == 0 && strcmp(a->tail, b->tail) == 0 && a->first == b->first &&
	    !a->exists && !b->exists &&
	    (a->where == NULL ? b->where == NULL : b->where != NULL && strcmp(a->where, b->where) == 0);
}

/* Column col of ps's row as pc's value for the row's person (column 0). */
static void
person_add(struct person_col *pc, size_t *cap, sqlite3_stmt *ps, int col)
{
	struct pval *v;
	int t = sqlite3_column_type(ps, col);

	if (pc->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		pc->id = xreallocarray(pc->id, *cap, sizeof *pc->id);
		pc->v = xreallocarray(pc->v, *cap, sizeof *pc->v);
	}
	pc->id[pc->n] = sqlite3_column_int64(ps, 0);
	v = &pc->v[pc->n++];
	memset(v, 0, sizeof *v);
	v->type = t;
	if (t == SQLITE_INTEGER)
		v->u.i = sqlite3_column_int64(ps, col);
	else if (t == SQLITE_FLOAT)
		v->u.d = sqlite3_column_double(ps, col);
	else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
		const void *bytes = t == SQLITE_TEXT ? (const void *)sqlite3_column_text(ps, col) :
		    sqlite3_column_blob(ps, col);

		v->len = sqlite3_column_bytes(ps, col);
		v->u.off = pc->text.len;
		strbuf_add(&pc->text, bytes, (size_t)v->len);
		strbuf_addc(&pc->text, '\0');
	}
}

/* Person id has a row in pc's set (pc->exists): the ids, ascending, each
 * once (cap: allocated). */
static void
person_has(struct person_col *pc, size_t *cap, sqlite3_int64 id)
{
	if (pc->n > 0 && pc->id[pc->n - 1] == id)
		return;
	if (pc->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		pc->id = xreallocarray(pc->id, *cap, sizeof *pc->id);
	}
	pc->id[pc->n++] = id;
}

/* pc (exists) loaded: a bit per id from id[0] when the ids are dense
 * enough (then the ids go), else they stay to be bisected. */
static void
person_index_has(struct person_col *pc)
{
	if (pc->id == NULL)
		pc->id = xcalloc(1, sizeof *pc->id);   /* loaded, nobody in scope */
	else if (pc->id[pc->n - 1] - pc->id[0] < 64 * (sqlite3_int64)pc->n + 8192) {
		pc->nslot = pc->id[pc->n - 1] - pc->id[0] + 1;
		pc->has = xcalloc((size_t)pc->nslot / 8 + 1, 1);
		for (size_t i = 0; i < pc->n; i++)
			pc->has[(pc->id[i] - pc->id[0]) / 8] |= (unsigned char)(1u << ((pc->id[i] - pc->id[0]) % 8));
		pc->id = xreallocarray(pc->id, 1, sizeof *pc->id);
	}
}

/* pc loaded: index its values by staff id when the ids are dense enough. */
void
rules_person_index_ids(struct person_col *pc)
{
	if (pc->id == NULL)
		pc->id = xcalloc(1, sizeof *pc->id);   /* loaded, nobody in scope */
	else if (pc->id[pc->n - 1] - pc->id[0] < 4 * (sqlite3_int64)pc->n + 1024 && pc->n < UINT32_MAX) {
		pc->nslot = pc->id[pc->n - 1] - pc->id[0] + 1;
		pc->slot = xcalloc((size_t)pc->nslot, sizeof *pc->slot);
		for (size_t i = 0; i < pc->n; i++)
			pc->slot[pc->id[i] - pc->id[0]] = (uint32_t)i + 1;
	}
}

/* Load the person look-ups for the persons in scope (m SM_ALL, SM_SCHOOL
 * with school id, or SM_SLICE: those of school id from r->slice_lo to
 * slice_hi) on db, inside the check's read transaction:
 * one scan for all look-ups that read alike (same_scan), and of those
 * scans the k0-th, (k0 + step)-th … */
enum jzg_status
rules_person_load_some(struct rules *r, sqlite3 *db, enum scope_mode m, sqlite3_int64 id, size_t k0, size_t step_k,
    char **cause)
{
	size_t *mem = xcalloc(r->npc ? r->npc : 1, sizeof *mem), *cap = xcalloc(r->npc ? r->npc : 1, sizeof *cap);
	size_t nth = 0;
	enum jzg_status rc = JZG_OK;

	for (size_t k = 0; k < r->npc && rc == JZG_OK; k++) {
		struct person_col *pc = &r->pc[k];
		const char *in = m == SM_SLICE ? " staff_id BETWEEN ?2 AND ?3 AND staff_id IN (SELECT id FROM staff WHERE"
		    " school_id = ?1)" : " staff_id IN (SELECT id FROM staff WHERE school_id = ?1)";
		int school = m == SM_SCHOOL || m == SM_SLICE;
		struct strbuf sql = { 0 };
		size_t nmem = 0, j;
		sqlite3_stmt *ps;
		int step;

		for (j = 0; j < k && !same_scan(&r->pc[j], pc); j++)
			;
		if (j < k || nth++ % step_k != k0)
			continue;   /* loaded with look-up j, or by the other connection */
		for (j = k; r->pc_only != NULL && j < r->npc && !(r->pc_only[j] && same_scan(&r->pc[j], pc)); j++)
			;
		if (j == r->npc)
			continue;   /* none of this scan's look-ups is wanted (pc_only) */
		if (pc->prior) {
			rc = rules_prior_load(r, pc, db, m, id, cause);
			continue;
		}
		strbuf_adds(&sql, "SELECT staff_id");
		for (j = k; j < r->npc; j++)
			if (same_scan(&r->pc[j], pc)) {
				mem[nmem++] = j;
				strbuf_addf(&sql, ", (%s)", r->pc[j].expr);
				strbuf_adds(&r->pc[j].text, "");
			}
		strbuf_addf(&sql, " FROM \"s_%s\"", pc->set);
		if (pc->where != NULL)
			strbuf_addf(&sql, " WHERE (%s)%s%s", pc->where, school ? " AND" : "", school ? in : "");
		else if (school)
			strbuf_addf(&sql, " WHERE%s", in);
		strbuf_adds(&sql, pc->tail);
		if (sqlite3_prepare_v2(db, sql.s, -1, &ps, NULL) != SQLITE_OK) {
			strbuf_free(&sql);
			rc = jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
			break;
		}
		strbuf_free(&sql);
		if (school)
			sqlite3_bind_int64(ps, 1, id);
		if (m == SM_SLICE) {
			sqlite3_bind_int64(ps, 2, r->slice_lo);
			sqlite3_bind_int64(ps, 3, r->slice_hi);
		}
		while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
			if (pc->exists) {
				person_has(pc, &cap[k], sqlite3_column_int64(ps, 0));
				continue;
			}
			if (pc->first && pc->n > 0 && pc->id[pc->n - 1] == sqlite3_column_int64(ps, 0))
				continue;   /* not the person's first row in ORDER BY O */
			for (size_t i = 0; i < nmem; i++)
				person_add(&r->pc[mem[i]], &cap[mem[i]], ps, (int)i + 1);
		}
		sqlite3_finalize(ps);
		if (step != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "读取人员信息时出错：%s", sqlite3_errmsg(db));
		for (size_t i = 0; i < nmem; i++)
			if (pc->exists)
				person_index_has(pc);
			else
				rules_person_index_ids(&r->pc[mem[i]]);
	}
	free(mem);
	free(cap);
	return rc;
}

enum jzg_status
rules_person_load(struct rules *r, enum scope_mode m, sqlite3_int64 id, char **cause)
{
	return rules_person_load_some(r, r->st->db, m, id, 0, 1, cause);
}
