/* rekey.c — see rekey.h.  Marking, sampling and the verify session. */
#include "rekey.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "record.h"
#include "util.h"

const char *
rekey_decision_code(enum rekey_decision d)
{
	static const char *const code[] = { "same", "first", "second", "rekey" };

	return code[d];
}

/* "" and NULL are the same empty value. */
static const char *
nz(const char *v)
{
	return v != NULL && *v ? v : NULL;
}

/* ------------------------------------------------------ the audit trail */

/* The data rows of one person's trail, oldest first: who inserted or
 * changed which field of which record. */
struct trail_row {
	char         *set, *field, *actor;   /* field NULL: a record inserted */
	sqlite3_int64 row;
};

struct trail {
	const struct defs *d;
	struct trail_row  *r;
	size_t             n, cap;
};

static int
trail_cb(const struct audit_row *a, void *arg)
{
	struct trail *t = arg;

	/* keying: inserts and changes of the information sets, in the client,
	 * by import or on the command line; not merges (the school keyed
	 * those) nor values decided in verification */
	if (a->actor == NULL || str_eq(a->path, AUDIT_PATH_MERGE) || str_eq(a->path, AUDIT_PATH_REKEY) ||
	    a->set_name == NULL || !(str_eq(a->op, "insert") || str_eq(a->op, "update")) ||
	    defs_set(t->d->all, t->d->nall, a->set_name) == NULL)
		return 0;
	if (t->n == t->cap)
		t->r = xreallocarray(t->r, t->cap = t->cap ? 2 * t->cap : 64, sizeof *t->r);
	t->r[t->n++] = (struct trail_row){ xstrdup(a->set_name), str_eq(a->op, "update") ? xstrdup(a->field) : NULL,
	    xstrdup(a->actor), a->row_id };
	return 0;
}

static enum jzg_status
trail_load(struct store *st, sqlite3_int64 staff_id, struct trail *t, char **cause)
{
	struct audit_filter f = { .staff_id = staff_id };

	memset(t, 0, sizeof *t);
	t->d = st->defs;
	return audit_log(st, &f, trail_cb, t, cause);
}

static void
trail_free(struct trail *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->r[i].set);
		free(t->r[i].field);
		free(t->r[i].actor);
	}
	free(t->r);
}

/* The operator with the most rows (of equals, who got there first); borrowed.  A
 * person's trail has hundreds of rows but few operators: one count each. */
static const char *
trail_keyer(const struct trail *t)
{
	const char **who = NULL, *best = NULL;
	size_t *count = NULL, n = 0, most = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(who[k], t->r[i].actor) != 0; k++)
			;
		if (k == n) {
			who = xreallocarray(who, n + 1, sizeof *who);
			count = xreallocarray(count, n + 1, sizeof *count);
			who[n] = t->r[i].actor;
			count[n++] = 0;
		}
		if (++count[k] > most) {
			most = count[k];
			best = who[k];
		}
	}
	free(who);
	free(count);
	return best;
}

/* Who last keyed field f of record row of set: its last change, else
 * the record's insertion, else the person's keyer; borrowed. */
static const char *
trail_field_keyer(const struct trail *t, const char *set, sqlite3_int64 row, const char *f, const char *person)
{
	const char *ins = NULL;

	for (size_t i = t->n; i-- > 0;) {
		const struct trail_row *r = &t->r[i];

		if (r->row != row || strcmp(r->set, set) != 0)
			continue;
		if (r->field != NULL && strcmp(r->field, f) == 0)
			return r->actor;
		if (r->field == NULL && ins == NULL)
			ins = r->actor;
	}
	return ins ? ins : person;
}

char *
rekey_field_keyer(struct store *st, sqlite3_int64 staff_id, const char *set, sqlite3_int64 row, const char *field)
{
	struct trail t;
	char *k = NULL;

	if (trail_load(st, staff_id, &t, NULL) == JZG_OK)
		k = xstrdup(trail_field_keyer(&t, set, row, field, trail_keyer(&t)));
	trail_free(&t);
	return k;
}

enum jzg_status
rekey_keyer(struct store *st, sqlite3_int64 staff_id, char **out, char **cause)
{
	struct trail t;
	enum jzg_status rc = trail_load(st, staff_id, &t, cause);

	*out = rc == JZG_OK ? xstrdup(trail_keyer(&t)) : NULL;
	trail_free(&t);
	return rc;
}

