/* changes.c — see changes.h.  First, set by set, one pass over each side's
 * table finds who may have changed (struct who); then per school with a
 * baseline: one query for the people added, one for the people gone, and
 * per set two streams (last year's records of those people, this year's)
 * that recmatch_stream matches; the differences are collected, sorted by
 * person and printed through the callback. */
#include "changes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "county.h"
#include "pview.h"
#include "recmatch.h"
#include "util.h"

/* A difference held until the school is done (they come set by set). */
struct item {
	sqlite3_int64 staff;    /* last year's person (b_staff.id), linked to this year's */
	int           set;      /* index into defs->all */
	int           kind;     /* enum change_kind */
	int           field;
	char         *key;      /* the record's key text, or NULL */
	char         *old, *new;
	size_t        seq;      /* arrival, to keep records in key order */
};

struct collect {
	const struct defs *defs;
	int                set;
	unsigned char     *linked;   /* by b_staff.id - lo: last year's person is linked to this year's */
	sqlite3_int64      lo, hi;
	sqlite3_int64      only;     /* --staff: that person's b_staff.id (0: none) */
	struct item       *it;
	size_t             n, cap;
};

static int
on_diff(const struct recmatch_diff *d, void *arg)
{
	struct collect *c = arg;
	struct item *it;
	const struct recmatch_rec *r = d->new ? d->new : d->old;

	if (d->person < c->lo || d->person > c->hi || !c->linked[d->person - c->lo])
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->it = xreallocarray(c->it, c->cap, sizeof *c->it);
	}
	it = &c->it[c->n];
	memset(it, 0, sizeof *it);
	it->staff = d->person;
	it->set = c->set;
	it->field = d->field;
	it->seq = c->n++;
	it->kind = d->kind == RM_ADDED ? CHANGE_RECORD_ADDED : d->kind == RM_REMOVED ? CHANGE_RECORD_REMOVED : CHANGE_VALUE;
	it->key = d->set->many ? xstrdup(r->key) : NULL;
	if (d->kind == RM_CHANGED) {
		it->old = xstrdup(d->old->v[d->field]);
		it->new = xstrdup(d->new->v[d->field]);
	}
	return 0;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->staff != y->staff)
		return x->staff < y->staff ? -1 : 1;
	if (x->set != y->set)
		return x->set - y->set;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The columns of set s's fields as "alias"."F", in order. */
static char *
field_cols(const struct set_def *s, const char *alias)
{
	struct strbuf b = { 0 };

	for (size_t j = 0; j < s->nfield; j++)
		strbuf_addf(&b, ", %s.\"%s\"", alias, s->field[j].v[FC_NAME]);
	return strbuf_take(&b);
}

/* Match set s of some of last year's people (b_staff.id: oldwho over
 * b_<set> x, newwho over b_staff b: SQL conditions) into c.  Both sides
 * come ordered by last year's person (b_staff.id, which recmatch_stream
 * takes as the pair's id): last year's records from the index of b_<set>,
 * this year's through b_staff and the index of s_<set>. */
static enum jzg_status
compare_set(struct store *st, const struct set_def *s, const char *oldwho, const char *newwho,
    struct collect *c, char **cause)
{
	char *cols = field_cols(s, "x"), *key = s->many ? set_key_sql(s, "x") : xstrdup("''");
	/* last year's people not linked (gone) are skipped by on_diff */
	char *osql = xasprintf("SELECT x.staff_id, x.id, x.nk%s FROM \"b_%s\" x WHERE %s ORDER BY x.staff_id, x.nk, x.seq",
	    cols, s->v[SC_NAME], oldwho);
	char *nsql = xasprintf("SELECT b.id, %s, %s%s FROM b_staff b JOIN \"s_%s\" x ON x.staff_id = b.staff_id"
	    " WHERE %s ORDER BY b.id%s", s->many ? "x.id" : "x.staff_id", key, cols, s->v[SC_NAME], newwho,
	    s->many ? ", x.seq, x.id" : "");
	sqlite3_stmt *o = NULL, *n = NULL;
	enum jzg_status rc;

