/* rules_sched.c — a check of a scope (rules_check): which sets run, in
 * one whole-file scan per group or set by set, on one thread or on two
 * (a second read-only connection), with the person look-ups loaded first
 * and the findings replayed in single-thread order. */
#include "rules.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules_int.h"

/* The page cache a whole-file or whole-school check asks for, in KiB.
 * Every set's statement walks the staff table and its school index again,
 * and the person set (sub-queries of other sets) is read all along; with
 * SQLite's default 2 MB those pages are evicted between sets and read
 * again: 266,000 reads of a file of 88,000 pages (100,000 persons), about
 * 0.3 s of system time.  16 MB keeps them, for some 15 MB more memory per
 * connection. */
#define CHECK_CACHE_KIB 16384

/* Grow db's page cache to CHECK_CACHE_KIB; returns the setting to give
 * back (cache_restore), 0 when it was large enough. */
static int
cache_grow(sqlite3 *db)
{
	int old, page;
	char sql[64];

	if (store_int(db, "PRAGMA cache_size", &old) != SQLITE_OK || store_int(db, "PRAGMA page_size", &page) != SQLITE_OK)
		return 0;
	/* negative: KiB; positive: pages (16 KiB in new files, 4 KiB in older ones) */
	if (old == 0 || (old < 0 ? -(long long)old : (long long)old * page / 1024) >= CHECK_CACHE_KIB)
		return 0;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", CHECK_CACHE_KIB);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	return old;
}

