/* prior.c — see prior.h. */
#include "prior.h"

#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "pview.h"
#include "util.h"

struct prior {
	struct store        *st;
	struct pview_loader *loader;
	struct pview        *pv;      /* the person loaded, or NULL */
	char                *label;   /* the baseline's */
	sqlite3_int64        staff_id;
};

enum jzg_status
prior_new(struct store *st, const struct template_def *tpl, sqlite3_int64 staff_id, struct prior **out,
    char **cause)
{
	sqlite3_stmt *q;
	struct prior *m;
	char *label = NULL;
	enum jzg_status rc;

	*out = NULL;
	/* an older file opened read-only may lack the table: no baseline */
	if (sqlite3_prepare_v2(st->db, "SELECT l.label FROM staff t JOIN school k ON k.id = t.school_id"
	    " JOIN baseline l ON l.school_code = k.code WHERE t.id = ?1", -1, &q, NULL) != SQLITE_OK)
		return JZG_OK;
	sqlite3_bind_int64(q, 1, staff_id);
	if (sqlite3_step(q) == SQLITE_ROW)
		label = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (label == NULL)
		return JZG_OK;
	m = xcalloc(1, sizeof *m);
	m->st = st;
	m->label = label;
	m->staff_id = staff_id;
	if ((rc = pview_loader_new(st, tpl, &m->loader, cause)) != JZG_OK ||
	    (rc = prior_load(m, cause)) != JZG_OK) {
		prior_free(m);
		return rc;
	}
	*out = m;
	return JZG_OK;
}

void
prior_free(struct prior *m)
{
	if (m == NULL)
		return;
	pview_free(m->pv);
	pview_loader_free(m->loader);
	free(m->label);
	free(m);
}

enum jzg_status
prior_load(struct prior *m, char **cause)
{
	pview_free(m->pv);
	m->pv = NULL;
	return pview_load(m->loader, m->staff_id, &m->pv, cause);
}

const char *
prior_label(const struct prior *m)
{
	return m->label;
}

int
prior_person_new(const struct prior *m)
{
	return m->pv != NULL && !m->pv->linked;
}

/* Set k of the person loaded, when it was compared with last year's. */
static const struct pview_set *
compared(const struct prior *m, size_t k)
{
	if (m->pv == NULL || !m->pv->linked || k >= m->pv->nset || m->pv->set[k].prior == NULL)
		return NULL;
	return &m->pv->set[k];
}

/* The row of record rec in set ps, or -1. */
static long
row_of(const struct pview_set *ps, sqlite3_int64 rec)
{
	for (size_t r = 0; ps != NULL && r < ps->nrow; r++)
		if (ps->rid[r] == rec && rec != 0)
			return (long)r;
	return -1;
}

const char *
prior_value(const struct prior *m, size_t k, sqlite3_int64 rec, size_t j)
{
	const struct pview_set *ps = compared(m, k);
	long r = row_of(ps, rec);

	if (r < 0 || j >= ps->s->nfield)
		return NULL;
	return ps->prior[(size_t)r * ps->s->nfield + j];
}

int
prior_record_new(const struct prior *m, size_t k, sqlite3_int64 rec)
{
	const struct pview_set *ps = compared(m, k);
	long r = row_of(ps, rec);

	return r >= 0 && ps->added[r];
}

int
prior_record_changed(const struct prior *m, size_t k, sqlite3_int64 rec)
{
	const struct pview_set *ps = compared(m, k);
	long r = row_of(ps, rec);
	int n = 0;

	for (size_t j = 0; r >= 0 && j < ps->s->nfield; j++)
		n += ps->prior[(size_t)r * ps->s->nfield + j] != NULL;
	return n;
}

int
prior_set_changed(const struct prior *m, size_t k)
{
	const struct pview_set *ps = compared(m, k);

	if (ps == NULL)
		return 0;
	if (ps->ngone > 0)
		return 1;
	for (size_t r = 0; r < ps->nrow; r++)
		if (ps->added[r] || prior_record_changed(m, k, ps->rid[r]) > 0)
			return 1;
	return 0;
}

int
prior_changed(const struct prior *m)
{
	if (m->pv == NULL)
		return 0;
	if (!m->pv->linked)
		return 1;
	for (size_t k = 0; k < m->pv->nset; k++)
		if (prior_set_changed(m, k))
			return 1;
	return 0;
}

size_t
prior_gone(const struct prior *m, size_t k, char *const **labels)
{
	const struct pview_set *ps = compared(m, k);

	*labels = ps ? ps->gone : NULL;
	return ps ? ps->ngone : 0;
}