	if ((rc = store_prepare(st, osql, &o, cause)) == JZG_OK && (rc = store_prepare(st, nsql, &n, cause)) == JZG_OK)
		rc = recmatch_stream(s, o, n, on_diff, c, cause);
	sqlite3_finalize(o);
	sqlite3_finalize(n);
	free(cols);
	free(key);
	free(osql);
	free(nsql);
	return rc;
}

/* ------------------------------------------------ who may have changed */

/* A person's records of one set as one number: the sum of their rows'
 * hashes (changes_row_hash), and how many rows.  A sum does not depend on
 * the rows' order: two people with the same rows in any order have the
 * same digest, and recmatch finds no difference between them either
 * (identical records pair first).  Rows that differ as text (recmatch's
 * sameness) differ as values, so their digests differ unless 64-bit
 * hashes collide; rows that differ as values only (NULL and '', 5 and
 * '5') may differ in digest too, and are then matched in full, which
 * finds them the same. */
struct digest {
	uint64_t sum;
	uint64_t n;
};

static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* changes_row_hash(v1, v2, …): a hash of the values and their places,
 * empty ones left out (NULL and '' alike).  Computed in SQL as the row is
 * read: no column of it is handed to C. */
static void
row_hash(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	uint64_t h = 0x243f6a8885a308d3ULL, w;
	double d;

	for (int i = 0; i < argc; i++) {
		int t = sqlite3_value_type(argv[i]);
		const unsigned char *p;
		size_t n;

		switch (t) {
		case SQLITE_NULL:
			continue;
		case SQLITE_INTEGER:
			h = mix(mix(h, (uint64_t)i << 8 | 1), (uint64_t)sqlite3_value_int64(argv[i]));
			continue;
		case SQLITE_FLOAT:
			d = sqlite3_value_double(argv[i]);
			memcpy(&w, &d, sizeof w);
			h = mix(mix(h, (uint64_t)i << 8 | 2), w);
			continue;
		}
		p = t == SQLITE_BLOB ? sqlite3_value_blob(argv[i]) : sqlite3_value_text(argv[i]);
		n = (size_t)sqlite3_value_bytes(argv[i]);
		if (p == NULL || n == 0)
			continue;
		h = mix(h, (uint64_t)i << 8 | 3);
		for (; n >= 8; p += 8, n -= 8) {
			memcpy(&w, p, 8);
			h = mix(h, w);
		}
		w = 0;
		memcpy(&w, p, n);
		h = mix(h, w ^ (uint64_t)n << 56);
	}
	sqlite3_result_int64(cx, (sqlite3_int64)mix(h, 0x2545f4914f6cdd1dULL));
}

/* The SQL of changes_row_hash over the fields of s in alias's table
 * (nested past SQLite's limit of arguments). */
static char *
hash_sql(const struct set_def *s, const char *alias)
{
	struct strbuf b = { 0 };
	size_t open = 0;

	strbuf_adds(&b, "changes_row_hash(");
	for (size_t j = 0; j < s->nfield; j++) {
		if (j > 0 && j % 100 == 0) {
			strbuf_adds(&b, ", changes_row_hash(");
			open++;
		}
		strbuf_addf(&b, "%s%s.\"%s\"", j % 100 ? ", " : "", alias, s->field[j].v[FC_NAME]);
	}
	while (open-- > 0)
		strbuf_addc(&b, ')');
	strbuf_addc(&b, ')');
	return strbuf_take(&b);
}

/* Row ids as compact places 0..n-1: id - lo when the ids are dense (the
 * usual case), else by binary search in ids (a county file whose
 * baselines were set again and again, leaving gaps): memory in proportion
 * to the people, not to the largest id. */
struct slots {
	sqlite3_int64  lo;
	size_t         n;
	sqlite3_int64 *ids;   /* NULL: dense */
};

