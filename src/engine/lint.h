/* lint.h — compile every expression of the definitions against the schema
 * they generate, so that `jzg forms check` (and start-up) names file and
 * line of each bad expression or unknown field.  No curses. */
#ifndef JZG_LINT_H
#define JZG_LINT_H

#include "defs.h"
#include "diag.h"
#include "status.h"

/* Check defs (already loaded); problems go to d.  Returns JZG_ERR_DEFS when
 * any were found. */
enum jzg_status lint_expressions(const struct defs *defs, struct diag *d);

#endif
