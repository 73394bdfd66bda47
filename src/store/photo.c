/* photo.c — see photo.h. */
#include "photo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

void
photo_hash(const void *buf, size_t len, char out[65])
{
	unsigned char dig[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(dig, buf, len);
	for (size_t i = 0; i < crypto_hash_sha256_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static void
read_info(sqlite3_stmt *q, int col, struct photo_info *info)
{
	snprintf(info->hash, sizeof info->hash, "%s", (const char *)sqlite3_column_text(q, col));
	info->bytes = sqlite3_column_int(q, col + 1);
	info->width = sqlite3_column_int(q, col + 2);
	info->height = sqlite3_column_int(q, col + 3);
}

int
photo_info(struct store *st, sqlite3_int64 staff_id, struct photo_info *info)
{
	sqlite3_stmt *q;
	int rc;

	if (store_cached(st, "SELECT hash, bytes, width, height FROM photo WHERE staff_id = ?", &q, NULL) != JZG_OK)
		return -1;
	sqlite3_bind_int64(q, 1, staff_id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_info(q, 0, info);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

enum jzg_status
photo_get(struct store *st, sqlite3_int64 staff_id, unsigned char **data, size_t *len, struct photo_info *info,
    char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	int r;

	*data = NULL;
	*len = 0;
	if ((rc = store_cached(st, "SELECT data, hash, bytes, width, height FROM photo WHERE staff_id = ?", &q,
	    cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(q, 0);
		*data = xmalloc(*len + 1);
		memcpy(*data, sqlite3_column_blob(q, 0), *len);
		if (info != NULL)
			read_info(q, 1, info);
	}
	sqlite3_reset(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "读取照片失败：%s", store_errstr(r));
	return JZG_OK;
}

enum jzg_status
photo_put(struct store *st, sqlite3_int64 staff_id, const unsigned char *data, size_t len, int width, int height,
    int *changed, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	char hash[65];
	int r;

	photo_hash(data, len, hash);
	if (changed != NULL)
		*changed = 0;
	/* the WHERE keeps an identical photo untouched: no write, no audit row */
	if ((rc = store_cached(st, "INSERT INTO photo(staff_id, hash, bytes, width, height, data) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6) ON CONFLICT(staff_id) DO UPDATE SET hash = excluded.hash, bytes = excluded.bytes, width = "
	    "excluded.width, height = excluded.height, data = excluded.data, updated = datetime('now','localtime') "
	    "WHERE hash IS NOT excluded.hash", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	sqlite3_bind_text(q, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)len);
	sqlite3_bind_int(q, 4, width);
	sqlite3_bind_int(q, 5, height);
	sqlite3_bind_blob64(q, 6, data, len, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "保存照片失败：%s", sqlite3_errmsg(st->db));
	if (changed != NULL)
		*changed = sqlite3_changes(st->db) > 0;
	return JZG_OK;
}

enum jzg_status
photo_remove(struct store *st, sqlite3_int64 staff_id, int *changed, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	int r;

	if (changed != NULL)
		*changed = 0;
	if ((rc = store_cached(st, "DELETE FROM photo WHERE staff_id = ?", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	r = sqlite3_step(q);
	sqlite3_reset(q);
	if (r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "删除照片失败：%s", sqlite3_errmsg(st->db));
	if (changed != NULL)
		*changed = sqlite3_changes(st->db) > 0;
	return JZG_OK;
}
