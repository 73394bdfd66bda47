/* demo.h — synthetic staff for trying the client, tests and benchmarks.
 * No curses.
 *
 * Everything comes from the definitions: fields are filled in order; a
 * field's `demo` expression (docs/forms-format.md) gives a plausible value,
 * else a random valid one of its type or code table; relevant, choice_filter,
 * exclusivity and the field constraint are respected (a value that fails its
 * constraint is drawn again).  The same seed gives the same data. */
#ifndef JZG_DEMO_H
#define JZG_DEMO_H

#include <sqlite3.h>
#include <stdint.h>

#include "progress.h"
#include "store.h"

/* Add n people, every set filled, to the school with row id school_id. */
enum jzg_status demo_fill(struct store *st, sqlite3_int64 school_id, int n, uint64_t seed,
    char **cause);
/* The same, telling prog (may be NULL) the people added of n. */
enum jzg_status demo_fill_progress(struct store *st, sqlite3_int64 school_id, int n, uint64_t seed,
    const struct progress *prog, char **cause);

#endif
