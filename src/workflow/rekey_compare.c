/* rekey_compare.c — see rekey_compare.h. */
#include "rekey_compare.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "entry.h"
#include "merge.h"
#include "recmatch.h"
#include "rekey.h"
#include "util.h"

#define OTHER "rekey_other"   /* schema name of the attached file */

struct cmp {
	struct store  *st;
	rekey_diff_cb  cb;
	void          *arg;
	sqlite3_stmt  *who;      /* a pair's 身份证件号 and 姓名 on either side */
	sqlite3_stmt  *kept;     /* a discrepancy resolved for this file's value before */
	sqlite3_int64  who_pair;
	char          *idno, *name;
	sqlite3_int64  mine, theirs;
};

/* The people of both sides, paired by school code and 身份证件号: temp
 * table rekey_pair(pair = this file's staff id, or minus the other's for
 * a person only it has; mine, theirs). */
static enum jzg_status
pair_people(struct store *st, sqlite3_int64 school_id, char **cause)
{
	const struct defs *d = st->defs;
	const char *ps = d->setting[SK_PERSON_SET], *pid = d->setting[SK_PERSON_ID];
	char *sql = xasprintf(
	    "DROP TABLE IF EXISTS temp.rekey_pair;"
	    "CREATE TEMP TABLE rekey_pair(pair INTEGER PRIMARY KEY, mine INTEGER, theirs INTEGER);"
	    "CREATE TEMP TABLE rekey_mine AS SELECT s.id AS id, sc.code AS code, p.\"%2$s\" AS idno FROM main.staff s "
	    " JOIN main.school sc ON sc.id = s.school_id LEFT JOIN main.\"s_%1$s\" p ON p.staff_id = s.id"
	    " WHERE %3$lld = 0 OR s.school_id = %3$lld;"
	    "CREATE TEMP TABLE rekey_theirs AS SELECT s.id AS id, sc.code AS code, p.\"%2$s\" AS idno"
	    " FROM " OTHER ".staff s JOIN " OTHER ".school sc ON sc.id = s.school_id"
	    " LEFT JOIN " OTHER ".\"s_%1$s\" p ON p.staff_id = s.id WHERE sc.code IN (SELECT code FROM rekey_mine);"
	    "CREATE INDEX temp.rekey_theirs_id ON rekey_theirs(code, idno);"
	    "INSERT OR IGNORE INTO rekey_pair SELECT m.id, m.id, (SELECT t.id FROM rekey_theirs t"
	    " WHERE t.code = m.code AND t.idno = m.idno AND m.idno <> '' ORDER BY t.id LIMIT 1) FROM rekey_mine m;"
	    "INSERT INTO rekey_pair SELECT -t.id, NULL, t.id FROM rekey_theirs t"
	    " WHERE t.id NOT IN (SELECT theirs FROM rekey_pair WHERE theirs IS NOT NULL);"
	    "DROP TABLE rekey_mine; DROP TABLE rekey_theirs;",
	    ps, pid, (long long)school_id);
	enum jzg_status rc = store_exec(st, sql, cause);

	free(sql);
	return rc;
}

/* The 身份证件号 and 姓名 of pair (this file's, else the other's). */
static void
who(struct cmp *c, sqlite3_int64 pair)
{
	if (pair == c->who_pair)
		return;
	free(c->idno);
	free(c->name);
	c->idno = c->name = NULL;
	c->mine = c->theirs = 0;
	c->who_pair = pair;
	sqlite3_bind_int64(c->who, 1, pair);
	if (sqlite3_step(c->who) == SQLITE_ROW) {
		c->mine = sqlite3_column_int64(c->who, 0);
		c->theirs = sqlite3_column_int64(c->who, 1);
		c->idno = xstrdup((const char *)sqlite3_column_text(c->who, 2));
		c->name = xstrdup((const char *)sqlite3_column_text(c->who, 3));
	}
	sqlite3_reset(c->who);
}

/* The natural key as the clerk reads it: its fields' values, "／" between. */
static char *
key_text(const char *key)
{
	struct strbuf b = { 0 };

	for (const char *p = key ? key : ""; *p; p++)
		if (*p == 31)
			strbuf_adds(&b, "／");
		else
			strbuf_addc(&b, *p);
	return b.s ? strbuf_take(&b) : xstrdup("");
}

