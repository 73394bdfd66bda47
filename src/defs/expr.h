/* expr.h — turn a definition expression (SQL with ${X} and .) into SQL that
 * SQLite runs.  No curses.
 *
 * Two forms, because the same expression is run two ways:
 *   EXPR_ROW   over stored rows: ${X} → cur."X", ${_staff} → cur.staff_id;
 *              the statement reads `FROM s_<set> AS cur`.
 *   EXPR_PARAM over a record held in memory: ${X} → ?N where N is X's index
 *              in the set + 1, ${_staff} → ?(nfield + 1).
 * `.` standing alone is the field `self`. */
#ifndef JZG_EXPR_H
#define JZG_EXPR_H

#include "defs.h"
#include "status.h"

enum expr_mode { EXPR_ROW, EXPR_PARAM };

/* Translate src for set s.  self names the field `.` stands for (NULL: `.`
 * is an error).  Returns the SQL (caller frees) or NULL with a cause (caller
 * frees) naming the unknown field.  If refs is not NULL, each referenced
 * field index is marked 1 in refs[0..s->nfield). */
char *expr_sql(const char *src, const struct set_def *s, const char *self, enum expr_mode mode,
    unsigned char *refs, char **cause);

#endif
