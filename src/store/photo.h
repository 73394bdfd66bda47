/* photo.h — the photo table: one JPEG per person (issue 16), stored in the
 * SQLite file so that pack and merge carry it.  No curses.
 *
 * Only the entry module (entry_photo_set/_remove, src/engine/entry_photo.c)
 * writes a photo: it checks the file first.  The audit triggers on this
 * table (audit.c) record the hash and the size, never the bytes. */
#ifndef JZG_PHOTO_H
#define JZG_PHOTO_H

#include <sqlite3.h>

#include "photo_schema.h"
#include "store.h"

struct photo_info {
	char hash[65];
	int  bytes, width, height;
};

/* SHA-256 of buf in lower-case hex into out. */
void photo_hash(const void *buf, size_t len, char out[65]);

/* The photo of staff_id: 1 and *info, 0 when there is none, -1 on a
 * database error. */
int photo_info(struct store *st, sqlite3_int64 staff_id, struct photo_info *info);

/* The bytes of staff_id's photo: *data (new, caller frees) and *len; *data
 * NULL when there is none.  info may be NULL. */
enum jzg_status photo_get(struct store *st, sqlite3_int64 staff_id, unsigned char **data, size_t *len,
    struct photo_info *info, char **cause);

/* Store (replace) staff_id's photo; a photo with the same hash is left as
 * it was (no write, no audit row).  *changed (may be NULL) says whether
 * anything was written.  Callers: entry_photo_set only. */
enum jzg_status photo_put(struct store *st, sqlite3_int64 staff_id, const unsigned char *data, size_t len,
    int width, int height, int *changed, char **cause);

/* Delete staff_id's photo; *changed as above.  Callers: entry_photo_remove. */
enum jzg_status photo_remove(struct store *st, sqlite3_int64 staff_id, int *changed, char **cause);

#endif
