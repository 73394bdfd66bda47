/* merge.c — see merge.h. */
#include "merge.h"
#include "merge_digest.h"
#include "merge_photo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "trust.h"
#include "entry.h"
#include "migrate.h"
#include "fieldtype.h"
#include "util.h"

/* file: URI of a path, every byte outside the unreserved set escaped, so
 * that '?' or '#' in a file name cannot become URI syntax. */
static char *
file_uri(const char *path)
{
	struct strbuf b = { 0 };

	strbuf_adds(&b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			strbuf_addc(&b, (char)*p);
		else
			strbuf_addf(&b, "%%%02X", *p);
	strbuf_adds(&b, "?mode=ro");
	return strbuf_take(&b);
}

/* A source found damaged, when ATTACH reads its schema or the merge its
 * rows: the same words either way. */
static enum jzg_status
damaged(const char *path, char **cause)
{
	return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏，未合并任何数据；请让学校重新导出（jzg pack）", path);
}

/* store_exec of an xasprintf'd statement, which it frees. */
static enum jzg_status
exec_free(struct store *st, char *sql, char **cause)
{
	enum jzg_status rc = store_exec(st, sql, cause);

	free(sql);
	return rc;
}

enum jzg_status
merge_attach(struct store *st, const char *path, const char *sch, const char *undone, char **cause)
{
	char head[16];
	FILE *fp = fopen(path, "rb");
	size_t n;
	char *uri, *sql;
	int appid = 0, ver = 0, fv, rc;
	enum jzg_status why = JZG_ERR_FOREIGN;

	if (fp == NULL)
		return jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s", path, strerror(errno));
	n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
		return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 不是 jzg 数据文件，%s", path, undone);
	uri = file_uri(path);
	sql = sqlite3_mprintf("ATTACH %Q AS %s", uri, sch);
	free(uri);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	/* ATTACH reads the file's schema: damage there shows now */
	if ((rc & 0xFF) == SQLITE_CORRUPT || (rc & 0xFF) == SQLITE_NOTADB)
		return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏，%s；请让学校重新导出（jzg pack）", path, undone);
	if (rc != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s，%s", path, store_errstr(rc), undone);
	/* PRAGMA src.x, not pragma_x('src'): the table-valued form returns 0
	 * for an attached file (tech.md §7). */
	sql = sqlite3_mprintf("PRAGMA %s.application_id", sch);
	rc = store_int(st->db, sql, &appid);
	sqlite3_free(sql);
	if (rc == SQLITE_OK) {
		sql = sqlite3_mprintf("PRAGMA %s.user_version", sch);
		rc = store_int(st->db, sql, &ver);
		sqlite3_free(sql);
	}
	if (rc != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏或不是数据库（%s），%s", path, store_errstr(rc), undone);
		goto refuse;
	}
	if (appid != STORE_APPLICATION_ID) {
		jzg_fail(cause, JZG_ERR_FOREIGN, "%s 是其他程序的文件，不是 jzg 数据文件，%s", path, undone);
		goto refuse;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		why = jzg_fail(cause, JZG_ERR_NEWER, "%s 由更新版本的 jzg 写入（文件版本 %d，本程序支持到 %d），请升级 jzg 后再试；%s",
		    path, ver, STORE_SCHEMA_VERSION, undone);
		goto refuse;
	}
	if (ver < STORE_SCHEMA_VERSION) {
		why = jzg_fail(cause, JZG_ERR_NEWER, "%s 是旧版本文件（版本 %d），请先用本程序打开一次（jzg --db %s school list）升级后再试；%s",
		    path, ver, path, undone);
		goto refuse;
	}
	/* keyed with other definitions: copied as they are, its old field
	 * names and replaced codes would be lost or kept stale; opening it
	 * once migrates it through forms/renames.tsv (or says why not) */
	if ((fv = migrate_file_version(st, sch)) != 0 && st->defs->version != 0 && fv != st->defs->version) {
		why = fv > st->defs->version ?
		    jzg_fail(cause, JZG_ERR_NEWER, "%s 是按 %d 年版指标定义录入的，本程序的指标定义是 %d 年版，请用新版的指标定义"
		    "（forms）合并；%s", path, fv, st->defs->version, undone) :
		    jzg_fail(cause, JZG_ERR_NEWER, "%s 是按 %d 年版指标定义录入的，本程序的指标定义是 %d 年版：请先用本程序打开它一次"
		    "（jzg --db %s school list），按 forms/renames.tsv 迁移后再试；%s", path, fv, st->defs->version, path, undone);
		goto refuse;
	}
	return JZG_OK;
refuse:
	sql = sqlite3_mprintf("DETACH %s", sch);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	return why;
}

/* ------------------------------------------------------------ one file */

/* A merge run: the source files in batches (one transaction each), and
 * what every file of the run shares. */
struct merge_run {
	struct store             *st;
	enum merge_take           take;
	const struct merge_hooks *h;
	char                   ***main_cols;  /* per set: our data columns, NULL-terminated */
	int                       mute;       /* a file merged again: conflicts were told */
	char                     *cols_key;   /* the last file's set tables, as created */
	char                    **cols;       /* and its columns (file_cols) */
	int                       bulk;       /* a batch committed with the INSERT triggers dropped */
};

/* Our data columns of every set (not id, staff_id, seq: keys and
 * positions), once per run; they are the same for every file.  Returns
 * the SQLite result. */
static int
load_main_cols(struct merge_run *run)
{
	const struct defs *d = run->st->defs;
	int rc = SQLITE_OK;

	run->main_cols = xcalloc(d->nall, sizeof *run->main_cols);
	for (size_t i = 0; i < d->nall; i++) {
		char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info('s_%q', 'main') WHERE name NOT IN "
		    "('id', 'staff_id', 'seq') ORDER BY cid", d->all[i].v[SC_NAME]);
		sqlite3_stmt *q;
		size_t n = 0;

		run->main_cols[i] = xcalloc(1, sizeof *run->main_cols[i]);
		if (rc == SQLITE_OK && (rc = sqlite3_prepare_v2(run->st->db, sql, -1, &q, NULL)) == SQLITE_OK) {
			while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
				run->main_cols[i] = xreallocarray(run->main_cols[i], n + 2, sizeof *run->main_cols[i]);
				run->main_cols[i][n++] = xstrdup((const char *)sqlite3_column_text(q, 0));
				run->main_cols[i][n] = NULL;
			}
			sqlite3_finalize(q);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
		sqlite3_free(sql);
	}
	return rc;
}

static void
free_main_cols(struct merge_run *run)
{
	for (size_t i = 0; run->main_cols != NULL && i < run->st->defs->nall; i++) {
		for (char **c = run->main_cols[i]; *c; c++)
			free(*c);
		free(run->main_cols[i]);
	}
	free(run->main_cols);
}

/* The columns of every set both files have, quoted and comma-separated
 * (NULL: none), in our order, in *out.  A school's file may predate a
 * field the definitions added since, or keep one they removed.  A schema
 * that cannot be read fails: reading it as "no columns" would add people
 * without their records. */
static char **
cols_dup(const struct defs *d, char *const *cols)
{
	char **c = xcalloc(d->nall, sizeof *c);

	for (size_t i = 0; i < d->nall; i++)
		c[i] = cols[i] ? xstrdup(cols[i]) : NULL;
	return c;
}

static void free_cols(const struct defs *d, char **cols);

static enum jzg_status
file_cols(struct merge_run *run, const char *sch, char ***out, char **cause)
{
	const struct defs *d = run->st->defs;
	char **cols, *key = NULL, *sql;
	struct store_colset cs;
	sqlite3_stmt *q;
	int rc;

	*out = NULL;
	/* The schools' files of a run are mostly made by the same jzg: their
	 * set tables' CREATE statements (which ALTER TABLE rewrites) match
	 * the last file's, and so do its columns; reading them from
	 * sqlite_master costs a tenth of reading every table's columns. */
	sql = sqlite3_mprintf("SELECT group_concat(name || ':' || sql, ';') FROM (SELECT name, sql FROM "
	    "\"%w\".sqlite_master WHERE type = 'table' AND name LIKE 's\\_%%' ESCAPE '\\' ORDER BY name)", sch);
	rc = sqlite3_prepare_v2(run->st->db, sql, -1, &q, NULL);
	sqlite3_free(sql);
	if (rc == SQLITE_OK) {
		if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			key = xstrdup(sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "");
			rc = SQLITE_OK;
		}
		sqlite3_finalize(q);
	}
	if (rc != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "读取来源文件的表结构失败：%s", store_errstr(rc));
	if (run->cols_key != NULL && str_eq(key, run->cols_key)) {
		free(key);
		*out = cols_dup(d, run->cols);
		return JZG_OK;
	}
	rc = store_colset_load(run->st->db, sch, &cs);
	if (rc != SQLITE_OK) {
		free(key);
		store_colset_free(&cs);
		return jzg_fail(cause, JZG_ERR_DB, "读取来源文件的表结构失败：%s", store_errstr(rc));
	}
	*out = cols = xcalloc(d->nall, sizeof *cols);
	for (size_t i = 0; i < d->nall; i++) {
		char *t = xasprintf("s_%s", d->all[i].v[SC_NAME]);
		struct strbuf b = { 0 };

		for (char **c = run->main_cols[i]; *c; c++)
			if (store_colset_has(&cs, t, *c))
				strbuf_addf(&b, "%s\"%s\"", b.len ? "," : "", *c);
		cols[i] = b.len ? strbuf_take(&b) : NULL;
		free(t);
	}
	store_colset_free(&cs);
	free(run->cols_key);
	free_cols(d, run->cols);
	run->cols_key = key;
	run->cols = cols_dup(d, cols);
	return JZG_OK;
}

