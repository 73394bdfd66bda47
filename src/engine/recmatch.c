/* recmatch.c — see recmatch.h. */
#include "recmatch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int
empty(const char *v)
{
	return v == NULL || *v == '\0';
}

static int
same_value(const char *a, const char *b)
{
	return empty(a) ? empty(b) : !empty(b) && strcmp(a, b) == 0;
}

static int
key_cmp(const struct recmatch_rec *a, const struct recmatch_rec *b)
{
	return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

/* Key order, then entry order (the records' places in their array). */
static int
by_key(const void *a, const void *b)
{
	const struct recmatch_rec *x = *(const struct recmatch_rec *const *)a;
	const struct recmatch_rec *y = *(const struct recmatch_rec *const *)b;
	int c = key_cmp(x, y);

	return c ? c : (x > y) - (x < y);
}

static const struct recmatch_rec **
sorted(struct recmatch_rec *r, size_t n)
{
	const struct recmatch_rec **p = xreallocarray(NULL, n ? n : 1, sizeof *p);

	for (size_t i = 0; i < n; i++)
		p[i] = &r[i];
	xqsort(p, n, sizeof *p, by_key);
	return p;
}

static int
same_record(const struct set_def *s, const struct recmatch_rec *a, const struct recmatch_rec *b)
{
	for (size_t f = 0; f < s->nfield; f++)
		if (!same_value(a->v[f], b->v[f]))
			return 0;
	return 1;
}

/* Records a[0..na) and b[0..nb) share one key: identical records pair
 * first (the same records read back in another order, as a template
 * export and import may), the others in entry order; the rest are
 * removed or added.  1 when cb asked to stop. */
static int
group(const struct set_def *s, sqlite3_int64 pid, const struct recmatch_rec **a, size_t na,
    const struct recmatch_rec **b, size_t nb, recmatch_cb cb, void *arg)
{
	unsigned char *ua = xcalloc(na + nb + 1, 1), *ub = ua + na;
	size_t i, j = 0;
	int stop = 0;

	if (na > 1 || nb > 1)
		for (i = 0; i < na; i++)
			for (size_t k = 0; k < nb; k++)
				if (!ub[k] && same_record(s, a[i], b[k])) {
					ua[i] = ub[k] = 1;
					break;
				}
	for (i = 0; i < na && !stop; i++) {
		struct recmatch_diff d = { .person = pid, .set = s, .field = -1, .old = a[i] };

		if (ua[i])
			continue;
		while (j < nb && ub[j])
			j++;
		if (j == nb) {
			d.kind = RM_REMOVED;
			stop = cb(&d, arg);
			continue;
		}
		d.kind = RM_CHANGED;
		d.new = b[j++];
		for (size_t f = 0; f < s->nfield && !stop; f++)
			if (!same_value(d.old->v[f], d.new->v[f])) {
				d.field = (int)f;
				stop = cb(&d, arg);
			}
	}
	for (; j < nb && !stop; j++) {
		struct recmatch_diff d = { .kind = RM_ADDED, .person = pid, .set = s, .field = -1, .new = b[j] };

		if (!ub[j])
			stop = cb(&d, arg);
	}
	free(ua);
	return stop;
}

/* 1 when cb asked to stop. */
static int
person(const struct set_def *s, sqlite3_int64 pid, struct recmatch_rec *old, size_t nold,
    struct recmatch_rec *new, size_t nnew, recmatch_cb cb, void *arg)
{
	const struct recmatch_rec **a = sorted(old, nold), **b = sorted(new, nnew);
	size_t i = 0, j = 0;
	int stop = 0;

	while (!stop && (i < nold || j < nnew)) {
		int c = i == nold ? 1 : j == nnew ? -1 : key_cmp(a[i], b[j]);
		size_t i1 = i, j1 = j;

		if (c <= 0)
			while (i1 < nold && key_cmp(a[i1], a[i]) == 0)
				i1++;
		if (c >= 0)
			while (j1 < nnew && key_cmp(b[j1], b[j]) == 0)
				j1++;
		stop = group(s, pid, a + i, i1 - i, b + j, j1 - j, cb, arg);
		i = i1;
		j = j1;
	}
	free(a);
	free(b);
	return stop;
}

enum jzg_status
recmatch_person(const struct set_def *s, struct recmatch_rec *old, size_t nold,
    struct recmatch_rec *new, size_t nnew, recmatch_cb cb, void *arg)
{
	person(s, 0, old, nold, new, nnew, cb, arg);
	return JZG_OK;
}

/* One side of a stream: the statement and the current person's records,
 * their texts in one buffer (offsets until the person is complete, since
 * the buffer moves as it grows). */
struct side {
	sqlite3_stmt        *ps;
	int                  rc;       /* of the last step */
	struct recmatch_rec *rec;
	size_t               n, cap;
	size_t              *off;      /* per record: 1 + nfield offsets into text, SIZE_MAX = NULL */
	size_t               noff, capoff;
	struct strbuf        text;
	const char         **ptr;      /* the values as pointers, once complete */
	size_t               capptr;
};

static void
side_step(struct side *sd)
{
	sd->rc = sqlite3_step(sd->ps);
}

static sqlite3_int64
side_pid(const struct side *sd)
{
	return sqlite3_column_int64(sd->ps, 0);
}

static void
put_text(struct side *sd, const unsigned char *t)
{
	if (sd->noff == sd->capoff) {
		sd->capoff = sd->capoff ? 2 * sd->capoff : 256;
		sd->off = xreallocarray(sd->off, sd->capoff, sizeof *sd->off);
	}
	if (t == NULL) {
		sd->off[sd->noff++] = SIZE_MAX;
		return;
	}
	sd->off[sd->noff++] = sd->text.len;
	strbuf_adds(&sd->text, (const char *)t);
	strbuf_addc(&sd->text, '\0');
}

/* Read the rows of person pid (the current row is the first, if it is
 * the person's). */
static void
side_collect(struct side *sd, const struct set_def *s, sqlite3_int64 pid)
{
	size_t per = 1 + s->nfield;

	sd->n = sd->noff = 0;
	sd->text.len = 0;
	while (sd->rc == SQLITE_ROW && side_pid(sd) == pid) {
		if (sd->n == sd->cap) {
			sd->cap = sd->cap ? 2 * sd->cap : 16;
			sd->rec = xreallocarray(sd->rec, sd->cap, sizeof *sd->rec);
		}
		sd->rec[sd->n].id = sqlite3_column_int64(sd->ps, 1);
		put_text(sd, sqlite3_column_text(sd->ps, 2));
		for (size_t f = 0; f < s->nfield; f++)
			put_text(sd, sqlite3_column_text(sd->ps, 3 + (int)f));
		sd->n++;
		side_step(sd);
	}
	if (sd->n * per > sd->capptr) {
		sd->capptr = sd->n * per;
		sd->ptr = xreallocarray(sd->ptr, sd->capptr, sizeof *sd->ptr);
	}
	for (size_t k = 0; k < sd->n * per; k++)
		sd->ptr[k] = sd->off[k] == SIZE_MAX ? NULL : sd->text.s + sd->off[k];
	for (size_t r = 0; r < sd->n; r++) {
		sd->rec[r].key = sd->ptr[r * per] ? sd->ptr[r * per] : "";
		sd->rec[r].v = &sd->ptr[r * per + 1];
	}
}

static void
side_free(struct side *sd)
{
	free(sd->rec);
	free(sd->off);
	free(sd->ptr);
	strbuf_free(&sd->text);
}

enum jzg_status
recmatch_stream(const struct set_def *s, sqlite3_stmt *old, sqlite3_stmt *new,
    recmatch_cb cb, void *arg, char **cause)
{
	struct side a = { .ps = old }, b = { .ps = new };
	enum jzg_status rc = JZG_OK;
	int stop = 0;

	if (sqlite3_column_count(old) != 3 + (int)s->nfield || sqlite3_column_count(new) != 3 + (int)s->nfield)
		return jzg_fail(cause, JZG_ERR_INVALID, "比对信息集 %s 的查询列数不对", s->v[SC_NAME]);
	side_step(&a);
	side_step(&b);
	while (!stop && (a.rc == SQLITE_ROW || b.rc == SQLITE_ROW)) {
		sqlite3_int64 pid = a.rc != SQLITE_ROW ? side_pid(&b) :
		    b.rc != SQLITE_ROW ? side_pid(&a) :
		    side_pid(&a) < side_pid(&b) ? side_pid(&a) : side_pid(&b);

		side_collect(&a, s, pid);
		side_collect(&b, s, pid);
		stop = person(s, pid, a.rec, a.n, b.rec, b.n, cb, arg);
	}
	if (!stop && ((a.rc != SQLITE_DONE && a.rc != SQLITE_ROW) || (b.rc != SQLITE_DONE && b.rc != SQLITE_ROW)))
		rc = jzg_fail(cause, JZG_ERR_DB, "读取信息集 %s 失败：%s", s->v[SC_NAME],
		    sqlite3_errstr(a.rc != SQLITE_DONE ? a.rc : b.rc));
	side_free(&a);
	side_free(&b);
	return rc;
}
