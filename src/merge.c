/* merge.c — see merge.h. */
#include "merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "pack.h"
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

static int
int_of(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL);

	*out = 0;
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Attach path as src, read-only, after checking what it is. */
static enum jzg_status
attach_source(struct store *st, const char *path, char **cause)
{
	char head[16];
	FILE *fp = fopen(path, "rb");
	size_t n;
	char *uri, *sql;
	int appid = 0, ver = 0, rc;
	enum jzg_status why = JZG_ERR_FOREIGN;

	if (fp == NULL)
		return jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s", path, strerror(errno));
	n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
		return jzg_fail(cause, JZG_ERR_FOREIGN, "%s 不是 jzg 数据文件，未合并任何数据", path);
	uri = file_uri(path);
	sql = sqlite3_mprintf("ATTACH %Q AS src", uri);
	free(uri);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_IO, "无法打开 %s：%s，未合并任何数据", path, store_errstr(rc));
	/* PRAGMA src.x, not pragma_x('src'): the table-valued form returns 0
	 * for an attached file (tech.md §7). */
	if ((rc = int_of(st, "PRAGMA src.application_id", &appid)) != SQLITE_OK ||
	    (rc = int_of(st, "PRAGMA src.user_version", &ver)) != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏或不是数据库（%s），未合并任何数据", path, store_errstr(rc));
		goto refuse;
	}
	if (appid != STORE_APPLICATION_ID) {
		jzg_fail(cause, JZG_ERR_FOREIGN, "%s 是其他程序的文件，不是 jzg 数据文件，未合并任何数据", path);
		goto refuse;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		why = jzg_fail(cause, JZG_ERR_NEWER, "%s 由更新版本的 jzg 写入（文件版本 %d，本程序支持到 %d），请升级 jzg 后再合并；未合并任何数据",
		    path, ver, STORE_SCHEMA_VERSION);
		goto refuse;
	}
	if (ver < STORE_SCHEMA_VERSION) {
		why = jzg_fail(cause, JZG_ERR_NEWER, "%s 是旧版本文件（版本 %d），请先用本程序打开一次（jzg --db %s school list）升级后再合并",
		    path, ver, path);
		goto refuse;
	}
	return JZG_OK;
refuse:
	sqlite3_exec(st->db, "DETACH src", NULL, NULL, NULL);
	return why;
}

/* SQL of the source people (src_id) of merge_map still 'same' whose set s
 * differs from ours: one join per set over the people of this file, rows
 * of a many-record set paired by position (seq order).  Run both ways for
 * rows one side lacks. */