/* ------------------------------------------------------------- marking */

int
rekey_state(struct store *st, sqlite3_int64 staff_id)
{
	sqlite3_stmt *q;
	int state = 0;

	if (store_cached(st, "SELECT CASE WHEN EXISTS (SELECT 1 FROM rekey_open WHERE staff_id = ?1) THEN 2 "
	    "ELSE (SELECT verified IS NOT NULL FROM rekey WHERE staff_id = ?1) END", &q, NULL) != JZG_OK)
		return 0;
	sqlite3_bind_int64(q, 1, staff_id);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		state = 1 + sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	return state;
}

/* Mark staff_id as sampled from keyer's people. */
static enum jzg_status
mark(struct store *st, sqlite3_int64 staff_id, const char *keyer, int *added, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_cached(st, "INSERT OR IGNORE INTO rekey(staff_id, keyer, marked_by) VALUES (?, ?, ?)",
	    &q, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	sqlite3_bind_text(q, 2, keyer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, audit_actor(st), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "标记核对失败：%s", sqlite3_errmsg(st->db));
	else if (added != NULL)
		*added = sqlite3_changes(st->db) > 0;
	sqlite3_reset(q);
	return rc;
}

enum jzg_status
rekey_mark(struct store *st, sqlite3_int64 staff_id, int *added, char **cause)
{
	char *keyer = NULL;
	enum jzg_status rc = rekey_keyer(st, staff_id, &keyer, cause);

	if (rc == JZG_OK)
		rc = mark(st, staff_id, keyer, added, cause);
	free(keyer);
	return rc;
}

/* splitmix64: a small, well-mixed generator, the same on every machine. */
static uint64_t
next_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

struct person {
	sqlite3_int64 id;
	int           stratum;
	int           marked;
};

static int
stratum_cmp(const void *a, const void *b)
{
	const struct rekey_stratum *x = a, *y = b;

	if (x->keyer == NULL || y->keyer == NULL)
		return (x->keyer != NULL) - (y->keyer != NULL);
	return strcmp(x->keyer, y->keyer);
}

/* The people of school_id with their keyer's stratum (strata sorted by
 * keyer, so that a seed draws the same people whatever the order found). */
static enum jzg_status
load_people(struct store *st, sqlite3_int64 school_id, struct person **pp, size_t *np,
    struct rekey_sample_result *out, char **cause)
{
	sqlite3_stmt *q;
	struct person *p = NULL;
	char **keyer = NULL;
	size_t n = 0, cap = 0;
	enum jzg_status rc = store_prepare(st, "SELECT s.id, r.staff_id IS NOT NULL FROM staff s "
	    "LEFT JOIN rekey r ON r.staff_id = s.id WHERE s.school_id = ? ORDER BY s.id", &q, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, school_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			p = xreallocarray(p, cap, sizeof *p);
			keyer = xreallocarray(keyer, cap, sizeof *keyer);
		}
		p[n].id = sqlite3_column_int64(q, 0);
		p[n].marked = sqlite3_column_int(q, 1);
		keyer[n++] = NULL;
	}
	sqlite3_finalize(q);
	for (size_t i = 0; i < n && rc == JZG_OK; i++)
		rc = rekey_keyer(st, p[i].id, &keyer[i], cause);
	for (size_t i = 0; i < n && rc == JZG_OK; i++) {
		size_t k;

		for (k = 0; k < out->n; k++)
			if (str_eq(out->s[k].keyer, keyer[i]))
				break;
		if (k == out->n) {
			out->s = xreallocarray(out->s, out->n + 1, sizeof *out->s);
			out->s[out->n++] = (struct rekey_stratum){ .keyer = xstrdup(keyer[i]) };
		}
	}
	xqsort(out->s, out->n, sizeof *out->s, stratum_cmp);
	for (size_t i = 0; i < n && rc == JZG_OK; i++)
		for (size_t k = 0; k < out->n; k++)
			if (str_eq(out->s[k].keyer, keyer[i])) {
				p[i].stratum = (int)k;
				out->s[k].people++;
				out->s[k].before += p[i].marked;
			}
	for (size_t i = 0; i < n; i++)
		free(keyer[i]);
	free(keyer);
	*pp = p;
	*np = n;
	return rc;
}

