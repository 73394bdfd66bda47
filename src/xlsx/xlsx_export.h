/* xlsx_export.h — the official Excel template of one school, written with
 * libxlsxwriter in constant_memory mode (tech.md §2).  The layout comes from
 * forms/export.tsv (layout.h); nothing here names a set or an indicator.
 * No curses.
 *
 * Workbook: one sheet per information set of the template, official order;
 * header rows with labels and required marks; 身份证件号 and 姓名 (settings
 * person_id / person_name) in the first two columns of every sheet; text
 * format on every non-numeric column, also on the empty input rows; a
 * drop-down (list formula on the hidden code sheet) on every coded column;
 * frozen header; a 填表说明 sheet from the indicator hints; the school and
 * template recorded in defined names (XLSX_NAME_SCHOOL / _TEMPLATE) so that
 * import can tell whose file it is.  Document properties are fixed, so the
 * same data gives the same bytes. */
#ifndef JZG_XLSX_EXPORT_H
#define JZG_XLSX_EXPORT_H

#include <sqlite3.h>

#include "progress.h"
#include "store.h"

#define XLSX_NAME_SCHOOL   "JZG_SCHOOL"
#define XLSX_NAME_TEMPLATE "JZG_TEMPLATE"

/* 学校标识码_学校名称_模板名称.xlsx (caller frees). */
char *xlsx_export_filename(const char *code, const char *name, const char *title);

/* Write the workbook of school school_id into directory dir, through a
 * temporary file renamed into place when complete.  *path_out (may be NULL)
 * gets the path written (caller frees).  pg (may be NULL) gets rows
 * written / rows in all.  A full disk or an unwritable directory gives a
 * Chinese cause and leaves no file behind. */
enum jzg_status xlsx_export_school(struct store *st, sqlite3_int64 school_id, const char *dir,
    const struct progress *pg, char **path_out, char **cause);

#endif