static char *
differ_sql(const struct set_def *s, const char *cols, int reverse)
{
	struct strbuf b = { 0 };
	char *c = xstrdup(cols), *tok, *save = NULL;
	const char *sn = s->v[SC_NAME];
	const char *ma = reverse ? "dst_id" : "src_id", *mb = reverse ? "src_id" : "dst_id";
	const char *sa = reverse ? "main" : "src", *sb = reverse ? "src" : "main";

	if (s->many)
		strbuf_addf(&b, "SELECT m.src_id FROM temp.merge_map m JOIN (SELECT staff_id, row_number() OVER "
		    "(PARTITION BY staff_id ORDER BY seq, id) AS rn, %2$s FROM %3$s.\"s_%1$s\" WHERE staff_id IN "
		    "(SELECT %5$s FROM temp.merge_map WHERE status = 'same')) a ON a.staff_id = m.%5$s LEFT JOIN "
		    "(SELECT staff_id, row_number() OVER (PARTITION BY staff_id ORDER BY seq, id) AS rn, %2$s FROM "
		    "%4$s.\"s_%1$s\" WHERE staff_id IN (SELECT %6$s FROM temp.merge_map WHERE status = 'same')) b "
		    "ON b.staff_id = m.%6$s AND b.rn = a.rn WHERE m.status = 'same' AND (b.staff_id IS NULL",
		    sn, cols, sa, sb, ma, mb);
	else
		strbuf_addf(&b, "SELECT m.src_id FROM temp.merge_map m JOIN %2$s.\"s_%1$s\" a ON a.staff_id = m.%4$s "
		    "LEFT JOIN %3$s.\"s_%1$s\" b ON b.staff_id = m.%5$s WHERE m.status = 'same' AND (b.staff_id IS NULL",
		    sn, sa, sb, ma, mb);
	for (tok = strtok_r(c, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		strbuf_addf(&b, " OR a.%s IS NOT b.%s", tok, tok);
	strbuf_adds(&b, ")");
	free(c);
	return strbuf_take(&b);
}

/* Report the differing fields of one person in set s; returns how many. */
static int
diff_set(struct store *st, const struct set_def *s, const char *cols, sqlite3_int64 mine, sqlite3_int64 theirs,
    const char *person, merge_conflict_cb cb, void *arg)
{
	char *sql = xasprintf("SELECT %s FROM %%s.\"s_%s\" WHERE staff_id = ?1%s", cols, s->v[SC_NAME],
	    s->many ? " ORDER BY seq, id" : "");
	char *qa = xasprintf(sql, "main"), *qb = xasprintf(sql, "src");
	sqlite3_stmt *a = NULL, *b = NULL;
	int na = 0, nb = 0, row = 0, ra, rb, ndiff = 0;

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
					cb(&mc, arg);
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
			cb(&mc, arg);
	}
out:
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	free(qa);
	free(qb);
	return ndiff;
}

/* Replace our records of person mine by the source's (take theirs).  One-
 * record sets are updated in place so the trail shows field by field. */
static enum jzg_status
take_theirs(struct store *st, const struct set_def *s, const char *cols, sqlite3_int64 mine,
    sqlite3_int64 theirs, char **cause)
{
	char *sql;
	enum jzg_status rc;

	if (s->many)
		sql = xasprintf("DELETE FROM main.\"s_%1$s\" WHERE staff_id = %3$lld;"
		    "INSERT INTO main.\"s_%1$s\"(staff_id, seq, %2$s) SELECT %3$lld, seq, %2$s FROM src.\"s_%1$s\" "
		    "WHERE staff_id = %4$lld ORDER BY seq, id", s->v[SC_NAME], cols, (long long)mine, (long long)theirs);
	else
		sql = xasprintf("UPDATE main.\"s_%1$s\" SET (%2$s) = (SELECT %2$s FROM src.\"s_%1$s\" WHERE staff_id = %4$lld) "
		    "WHERE staff_id = %3$lld AND EXISTS (SELECT 1 FROM src.\"s_%1$s\" WHERE staff_id = %4$lld);"
		    "INSERT INTO main.\"s_%1$s\"(staff_id, %2$s) SELECT %3$lld, %2$s FROM src.\"s_%1$s\" "
		    "WHERE staff_id = %4$lld AND NOT EXISTS (SELECT 1 FROM main.\"s_%1$s\" WHERE staff_id = %3$lld)",
		    s->v[SC_NAME], cols, (long long)mine, (long long)theirs);
	rc = store_exec(st, sql, cause);
	free(sql);
	return rc;
}

static enum jzg_status
merge_attached(struct store *st, const char *path, enum merge_take take, merge_conflict_cb cb, void *arg,
    struct merge_result *res, char **cause)
{
	const struct defs *d = st->defs;
	const char *ps = d->setting[SK_PERSON_SET];
	struct strbuf b = { 0 };
	enum jzg_status rc;
	char **cols = xcalloc(d->nall, sizeof *cols);
	sqlite3_stmt *q;
	int base = 0, n;
	const char *fname = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	/* Schools: the same code must mean the same template. */
	if ((rc = store_prepare(st, "SELECT s.code, s.template, m.template FROM src.school s JOIN main.school m "
	    "ON m.code = s.code WHERE m.template <> s.template LIMIT 1", &q, cause)) != JZG_OK)
		goto out;
	if (sqlite3_step(q) == SQLITE_ROW) {
		rc = jzg_fail(cause, JZG_ERR_INVALID, "%s 中学校 %s 的模板（%s）与本文件（%s）不同，未合并任何数据", path,
		    sqlite3_column_text(q, 0), sqlite3_column_text(q, 1), sqlite3_column_text(q, 2));
		sqlite3_finalize(q);
		goto out;
	}
	sqlite3_finalize(q);
	if ((rc = store_exec(st, "INSERT INTO main.school(code, name, template, expected_staff) SELECT code, name, "
	    "template, expected_staff FROM src.school s WHERE NOT EXISTS (SELECT 1 FROM main.school m WHERE m.code = s.code)",
	    cause)) != JZG_OK)
		goto out;
	res->schools_added += sqlite3_changes(st->db);

	/* The person map: source id → our id (existing by key, or new).  The
	 * CASE picks one indexed look-up per person (身份证件号, else 姓名);
	 * a condition mixing both would scan the county's people per row. */
	{
		const char *id = d->setting[SK_PERSON_ID], *nm = d->setting[SK_PERSON_NAME];

		strbuf_addf(&b, "CREATE TEMP TABLE IF NOT EXISTS merge_map(src_id INTEGER PRIMARY KEY, dst_id INTEGER, "
		    "school_id INTEGER, status TEXT);DELETE FROM temp.merge_map;"
		    "INSERT INTO temp.merge_map SELECT s.id, CASE WHEN ifnull(p.\"%2$s\", '') <> '' THEN "
		    "(SELECT d.staff_id FROM main.\"s_%1$s\" d JOIN main.staff ds ON ds.id = d.staff_id "
		    "WHERE d.\"%2$s\" = p.\"%2$s\" AND ds.school_id = ms.id LIMIT 1) ELSE "
		    "(SELECT d.staff_id FROM main.\"s_%1$s\" d JOIN main.staff ds ON ds.id = d.staff_id "
		    "WHERE d.\"%3$s\" IS p.\"%3$s\" AND ifnull(d.\"%2$s\", '') = '' AND ds.school_id = ms.id LIMIT 1) END, "
		    "ms.id, NULL FROM src.staff s JOIN src.school ss ON ss.id = s.school_id JOIN main.school ms ON "
		    "ms.code = ss.code LEFT JOIN src.\"s_%1$s\" p ON p.staff_id = s.id;"
		    "UPDATE temp.merge_map SET status = CASE WHEN dst_id IS NULL THEN 'new' ELSE 'same' END;", ps, id, nm);
	}
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	if (rc != JZG_OK)
		goto out;
	int_of(st, "SELECT ifnull(max(id), 0) FROM main.staff", &base);
	{
		char *sql = xasprintf("UPDATE temp.merge_map SET dst_id = %d + x.r FROM (SELECT src_id, row_number() "
		    "OVER (ORDER BY src_id) AS r FROM temp.merge_map WHERE status = 'new') x "
		    "WHERE x.src_id = merge_map.src_id", base);

		rc = store_exec(st, sql, cause);
		free(sql);
		if (rc != JZG_OK)
			goto out;
	}

	/* Same or conflicting: compare every set as a whole. */
	for (size_t i = 0; i < d->nall; i++) {
		char *t = xasprintf("s_%s", d->all[i].v[SC_NAME]), *ca, *cb_, *sql;

		cols[i] = pack_common_columns(st, "main", "src", t, "staff_id");
		free(t);
		if (cols[i] != NULL && d->all[i].many) {
			/* id and seq are positions, not data */
			char *c2 = pack_common_columns(st, "main", "src", t = xasprintf("s_%s", d->all[i].v[SC_NAME]), "id");
			struct strbuf nb = { 0 };
			char *save = NULL;

			free(t);
			for (char *tok = strtok_r(c2, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (strcmp(tok, "\"staff_id\"") != 0 && strcmp(tok, "\"seq\"") != 0)
					strbuf_addf(&nb, "%s%s", nb.len ? "," : "", tok);
			free(c2);
			free(cols[i]);
			cols[i] = nb.len ? strbuf_take(&nb) : NULL;
		}
		if (cols[i] == NULL)
			continue;
		ca = differ_sql(&d->all[i], cols[i], 0);
		cb_ = differ_sql(&d->all[i], cols[i], 1);
		sql = xasprintf("UPDATE temp.merge_map SET status = 'conflict' WHERE status = 'same' AND src_id IN "
		    "(%s UNION %s)", ca, cb_);
		rc = store_exec(st, sql, cause);
		free(sql);
		free(ca);
		free(cb_);
		if (rc != JZG_OK)
			goto out;
	}

	/* New people: bulk copy with the trail off (their history comes from
	 * the source file, plus one row per person saying it was merged). */
	audit_enable(st, 0);
	strbuf_adds(&b, "INSERT INTO main.staff(id, school_id, state, created, updated) SELECT m.dst_id, m.school_id, "
	    "'draft', s.created, s.updated FROM src.staff s JOIN temp.merge_map m ON m.src_id = s.id WHERE m.status = 'new';");
	for (size_t i = 0; i < d->nall; i++) {
		const char *sn = d->all[i].v[SC_NAME];

		if (cols[i] == NULL)
			continue;
		if (d->all[i].many)
			strbuf_addf(&b, "INSERT INTO main.\"s_%1$s\"(staff_id, seq, %2$s) SELECT m.dst_id, t.seq, %3$s FROM "
			    "src.\"s_%1$s\" t JOIN temp.merge_map m ON m.src_id = t.staff_id WHERE m.status = 'new' ORDER BY t.id;",
			    sn, cols[i], cols[i]);
		else
			strbuf_addf(&b, "INSERT INTO main.\"s_%1$s\"(staff_id, %2$s) SELECT m.dst_id, %2$s FROM "
			    "src.\"s_%1$s\" t JOIN temp.merge_map m ON m.src_id = t.staff_id WHERE m.status = 'new';", sn, cols[i]);
	}
	/* Explanations: a many-record set's row_key is the record id, found
	 * again by its position (seq). */
	strbuf_adds(&b, "INSERT OR IGNORE INTO main.explanation(staff_id, rule, set_name, row_key, reason, created) "
	    "SELECT * FROM (SELECT m.dst_id, e.rule, e.set_name, CASE e.set_name");
	for (size_t i = 0; i < d->nall; i++)
		if (d->all[i].many && cols[i] != NULL)
			strbuf_addf(&b, " WHEN '%1$s' THEN (SELECT x.id FROM main.\"s_%1$s\" x WHERE x.staff_id = m.dst_id AND "
			    "x.seq = (SELECT y.seq FROM src.\"s_%1$s\" y WHERE y.id = e.row_key) ORDER BY x.id LIMIT 1)",
			    d->all[i].v[SC_NAME]);
	strbuf_adds(&b, " ELSE m.dst_id END AS rk, e.reason, e.created FROM src.explanation e JOIN temp.merge_map m "
	    "ON m.src_id = e.staff_id WHERE m.status = 'new') WHERE rk IS NOT NULL;"
	    "INSERT INTO main.signature(staff_id, code, signed_on, recorded) SELECT m.dst_id, g.code, g.signed_on, "
	    "g.recorded FROM src.signature g JOIN temp.merge_map m ON m.src_id = g.staff_id WHERE m.status = 'new' ORDER BY g.id;"
	    "INSERT INTO main.review(staff_id, at, actor, from_state, to_state, reason) SELECT m.dst_id, r.at, r.actor, "
	    "r.from_state, r.to_state, r.reason FROM src.review r JOIN temp.merge_map m ON m.src_id = r.staff_id "
	    "WHERE m.status = 'new' ORDER BY r.id;"
	    "INSERT INTO main.audit(at, actor, path, behalf, staff_id, set_name, row_id, op, field, old, new) "
	    "SELECT a.at, a.actor, a.path, a.behalf, m.dst_id, a.set_name, a.row_id, a.op, a.field, a.old, a.new "
	    "FROM src.audit a JOIN temp.merge_map m ON m.src_id = a.staff_id WHERE m.status = 'new' ORDER BY a.id;"
	    "UPDATE main.staff SET state = x.state FROM (SELECT m.dst_id, s.state FROM src.staff s JOIN temp.merge_map m "
	    "ON m.src_id = s.id WHERE m.status = 'new') x WHERE staff.id = x.dst_id;");
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	audit_enable(st, 1);
	if (rc != JZG_OK)
		goto out;
	{
		char *sql = sqlite3_mprintf("INSERT INTO main.audit(actor, path, behalf, staff_id, set_name, row_id, op, "
		    "field, new) SELECT audit_who(), audit_path(), CASE WHEN audit_county() THEN (SELECT code FROM "
		    "main.school WHERE id = m.school_id) END, m.dst_id, 'staff', m.dst_id, 'insert', 'file', %Q "
		    "FROM temp.merge_map m WHERE m.status = 'new'", fname);

		rc = store_exec(st, sql, cause);
		sqlite3_free(sql);
		if (rc != JZG_OK)
			goto out;
	}
	int_of(st, "SELECT count(*) FROM temp.merge_map WHERE status = 'new'", &n);
	res->added += n;
	int_of(st, "SELECT count(*) FROM temp.merge_map WHERE status = 'same'", &n);
	res->same += n;

	/* Conflicts: report field by field; take theirs where allowed. */
	{
		char *sql = xasprintf("SELECT m.dst_id, m.src_id, p.\"%s\" || ' ' || ifnull(p.\"%s\", ''), "
		    "(SELECT state FROM main.staff WHERE id = m.dst_id) IN ('approved','signed') FROM temp.merge_map m "
		    "LEFT JOIN src.\"s_%s\" p ON p.staff_id = m.src_id WHERE m.status = 'conflict' ORDER BY m.src_id",
		    d->setting[SK_PERSON_NAME], d->setting[SK_PERSON_ID], ps);

		rc = store_prepare(st, sql, &q, cause);
		free(sql);
		if (rc != JZG_OK)
			goto out;
	}
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		sqlite3_int64 mine = sqlite3_column_int64(q, 0), theirs = sqlite3_column_int64(q, 1);
		char *person = xstrdup((const char *)sqlite3_column_text(q, 2));
		int locked = sqlite3_column_int(q, 3);

		char *differs = xcalloc(d->nall, 1);

		for (size_t i = 0; i < d->nall; i++)
			if (cols[i] != NULL)
				differs[i] = diff_set(st, &d->all[i], cols[i], mine, theirs, person ? person : "", cb, arg) > 0;
		if (take == MERGE_TAKE_THEIRS && !locked) {
			/* only the sets that differ, so the trail shows the real change */
			for (size_t i = 0; i < d->nall && rc == JZG_OK; i++)
				if (differs[i])
					rc = take_theirs(st, &d->all[i], cols[i], mine, theirs, cause);
			res->replaced++;
		} else {
			if (take == MERGE_TAKE_THEIRS && cb != NULL) {
				struct merge_conflict mc = { person ? person : "", "", 0,
					"（本文件中此人已审核锁定，未采用来源文件的值；须由管理员解锁后再合并）", "", "" };

				cb(&mc, arg);
			}
			res->conflicts++;
		}
		free(differs);
		free(person);
	}
	sqlite3_finalize(q);
out:
	for (size_t i = 0; i < d->nall; i++)
		free(cols[i]);
	free(cols);
	return rc;
}

enum jzg_status
merge_file(struct store *st, const char *path, enum merge_take take, merge_conflict_cb cb, void *arg,
    struct merge_result *res, char **cause)
{
	struct merge_result r = { 0 };
	enum jzg_status rc;

	/* A county file outgrows SQLite's default 2 MB page cache quickly; the
	 * indexes touched by every merged person then come from disk. */
	sqlite3_exec(st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if ((rc = attach_source(st, path, cause)) != JZG_OK)
		return rc;
	/* One transaction per file (ATTACH cannot happen inside one): a
	 * refused or failing file leaves nothing behind. */
	if ((rc = store_exec(st, "SAVEPOINT merge_one", cause)) == JZG_OK) {
		rc = merge_attached(st, path, take, cb, arg, &r, cause);
		if (rc != JZG_OK) {
			int e = sqlite3_errcode(st->db) & 0xFF;

			/* The savepoint is the whole transaction: end it, or the
			 * source stays locked and cannot be detached. */
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			/* Damage shows when the rows are read: name the file. */
			if (e == SQLITE_CORRUPT || e == SQLITE_NOTADB)
				rc = jzg_fail(cause, JZG_ERR_FOREIGN, "%s 已损坏，未合并任何数据；请让学校重新导出（jzg pack）", path);
		} else
			sqlite3_exec(st->db, "RELEASE merge_one", NULL, NULL, NULL);
	}
	if (sqlite3_exec(st->db, "DETACH src", NULL, NULL, NULL) != SQLITE_OK && rc == JZG_OK)
		rc = jzg_fail(cause, JZG_ERR_DB, "合并 %s 后无法关闭它：%s", path, sqlite3_errmsg(st->db));
	if (rc == JZG_OK) {
		res->schools_added += r.schools_added;
		res->added += r.added;
		res->same += r.same;
		res->conflicts += r.conflicts;
		res->replaced += r.replaced;
	}
	return rc;
}