static void
free_cols(const struct defs *d, char **cols)
{
	for (size_t i = 0; cols != NULL && i < d->nall; i++)
		free(cols[i]);
	free(cols);
}

/* Report the differing fields of one person in set s; returns how many. */
static int
diff_set(struct merge_run *run, const char *sch, const struct set_def *s, const char *cols, sqlite3_int64 mine,
    sqlite3_int64 theirs, const char *person)
{
	struct store *st = run->st;
	char *sql = xasprintf("SELECT %s FROM %%s.\"s_%s\" WHERE staff_id = ?1%s", cols, s->v[SC_NAME],
	    s->many ? " ORDER BY seq, id" : "");
	char *qa = xasprintf(sql, "main"), *qb = xasprintf(sql, sch);
	sqlite3_stmt *a = NULL, *b = NULL;
	int na = 0, nb = 0, row = 0, ra, rb, ndiff = 0;
	merge_conflict_cb cb = run->mute ? NULL : run->h->conflict;

	free(sql);
	if (sqlite3_prepare_v2(st->db, qa, -1, &a, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, qb, -1, &b, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(a, 1, mine);
	sqlite3_bind_int64(b, 1, theirs);
	for (;;) {
		ra = sqlite3_step(a) == SQLITE_ROW;
		rb = sqlite3_step(b) == SQLITE_ROW;
		na += ra;
		nb += rb;
		if (!ra || !rb)
			break;
		row++;
		for (int c = 0; c < sqlite3_column_count(a); c++) {
			const char *x = (const char *)sqlite3_column_text(a, c);
			const char *y = (const char *)sqlite3_column_text(b, c);

			if (!str_eq(x, y)) {
				const struct field_def *f = set_field(s, sqlite3_column_name(a, c));
				struct merge_conflict mc = { person, s->v[SC_LABEL], s->many ? row : 0,
					f ? f->v[FC_LABEL] : sqlite3_column_name(a, c), x ? x : "", y ? y : "" };

				ndiff++;
				if (cb != NULL)
					cb(&mc, run->h->arg);
			}
		}
	}
	while (ra && sqlite3_step(a) == SQLITE_ROW)
		na++;
	while (rb && sqlite3_step(b) == SQLITE_ROW)
		nb++;
	if (na != nb) {
		char x[32], y[32];
		struct merge_conflict mc = { person, s->v[SC_LABEL], 0, NULL, x, y };

		snprintf(x, sizeof x, "%d 条", na);
		snprintf(y, sizeof y, "%d 条", nb);
		ndiff++;
		if (cb != NULL)
			cb(&mc, run->h->arg);
	}
out:
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	free(qa);
	free(qb);
	return ndiff;
}

/* " AND text_ok(…)" over the text fields of set s among cols (quoted,
 * comma-separated), read through alias t, or "" (caller frees): put in
 * the WHERE of a statement that copies the set's rows, so that every text
 * a file brings is judged (text.h) without a second pass over the rows.
 * A file made by jzg is always clean; one changed with sqlite3 could carry
 * an Esc or invalid UTF-8 into the county's file and its exports.  Coded,
 * date and number fields have their rules, checked like every value. */
static char *
text_cond(const struct set_def *s, const char *cols)
{
	struct strbuf labels = { 0 }, vals = { 0 };
	char *r;

	for (size_t j = 0; cols != NULL && j < s->nfield; j++) {
		const struct field_def *f = &s->field[j];
		char *name;

		if (f->type != FT_TEXT)
			continue;
		name = xasprintf("\"%s\"", f->v[FC_NAME]);
		if (strstr(cols, name) != NULL) {
			strbuf_addf(&labels, "%s%s", labels.len ? "|" : "", f->v[FC_LABEL]);
			strbuf_addf(&vals, ", t.%s", name);
		}
		free(name);
	}
	if (vals.len == 0)
		r = xstrdup("");
	else {
		char *q = sqlite3_mprintf(" AND text_ok(%Q, %Q%s)", s->v[SC_LABEL], labels.s, vals.s);

		r = xstrdup(q);
		sqlite3_free(q);
	}
	strbuf_free(&labels);
	strbuf_free(&vals);
	return r;
}

/* Replace our records of person mine by the source's (take theirs).  One-
 * record sets are updated in place so the trail shows field by field.
 * Whole rows, not entry_set: the values went through the entry path in the
 * file they come from, derived fields included (docs/design.md §3a). */
static enum jzg_status
take_theirs(struct store *st, const char *sch, const struct set_def *s, const char *cols, sqlite3_int64 mine,
    sqlite3_int64 theirs, char **cause)
{
	char *sql, *tc = text_cond(s, cols);

	if (s->many)
		sql = xasprintf("DELETE FROM main.\"s_%1$s\" WHERE staff_id = %3$lld;"
		    "INSERT INTO main.\"s_%1$s\"(staff_id, seq, %2$s) SELECT %3$lld, seq, %2$s FROM %5$s.\"s_%1$s\" t "
		    "WHERE staff_id = %4$lld%6$s ORDER BY seq, id", s->v[SC_NAME], cols, (long long)mine, (long long)theirs,
		    sch, tc);
	else
		sql = xasprintf("UPDATE main.\"s_%1$s\" SET (%2$s) = (SELECT %2$s FROM %5$s.\"s_%1$s\" t "
		    "WHERE staff_id = %4$lld%6$s) "
		    "WHERE staff_id = %3$lld AND EXISTS (SELECT 1 FROM %5$s.\"s_%1$s\" WHERE staff_id = %4$lld);"
		    "INSERT INTO main.\"s_%1$s\"(staff_id, %2$s) SELECT %3$lld, %2$s FROM %5$s.\"s_%1$s\" t "
		    "WHERE staff_id = %4$lld%6$s AND NOT EXISTS (SELECT 1 FROM main.\"s_%1$s\" WHERE staff_id = %3$lld)",
		    s->v[SC_NAME], cols, (long long)mine, (long long)theirs, sch, tc);
	free(tc);
	return exec_free(st, sql, cause);
}

/* temp.merge_map: source id → our id (existing by key, or new) and what
 * the person is: 'new', 'same' or (later) 'conflict'. */
static enum jzg_status
build_map(struct store *st, const char *sch, char **cause)
{
	const struct defs *d = st->defs;
	const char *ps = d->setting[SK_PERSON_SET], *id = d->setting[SK_PERSON_ID], *nm = d->setting[SK_PERSON_NAME];
	enum jzg_status rc;
	char *sql;
	int base = 0;

	/* Our people of the file's schools first, with an index of their own:
	 * one look-up per source person then stays one look-up however many
	 * other schools share a 身份证件号, and a school new to the county
	 * costs nothing.  The CASE picks 身份证件号, else 姓名 (no number).
	 * The temp tables stay from file to file, emptied, not dropped:
	 * creating and dropping them changed the temp schema (which holds the
	 * audit triggers) four times per file.  k and nm have no declared
	 * type, so they compare as the columns they are copied from. */
	store_int(st->db, "SELECT ifnull(max(id), 0) FROM main.staff", &base);
	sql = xasprintf("CREATE TEMP TABLE IF NOT EXISTS merge_map(src_id INTEGER PRIMARY KEY, dst_id INTEGER, "
	    "school_id INTEGER, status TEXT);DELETE FROM temp.merge_map;"
	    "CREATE TEMP TABLE IF NOT EXISTS merge_ours(school_id INTEGER, k, nm, staff_id INTEGER);"
	    "CREATE INDEX IF NOT EXISTS temp.merge_ours_k ON merge_ours(school_id, k);"
	    "CREATE INDEX IF NOT EXISTS temp.merge_ours_nm ON merge_ours(school_id, nm);"
	    "DELETE FROM temp.merge_ours;"
	    "INSERT INTO temp.merge_ours SELECT ds.school_id, d.\"%2$s\", d.\"%3$s\", d.staff_id "
	    "FROM main.staff ds JOIN main.\"s_%1$s\" d ON d.staff_id = ds.id WHERE ds.school_id IN "
	    "(SELECT ms.id FROM main.school ms JOIN %4$s.school ss ON ss.code = ms.code)", ps, id, nm, sch);
	if ((rc = exec_free(st, sql, cause)) != JZG_OK)
		return rc;
	/* A new person's id: after our last, in the source's order.  None of
	 * the file's schools has anyone here yet (a school's first merge, the
	 * usual case): everyone is new, and nobody's 身份证件号 need be read. */
	if (sqlite3_changes(st->db) == 0) {
		sqlite3_stmt *q;
		int lo = 0, hi = 0, n = 0;

		/* ids without gaps (a school's file as jzg writes it): by an
		 * offset, the same ids the window gives, without its sort */
		sql = xasprintf("SELECT min(s.id), max(s.id), count(*) FROM %s.staff s JOIN %s.school ss ON ss.id = s.school_id "
		    "JOIN main.school ms ON ms.code = ss.code", sch, sch);
		rc = store_prepare(st, sql, &q, cause);
		free(sql);
		if (rc != JZG_OK)
			return rc;
		if (sqlite3_step(q) == SQLITE_ROW) {
			lo = sqlite3_column_int(q, 0);
			hi = sqlite3_column_int(q, 1);
			n = sqlite3_column_int(q, 2);
		}
		sqlite3_finalize(q);
		return exec_free(st, n > 0 && hi - lo == n - 1 ?
		    xasprintf("INSERT INTO temp.merge_map SELECT s.id, s.id + %d, ms.id, 'new' FROM %s.staff s JOIN %s.school ss "
		    "ON ss.id = s.school_id JOIN main.school ms ON ms.code = ss.code", base + 1 - lo, sch, sch) :
		    xasprintf("INSERT INTO temp.merge_map SELECT s.id, %d + row_number() OVER (ORDER BY s.id), "
		    "ms.id, 'new' FROM %s.staff s JOIN %s.school ss ON ss.id = s.school_id JOIN main.school ms "
		    "ON ms.code = ss.code", base, sch, sch), cause);
	}
	/* The window keeps the subquery whole, so the look-ups run once a
	 * person. */
	sql = xasprintf("INSERT INTO temp.merge_map SELECT src_id, ifnull(dst_id, %5$d + row_number() OVER "
	    "(PARTITION BY dst_id IS NULL ORDER BY src_id)), school_id, CASE WHEN dst_id IS NULL THEN 'new' ELSE "
	    "'same' END FROM (SELECT s.id AS src_id, CASE WHEN ifnull(p.\"%2$s\", '') <> '' THEN "
	    "(SELECT min(o.staff_id) FROM temp.merge_ours o WHERE o.school_id = ms.id AND o.k = p.\"%2$s\") ELSE "
	    "(SELECT min(o.staff_id) FROM temp.merge_ours o WHERE o.school_id = ms.id AND o.nm IS p.\"%3$s\" "
	    "AND ifnull(o.k, '') = '') END AS dst_id, ms.id AS school_id FROM %4$s.staff s JOIN %4$s.school ss "
	    "ON ss.id = s.school_id JOIN main.school ms ON ms.code = ss.code LEFT JOIN %4$s.\"s_%1$s\" p "
	    "ON p.staff_id = s.id);"
	    "DELETE FROM temp.merge_ours;", ps, id, nm, sch, base);
	return exec_free(st, sql, cause);
}

/* A person found on both sides, and everything recorded for them on each
 * side, as bytes: for every set with records, its number, then each
 * value of each record by its text (as diff_set compares), NULL apart
 * from '', records in position order (seq, then id — the order diff_set
 * pairs them in).  Equal bytes, identical person. */
struct twin {
	sqlite3_int64 src_id, dst_id;
	struct strbuf side[2];    /* 0 ours, 1 theirs; one set at a time */
	size_t        set_at[2];  /* 1 + the set last added to side, 0: none */
	int           differs;
};

static int
twin_src_cmp(const void *a, const void *b)
{
	const struct twin *x = a, *y = b;

	return x->src_id < y->src_id ? -1 : x->src_id > y->src_id;
}

static int
twin_dst_cmp(const void *a, const void *b)
{
	const struct twin *x = *(struct twin *const *)a, *y = *(struct twin *const *)b;

	return x->dst_id < y->dst_id ? -1 : x->dst_id > y->dst_id;
}

/* Add the records of set i of every twin on one side to their bytes:
 * one ordered pass over the set (an index range per person), instead
 * of a comparison per person and set, which cost more than adding the
 * people (docs/workflow.md §Benchmark). */
static enum jzg_status
twin_read(struct store *st, const char *sch, int side, size_t i, const char *cols, struct twin *tw, size_t n,
    struct twin **by_dst, char **cause)
{
	const struct set_def *s = &st->defs->all[i];
	char *sql = xasprintf("SELECT staff_id, %s FROM %s.\"s_%s\" WHERE staff_id IN (SELECT %s FROM temp.merge_map "
	    "WHERE status = 'same') ORDER BY staff_id%s", cols, side ? sch : "main", s->v[SC_NAME],
	    side ? "src_id" : "dst_id", s->many ? ", seq, id" : "");
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, sql, &q, cause);
	struct twin key, *kp = &key, *t, **pt;
	int r;

	free(sql);
	if (rc != JZG_OK)
		return rc;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		key.src_id = key.dst_id = sqlite3_column_int64(q, 0);
		if (side)
			t = bsearch(&key, tw, n, sizeof *tw, twin_src_cmp);
		else
			t = (pt = bsearch(&kp, by_dst, n, sizeof *by_dst, twin_dst_cmp)) ? *pt : NULL;
		if (t == NULL)
			continue;
		if (t->set_at[side] != i + 1) {
			unsigned set = (unsigned)i;

			t->set_at[side] = i + 1;
			strbuf_addc(&t->side[side], 'S');
			strbuf_add(&t->side[side], (const char *)&set, sizeof set);
		}
		strbuf_addc(&t->side[side], 'R');
		for (int c = 1; c < sqlite3_column_count(q); c++) {
			const char *v = (const char *)sqlite3_column_text(q, c);
			unsigned len;

			if (v == NULL) {
				strbuf_addc(&t->side[side], 'N');
				continue;
			}
			len = (unsigned)sqlite3_column_bytes(q, c);
			strbuf_addc(&t->side[side], 'T');
			strbuf_add(&t->side[side], (const char *)&len, sizeof len);
			strbuf_add(&t->side[side], v, len);
		}
	}
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "比较人员记录失败：%s", sqlite3_errmsg(st->db));
	return JZG_OK;
}

