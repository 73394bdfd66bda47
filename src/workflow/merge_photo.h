/* merge_photo.h — the photos in a merge (merge.c; issue 16).  No curses.
 * A new person brings their photo; a person on both sides whose photos
 * differ by hash (or who has one on one side only) is a conflict like a
 * differing value; identical photos are skipped by their hash.  Only for
 * merge.c. */
#ifndef JZG_MERGE_PHOTO_H
#define JZG_MERGE_PHOTO_H

#include "store.h"

/* The SQL that copies the photos of the new people of source sch (merge_map
 * status 'new'), for add_new's batch; caller frees. */
char *merge_photo_new_sql(const char *sch);

/* Mark 'conflict' the 'same' people whose photos differ. */
enum jzg_status merge_photo_conflicts(struct store *st, const char *sch, char **cause);

/* Whether the photos of one person on both sides differ: 1 and *mine,
 * *theirs ("<hash 12> 12345 字节 307×378" or "（无）", new, caller frees
 * both), or 0 (both NULL). */
int merge_photo_diff(struct store *st, const char *sch, sqlite3_int64 mine, sqlite3_int64 theirs, char **a,
    char **b);

/* Take the source's photo (or its absence) for person mine, through the
 * photo table's triggers (audited as merge). */
enum jzg_status merge_photo_take(struct store *st, const char *sch, sqlite3_int64 mine, sqlite3_int64 theirs,
    char **cause);

#endif
