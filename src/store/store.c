/* store.c — see store.h. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "photo_schema.h"
#include "baseline_schema.h"
#include "trust_schema.h"
#include "rekey_schema.h"
#include "workflow_schema.h"
#include "fieldtype.h"

/* Version 2: explanations of warnings (rules_explain).  row_key is the
 * record's key as record_set takes it, so that an explanation stays with its
 * record when other records are added or deleted. */
#define EXPLANATION_SCHEMA \
	"CREATE TABLE explanation(" \
	"  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE," \
	"  rule TEXT NOT NULL," \
	"  set_name TEXT NOT NULL," \
	"  row_key INTEGER NOT NULL," \
	"  reason TEXT NOT NULL," \
	"  created TEXT NOT NULL DEFAULT (datetime('now','localtime'))," \
	"  PRIMARY KEY(staff_id, rule, set_name, row_key));"

/* Version 3: confirmation sheets returned signed (signature.c).  One row
 * per signing, never updated, so the history of signed sheets is kept; the
 * latest row (highest id) of a person is the one that counts. */
#define SIGNATURE_SCHEMA \
	"CREATE TABLE signature(" \
	"  id INTEGER PRIMARY KEY," \
	"  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE," \
	"  code TEXT NOT NULL," \
	"  signed_on TEXT NOT NULL," \
	"  recorded TEXT NOT NULL DEFAULT (datetime('now','localtime')));" \
	"CREATE INDEX signature_staff ON signature(staff_id, id);"

/* The fixed tables' indexes, re-created by sync_schema on every open if
 * missing (each is also in the schema that first created it).  audit_at
 * (on audit.at) was dropped: no query used it (jzg log scans for --since,
 * and looks a person up by audit_staff), and a county file inserts every
 * school's trail into it at scattered times -- 21 of the 30 s of merging
 * 200 files with 60 trail rows per person. */
#define FIXED_INDEXES \
	"CREATE INDEX IF NOT EXISTS staff_school ON staff(school_id);" \
	"CREATE INDEX IF NOT EXISTS signature_staff ON signature(staff_id, id);" \
	"CREATE INDEX IF NOT EXISTS audit_staff ON audit(staff_id, id);" \
	"DROP INDEX IF EXISTS audit_at;" \
	"CREATE INDEX IF NOT EXISTS review_staff ON review(staff_id, id);" \
	"CREATE INDEX IF NOT EXISTS staff_school_state ON staff(school_id, state);" \
	"CREATE INDEX IF NOT EXISTS b_staff_baseline ON b_staff(baseline_id, idno);" \
	"CREATE INDEX IF NOT EXISTS b_staff_cur ON b_staff(staff_id);" \
	"CREATE INDEX IF NOT EXISTS chain_operator ON chain(row_id, seq) WHERE tbl = 4;" \
	"CREATE INDEX IF NOT EXISTS chain_review ON chain(row_id) WHERE tbl = 2;"

/* The current fixed tables, for a new file. */
static const char *const base_schema =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE school("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"        /* 10-digit 学校标识码 */
	"  name TEXT NOT NULL,"
	"  template TEXT NOT NULL,"           /* forms/templates.tsv name */
	"  expected_staff INTEGER,"           /* 年报 headcount, for 录入率 */
	"  created TEXT NOT NULL DEFAULT (datetime('now','localtime')),"
	"  updated TEXT NOT NULL DEFAULT (datetime('now','localtime')));"
	"CREATE TABLE staff("
	"  id INTEGER PRIMARY KEY,"
	"  school_id INTEGER NOT NULL REFERENCES school(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL DEFAULT 'draft',"
	"  created TEXT NOT NULL DEFAULT (datetime('now','localtime')),"
	"  updated TEXT NOT NULL DEFAULT (datetime('now','localtime')));"
	"CREATE INDEX staff_school ON staff(school_id);"
	EXPLANATION_SCHEMA
	SIGNATURE_SCHEMA
	WORKFLOW_SCHEMA
	PHOTO_SCHEMA
	BASELINE_SCHEMA
	TRUST_SCHEMA
	REKEY_SCHEMA
	REKEY_OPEN_SCHEMA;

const char *
store_errstr(int rc)
{
	switch (rc & 0xFF) {
	case SQLITE_FULL:     return "磁盘已满，请清理磁盘空间后重试";
	case SQLITE_READONLY: return "文件只读，无法写入（请检查文件权限或 U 盘写保护）";
	case SQLITE_CANTOPEN: return "无法打开文件（请检查路径和权限）";
	case SQLITE_NOTADB:   return "不是 SQLite 数据库，或文件已损坏";
	case SQLITE_CORRUPT:  return "数据文件已损坏";
	case SQLITE_IOERR:    return "读写磁盘出错（请检查磁盘或 U 盘）";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:   return "数据文件正被另一个程序使用";
	case SQLITE_NOMEM:    return "内存不足";
	case SQLITE_CONSTRAINT: return "违反数据约束";
	default:              return "数据库错误";
	}
}

/* Run sql (a whole BEGIN … COMMIT script; freed here) and roll back what
 * it began when a statement fails, so the file is as before. */
static enum jzg_status
exec_script(struct store *st, char *sql, char **cause)
{
	enum jzg_status rc = store_exec(st, sql, cause);

	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	free(sql);
	return rc == JZG_OK ? JZG_OK : JZG_ERR_DB;
}

enum jzg_status
store_exec(struct store *st, const char *sql, char **cause)
{
	char *err = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_DB, "%s（%s）", store_errstr(rc), err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return JZG_ERR_DB;
	}
	return JZG_OK;
}

