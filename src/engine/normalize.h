/* normalize.h — what a clerk types, in the one form the store keeps.  No curses.
 *
 * Full-width ASCII becomes ASCII and stray spaces go for every type; months
 * typed as 198009, 1980-9, 1980.9, 1980/9 or 1980年9月 become 1980-09; dates
 * likewise become YYYY-MM-DD; 2023年 becomes 2023; 1,234.50 becomes 1234.50.
 * Input that cannot be read is returned as typed (cleaned of spaces), so the
 * checks can say what is wrong with it — nothing typed is thrown away. */
#ifndef JZG_NORMALIZE_H
#define JZG_NORMALIZE_H

#include "defs.h"

/* Normalised copy of in for field f (caller frees; the type's row in
 * fieldtype.c does the work); id_number: the field is the person's
 * 身份证件号 (upper-case X, no spaces at all).  A pure function, the same
 * for every path that writes a value (client, import). */
char *normalize_value(const struct field_def *f, const char *in, int id_number);

/* What to tell the clerk when normalising typed into stored changed more
 * than spaces at the ends — “19800905”已写成“1980-09-05” — or NULL (also
 * when stored is empty or either is NULL).  The client's status line and
 * import's notes say the same.  Caller frees. */
char *normalize_note(const char *typed, const char *stored);

#endif