/* People found on both sides: 'conflict' where any set differs. */
static enum jzg_status
find_conflicts(struct store *st, const char *sch, char **cols, char **cause)
{
	const struct defs *d = st->defs;
	enum jzg_status rc = JZG_OK;
	struct twin *tw = NULL, **by_dst = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *q, *upd = NULL;

	if ((rc = store_prepare(st, "SELECT src_id, dst_id FROM temp.merge_map WHERE status = 'same' ORDER BY src_id",
	    &q, cause)) != JZG_OK)
		return rc;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			tw = xreallocarray(tw, cap, sizeof *tw);
		}
		memset(&tw[n], 0, sizeof tw[n]);
		tw[n].src_id = sqlite3_column_int64(q, 0);
		tw[n].dst_id = sqlite3_column_int64(q, 1);
		n++;
	}
	sqlite3_finalize(q);
	if (n == 0)
		return JZG_OK;
	by_dst = xcalloc(n, sizeof *by_dst);
	for (size_t k = 0; k < n; k++)
		by_dst[k] = &tw[k];
	xqsort(by_dst, n, sizeof *by_dst, twin_dst_cmp);
	/* set by set, so that a big source holds one set in memory, not all */
	for (size_t i = 0; i < d->nall && rc == JZG_OK; i++) {
		for (int side = 0; side < 2 && rc == JZG_OK && cols[i] != NULL; side++)
			rc = twin_read(st, sch, side, i, cols[i], tw, n, by_dst, cause);
		for (size_t k = 0; k < n; k++) {
			struct twin *t = &tw[k];

			t->differs |= t->side[0].len != t->side[1].len ||
			    (t->side[0].len && memcmp(t->side[0].s, t->side[1].s, t->side[0].len) != 0);
			t->side[0].len = t->side[1].len = 0;
		}
	}
	if (rc == JZG_OK)
		rc = store_prepare(st, "UPDATE temp.merge_map SET status = 'conflict' WHERE src_id = ?1", &upd, cause);
	for (size_t k = 0; k < n; k++) {
		if (rc == JZG_OK && tw[k].differs) {
			sqlite3_bind_int64(upd, 1, tw[k].src_id);
			if (sqlite3_step(upd) != SQLITE_DONE)
				rc = jzg_fail(cause, JZG_ERR_DB, "比较人员记录失败：%s", sqlite3_errmsg(st->db));
			sqlite3_reset(upd);
		}
		strbuf_free(&tw[k].side[0]);
		strbuf_free(&tw[k].side[1]);
	}
	sqlite3_finalize(upd);
	free(by_dst);
	free(tw);
	return rc;
}

