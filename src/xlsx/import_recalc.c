/* import_recalc.c — see import_recalc.h. */
#include "import_recalc.h"

#include <stdlib.h>

#include "entry.h"
#include "record.h"
#include "util.h"

/* Why in slices: import writes inside one transaction, and SQLite keeps a
 * statement journal of every page a statement changes, so that the
 * statement alone can be undone (the audit triggers may abort it); with
 * temp_store = MEMORY (store.c) it is held in memory.  One UPDATE over a
 * 100,000-person school changed every page of its person set at once: the
 * import's peak (110 MB against 48 MB in slices of 5,000, docs/benchmarks.md
 * issue 21 §4). */
enum jzg_status
import_recalc(struct store *st, const struct template_def *tpl, const char *table, size_t per, char **cause)
{
	char *sql = xasprintf("SELECT staff_id FROM %s ORDER BY staff_id", table);
	sqlite3_int64 *start = NULL;
	size_t n = 0, cap = 0, k = 0;
	sqlite3_stmt *ps;
	enum jzg_status rc = store_prepare(st, sql, &ps, cause);

	free(sql);
	if (rc != JZG_OK)
		return rc;
	/* the first staff id of each slice */
	while (sqlite3_step(ps) == SQLITE_ROW)
		if (k++ % (per ? per : 1) == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				start = xreallocarray(start, cap, sizeof *start);
			}
			start[n++] = sqlite3_column_int64(ps, 0);
		}
	sqlite3_finalize(ps);
	for (size_t s = 0; s < n && rc == JZG_OK; s++) {
		char *part = s + 1 < n ?
		    xasprintf("SELECT staff_id FROM %s WHERE staff_id >= %lld AND staff_id < %lld", table,
		    (long long)start[s], (long long)start[s + 1]) :
		    xasprintf("SELECT staff_id FROM %s WHERE staff_id >= %lld", table, (long long)start[s]);

		rc = record_recalc_in(st, tpl, part, 0, cause);
		if (rc == JZG_OK)
			rc = entry_touch_in(st, part, cause);
		free(part);
	}
	free(start);
	return rc;
}
