/* baseline.c — see baseline.h. */
#include "baseline.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "import.h"
#include "migrate.h"
#include "util.h"

#define SRC "bsrc"   /* the attached source's schema */

static const char *
setting(const struct store *st, enum setting_key k)
{
	return st->defs->setting[k];
}

int
baseline_count(struct store *st)
{
	int n = 0;

	store_int(st->db, "SELECT count(*) FROM baseline", &n);
	return n;
}

/* ------------------------------------------------------------- linking */

/* The links are worked out in temp.bl_link and only those that changed
 * are written: changes, stats and the board link again before every
 * comparison, and rewriting every b_staff row twice (cleared, then set)
 * wrote and journaled the table each time. */
static enum jzg_status
link_one(struct store *st, sqlite3_int64 bid, const char *code, char **cause)
{
	const char *ps = setting(st, SK_PERSON_SET);
	char *qc = sqlite3_mprintf("%Q", code);
	char *sql = xasprintf(
	    "CREATE TEMP TABLE IF NOT EXISTS bl_link(id INTEGER PRIMARY KEY, staff_id INTEGER);"
	    "DELETE FROM temp.bl_link;"
	    /* by 身份证件号 within the school */
	    "INSERT INTO temp.bl_link SELECT b.id, (SELECT p.staff_id FROM \"s_%2$s\" p JOIN staff t ON t.id = p.staff_id"
	    "  JOIN school c ON c.id = t.school_id WHERE p.\"%3$s\" = b.idno AND c.code = %4$s"
	    "  ORDER BY p.staff_id LIMIT 1)"
	    " FROM b_staff b WHERE b.baseline_id = %1$lld AND b.idno IS NOT NULL AND b.idno <> '';"
	    /* the rest by 姓名 and 出生日期, among this year's people not linked */
	    "CREATE TEMP TABLE IF NOT EXISTS bl_free(staff_id INTEGER PRIMARY KEY, name TEXT, birth TEXT);"
	    "DELETE FROM temp.bl_free;"
	    "INSERT INTO temp.bl_free SELECT p.staff_id, p.\"%5$s\", p.\"%6$s\" FROM \"s_%2$s\" p"
	    "  JOIN staff t ON t.id = p.staff_id JOIN school c ON c.id = t.school_id WHERE c.code = %4$s"
	    "  AND p.staff_id NOT IN (SELECT staff_id FROM temp.bl_link WHERE staff_id IS NOT NULL);"
	    "CREATE INDEX IF NOT EXISTS temp.bl_free_nb ON bl_free(name, birth);"
	    "INSERT OR REPLACE INTO temp.bl_link SELECT b.id, (SELECT f.staff_id FROM temp.bl_free f WHERE f.name = b.name"
	    "  AND f.birth = b.birth ORDER BY f.staff_id LIMIT 1)"
	    " FROM b_staff b LEFT JOIN temp.bl_link l ON l.id = b.id WHERE b.baseline_id = %1$lld AND l.staff_id IS NULL"
	    "  AND b.name IS NOT NULL AND b.birth IS NOT NULL;"
	    "UPDATE b_staff SET staff_id = (SELECT l.staff_id FROM temp.bl_link l WHERE l.id = b_staff.id)"
	    " WHERE baseline_id = %1$lld AND staff_id IS NOT (SELECT l.staff_id FROM temp.bl_link l WHERE l.id = b_staff.id);"
	    "DELETE FROM temp.bl_free; DELETE FROM temp.bl_link;",
	    (long long)bid, ps, setting(st, SK_PERSON_ID), qc, setting(st, SK_PERSON_NAME),
	    setting(st, SK_PERSON_BIRTH));
	enum jzg_status rc = store_exec(st, sql, cause);

	free(sql);
	sqlite3_free(qc);
	return rc;
}