/* "；去年有、今年没有的记录：a、b" of set ps into b. */
static void
say_gone(struct strbuf *b, const struct pview_set *ps)
{
	if (ps->ngone == 0)
		return;
	if (!ps->s->many) {
		strbuf_addf(b, "%s去年有%s，今年没有", b->len ? "；" : "", ps->s->v[SC_LABEL]);
		return;
	}
	strbuf_addf(b, "%s去年有、今年没有的%s记录 %zu 条：", b->len ? "；" : "", ps->s->v[SC_LABEL], ps->ngone);
	for (size_t g = 0; g < ps->ngone; g++)
		strbuf_addf(b, "%s%s", g ? "、" : "", ps->gone[g]);
}

char *
prior_describe(const struct prior *m, size_t k, sqlite3_int64 rec, int j)
{
	const struct pview_set *ps = compared(m, k);
	struct strbuf b = { 0 };
	long r;

	if (m->pv == NULL)
		return xstrdup("");
	if (!m->pv->linked)
		return xasprintf("此人是今年新增的：去年（%s）的数据中没有此人", m->label);
	if (ps == NULL)
		return xasprintf("本信息集无法与去年（%s）对照", m->label);
	r = row_of(ps, rec);
	if (r >= 0 && ps->added[r])
		strbuf_addf(&b, "这条%s记录是今年新增的，去年（%s）没有", ps->s->v[SC_LABEL], m->label);
	else if (r >= 0 && j >= 0 && (size_t)j < ps->s->nfield) {
		const char *was = ps->prior[(size_t)r * ps->s->nfield + (size_t)j];
		const char *label = ps->s->field[j].v[FC_LABEL];

		if (was != NULL)
			strbuf_addf(&b, "去年（%s）%s：%s", m->label, label, *was ? was : "（空）");
		else
			strbuf_addf(&b, "%s与去年（%s）相同", label, m->label);
	} else if (r >= 0) {
		int n = 0;

		for (size_t f = 0; f < ps->s->nfield; f++) {
			const char *was = ps->prior[(size_t)r * ps->s->nfield + f];

			if (was != NULL)
				strbuf_addf(&b, "%s%s（去年：%s）", n++ ? "、" : "", ps->s->field[f].v[FC_LABEL], *was ? was : "空");
		}
		if (n == 0)
			strbuf_addf(&b, "这条记录与去年（%s）相同", m->label);
		else {
			char *t = strbuf_take(&b);

			strbuf_addf(&b, "这条记录与去年（%s）不同：%s", m->label, t);
			free(t);
		}
	} else {
		int added = 0, changed = 0;

		for (size_t i = 0; i < ps->nrow; i++) {
			added += ps->added[i];
			changed += prior_record_changed(m, k, ps->rid[i]);
		}
		if (added > 0)
			strbuf_addf(&b, "今年新增 %d 条", added);
		if (changed > 0)
			strbuf_addf(&b, "%s改动 %d 项", b.len ? "、" : "", changed);
		if (b.len > 0) {
			char *t = strbuf_take(&b);

			strbuf_addf(&b, "%s与去年（%s）相比：%s", ps->s->v[SC_LABEL], m->label, t);
			free(t);
		}
	}
	say_gone(&b, ps);
	if (b.len == 0)
		strbuf_addf(&b, "%s与去年（%s）相同", ps->s->v[SC_LABEL], m->label);
	return strbuf_take(&b);
}

/* ------------------------------------------------------------ a school */

char *
prior_school_label(struct store *st, const char *school)
{
	sqlite3_stmt *q;
	char *label = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT label FROM baseline WHERE school_code = ?1", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		label = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return label;
}

struct people {
	sqlite3_int64 *id;
	size_t         n, cap;
};

static void
on_change(const struct change *c, void *arg)
{
	struct people *p = arg;

	if (c->kind == CHANGE_GONE || c->staff_id == 0 || (p->n > 0 && p->id[p->n - 1] == c->staff_id))
		return;   /* the changes come person by person */
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->id = xreallocarray(p->id, p->cap, sizeof *p->id);
	}
	p->id[p->n++] = c->staff_id;
}

static int
id_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;

	return (x > y) - (x < y);
}

enum jzg_status
prior_people(struct store *st, const char *school, sqlite3_int64 **ids, size_t *n, long *added, long *gone,
    char **cause)
{
	struct people p = { 0 };
	struct changes_school *sum = NULL;
	size_t nsum = 0, k = 0;
	enum jzg_status rc = changes_run(st, school, 0, on_change, &p, &sum, &nsum, cause);

	if (added != NULL)
		*added = nsum > 0 ? sum[0].added : 0;
	if (gone != NULL)
		*gone = nsum > 0 ? sum[0].gone : 0;
	changes_free(sum, nsum);
	if (rc != JZG_OK) {
		free(p.id);
		*ids = NULL;
		*n = 0;
		return rc;
	}
	/* the people added come first, then the changed in last year's order */
	xqsort(p.id, p.n, sizeof *p.id, id_cmp);
	for (size_t i = 0; i < p.n; i++)
		if (k == 0 || p.id[k - 1] != p.id[i])
			p.id[k++] = p.id[i];
	*ids = p.id;
	*n = k;
	return JZG_OK;
}
