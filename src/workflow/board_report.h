/* board_report.h — the progress board written out: text for a terminal,
 * TSV, and an xlsx workbook (libxlsxwriter) that is also the weekly report
 * (周报表).  No curses. */
#ifndef JZG_BOARD_REPORT_H
#define JZG_BOARD_REPORT_H

#include <stdio.h>
#include <xlsxwriter.h>

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

/* s on out padded to width display columns (CJK are two wide). */
void board_pad(FILE *out, const char *s, int width);
/* A rate per 1,000 as text ("12.5"), "—" when r < 0. */
void board_permille(char *buf, size_t n, double r);

/* A workbook written to a temporary file beside path (*tmp, owned; its
 * own temporary files in the directory *work, owned) and renamed into
 * place by board_xlsx_close when complete, so that a full disk or a bad
 * directory leaves nothing behind; NULL with a Chinese cause.  Close frees
 * tmp and work and says why it failed. */
lxw_workbook *board_xlsx_open(const char *path, char **tmp, char **work, char **cause);
enum jzg_status board_xlsx_close(lxw_workbook *wb, char *tmp, char *work, const char *path, char **cause);

#endif
