/* pview.c — see pview.h. */
#include "pview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "recmatch.h"
#include "util.h"
#include "fieldtype.h"

struct pview_loader {
	struct store              *st;
	const struct template_def *tpl;
	sqlite3_stmt              *head;   /* school name, code */
	sqlite3_stmt             **rows;   /* per set of tpl: display columns, then the record's key */
	sqlite3_stmt             **prior;  /* per set: last year's records (b_<set>), NULL when none can be read */
	sqlite3_stmt              *linked; /* is the person linked to last year's (b_staff)? */
	int                        name_set, name_col, id_col;  /* person set index, fields */
};

char *
pview_display(const struct field_def *f, const char *v)
{
	const struct fieldtype *ft = fieldtype_of(f);
	struct strbuf b = { 0 };
	const char *p;

	if (str_empty(v))
		return NULL;
	if (ft->places > 0) {
		char *end;
		double d = strtod(v, &end);

		return *end == '\0' ? xasprintf("%.*f", ft->places, d) : xstrdup(v);
	}
	if (f->table == NULL || !ft->coded)
		return xstrdup(v);
	if (ft->coded == 1) {
		const struct code *c = codes_find(f->table, v);

		return xstrdup(c ? c->name : v);
	}
	for (p = v; *p != '\0';) {
		size_t n = strcspn(p, " ");

		if (n > 0) {
			char *one = xstrndup(p, n);
			const struct code *c = codes_find(f->table, one);

			if (b.len > 0)
				strbuf_adds(&b, "、");
			strbuf_adds(&b, c ? c->name : one);
			free(one);
		}
		p += n;
		p += strspn(p, " ");
	}
	return b.len ? strbuf_take(&b) : NULL;
}

char *
pview_record_label(const struct set_def *s, const char *key)
{
	struct strbuf b = { 0 };
	int *idx;
	size_t nk = set_key_fields(s, &idx);
	const char *p = key;

	for (size_t i = 0; i < nk && p != NULL; i++) {
		const char *e = strchr(p, '\x1f');
		char *v = e ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
		char *shown = pview_display(&s->field[idx[i]], v);

		if (shown != NULL)
			strbuf_addf(&b, "%s%s", b.len ? " " : "", shown);
		free(shown);
		free(v);
		p = e ? e + 1 : NULL;
	}
	free(idx);
	if (b.len == 0)
		strbuf_adds(&b, nk ? "（键为空）" : "");
	return strbuf_take(&b);
}

enum jzg_status
pview_loader_new(struct store *st, const struct template_def *tpl, struct pview_loader **out,
    char **cause)
{
	struct pview_loader *l = xcalloc(1, sizeof *l);
	const struct set_def *ps = template_person_set(st->defs, tpl);
	enum jzg_status rc;

	*out = NULL;
	l->st = st;
	l->tpl = tpl;
	l->rows = xcalloc(tpl->nset ? tpl->nset : 1, sizeof *l->rows);
	l->prior = xcalloc(tpl->nset ? tpl->nset : 1, sizeof *l->prior);
	/* an older file opened read-only may lack the baseline tables: no marks */
	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM b_staff WHERE staff_id = ?1", -1, &l->linked, NULL) != SQLITE_OK)
		l->linked = NULL;
	l->name_set = -1;
	if ((rc = store_prepare(st, "SELECT school.name, school.code FROM staff JOIN school ON school.id = staff.school_id"
	    " WHERE staff.id = ?", &l->head, cause)) != JZG_OK) {
		pview_loader_free(l);
		return rc;
	}
	for (size_t i = 0; i < tpl->nset; i++) {
		const struct set_def *s = &tpl->set[i];
		struct strbuf q = { 0 };
		char *ord = NULL;

		if (ps != NULL && str_eq(s->v[SC_NAME], ps->v[SC_NAME])) {
			l->name_set = (int)i;
			l->name_col = set_field_index(s, st->defs->setting[SK_PERSON_NAME]);
			l->id_col = set_field_index(s, st->defs->setting[SK_PERSON_ID]);
		}
		strbuf_addf(&q, "SELECT cur.%s", s->many ? "id" : "staff_id");
		for (size_t j = 0; j < s->nfield; j++)
			strbuf_addf(&q, ", cur.\"%s\"", s->field[j].v[FC_NAME]);
		{
			char *key = set_key_sql(s, "cur");
			struct strbuf pq = { 0 };

			strbuf_addf(&q, ", %s", key);
			strbuf_adds(&pq, "SELECT p.nk");
			for (size_t j = 0; j < s->nfield; j++)
				strbuf_addf(&pq, ", p.\"%s\"", s->field[j].v[FC_NAME]);
			strbuf_addf(&pq, " FROM \"b_%s\" p JOIN b_staff pb ON pb.id = p.staff_id WHERE pb.staff_id = ?1"
			    " ORDER BY p.seq, p.id", s->v[SC_NAME]);
			if (l->linked == NULL || sqlite3_prepare_v2(st->db, pq.s, -1, &l->prior[i], NULL) != SQLITE_OK)
				l->prior[i] = NULL;
			strbuf_free(&pq);
			free(key);
		}
		strbuf_addf(&q, " FROM \"s_%s\" AS cur WHERE cur.staff_id = ?1", s->v[SC_NAME]);
		if (s->many) {
			if (s->v[SC_ORDER_BY] != NULL &&
			    (ord = expr_sql(s->v[SC_ORDER_BY], s, NULL, EXPR_ROW, NULL, cause)) == NULL) {
				strbuf_free(&q);
				pview_loader_free(l);
				return JZG_ERR_DEFS;
			}
			/* Records without the ordering value go last, then entry order. */
			if (ord != NULL)
				strbuf_addf(&q, " ORDER BY (%s) IS NULL, (%s), cur.seq, cur.id", ord, ord);
			else
				strbuf_adds(&q, " ORDER BY cur.seq, cur.id");
			free(ord);
		}
		rc = store_prepare(st, q.s, &l->rows[i], cause);
		strbuf_free(&q);
		if (rc != JZG_OK) {
			pview_loader_free(l);
			return rc;
		}
	}
	*out = l;
	return JZG_OK;
}

