/* trust_verify.c — the walk of the chain and the full check (trust.h):
 * links, rows against their links, signatures, operators, people marked
 * approved, values against the trail; and the anchors of merge.  Every
 * finding says in Chinese what was changed, as far as the file still
 * tells it. */
#include "trust.h"
#include "trust_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idcard.h"
#include "util.h"

/* Findings told one by one before only their number is. */
#define TELL_MAX 200

/* An operator as of one link: role and key then. */
struct opver {
	sqlite3_int64 seq;
	unsigned char role;     /* k, r, a */
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	int           has_pk;
};

struct opst {
	sqlite3_int64  id;
	unsigned char  role;    /* now (after the links walked) */
	unsigned char  pk[crypto_sign_PUBLICKEYBYTES];
	int            has_pk;
	unsigned char  dig[TRUST_DIG];
	struct opver  *hist;    /* every version, by seq */
	size_t         nhist;
};

struct walk {
	struct store        *st;
	const char          *sch;
	trust_cb             cb;
	void                *arg;
	struct trust_result *res;
	struct opst         *op;
	size_t               nop;
	unsigned char       *bits[TRUST_OPERATOR + 1];   /* rows with a link */
	sqlite3_int64        max[TRUST_OPERATOR + 1];
	sqlite3_int64       *appr;                        /* review ids of good approvals */
	size_t               nappr;
	sqlite3_stmt        *row[TRUST_OPERATOR + 1];
	int                  legacy;                      /* links made at migration */
	int                  gone;                        /* review, signature rows gone with their person */
};

static void tell(struct walk *w, int finding, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
tell(struct walk *w, int finding, const char *fmt, ...)
{
	int *n = finding ? &w->res->findings : &w->res->notes;
	va_list ap;
	char *text;

	if (++*n > TELL_MAX)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	w->cb(finding, text, w->arg);
	free(text);
}

static struct opst *
op_find(struct walk *w, sqlite3_int64 id, int add)
{
	for (size_t i = 0; i < w->nop; i++)
		if (w->op[i].id == id)
			return &w->op[i];
	if (!add)
		return NULL;
	w->op = xreallocarray(w->op, w->nop + 1, sizeof *w->op);
	memset(&w->op[w->nop], 0, sizeof *w->op);
	w->op[w->nop].id = id;
	return &w->op[w->nop++];
}

static const char *
role_label(unsigned char r)
{
	return r == 'a' ? "管理员" : r == 'r' ? "审核员" : r == 'k' ? "录入员" : "未知角色";
}

/* The name of operator id in the file, or "#id"; static storage. */
static const char *
op_name(struct walk *w, sqlite3_int64 id)
{
	static char buf[128];
	char *sql = xasprintf("SELECT name FROM %s.operator WHERE id = ?", w->sch);
	sqlite3_stmt *q;

	snprintf(buf, sizeof buf, "#%lld", (long long)id);
	if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, id);
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	free(sql);
	return buf;
}

static int
sig_ok(const void *sig, int nsig, const unsigned char *dig, const unsigned char *pk)
{
	return nsig == crypto_sign_BYTES && crypto_sign_verify_detached(sig, dig, TRUST_DIG, pk) == 0;
}