static int
diff_cb(const struct recmatch_diff *m, void *arg)
{
	struct cmp *c = arg;
	const struct recmatch_rec *r = m->new ? m->new : m->old;
	struct rekey_diff d = { 0 };
	char *key;
	int stop;

	/* read-only fields (引自) follow from others: compared there */
	if (m->kind == RM_CHANGED && m->set->field[m->field].readonly)
		return 0;
	who(c, m->person);
	d.staff_id = c->mine;
	d.idno = c->idno;
	d.name = c->name;
	if (c->mine == 0 || c->theirs == 0) {
		/* a person on one side only: said once, for the person set */
		if (!str_eq(m->set->v[SC_NAME], c->st->defs->setting[SK_PERSON_SET]))
			return 0;
		d.kind = c->mine ? RD_MINE_ONLY : RD_THEIRS_ONLY;
		return c->cb(&d, c->arg);
	}
	key = key_text(r->key);
	d.set = m->set;
	d.key = key;
	d.mine_rec = m->old ? m->old->id : 0;
	d.theirs_rec = m->new ? m->new->id : 0;
	if (m->kind == RM_CHANGED) {
		d.kind = RD_FIELD;
		d.field = &m->set->field[m->field];
		d.mine = m->old->v[m->field];
		d.theirs = m->new->v[m->field];
		if (c->kept != NULL) {
			sqlite3_bind_int64(c->kept, 1, c->mine);
			sqlite3_bind_text(c->kept, 2, m->set->v[SC_NAME], -1, SQLITE_STATIC);
			sqlite3_bind_int64(c->kept, 3, d.mine_rec);
			sqlite3_bind_text(c->kept, 4, d.field->v[FC_NAME], -1, SQLITE_STATIC);
			sqlite3_bind_text(c->kept, 6, d.mine, -1, SQLITE_STATIC);
			sqlite3_bind_text(c->kept, 7, d.theirs, -1, SQLITE_STATIC);
			d.kept = sqlite3_step(c->kept) == SQLITE_ROW;
			sqlite3_reset(c->kept);
		}
	} else
		d.kind = m->kind == RM_REMOVED ? RD_MINE_ONLY : RD_THEIRS_ONLY;
	stop = c->cb(&d, c->arg);
	free(key);
	return stop;
}

/* The statement of one side of set s: pair, record id, key, the fields
 * (NULL for a column the file lacks). */
static enum jzg_status
side_stmt(struct store *st, const struct set_def *s, const char *schema, const struct store_colset *cols,
    sqlite3_stmt **out, char **cause)
{
	struct strbuf b = { 0 };
	char *key = recmatch_key_sql(s, "cur");
	enum jzg_status rc;

	strbuf_addf(&b, "SELECT p.pair, cur.%s, %s", s->many ? "id" : "staff_id", key);
	for (size_t j = 0; j < s->nfield; j++) {
		char *t = xasprintf("s_%s", s->v[SC_NAME]);

		if (store_colset_has(cols, t, s->field[j].v[FC_NAME]))
			strbuf_addf(&b, ", cur.\"%s\"", s->field[j].v[FC_NAME]);
		else
			strbuf_adds(&b, ", NULL");
		free(t);
	}
	strbuf_addf(&b, " FROM temp.rekey_pair p JOIN %s.\"s_%s\" cur ON cur.staff_id = p.%s ORDER BY p.pair%s",
	    schema, s->v[SC_NAME], strcmp(schema, "main") == 0 ? "mine" : "theirs", s->many ? ", cur.seq, cur.id" : "");
	rc = store_prepare(st, b.s, out, cause);
	strbuf_free(&b);
	free(key);
	return rc;
}

enum jzg_status
rekey_compare(struct store *st, const char *path, sqlite3_int64 school_id, rekey_diff_cb cb, void *arg,
    char **cause)
{
	const struct defs *d = st->defs;
	struct cmp c = { st, cb, arg, NULL, NULL, 0, NULL, NULL, 0, 0 };
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct store_colset mine = { 0 }, theirs = { 0 };
	enum jzg_status rc = merge_attach(st, path, OTHER, "未做比对", cause);
	char *sql;

	if (rc != JZG_OK)
		return rc;
	/* a person only the other file has: the other's 身份证件号 and 姓名 */
	sql = xasprintf("SELECT p.mine, p.theirs, coalesce(a.\"%2$s\", b.\"%2$s\"), coalesce(a.\"%3$s\", b.\"%3$s\") "
	    "FROM temp.rekey_pair p LEFT JOIN main.\"s_%1$s\" a ON a.staff_id = p.mine "
	    "LEFT JOIN " OTHER ".\"s_%1$s\" b ON b.staff_id = p.theirs WHERE p.pair = ?",
	    d->setting[SK_PERSON_SET], d->setting[SK_PERSON_ID], d->setting[SK_PERSON_NAME]);
	if ((rc = pair_people(st, school_id, cause)) == JZG_OK &&
	    store_colset_load(st->db, "main", &mine) == SQLITE_OK && store_colset_load(st->db, OTHER, &theirs) == SQLITE_OK)
		rc = store_prepare(st, sql, &c.who, cause);
	else if (rc == JZG_OK)
		rc = jzg_fail(cause, JZG_ERR_DB, "无法读取 %s 的结构", path);
	free(sql);
	if (rc == JZG_OK && (rc = store_prepare(st, "SELECT 1 FROM rekey_field WHERE staff_id = ?1 AND set_name = ?2 "
	    "AND row_id = ?3 AND field = ?4 AND source = 'compare:' || ?5 AND decision = 'first' AND first IS ?6 "
	    "AND second IS ?7", &c.kept, cause)) == JZG_OK)
		sqlite3_bind_text(c.kept, 5, base, -1, SQLITE_STATIC);
	for (size_t i = 0; i < d->nall && rc == JZG_OK; i++) {
		sqlite3_stmt *a = NULL, *b = NULL;

		if ((rc = side_stmt(st, &d->all[i], "main", &mine, &a, cause)) == JZG_OK &&
		    (rc = side_stmt(st, &d->all[i], OTHER, &theirs, &b, cause)) == JZG_OK)
			rc = recmatch_stream(&d->all[i], a, b, diff_cb, &c, cause);
		sqlite3_finalize(a);
		sqlite3_finalize(b);
	}
	sqlite3_finalize(c.who);
	sqlite3_finalize(c.kept);
	free(c.idno);
	free(c.name);
	store_colset_free(&mine);
	store_colset_free(&theirs);
	sqlite3_exec(st->db, "DROP TABLE IF EXISTS temp.rekey_pair; DETACH " OTHER, NULL, NULL, NULL);
	return rc;
}

