/* blankform.h — the blank collection form (采集表) of a template, for staff
 * to fill by hand, generated from the definitions alone.  No curses.
 *
 * One-record sets list every indicator on its own row: ★ for required
 * (☆ required under a condition), tick boxes "□1 是 □0 否" for code lists
 * of up to BLANKFORM_TICK_MAX selectable entries, "年 月 日" for dates, an
 * empty line otherwise, and the indicator's help text in small print.
 * Many-record sets are tables with empty rows, their code lists and help
 * below in small print. */
#ifndef JZG_BLANKFORM_H
#define JZG_BLANKFORM_H

#include "defs.h"

#define BLANKFORM_TICK_MAX 12   /* longer code lists get a line to write on */
#define BLANKFORM_ROWS     3    /* empty rows per many-record set */

/* Write the blank form of template tpl to path (temp file + rename).
 * *pages (may be NULL) gets the page count. */
enum jzg_status blankform_print(const struct template_def *tpl,
    const char *path, int *pages, char **cause);

#endif
