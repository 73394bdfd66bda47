/* baseline.c — see baseline.h. */
#include "baseline.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "import.h"
#include "migrate.h"
#include "util.h"

#define SRC "bsrc"   /* the attached source's schema */

static const char *
setting(const struct store *st, enum setting_key k)
{
	return st->defs->setting[k];
}

int
baseline_count(struct store *st)
{
	int n = 0;

	store_int(st->db, "SELECT count(*) FROM baseline", &n);
	return n;
}

/* ------------------------------------------------------------- linking */

/* A value of a person's 身份证件号, 姓名 or 出生日期 (settings person_id,
 * person_name, person_birth), in struct link_side's text: NULL, a blob, or
 * text (anything else as SQLite turns it into text: these fields hold
 * text, TEXT affinity). */
struct lval {
	size_t off;
	int    len;
	int    type;   /* SQLITE_NULL, SQLITE_TEXT or SQLITE_BLOB */
};

struct lperson {
	sqlite3_int64 id;          /* this year's staff id, or b_staff.id */
	sqlite3_int64 cur;         /* b_staff: its staff_id now (0: NULL) */
	struct lval   v[3];        /* idno, name, birth */
};

/* One side of the link: its people and their values' bytes. */
struct link_side {
	struct lperson *p;
	size_t          n, cap;
	struct strbuf   text;
};

static const char *link_text;   /* the side being sorted (qsort has no argument) */

static int
lval_cmp(const char *ta, const struct lval *a, const char *tb, const struct lval *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->len ? memcmp(ta + a->off, tb + b->off, (size_t)a->len) : 0;
}