/* The ids of sql (one column, ascending), bound to school at ?1. */
static enum jzg_status
slots_load(struct store *st, const char *sql, const char *school, struct slots *sl, char **cause)
{
	sqlite3_stmt *q;
	size_t cap = 0;
	enum jzg_status rc = store_prepare(st, sql, &q, cause);

	memset(sl, 0, sizeof *sl);
	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (sl->n == cap) {
			cap = cap ? 2 * cap : 1024;
			sl->ids = xreallocarray(sl->ids, cap, sizeof *sl->ids);
		}
		sl->ids[sl->n++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (sl->n > 0 && (uint64_t)(sl->ids[sl->n - 1] - sl->ids[0]) < 2 * (uint64_t)sl->n + 64) {
		sl->lo = sl->ids[0];
		sl->n = (size_t)(sl->ids[sl->n - 1] - sl->lo + 1);
		free(sl->ids);
		sl->ids = NULL;
	}
	return JZG_OK;
}

/* The place of id, or -1. */
static long
slot_of(const struct slots *sl, sqlite3_int64 id)
{
	size_t a = 0, b = sl->n;

	if (sl->ids == NULL)
		return id >= sl->lo && (uint64_t)(id - sl->lo) < sl->n ? (long)(id - sl->lo) : -1;
	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (sl->ids[m] < id)
			a = m + 1;
		else
			b = m;
	}
	return a < sl->n && sl->ids[a] == id ? (long)a : -1;
}

static sqlite3_int64
slot_id(const struct slots *sl, size_t k)
{
	return sl->ids ? sl->ids[k] : sl->lo + (sqlite3_int64)k;
}

/* Sum the rows of sql (column 0 a person's id, 1 the row's hash) into
 * d[place of the person in sl]; other people are skipped. */
static enum jzg_status
digest_side(struct store *st, const struct set_def *s, const char *sql, const struct slots *sl, struct digest *d,
    char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, sql, &q, cause);
	int e;

	if (rc != JZG_OK)
		return rc;
	memset(d, 0, sl->n * sizeof *d);
	while ((e = sqlite3_step(q)) == SQLITE_ROW) {
		long p = slot_of(sl, sqlite3_column_int64(q, 0));

		if (p >= 0) {
			d[p].sum += (uint64_t)sqlite3_column_int64(q, 1);
			d[p].n++;
		}
	}
	if (e != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "读取信息集 %s 失败：%s", s->v[SC_NAME], sqlite3_errstr(e));
	sqlite3_finalize(q);
	return rc;
}

/* Which of last year's people (b_staff.id, places in old) may differ
 * from this year's in which set: diff[set * old.n + place].  Each side's
 * table is read once in storage order (no index, no sort, no copy) and
 * only the people whose digests differ are then read in full and matched:
 * for 100,000 people, matching everyone took two thirds of the time of
 * changes in index look-ups and copies of every value. */
struct who {
	struct slots   old;
	unsigned char *diff;
};

/* The people of the baselines of school (NULL: every baseline), in w
 * (caller frees with who_free). */
