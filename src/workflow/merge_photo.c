/* merge_photo.c — see merge_photo.h. */
#include "merge_photo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PHOTO_COLS "hash, bytes, width, height, data, updated"

char *
merge_photo_new_sql(const char *sch)
{
	return xasprintf("INSERT OR ROLLBACK INTO main.photo(staff_id, " PHOTO_COLS ") SELECT m.dst_id, g.hash, g.bytes, "
	    "g.width, g.height, g.data, g.updated FROM %s.photo g JOIN temp.merge_map m ON m.src_id = g.staff_id "
	    "WHERE m.status = 'new';", sch);
}

enum jzg_status
merge_photo_conflicts(struct store *st, const char *sch, char **cause)
{
	char *sql = xasprintf("UPDATE temp.merge_map SET status = 'conflict' WHERE status = 'same' AND "
	    "(SELECT hash FROM main.photo WHERE staff_id = dst_id) IS NOT (SELECT hash FROM %s.photo WHERE staff_id = src_id)",
	    sch);
	enum jzg_status rc = store_exec(st, sql, cause);

	free(sql);
	return rc;
}

/* "<hash 12> 12345 字节 307×378", or "（无）". */
static char *
describe(struct store *st, const char *db, sqlite3_int64 staff)
{
	char *sql = xasprintf("SELECT substr(hash, 1, 12) || ' ' || bytes || ' 字节 ' || width || '×' || height FROM %s.photo "
	    "WHERE staff_id = ?", db);
	sqlite3_stmt *q;
	char *out = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, staff);
		if (sqlite3_step(q) == SQLITE_ROW)
			out = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	free(sql);
	return out ? out : xstrdup("（无）");
}

int
merge_photo_diff(struct store *st, const char *sch, sqlite3_int64 mine, sqlite3_int64 theirs, char **a, char **b)
{
	*a = describe(st, "main", mine);
	*b = describe(st, sch, theirs);
	if (strcmp(*a, *b) != 0)
		return 1;
	free(*a);
	free(*b);
	*a = *b = NULL;
	return 0;
}

enum jzg_status
merge_photo_take(struct store *st, const char *sch, sqlite3_int64 mine, sqlite3_int64 theirs, char **cause)
{
	/* an UPDATE when both have one: the trail shows old → new */
	char *sql = xasprintf("DELETE FROM main.photo WHERE staff_id = %1$lld AND NOT EXISTS (SELECT 1 FROM %3$s.photo "
	    "WHERE staff_id = %2$lld);"
	    "INSERT INTO main.photo(staff_id, " PHOTO_COLS ") SELECT %1$lld, " PHOTO_COLS " FROM %3$s.photo g "
	    "WHERE g.staff_id = %2$lld ON CONFLICT(staff_id) DO UPDATE SET hash = excluded.hash, bytes = excluded.bytes, "
	    "width = excluded.width, height = excluded.height, data = excluded.data, updated = excluded.updated "
	    "WHERE hash IS NOT excluded.hash", (long long)mine, (long long)theirs, sch);
	enum jzg_status rc = store_exec(st, sql, cause);

	free(sql);
	return rc;
}