/* A keyer's fields verified so far and errors among them. */
static void
keyer_rate(struct store *st, struct rekey_stratum *s)
{
	sqlite3_stmt *q;

	if (store_prepare(st, "SELECT count(*), total(" REKEY_KEYER_WRONG ") FROM rekey_field WHERE keyer IS ?",
	    &q, NULL) != JZG_OK)
		return;
	sqlite3_bind_text(q, 1, s->keyer, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		s->fields = sqlite3_column_int(q, 0);
		s->errors = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
}

enum jzg_status
rekey_sample(struct store *st, sqlite3_int64 school_id, double percent, uint64_t seed,
    struct rekey_sample_result *out, char **cause)
{
	const struct defs *d = st->defs;
	double threshold = strtod(d->setting[SK_REKEY_THRESHOLD], NULL), raised = strtod(d->setting[SK_REKEY_RAISED], NULL);
	struct person *p = NULL;
	size_t n = 0, *idx;
	uint64_t x = seed;
	enum jzg_status rc;

	memset(out, 0, sizeof *out);
	if (!(percent > 0 && percent <= 100))
		return jzg_fail(cause, JZG_ERR_INVALID, "抽样比例应大于 0、不超过 100");
	if ((rc = store_exec(st, "SAVEPOINT rekey_sample", cause)) != JZG_OK)
		return rc;
	rc = load_people(st, school_id, &p, &n, out, cause);
	idx = xcalloc(n + 1, sizeof *idx);
	for (size_t k = 0; k < out->n && rc == JZG_OK; k++) {
		struct rekey_stratum *s = &out->s[k];
		size_t m = 0;
		long want;

		keyer_rate(st, s);
		s->raised = s->fields > 0 && s->errors * 1000.0 / s->fields > threshold;
		s->percent = s->raised && raised > percent ? raised : percent;
		/* the share of the whole stratum, rounded up (a keyer of three
		 * people at 10 % still has one checked), less those marked before */
		want = (long)ceil(s->people * s->percent / 100.0 - 1e-9) - s->before;
		for (size_t i = 0; i < n; i++)
			if (p[i].stratum == (int)k && !p[i].marked)
				idx[m++] = i;
		/* a partial Fisher–Yates shuffle of the unmarked people */
		for (size_t j = 0; (long)j < want && j < m && rc == JZG_OK; j++) {
			size_t r = j + (size_t)(next_rand(&x) % (m - j)), t = idx[j];

			idx[j] = idx[r];
			idx[r] = t;
			rc = mark(st, p[idx[j]].id, s->keyer, NULL, cause);
			s->marked++;
			out->marked++;
		}
	}
	free(idx);
	free(p);
	if (rc != JZG_OK) {
		sqlite3_exec(st->db, "ROLLBACK TO rekey_sample; RELEASE rekey_sample", NULL, NULL, NULL);
		rekey_sample_result_free(out);
		return rc;
	}
	return store_exec(st, "RELEASE rekey_sample", cause);
}

void
rekey_sample_result_free(struct rekey_sample_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->s[i].keyer);
	free(r->s);
	memset(r, 0, sizeof *r);
}

/* ----------------------------------------------------------- verifying */

/* Why field f holding v is not keyed again, or RK_KEY. */
static enum rekey_skip
skip_of(struct store *st, const struct set_def *s, const struct field_def *f, const char *v, int locked,
    sqlite3_int64 staff_id)
{
	enum rekey_skip k = RK_KEY;

	if (f->readonly || f->v[FC_CALCULATE] != NULL)
		return RK_DERIVED;
	if (locked)
		return RK_IRRELEVANT;
	if (f->v[FC_DEFAULT] != NULL && nz(v) != NULL) {
		char *dv = record_default(st, s, f, staff_id);

		if (str_eq(nz(dv), v))
			k = RK_DEFAULTED;
		free(dv);
	}
	return k;
}

/* Read the values again: a decided value may change what follows from it
 * (calculate, relevance).  Items already keyed twice stay as they are. */
static void
refresh(struct rekey_session *s)
{
	size_t cap = 0;
	char **val = NULL;
	unsigned char *locked = NULL;

	for (size_t i = 0; i < s->n;) {
		const struct set_def *set = s->item[i].set;
		sqlite3_int64 key = s->item[i].key;
		size_t j = i;

		if (set->nfield + 1 > cap) {
			cap = set->nfield + 1;
			val = xreallocarray(val, cap, sizeof *val);
			locked = xrealloc(locked, cap);
		}
		entry_load(s->e, set, key, val, locked);
		for (; j < s->n && s->item[j].set == set && s->item[j].key == key; j++) {
			struct rekey_item *it = &s->item[j];
			int f = (int)(it->field - set->field);

			if (it->done)
				continue;
			free(it->first);
			it->first = xstrdup(nz(val[f]));
			it->skip = skip_of(s->st, set, it->field, val[f], locked[f], s->staff_id);
		}
		for (size_t f = 0; f < set->nfield; f++)
			free(val[f]);
		i = j;
	}
	free(val);
	free(locked);
}