static enum jzg_status
who_find(struct store *st, const char *school, struct who *w, char **cause)
{
	const struct defs *defs = st->defs;
	sqlite3_stmt *q;
	struct slots now;
	long *link;
	struct digest *od, *nd;
	sqlite3_int64 nlo = 0, nhi = 0;   /* the range of this year's staff ids linked to */
	enum jzg_status rc;

	memset(w, 0, sizeof *w);
	if (sqlite3_create_function(st->db, "changes_row_hash", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, row_hash,
	    NULL, NULL) != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "比对失败：%s", sqlite3_errmsg(st->db));
	if ((rc = slots_load(st, "SELECT b.id FROM b_staff b JOIN baseline l ON l.id = b.baseline_id"
	    " WHERE ?1 IS NULL OR l.school_code = ?1 ORDER BY b.id", school, &w->old, cause)) != JZG_OK ||
	    (rc = slots_load(st, "SELECT id FROM staff ORDER BY id", NULL, &now, cause)) != JZG_OK)
		return rc;
	w->diff = xcalloc(defs->nall * w->old.n + 1, 1);
	link = xreallocarray(NULL, w->old.n + 1, sizeof *link);
	for (size_t k = 0; k < w->old.n; k++)
		link[k] = -1;
	if ((rc = store_prepare(st, "SELECT b.id, b.staff_id FROM b_staff b JOIN baseline l ON l.id = b.baseline_id"
	    " WHERE (?1 IS NULL OR l.school_code = ?1) AND b.staff_id IS NOT NULL", &q, cause)) == JZG_OK) {
		sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			long b = slot_of(&w->old, sqlite3_column_int64(q, 0));
			sqlite3_int64 to = sqlite3_column_int64(q, 1);

			if (b >= 0)
				link[b] = slot_of(&now, to);
			if (to < nlo || nlo == 0)
				nlo = to;
			if (to > nhi)
				nhi = to;
		}
		sqlite3_finalize(q);
	}
	od = xcalloc(w->old.n + 1, sizeof *od);
	nd = xcalloc(now.n + 1, sizeof *nd);
	for (size_t i = 0; i < defs->nall && rc == JZG_OK && w->old.n > 0; i++) {
		const struct set_def *s = &defs->all[i];
		char *cols = hash_sql(s, "x");
		/* +x.staff_id: the range is not looked up in the index, the table is read in order */
		char *osql = xasprintf("SELECT x.staff_id, %s FROM \"b_%s\" x WHERE +x.staff_id BETWEEN %lld AND %lld", cols,
		    s->v[SC_NAME], (long long)slot_id(&w->old, 0), (long long)slot_id(&w->old, w->old.n - 1));
		/* this year's: only the rows of the people linked to, those of
		 * the school's baseline (有变化 in the client is one school of the
		 * file), read through the staff_id index; the whole file's in
		 * storage order */
		char *nsql = xasprintf("SELECT x.staff_id, %s FROM \"s_%s\" x WHERE %sx.staff_id BETWEEN %lld AND %lld", cols,
		    s->v[SC_NAME], school ? "" : "+", (long long)nlo, (long long)nhi);

		if ((rc = digest_side(st, s, osql, &w->old, od, cause)) == JZG_OK &&
		    (rc = digest_side(st, s, nsql, &now, nd, cause)) == JZG_OK)
			for (size_t k = 0; k < w->old.n; k++)
				if (link[k] >= 0 && (od[k].sum != nd[link[k]].sum || od[k].n != nd[link[k]].n))
					w->diff[i * w->old.n + k] = 1;
		free(cols);
		free(osql);
		free(nsql);
	}
	free(od);
	free(nd);
	free(link);
	free(now.ids);
	return rc;
}

static void
who_free(struct who *w)
{
	free(w->old.ids);
	free(w->diff);
}

/* Compare set i of the people of a baseline (b_staff.id lo..hi) that w
 * found may differ: listed in temp.changes_who for compare_set. */
static enum jzg_status
compare_who(struct store *st, const struct who *w, size_t i, sqlite3_int64 lo, sqlite3_int64 hi,
    struct collect *c, char **cause)
{
	sqlite3_stmt *ins;
	enum jzg_status rc;
	size_t n = 0;

	if ((rc = store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS changes_who(id INTEGER PRIMARY KEY);"
	    "DELETE FROM temp.changes_who", cause)) != JZG_OK ||
	    (rc = store_prepare(st, "INSERT INTO temp.changes_who VALUES(?1)", &ins, cause)) != JZG_OK)
		return rc;
	for (size_t k = 0; k < w->old.n && rc == JZG_OK; k++) {
		sqlite3_int64 b = slot_id(&w->old, k);

		if (b < lo || b > hi || !w->diff[i * w->old.n + k])
			continue;
		sqlite3_bind_int64(ins, 1, b);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "比对失败：%s", sqlite3_errmsg(st->db));
		sqlite3_reset(ins);
		n++;
	}
	sqlite3_finalize(ins);
	if (rc == JZG_OK && n > 0)
		rc = compare_set(st, &st->defs->all[i], "x.staff_id IN temp.changes_who", "b.id IN temp.changes_who",
		    c, cause);
	return rc;
}

struct school_run {
	struct store          *st;
	const struct who      *who;      /* NULL: compare everyone (one person: --staff) */
	sqlite3_int64          bid;
	const char            *code;
	char                  *qcode;
	sqlite3_int64          staff_id;
	changes_cb             cb;
	void                  *arg;
	struct changes_school *sum;
};

