/* sqlfn.h — functions added to SQLite for definition expressions
 * (docs/forms-format.md §4): today, selected, count_selected, idcard_*,
 * code_name, regexp, the seeded demo generators, and text_fault (text.h) for
 * what merge copies.  No curses. */
#ifndef JZG_SQLFN_H
#define JZG_SQLFN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct defs;

struct sqlfn_ctx {
	const struct defs *defs;   /* for code_name; not owned */
	uint64_t           rng;    /* demo random state (seeded) */
	uint64_t          *idseen; /* demo_idno: numbers handed out (open addressing), owned */
	size_t             idcap, idn;
};

/* Register every function on db.  ctx must outlive db's use of them. */
int sqlfn_register(sqlite3 *db, struct sqlfn_ctx *ctx);

/* Today as "YYYY-MM-DD" into out[11] (JZG_TODAY overrides, for tests). */
void sqlfn_today(char out[11]);

/* Free what the demo functions kept (the numbers handed out). */
void sqlfn_ctx_done(struct sqlfn_ctx *ctx);

/* The demo random generator: a number in [0, n). */
uint32_t sqlfn_rand(struct sqlfn_ctx *ctx, uint32_t n);

#endif