/* Sort orders: by idno then id; by name, birth then id. */
static int
by_idno(const void *pa, const void *pb)
{
	const struct lperson *a = pa, *b = pb;
	int c = lval_cmp(link_text, &a->v[0], link_text, &b->v[0]);

	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

static int
by_name_birth(const void *pa, const void *pb)
{
	const struct lperson *a = pa, *b = pb;
	int c = lval_cmp(link_text, &a->v[1], link_text, &b->v[1]);

	if (c == 0)
		c = lval_cmp(link_text, &a->v[2], link_text, &b->v[2]);
	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

/* Read ps's rows into side: column 0 the id, 1-3 the values, 4 (when
 * with_cur) b_staff.staff_id. */
static int
side_load(sqlite3_stmt *ps, struct link_side *side, int with_cur)
{
	int step;

	while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
		struct lperson *p;

		if (side->n == side->cap) {
			side->cap = side->cap ? side->cap * 2 : 1024;
			side->p = xreallocarray(side->p, side->cap, sizeof *side->p);
		}
		p = &side->p[side->n++];
		p->id = sqlite3_column_int64(ps, 0);
		p->cur = with_cur ? sqlite3_column_int64(ps, 4) : 0;
		for (int k = 0; k < 3; k++) {
			int t = sqlite3_column_type(ps, k + 1);
			const void *bytes = t == SQLITE_NULL ? NULL : t == SQLITE_BLOB ? sqlite3_column_blob(ps, k + 1) :
			    (const void *)sqlite3_column_text(ps, k + 1);

			p->v[k].type = t == SQLITE_NULL || t == SQLITE_BLOB ? t : SQLITE_TEXT;
			p->v[k].len = bytes ? sqlite3_column_bytes(ps, k + 1) : 0;
			p->v[k].off = side->text.len;
			if (p->v[k].len > 0)
				strbuf_add(&side->text, bytes, (size_t)p->v[k].len);
		}
	}
	sqlite3_finalize(ps);
	return step == SQLITE_DONE;
}

/* The first of sorted side's people (by cmp, on the values of key) that
 * cmp finds equal to key, or NULL. */
static const struct lperson *
side_find(const struct link_side *side, const struct lperson *key, const char *ktext,
    int (*eq)(const char *, const struct lperson *, const char *, const struct lperson *))
{
	size_t lo = 0, hi = side->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (eq(side->text.s, &side->p[mid], ktext, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < side->n && eq(side->text.s, &side->p[lo], ktext, key) == 0 ? &side->p[lo] : NULL;
}

static int
eq_idno(const char *ta, const struct lperson *a, const char *tb, const struct lperson *b)
{
	return lval_cmp(ta, &a->v[0], tb, &b->v[0]);
}

static int
eq_name_birth(const char *ta, const struct lperson *a, const char *tb, const struct lperson *b)
{
	int c = lval_cmp(ta, &a->v[1], tb, &b->v[1]);

	return c ? c : lval_cmp(ta, &a->v[2], tb, &b->v[2]);
}

/* Link baseline bid's people (of school code) to this year's: by
 * 身份证件号 within the school (the smallest staff id of that number), then
 * those not linked (or with no number) by 姓名 and 出生日期 among this
 * year's people no one was linked to by number (the smallest staff id
 * again; several of last year's may find the same); NULL when neither
 * finds one.  Only the links that changed are written: changes, stats,
 * the board and check link again before every comparison.  Worked out in
 * C from one read of each side: as SQL (a sub-query per person) it cost
 * 20,000 instructions a person, 0.2 s per 20,000 before every check. */
static enum jzg_status
link_one(struct store *st, sqlite3_int64 bid, const char *code, char **cause)
{
	struct link_side now = { 0 }, last = { 0 }, free_now = { 0 };
	sqlite3_stmt *ps = NULL, *up = NULL;
	sqlite3_int64 *link = NULL;
	unsigned char *taken = NULL;
	char *sql = xasprintf("SELECT p.staff_id, p.\"%s\", p.\"%s\", p.\"%s\" FROM \"s_%s\" p JOIN staff t ON t.id = p.staff_id"
	    " JOIN school c ON c.id = t.school_id WHERE c.code = ?1", setting(st, SK_PERSON_ID), setting(st, SK_PERSON_NAME),
	    setting(st, SK_PERSON_BIRTH), setting(st, SK_PERSON_SET));
	enum jzg_status rc = JZG_OK;
	int ok;

	if ((rc = store_prepare(st, sql, &ps, cause)) != JZG_OK)
		goto out;
	sqlite3_bind_text(ps, 1, code, -1, SQLITE_STATIC);
	ok = side_load(ps, &now, 0);
	if (ok && (rc = store_prepare(st, "SELECT id, idno, name, birth, staff_id FROM b_staff WHERE baseline_id = ?1",
	    &ps, cause)) != JZG_OK)
		goto out;
	if (ok) {
		sqlite3_bind_int64(ps, 1, bid);
		ok = side_load(ps, &last, 1);
	}
	if (!ok) {
		rc = jzg_fail(cause, JZG_ERR_DB, "读取人员时出错：%s", sqlite3_errmsg(st->db));
		goto out;
	}
	link = xcalloc(last.n + 1, sizeof *link);
	taken = xcalloc(now.n + 1, 1);
	/* by number: this year's sorted by (number, id) */
	link_text = now.text.s;
	xqsort(now.p, now.n, sizeof *now.p, by_idno);
	for (size_t i = 0; i < last.n; i++) {
		const struct lperson *b = &last.p[i], *f;

		if (b->v[0].type == SQLITE_NULL || (b->v[0].type == SQLITE_TEXT && b->v[0].len == 0))
			continue;
		if ((f = side_find(&now, b, last.text.s, eq_idno)) != NULL) {
			link[i] = f->id;
			taken[f - now.p] = 1;
		}
	}
	/* by name and birth date, among this year's people not linked by number */
	free_now.text = now.text;
	free_now.p = xcalloc(now.n + 1, sizeof *free_now.p);
	for (size_t k = 0; k < now.n; k++)
		if (!taken[k])
			free_now.p[free_now.n++] = now.p[k];
	xqsort(free_now.p, free_now.n, sizeof *free_now.p, by_name_birth);
	for (size_t i = 0; i < last.n; i++) {
		const struct lperson *b = &last.p[i], *f;

		if (link[i] != 0 || b->v[1].type == SQLITE_NULL || b->v[2].type == SQLITE_NULL)
			continue;
		if ((f = side_find(&free_now, b, last.text.s, eq_name_birth)) != NULL)
			link[i] = f->id;
	}
	if ((rc = store_prepare(st, "UPDATE b_staff SET staff_id = ?2 WHERE id = ?1", &up, cause)) != JZG_OK)
		goto out;
	for (size_t i = 0; i < last.n && rc == JZG_OK; i++) {
		if (link[i] == last.p[i].cur)
			continue;
		sqlite3_bind_int64(up, 1, last.p[i].id);
		if (link[i] != 0)
			sqlite3_bind_int64(up, 2, link[i]);
		else
			sqlite3_bind_null(up, 2);
		if (sqlite3_step(up) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "写入基线时出错：%s", sqlite3_errmsg(st->db));
		sqlite3_reset(up);
	}
out:
	sqlite3_finalize(up);
	free(sql);
	free(link);
	free(taken);
	free(now.p);
	free(free_now.p);
	free(last.p);
	strbuf_free(&now.text);
	strbuf_free(&last.text);
	return rc;
}

enum jzg_status
baseline_link(struct store *st, const char *school, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	int own = sqlite3_get_autocommit(st->db);

	if (baseline_count(st) == 0)
		return JZG_OK;
	if ((rc = store_prepare(st, "SELECT id, school_code FROM baseline WHERE ?1 IS NULL OR school_code = ?1",
	    &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	if (own && (rc = store_exec(st, "BEGIN IMMEDIATE", cause)) != JZG_OK) {
		sqlite3_finalize(q);
		return rc;
	}
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW)
		rc = link_one(st, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1), cause);
	sqlite3_finalize(q);
	if (own)
		sqlite3_exec(st->db, rc == JZG_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* --------------------------------------------------------------- drop */

/* Delete the baseline of school code (nothing when there is none). */
static enum jzg_status
drop_school(struct store *st, const char *code, char **cause)
{
	struct strbuf b = { 0 };
	enum jzg_status rc;
	char *q = sqlite3_mprintf("%Q", code);

	for (size_t i = 0; i < st->defs->nall; i++)
		strbuf_addf(&b, "DELETE FROM \"b_%s\" WHERE staff_id IN (SELECT s.id FROM b_staff s JOIN baseline l"
		    " ON l.id = s.baseline_id WHERE l.school_code = %s);", st->defs->all[i].v[SC_NAME], q);
	/* the prior-year rules' findings cached for the school's people are stale */
	strbuf_addf(&b, "DELETE FROM b_staff WHERE baseline_id IN (SELECT id FROM baseline WHERE school_code = %s);"
	    "DELETE FROM baseline WHERE school_code = %s;"
	    "DELETE FROM check_cache WHERE staff_id IN (SELECT t.id FROM staff t JOIN school k ON k.id = t.school_id"
	    " WHERE k.code = %s);", q, q, q);
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	sqlite3_free(q);
	return rc;
}

enum jzg_status
baseline_drop(struct store *st, const char *school, char **dropped, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	char *code = NULL;
	int n = 0;

	*dropped = NULL;
	if ((rc = store_prepare(st, "SELECT school_code FROM baseline WHERE ?1 IS NULL OR school_code = ?1",
	    &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (n++ == 0)
			code = xstrdup((const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	if (n == 0) {
		free(code);
		return school ? jzg_fail(cause, JZG_ERR_NOTFOUND, "学校 %s 没有基线", school) :
		    jzg_fail(cause, JZG_ERR_NOTFOUND, "本文件没有基线");
	}
	if (n > 1) {
		free(code);
		return jzg_fail(cause, JZG_ERR_USAGE, "本文件有 %d 所学校的基线，请用 --school 指定删除哪一所", n);
	}
	if ((rc = store_exec(st, "BEGIN IMMEDIATE", cause)) == JZG_OK) {
		rc = drop_school(st, code, cause);
		if (rc == JZG_OK)
			rc = store_exec(st, "COMMIT", cause);
		if (rc != JZG_OK)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	if (rc == JZG_OK)
		*dropped = code;
	else
		free(code);
	return rc;
}

/* --------------------------------------------------------------- list */

enum jzg_status
baseline_list(struct store *st, struct baseline_row **rows, size_t *n, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	if ((rc = store_prepare(st, "SELECT l.school_code, coalesce(c.name, ''), l.label, l.source, l.created, l.people,"
	    " (SELECT count(*) FROM b_staff s WHERE s.baseline_id = l.id AND s.staff_id IS NOT NULL)"
	    " FROM baseline l LEFT JOIN school c ON c.code = l.school_code ORDER BY l.school_code", &q, cause)) != JZG_OK)
		return rc;
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct baseline_row *r;

		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*rows = xreallocarray(*rows, cap, sizeof **rows);
		}
		r = &(*rows)[(*n)++];
		r->school_code = xstrdup((const char *)sqlite3_column_text(q, 0));
		r->school_name = xstrdup((const char *)sqlite3_column_text(q, 1));
		r->label = xstrdup((const char *)sqlite3_column_text(q, 2));
		r->source = xstrdup((const char *)sqlite3_column_text(q, 3));
		r->created = xstrdup((const char *)sqlite3_column_text(q, 4));
		r->people = sqlite3_column_int64(q, 5);
		r->linked = sqlite3_column_int64(q, 6);
	}
	sqlite3_finalize(q);
	return JZG_OK;
}

void
baseline_list_free(struct baseline_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].school_code);
		free(rows[i].school_name);
		free(rows[i].label);
		free(rows[i].source);
		free(rows[i].created);
	}
	free(rows);
}

/* ---------------------------------------------------------------- set */

/* Copy the people and records of schools code[0..n) from schema sch into
 * a new baseline each (inside the caller's transaction), adding to r.
 *
 * One statement per set for all the schools: when no --school narrows
 * the copy, each source table is read once in storage order, not person
 * by person through each school's staff and the set's staff_id index (a
 * fifth of the copy's instructions).  Last year's ids, shifted past the
 * baseline's own (one shift for all), keep every record's person without
 * a look-up per row. */
static enum jzg_status
copy_schools(struct store *st, const char *sch, const struct store_colset *cs, char *const *code, size_t n,
    int narrowed, const char *label, const char *source, const char *version, struct baseline_result *r, char **cause)
{
	const struct defs *defs = st->defs;
	struct strbuf b = { 0 }, in = { 0 };
	enum jzg_status rc = JZG_OK;
	sqlite3_int64 off, *bid = xcalloc(n + 1, sizeof *bid);
	int maxid = 0, from = version ? atoi(version) : 0;
	char *people;

	for (size_t i = 0; i < n && rc == JZG_OK; i++) {
		char *sql = sqlite3_mprintf("INSERT INTO baseline(school_code, label, source, forms_version) VALUES(%Q, %Q, %Q, %Q)",
		    code[i], label, source, version), *q = sqlite3_mprintf("%Q", code[i]);

		if ((rc = drop_school(st, code[i], cause)) == JZG_OK)
			rc = store_exec(st, sql, cause);
		bid[i] = sqlite3_last_insert_rowid(st->db);
		strbuf_addf(&in, "%s%s", i ? ", " : "", q);
		sqlite3_free(sql);
		sqlite3_free(q);
	}
	if (rc != JZG_OK)
		goto out;
	store_int(st->db, "SELECT coalesce(max(id), 0) FROM b_staff", &maxid);
	off = maxid;
	/* the records of those schools' people: of the few of a narrowed copy
	 * through the set's staff_id index, else every one whose person
	 * b_staff now holds (a look-up by rowid, which is cheaper than testing
	 * a list of ids) */
	people = narrowed ? xasprintf(" WHERE x.staff_id IN (SELECT t.id FROM \"%s\".staff t JOIN \"%s\".school c"
	    " ON c.id = t.school_id WHERE c.code IN (%s))", sch, sch, in.s) :
	    xasprintf(" JOIN main.b_staff b ON b.id = x.staff_id + %lld", (long long)off);
	strbuf_addf(&b, "INSERT INTO b_staff(id, baseline_id, idno, name, birth) SELECT t.id + %lld, l.id, p.\"%s\", p.\"%s\","
	    " p.\"%s\" FROM \"%s\".staff t JOIN \"%s\".school c ON c.id = t.school_id JOIN main.baseline l ON l.school_code = c.code"
	    " LEFT JOIN \"%s\".\"s_%s\" p ON p.staff_id = t.id WHERE c.code IN (%s);", (long long)off, setting(st, SK_PERSON_ID),
	    setting(st, SK_PERSON_NAME), setting(st, SK_PERSON_BIRTH), sch, sch, sch, setting(st, SK_PERSON_SET), in.s);
	for (size_t i = 0; i < defs->nall; i++) {
		const struct set_def *s = &defs->all[i];
		const char *sn = s->v[SC_NAME];
		char tname[80], *key;
		struct strbuf cols = { 0 }, vals = { 0 };

		snprintf(tname, sizeof tname, "s_%s", sn);
		if (!store_colset_has(cs, tname, "staff_id"))
			continue;   /* a set last year's definitions did not have */
		for (size_t j = 0; j < s->nfield; j++) {
			const char *fn = s->field[j].v[FC_NAME];
			/* last year's name of a field renamed since (forms/renames.tsv) */
			const char *col = from ? migrate_source_column(defs, sn, fn, from) : fn;

			strbuf_addf(&cols, ", \"%s\"", fn);
			if (store_colset_has(cs, tname, col))
				strbuf_addf(&vals, ", x.\"%s\" AS \"%s\"", col, fn);
			else
				strbuf_addf(&vals, ", NULL AS \"%s\"", fn);
		}
		key = s->many ? set_key_sql(s, "y") : xstrdup("''");
		strbuf_addf(&b, "INSERT INTO \"b_%s\"(staff_id, seq%s, nk) SELECT y.*, %s FROM (SELECT x.staff_id + %lld, %s%s"
		    " FROM \"%s\".\"%s\" x%s) y;", sn, cols.s, key, (long long)off, s->many ? "x.seq" : "0", vals.s, sch,
		    tname, people);
		free(key);
		strbuf_free(&cols);
		strbuf_free(&vals);
	}
	free(people);
	strbuf_addf(&b, "UPDATE baseline SET people = (SELECT count(*) FROM b_staff WHERE baseline_id = baseline.id)"
	    " WHERE school_code IN (%s);", in.s);
	if ((rc = store_exec(st, b.s, cause)) != JZG_OK)
		goto out;
	/* codes replaced since last year's definitions, then the keys again */
	if (from > 0 && from < defs->version) {
		char *where = xasprintf("staff_id > %lld", (long long)off);

		rc = migrate_values(st, "b_", from, 0, where, cause);
		free(where);
		for (size_t i = 0; i < defs->nall && rc == JZG_OK; i++) {
			const struct set_def *s = &defs->all[i];
			char *alias, *key, *sql;

			if (!s->many)
				continue;
			alias = xasprintf("\"b_%s\"", s->v[SC_NAME]);
			key = set_key_sql(s, alias);
			sql = xasprintf("UPDATE %s SET nk = %s WHERE staff_id > %lld", alias, key, (long long)off);
			rc = store_exec(st, sql, cause);
			free(sql);
			free(key);
			free(alias);
		}
		if (rc != JZG_OK)
			goto out;
	}
	for (size_t i = 0; i < n && rc == JZG_OK; i++) {
		int np = 0, nl = 0;
		char *sql;

		if ((rc = link_one(st, bid[i], code[i], cause)) != JZG_OK)
			break;
		sql = xasprintf("SELECT people FROM baseline WHERE id = %lld", (long long)bid[i]);
		store_int(st->db, sql, &np);
		free(sql);
		sql = xasprintf("SELECT count(*) FROM b_staff WHERE baseline_id = %lld AND staff_id IS NOT NULL", (long long)bid[i]);
		store_int(st->db, sql, &nl);
		free(sql);
		r->people += np;
		r->linked += nl;
	}
out:
	free(bid);
	strbuf_free(&b);
	strbuf_free(&in);
	return rc;
}

/* Is path a template source (a folder, .xlsx or ZIP) rather than a jzg
 * file?  -1 with a cause when it is neither or cannot be read. */
static int
template_source(const char *path, char **cause)
{
	struct stat sb;
	char head[16] = { 0 };
	FILE *fp;
	size_t n;

	if (stat(path, &sb) != 0) {
		jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到基线来源 %s：%s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		return 1;
	if ((fp = fopen(path, "rb")) == NULL) {
		jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s", path, strerror(errno));
		return -1;
	}
	n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	if (n == sizeof head && memcmp(head, "SQLite format 3", 16) == 0)
		return 0;
	if (n >= 2 && head[0] == 'P' && head[1] == 'K')
		return 1;
	jzg_fail(cause, JZG_ERR_FOREIGN, "%s 既不是 jzg 数据文件，也不是填好的采集模板（.xlsx、文件夹或 ZIP），未做任何改动", path);
	return -1;
}

/* Read the templates at path into a new temporary jzg file; *tmp gets its
 * path (caller removes it and its folder, then frees). */
static enum jzg_status
import_to_temp(struct store *st, const char *path, const struct baseline_opts *o, char **tmp, char **cause)
{
	const char *td = getenv("TMPDIR");
	char *dir = xasprintf("%s/jzg-baseline-XXXXXX", td && *td ? td : "/tmp");
	struct store *ts = NULL;
	struct import_opts io = { .school = o->school, .finding = o->finding, .finding_arg = o->finding_arg };
	struct import_result ir = { 0 };
	enum jzg_status rc;

	*tmp = NULL;
	if (mkdtemp(dir) == NULL) {
		rc = jzg_fail(cause, JZG_ERR_IO, "无法建立临时文件夹 %s：%s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	*tmp = xasprintf("%s/baseline.db", dir);
	free(dir);
	if ((rc = audit_open(*tmp, st->defs, STORE_CREATE, &ts, cause)) != JZG_OK)
		return rc;
	audit_set(ts, audit_actor(st), 0, AUDIT_PATH_IMPORT);
	rc = import_path(ts, path, &io, &ir, cause);
	store_close(ts);
	if (rc == JZG_ERR_INVALID || (rc == JZG_OK && ir.persons == 0)) {
		free(*cause);
		*cause = NULL;
		rc = jzg_fail(cause, JZG_ERR_INVALID, ir.persons == 0 && rc == JZG_OK ?
		    "%s 中没有可作基线的人员，未做任何改动" :
		    "%s 中的模板有错误（见上），未做任何改动；请改正后重新设置基线", path);
	}
	return rc;
}

static void
remove_temp(char *tmp)
{
	char *slash;

	if (tmp == NULL)
		return;
	unlink(tmp);
	if ((slash = strrchr(tmp, '/')) != NULL) {
		*slash = '\0';
		rmdir(tmp);
	}
	free(tmp);
}

/* The same file as st's?  (Taking this file's own data as its baseline.) */
static int
same_file(const struct store *st, const char *path)
{
	struct stat a, b;

	return stat(st->path, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The source's definitions version (meta forms_version), or NULL. */
static char *
source_version(struct store *st, const char *sch)
{
	char *sql = sqlite3_mprintf("SELECT value FROM \"%w\".meta WHERE key = 'forms_version'", sch);
	sqlite3_stmt *q;
	char *v = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
			v = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	sqlite3_free(sql);
	return v;
}

static enum jzg_status
set_from(struct store *st, const char *path, const char *sch, const char *shown, const struct baseline_opts *o,
    struct baseline_result *r, char **cause)
{
	struct store_colset cs;
	sqlite3_stmt *q = NULL;
	enum jzg_status rc;
	char *sql, *version = source_version(st, sch);
	const char *label = o->label && *o->label ? o->label : "上年";
	char **code = NULL;
	size_t n = 0, cap = 0;

	(void)path;
	if (version != NULL && st->defs->version != 0 && atoi(version) > st->defs->version) {
		rc = jzg_fail(cause, JZG_ERR_NEWER, "%s 是按 %s 年版指标定义录入的，本程序的指标定义是 %d 年版，"
		    "请用新版的指标定义（forms）设置基线；未做任何改动", shown, version, st->defs->version);
		free(version);
		return rc;
	}
	if (store_colset_load(st->db, sch, &cs) != SQLITE_OK) {
		free(version);
		return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏，未做任何改动", shown);
	}
	sql = sqlite3_mprintf("SELECT c.code, (SELECT count(*) FROM main.school m WHERE m.code = c.code)"
	    " FROM \"%w\".school c WHERE %Q IS NULL OR c.code = %Q ORDER BY c.code", sch, o->school, o->school);
	rc = store_prepare(st, sql, &q, cause);
	sqlite3_free(sql);
	if (rc == JZG_OK)
		rc = store_exec(st, "BEGIN IMMEDIATE", cause);
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			code = xreallocarray(code, cap, sizeof *code);
		}
		code[n++] = xstrdup((const char *)sqlite3_column_text(q, 0));
		r->schools++;
		if (sqlite3_column_int(q, 1) == 0)
			r->absent++;
	}
	if (rc == JZG_OK && n > 0)
		rc = copy_schools(st, sch, &cs, code, n, o->school != NULL, label, shown, version, r, cause);
	if (rc == JZG_OK && n == 0)
		rc = o->school ? jzg_fail(cause, JZG_ERR_NOTFOUND, "%s 中没有学校 %s，未做任何改动", shown, o->school) :
		    jzg_fail(cause, JZG_ERR_NOTFOUND, "%s 中没有任何学校，未做任何改动", shown);
	if (rc == JZG_OK)
		rc = store_exec(st, "COMMIT", cause);
	if (rc != JZG_OK) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		r->schools = 0;
		r->people = r->linked = 0;
		r->absent = 0;
	}
	if (q != NULL)
		sqlite3_finalize(q);
	for (size_t i = 0; i < n; i++)
		free(code[i]);
	free(code);
	store_colset_free(&cs);
	free(version);
	return rc;
}

enum jzg_status
baseline_set(struct store *st, const char *source, const struct baseline_opts *o, struct baseline_result *r,
    char **cause)
{
	char *tmp = NULL, *sql;
	const char *path = source, *sch = SRC;
	struct store *probe = NULL;
	enum jzg_status rc;
	int kind;

	memset(r, 0, sizeof *r);
	if ((kind = template_source(source, cause)) < 0)
		return JZG_ERR_INVALID;
	if (kind == 1) {
		if ((rc = import_to_temp(st, source, o, &tmp, cause)) != JZG_OK) {
			remove_temp(tmp);
			return rc;
		}
		path = tmp;
	}
	if (kind == 0 && same_file(st, source))
		sch = "main";
	else {
		/* identity and version checked as any file is opened, read-only */
		if ((rc = store_open(path, st->defs, STORE_READONLY, &probe, cause)) != JZG_OK) {
			remove_temp(tmp);
			return rc;
		}
		store_close(probe);
		sql = sqlite3_mprintf("ATTACH %Q AS " SRC, path);
		rc = store_exec(st, sql, cause);
		sqlite3_free(sql);
		if (rc != JZG_OK) {
			remove_temp(tmp);
			return rc;
		}
	}
	rc = set_from(st, path, sch, source, o, r, cause);
	if (strcmp(sch, SRC) == 0)
		sqlite3_exec(st->db, "DETACH " SRC, NULL, NULL, NULL);
	remove_temp(tmp);
	return rc;
}