/* An operator link: who may sign it, and the operator's state after it. */
static void
operator_link(struct walk *w, sqlite3_int64 seq, sqlite3_int64 id, const unsigned char *dig, const unsigned char *aux,
    int naux, int has_signer, sqlite3_int64 signer, const void *sig, int nsig, int check)
{
	struct opst *o = op_find(w, id, 0), *s;
	unsigned char role = naux > 0 ? aux[0] : '?';
	int first = w->nop == 0;

	if (check && has_signer && signer == 0)
		w->legacy++;
	else if (check && sig == NULL)
		tell(w, 1, "操作员 %s 的记录改动（防篡改第 %lld 条）没有签名：不是 jzg 写入的", op_name(w, id), (long long)seq);
	else if (check && signer == id) {
		/* his own: the first 管理员, or a change of his own keeping his role */
		const unsigned char *pk = o && o->has_pk ? o->pk : naux == 1 + crypto_sign_PUBLICKEYBYTES ? aux + 1 : NULL;

		if (o == NULL ? !(first && role == 'a') : o->role != role)
			tell(w, 1, "操作员 %s 给自己改了角色（%s → %s，防篡改第 %lld 条）：只有管理员可以这样做", op_name(w, id),
			    role_label(o ? o->role : '?'), role_label(role), (long long)seq);
		else if (pk == NULL || !sig_ok(sig, nsig, dig, pk))
			tell(w, 1, "操作员 %s 的记录改动（防篡改第 %lld 条）签名无效", op_name(w, id), (long long)seq);
	} else if (check) {
		s = op_find(w, signer, 0);
		if (s == NULL || s->role != 'a' || !s->has_pk || !sig_ok(sig, nsig, dig, s->pk))
			tell(w, 1, "操作员 %s 的记录改动（防篡改第 %lld 条，%s）没有管理员的有效签名", op_name(w, id), (long long)seq,
			    role_label(role));
	}
	o = op_find(w, id, 1);
	o->role = role;
	if (naux == 1 + crypto_sign_PUBLICKEYBYTES) {
		memcpy(o->pk, aux + 1, crypto_sign_PUBLICKEYBYTES);
		o->has_pk = 1;
	}
	memcpy(o->dig, dig, TRUST_DIG);
	o->hist = xreallocarray(o->hist, o->nhist + 1, sizeof *o->hist);
	o->hist[o->nhist].seq = seq;
	o->hist[o->nhist].role = o->role;
	memcpy(o->hist[o->nhist].pk, o->pk, sizeof o->pk);
	o->hist[o->nhist++].has_pk = o->has_pk;
}

/* Operator id as of link seq (his last version before it), or NULL. */
static const struct opver *
op_at(struct walk *w, sqlite3_int64 id, sqlite3_int64 seq)
{
	const struct opst *o = op_find(w, id, 0);
	const struct opver *v = NULL;

	for (size_t i = 0; o != NULL && i < o->nhist && o->hist[i].seq < seq; i++)
		v = &o->hist[i];
	return v;
}

/* A review link: its signature, and whether it is a good approval. */
static void
review_link(struct walk *w, sqlite3_int64 seq, sqlite3_int64 id, const unsigned char *dig, int has_signer,
    sqlite3_int64 signer, const void *sig, int nsig, const char *to_state)
{
	const struct opver *s = has_signer ? op_at(w, signer, seq) : NULL;
	int good = 0;

	if (has_signer && signer == 0) {
		w->legacy++;
		good = 1;   /* approved before schema 7: unsigned by then */
	} else if (sig != NULL) {
		if (s == NULL || !s->has_pk || !sig_ok(sig, nsig, dig, s->pk))
			tell(w, 1, "审核记录第 %lld 条（防篡改第 %lld 条）的签名无效：记录在 jzg 之外被改动", (long long)id,
			    (long long)seq);
		else
			good = s->role == 'a' || s->role == 'r';
	}
	if (good && str_eq(to_state, "approved")) {
		w->appr = xreallocarray(w->appr, w->nappr + 1, sizeof *w->appr);
		w->appr[w->nappr++] = id;
	}
}

/* What an audit row changed outside jzg was: its operator is tried
 * against every name of the file (the forgery of the findings). */
static void
audit_changed(struct walk *w, sqlite3_int64 id, const unsigned char *dig)
{
	char *cols = trust_cols(TRUST_AUDIT, ""), *sql, *p, *desc = NULL, *was = NULL;
	sqlite3_stmt *q;

	/* the digest with ?2 in place of the operator */
	p = strstr(cols, "actor");
	sql = xasprintf("SELECT trust_dig(1, %.*s?2%s) = ?3, actor, at, set_name, field FROM %s.audit WHERE id = ?1",
	    (int)(p - cols), cols, p + 5, w->sch);
	free(cols);
	if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		char *names = xasprintf("SELECT name FROM %s.operator", w->sch);
		sqlite3_stmt *n;

		if (sqlite3_prepare_v2(w->st->db, names, -1, &n, NULL) == SQLITE_OK) {
			while (was == NULL && sqlite3_step(n) == SQLITE_ROW) {
				sqlite3_bind_int64(q, 1, id);
				sqlite3_bind_text(q, 2, (const char *)sqlite3_column_text(n, 0), -1, SQLITE_TRANSIENT);
				sqlite3_bind_blob(q, 3, dig, TRUST_DIG, SQLITE_STATIC);
				if (sqlite3_step(q) == SQLITE_ROW) {
					const char *actor = (const char *)sqlite3_column_text(q, 1);

					if (desc == NULL)
						desc = xasprintf("%s，%s，%s %s", sqlite3_column_text(q, 2), actor ? actor : "（未登录）",
						    sqlite3_column_text(q, 3) ? (const char *)sqlite3_column_text(q, 3) : "",
						    sqlite3_column_text(q, 4) ? (const char *)sqlite3_column_text(q, 4) : "");
					if (sqlite3_column_int(q, 0))
						was = xasprintf("操作员原为 %s，现为 %s", sqlite3_column_text(n, 0), actor ? actor : "（空）");
				}
				sqlite3_reset(q);
			}
			sqlite3_finalize(n);
		}
		free(names);
		sqlite3_finalize(q);
	}
	free(sql);
	tell(w, 1, "修改记录第 %lld 条（%s）在 jzg 之外被改动：%s", (long long)id, desc ? desc : "",
	    was ? was : "内容与防篡改记录不符（原内容无法还原）");
	free(desc);
	free(was);
}