/* New people: bulk copy with the trail off; the county's trail gets one
 * row per person saying it was merged, from which file.  The school's own
 * keying trail stays in the school's file and is not copied: a person
 * keyed through the client has ~300 trail rows (one per value), and
 * copying them for 200 such files made the county file 3.2 GB and the
 * merge 26 s instead of 4 s (docs/workflow.md, merge audit granularity).
 * Row-by-row triggers would write one audit row per record and cost more
 * than the copy; the batch runs with the INSERT triggers
 * dropped (audit_bulk_begin), the rest are off here.  INSERT OR ROLLBACK:
 * a constraint failure (which the computed ids cannot cause) ends the
 * transaction and merge_batch redoes the batch without this file, so
 * SQLite need keep no statement journal for these many-row inserts. */
static enum jzg_status
add_new(struct store *st, const char *sch, const char *path, char **cols, struct merge_result *res, char **cause)
{
	const struct defs *d = st->defs;
	const char *fname = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct strbuf b = { 0 };
	enum jzg_status rc;
	sqlite3_stmt *q;
	char *sql, *explained = NULL;
	int dense = 0, lo = 0, hi = 0, off = 0, has[4] = { 1, 1, 1, 1 }, nnew = 0, nsame = 0, dlo = 0, dhi = 0, nin = -1;

	audit_enable(st, 0);
	strbuf_addf(&b, "INSERT OR ROLLBACK INTO main.staff(id, school_id, state, created, updated) SELECT m.dst_id, m.school_id, "
	    "s.state, s.created, s.updated FROM %s.staff s JOIN temp.merge_map m ON m.src_id = s.id WHERE m.status = 'new';",
	    sch);
	/* A file whose people are all new, with ids without gaps (the usual
	 * school file), maps by an offset: its records are copied by a range
	 * scan without a look-up in merge_map per record.  The unary + keeps
	 * the scan in record order (not the (staff_id, seq) index and a sort).
	 * The same pass counts the new and the same people, and the new
	 * ones' ids (after our last, without gaps: build_map). */
	if ((rc = store_prepare(st, "SELECT count(*) > 0 AND count(*) = sum(status = 'new') AND max(src_id) - min(src_id) = "
	    "count(*) - 1 AND min(dst_id - src_id) = max(dst_id - src_id), min(src_id), max(src_id), min(dst_id - src_id), "
	    "ifnull(sum(status = 'new'), 0), ifnull(sum(status = 'same'), 0), min(iif(status = 'new', dst_id, NULL)), "
	    "max(iif(status = 'new', dst_id, NULL)) FROM temp.merge_map", &q, cause)) != JZG_OK) {
		strbuf_free(&b);
		audit_enable(st, 1);
		return rc;
	}
	if (sqlite3_step(q) == SQLITE_ROW) {
		dense = sqlite3_column_int(q, 0);
		lo = sqlite3_column_int(q, 1);
		hi = sqlite3_column_int(q, 2);
		off = sqlite3_column_int(q, 3);
		nnew = sqlite3_column_int(q, 4);
		nsame = sqlite3_column_int(q, 5);
		dlo = sqlite3_column_int(q, 6);
		dhi = sqlite3_column_int(q, 7);
	}
	sqlite3_finalize(q);
	for (size_t i = 0; i < d->nall; i++) {
		const char *sn = d->all[i].v[SC_NAME];
		char *tc;

		if (cols[i] == NULL)
			continue;
		tc = text_cond(&d->all[i], cols[i]);
		if (dense)
			strbuf_addf(&b, "INSERT OR ROLLBACK INTO main.\"s_%1$s\"(staff_id, %5$s%2$s) SELECT t.staff_id + %4$d, %6$s%2$s FROM "
			    "%3$s.\"s_%1$s\" t WHERE +t.staff_id BETWEEN %7$d AND %8$d%10$s%9$s;", sn, cols[i], sch, off,
			    d->all[i].many ? "seq, " : "", d->all[i].many ? "t.seq, " : "", lo, hi,
			    d->all[i].many ? " ORDER BY t.id" : "", tc);
		else if (d->all[i].many)
			strbuf_addf(&b, "INSERT OR ROLLBACK INTO main.\"s_%1$s\"(staff_id, seq, %2$s) SELECT m.dst_id, t.seq, %2$s FROM "
			    "%3$s.\"s_%1$s\" t JOIN temp.merge_map m ON m.src_id = t.staff_id WHERE m.status = 'new'%4$s ORDER BY t.id;",
			    sn, cols[i], sch, tc);
		else
			strbuf_addf(&b, "INSERT OR ROLLBACK INTO main.\"s_%1$s\"(staff_id, %2$s) SELECT m.dst_id, %2$s FROM "
			    "%3$s.\"s_%1$s\" t JOIN temp.merge_map m ON m.src_id = t.staff_id WHERE m.status = 'new'%4$s;",
			    sn, cols[i], sch, tc);
		free(tc);
	}
	/* What the file brings besides its records, only where it has any:
	 * each statement costs a parse per file, the explanations' one most. */
	/* (the sets explained, '|'-separated, for the explanations' CASE) */
	sql = xasprintf("SELECT EXISTS (SELECT 1 FROM %1$s.explanation), EXISTS (SELECT 1 FROM %1$s.signature), "
	    "EXISTS (SELECT 1 FROM %1$s.review), EXISTS (SELECT 1 FROM %1$s.photo), "
	    "(SELECT '|' || group_concat(DISTINCT set_name, '|') || '|' FROM %1$s.explanation)", sch);
	if (store_prepare(st, sql, &q, NULL) == JZG_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			for (int k = 0; k < 4; k++)
				has[k] = sqlite3_column_int(q, k);
			explained = sqlite3_column_text(q, 4) ? xstrdup((const char *)sqlite3_column_text(q, 4)) : NULL;
		}
		sqlite3_finalize(q);
	}
	free(sql);
	/* Explanations: a many-record set's row_key is the record id, found
	 * again by its position (seq); a WHEN only for the sets the file
	 * explains (a sub-query each, parsed per file).  No record found:
	 * NULL, which row_key's NOT NULL makes INSERT OR IGNORE skip. */
	if (has[0]) {
		strbuf_adds(&b, "INSERT OR IGNORE INTO main.explanation(staff_id, rule, set_name, row_key, reason, created) "
		    "SELECT m.dst_id, e.rule, e.set_name, CASE e.set_name");
		for (size_t i = 0; i < d->nall; i++) {
			char *bar = xasprintf("|%s|", d->all[i].v[SC_NAME]);

			if (d->all[i].many && cols[i] != NULL && (explained == NULL || strstr(explained, bar) != NULL))
				strbuf_addf(&b, " WHEN '%1$s' THEN (SELECT x.id FROM main.\"s_%1$s\" x WHERE x.staff_id = m.dst_id "
				    "AND x.seq = (SELECT y.seq FROM %2$s.\"s_%1$s\" y WHERE y.id = e.row_key) ORDER BY x.id LIMIT 1)",
				    d->all[i].v[SC_NAME], sch);
			free(bar);
		}
		strbuf_addf(&b, " ELSE m.dst_id END, e.reason, e.created FROM %s.explanation e JOIN temp.merge_map m "
		    "ON m.src_id = e.staff_id WHERE m.status = 'new' AND text_ok('警告说明', '理由', e.reason);", sch);
	}
	free(explained);
	if (has[1])
		strbuf_addf(&b, "INSERT OR ROLLBACK INTO main.signature(staff_id, code, signed_on, recorded) SELECT m.dst_id, "
		    "g.code, g.signed_on, g.recorded FROM %s.signature g JOIN temp.merge_map m ON m.src_id = g.staff_id "
		    "WHERE m.status = 'new' ORDER BY g.id;", sch);
	if (has[2])
		strbuf_addf(&b, "INSERT OR ROLLBACK INTO main.review(staff_id, at, actor, from_state, to_state, reason) "
		    "SELECT m.dst_id, r.at, r.actor, r.from_state, r.to_state, r.reason FROM %s.review r JOIN temp.merge_map m "
		    "ON m.src_id = r.staff_id WHERE m.status = 'new' AND text_ok('审核记录', '理由', r.reason) ORDER BY r.id;", sch);
	if (has[3]) {
		char *ph = merge_photo_new_sql(sch);

		strbuf_adds(&b, ph);
		free(ph);
	}
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	audit_enable(st, 1);
	if (rc != JZG_OK)
		return rc;
	/* what the foreign keys (off during a merge) would have caught: a
	 * new person's records without the person (the new ids are ours
	 * from dlo to dhi, none of them taken before) */
	sql = xasprintf("SELECT count(*) FROM main.staff WHERE id BETWEEN %d AND %d", dlo, dhi);
	store_int(st->db, sql, &nin);
	free(sql);
	if (nnew > 0 && (dhi - dlo != nnew - 1 || nin != nnew))
		return jzg_fail(cause, JZG_ERR_DB, "内部错误：合并 %s 时有 %d 人的记录没有对应的人员，未合并任何数据", path,
		    nnew - (nin > 0 ? nin : 0));
	res->added += nnew;
	res->same += nsame;
	sql = sqlite3_mprintf("INSERT OR ROLLBACK INTO main.audit(actor, path, behalf, staff_id, set_name, row_id, op, "
	    "field, new) SELECT audit_who(), audit_path(), CASE WHEN audit_county() THEN (SELECT code FROM "
	    "main.school WHERE id = m.school_id) END, m.dst_id, 'staff', m.dst_id, 'insert', 'file', %Q "
	    "FROM temp.merge_map m WHERE m.status = 'new'", fname);
	rc = store_exec(st, sql, cause);
	sqlite3_free(sql);
	return rc;
}

