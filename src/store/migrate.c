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
		char t[80];

		snprintf(t, sizeof t, "%s%s", prefix, r->set);
		if (r->kind != RN_CODE || r->version <= from || !store_colset_has(&cs, t, r->field))
			continue;
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
