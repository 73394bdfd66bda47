/* xlsx_read.h — a streaming .xlsx reader on minizip and expat (tech.md §3):
 * sheet names and states, defined names, and the cells of one sheet row by
 * row, with shared and inline strings.  Refuses DTDs (no entity tricks) and
 * caps the decompressed size of every part (zip bombs).  No curses.
 *
 * Memory: the shared-string table is held (one arena); a sheet is never
 * held, only the row being read. */
#ifndef JZG_XLSX_READ_H
#define JZG_XLSX_READ_H

#include <stddef.h>

#include "progress.h"
#include "status.h"

#define XLSX_MAX_PART_DEFAULT (512ULL << 20)   /* 512 MiB decompressed per part */

struct xlsx_reader;

enum xlsx_type { XT_EMPTY, XT_STRING, XT_NUMBER, XT_BOOL, XT_ERROR };

struct xlsx_cell {
	unsigned        col;    /* 1-based */
	enum xlsx_type  type;   /* XT_STRING for shared, inline and formula strings */
	const char     *text;   /* the value as written (numbers as in <v>); valid during the callback */
};

/* One row's non-empty cells, in column order; row is 1-based.  Return
 * non-zero to stop reading (xlsx_read_sheet then returns JZG_OK). */
typedef int (*xlsx_row_cb)(void *arg, unsigned row, const struct xlsx_cell *cell, size_t n);

/* Open path; max_part 0 = XLSX_MAX_PART_DEFAULT.  Reads the workbook,
 * its relationships and the shared strings.  A damaged or foreign file is
 * refused with a Chinese cause naming path.  Caller frees with xlsx_close. */
enum jzg_status xlsx_open(const char *path, unsigned long long max_part, struct xlsx_reader **out,
    char **cause);
void xlsx_close(struct xlsx_reader *r);

size_t xlsx_nsheet(const struct xlsx_reader *r);
/* Name of sheet i (workbook order); *hidden set when the sheet is hidden or
 * very hidden.  Owned by r. */
const char *xlsx_sheet(const struct xlsx_reader *r, size_t i, int *hidden);
/* Text of a workbook-level defined name (as written: a formula or a quoted
 * constant), or NULL.  Owned by r. */
const char *xlsx_defined_name(const struct xlsx_reader *r, const char *name);
/* Decompressed size of a sheet's part (for progress), 0 when unknown. */
unsigned long long xlsx_sheet_bytes(const struct xlsx_reader *r, const char *sheet);

/* Stream the rows of sheet (by name).  pg (may be NULL) gets bytes read. */
enum jzg_status xlsx_read_sheet(struct xlsx_reader *r, const char *sheet, xlsx_row_cb cb, void *arg,
    const struct progress *pg, char **cause);

#endif