static void
cache_restore(sqlite3 *db, int old)
{
	char sql[64];

	if (old == 0)
		return;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", old);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Staff ids are rowids: dense, so a byte per id up to the largest.  A file
 * whose largest id is far beyond its count (never made by jzg) is checked
 * template by template instead. */
#define TPL_OF_MAX (64 * 1024 * 1024)

/* How rset k runs in a check of scope m: leaders of a group in one scan
 * when the template of every person is known (plan_scans). */
static enum scope_mode
mode_for(const struct rules *r, size_t k, enum scope_mode m)
{
	return m == SM_ALL && r->tpl_of != NULL && r->rs[k].scan ? SM_SCAN : m;
}

/* For a whole-file check: the template of every person (r->tpl_of), and
 * want[] turned from rsets into what runs — a group's leader when any of
 * its rsets is wanted, with by_tpl naming the wanted ones, its members
 * not on their own.  A set whose wanted rsets fall in more than one group
 * (its rules differ between the file's templates) is checked template by
 * template: each scan would read the other groups' rows too.  Leaves
 * r->tpl_of NULL (every rset on its own) when the file cannot be mapped. */
static void
plan_scans(struct rules *r, unsigned char *want)
{
	const struct defs *defs = r->st->defs;
	sqlite3_stmt *ps;
	sqlite3_int64 max = 0;

	for (size_t k = 0; k < r->nrs; k++) {
		r->rs[k].run_weight = r->rs[k].weight;
		r->rs[k].scan = 0;
	}
	if (sqlite3_prepare_v2(r->st->db, "SELECT max(id) FROM staff", -1, &ps, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(ps) == SQLITE_ROW)
		max = sqlite3_column_int64(ps, 0);
	sqlite3_finalize(ps);
	if (max < 0 || max >= TPL_OF_MAX || sqlite3_prepare_v2(r->st->db, "SELECT staff.id, school.template FROM staff"
	    " JOIN school ON school.id = staff.school_id", -1, &ps, NULL) != SQLITE_OK)
		return;
	r->ntpl_of = max + 1;
	r->tpl_of = xmalloc((size_t)r->ntpl_of);
	memset(r->tpl_of, -1, (size_t)r->ntpl_of);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(ps, 0);
		const struct template_def *t = defs_template(defs, (const char *)sqlite3_column_text(ps, 1));

		if (t != NULL && id >= 0 && id < r->ntpl_of)
			r->tpl_of[id] = (signed char)(t - defs->tpl);
	}
	sqlite3_finalize(ps);
	for (size_t k = 0; k < r->nrs; k++)
		if (r->rs[k].by_tpl != NULL)
			for (size_t t = 0; t < defs->ntpl; t++)
				r->rs[k].by_tpl[t] = -1;
	for (size_t k = 0; k < r->nrs; k++) {
		struct rset *lead = &r->rs[r->rs[k].leader];

		if (lead->by_tpl == NULL || !want[k])
			continue;
		lead->scan = 1;
		for (size_t j = 0; j < r->nrs; j++)
			if (want[j] && r->rs[j].leader != r->rs[k].leader &&
			    strcmp(r->rs[j].set->v[SC_NAME], lead->set->v[SC_NAME]) == 0)
				lead->scan = 0;
	}
	for (size_t k = 0; k < r->nrs; k++)
		if (r->rs[k].scan)
			r->rs[k].run_weight = 0;
	for (size_t k = 0; k < r->nrs; k++) {
		struct rset *lead = &r->rs[r->rs[k].leader];

		if (!lead->scan || !want[k])
			continue;
		lead->by_tpl[r->rs[k].tpl - defs->tpl] = (int)k;
		lead->run_weight += r->rs[k].weight;
		want[k] = 0;
	}
	for (size_t k = 0; k < r->nrs; k++)
		if (r->rs[k].scan)
			want[k] = 1;
}

static void
plan_done(struct rules *r)
{
	free(r->tpl_of);
	r->tpl_of = NULL;
	r->ntpl_of = 0;
}

/* Half of the person look-ups, loaded on the second connection while the
 * first loads the other half: a whole-file check reads some ten of them
 * (0.05–0.15 s each) before either thread can start on the sets. */
struct load_half {
	struct rules     *r;
	sqlite3          *db;
	enum scope_mode   m;
	sqlite3_int64     id;
	enum jzg_status   rc;
	char             *cause;
};

static void *
load_half(void *arg)
{
	struct load_half *h = arg;

	h->rc = rules_person_load_some(h->r, h->db, h->m, h->id, 1, 2, &h->cause);
	return NULL;
}

/* rules_rset(leader, staff id): the rset of the leader's group for the
 * person's template (struct rset, select_scan), -1 when that is not being
 * checked or the person belongs to no school. */
void
rules_fn_rset(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	sqlite3_int64 g = sqlite3_value_int64(argv[0]), id = sqlite3_value_int64(argv[1]);
	int t;

	(void)argc;
	if (g < 0 || (size_t)g >= r->nrs || r->rs[g].by_tpl == NULL || r->tpl_of == NULL) {
		sqlite3_result_error(c, "rules_rset: 未载入", -1);
		return;
	}
	t = id >= 0 && id < r->ntpl_of ? r->tpl_of[id] : -1;
	sqlite3_result_int(c, t < 0 ? -1 : r->rs[g].by_tpl[t]);
}

/* A whole-file or whole-school check runs its sets on two threads, each
 * with its own connection (SQLite allows one connection per thread), so
 * two cores finish in about half the time.  Sets are taken from a shared
 * list, dearest first; findings are held per set and handed to the
 * callback afterwards, in the order a single thread would have found
 * them.  Only when the store's connection has no transaction open: a
 * second connection would not see its uncommitted changes. */
struct pool {
	struct rules     *r;
	size_t           *todo;      /* rset indexes, dearest first */
	size_t            ntodo, next;
	struct held_list *held;      /* by rset index */
	enum scope_mode   m;
	sqlite3_int64     id;
	pthread_mutex_t   mu;
	int               failed;
	struct worker {
		struct pool    *pool;
		struct runner   ru;
		enum jzg_status rc;
		char           *cause;
	} w[NCONN];
};

static void *
pool_work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&p->mu);
		k = p->failed || p->next == p->ntodo ? (size_t)-1 : p->todo[p->next++];
		pthread_mutex_unlock(&p->mu);
		if (k == (size_t)-1)
			break;
		w->ru.hold = &p->held[k];
		if ((w->rc = rules_run(&w->ru, &p->r->rs[k], mode_for(p->r, k, p->m), p->id, &w->cause)) != JZG_OK) {
			pthread_mutex_lock(&p->mu);
			p->failed = 1;
			pthread_mutex_unlock(&p->mu);
			break;
		}
	}
	return NULL;
}

struct todo {
	size_t weight, k;
};

static int
cmp_todo(const void *pa, const void *pb)
{
	const struct todo *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->k < b->k ? -1 : 1;
}

/* Below this many persons in scope a second connection (opening it, loading
 * its code table, preparing its statements: some milliseconds) costs more
 * than it saves. */
#define PARALLEL_MIN_STAFF 2000

/* How many threads the check of scope m (school_id, or 0 for all) should
 * use: 1 or 2.  JZG_CHECK_THREADS=1 forces one, =2 two even for a small
 * scope (comparing, measuring, testing). */