static void
add_items(struct rekey_session *s, const struct set_def *set, sqlite3_int64 key, int rec, size_t *cap)
{
	for (size_t f = 0; f < set->nfield; f++) {
		if (s->n == *cap)
			s->item = xreallocarray(s->item, *cap = *cap ? 2 * *cap : 64, sizeof *s->item);
		s->item[s->n++] = (struct rekey_item){ .set = set, .key = key, .rec = rec, .field = &set->field[f] };
	}
}

/* The fields of the person's records, in the order of the form. */
static void
list_items(struct rekey_session *s)
{
	const struct template_def *tpl = s->e->tpl;
	size_t cap = 0;

	for (size_t k = 0; k < tpl->nset; k++) {
		const struct set_def *set = &tpl->set[k];

		if (set->many) {
			sqlite3_int64 *id;
			char **none;
			int nrec = entry_records(s->e, set, 0, &id, &none);

			for (int r = 0; r < nrec; r++)
				add_items(s, set, id[r], r + 1, &cap);
			free(id);
			free(none);
		} else {
			char **val = xcalloc(set->nfield + 1, sizeof *val);
			unsigned char *locked = xcalloc(set->nfield + 1, 1);

			/* a one-record set the first keying left empty has no record */
			if (entry_load(s->e, set, s->staff_id, val, locked) == 0)
				add_items(s, set, s->staff_id, 0, &cap);
			for (size_t f = 0; f < set->nfield; f++)
				free(val[f]);
			free(val);
			free(locked);
		}
	}
}