/* People added since the baseline: called back, and counted. */
static enum jzg_status
added_people(struct school_run *r, char **cause)
{
	const struct defs *defs = r->st->defs;
	char *sql = xasprintf("SELECT t.id, p.\"%s\", p.\"%s\" FROM staff t JOIN school k ON k.id = t.school_id"
	    " LEFT JOIN \"s_%s\" p ON p.staff_id = t.id WHERE k.code = %s%s AND NOT EXISTS (SELECT 1 FROM b_staff b"
	    " WHERE b.baseline_id = %lld AND b.staff_id = t.id) ORDER BY t.id", defs->setting[SK_PERSON_NAME],
	    defs->setting[SK_PERSON_ID], defs->setting[SK_PERSON_SET], r->qcode,
	    r->staff_id ? " AND t.id = ?1" : "", (long long)r->bid);
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(r->st, sql, &q, cause);

	free(sql);
	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, r->staff_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct change ch = { .kind = CHANGE_ADDED, .school = r->code, .staff_id = sqlite3_column_int64(q, 0),
		    .name = (const char *)sqlite3_column_text(q, 1), .idno = (const char *)sqlite3_column_text(q, 2) };

		r->sum->added++;
		if (r->cb)
			r->cb(&ch, r->arg);
	}
	sqlite3_finalize(q);
	return JZG_OK;
}

/* People of the baseline no longer in the file, with their last 人员状态. */
static enum jzg_status
gone_people(struct school_run *r, char **cause)
{
	const struct defs *defs = r->st->defs;
	const struct set_def *ps = defs_set(defs->all, defs->nall, defs->setting[SK_PERSON_SET]);
	const struct field_def *fs = ps ? set_field(ps, defs->setting[SK_PERSON_STATUS]) : NULL;
	char *sql = xasprintf("SELECT b.name, b.idno, p.\"%s\" FROM b_staff b LEFT JOIN \"b_%s\" p ON p.staff_id = b.id"
	    " WHERE b.baseline_id = %lld AND (b.staff_id IS NULL OR NOT EXISTS (SELECT 1 FROM staff t WHERE t.id = b.staff_id))"
	    " ORDER BY b.id", defs->setting[SK_PERSON_STATUS], defs->setting[SK_PERSON_SET], (long long)r->bid);
	sqlite3_stmt *q;
	enum jzg_status rc;

	if (r->staff_id != 0 || fs == NULL) {   /* one person of this year: nobody gone */
		free(sql);
		return JZG_OK;
	}
	rc = store_prepare(r->st, sql, &q, cause);
	free(sql);
	if (rc != JZG_OK)
		return rc;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(q, 2);
		char *shown = pview_display(fs, status), *why;
		int finding = str_empty(status) || str_eq(status, fdef(fs, FC_DEFAULT));
		struct change ch = { .kind = CHANGE_GONE, .school = r->code, .name = (const char *)sqlite3_column_text(q, 0),
		    .idno = (const char *)sqlite3_column_text(q, 1), .finding = finding };

		if (finding)
			why = xasprintf("去年%s为“%s”，今年不在本文件中，去向未说明（调出、退休等应改%s，不要删除此人），请核实",
			    fs->v[FC_LABEL], shown ? shown : "空", fs->v[FC_LABEL]);
		else
			why = xasprintf("%s：%s", fs->v[FC_LABEL], shown);
		ch.why = why;
		r->sum->gone++;
		if (r->cb)
			r->cb(&ch, r->arg);
		free(why);
		free(shown);
	}
	sqlite3_finalize(q);
	return JZG_OK;
}

/* Hand the collected differences of the school to the callback, person by
 * person, and count the people changed. */