/* Conflicts: report field by field; take theirs where allowed. */
static enum jzg_status
settle_conflicts(struct merge_run *run, const char *sch, char **cols, struct merge_result *res, char **cause)
{
	struct store *st = run->st;
	const struct defs *d = st->defs;
	enum jzg_status rc;
	sqlite3_stmt *q;
	int triggers = 0;
	char *sql = xasprintf("SELECT m.dst_id, m.src_id, p.\"%s\" || ' ' || ifnull(p.\"%s\", ''), "
	    "(SELECT state FROM main.staff WHERE id = m.dst_id) IN ('approved','signed') FROM temp.merge_map m "
	    "LEFT JOIN %s.\"s_%s\" p ON p.staff_id = m.src_id WHERE m.status = 'conflict' ORDER BY m.src_id",
	    d->setting[SK_PERSON_NAME], d->setting[SK_PERSON_ID], sch, d->setting[SK_PERSON_SET]);

	rc = store_prepare(st, sql, &q, cause);
	free(sql);
	if (rc != JZG_OK)
		return rc;
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		sqlite3_int64 mine = sqlite3_column_int64(q, 0), theirs = sqlite3_column_int64(q, 1);
		char *person = xstrdup((const char *)sqlite3_column_text(q, 2));
		int locked = sqlite3_column_int(q, 3);
		char *differs = xcalloc(d->nall, 1);

		int photo;

		for (size_t i = 0; i < d->nall; i++)
			if (cols[i] != NULL)
				differs[i] = diff_set(run, sch, &d->all[i], cols[i], mine, theirs, person ? person : "") > 0;
		{
			char *pa, *pb;

			if ((photo = merge_photo_diff(st, sch, mine, theirs, &pa, &pb)) != 0) {
				struct merge_conflict mc = { person ? person : "", "照片", 0, "照片", pa, pb };

				if (!run->mute && run->h->conflict != NULL)
					run->h->conflict(&mc, run->h->arg);
				free(pa);
				free(pb);
			}
		}
		if (run->take == MERGE_TAKE_THEIRS && !locked) {
			/* only the sets that differ, so the trail shows the real
			 * change; with every trigger, field by field */
			if (!triggers && (rc = audit_bulk_end(st, cause)) == JZG_OK)
				triggers = 1;
			for (size_t i = 0; i < d->nall && rc == JZG_OK; i++)
				if (differs[i])
					rc = take_theirs(st, sch, &d->all[i], cols[i], mine, theirs, cause);
			if (rc == JZG_OK && photo)
				rc = merge_photo_take(st, sch, mine, theirs, cause);
			if (rc == JZG_OK)
				rc = entry_touch(st, mine, cause);   /* the person's data changed here */
			res->replaced++;
		} else {
			if (run->take == MERGE_TAKE_THEIRS && run->h->conflict != NULL && !run->mute) {
				struct merge_conflict mc = { person ? person : "", "", 0,
					"（本文件中此人已审核锁定，未采用来源文件的值；须由管理员解锁后再合并）", "", "" };

				run->h->conflict(&mc, run->h->arg);
			}
			res->conflicts++;
		}
		free(differs);
		free(person);
	}
	sqlite3_finalize(q);
	if (triggers && rc == JZG_OK)
		rc = audit_bulk_begin(st, cause);
	return rc;
}