void
pview_loader_free(struct pview_loader *l)
{
	if (l == NULL)
		return;
	sqlite3_finalize(l->head);
	sqlite3_finalize(l->linked);
	for (size_t i = 0; i < l->tpl->nset; i++) {
		sqlite3_finalize(l->rows[i]);
		sqlite3_finalize(l->prior[i]);
	}
	free(l->rows);
	free(l->prior);
	free(l);
}

struct marks {
	struct pview_set *ps;
};

static int
on_mark(const struct recmatch_diff *d, void *arg)
{
	struct pview_set *ps = ((struct marks *)arg)->ps;
	size_t nf = ps->s->nfield;

	if (d->kind == RM_ADDED)
		ps->added[d->new->id] = 1;
	else if (d->kind == RM_REMOVED) {
		ps->gone = xreallocarray(ps->gone, ps->ngone + 1, sizeof *ps->gone);
		ps->gone[ps->ngone++] = pview_record_label(ps->s, d->old->key);
	} else if (d->kind == RM_CHANGED) {
		char *was = pview_display(&ps->s->field[d->field], d->old->v[d->field]);

		ps->prior[(size_t)d->new->id * nf + (size_t)d->field] = was ? was : xstrdup("");
	}
	return 0;
}

/* Mark set i of the view against last year's records of the person: raw
 * holds this year's stored values (nrow × nfield) and keys their keys. */
static void
mark_prior(struct pview_loader *l, size_t i, struct pview_set *ps, char **raw, char **keys, sqlite3_int64 staff_id)
{
	const struct set_def *s = ps->s;
	sqlite3_stmt *q = l->prior[i];
	struct recmatch_rec *old = NULL, *new = xcalloc(ps->nrow + 1, sizeof *new);
	char **oraw = NULL;
	size_t nold = 0, cap = 0;
	struct marks m = { ps };

	ps->prior = xcalloc(ps->nrow * s->nfield + 1, sizeof *ps->prior);
	ps->added = xcalloc(ps->nrow + 1, 1);
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, staff_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (nold == cap) {
			cap = cap ? 2 * cap : 4;
			old = xreallocarray(old, cap, sizeof *old);
			oraw = xreallocarray(oraw, cap * (s->nfield + 1), sizeof *oraw);
		}
		for (size_t j = 0; j <= s->nfield; j++)
			oraw[nold * (s->nfield + 1) + j] = sqlite3_column_type(q, (int)j) == SQLITE_NULL ? NULL :
			    xstrdup((const char *)sqlite3_column_text(q, (int)j));
		nold++;
	}
	sqlite3_reset(q);
	for (size_t k = 0; k < nold; k++) {
		old[k].id = (sqlite3_int64)k;
		old[k].key = oraw[k * (s->nfield + 1)] ? oraw[k * (s->nfield + 1)] : "";
		old[k].v = (const char *const *)&oraw[k * (s->nfield + 1) + 1];
	}
	for (size_t r = 0; r < ps->nrow && keys != NULL; r++) {
		new[r].id = (sqlite3_int64)r;
		new[r].key = keys[r] ? keys[r] : "";
		new[r].v = (const char *const *)&raw[r * s->nfield];
	}
	/* a one-record set read blank (no row) is not matched */
	recmatch_person(s, old, nold, new, keys != NULL ? ps->nrow : 0, on_mark, &m);
	for (size_t k = 0; k < nold * (s->nfield + 1); k++)
		free(oraw[k]);
	free(oraw);
	free(old);
	free(new);
}