#define CACHE_SLOTS 48   /* the statements of one person screen's sets, with room */

struct store_cache {
	struct {
		char         *sql;
		sqlite3_stmt *stmt;
		unsigned long used;
	} slot[CACHE_SLOTS];
	unsigned long clock;
};

enum jzg_status
store_cached(struct store *st, const char *sql, sqlite3_stmt **out, char **cause)
{
	struct store_cache *c;
	int victim = 0;

	if (st->cache == NULL)
		st->cache = xcalloc(1, sizeof *st->cache);
	c = st->cache;
	c->clock++;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (c->slot[i].sql != NULL && strcmp(c->slot[i].sql, sql) == 0) {
			c->slot[i].used = c->clock;
			sqlite3_reset(c->slot[i].stmt);
			sqlite3_clear_bindings(c->slot[i].stmt);
			*out = c->slot[i].stmt;
			return JZG_OK;
		}
		if (c->slot[i].used < c->slot[victim].used)
			victim = i;
	}
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);

	if (rc != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "%s（%s）", store_errstr(rc), sqlite3_errmsg(st->db));
	sqlite3_finalize(c->slot[victim].stmt);
	free(c->slot[victim].sql);
	c->slot[victim].sql = xstrdup(sql);
	c->slot[victim].stmt = *out;
	c->slot[victim].used = c->clock;
	return JZG_OK;
}

static void
cache_free(struct store_cache *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		sqlite3_finalize(c->slot[i].stmt);
		free(c->slot[i].sql);
	}
	free(c);
}

enum jzg_status
store_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "%s（%s）", store_errstr(rc), sqlite3_errmsg(st->db));
	return JZG_OK;
}

const char *
store_affinity(const struct field_def *f)
{
	return fieldtype_of(f)->affinity;
}

int
store_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	*out = 0;
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Is the file there and not SQLite?  (Before SQLite touches it, so that a
 * stray spreadsheet handed to --db is left exactly as it was.) */
static enum jzg_status
check_header(const char *path, int *exists, char **cause)
{
	FILE *fp;
	char head[16];
	size_t n;
	struct stat sb;

	*exists = 0;
	if (strcmp(path, ":memory:") == 0)
		return JZG_OK;
	if (stat(path, &sb) != 0)
		return errno == ENOENT ? JZG_OK :
		    jzg_fail(cause, JZG_ERR_IO, "无法访问 %s：%s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 是一个目录，不是数据文件", path);
	*exists = 1;
	if (sb.st_size == 0)
		return JZG_OK;
	if ((fp = fopen(path, "rb")) == NULL)
		return jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s", path, strerror(errno));
	n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
		return jzg_fail(cause, JZG_ERR_FOREIGN,
		    "%s 不是 jzg 数据文件（也不是 SQLite 数据库），未做任何改动。请确认选择的文件。", path);
	return JZG_OK;
}

/* Migration steps from version k-1 to k; steps[0] is unused.  Each runs in
 * the same transaction as the user_version bump. */