enum jzg_status
rekey_take(struct store *st, const char *path, const struct rekey_diff *d, int theirs, char **cause)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct entry *e;
	const struct set_def *s = NULL;
	const struct field_def *f = NULL;
	char *source, *keyer;
	enum jzg_status rc = JZG_OK;

	if (d->kind != RD_FIELD)
		return jzg_fail(cause, JZG_ERR_INVALID, "只在一方的记录或人员不在这里取舍（人员用 merge 合并）");
	if ((e = entry_new(st, d->staff_id)) == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到此人或其模板");
	/* the template's own set and field (d's are of the union) */
	for (size_t k = 0; k < e->tpl->nset && s == NULL; k++)
		if (str_eq(e->tpl->set[k].v[SC_NAME], d->set->v[SC_NAME]))
			s = &e->tpl->set[k];
	if (s == NULL || (f = set_field(s, d->field->v[FC_NAME])) == NULL) {
		entry_free(e);
		return jzg_fail(cause, JZG_ERR_INVALID, "此人的模板没有 %s %s", d->set->v[SC_LABEL], d->field->v[FC_LABEL]);
	}
	source = xasprintf("compare:%s", base);
	keyer = rekey_field_keyer(st, d->staff_id, s->v[SC_NAME], d->mine_rec, f->v[FC_NAME]);
	if ((rc = store_exec(st, "SAVEPOINT rekey_take", cause)) == JZG_OK) {
		struct rekey_row r = { d->staff_id, d->mine_rec, s->v[SC_NAME], f->v[FC_NAME], keyer, NULL,
			d->mine, d->theirs, theirs ? d->theirs : d->mine, source, theirs ? REKEY_SECOND : REKEY_FIRST };

		if (theirs) {
			/* the other file's value, like a merge conflict taken */
			char *was = audit_set_path(st, AUDIT_PATH_REKEY);

			rc = entry_set(e, s, d->mine_rec, f, d->theirs, cause);
			free(audit_set_path(st, was));
			free(was);
		}
		if (rc == JZG_OK)
			rc = rekey_record(st, &r, cause);
		if (rc == JZG_OK)
			rc = rekey_close(st, d->staff_id, s->v[SC_NAME], d->mine_rec, f->v[FC_NAME], source, cause);
		sqlite3_exec(st->db, rc == JZG_OK ? "RELEASE rekey_take" : "ROLLBACK TO rekey_take; RELEASE rekey_take",
		    NULL, NULL, NULL);
	}
	free(keyer);
	free(source);
	entry_free(e);
	return rc;
}

enum jzg_status
rekey_open_store(struct store *st, const char *path, const struct rekey_diff *const *d, size_t n, char **cause)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *source = xasprintf("compare:%s", base);
	sqlite3_stmt *q = NULL;
	enum jzg_status rc = store_exec(st, "SAVEPOINT rekey_open", cause);

	if (rc == JZG_OK && (rc = store_prepare(st, "DELETE FROM rekey_open WHERE source = ?", &q, cause)) == JZG_OK) {
		sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "保存比对结果失败：%s", sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
		q = NULL;
	}
	if (rc == JZG_OK)
		rc = store_prepare(st, "INSERT OR REPLACE INTO rekey_open(staff_id, set_name, row_id, field, theirs, source) "
		    "VALUES (?, ?, ?, ?, ?, ?)", &q, cause);
	for (size_t i = 0; i < n && rc == JZG_OK; i++) {
		if (d[i]->kind != RD_FIELD || d[i]->kept)
			continue;
		sqlite3_bind_int64(q, 1, d[i]->staff_id);
		sqlite3_bind_text(q, 2, d[i]->set->v[SC_NAME], -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, d[i]->mine_rec);
		sqlite3_bind_text(q, 4, d[i]->field->v[FC_NAME], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, d[i]->theirs, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, source, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "保存比对结果失败：%s", sqlite3_errmsg(st->db));
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	sqlite3_exec(st->db, rc == JZG_OK ? "RELEASE rekey_open" : "ROLLBACK TO rekey_open; RELEASE rekey_open", NULL, NULL,
	    NULL);
	free(source);
	return rc;
}
