/* trust_values.c — every value of every person against the trail (part of
 * trust_verify), and the public entry points of the full check.  The trail
 * records each inserted row's values (audit.c: a JSON object in audit.new)
 * and each change of a field; replayed, it gives what each field should
 * hold.  A field that holds something else was changed outside jzg, and
 * both values are named.  Rows whose trail has no values (made before
 * schema 7, demo data, people merged into a county file) are counted, not
 * judged. */
#include "trust.h"
#include "trust_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The last event of one (set, row, field); field "#insert" / "#delete"
 * for the row itself. */
struct ev {
	char          *set, *f, *v;
	sqlite3_int64  row, id;
	int            isnull, seen;
};

static int
ev_cmp(const struct ev *e, const char *set, sqlite3_int64 row, const char *f)
{
	int c = strcmp(e->set, set);

	if (c == 0)
		c = (e->row > row) - (e->row < row);
	if (c == 0 && f != NULL)
		c = strcmp(e->f, f);
	return c;
}

static int
ev_order(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	int c = ev_cmp(x, y->set, y->row, y->f);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* The first event of (set, row[, f]) in the sorted events, or NULL. */
static struct ev *
ev_find(struct ev *e, size_t n, const char *set, sqlite3_int64 row, const char *f)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ev_cmp(&e[mid], set, row, f) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ev_cmp(&e[lo], set, row, f) == 0 ? &e[lo] : NULL;
}

static void
row_ids(struct ev *e, size_t n, const char *set, sqlite3_int64 row, sqlite3_int64 *ins, sqlite3_int64 *del, int *json)
{
	*ins = *del = 0;
	*json = 0;
	for (struct ev *p = ev_find(e, n, set, row, NULL); p && p < e + n && ev_cmp(p, set, row, NULL) == 0; p++) {
		p->seen = 1;
		if (str_eq(p->f, "#delete"))
			*del = p->id;
		else if (str_eq(p->f, "#insert") && p->id > *ins)
			*ins = p->id;
		else if (p->f[0] != '#' && p->id >= *ins && p->v != NULL && p->isnull == 2)
			*json = 1;
	}
}

struct person {
	struct store *st;
	const char   *sch;
	sqlite3_int64 id;
	char         *label;
	void        (*tell_fn)(void *w, int finding, const char *text);
	void         *w;
};

static void
say(struct person *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct person *p, const char *fmt, ...)
{
	va_list ap;
	char *t, *line;

	if (p->label == NULL)
		p->label = trust_person(p->st, p->sch, p->id);
	va_start(ap, fmt);
	t = xvasprintf(fmt, ap);
	va_end(ap);
	line = xasprintf("人员 %s：%s", p->label, t);
	p->tell_fn(p->w, 1, line);
	free(line);
	free(t);
}

/* One set's rows of the person against the events. */
static void
check_set(struct person *p, const struct set_def *s, sqlite3_stmt *q, struct ev *e, size_t n, long *unknown)
{
	const char *set = s->v[SC_NAME];
	int k = 0;

	sqlite3_bind_int64(q, 1, p->id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		sqlite3_int64 row = sqlite3_column_int64(q, 0), ins, del;
		int json;
		char where[64] = "";

		k++;
		if (s->many)
			snprintf(where, sizeof where, " 第 %d 条", k);
		row_ids(e, n, set, row, &ins, &del, &json);
		if (ins == 0 && del == 0) {
			(*unknown)++;
			continue;
		}
		if (del > ins) {
			say(p, "%s%s 在修改记录中已删除，文件中却仍有", s->v[SC_LABEL], where);
			continue;
		}
		for (size_t j = 0; j < s->nfield; j++) {
			const struct field_def *f = &s->field[j];
			struct ev *v = ev_find(e, n, set, row, f->v[FC_NAME]);
			const char *now = (const char *)sqlite3_column_text(q, (int)j + 1);

			if (v == NULL || v->id < ins || (v->id == ins && !json))
				continue;   /* no value recorded since the row was made */
			if (v->isnull == 1 ? now != NULL : now == NULL || strcmp(now, v->v) != 0)
				say(p, "%s%s %s：修改记录为 «%s»，文件中为 «%s»（在 jzg 之外被改动）", s->v[SC_LABEL], where, f->v[FC_LABEL],
				    v->isnull == 1 ? "（空）" : v->v, now ? now : "（空）");
		}
	}
	sqlite3_reset(q);
}

