/* board_report.h — the progress board written out: text for a terminal,
 * TSV, and an xlsx workbook (libxlsxwriter) that is also the weekly report
 * (周报表).  No curses. */
#ifndef JZG_BOARD_REPORT_H
#define JZG_BOARD_REPORT_H

#include <stdio.h>

#include "county.h"

/* Text with a bar of the 录入率 per school, or TSV (header + one line per
 * school + 合计). */
void board_write_text(FILE *out, const struct defs *defs, const struct board_row *rows, size_t n,
    const struct board_row *total);
void board_write_tsv(FILE *out, const struct board_row *rows, size_t n, const struct board_row *total);

/* The workbook at path, through a temporary file renamed into place when
 * complete.  weekly = 1 adds the 周报表 title, the date range of the week
 * and 本周新增.  A full disk or a bad directory gives a Chinese cause and
 * leaves nothing behind. */
enum jzg_status board_write_xlsx(const char *path, const struct defs *defs, const struct board_row *rows,
    size_t n, const struct board_row *total, int weekly, char **cause);

#endif