static int
threads_for(struct rules *r, enum scope_mode m, sqlite3_int64 school_id)
{
	const char *env = getenv("JZG_CHECK_THREADS");
	long n = env != NULL && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	const char *path = r->st->path;
	sqlite3_stmt *ps;
	int staff = 0;

	if (n < 2 || (m != SM_ALL && m != SM_SCHOOL) || !sqlite3_threadsafe() || !sqlite3_get_autocommit(r->st->db) ||
	    str_empty(path) || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 1;
	if (sqlite3_prepare_v2(r->st->db, "SELECT count(*) FROM staff WHERE ?1 = 0 OR school_id = ?1", -1, &ps,
	    NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(ps, 1, school_id);
	if (sqlite3_step(ps) == SQLITE_ROW)
		staff = sqlite3_column_int(ps, 0);
	sqlite3_finalize(ps);
	return staff >= PARALLEL_MIN_STAFF || (env != NULL && *env) ? 2 : 1;
}

/* Hand the held findings to cb in set order; frees them. */
static void
replay(struct rules *r, struct held_list *held, rules_cb cb, void *arg)
{
	int stop = 0;

	for (size_t k = 0; k < r->nrs; k++) {
		for (size_t i = 0; i < held[k].n; i++) {
			struct held *h = &held[k].h[i];
			struct finding fd;

			if (!stop) {
				rules_finding_of(h->rs, h->ru, &fd);
				fd.staff_id = h->staff_id;
				fd.key = h->key;
				fd.row = h->row;
				fd.message = h->message;
				fd.explained = h->explained;
				stop = cb(&fd, arg) != 0;
			}
			free(h->message);
			free(h->explained);
		}
		free(held[k].h);
	}
}

/* Run the sets marked in want on two threads.  *done = 0 (nothing run)
 * when the second connection cannot be opened: the caller then runs them
 * on one. */
static enum jzg_status
check_parallel(struct rules *r, const unsigned char *want, enum scope_mode m, sqlite3_int64 id, rules_cb cb,
    void *arg, int *done, char **cause)
{
	struct store *st2 = NULL;
	struct pool p;
	struct todo *order;
	pthread_t th;
	int threaded, cache;
	char *why = NULL;
	enum jzg_status rc = JZG_OK;

	*done = 0;
	if (store_open(r->st->path, r->st->defs, STORE_READONLY, &st2, &why) != JZG_OK ||
	    rules_register_functions(r, st2->db) != SQLITE_OK) {
		free(why);
		store_close(st2);
		return JZG_OK;
	}
	*done = 1;
	memset(&p, 0, sizeof p);
	p.r = r;
	p.m = m;
	p.id = id;
	p.held = xcalloc(r->nrs ? r->nrs : 1, sizeof *p.held);
	order = xcalloc(r->nrs ? r->nrs : 1, sizeof *order);
	for (size_t k = 0; k < r->nrs; k++)
		if (want[k])
			order[p.ntodo++] = (struct todo){ r->rs[k].run_weight, k };
	xqsort(order, p.ntodo, sizeof *order, cmp_todo);
	p.todo = xcalloc(p.ntodo + 1, sizeof *p.todo);
	for (size_t i = 0; i < p.ntodo; i++)
		p.todo[i] = order[i].k;
	free(order);
	pthread_mutex_init(&p.mu, NULL);
	/* both read transactions begin before either thread reads a set, so
	 * both see the file as it was at the start */
	cache = cache_grow(r->st->db);
	cache_grow(st2->db);
	sqlite3_exec(r->st->db, "SAVEPOINT rules_check", NULL, NULL, NULL);
	sqlite3_exec(st2->db, "BEGIN", NULL, NULL, NULL);
	{
		struct load_half h = { r, st2->db, m, id, JZG_OK, NULL };
		pthread_t lt;
		int two = r->npc > 1 && pthread_create(&lt, NULL, load_half, &h) == 0;

		rc = rules_person_load_some(r, r->st->db, m, id, 0, two ? 2 : 1, cause);
		if (two) {
			pthread_join(lt, NULL);
			if (rc == JZG_OK && h.rc != JZG_OK) {
				rc = h.rc;
				if (cause != NULL) {
					*cause = h.cause;
					h.cause = NULL;
				}
			}
			free(h.cause);
		}
		if (rc != JZG_OK)
			p.failed = 1;
	}
	for (int c = 0; c < NCONN; c++) {
		struct worker *w = &p.w[c];

		w->pool = &p;
		w->ru.r = r;
		w->ru.conn = c;
		w->ru.db = c == 0 ? r->st->db : st2->db;
		w->ru.any_explained = rules_any_explained(w->ru.db);
	}
	threaded = pthread_create(&th, NULL, pool_work, &p.w[1]) == 0;
	pool_work(&p.w[0]);
	if (threaded)
		pthread_join(th, NULL);
	rules_person_unload(r);
	sqlite3_exec(st2->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(r->st->db, "RELEASE rules_check", NULL, NULL, NULL);
	cache_restore(r->st->db, cache);
	/* what was prepared on the second connection goes with it */
	for (size_t k = 0; k < r->nrs; k++) {
		for (int q = 0; q < SM__COUNT; q++) {
			sqlite3_finalize(r->rs[k].stmt[1][q]);
			r->rs[k].stmt[1][q] = NULL;
		}
		sqlite3_finalize(r->rs[k].rownum[1]);
		r->rs[k].rownum[1] = NULL;
	}
	sqlite3_finalize(r->explained[1]);
	r->explained[1] = NULL;
	store_close(st2);
	pthread_mutex_destroy(&p.mu);
	for (int c = 0; c < NCONN; c++) {
		if (p.w[c].rc != JZG_OK && rc == JZG_OK) {
			rc = p.w[c].rc;
			if (cause != NULL) {
				*cause = p.w[c].cause;
				p.w[c].cause = NULL;
			}
		}
		free(p.w[c].cause);
	}
	if (rc == JZG_OK)
		replay(r, p.held, cb, arg);
	else
		for (size_t k = 0; k < r->nrs; k++) {
			for (size_t i = 0; i < p.held[k].n; i++) {
				free(p.held[k].h[i].message);
				free(p.held[k].h[i].explained);
			}
			free(p.held[k].h);
		}
	free(p.held);
	free(p.todo);
	return rc;
}

/* Which sets are in scope: those of tpl, or (tpl NULL) of every template
 * some school of the file uses. */
static unsigned char *
sets_in_scope(struct rules *r, const char *tpl)
{
	unsigned char *want = xcalloc(r->nrs ? r->nrs : 1, 1);
	sqlite3_stmt *ps = NULL;

	if (tpl == NULL && sqlite3_prepare_v2(r->st->db, "SELECT DISTINCT template FROM school", -1, &ps,
	    NULL) != SQLITE_OK) {
		memset(want, 1, r->nrs);   /* cannot tell: run them all */
		return want;
	}
	if (tpl != NULL) {
		for (size_t k = 0; k < r->nrs; k++)
			want[k] = strcmp(tpl, r->rs[k].tpl->v[TC_NAME]) == 0;
		return want;
	}
	while (sqlite3_step(ps) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(ps, 0);

		for (size_t k = 0; t != NULL && k < r->nrs; k++)
			if (strcmp(t, r->rs[k].tpl->v[TC_NAME]) == 0)
				want[k] = 1;
	}
	sqlite3_finalize(ps);
	return want;
}

/* A whole school checked on one thread (import checks the school inside
 * its transaction, where a second connection cannot see its rows) is
 * checked in slices of this many persons, by staff id: the person look-ups
 * (struct person_col, some 300 bytes a person) are loaded for one slice at
 * a time, so that the check's memory does not grow with the school (a
 * 100,000-person school: 29 MB at once).  JZG_CHECK_SLICE=N sets it
 * (tests). */
#define SLICE_STAFF 10000

/* The first staff id of each slice of school id's persons (by id, from
 * the smallest), *n of them; NULL (and *n = 0) when one slice holds them
 * all. */
static sqlite3_int64 *
slice_starts(struct rules *r, sqlite3_int64 id, size_t *n)
{
	const char *env = getenv("JZG_CHECK_SLICE");
	long size = env != NULL && *env ? strtol(env, NULL, 10) : SLICE_STAFF;
	sqlite3_int64 *start = NULL;
	sqlite3_stmt *ps;
	size_t k = 0, cap = 0;

	*n = 0;
	if (size < 1 || sqlite3_prepare_v2(r->st->db, "SELECT id FROM staff WHERE school_id = ?1 ORDER BY id", -1, &ps,
	    NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(ps, 1, id);
	while (sqlite3_step(ps) == SQLITE_ROW)
		if (k++ % (size_t)size == 0) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				start = xreallocarray(start, cap, sizeof *start);
			}
			start[(*n)++] = sqlite3_column_int64(ps, 0);
		}
	sqlite3_finalize(ps);
	if (*n < 2) {
		free(start);
		*n = 0;
		return NULL;
	}
	return start;
}

/* Run the sets marked in want for school id in slices (slice_starts, n of
 * them): set by set, and each set slice by slice, so that the findings
 * reach the callback in the order of an unsliced check (within a set, rows
 * come by staff id either way: the school's staff through its index, in
 * rowid order) and none need be held.  Each set loads only the person
 * look-ups its statement reads (rules_person_uses), for the slice. */
static enum jzg_status
check_slices(struct rules *r, struct runner *ru, const unsigned char *want, sqlite3_int64 id,
    const sqlite3_int64 *start, size_t n, char **cause)
{
	unsigned char *uses = xcalloc(r->npc ? r->npc : 1, 1);
	enum jzg_status rc = JZG_OK;

	for (size_t i = 0; i < r->nrs && rc == JZG_OK && !ru->stop; i++) {
		if (!want[i])
			continue;
		rules_person_uses(r, r->rs[i].select_bulk, uses);
		for (size_t s = 0; s < n && rc == JZG_OK && !ru->stop; s++) {
			r->slice_lo = start[s];
			r->slice_hi = s + 1 < n ? start[s + 1] - 1 : INT64_MAX;
			r->pc_only = uses;
			rc = rules_person_load(r, SM_SLICE, id, cause);
			r->pc_only = NULL;
			if (rc == JZG_OK)
				rc = rules_run(ru, &r->rs[i], SM_SLICE, id, cause);
			rules_person_unload(r);
		}
	}
	free(uses);
	return rc;
}

enum jzg_status
rules_check(struct rules *r, const struct rules_scope *scope, rules_cb cb, void *arg, char **cause)
{
	enum scope_mode m = SM_ALL;
	sqlite3_int64 id = 0;
	char *tpl = NULL;
	unsigned char *want;
	struct runner ru;
	sqlite3_int64 *start = NULL;
	size_t nslice = 0;
	int done = 0, cache, threads;
	enum jzg_status rc = JZG_OK;

	if (scope != NULL && scope->staff_id != 0) {
		m = SM_STAFF;
		id = scope->staff_id;
		if ((tpl = rules_staff_template(r, id)) == NULL)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这名人员");
	} else if (scope != NULL && scope->school_id != 0) {
		m = SM_SCHOOL;
		id = scope->school_id;
		if ((tpl = rules_template_of(r, "SELECT template FROM school WHERE id = ?1", id)) == NULL)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这所学校");
	}
	want = sets_in_scope(r, tpl);
	free(tpl);
	threads = threads_for(r, m, m == SM_SCHOOL ? id : 0);
	/* the plan reads the file as the check will (same read transaction) */
	sqlite3_exec(r->st->db, "SAVEPOINT rules_plan", NULL, NULL, NULL);
	if (m == SM_ALL)
		plan_scans(r, want);
	else
		for (size_t k = 0; k < r->nrs; k++)
			r->rs[k].run_weight = r->rs[k].weight;
	if (threads > 1)
		rc = check_parallel(r, want, m, id, cb, arg, &done, cause);
	if (!done) {
		memset(&ru, 0, sizeof ru);
		ru.r = r;
		ru.db = r->st->db;
		ru.cb = cb;
		ru.arg = arg;
		cache = m == SM_ALL || m == SM_SCHOOL ? cache_grow(r->st->db) : 0;
		/* one read transaction: a consistent view, and far fewer lock calls */
		sqlite3_exec(r->st->db, "SAVEPOINT rules_check", NULL, NULL, NULL);
		ru.any_explained = m == SM_STAFF || rules_any_explained(r->st->db);
		if (m == SM_SCHOOL && (start = slice_starts(r, id, &nslice)) != NULL)
			rc = check_slices(r, &ru, want, id, start, nslice, cause);
		else {
			if (m == SM_ALL || m == SM_SCHOOL)
				rc = rules_person_load(r, m, id, cause);
			for (size_t i = 0; i < r->nrs && rc == JZG_OK && !ru.stop; i++)
				if (want[i])
					rc = rules_run(&ru, &r->rs[i], mode_for(r, i, m), id, cause);
		}
		free(start);
		rules_person_unload(r);
		sqlite3_exec(r->st->db, "RELEASE rules_check", NULL, NULL, NULL);
		cache_restore(r->st->db, cache);
	}
	sqlite3_exec(r->st->db, "RELEASE rules_plan", NULL, NULL, NULL);
	plan_done(r);
	free(want);
	return rc;
}
