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

/* xlsx_export_school in its two steps, so that one school's rows can be
 * written while another's workbook is zipped (xlsx_export_schools).
 * xlsx_book_write reads the school through st and writes every sheet
 * (constant_memory: the rows go to libxlsxwriter's temporary files);
 * *out is then owned by the caller and must go to xlsx_book_close, on any
 * thread (not two at once), which zips it (about 60 % of the time, no
 * reading), renames it into place and frees it. */
struct xlsx_book;
enum jzg_status xlsx_book_write(struct store *st, sqlite3_int64 school_id, const char *dir,
    const struct progress *pg, struct xlsx_book **out, char **cause);
enum jzg_status xlsx_book_close(struct xlsx_book *b, char **path_out, char **cause);

/* The workbooks of n schools (ids) into dir, on two threads when the
 * machine has two cores and the file is on disk (the second with its own
 * read-only connection): the bytes of each file are those
 * xlsx_export_school writes.  paths[i] (new, caller frees) gets school i's
 * file, or NULL and causes[i] (new, caller frees) why it failed; pg gets
 * rows written / rows in all schools.  Returns JZG_OK when every school
 * was written, else the status of the first that failed (the others are
 * still written). */
enum jzg_status xlsx_export_schools(struct store *st, const sqlite3_int64 *ids, size_t n, const char *dir,
    const struct progress *pg, char **paths, char **causes);

#endif