/* Which items were keyed twice already, and who keyed each first. */
static enum jzg_status
load_done(struct rekey_session *s, char **cause)
{
	struct trail t;
	sqlite3_stmt *q;
	const char *person;
	enum jzg_status rc = trail_load(s->st, s->staff_id, &t, cause);

	if (rc != JZG_OK) {
		trail_free(&t);
		return rc;
	}
	person = trail_keyer(&t);
	for (size_t i = 0; i < s->n; i++) {
		struct rekey_item *it = &s->item[i];

		it->keyer = xstrdup(trail_field_keyer(&t, it->set->v[SC_NAME], it->key, it->field->v[FC_NAME], person));
	}
	trail_free(&t);
	if ((rc = store_prepare(s->st, "SELECT set_name, row_id, field FROM rekey_field WHERE staff_id = ? "
	    "AND source = 'verify'", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, s->staff_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *set = (const char *)sqlite3_column_text(q, 0), *f = (const char *)sqlite3_column_text(q, 2);
		sqlite3_int64 row = sqlite3_column_int64(q, 1);

		for (size_t i = 0; i < s->n; i++)
			if (s->item[i].key == row && str_eq(s->item[i].set->v[SC_NAME], set) &&
			    str_eq(s->item[i].field->v[FC_NAME], f))
				s->item[i].done = 1;
	}
	sqlite3_finalize(q);
	return JZG_OK;
}

/* A session of the discrepancies of rekey compare open for staff_id. */
static enum jzg_status
open_compare(struct store *st, sqlite3_int64 staff_id, struct rekey_session **out, char **cause)
{
	struct rekey_session *s = xcalloc(1, sizeof *s);
	sqlite3_stmt *q;
	size_t cap = 0;
	enum jzg_status rc;

	s->st = st;
	s->staff_id = staff_id;
	s->verifier = xstrdup(audit_actor(st));
	if ((s->e = entry_new(st, staff_id)) == NULL) {
		rekey_end(s);
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到此人或其模板");
	}
	if ((rc = store_prepare(st, "SELECT set_name, row_id, field, theirs, source FROM rekey_open WHERE staff_id = ? "
	    "ORDER BY rowid", &q, cause)) != JZG_OK) {
		rekey_end(s);
		return rc;
	}
	sqlite3_bind_int64(q, 1, staff_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const struct template_def *tpl = s->e->tpl;
		const char *set = (const char *)sqlite3_column_text(q, 0), *f = (const char *)sqlite3_column_text(q, 2);

		for (size_t k = 0; k < tpl->nset; k++) {
			const struct field_def *fd = set_field(&tpl->set[k], f);
			struct rekey_item *it;

			if (!str_eq(tpl->set[k].v[SC_NAME], set) || fd == NULL)
				continue;
			if (s->n == cap)
				s->item = xreallocarray(s->item, cap = cap ? 2 * cap : 16, sizeof *s->item);
			it = &s->item[s->n++];
			*it = (struct rekey_item){ .set = &tpl->set[k], .key = sqlite3_column_int64(q, 1), .field = fd,
				.second = xstrdup((const char *)sqlite3_column_text(q, 3)),
				.source = xstrdup((const char *)sqlite3_column_text(q, 4)) };
		}
	}
	sqlite3_finalize(q);
	for (size_t i = 0; i < s->n; i++) {
		char **val = xcalloc(s->item[i].set->nfield + 1, sizeof *val);
		unsigned char *locked = xcalloc(s->item[i].set->nfield + 1, 1);
		int f = (int)(s->item[i].field - s->item[i].set->field);

		entry_load(s->e, s->item[i].set, s->item[i].key, val, locked);
		s->item[i].first = xstrdup(nz(val[f]));
		s->item[i].keyer = rekey_field_keyer(st, staff_id, s->item[i].set->v[SC_NAME], s->item[i].key,
		    s->item[i].field->v[FC_NAME]);
		for (size_t j = 0; j < s->item[i].set->nfield; j++)
			free(val[j]);
		free(val);
		free(locked);
	}
	*out = s;
	return JZG_OK;
}

enum jzg_status
rekey_begin(struct store *st, sqlite3_int64 staff_id, struct rekey_session **out, char **cause)
{
	const char *verifier = audit_actor(st);
	struct rekey_session *s;
	enum jzg_status rc;
	int touched = 0;

	*out = NULL;
	if (rekey_state(st, staff_id) == 3)
		return open_compare(st, staff_id, out, cause);
	if (verifier == NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "二次录入核对须由录入者以外的操作员完成：请先用 user add 建立操作员账号并登录");
	if (rekey_state(st, staff_id) == 0)
		return jzg_fail(cause, JZG_ERR_INVALID, "此人未被抽中二次录入核对（先用 rekey start 抽样或指定）");
	if ((rc = audit_touched_by(st, staff_id, verifier, &touched, cause)) != JZG_OK)
		return rc;
	if (touched)
		return jzg_fail(cause, JZG_ERR_INVALID, "%s 录入或修改过此人的数据，不能核对：二次录入须由另一人完成", verifier);
	s = xcalloc(1, sizeof *s);
	s->st = st;
	s->staff_id = staff_id;
	s->verifier = xstrdup(verifier);
	if ((s->e = entry_new(st, staff_id)) == NULL) {
		rekey_end(s);
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到此人或其模板");
	}
	list_items(s);
	if ((rc = load_done(s, cause)) != JZG_OK) {
		rekey_end(s);
		return rc;
	}
	refresh(s);
	*out = s;
	return JZG_OK;
}

void
rekey_end(struct rekey_session *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->item[i].first);
		free(s->item[i].keyer);
		free(s->item[i].second);
		free(s->item[i].source);
	}
	free(s->item);
	entry_free(s->e);
	free(s->verifier);
	free(s);
}

size_t
rekey_left(const struct rekey_session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->item[i].skip == RK_KEY && !s->item[i].done;
	return n;
}

char *
rekey_normalise(const struct rekey_session *s, size_t i, const char *typed)
{
	const struct rekey_item *it = &s->item[i];
	char *v = nz(typed) ? entry_normalise(s->st->defs, it->set, it->field, typed) : NULL;

	if (v != NULL && *v == '\0') {
		free(v);
		v = NULL;
	}
	return v;
}

int
rekey_differs(const struct rekey_session *s, size_t i, const char *second)
{
	return !str_eq(nz(s->item[i].first), nz(second));
}

