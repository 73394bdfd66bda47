/* tsv.h — the tab-separated files of forms/ and data/ (format in
 * docs/forms-format.md §1).  No curses.
 *
 * A file is read whole; each row keeps its line number so that every
 * diagnostic can name file and line. */
#ifndef JZG_TSV_H
#define JZG_TSV_H

#include <stddef.h>

#include "diag.h"
#include "status.h"

struct tsv_row {
	int     line;    /* 1-based line in the file */
	char  **cell;    /* ncell trimmed cells, owned by the tsv */
	size_t  ncell;
};

/* No definitions table comes near this; a wider header is refused whole
 * (issue 18: a 16,000-column line stalled every start-up). */
#define TSV_MAX_COLUMNS 256

struct tsv {
	char           *path;  /* as given to tsv_load; owned */
	char          **col;   /* header names, owned */
	size_t          ncol;
	int             header_line;
	struct tsv_row *row;
	size_t          nrow;
	int             refused; /* header over TSV_MAX_COLUMNS: no col, no rows */
};

/* Read path.  Format problems (bad UTF-8, more cells than the header, no
 * header) go to d and the row is skipped; only a file that cannot be read at
 * all fails, with a cause (caller frees).  On success *out is owned by the
 * caller: tsv_free. */
enum jzg_status tsv_load(const char *path, struct tsv **out, struct diag *d, char **cause);
void tsv_free(struct tsv *t);

/* Index of column name, or -1. */
int tsv_col(const struct tsv *t, const char *name);
/* Cell of row r in column c ("" when the row is short or c < 0); not owned. */
const char *tsv_get(const struct tsv_row *r, int c);
/* Report header columns that are not in allowed (NULL-terminated) or
 * repeated; linear in the number of columns. */
void tsv_check_columns(const struct tsv *t, const char *const *allowed, struct diag *d);

#endif