static const char *const migrations[STORE_SCHEMA_VERSION + 1] = {
	NULL,
	NULL,   /* 1: base_schema itself */
	EXPLANATION_SCHEMA,
	SIGNATURE_SCHEMA,
	WORKFLOW_SCHEMA,   /* 4: operators, audit, review, check cache (issue 7) */
	PHOTO_SCHEMA,      /* 5: one photo per person (issue 16, photo.h) */
	BASELINE_SCHEMA,   /* 6: last year's data per school (issue 19, baseline.h) */
	TRUST_SCHEMA,      /* 7: the hash chain, operators' keys (issue 18, trust.h) */
	REKEY_SCHEMA,      /* 8: double-entry verification (issue 20, rekey.h) */
	REKEY_OPEN_SCHEMA, /* 9: rekey compare's discrepancies to decide in the client */
};

static enum jzg_status
identify_and_migrate(struct store *st, int readonly, char **cause)
{
	int appid, version, nobj, rc;
	char *sql;

	if ((rc = store_int(st->db, "PRAGMA application_id", &appid)) != SQLITE_OK ||
	    (rc = store_int(st->db, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (rc = store_int(st->db, "SELECT count(*) FROM sqlite_master", &nobj)) != SQLITE_OK)
		return jzg_fail(cause, rc == SQLITE_NOTADB ? JZG_ERR_FOREIGN : JZG_ERR_DB,
		    "%s：%s，未做任何改动", st->path, store_errstr(rc));
	if (appid == 0 && version == 0 && nobj == 0) {
		if (readonly)
			return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 是空文件，不是 jzg 数据文件", st->path);
		/* 16 KiB pages: a county file gathers hundreds of schools, and
		 * with 4 KiB pages merging them spent a tenth of its time
		 * splitting and rewriting index pages (docs/workflow.md
		 * §Benchmark).  Only a new file: an existing one keeps its pages
		 * (VACUUM would convert it). */
		sql = xasprintf("PRAGMA page_size=16384;BEGIN IMMEDIATE;%sPRAGMA application_id=%d;PRAGMA user_version=%d;"
		    "INSERT INTO meta VALUES('created_by','jzg " JZG_VERSION "');COMMIT;",
		    base_schema, STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
		return exec_script(st, sql, cause);
	}
	if (appid != STORE_APPLICATION_ID)
		return jzg_fail(cause, JZG_ERR_FOREIGN,
		    "%s 是其他程序的 SQLite 数据库，不是 jzg 数据文件，未做任何改动", st->path);
	if (version > STORE_SCHEMA_VERSION)
		return jzg_fail(cause, JZG_ERR_NEWER,
		    "%s 由更新版本的 jzg 写入（文件版本 %d，本程序支持到 %d），请升级 jzg 后再打开；文件未做任何改动",
		    st->path, version, STORE_SCHEMA_VERSION);
	st->opened_version = version;
	if (version < STORE_SCHEMA_VERSION && readonly)
		return jzg_fail(cause, JZG_ERR_NEWER, "%s 是旧版本文件，需要先用本程序打开升级", st->path);
	for (int k = version + 1; k <= STORE_SCHEMA_VERSION; k++) {
		sql = xasprintf("BEGIN IMMEDIATE;%sPRAGMA user_version=%d;COMMIT;",
		    migrations[k] ? migrations[k] : "", k);
		if (exec_script(st, sql, cause) != JZG_OK)
			return JZG_ERR_DB;
	}
	return JZG_OK;
}

static int
colset_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One query for every column (start-up used to ask pragma_table_info once
 * per column, merge once per set and file). */
int
store_colset_load(sqlite3 *db, const char *schema, struct store_colset *cs)
{
	char *sql = sqlite3_mprintf("SELECT m.name || '.' || lower(p.name) FROM \"%w\".sqlite_master m, "
	    "pragma_table_info(m.name, %Q) p WHERE m.type = 'table' AND (m.name LIKE 's\\_%%' ESCAPE '\\' OR m.name LIKE 'b\\_%%' ESCAPE '\\')",
	    schema, schema);
	sqlite3_stmt *ps;
	size_t cap = 0;
	int rc;

	cs->name = NULL;
	cs->n = 0;
	rc = sqlite3_prepare_v2(db, sql, -1, &ps, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(ps)) == SQLITE_ROW) {
		if (cs->n == cap) {
			cap = cap ? cap * 2 : 256;
			cs->name = xreallocarray(cs->name, cap, sizeof *cs->name);
		}
		cs->name[cs->n++] = xstrdup((const char *)sqlite3_column_text(ps, 0));
	}
	sqlite3_finalize(ps);
	if (cs->n > 1)
		xqsort(cs->name, cs->n, sizeof *cs->name, colset_cmp);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
store_colset_has(const struct store_colset *cs, const char *table, const char *col)
{
	char *key = xasprintf("%s.%s", table, col), *k;
	int found;

	for (k = key + strlen(table) + 1; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
	found = cs->n > 0 && bsearch(&key, cs->name, cs->n, sizeof *cs->name, colset_cmp) != NULL;
	free(key);
	return found;
}

void
store_colset_free(struct store_colset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->name[i]);
	free(cs->name);
	cs->name = NULL;
	cs->n = 0;
}

/* Create what the definitions have and the file lacks.  Never drops or
 * rewrites a column: data keyed under an indicator a province removed stays
 * in the file. */
static enum jzg_status
sync_schema(struct store *st, char **cause)
{
	struct strbuf b = { 0 };
	enum jzg_status rc;
	struct store_colset cs;

	store_colset_load(st->db, "main", &cs);
	strbuf_adds(&b, "BEGIN IMMEDIATE;");
	for (size_t i = 0; i < st->defs->nall; i++) {
		const struct set_def *s = &st->defs->all[i];
		char tname[80], bname[80];
		int exists;

		snprintf(tname, sizeof tname, "s_%s", s->v[SC_NAME]);
		exists = store_colset_has(&cs, tname, "staff_id");
		if (!exists) {
			if (s->many)
				strbuf_addf(&b, "CREATE TABLE \"%s\"(id INTEGER PRIMARY KEY, staff_id INTEGER NOT NULL "
				    "REFERENCES staff(id) ON DELETE CASCADE, seq INTEGER NOT NULL DEFAULT 0", tname);
			else
				strbuf_addf(&b, "CREATE TABLE \"%s\"(staff_id INTEGER PRIMARY KEY "
				    "REFERENCES staff(id) ON DELETE CASCADE", tname);
			for (size_t j = 0; j < s->nfield; j++)
				strbuf_addf(&b, ", \"%s\" %s", s->field[j].v[FC_NAME], store_affinity(&s->field[j]));
			strbuf_adds(&b, ");");
		} else {
			for (size_t j = 0; j < s->nfield; j++) {
				if (!store_colset_has(&cs, tname, s->field[j].v[FC_NAME]))
					strbuf_addf(&b, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s;", tname,
					    s->field[j].v[FC_NAME], store_affinity(&s->field[j]));
			}
		}
		/* the baseline's copy of the set (baseline_schema.h) */
		snprintf(bname, sizeof bname, "b_%s", s->v[SC_NAME]);
		if (!store_colset_has(&cs, bname, "staff_id")) {
			strbuf_addf(&b, "CREATE TABLE \"b_%s\"(" STORE_BASELINE_SET_COLUMNS, s->v[SC_NAME]);
			for (size_t j = 0; j < s->nfield; j++)
				strbuf_addf(&b, ", \"%s\" %s", s->field[j].v[FC_NAME], store_affinity(&s->field[j]));
			strbuf_adds(&b, ");");
		} else {
			for (size_t j = 0; j < s->nfield; j++)
				if (!store_colset_has(&cs, bname, s->field[j].v[FC_NAME]))
					strbuf_addf(&b, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s;", bname,
					    s->field[j].v[FC_NAME], store_affinity(&s->field[j]));
		}
		/* every index on every open, IF NOT EXISTS: one lost (dropped by
		 * hand, or by a tool) comes back */
		strbuf_addf(&b, "CREATE INDEX IF NOT EXISTS \"%s_staff\" ON \"%s\"(staff_id, nk, seq);", bname, bname);
		if (s->many)
			strbuf_addf(&b, "CREATE INDEX IF NOT EXISTS \"%s_staff\" ON \"%s\"(staff_id, seq);", tname, tname);
		for (size_t j = 0; j < s->nfield; j++)
			if (s->field[j].index)
				strbuf_addf(&b, "CREATE INDEX IF NOT EXISTS \"%s_%s\" ON \"%s\"(\"%s\");", tname,
				    s->field[j].v[FC_NAME], tname, s->field[j].v[FC_NAME]);
	}
	{
		const char *const *k = (const char *const *)st->defs->setting;

		if (k[SK_PERSON_SET] && k[SK_PERSON_NAME] && k[SK_PERSON_ID] && k[SK_PERSON_NO]) {
			strbuf_adds(&b, "CREATE INDEX IF NOT EXISTS \"");
			strbuf_addf(&b, STORE_LIST_INDEX, k[SK_PERSON_SET]);
			strbuf_addf(&b, "\" ON \"s_%s\"(staff_id, \"%s\", \"%s\", \"%s\");", k[SK_PERSON_SET],
			    k[SK_PERSON_NAME], k[SK_PERSON_ID], k[SK_PERSON_NO]);
		}
	}
	strbuf_adds(&b, FIXED_INDEXES "COMMIT;");
	store_colset_free(&cs);
	rc = store_exec(st, b.s, cause);
	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	strbuf_free(&b);
	return rc;
}

enum jzg_status
store_check_splits(struct store *st, const char *prefix, int from, const char *where, char **cause)
{
	const struct defs *defs = st->defs;
	struct store_colset cs;
	enum jzg_status rc = JZG_OK;

	store_colset_load(st->db, "main", &cs);
	for (size_t i = 0; i < defs->nrename && rc == JZG_OK; i++) {
		const struct rename_def *r = &defs->rename[i];
		char t[80], *sql;
		int n = 0;

		snprintf(t, sizeof t, "%s%s", prefix, r->set);
		if (r->kind != RN_SPLIT || r->version <= from || !store_colset_has(&cs, t, r->field))
			continue;
		/* in a multi-select field, the code among the others */
		sql = rename_multi_field(defs, r) != NULL ?
		    sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE instr(' ' || \"%w\" || ' ', ' ' || %Q || ' ') > 0"
		    " AND (%s)", t, r->field, r->old, where ? where : "1") :
		    sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE \"%w\" = %Q AND (%s)", t, r->field, r->old,
		    where ? where : "1");
		store_int(st->db, sql, &n);
		sqlite3_free(sql);
		if (n > 0) {
			const struct set_def *s = defs_set(defs->all, defs->nall, r->set);
			const struct field_def *f = s ? set_field(s, r->field) : NULL;

			rc = jzg_fail(cause, JZG_ERR_INVALID, "%s·%s 有 %d 个值是代码 “%s”，该代码在 %d 年版指标中拆分为 %s，"
			    "无法自动迁移：请先用旧版本的 jzg 改选为其中之一（或在 forms/renames.tsv 中改为 code 对照），未做任何改动",
			    s ? s->v[SC_LABEL] : r->set, f ? f->v[FC_LABEL] : r->field, n, r->old, r->version, r->new);
		}
	}
	store_colset_free(&cs);
	return rc;
}

/* A file keyed with other definitions (meta forms_version) that cannot be
 * migrated (migrate.h does the migration, after the schema sync) is
 * refused here, before anything in it changes: one keyed with newer
 * definitions, or holding a code split since its version. */
static enum jzg_status
check_forms_version(struct store *st, char **cause)
{
	const struct defs *defs = st->defs;
	int have = 0;

	store_int(st->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'forms_version'", &have);
	if (have == 0 || defs->version == 0 || have == defs->version)
		return JZG_OK;
	if (have > defs->version)
		return jzg_fail(cause, JZG_ERR_NEWER, "%s 是按 %d 年版指标定义录入的，本程序的指标定义是 %d 年版，"
		    "请用新版的指标定义（forms）打开；文件未做任何改动", st->path, have, defs->version);
	return store_check_splits(st, "s_", have, NULL, cause);
}

/* temp.code: the code tables as rows, for choice_filter and look-ups in SQL. */
static enum jzg_status
load_code_table(struct store *st, char **cause)
{
	sqlite3_stmt *ins;
	enum jzg_status rc;

	rc = store_exec(st, "CREATE TEMP TABLE code(tbl TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,"
	    " parent TEXT, filter TEXT, pick INTEGER, excl INTEGER, ord INTEGER, obsolete INTEGER, PRIMARY KEY(tbl, code))"
	    " WITHOUT ROWID;BEGIN;", cause);
	if (rc != JZG_OK)
		return rc;
	if ((rc = store_prepare(st, "INSERT OR IGNORE INTO temp.code VALUES(?,?,?,?,?,?,?,?,?)", &ins, cause)) != JZG_OK)
		return rc;
	for (size_t i = 0; i < st->defs->codes->ntab; i++) {
		const struct code_table *t = &st->defs->codes->tab[i];

		for (size_t j = 0; j < t->nrow; j++) {
			const struct code *c = &t->row[j];

			sqlite3_bind_text(ins, 1, t->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, c->code, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, c->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, c->parent, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 5, c->filter, -1, SQLITE_STATIC);
			sqlite3_bind_int(ins, 6, c->pick);
			sqlite3_bind_int(ins, 7, c->excl);
			sqlite3_bind_int64(ins, 8, (sqlite3_int64)j);
			sqlite3_bind_int(ins, 9, c->obsolete);
			sqlite3_step(ins);
			sqlite3_reset(ins);
		}
	}
	sqlite3_finalize(ins);
	return store_exec(st, "COMMIT", cause);
}

/* While guarded: refuse every change to the file itself (temp tables,
 * such as the code table, stay writable). */
static int
unarmed_guard(void *arg, int action, const char *a1, const char *a2, const char *dbname, const char *trigger)
{
	(void)arg; (void)a1; (void)a2; (void)trigger;
	if ((action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) &&
	    dbname != NULL && strcmp(dbname, "main") == 0)
		return SQLITE_DENY;
	return SQLITE_OK;
}

void
store_guard(struct store *st, int on)
{
	sqlite3_set_authorizer(st->db, on ? unarmed_guard : NULL, NULL);
}

/* SQLite keeps memory statistics (which jzg never reads) under one
 * process-wide mutex taken on every allocation: with two threads checking
 * a whole file at once, both sorting and allocating, that lock alone cost
 * about a third of the check (100,000 staff: 3.1 s → 2.15 s wall, 4.9 →
 * 3.7 s user CPU).  Switched off before the library first initialises;
 * should anything have initialised it earlier, SQLite refuses the call and
 * nothing changes. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum jzg_status
store_open(const char *path, const struct defs *defs, unsigned flags, struct store **out,
    char **cause)
{
	struct store *st;
	int exists, rc, oflags;
	enum jzg_status s;

	*out = NULL;
	if ((s = check_header(path, &exists, cause)) != JZG_OK)
		return s;
	if (!exists && !(flags & STORE_CREATE) && strcmp(path, ":memory:") != 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "数据文件 %s 不存在", path);
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->defs = defs;
	st->fn.defs = defs;
	st->fn.rng = 20131011;
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	/* jzg never uses a connection on two threads at once (a check's second
	 * thread has its own): SQLite then takes no lock of its own around
	 * each call, some 5 % of a whole-file check's instructions */
	oflags |= SQLITE_OPEN_NOMUTEX;
	pthread_once(&sqlite_once, sqlite_setup);
	rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_IO, "无法打开数据文件 %s：%s", path, store_errstr(rc));
		store_close(st);
		return JZG_ERR_IO;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	/* Rollback journal + FULL sync: each committed value survives a power cut
	 * (tech.md §7); foreign keys so deleting a person deletes their records. */
	/* temp_store=MEMORY, before any temp object exists (changing it drops
	 * them): the savepoint and statement journals of a transaction stay in
	 * memory instead of spilling to /var/tmp beyond 64 KiB.  A merge wrote
	 * as many pages there as into the file itself (docs/workflow.md
	 * §Benchmark).  They only serve a rollback inside the transaction; the
	 * journal that protects the file from a power cut is untouched. */
	if ((s = store_exec(st, (flags & STORE_READONLY) ? "PRAGMA foreign_keys=ON;PRAGMA temp_store=MEMORY" :
	    "PRAGMA foreign_keys=ON;PRAGMA temp_store=MEMORY;PRAGMA journal_mode=DELETE;PRAGMA synchronous=FULL",
	    cause)) != JZG_OK ||
	    (s = identify_and_migrate(st, flags & STORE_READONLY, cause)) != JZG_OK) {
		store_close(st);
		return s;
	}
	if (sqlfn_register(st->db, &st->fn) != SQLITE_OK) {
		store_close(st);
		return jzg_fail(cause, JZG_ERR_DB, "注册 SQL 函数失败");
	}
	if ((!(flags & STORE_READONLY) && ((s = check_forms_version(st, cause)) != JZG_OK ||
	    (s = sync_schema(st, cause)) != JZG_OK)) ||
	    (s = load_code_table(st, cause)) != JZG_OK) {
		store_close(st);
		return s;
	}
	/* Whoever writes must first arm the trail (audit_open does). */
	if (!(flags & STORE_READONLY))
		store_guard(st, 1);
	*out = st;
	return JZG_OK;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	cache_free(st->cache);
	if (st->trust_done != NULL)
		st->trust_done(st);
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	sqlfn_ctx_done(&st->fn);
	free(st->path);
	free(st);
}