static enum jzg_status
report_items(struct school_run *r, struct collect *c, char **cause)
{
	const struct defs *defs = r->st->defs;
	sqlite3_stmt *who;
	char *sql = xasprintf("SELECT p.\"%s\", p.\"%s\", b.staff_id FROM b_staff b LEFT JOIN \"s_%s\" p"
	    " ON p.staff_id = b.staff_id WHERE b.id = ?1", defs->setting[SK_PERSON_NAME], defs->setting[SK_PERSON_ID],
	    defs->setting[SK_PERSON_SET]);
	enum jzg_status rc = store_prepare(r->st, sql, &who, cause);
	sqlite3_int64 last = 0, staff = 0;
	char *name = NULL, *idno = NULL;

	free(sql);
	if (rc != JZG_OK)
		return rc;
	xqsort(c->it, c->n, sizeof *c->it, item_cmp);
	for (size_t i = 0; i < c->n; i++) {
		const struct item *it = &c->it[i];
		const struct set_def *s = &defs->all[it->set];
		struct change ch = { .kind = it->kind, .school = r->code, .set = s };
		char *label = it->key ? pview_record_label(s, it->key) : NULL, *o = NULL, *n = NULL;

		if (it->staff != last) {
			last = it->staff;
			r->sum->changed++;
			free(name);
			free(idno);
			name = idno = NULL;
			sqlite3_bind_int64(who, 1, it->staff);
			if (sqlite3_step(who) == SQLITE_ROW) {
				name = xstrdup((const char *)sqlite3_column_text(who, 0));
				idno = xstrdup((const char *)sqlite3_column_text(who, 1));
				staff = sqlite3_column_int64(who, 2);
			}
			sqlite3_reset(who);
		}
		ch.staff_id = staff;
		ch.name = name;
		ch.idno = idno;
		ch.record = label;
		if (it->kind == CHANGE_VALUE) {
			ch.field = &s->field[it->field];
			ch.old = o = pview_display(ch.field, it->old);
			ch.new = n = pview_display(ch.field, it->new);
		}
		if (r->cb)
			r->cb(&ch, r->arg);
		free(label);
		free(o);
		free(n);
	}
	free(name);
	free(idno);
	sqlite3_finalize(who);
	return JZG_OK;
}

static enum jzg_status
one_school(struct school_run *r, char **cause)
{
	const struct defs *defs = r->st->defs;
	struct collect c = { .defs = defs };
	enum jzg_status rc = JZG_OK;
	char *sql = xasprintf("SELECT (SELECT count(*) FROM staff t JOIN school k ON k.id = t.school_id WHERE k.code = %s),"
	    " count(*), min(id), max(id) FROM b_staff WHERE baseline_id = %lld", r->qcode, (long long)r->bid);
	sqlite3_int64 lo = 0, hi = -1;
	sqlite3_stmt *q;

	if ((rc = store_prepare(r->st, sql, &q, cause)) == JZG_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			r->sum->people = sqlite3_column_int64(q, 0);
			r->sum->baseline = sqlite3_column_int64(q, 1);
			lo = sqlite3_column_int64(q, 2);
			hi = sqlite3_column_int64(q, 3);
		}
		sqlite3_finalize(q);
	}
	free(sql);
	if (rc == JZG_OK)
		rc = added_people(r, cause);
	c.lo = lo;
	c.hi = hi;
	c.linked = xcalloc((size_t)(hi >= lo ? hi - lo + 1 : 1), 1);
	if (rc == JZG_OK) {
		sql = xasprintf("SELECT id FROM b_staff WHERE id BETWEEN %lld AND %lld AND staff_id IS NOT NULL%s",
		    (long long)lo, (long long)hi, r->staff_id ? " AND staff_id = ?1" : "");
		if ((rc = store_prepare(r->st, sql, &q, cause)) == JZG_OK) {
			sqlite3_bind_int64(q, 1, r->staff_id);
			while (sqlite3_step(q) == SQLITE_ROW) {
				sqlite3_int64 b = sqlite3_column_int64(q, 0);

				c.linked[b - lo] = 1;
				c.only = b;
			}
			sqlite3_finalize(q);
		}
		free(sql);
		sql = NULL;
	}
	for (size_t i = 0; i < defs->nall && rc == JZG_OK; i++) {
		c.set = (int)i;
		if (r->who != NULL)
			rc = compare_who(r->st, r->who, i, lo, hi, &c, cause);
		else {
			char *ow = xasprintf("x.staff_id = %lld", (long long)c.only);
			char *nw = xasprintf("b.id BETWEEN %lld AND %lld AND b.staff_id = %lld", (long long)lo, (long long)hi,
			    (long long)r->staff_id);

			rc = compare_set(r->st, &defs->all[i], ow, nw, &c, cause);
			free(ow);
			free(nw);
		}
	}
	if (rc == JZG_OK)
		rc = report_items(r, &c, cause);
	if (rc == JZG_OK)
		rc = gone_people(r, cause);
	for (size_t i = 0; i < c.n; i++) {
		free(c.it[i].key);
		free(c.it[i].old);
		free(c.it[i].new);
	}
	free(c.it);
	free(c.linked);
	if (r->sum->people > 0)
		r->sum->rate = (double)(r->sum->added + r->sum->changed) / (double)r->sum->people;
	return rc;
}