void
trust_values(struct store *st, const char *sch, void (*tell_fn)(void *w, int finding, const char *text), void *w,
    long *unknown)
{
	const struct defs *d = st->defs;
	sqlite3_stmt **set_q = xcalloc(d->nall, sizeof *set_q), *staff = NULL, *evq = NULL;
	static const char fixed[] = "('staff','explanation','signature','photo','operator')";
	char *sql;

	for (size_t i = 0; i < d->nall; i++) {
		const struct set_def *s = &d->all[i];
		struct strbuf b = { 0 };

		strbuf_addf(&b, "SELECT %s", s->many ? "id" : "staff_id");
		for (size_t j = 0; j < s->nfield; j++)
			strbuf_addf(&b, ", \"%s\"", s->field[j].v[FC_NAME]);
		strbuf_addf(&b, " FROM %s.\"s_%s\" WHERE staff_id = ?1%s", sch, s->v[SC_NAME], s->many ? " ORDER BY seq, id" : "");
		/* a school file of other definitions lacks some: not checked */
		if (sqlite3_prepare_v2(st->db, b.s, -1, &set_q[i], NULL) != SQLITE_OK)
			set_q[i] = NULL;
		strbuf_free(&b);
	}
	/* every event of the person in trail order (the audit_staff index,
	 * no sort in SQL): an inserted row's JSON spread into its fields;
	 * isnull: 1 NULL, 2 a value of an inserted row's JSON, 0 a value */
	sql = xasprintf("SELECT a.set_name, a.row_id, CASE WHEN j.key IS NOT NULL THEN j.key WHEN a.op = 'update' "
	    "THEN a.field ELSE '#' || a.op END, CASE WHEN j.key IS NOT NULL THEN j.value ELSE a.new END, a.id, "
	    "j.key IS NOT NULL, a.op = 'insert' FROM %1$s.audit a LEFT JOIN json_each(CASE WHEN a.op = 'insert' AND "
	    "a.field IS NULL AND json_valid(a.new) THEN a.new END) j WHERE a.staff_id = ?1 AND a.set_name NOT IN %2$s "
	    "ORDER BY a.id", sch, fixed);
	if (sqlite3_prepare_v2(st->db, sql, -1, &evq, NULL) != SQLITE_OK)
		evq = NULL;
	free(sql);
	sql = xasprintf("SELECT id FROM %s.staff ORDER BY id", sch);
	if (evq != NULL && sqlite3_prepare_v2(st->db, sql, -1, &staff, NULL) == SQLITE_OK) {
		while (sqlite3_step(staff) == SQLITE_ROW) {
			struct person p = { st, sch, sqlite3_column_int64(staff, 0), NULL, tell_fn, w };
			struct ev *e = NULL;
			size_t n = 0;

			sqlite3_bind_int64(evq, 1, p.id);
			while (sqlite3_step(evq) == SQLITE_ROW) {
				sqlite3_int64 id = sqlite3_column_int64(evq, 4);
				int ins = sqlite3_column_int(evq, 6) && sqlite3_column_int(evq, 5);

				/* an inserted row's JSON: one "#insert" for the row too */
				for (int k = ins && (n == 0 || e[n - 1].id != id) ? 2 : 1; k > 0; k--) {
					struct ev *x;

					e = xreallocarray(e, n + 1, sizeof *e);
					x = &e[n++];
					x->set = xstrdup((const char *)sqlite3_column_text(evq, 0));
					x->row = sqlite3_column_int64(evq, 1);
					x->id = id;
					x->seen = 0;
					if (k == 2) {
						x->f = xstrdup("#insert");
						x->v = NULL;
						x->isnull = 1;
						continue;
					}
					x->f = xstrdup((const char *)sqlite3_column_text(evq, 2));
					x->v = xstrdup((const char *)sqlite3_column_text(evq, 3));
					x->isnull = sqlite3_column_type(evq, 3) == SQLITE_NULL ? 1 : sqlite3_column_int(evq, 5) ? 2 : 0;
				}
			}
			sqlite3_reset(evq);
			/* by (set, row, field), the last event of each kept */
			if (n > 0)
				xqsort(e, n, sizeof *e, ev_order);
			{
				size_t k = 0;

				for (size_t i = 0; i < n; i++) {
					if (k > 0 && ev_cmp(&e[k - 1], e[i].set, e[i].row, e[i].f) == 0) {
						free(e[k - 1].set);
						free(e[k - 1].f);
						free(e[k - 1].v);
					} else
						k++;
					e[k - 1] = e[i];
				}
				n = k;
			}
			/* a person without a trail of values (demo data, merged into a
			 * county file): counted once, his rows not read */
			if (n == 0)
				(*unknown)++;
			for (size_t i = 0; i < d->nall && n > 0; i++)
				if (set_q[i] != NULL)
					check_set(&p, &d->all[i], set_q[i], e, n, unknown);
			/* rows the trail says exist, missing from the file */
			for (size_t i = 0; i < n; i++)
				if (!e[i].seen && str_eq(e[i].f, "#insert")) {
					sqlite3_int64 ins, del;
					int json;

					row_ids(e, n, e[i].set, e[i].row, &ins, &del, &json);
					if (ins > del) {
						const struct set_def *s = defs_set(d->all, d->nall, e[i].set);

						say(&p, "%s 的一条记录被删除，修改记录中没有删除", s ? s->v[SC_LABEL] : e[i].set);
					}
				}
			for (size_t i = 0; i < n; i++) {
				free(e[i].set);
				free(e[i].f);
				free(e[i].v);
			}
			free(e);
			free(p.label);
		}
	}
	free(sql);
	sqlite3_finalize(staff);
	sqlite3_finalize(evq);
	for (size_t i = 0; i < d->nall; i++)
		sqlite3_finalize(set_q[i]);
	free(set_q);
}

