/* pack.c — see pack.h. */
#include "pack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "outfile.h"
#include "school.h"
#include "util.h"

char *
pack_common_columns(struct store *st, const char *a, const char *b, const char *table, const char *skip)
{
	char *sql = sqlite3_mprintf("SELECT x.name FROM pragma_table_info(%Q, %Q) x "
	    "JOIN pragma_table_info(%Q, %Q) y ON y.name = x.name WHERE x.name IS NOT %Q ORDER BY x.cid",
	    table, a, table, b, skip);
	struct strbuf out = { 0 };
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return NULL;
	}
	sqlite3_free(sql);
	while (sqlite3_step(q) == SQLITE_ROW)
		strbuf_addf(&out, "%s\"%s\"", out.len ? "," : "", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return out.len ? strbuf_take(&out) : NULL;
}

/* Copy the rows of table selected by where (over main) into dst. */
static enum jzg_status
copy_table(struct store *st, const char *table, const char *where, char **cause)
{
	char *cols = pack_common_columns(st, "main", "dst", table, NULL), *sql;
	enum jzg_status rc;

	if (cols == NULL)
		return JZG_OK;
	sql = xasprintf("INSERT INTO dst.\"%s\"(%s) SELECT %s FROM main.\"%s\" WHERE %s", table, cols, cols, table, where);
	rc = store_exec(st, sql, cause);
	free(sql);
	free(cols);
	return rc;
}

enum jzg_status
pack_school(struct store *st, const char *code, const char *out, int *people, char **cause)
{
	return pack_school_progress(st, code, out, people, NULL, cause);
}

/* Tables before the sets and after them, then the copy to the stick and
 * the check of what is on it. */
#define PACK_STEPS_FIXED (3 + 6 + 2)

enum jzg_status
pack_school_progress(struct store *st, const char *code, const char *out, int *people,
    const struct progress *prog, char **cause)
{
	unsigned long long step = 0, steps = PACK_STEPS_FIXED + st->defs->nall;
	/* The file is built under $TMPDIR (its journal and half-made pages
	 * never touch the stick), then copied beside out and renamed: a kill
	 * leaves at most a hidden .part there, which the next run removes. */
	char *work = NULL, *tmp = NULL, *part = NULL;
	char *where = NULL, *sql;
	struct store *dst = NULL;
	sqlite3_int64 sid = 0;
	enum jzg_status rc;
	sqlite3 *chk = NULL;
	sqlite3_stmt *q;

	*people = 0;
	if ((rc = school_find(st, code, &sid, cause)) != JZG_OK)
		goto done;
	if (sid == 0) {
		rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有学校标识码为 %s 的学校", code);
		goto done;
	}
	if ((rc = outfile_tmpdir("pack", &work, cause)) != JZG_OK)
		goto done;
	tmp = xasprintf("%s/school.db", work);
	/* A fresh file with the schema of these definitions. */
	if ((rc = audit_open(tmp, st->defs, STORE_CREATE, &dst, cause)) != JZG_OK)
		goto done;
	store_close(dst);
	dst = NULL;
	sql = sqlite3_mprintf("ATTACH %Q AS dst", tmp);
	rc = store_exec(st, sql, cause);
	sqlite3_free(sql);
	if (rc != JZG_OK)
		goto done;
	where = xasprintf("staff_id IN (SELECT id FROM main.staff WHERE school_id = %lld)", (long long)sid);
	if ((rc = store_exec(st, "BEGIN", cause)) != JZG_OK)
		goto detach;
	{
		char *w_school = xasprintf("id = %lld", (long long)sid);
		char *w_staff = xasprintf("school_id = %lld", (long long)sid);

		rc = copy_table(st, "school", w_school, cause);
		if (rc == JZG_OK)
			rc = copy_table(st, "staff", w_staff, cause);
		if (rc == JZG_OK)
			rc = copy_table(st, "operator", w_staff, cause);
		progress_report(prog, step += 3, steps);
		free(w_school);
		free(w_staff);
	}
	for (size_t i = 0; i < st->defs->nall && rc == JZG_OK; i++) {
		char *t = xasprintf("s_%s", st->defs->all[i].v[SC_NAME]);

		rc = copy_table(st, t, where, cause);
		free(t);
		progress_report(prog, ++step, steps);
	}
	{
		static const char *const rest[] = { "explanation", "signature", "photo", "review", "check_cache" };

		for (size_t i = 0; i < sizeof rest / sizeof rest[0] && rc == JZG_OK; i++) {
			rc = copy_table(st, rest[i], where, cause);
			progress_report(prog, ++step, steps);
		}
	}
	if (rc == JZG_OK) {
		/* A file of one school goes whole: its trail, with the rows of
		 * its operators, and the hash chain over them (trust.h), which
		 * the county checks at merge.  Of a file of several schools only
		 * this school's rows go, and a chain cannot follow them. */
		int schools = 0;

		store_int(st->db, "SELECT count(*) FROM main.school", &schools);
		rc = copy_table(st, "audit", schools == 1 ? "1" : where, cause);
		if (rc == JZG_OK && schools == 1)
			rc = copy_table(st, "chain", "1", cause);
		else if (rc == JZG_OK)
			rc = store_exec(st, "INSERT OR REPLACE INTO dst.meta VALUES('trust_unchained', '1')", cause);
	}
	progress_report(prog, ++step, steps);
	if (rc == JZG_OK) {
		sql = sqlite3_mprintf("INSERT OR REPLACE INTO dst.meta VALUES('packed_from', %Q);"
		    "INSERT OR REPLACE INTO dst.meta VALUES('packed_at', datetime('now','localtime'));COMMIT", code);
		rc = store_exec(st, sql, cause);
		sqlite3_free(sql);
	}
	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
detach:
	sqlite3_exec(st->db, "DETACH dst", NULL, NULL, NULL);
	if (rc != JZG_OK)
		goto done;
	part = outfile_part(out);
	unlink(part);   /* our pid's: a run before a reboot */
	if ((rc = outfile_copy(tmp, part, cause)) != JZG_OK ||
	    (rc = outfile_commit(part, out, cause)) != JZG_OK)
		goto done;
	progress_report(prog, ++step, steps);
	/* Read back what is on the stick, not what is in the cache of the
	 * connection that wrote it. */
	if (sqlite3_open_v2(out, &chk, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(chk, "PRAGMA quick_check", -1, &q, NULL) != SQLITE_OK) {
		rc = jzg_fail(cause, JZG_ERR_IO, "写出的文件 %s 无法读回，请换一个 U 盘重试", out);
		goto done;
	}
	if (sqlite3_step(q) != SQLITE_ROW || !str_eq((const char *)sqlite3_column_text(q, 0), "ok"))
		rc = jzg_fail(cause, JZG_ERR_IO, "写出的文件 %s 校验失败（U 盘可能有问题），请换一个 U 盘重试", out);
	sqlite3_finalize(q);
	progress_report(prog, ++step, steps);
	if (rc == JZG_OK && sqlite3_prepare_v2(chk, "SELECT count(*) FROM staff", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			*people = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
done:
	if (chk != NULL)
		sqlite3_close(chk);
	store_close(dst);
	if (part != NULL && rc != JZG_OK)
		unlink(part);
	if (work != NULL)
		outfile_rmtree(work);
	free(where);
	free(tmp);
	free(part);
	free(work);
	return rc;
}