enum jzg_status
pview_load(struct pview_loader *l, sqlite3_int64 staff_id, struct pview **out, char **cause)
{
	int linked = 0;

	struct pview *pv;
	int rc;

	*out = NULL;
	sqlite3_reset(l->head);
	sqlite3_bind_int64(l->head, 1, staff_id);
	if ((rc = sqlite3_step(l->head)) != SQLITE_ROW) {
		sqlite3_reset(l->head);
		if (rc == SQLITE_DONE)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这名教职工（编号 %lld）", (long long)staff_id);
		return jzg_fail(cause, JZG_ERR_DB, "%s", store_errstr(rc));
	}
	pv = xcalloc(1, sizeof *pv);
	pv->staff_id = staff_id;
	pv->tpl = l->tpl;
	pv->school_name = xstrdup((const char *)sqlite3_column_text(l->head, 0));
	pv->school_code = xstrdup((const char *)sqlite3_column_text(l->head, 1));
	sqlite3_reset(l->head);
	pv->nset = l->tpl->nset;
	pv->set = xcalloc(pv->nset ? pv->nset : 1, sizeof *pv->set);
	if (l->linked != NULL) {
		sqlite3_reset(l->linked);
		sqlite3_bind_int64(l->linked, 1, staff_id);
		linked = sqlite3_step(l->linked) == SQLITE_ROW;
		sqlite3_reset(l->linked);
	}
	for (size_t i = 0; i < pv->nset; i++) {
		struct pview_set *ps = &pv->set[i];
		const struct set_def *s = &l->tpl->set[i];
		sqlite3_stmt *q = l->rows[i];
		size_t cap = 0;
		char **raw = NULL, **keys = NULL;   /* stored values and keys, for the marks */
		int mark = linked && l->prior[i] != NULL;

		ps->s = s;
		ps->title = s->v[SC_GROUP] ? xasprintf("%s·%s", s->v[SC_GROUP], s->v[SC_LABEL]) :
		    xstrdup(s->v[SC_LABEL]);
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, staff_id);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			if (ps->nrow == cap) {
				cap = cap ? cap * 2 : 2;
				ps->val = xreallocarray(ps->val, cap * (s->nfield ? s->nfield : 1), sizeof *ps->val);
				ps->rid = xreallocarray(ps->rid, cap, sizeof *ps->rid);
				if (mark) {
					raw = xreallocarray(raw, cap * (s->nfield ? s->nfield : 1), sizeof *raw);
					keys = xreallocarray(keys, cap, sizeof *keys);
				}
			}
			for (size_t j = 0; j < s->nfield; j++) {
				const char *v = (const char *)sqlite3_column_text(q, (int)j + 1);

				ps->val[ps->nrow * s->nfield + j] = pview_display(&s->field[j], v);
				if (mark)
					raw[ps->nrow * s->nfield + j] = v ? xstrdup(v) : NULL;
			}
			ps->rid[ps->nrow] = sqlite3_column_int64(q, 0);
			if (mark)
				keys[ps->nrow] = xstrdup((const char *)sqlite3_column_text(q, (int)s->nfield + 1));
			ps->nrow++;
			if (!s->many)
				break;
		}
		sqlite3_reset(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			pview_free(pv);
			return jzg_fail(cause, JZG_ERR_DB, "读取%s失败：%s", s->v[SC_LABEL], store_errstr(rc));
		}
		if (!s->many && ps->nrow == 0) {   /* a one-record set always prints, blank */
			ps->val = xcalloc(s->nfield ? s->nfield : 1, sizeof *ps->val);
			ps->rid = xcalloc(1, sizeof *ps->rid);
			ps->nrow = 1;
		}
		if (mark) {
			mark_prior(l, i, ps, raw, keys, staff_id);
			for (size_t k = 0; keys != NULL && k < ps->nrow * s->nfield; k++)
				free(raw[k]);
			for (size_t k = 0; keys != NULL && k < ps->nrow; k++)
				free(keys[k]);
			free(raw);
			free(keys);
		}
	}
	pv->name = xstrdup("");
	pv->id_no = xstrdup("");
	if (l->name_set >= 0) {
		struct pview_set *ps = &pv->set[l->name_set];

		if (l->name_col >= 0 && ps->val[l->name_col]) {
			free(pv->name);
			pv->name = xstrdup(ps->val[l->name_col]);
		}
		if (l->id_col >= 0 && ps->val[l->id_col]) {
			free(pv->id_no);
			pv->id_no = xstrdup(ps->val[l->id_col]);
		}
	}
	pv->person_set = l->name_set;
	pv->linked = linked;
	if (photo_get(l->st, staff_id, &pv->photo, &pv->photo_len, &pv->photo_info, cause) != JZG_OK) {
		pview_free(pv);
		return JZG_ERR_DB;
	}
	*out = pv;
	return JZG_OK;
}

void
pview_free(struct pview *pv)
{
	if (pv == NULL)
		return;
	for (size_t i = 0; i < pv->nset; i++) {
		struct pview_set *ps = &pv->set[i];

		for (size_t k = 0; k < ps->nrow * ps->s->nfield; k++) {
			free(ps->val[k]);
			if (ps->prior != NULL)
				free(ps->prior[k]);
		}
		for (size_t k = 0; k < ps->ngone; k++)
			free(ps->gone[k]);
		free(ps->gone);
		free(ps->val);
		free(ps->rid);
		free(ps->prior);
		free(ps->added);
		free(ps->title);
	}
	free(pv->set);
	free(pv->school_name);
	free(pv->school_code);
	free(pv->name);
	free(pv->id_no);
	free(pv->photo);
	free(pv);
}
