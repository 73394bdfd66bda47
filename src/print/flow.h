/* flow.h — A4 pages filled top to bottom with titled blocks of rows (a
 * set's label/value grid or table), shared by the confirmation sheet and
 * the blank collection form.  No curses.
 *
 * Page rules: a block's title never ends a page (it moves on with its
 * header and first row); a table's header is repeated, and the title marked
 * （续）, after a break; a block may demand that its last row shares a page
 * with what follows it (keep_after: the signature block).  The caller's
 * page_begin callback draws the running header and footer. */
#ifndef JZG_FLOW_H
#define JZG_FLOW_H

#include <stddef.h>

#include "pdf.h"

/* Geometry, points. */
#define FLOW_ML     (15 * PDF_MM)                  /* left and right margins */
#define FLOW_CW     (PDF_PAGE_W - 2 * FLOW_ML)     /* content width */
#define FLOW_TOP    (12 * PDF_MM)
#define FLOW_BOTTOM (PDF_PAGE_H - 16 * PDF_MM)     /* content ends above */
#define FLOW_FOOTY  (PDF_PAGE_H - 12 * PDF_MM)     /* footer line */
#define FLOW_PAD    2.5                            /* inside cells, left and right */
#define FLOW_VPAD   1.5                            /* inside cells, above and below */
#define FLOW_GAP    4.0                            /* between blocks */
#define FLOW_LW     0.5                            /* cell borders */
#define FLOW_SHADE  0.92                           /* label cells, headers */

struct flow {
	struct pdf *p;              /* not owned */
	int         page;           /* 1-based within the current unit (person, form) */
	int         total;          /* pages of the unit; 0 while counting */
	double      y;              /* next free line */
	int         fresh;          /* nothing below the page header yet */
	/* Draws the page header (and, when total > 0, the footer) of page
	 * f->page and sets f->y below it. */
	void      (*page_begin)(struct flow *f);
};

struct flow_rows {
	const char *title;                              /* NULL: a block without title bar */
	size_t      n;                                  /* rows */
	const double *h;                                /* their heights */
	double      head_h;                             /* 0: no header */
	void      (*draw_head)(struct flow *, const void *ctx, double y);
	void      (*draw_row)(struct flow *, const void *ctx, size_t r, double y);
	const void *ctx;
};

/* Start the unit's first page (the caller ends the previous unit's page). */
void flow_start(struct flow *f);
/* End the page and start the next of the same unit. */
void flow_break(struct flow *f);
/* Does h fit below f->y?  Always on a fresh page, so a block taller than a
 * page runs over the margin instead of looping. */
int flow_fits(const struct flow *f, double h);
/* Place a titled block of rows at f->y, breaking pages between rows. */
void flow_place(struct flow *f, const struct flow_rows *b, double keep_after);

/* Height of text in a cell of inner width w, and drawing it: the unwrapped
 * layout is used when it fits, so most values are laid out once. */
double flow_cell_h(struct flow *f, enum pdf_style s, const char *text, double w);
void flow_cell_text(struct flow *f, enum pdf_style s, double x, double y, double w, const char *text);

/* Column widths w[0..n) summing to FLOW_CW from the widths each column
 * wants (widest text + padding): stretched when they fit, else every column
 * keeps a minimum and the rest goes by how much more each wants.  minw (may
 * be NULL) is what a column should not go below (a date that must not
 * break), honoured while all minimums fit. */
void flow_widths(struct flow *f, const double *want, const double *minw, size_t n, double *w);

/* Table header cells (shaded, bold small labels) in widths w; returns the
 * row height (drawing only when draw is set). */
double flow_head(struct flow *f, const char *const *label, const double *w, size_t n, double y, int draw);

#endif
