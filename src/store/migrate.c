/* migrate.c — see migrate.h. */
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *
migrate_source_column(const struct defs *defs, const char *set, const char *field, int from)
{
	const char *col = field;

	/* walk the renames newest first: a field renamed twice goes back to
	 * its name at version from */
	for (size_t i = defs->nrename; i-- > 0;) {
		const struct rename_def *r = &defs->rename[i];

		if (r->kind == RN_FIELD && r->version > from && str_eq(r->set, set) && str_eq(r->new, col))
			col = r->old;
	}
	return col;
}

int
migrate_file_version(struct store *st, const char *schema)
{
	char *sql = sqlite3_mprintf("SELECT CAST(value AS INTEGER) FROM \"%w\".meta WHERE key = 'forms_version'", schema);
	int v = 0;

	store_int(st->db, sql, &v);
	sqlite3_free(sql);
	return v;
}

static enum jzg_status
exec_free(struct store *st, char *sql, char **cause)
{
	enum jzg_status rc = store_exec(st, sql, cause);

	sqlite3_free(sql);
	return rc;
}

char *
migrate_recode_multi(const struct field_def *f, const char *v, const char *old, const char *new)
{
	const struct code_table *t = f->table;
	unsigned char *seen = xcalloc(t->nrow ? t->nrow : 1, 1);
	struct strbuf b = { 0 }, rest = { 0 };
	char *copy = xstrdup(v), *save = NULL;

	for (char *tok = strtok_r(copy, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		const char *code = str_eq(tok, old) ? new : tok;
		const struct code *c = codes_find(t, code);

		if (c != NULL)
			seen[c - t->row] = 1;
		else   /* a code the table does not know stays, after the others: nothing is lost */
			strbuf_addf(&rest, " %s", code);
	}
	for (size_t i = 0; i < t->nrow; i++)
		if (seen[i])
			strbuf_addf(&b, "%s%s", b.len ? " " : "", t->row[i].code);
	if (rest.len)
		strbuf_adds(&b, b.len ? rest.s : rest.s + 1);
	strbuf_free(&rest);
	free(copy);
	free(seen);
	return strbuf_take(&b);
}

/* Code old replaced by new in the multi-select field f (column r->field of
 * table t) of rows where w holds: read first, then written, each value
 * rewritten whole (the codes in the table's order, each once). */
static enum jzg_status
recode_multi_column(struct store *st, const char *t, const struct field_def *f, const struct rename_def *r,
    const char *w, char **cause)
{
	char *sql = sqlite3_mprintf("SELECT rowid, \"%w\" FROM \"%w\" WHERE instr(' ' || \"%w\" || ' ', ' ' || %Q || ' ') > 0"
	    " AND (%s)", r->field, t, r->field, r->old, w);
	sqlite3_stmt *q = NULL;
	sqlite3_int64 *id = NULL;
	char **val = NULL;
	size_t n = 0, cap = 0;
	enum jzg_status rc = store_prepare(st, sql, &q, cause);

	sqlite3_free(sql);
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			id = xreallocarray(id, cap, sizeof *id);
			val = xreallocarray(val, cap, sizeof *val);
		}
		id[n] = sqlite3_column_int64(q, 0);
		val[n++] = migrate_recode_multi(f, (const char *)sqlite3_column_text(q, 1), r->old, r->new);
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc == JZG_OK && n > 0) {
		sql = sqlite3_mprintf("UPDATE \"%w\" SET \"%w\" = ?1 WHERE rowid = ?2", t, r->field);
		rc = store_prepare(st, sql, &q, cause);
		sqlite3_free(sql);
	}
	for (size_t i = 0; i < n && rc == JZG_OK; i++) {
		sqlite3_bind_text(q, 1, val[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, id[i]);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "迁移 %s 的代码失败：%s", t, sqlite3_errmsg(st->db));
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	for (size_t i = 0; i < n; i++)
		free(val[i]);
	free(val);
	free(id);
	return rc;
}