/* The file's school names (a small table: a pass of its own).  The
 * reasons of reviews and explanations are judged as they are copied
 * (add_new), like every value of the sets: a second pass over them cost
 * more than judging them there. */
static enum jzg_status
check_text(struct store *st, const char *sch, const char *path, char **cause)
{
	char *sql = xasprintf("SELECT count(*) FROM %s.school WHERE NOT text_ok('学校', '名称|标识码', name, code) "
	    "OR trim(name, ' 　') = ''", sch);
	enum jzg_status rc = JZG_OK;
	sqlite3_stmt *q;
	int r;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		rc = jzg_fail(cause, JZG_ERR_DB, "%s", sqlite3_errmsg(st->db));
	else if ((r = sqlite3_step(q)) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0)
		rc = jzg_fail(cause, JZG_ERR_INVALID, "%s 中的学校名称为空或只有空格，未合并任何数据", path);
	else if (r != SQLITE_ROW)
		rc = jzg_fail(cause, JZG_ERR_INVALID, "%s 中%s，未合并任何数据", path, sqlite3_errmsg(st->db));
	sqlite3_finalize(q);
	free(sql);
	return rc;
}

static enum jzg_status
merge_attached(struct merge_run *run, const char *sch, const char *path, struct merge_result *res, char **cause)
{
	struct store *st = run->st;
	char **cols, *sql, *dkey = NULL, *dnow = NULL;
	enum jzg_status rc;
	sqlite3_stmt *q;

	if ((rc = file_cols(run, sch, &cols, cause)) != JZG_OK)
		return rc;
	if ((rc = check_text(st, sch, path, cause)) != JZG_OK)
		goto out;
	/* Schools: the same code must mean the same template. */
	sql = xasprintf("SELECT s.code, s.template, m.template FROM %s.school s JOIN main.school m "
	    "ON m.code = s.code WHERE m.template <> s.template LIMIT 1", sch);
	rc = store_prepare(st, sql, &q, cause);
	free(sql);
	if (rc != JZG_OK)
		goto out;
	if (sqlite3_step(q) == SQLITE_ROW) {
		rc = jzg_fail(cause, JZG_ERR_INVALID, "%s 中学校 %s 的模板（%s）与本文件（%s）不同，未合并任何数据", path,
		    sqlite3_column_text(q, 0), sqlite3_column_text(q, 1), sqlite3_column_text(q, 2));
		sqlite3_finalize(q);
		goto out;
	}
	sqlite3_finalize(q);
	/* the same file again, nothing changed on either side since its clean
	 * merge: every person identical, nothing to read */
	if (merge_digest_same(st, sch, path, &dkey, &dnow) == 1) {
		res->same = merge_digest_people(st, sch);
		goto out;
	}
	/* a school file changed outside jzg, or whose history differs from
	 * the last merge, is refused (trust.h); one unchanged since its clean
	 * merge was checked then (its digest covers the file's header) */
	if ((rc = trust_merge_check(st, sch, path, cause)) != JZG_OK)
		goto out;
	sql = xasprintf("INSERT INTO main.school(code, name, template, expected_staff) SELECT code, name, "
	    "template, expected_staff FROM %s.school s WHERE NOT EXISTS (SELECT 1 FROM main.school m WHERE m.code = s.code)",
	    sch);
	if ((rc = exec_free(st, sql, cause)) != JZG_OK)
		goto out;
	res->schools_added += sqlite3_changes(st->db);

	if ((rc = build_map(st, sch, cause)) != JZG_OK ||
	    (rc = find_conflicts(st, sch, cols, cause)) != JZG_OK ||
	    (rc = merge_photo_conflicts(st, sch, cause)) != JZG_OK ||
	    (rc = add_new(st, sch, path, cols, res, cause)) != JZG_OK)
		goto out;
	rc = settle_conflicts(run, sch, cols, res, cause);
	if (rc == JZG_OK && res->conflicts == 0 && dkey != NULL)
		rc = merge_digest_record(st, sch, dkey, dnow, cause);
out:
	free(dkey);
	free(dnow);
	free_cols(st->defs, cols);
	return rc;
}