enum jzg_status
baseline_link(struct store *st, const char *school, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	int own = sqlite3_get_autocommit(st->db);

	if (baseline_count(st) == 0)
		return JZG_OK;
	if ((rc = store_prepare(st, "SELECT id, school_code FROM baseline WHERE ?1 IS NULL OR school_code = ?1",
	    &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	if (own && (rc = store_exec(st, "BEGIN IMMEDIATE", cause)) != JZG_OK) {
		sqlite3_finalize(q);
		return rc;
	}
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW)
		rc = link_one(st, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1), cause);
	sqlite3_finalize(q);
	if (own)
		sqlite3_exec(st->db, rc == JZG_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* --------------------------------------------------------------- drop */

/* Delete the baseline of school code (nothing when there is none). */
static enum jzg_status
drop_school(struct store *st, const char *code, char **cause)
{
	struct strbuf b = { 0 };
	enum jzg_status rc;
	char *q = sqlite3_mprintf("%Q", code);

	for (size_t i = 0; i < st->defs->nall; i++)
		strbuf_addf(&b, "DELETE FROM \"b_%s\" WHERE staff_id IN (SELECT s.id FROM b_staff s JOIN baseline l"
		    " ON l.id = s.baseline_id WHERE l.school_code = %s);", st->defs->all[i].v[SC_NAME], q);
	/* the prior-year rules' findings cached for the school's people are stale */
	strbuf_addf(&b, "DELETE FROM b_staff WHERE baseline_id IN (SELECT id FROM baseline WHERE school_code = %s);"
	    "DELETE FROM baseline WHERE school_code = %s;"
	    "DELETE FROM check_cache WHERE staff_id IN (SELECT t.id FROM staff t JOIN school k ON k.id = t.school_id"
	    " WHERE k.code = %s);", q, q, q);
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	sqlite3_free(q);
	return rc;
}

enum jzg_status
baseline_drop(struct store *st, const char *school, char **dropped, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	char *code = NULL;
	int n = 0;

	*dropped = NULL;
	if ((rc = store_prepare(st, "SELECT school_code FROM baseline WHERE ?1 IS NULL OR school_code = ?1",
	    &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, school, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (n++ == 0)
			code = xstrdup((const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	if (n == 0) {
		free(code);
		return school ? jzg_fail(cause, JZG_ERR_NOTFOUND, "学校 %s 没有基线", school) :
		    jzg_fail(cause, JZG_ERR_NOTFOUND, "本文件没有基线");
	}
	if (n > 1) {
		free(code);
		return jzg_fail(cause, JZG_ERR_USAGE, "本文件有 %d 所学校的基线，请用 --school 指定删除哪一所", n);
	}
	if ((rc = store_exec(st, "BEGIN IMMEDIATE", cause)) == JZG_OK) {
		rc = drop_school(st, code, cause);
		if (rc == JZG_OK)
			rc = store_exec(st, "COMMIT", cause);
		if (rc != JZG_OK)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	if (rc == JZG_OK)
		*dropped = code;
	else
		free(code);
	return rc;
}

/* --------------------------------------------------------------- list */

enum jzg_status
baseline_list(struct store *st, struct baseline_row **rows, size_t *n, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	if ((rc = store_prepare(st, "SELECT l.school_code, coalesce(c.name, ''), l.label, l.source, l.created, l.people,"
	    " (SELECT count(*) FROM b_staff s WHERE s.baseline_id = l.id AND s.staff_id IS NOT NULL)"
	    " FROM baseline l LEFT JOIN school c ON c.code = l.school_code ORDER BY l.school_code", &q, cause)) != JZG_OK)
		return rc;
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct baseline_row *r;

		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*rows = xreallocarray(*rows, cap, sizeof **rows);
		}
		r = &(*rows)[(*n)++];
		r->school_code = xstrdup((const char *)sqlite3_column_text(q, 0));
		r->school_name = xstrdup((const char *)sqlite3_column_text(q, 1));
		r->label = xstrdup((const char *)sqlite3_column_text(q, 2));
		r->source = xstrdup((const char *)sqlite3_column_text(q, 3));
		r->created = xstrdup((const char *)sqlite3_column_text(q, 4));
		r->people = sqlite3_column_int64(q, 5);
		r->linked = sqlite3_column_int64(q, 6);
	}
	sqlite3_finalize(q);
	return JZG_OK;
}

void
baseline_list_free(struct baseline_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].school_code);
		free(rows[i].school_name);
		free(rows[i].label);
		free(rows[i].source);
		free(rows[i].created);
	}
	free(rows);
}

/* ---------------------------------------------------------------- set */

/* Copy school code's people and records from schema sch into a new
 * baseline (inside the caller's transaction). */
static enum jzg_status
copy_school(struct store *st, const char *sch, const struct store_colset *cs, const char *code,
    const char *label, const char *source, const char *version, long *people, long *linked, char **cause)
{
	const struct defs *defs = st->defs;
	struct strbuf b = { 0 };
	enum jzg_status rc;
	sqlite3_int64 bid, off;
	char *q = sqlite3_mprintf("%Q", code);
	int maxid = 0, from = version ? atoi(version) : 0;

	if ((rc = drop_school(st, code, cause)) != JZG_OK)
		goto out;
	{
		char *sql = sqlite3_mprintf("INSERT INTO baseline(school_code, label, source, forms_version) VALUES(%Q, %Q, %Q, %Q)",
		    code, label, source, version);

		rc = store_exec(st, sql, cause);
		sqlite3_free(sql);
		if (rc != JZG_OK)
			goto out;
	}
	bid = sqlite3_last_insert_rowid(st->db);
	/* last year's ids, shifted past the baseline's own, keep every
	 * record's person without a look-up per row */
	store_int(st->db, "SELECT coalesce(max(id), 0) FROM b_staff", &maxid);
	off = maxid;
	strbuf_addf(&b, "INSERT INTO b_staff(id, baseline_id, idno, name, birth) SELECT t.id + %lld, %lld, p.\"%s\", p.\"%s\", p.\"%s\""
	    " FROM \"%s\".staff t JOIN \"%s\".school c ON c.id = t.school_id LEFT JOIN \"%s\".\"s_%s\" p ON p.staff_id = t.id"
	    " WHERE c.code = %s;", (long long)off, (long long)bid, setting(st, SK_PERSON_ID), setting(st, SK_PERSON_NAME),
	    setting(st, SK_PERSON_BIRTH), sch, sch, sch, setting(st, SK_PERSON_SET), q);
	for (size_t i = 0; i < defs->nall; i++) {
		const struct set_def *s = &defs->all[i];
		const char *sn = s->v[SC_NAME];
		char tname[80], *key;
		struct strbuf cols = { 0 }, vals = { 0 };

		snprintf(tname, sizeof tname, "s_%s", sn);
		if (!store_colset_has(cs, tname, "staff_id"))
			continue;   /* a set last year's definitions did not have */
		for (size_t j = 0; j < s->nfield; j++) {
			const char *fn = s->field[j].v[FC_NAME];
			/* last year's name of a field renamed since (forms/renames.tsv) */
			const char *col = from ? migrate_source_column(defs, sn, fn, from) : fn;

			strbuf_addf(&cols, ", \"%s\"", fn);
			if (store_colset_has(cs, tname, col))
				strbuf_addf(&vals, ", x.\"%s\" AS \"%s\"", col, fn);
			else
				strbuf_addf(&vals, ", NULL AS \"%s\"", fn);
		}
		key = s->many ? set_key_sql(s, "y") : xstrdup("''");
		strbuf_addf(&b, "INSERT INTO \"b_%s\"(staff_id, seq%s, nk) SELECT y.*, %s FROM (SELECT x.staff_id + %lld, %s%s"
		    " FROM \"%s\".\"%s\" x JOIN \"%s\".staff t ON t.id = x.staff_id JOIN \"%s\".school c ON c.id = t.school_id"
		    " WHERE c.code = %s) y;", sn, cols.s, key, (long long)off, s->many ? "x.seq" : "0", vals.s, sch, tname,
		    sch, sch, q);
		free(key);
		strbuf_free(&cols);
		strbuf_free(&vals);
	}
	strbuf_addf(&b, "UPDATE baseline SET people = (SELECT count(*) FROM b_staff WHERE baseline_id = %lld) WHERE id = %lld;",
	    (long long)bid, (long long)bid);
	if ((rc = store_exec(st, b.s, cause)) != JZG_OK)
		goto out;
	/* codes replaced since last year's definitions, then the keys again */
	if (from > 0 && from < defs->version) {
		char *where = xasprintf("staff_id > %lld", (long long)off);

		rc = migrate_values(st, "b_", from, 0, where, cause);
		free(where);
		for (size_t i = 0; i < defs->nall && rc == JZG_OK; i++) {
			const struct set_def *s = &defs->all[i];
			char *alias, *key, *sql;

			if (!s->many)
				continue;
			alias = xasprintf("\"b_%s\"", s->v[SC_NAME]);
			key = set_key_sql(s, alias);
			sql = xasprintf("UPDATE %s SET nk = %s WHERE staff_id > %lld", alias, key, (long long)off);
			rc = store_exec(st, sql, cause);
			free(sql);
			free(key);
			free(alias);
		}
		if (rc != JZG_OK)
			goto out;
	}
	if ((rc = link_one(st, bid, code, cause)) != JZG_OK)
		goto out;
	{
		int n = 0, k = 0;
		char *sql = xasprintf("SELECT people FROM baseline WHERE id = %lld", (long long)bid);

		store_int(st->db, sql, &n);
		free(sql);
		sql = xasprintf("SELECT count(*) FROM b_staff WHERE baseline_id = %lld AND staff_id IS NOT NULL", (long long)bid);
		store_int(st->db, sql, &k);
		free(sql);
		*people = n;
		*linked = k;
	}
out:
	strbuf_free(&b);
	sqlite3_free(q);
	return rc;
}

/* Is path a template source (a folder, .xlsx or ZIP) rather than a jzg
 * file?  -1 with a cause when it is neither or cannot be read. */
static int
template_source(const char *path, char **cause)
{
	struct stat sb;
	char head[16] = { 0 };
	FILE *fp;
	size_t n;

	if (stat(path, &sb) != 0) {
		jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到基线来源 %s：%s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode))
		return 1;
	if ((fp = fopen(path, "rb")) == NULL) {
		jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s", path, strerror(errno));
		return -1;
	}
	n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	if (n == sizeof head && memcmp(head, "SQLite format 3", 16) == 0)
		return 0;
	if (n >= 2 && head[0] == 'P' && head[1] == 'K')
		return 1;
	jzg_fail(cause, JZG_ERR_FOREIGN, "%s 既不是 jzg 数据文件，也不是填好的采集模板（.xlsx、文件夹或 ZIP），未做任何改动", path);
	return -1;
}

/* Read the templates at path into a new temporary jzg file; *tmp gets its
 * path (caller removes it and its folder, then frees). */
static enum jzg_status
import_to_temp(struct store *st, const char *path, const struct baseline_opts *o, char **tmp, char **cause)
{
	const char *td = getenv("TMPDIR");
	char *dir = xasprintf("%s/jzg-baseline-XXXXXX", td && *td ? td : "/tmp");
	struct store *ts = NULL;
	struct import_opts io = { .school = o->school, .finding = o->finding, .finding_arg = o->finding_arg };
	struct import_result ir = { 0 };
	enum jzg_status rc;

	*tmp = NULL;
	if (mkdtemp(dir) == NULL) {
		rc = jzg_fail(cause, JZG_ERR_IO, "无法建立临时文件夹 %s：%s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	*tmp = xasprintf("%s/baseline.db", dir);
	free(dir);
	if ((rc = audit_open(*tmp, st->defs, STORE_CREATE, &ts, cause)) != JZG_OK)
		return rc;
	audit_set(ts, audit_actor(st), 0, AUDIT_PATH_IMPORT);
	rc = import_path(ts, path, &io, &ir, cause);
	store_close(ts);
	if (rc == JZG_ERR_INVALID || (rc == JZG_OK && ir.persons == 0)) {
		free(*cause);
		*cause = NULL;
		rc = jzg_fail(cause, JZG_ERR_INVALID, ir.persons == 0 && rc == JZG_OK ?
		    "%s 中没有可作基线的人员，未做任何改动" :
		    "%s 中的模板有错误（见上），未做任何改动；请改正后重新设置基线", path);
	}
	return rc;
}

static void
remove_temp(char *tmp)
{
	char *slash;

	if (tmp == NULL)
		return;
	unlink(tmp);
	if ((slash = strrchr(tmp, '/')) != NULL) {
		*slash = '\0';
		rmdir(tmp);
	}
	free(tmp);
}

/* The same file as st's?  (Taking this file's own data as its baseline.) */
static int
same_file(const struct store *st, const char *path)
{
	struct stat a, b;

	return stat(st->path, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The source's definitions version (meta forms_version), or NULL. */
static char *
source_version(struct store *st, const char *sch)
{
	char *sql = sqlite3_mprintf("SELECT value FROM \"%w\".meta WHERE key = 'forms_version'", sch);
	sqlite3_stmt *q;
	char *v = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
			v = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	sqlite3_free(sql);
	return v;
}

static enum jzg_status
set_from(struct store *st, const char *path, const char *sch, const char *shown, const struct baseline_opts *o,
    struct baseline_result *r, char **cause)
{
	struct store_colset cs;
	sqlite3_stmt *q = NULL;
	enum jzg_status rc;
	char *sql, *version = source_version(st, sch);
	const char *label = o->label && *o->label ? o->label : "上年";
	int n = 0;

	(void)path;
	if (version != NULL && st->defs->version != 0 && atoi(version) > st->defs->version) {
		rc = jzg_fail(cause, JZG_ERR_NEWER, "%s 是按 %s 年版指标定义录入的，本程序的指标定义是 %d 年版，"
		    "请用新版的指标定义（forms）设置基线；未做任何改动", shown, version, st->defs->version);
		free(version);
		return rc;
	}
	if (store_colset_load(st->db, sch, &cs) != SQLITE_OK) {
		free(version);
		return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏，未做任何改动", shown);
	}
	sql = sqlite3_mprintf("SELECT c.code, (SELECT count(*) FROM main.school m WHERE m.code = c.code)"
	    " FROM \"%w\".school c WHERE %Q IS NULL OR c.code = %Q ORDER BY c.code", sch, o->school, o->school);
	rc = store_prepare(st, sql, &q, cause);
	sqlite3_free(sql);
	if (rc == JZG_OK)
		rc = store_exec(st, "BEGIN IMMEDIATE", cause);
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		long people = 0, linked = 0;

		n++;
		rc = copy_school(st, sch, &cs, (const char *)sqlite3_column_text(q, 0), label, shown, version,
		    &people, &linked, cause);
		r->people += people;
		r->linked += linked;
		r->schools++;
		if (sqlite3_column_int(q, 1) == 0)
			r->absent++;
	}
	if (rc == JZG_OK && n == 0)
		rc = o->school ? jzg_fail(cause, JZG_ERR_NOTFOUND, "%s 中没有学校 %s，未做任何改动", shown, o->school) :
		    jzg_fail(cause, JZG_ERR_NOTFOUND, "%s 中没有任何学校，未做任何改动", shown);
	if (rc == JZG_OK)
		rc = store_exec(st, "COMMIT", cause);
	if (rc != JZG_OK) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		r->schools = 0;
		r->people = r->linked = 0;
		r->absent = 0;
	}
	if (q != NULL)
		sqlite3_finalize(q);
	store_colset_free(&cs);
	free(version);
	return rc;
}

enum jzg_status
baseline_set(struct store *st, const char *source, const struct baseline_opts *o, struct baseline_result *r,
    char **cause)
{
	char *tmp = NULL, *sql;
	const char *path = source, *sch = SRC;
	struct store *probe = NULL;
	enum jzg_status rc;
	int kind;

	memset(r, 0, sizeof *r);
	if ((kind = template_source(source, cause)) < 0)
		return JZG_ERR_INVALID;
	if (kind == 1) {
		if ((rc = import_to_temp(st, source, o, &tmp, cause)) != JZG_OK) {
			remove_temp(tmp);
			return rc;
		}
		path = tmp;
	}
	if (kind == 0 && same_file(st, source))
		sch = "main";
	else {
		/* identity and version checked as any file is opened, read-only */
		if ((rc = store_open(path, st->defs, STORE_READONLY, &probe, cause)) != JZG_OK) {
			remove_temp(tmp);
			return rc;
		}
		store_close(probe);
		sql = sqlite3_mprintf("ATTACH %Q AS " SRC, path);
		rc = store_exec(st, sql, cause);
		sqlite3_free(sql);
		if (rc != JZG_OK) {
			remove_temp(tmp);
			return rc;
		}
	}
	rc = set_from(st, path, sch, source, o, r, cause);
	if (strcmp(sch, SRC) == 0)
		sqlite3_exec(st->db, "DETACH " SRC, NULL, NULL, NULL);
	remove_temp(tmp);
	return rc;
}