enum jzg_status
rekey_record(struct store *st, const struct rekey_row *r, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_cached(st, "INSERT OR REPLACE INTO rekey_field(staff_id, set_name, row_id, field, "
	    "keyer, verifier, first, second, final, decision, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &q, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, r->staff_id);
	sqlite3_bind_text(q, 2, r->set, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, r->row);
	sqlite3_bind_text(q, 4, r->field, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->keyer, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, r->verifier, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, nz(r->first), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, nz(r->second), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, nz(r->final), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, rekey_decision_code(r->decision), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 11, r->source ? r->source : "verify", -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "保存核对结果失败：%s", sqlite3_errmsg(st->db));
	sqlite3_reset(q);
	return rc;
}

enum jzg_status
rekey_close(struct store *st, sqlite3_int64 staff_id, const char *set, sqlite3_int64 row, const char *field,
    const char *source, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_cached(st, "DELETE FROM rekey_open WHERE staff_id = ? AND set_name = ? AND row_id = ? "
	    "AND field = ? AND source = ?", &q, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	sqlite3_bind_text(q, 2, set, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, row);
	sqlite3_bind_text(q, 4, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, source, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "保存核对结果失败：%s", sqlite3_errmsg(st->db));
	sqlite3_reset(q);
	return rc;
}

/* The row of rekey_field for item it. */
static enum jzg_status
record_decision(struct rekey_session *s, const struct rekey_item *it, const char *second, const char *final,
    enum rekey_decision d, char **cause)
{
	struct rekey_row r = { s->staff_id, it->key, it->set->v[SC_NAME], it->field->v[FC_NAME], it->keyer,
		it->source ? NULL : s->verifier, it->first, second, final, it->source, d };

	return rekey_record(s->st, &r, cause);
}

static enum jzg_status
finish_if_done(struct rekey_session *s, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;

	if (rekey_left(s) > 0 || (s->n > 0 && s->item[0].source != NULL))
		return JZG_OK;   /* (a comparison's discrepancies verify nobody) */
	if ((rc = store_prepare(s->st, "UPDATE rekey SET verifier = ?, verified = datetime('now','localtime') "
	    "WHERE staff_id = ? AND verified IS NULL", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, s->verifier, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, s->staff_id);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "保存核对结果失败：%s", sqlite3_errmsg(s->st->db));
	sqlite3_finalize(q);
	return rc;
}

enum jzg_status
rekey_decide(struct rekey_session *s, size_t i, const char *second, enum rekey_decision d, const char *final,
    char **cause)
{
	struct rekey_item *it;
	const char *keep;
	enum jzg_status rc;

	if (i >= s->n || s->item[i].skip != RK_KEY || s->item[i].done)
		return jzg_fail(cause, JZG_ERR_INVALID, "内部错误：此项不需要核对");
	it = &s->item[i];
	if (d == REKEY_SAME && rekey_differs(s, i, second))
		return jzg_fail(cause, JZG_ERR_INVALID, "内部错误：两次录入不一致，须判定哪次正确");
	if (!rekey_differs(s, i, second))
		d = REKEY_SAME;   /* (a comparison's value the file holds by now) */
	keep = d == REKEY_SECOND ? second : d == REKEY_REKEY ? final : it->first;
	if ((rc = store_exec(s->st, "SAVEPOINT rekey", cause)) != JZG_OK)
		return rc;
	if (!str_eq(nz(keep), nz(it->first))) {
		/* the decided value, through the one write path, as verification's */
		char *path = audit_set_path(s->st, AUDIT_PATH_REKEY);

		rc = entry_set(s->e, it->set, it->key, it->field, nz(keep), cause);
		free(audit_set_path(s->st, path));
		free(path);
	}
	if (rc == JZG_OK)
		rc = record_decision(s, it, second, keep, d, cause);
	if (rc == JZG_OK && it->source != NULL)
		rc = rekey_close(s->st, s->staff_id, it->set->v[SC_NAME], it->key, it->field->v[FC_NAME], it->source, cause);
	if (rc == JZG_OK) {
		it->done = 1;
		if (!str_eq(nz(keep), nz(it->first))) {
			char *now = xstrdup(nz(keep));   /* keep may be it->first */

			free(it->first);
			it->first = now;   /* the value stored now */
			refresh(s);        /* what follows from it may change what is left */
		}
		rc = finish_if_done(s, cause);
	}
	if (rc != JZG_OK) {
		sqlite3_exec(s->st->db, "ROLLBACK TO rekey; RELEASE rekey", NULL, NULL, NULL);
		it->done = 0;
		refresh(s);
		return rc;
	}
	return store_exec(s->st, "RELEASE rekey", cause);
}