/* ------------------------------------------------------------ entry points */

enum jzg_status
trust_verify(struct store *st, const char *schema, trust_cb cb, void *arg, struct trust_result *res, char **cause)
{
	struct trust_walk_out out;

	res->findings = res->notes = 0;
	return trust_walk(st, schema, 0, NULL, TRUST_WALK_FULL, cb, arg, res, &out, cause);
}

struct first { char *text; };

static void
first_cb(int finding, const char *text, void *arg)
{
	struct first *f = arg;

	if (finding && f->text == NULL)
		f->text = xstrdup(text);
}

enum jzg_status
trust_merge_check(struct store *st, const char *sch, const char *path, char **cause)
{
	struct trust_result res = { 0, 0 };
	struct trust_walk_out out = { 0, { 0 }, 0 };
	struct first f = { NULL };
	sqlite3_int64 from = 0;
	unsigned char anchor[TRUST_DIG];
	sqlite3_stmt *q;
	enum jzg_status rc = JZG_OK;
	char *sql, *code = NULL;
	int guards = 0, same = 1, anchored = 0;

	/* the school of the file: its one school */
	sql = xasprintf("SELECT code FROM %s.school WHERE (SELECT count(*) FROM %s.school) = 1", sch, sch);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			code = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	free(sql);
	/* the guards: dropped to rewrite the trail (and perhaps put back) */
	sql = xasprintf("SELECT count(*) FROM %s.sqlite_schema WHERE type = 'trigger' AND name IN ('audit_no_update', "
	    "'audit_no_delete', 'chain_no_update', 'chain_no_delete')", sch);
	store_int(st->db, sql, &guards);
	free(sql);
	if (guards < 4) {
		res.findings++;
		f.text = xasprintf("审计记录的保护触发器有 %d 个被删除", 4 - guards);
	}
	/* what jzg found on opening the school's file, kept in its trail */
	sql = xasprintf("SELECT at, new FROM %s.audit WHERE staff_id IS NULL AND set_name = 'trust' ORDER BY id", sch);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW)
			if (res.findings++ == 0 && f.text == NULL)
				f.text = xasprintf("%s 打开此文件时发现：%s", sqlite3_column_text(q, 0), sqlite3_column_text(q, 1));
		sqlite3_finalize(q);
	}
	free(sql);
	/* The anchor of the school's last merge: the link there must be the
	 * same, and only the links since are walked (a merge costs in
	 * proportion to the school's people, not to its whole trail: the
	 * first merge of a school starts at its last link; jzg verify on the
	 * school's file checks all). */
	if (code != NULL) {
		sql = xasprintf("SELECT a.seq, a.hash, (SELECT c.hash FROM %s.chain c WHERE c.seq = a.seq) IS a.hash, a.at "
		    "FROM main.trust_anchor a WHERE a.school = ?1", sch);
		if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 1) == TRUST_DIG) {
				from = sqlite3_column_int64(q, 0);
				memcpy(anchor, sqlite3_column_blob(q, 1), TRUST_DIG);
				anchored = 1;
				if (!(same = sqlite3_column_int(q, 2))) {
					res.findings++;
					free(f.text);
					f.text = xasprintf("学校 %s 的修改记录与上次合并（%s，第 %lld 条）时不同：此前的历史被改写或文件被重建",
					    code, sqlite3_column_text(q, 3), (long long)from);
				}
			}
			sqlite3_finalize(q);
		}
		free(sql);
	}
	if (from == 0) {
		int last = 0;

		sql = xasprintf("SELECT max(seq) FROM %s.chain", sch);
		store_int(st->db, sql, &last);
		free(sql);
		from = last;
	}
	if (same && (rc = trust_walk(st, sch, from, anchored ? anchor : NULL, TRUST_WALK_MERGE, first_cb, &f, &res, &out,
	    cause)) != JZG_OK) {
		free(f.text);
		free(code);
		return rc;
	}
	if (res.findings > 0) {
		rc = jzg_fail(cause, JZG_ERR_INVALID, "%s 在 jzg 之外被改动，未合并：%s（共 %d 处；在该文件上运行 jzg verify 查看全部）",
		    path, f.text ? f.text : "", res.findings);
	} else if (code != NULL && out.head_seq > 0) {
		sql = xasprintf("INSERT OR REPLACE INTO main.trust_anchor(school, seq, hash, keys) SELECT ?1, ?2, ?3, "
		    "(SELECT group_concat(name || ':' || hex(pubkey), ' ') FROM %s.operator WHERE pubkey IS NOT NULL)", sch);
		if ((rc = store_prepare(st, sql, &q, cause)) == JZG_OK) {
			sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 2, out.head_seq);
			sqlite3_bind_blob(q, 3, out.head_hash, TRUST_DIG, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_DONE)
				rc = jzg_fail(cause, JZG_ERR_DB, "无法保存合并记录：%s", store_errstr(sqlite3_errcode(st->db)));
			sqlite3_finalize(q);
		}
		free(sql);
	}
	free(f.text);
	free(code);
	return rc;
}