static void
mark(struct walk *w, int t, sqlite3_int64 id)
{
	if (id >= 0 && id <= w->max[t])
		w->bits[t][id >> 3] |= (unsigned char)(1u << (id & 7));
}

static int
marked(const struct walk *w, int t, sqlite3_int64 id)
{
	return id >= 0 && id <= w->max[t] && (w->bits[t][id >> 3] >> (id & 7)) & 1;
}

/* One link of table t: the row against its digest. */
static void
row_link(struct walk *w, int t, sqlite3_int64 seq, sqlite3_int64 id, const unsigned char *dig, int has_signer,
    sqlite3_int64 signer, const void *sig, int nsig)
{
	sqlite3_stmt *q = w->row[t];
	int found;

	sqlite3_bind_int64(q, 1, id);
	found = sqlite3_step(q) == SQLITE_ROW;
	if (!found) {
		if (t == TRUST_AUDIT)
			tell(w, 1, "修改记录第 %lld 条被删除（防篡改第 %lld 条）", (long long)id, (long long)seq);
		else
			w->gone++;
	} else if (sqlite3_column_bytes(q, 0) != TRUST_DIG || memcmp(sqlite3_column_blob(q, 0), dig, TRUST_DIG) != 0) {
		if (t == TRUST_AUDIT) {
			sqlite3_reset(q);
			audit_changed(w, id, dig);
			return;
		}
		tell(w, 1, "%s第 %lld 条在 jzg 之外被改动（防篡改第 %lld 条）", t == TRUST_REVIEW ? "审核记录" : "签字登记",
		    (long long)id, (long long)seq);
	} else if (t == TRUST_REVIEW)
		review_link(w, seq, id, dig, has_signer, signer, sig, nsig, (const char *)sqlite3_column_text(q, 1));
	sqlite3_reset(q);
}

/* Operators' history before the walk starts (on open): their states, unchecked. */
static void
operators_before(struct walk *w, sqlite3_int64 from)
{
	/* the partial index: seq < ?1 alone would have SQLite scan the whole chain */
	char *sql = xasprintf("SELECT seq, row_id, dig, aux FROM %s.chain INDEXED BY chain_operator WHERE tbl = 4 "
	    "AND seq < ?1 ORDER BY seq", w->sch);
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, from);
		while (sqlite3_step(q) == SQLITE_ROW)
			operator_link(w, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), sqlite3_column_blob(q, 2),
			    sqlite3_column_blob(q, 3), sqlite3_column_bytes(q, 3), 0, 0, NULL, 0, 0);
		sqlite3_finalize(q);
	}
	free(sql);
}

/* Each operator row against his last link: a 录入员 made 管理员 by hand. */
static void
operators_now(struct walk *w)
{
	char *cols = trust_cols(TRUST_OPERATOR, "");
	char *sql = xasprintf("SELECT id, name, role, trust_dig(4, %s) FROM %s.operator ORDER BY id", cols, w->sch);
	sqlite3_stmt *q;

	free(cols);
	if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			const struct opst *o = op_find(w, sqlite3_column_int64(q, 0), 0);
			const char *name = (const char *)sqlite3_column_text(q, 1), *role = (const char *)sqlite3_column_text(q, 2);

			if (o == NULL)
				tell(w, 1, "操作员 %s（%s）不是由 jzg 添加的（没有防篡改记录）", name, role_label(role ? role[0] : '?'));
			else if (memcmp(sqlite3_column_blob(q, 3), o->dig, TRUST_DIG) != 0) {
				if (role != NULL && role[0] != o->role)
					tell(w, 1, "操作员 %s 的角色在 jzg 之外被改动：%s → %s", name, role_label(o->role), role_label(role[0]));
				else
					tell(w, 1, "操作员 %s 的记录在 jzg 之外被改动（所属学校、密码或停用状态）", name);
			}
		}
		sqlite3_finalize(q);
	}
	free(sql);
}

