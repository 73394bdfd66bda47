/* import_recalc.h — import's last write step over the people it wrote:
 * their derived (引自) fields recomputed and staff.updated stamped, as the
 * entry path does for one person, in slices of people so that the memory
 * SQLite needs for one statement does not grow with the file.  No curses. */
#ifndef JZG_IMPORT_RECALC_H
#define JZG_IMPORT_RECALC_H

#include "status.h"
#include "store.h"

/* People per statement (import_recalc.c says why). */
#define IMPORT_RECALC_SLICE 5000

/* Recompute the derived fields of template tpl's sets and stamp updated for
 * every person whose staff id is in table `table` (column staff_id, e.g.
 * "temp.imp_staff"), inside the caller's transaction, per people at a time
 * (IMPORT_RECALC_SLICE; tests use a few).  Returns JZG_OK or a failure with
 * a Chinese cause (caller frees). */
enum jzg_status import_recalc(struct store *st, const struct template_def *tpl, const char *table, size_t per,
    char **cause);

#endif
