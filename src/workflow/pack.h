/* pack.h — one school's data to a separate SQLite file for a USB stick.
 * No curses.
 *
 * The file is written as a complete jzg file (same schema, the school, its
 * people with every set, explanations, signatures, review history and
 * audit trail, and the school's own operators — never the county's
 * password hashes) into a temporary file on the target, fsynced, renamed
 * into place, the directory fsynced, then reopened read-only and checked
 * with PRAGMA quick_check: only then is it safe to unplug. */
#ifndef JZG_PACK_H
#define JZG_PACK_H

#include "progress.h"
#include "store.h"

enum jzg_status pack_school(struct store *st, const char *school_code, const char *out, int *people,
    char **cause);
/* The same, telling prog (may be NULL) the steps done: each table copied,
 * then the sync to the stick and the check of what is on it. */
enum jzg_status pack_school_progress(struct store *st, const char *school_code, const char *out, int *people,
    const struct progress *prog, char **cause);

/* Column names (quoted, comma-separated) that table has in both schemas
 * a and b of st's connection, excluding skip (may be NULL); NULL when the
 * table is missing in either.  Caller frees.  Shared with merge.c. */
char *pack_common_columns(struct store *st, const char *a, const char *b, const char *table,
    const char *skip);

#endif