/* Rows with no link: written by something other than jzg.  On open only
 * the trail's newest rows (those past its last link) are looked at. */
static void
unlinked(struct walk *w, int full)
{
	for (int t = TRUST_AUDIT; t <= TRUST_SIGNATURE; t++) {
		char *sql;
		sqlite3_stmt *q;
		long n = 0;
		sqlite3_int64 first = 0;

		if (!full && t != TRUST_AUDIT)
			break;
		sql = full ? xasprintf("SELECT id FROM %s.\"%s\" ORDER BY id", w->sch, trust_table_name(t)) :
		    xasprintf("SELECT id FROM %1$s.audit WHERE id > ifnull((SELECT row_id FROM %1$s.chain WHERE tbl = 1 "
		    "ORDER BY seq DESC LIMIT 1), 0) ORDER BY id", w->sch);
		if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) == SQLITE_OK) {
			while (sqlite3_step(q) == SQLITE_ROW) {
				sqlite3_int64 id = sqlite3_column_int64(q, 0);

				if (full && marked(w, t, id))
					continue;
				if (n++ == 0)
					first = id;
			}
			sqlite3_finalize(q);
		}
		free(sql);
		if (n > 0)
			tell(w, 1, "%s有 %ld 条不是 jzg 写入的（没有防篡改记录，第一条是第 %lld 条）",
			    t == TRUST_AUDIT ? "修改记录" : t == TRUST_REVIEW ? "审核记录" : "签字登记", n, (long long)first);
	}
}

static int
id_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;

	return (x > y) - (x < y);
}

char *
trust_person(struct store *st, const char *sch, sqlite3_int64 id)
{
	const struct defs *d = st->defs;
	char *sql = xasprintf("SELECT \"%s\", \"%s\" FROM %s.\"s_%s\" WHERE staff_id = ?", d->setting[SK_PERSON_NAME],
	    d->setting[SK_PERSON_ID], sch, d->setting[SK_PERSON_SET]);
	char *out = NULL;
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, id);
		if (sqlite3_step(q) == SQLITE_ROW) {
			char *m = idcard_mask((const char *)sqlite3_column_text(q, 1));

			out = xasprintf("%s %s", sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "", m ? m : "");
			free(m);
		}
		sqlite3_finalize(q);
	}
	free(sql);
	return out ? out : xasprintf("（人员 #%lld）", (long long)id);
}

/* People marked 已审核 or 已签字确认: their last review must say so, and
 * their approval must be signed by a 审核员 or 管理员.  merge: the walk
 * began at the school's last link, so each approval that counts (one per
 * such person, not every review row) is checked here, row and signature. */