enum jzg_status
migrate_values(struct store *st, const char *prefix, int from, int fields, const char *where, char **cause)
{
	const struct defs *defs = st->defs;
	struct store_colset cs;
	enum jzg_status rc = JZG_OK;
	const char *w = where ? where : "1";

	store_colset_load(st->db, "main", &cs);
	for (size_t i = 0; i < defs->nrename && rc == JZG_OK && fields; i++) {
		const struct rename_def *r = &defs->rename[i];
		char t[80];

		snprintf(t, sizeof t, "%s%s", prefix, r->set);
		if (r->kind != RN_FIELD || r->version <= from || !store_colset_has(&cs, t, r->old) ||
		    !store_colset_has(&cs, t, r->new))
			continue;
		rc = exec_free(st, sqlite3_mprintf("UPDATE \"%w\" SET \"%w\" = \"%w\", \"%w\" = NULL WHERE \"%w\" IS NOT NULL"
		    " AND \"%w\" IS NULL AND (%s)", t, r->new, r->old, r->old, r->old, r->new, w), cause);
	}
	for (size_t i = 0; i < defs->nrename && rc == JZG_OK; i++) {
		const struct rename_def *r = &defs->rename[i];
		const struct field_def *f;
		char t[80];

		snprintf(t, sizeof t, "%s%s", prefix, r->set);
		if (r->kind != RN_CODE || r->version <= from || !store_colset_has(&cs, t, r->field))
			continue;
		/* several codes in one value: the code is one of them */
		if ((f = rename_multi_field(defs, r)) != NULL) {
			rc = recode_multi_column(st, t, f, r, w, cause);
			continue;
		}
		rc = exec_free(st, sqlite3_mprintf("UPDATE \"%w\" SET \"%w\" = %Q WHERE \"%w\" = %Q AND (%s)", t,
		    r->field, r->new, r->field, r->old, w), cause);
	}
	if (rc == JZG_OK)
		rc = store_check_splits(st, prefix, from, where, cause);
	store_colset_free(&cs);
	return rc;
}

/* The baseline's stored keys after its values changed (set_key_sql). */
static enum jzg_status
rekey_baseline(struct store *st, char **cause)
{
	struct strbuf b = { 0 };
	enum jzg_status rc;

	for (size_t i = 0; i < st->defs->nall; i++) {
		const struct set_def *s = &st->defs->all[i];
		char *alias, *key;

		if (!s->many)
			continue;
		alias = xasprintf("\"b_%s\"", s->v[SC_NAME]);
		key = set_key_sql(s, alias);
		strbuf_addf(&b, "UPDATE %s SET nk = %s;", alias, key);
		free(key);
		free(alias);
	}
	rc = b.s ? store_exec(st, b.s, cause) : JZG_OK;
	strbuf_free(&b);
	return rc;
}

enum jzg_status
migrate_file(struct store *st, char **cause)
{
	int have = migrate_file_version(st, "main"), want = st->defs->version;
	enum jzg_status rc;
	char *sql;

	/* newer files and split codes were refused by store_open already */
	if (want == 0 || have >= want)
		return JZG_OK;
	if ((rc = store_exec(st, "BEGIN IMMEDIATE", cause)) != JZG_OK)
		return rc;
	/* a file without a version (made before versions were recorded) is
	 * taken as keyed with this one */
	if (have > 0 && (rc = migrate_values(st, "s_", have, 1, NULL, cause)) == JZG_OK &&
	    (rc = migrate_values(st, "b_", have, 1, NULL, cause)) == JZG_OK)
		rc = rekey_baseline(st, cause);
	if (rc == JZG_OK) {
		sql = sqlite3_mprintf("INSERT OR REPLACE INTO meta VALUES('forms_version', '%d');"
		    "INSERT OR REPLACE INTO meta VALUES('forms_migrated', '%d→%d ' || datetime('now','localtime'));"
		    "DELETE FROM check_cache;", want, have, want);
		if (have == 0) {
			sqlite3_free(sql);
			sql = sqlite3_mprintf("INSERT OR REPLACE INTO meta VALUES('forms_version', '%d')", want);
		}
		rc = exec_free(st, sql, cause);
	}
	if (rc == JZG_OK)
		rc = store_exec(st, "COMMIT", cause);
	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