enum jzg_status
changes_run(struct store *st, const char *school, sqlite3_int64 staff_id, changes_cb cb, void *arg,
    struct changes_school **sum, size_t *nsum, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	size_t cap = 0;
	struct who who = { 0 };

	*sum = NULL;
	*nsum = 0;
	if (baseline_count(st) == 0)
		return JZG_OK;
	if ((rc = baseline_link(st, school, cause)) != JZG_OK)
		return rc;
	if ((rc = store_prepare(st, "SELECT l.id, l.school_code, coalesce(k.name, ''), l.label FROM baseline l"
	    " LEFT JOIN school k ON k.code = l.school_code WHERE ?1 IS NULL OR l.school_code = ?1"
	    " ORDER BY l.school_code", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	/* one read transaction: the counts and the lists agree */
	sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	if (staff_id == 0)
		rc = who_find(st, school, &who, cause);
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		struct school_run r = { .st = st, .who = staff_id == 0 ? &who : NULL, .bid = sqlite3_column_int64(q, 0),
		    .code = (const char *)sqlite3_column_text(q, 1), .staff_id = staff_id, .cb = cb, .arg = arg };

		if (staff_id != 0) {
			int in = 0;
			char *sql = sqlite3_mprintf("SELECT count(*) FROM staff t JOIN school k ON k.id = t.school_id"
			    " WHERE t.id = %lld AND k.code = %Q", (long long)staff_id, r.code);

			store_int(st->db, sql, &in);
			sqlite3_free(sql);
			if (!in)
				continue;
		}
		if (*nsum == cap) {
			cap = cap ? 2 * cap : 8;
			*sum = xreallocarray(*sum, cap, sizeof **sum);
		}
		r.sum = &(*sum)[(*nsum)++];
		memset(r.sum, 0, sizeof *r.sum);
		r.sum->code = xstrdup(r.code);
		r.sum->name = xstrdup((const char *)sqlite3_column_text(q, 2));
		r.sum->label = xstrdup((const char *)sqlite3_column_text(q, 3));
		r.qcode = sqlite3_mprintf("%Q", r.code);
		rc = one_school(&r, cause);
		sqlite3_free(r.qcode);
	}
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(q);
	who_free(&who);
	return rc;
}

void
changes_free(struct changes_school *sum, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(sum[i].code);
		free(sum[i].name);
		free(sum[i].label);
	}
	free(sum);
}

enum jzg_status
changes_board(struct store *st, struct board_row *rows, size_t n, struct board_row *total, char **cause)
{
	struct changes_school *sum;
	size_t ns;
	long people = 0, moved = 0;
	enum jzg_status rc;

	if (baseline_count(st) == 0)
		return JZG_OK;
	if ((rc = changes_run(st, NULL, 0, NULL, NULL, &sum, &ns, cause)) != JZG_OK)
		return rc;
	for (size_t k = 0; k < ns; k++) {
		people += sum[k].people;
		moved += sum[k].added + sum[k].changed;
		for (size_t i = 0; i < n; i++)
			if (str_eq(rows[i].code, sum[k].code))
				rows[i].update_rate = sum[k].rate;
	}
	if (total != NULL && ns > 0)
		total->update_rate = people > 0 ? (double)moved / (double)people : 0;
	changes_free(sum, ns);
	return JZG_OK;
}