static void
states(struct walk *w, int operators, int merge)
{
	char *cols = trust_cols(TRUST_REVIEW, "a.");
	char *join = merge ? xasprintf("%s.chain c INDEXED BY chain_review ON c.tbl = 2 AND c.row_id = a.id", w->sch) :
	    xstrdup("(SELECT NULL AS seq, NULL AS dig, NULL AS signer, NULL AS sig) c ON 1");
	char *sql = xasprintf("SELECT s.id, s.state, (SELECT r.to_state FROM %1$s.review r WHERE r.staff_id = s.id ORDER BY r.id "
	    "DESC LIMIT 1), a.id, c.seq, c.dig, c.signer, c.sig, trust_dig(2, %2$s) = c.dig FROM %1$s.staff s "
	    "LEFT JOIN %1$s.review a ON a.id = (SELECT max(r.id) FROM %1$s.review r WHERE r.staff_id = s.id AND "
	    "r.to_state = 'approved') LEFT JOIN %3$s WHERE s.state IN ('approved', 'signed') ORDER BY s.id", w->sch, cols,
	    join);
	sqlite3_stmt *q;

	free(cols);
	free(join);
	if (w->nappr > 0)   /* qsort and bsearch take no NULL, even for none */
		xqsort(w->appr, w->nappr, sizeof *w->appr, id_cmp);
	if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		tell(w, 1, "防篡改记录的索引被删除：文件在 jzg 之外被改动过");
	else {
		while (sqlite3_step(q) == SQLITE_ROW) {
			sqlite3_int64 id = sqlite3_column_int64(q, 0), appr = sqlite3_column_int64(q, 3);
			const char *state = (const char *)sqlite3_column_text(q, 1), *last = (const char *)sqlite3_column_text(q, 2);
			const char *why = NULL;
			size_t before = w->nappr;

			if (merge && appr != 0 && sqlite3_column_type(q, 4) == SQLITE_NULL)
				tell(w, 1, "审核记录有 1 条不是 jzg 写入的（第 %lld 条）", (long long)appr);
			else if (merge && appr != 0 && (sqlite3_column_bytes(q, 5) != TRUST_DIG || !sqlite3_column_int(q, 8)))
				tell(w, 1, "审核记录第 %lld 条在 jzg 之外被改动", (long long)appr);
			else if (merge && appr != 0)
				review_link(w, sqlite3_column_int64(q, 4), appr, sqlite3_column_blob(q, 5),
				    sqlite3_column_type(q, 6) != SQLITE_NULL, sqlite3_column_int64(q, 6), sqlite3_column_blob(q, 7),
				    sqlite3_column_bytes(q, 7), "approved");
			if (!str_eq(state, last) || appr == 0)
				why = "但审核记录中没有这一步";
			else if (operators && (merge ? w->nappr == before :
			    (w->nappr == 0 || bsearch(&appr, w->appr, w->nappr, sizeof appr, id_cmp) == NULL)))
				why = "但审核通过没有审核员或管理员的有效签名";
			if (why != NULL) {
				char *p = trust_person(w->st, w->sch, id);

				tell(w, 1, "人员 %s 的状态为“%s”，%s：状态在 jzg 之外被改动", p,
				    str_eq(state, "approved") ? "已审核" : "已签字确认", why);
				free(p);
			}
		}
		sqlite3_finalize(q);
	}
	free(sql);
}

static void
tell_text(void *w, int finding, const char *text)
{
	tell(w, finding, "%s", text);
}