/* ------------------------------------------------------------ batches */

/* Is path the county file itself (by name or by inode)? */
static int
is_self(struct store *st, const char *path)
{
	struct stat a, b;

	if (str_eq(path, st->path))
		return 1;
	return stat(path, &a) == 0 && stat(st->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Merge one attached file inside the batch's transaction.  Damage shows
 * when the rows are read: the message names the file. */
static enum jzg_status
merge_one(struct merge_run *run, const char *sch, const char *path, struct merge_result *r, char **cause)
{
	enum jzg_status rc;
	int e;

	memset(r, 0, sizeof *r);
	if ((rc = merge_attached(run, sch, path, r, cause)) == JZG_OK)
		return JZG_OK;
	/* text_ok's refusal (text_cond) comes back as a database error */
	if (rc == JZG_ERR_DB && cause != NULL && *cause != NULL && strstr(*cause, "（不是经本程序录入的值）") != NULL) {
		const char *open = strstr(*cause, "（"), *close = strstr(*cause, "（不是经本程序录入的值）");
		char *what = open ? xstrndup(open + strlen("（"), (size_t)(close - open) - strlen("（")) : xstrdup(*cause);

		rc = jzg_fail(cause, JZG_ERR_INVALID, "%s 中%s（不是经本程序录入的值），未合并任何数据", path, what);
		free(what);
		return rc;
	}
	e = sqlite3_errcode(run->st->db) & 0xFF;
	if (e == SQLITE_CORRUPT || e == SQLITE_NOTADB)
		rc = damaged(path, cause);
	return rc;
}

/* The batch's transaction, with the INSERT triggers dropped until its
 * end (a rollback brings them back). */
static enum jzg_status
begin_batch(struct store *st, char **cause)
{
	enum jzg_status rc = store_exec(st, "BEGIN IMMEDIATE", cause);

	if (rc == JZG_OK && (rc = audit_bulk_begin(st, cause)) != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* A file of a batch: where it stands, and what its hook was told. */
struct batch_file {
	char                sch[16];
	int                 attached;
	enum { BF_PENDING, BF_MERGED, BF_FAILED } state;
	enum { BF_UNTOLD, BF_TOLD_OK, BF_TOLD_FAILED } told;
	struct merge_result r, told_r;
	enum jzg_status     rc;
	char               *cause;
};

/* Tell the hook what became of file i, unless it knows already. */
static void
tell(struct merge_run *run, struct batch_file *f, int i, const char *path)
{
	if (f->state == BF_MERGED && f->told == BF_UNTOLD) {
		f->told_r = f->r;
		f->told = BF_TOLD_OK;
		run->h->done(i, path, JZG_OK, &f->r, NULL, run->h->arg);
	} else if (f->state == BF_FAILED && f->told == BF_TOLD_OK) {
		char *why = xasprintf("%s；%s 的合并已撤销，请重新合并", f->cause ? f->cause : "合并失败", path);

		f->told = BF_TOLD_FAILED;
		run->h->done(i, path, f->rc, &f->told_r, why, run->h->arg);
		free(why);
	} else if (f->state == BF_FAILED && f->told == BF_UNTOLD) {
		f->told = BF_TOLD_FAILED;
		run->h->done(i, path, f->rc, NULL, f->cause, run->h->arg);
	}
}

/* Files first..first+n-1, attached together, in one transaction: the
 * batch costs one commit (two fsyncs) instead of one per file.  Its rows
 * are linked into the hash chain before it commits; the INSERT triggers
 * come back only after the last batch (last), so that the ~30 of them are
 * parsed once a run, not once a batch (a rollback leaves them as they
 * were when the batch began: run->bulk).  A file
 * that fails rolls the whole batch back, is dropped, and the files merged
 * before it are merged again, without telling their hooks twice.  (A
 * savepoint per file would keep the others, but its journal copied every
 * page each file touched that the batch had touched before: a cost paid
 * by every merge, for a failure that is rare.) */
static enum jzg_status
merge_batch(struct merge_run *run, char *const path[], int first, int n, int last)
{
	struct store *st = run->st;
	struct batch_file *f = xcalloc((size_t)n, sizeof *f);
	enum jzg_status worst = JZG_OK;
	int in_txn;

	/* ATTACH and DETACH cannot happen inside a transaction: every file of
	 * the batch is identified (and refused) before it begins. */
	for (int k = 0; k < n; k++) {
		snprintf(f[k].sch, sizeof f[k].sch, "src%d", k);
		if (is_self(st, path[k]))
			f[k].rc = jzg_fail(&f[k].cause, JZG_ERR_INVALID, "%s 就是当前数据文件，不能合并到自身", path[k]);
		else
			f[k].rc = merge_attach(st, path[k], f[k].sch, "未合并任何数据", &f[k].cause);
		f[k].attached = f[k].rc == JZG_OK;
		f[k].state = f[k].attached ? BF_PENDING : BF_FAILED;
	}
again:
	in_txn = 0;
	for (int k = 0; k < n; k++) {
		if (f[k].state == BF_PENDING) {
			if (!in_txn && (f[k].rc = begin_batch(st, &f[k].cause)) != JZG_OK)
				f[k].state = BF_FAILED;
			else {
				in_txn = 1;
				/* a file merged again after a rollback reports nothing new */
				run->mute = f[k].told == BF_TOLD_OK;
				f[k].rc = merge_one(run, f[k].sch, path[k], &f[k].r, &f[k].cause);
				run->mute = 0;
				f[k].state = f[k].rc == JZG_OK ? BF_MERGED : BF_FAILED;
				if (f[k].state == BF_FAILED) {
					char *sql = sqlite3_mprintf("DETACH %s", f[k].sch);

					sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
					sqlite3_exec(st->db, sql, NULL, NULL, NULL);
					sqlite3_free(sql);
					f[k].attached = 0;
					for (int j = 0; j < k; j++)
						if (f[j].state == BF_MERGED)
							f[j].state = BF_PENDING;
					worst = f[k].rc;
					tell(run, &f[k], first + k, path[k]);
					goto again;
				}
			}
		}
		if (f[k].state == BF_FAILED)
			worst = f[k].rc;
		tell(run, &f[k], first + k, path[k]);
	}
	if (in_txn) {
		char *cause = NULL;
		enum jzg_status rc = last ? audit_bulk_end(st, &cause) : audit_bulk_link(st, &cause);

		if (rc == JZG_OK && (rc = store_exec(st, "COMMIT", &cause)) == JZG_OK)
			run->bulk = !last;

		if (rc != JZG_OK) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			worst = rc;
			for (int k = 0; k < n; k++)
				if (f[k].state == BF_MERGED) {
					f[k].state = BF_FAILED;
					f[k].rc = rc;
					free(f[k].cause);
					f[k].cause = xstrdup(cause);
					tell(run, &f[k], first + k, path[k]);
				}
		}
		free(cause);
	}
	for (int k = 0; k < n; k++) {
		if (f[k].attached) {
			char *sql = sqlite3_mprintf("DETACH %s", f[k].sch);

			sqlite3_exec(st->db, sql, NULL, NULL, NULL);
			sqlite3_free(sql);
		}
		free(f[k].cause);
	}
	free(f);
	return worst;
}

enum jzg_status
merge_files(struct store *st, int n, char *const path[], enum merge_take take, const struct merge_hooks *h)
{
	struct merge_run run = { st, take, h, NULL, 0, NULL, NULL, 0 };
	int lim = sqlite3_limit(st->db, SQLITE_LIMIT_ATTACHED, -1);
	enum jzg_status worst = JZG_OK, rc;
	int e, fk = 1;

	/* Foreign keys are checked per inserted record, a tenth of a merge's
	 * time; the merge inserts records only for people it inserted in the
	 * same statement list (and add_new checks that), so the checks are off
	 * while it runs (the pragma is ignored inside a transaction). */
	store_int(st->db, "PRAGMA foreign_keys", &fk);
	sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	/* A county file outgrows SQLite's default 2 MB page cache quickly; the
	 * indexes touched by every merged person then come from disk. */
	sqlite3_exec(st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if ((e = load_main_cols(&run)) != SQLITE_OK) {
		char *why = xasprintf("读取本文件的表结构失败（%s），未合并任何数据", store_errstr(e));

		for (int i = 0; i < n; i++)
			h->done(i, path[i], JZG_ERR_DB, NULL, why, h->arg);
		free(why);
		worst = JZG_ERR_DB;
		goto out;
	}
	if (lim < 1)
		lim = 1;
	for (int i = 0; i < n; i += lim)
		if ((rc = merge_batch(&run, path + i, i, n - i < lim ? n - i : lim, i + lim >= n)) != JZG_OK)
			worst = rc;
	/* the last batch did not commit: the triggers back in a transaction
	 * of their own (no row to link) */
	if (run.bulk) {
		if (store_exec(st, "BEGIN IMMEDIATE", NULL) == JZG_OK) {
			if (audit_bulk_begin(st, NULL) == JZG_OK && audit_bulk_end(st, NULL) == JZG_OK &&
			    store_exec(st, "COMMIT", NULL) == JZG_OK)
				run.bulk = 0;
			else
				sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		}
		if (run.bulk && worst == JZG_OK)
			worst = JZG_ERR_DB;
	}
out:
	if (fk)
		sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	free_main_cols(&run);
	free(run.cols_key);
	free_cols(st->defs, run.cols);
	return worst;
}

/* merge_file: the outcome of its one file. */
struct one_file {
	merge_conflict_cb   cb;
	void               *arg;
	struct merge_result r;
	char              **cause;
	enum jzg_status     rc;
};

static void
one_conflict(const struct merge_conflict *c, void *arg)
{
	struct one_file *o = arg;

	if (o->cb != NULL)
		o->cb(c, o->arg);
}

static void
one_done(int i, const char *path, enum jzg_status rc, const struct merge_result *r, const char *cause, void *arg)
{
	struct one_file *o = arg;

	(void)i;
	(void)path;
	o->rc = rc;
	if (rc == JZG_OK)
		o->r = *r;
	else
		jzg_fail(o->cause, rc, "%s", cause ? cause : jzg_strstatus(rc));
}

enum jzg_status
merge_file(struct store *st, const char *path, enum merge_take take, merge_conflict_cb cb, void *arg,
    struct merge_result *res, char **cause)
{
	struct one_file o = { cb, arg, { 0 }, cause, JZG_OK };
	struct merge_hooks h = { one_conflict, one_done, &o };
	char *p = (char *)path;

	merge_files(st, 1, &p, take, &h);
	if (o.rc == JZG_OK) {
		res->schools_added += o.r.schools_added;
		res->added += o.r.added;
		res->same += o.r.same;
		res->conflicts += o.r.conflicts;
		res->replaced += o.r.replaced;
	}
	return o.rc;
}