enum jzg_status
trust_walk(struct store *st, const char *schema, sqlite3_int64 from_seq, const unsigned char *from_hash, int mode,
    trust_cb cb, void *arg, struct trust_result *res, struct trust_walk_out *out, char **cause)
{
	struct walk w = { .st = st, .sch = schema, .cb = cb, .arg = arg, .res = res };
	unsigned char prev[TRUST_DIG] = { 0 };
	enum jzg_status rc = JZG_OK;
	sqlite3_stmt *q = NULL;
	int operators = 0, r = 0;
	char *sql;

	memset(out, 0, sizeof *out);
	sql = xasprintf("SELECT count(*) FROM %s.meta WHERE key = 'trust_unchained'", schema);
	store_int(st->db, sql, &r);
	free(sql);
	if (r > 0) {
		tell(&w, 0, "此文件是从多所学校的文件中导出的一所学校，不带防篡改记录，无法核对");
		return JZG_OK;
	}
	for (int t = TRUST_AUDIT; t <= TRUST_OPERATOR; t++) {
		char *cols = trust_cols((enum trust_table)t, "");
		int mx = 0;

		sql = xasprintf("SELECT max(id) FROM %s.\"%s\"", schema, trust_table_name(t));
		store_int(st->db, sql, &mx);
		free(sql);
		w.max[t] = mx;
		w.bits[t] = xcalloc((size_t)mx / 8 + 1, 1);
		if (t != TRUST_OPERATOR) {
			sql = xasprintf("SELECT trust_dig(%d, %s)%s FROM %s.\"%s\" WHERE id = ?", t, cols,
			    t == TRUST_REVIEW ? ", to_state" : "", schema, trust_table_name(t));
			if (sqlite3_prepare_v2(st->db, sql, -1, &w.row[t], NULL) != SQLITE_OK)
				rc = jzg_fail(cause, JZG_ERR_DB, "无法读取%s：%s", trust_table_name(t), sqlite3_errmsg(st->db));
			free(sql);
		}
		free(cols);
	}
	sql = xasprintf("SELECT count(*) FROM %s.operator", schema);
	store_int(st->db, sql, &operators);
	free(sql);
	if (rc == JZG_OK && from_seq > 0)
		operators_before(&w, from_seq);
	sql = xasprintf("SELECT seq, tbl, row_id, dig, hash, aux, signer, sig FROM %s.chain WHERE seq >= ?1 ORDER BY seq",
	    schema);
	if (rc == JZG_OK && sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		rc = jzg_fail(cause, JZG_ERR_DB, "无法读取防篡改记录：%s", sqlite3_errmsg(st->db));
	free(sql);
	if (rc == JZG_OK)
		sqlite3_bind_int64(q, 1, from_seq);
	while (rc == JZG_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_int64 seq = sqlite3_column_int64(q, 0), id = sqlite3_column_int64(q, 2);
		int t = sqlite3_column_int(q, 1), has_signer = sqlite3_column_type(q, 6) != SQLITE_NULL;
		const unsigned char *dig = sqlite3_column_blob(q, 3), *hash = sqlite3_column_blob(q, 4);
		unsigned char want[TRUST_DIG];
		crypto_generichash_state h;

		if (sqlite3_column_bytes(q, 3) != TRUST_DIG || sqlite3_column_bytes(q, 4) != TRUST_DIG ||
		    t < TRUST_AUDIT || t > TRUST_OPERATOR) {
			tell(&w, 1, "防篡改记录第 %lld 条已损坏或被改动", (long long)seq);
			continue;
		}
		if (from_seq > 0 && seq == from_seq) {
			/* the head verified before: still the same link */
			if (from_hash != NULL && memcmp(hash, from_hash, TRUST_DIG) != 0)
				tell(&w, 1, "防篡改记录第 %lld 条（上次核对到此）已被改写：此前的记录被改动过", (long long)seq);
			memcpy(prev, hash, TRUST_DIG);
			out->head_seq = seq;
			memcpy(out->head_hash, hash, TRUST_DIG);
			mark(&w, t, id);
			continue;
		}
		crypto_generichash_init(&h, NULL, 0, sizeof want);
		crypto_generichash_update(&h, prev, sizeof prev);
		crypto_generichash_update(&h, dig, TRUST_DIG);
		crypto_generichash_final(&h, want, sizeof want);
		if (memcmp(want, hash, TRUST_DIG) != 0)
			tell(&w, 1, "防篡改记录在第 %lld 条处断开：记录被插入、删除或改写", (long long)seq);
		memcpy(prev, hash, TRUST_DIG);
		out->head_seq = seq;
		memcpy(out->head_hash, hash, TRUST_DIG);
		out->links++;
		mark(&w, t, id);
		if (t == TRUST_OPERATOR)
			operator_link(&w, seq, id, dig, sqlite3_column_blob(q, 5), sqlite3_column_bytes(q, 5), has_signer,
			    sqlite3_column_int64(q, 6), sqlite3_column_blob(q, 7), sqlite3_column_bytes(q, 7), 1);
		else if (t != TRUST_REVIEW || mode != TRUST_WALK_MERGE)   /* merge: the approvals, in states() */
			row_link(&w, t, seq, id, dig, has_signer, sqlite3_column_int64(q, 6), sqlite3_column_blob(q, 7),
			    sqlite3_column_bytes(q, 7));
	}
	sqlite3_finalize(q);
	if (rc == JZG_OK) {
		operators_now(&w);
		unlinked(&w, mode == TRUST_WALK_FULL);
		if (mode != TRUST_WALK_OPEN)
			states(&w, operators > 0, mode == TRUST_WALK_MERGE);
		if (mode == TRUST_WALK_FULL) {
			long unknown = 0;

			trust_values(st, schema, tell_text, &w, &unknown);
			if (unknown > 0)
				tell(&w, 0, "有 %ld 处数据（整个人员或一条记录）没有可核对的修改记录（演示数据、合并而来或启用防篡改之前录入），"
				    "只核对了此后的修改",
				    unknown);
			if (w.legacy > 0)
				tell(&w, 0, "%d 条记录是启用防篡改之前写入的：其散列在升级时补建，审核没有签名", w.legacy);
		}
	}
	for (int t = TRUST_AUDIT; t <= TRUST_OPERATOR; t++) {
		free(w.bits[t]);
		sqlite3_finalize(w.row[t]);
	}
	for (size_t i = 0; i < w.nop; i++)
		free(w.op[i].hist);
	free(w.op);
	free(w.appr);
	return rc;
}
