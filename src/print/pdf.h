/* pdf.h — an A4 PDF document with Chinese text: cairo draws, pango lays out
 * and wraps, fontconfig finds fonts-noto-cjk.  No curses.
 *
 * Nothing lost: the document is written to a temp file beside the target and
 * renamed into place only by pdf_close after everything succeeded.  Every
 * string is laid out once through a cache (kept as cairo glyphs, not pango
 * layouts), and each new layout is checked for glyphs the font lacks
 * (pango_layout_get_unknown_glyphs_count), so an empty box never reaches
 * paper: the document fails with a message naming the characters and the
 * font package instead.  What is drawn on a page is kept and goes to cairo
 * when the page ends, in few calls (pdf.c says why).
 *
 * Threads: every document has its own pango font map, so two documents
 * may be drawn on two threads at once (one thread per document).  A part
 * (pdf_new_part) is a document written into memory, for pdfjoin.h.
 *
 * Coordinates are PostScript points (1/72 inch), origin at the top left of
 * the page.  A "dry" document lays out text (to measure) but draws nothing,
 * which is how callers run a first pass to count pages. */
#ifndef JZG_PDF_H
#define JZG_PDF_H

#include <stddef.h>

#include "status.h"

#define PDF_PAGE_W 595.276   /* A4 */
#define PDF_PAGE_H 841.890
#define PDF_MM     2.834646  /* points per millimetre */

/* Text styles; sizes and weights are in pdf.c. */
enum pdf_style {
	PDF_TITLE,   /* page title, large bold */
	PDF_SECTION, /* section heading, bold */
	PDF_BODY,    /* header lines, signature block */
	PDF_BOLD,    /* emphasised body text */
	PDF_LABEL,   /* label cells and table headers, small */
	PDF_LABELB,  /* table headers, small bold */
	PDF_CELL,    /* values in cells, small */
	PDF_SMALL,   /* hints, footers */
	PDF__STYLES
};

enum pdf_align { PDF_LEFT, PDF_CENTER, PDF_RIGHT };

struct pdf;

/* Start a document to be saved at path (the directory must exist).  title
 * goes into the PDF metadata.  The creation date is JZG_TODAY when set, so
 * tests get byte-stable files.  Fails with a Chinese cause when no Chinese
 * font is installed (names fonts-noto-cjk) or the temp file cannot be made.
 * Caller ends with pdf_close (keep) or pdf_free (discard). */
enum jzg_status pdf_new(const char *path, const char *title, struct pdf **out, char **cause);

/* A document written into memory (a part of a batch; pdfjoin.h joins
 * parts).  Ended with pdf_close_part (keep) or pdf_free. */
enum jzg_status pdf_new_part(const char *title, struct pdf **out, char **cause);
/* Finish the part and hand over its bytes (*data, *len; caller frees
 * *data); frees p whatever happens.  Fails like pdf_close. */
enum jzg_status pdf_close_part(struct pdf *p, unsigned char **data, size_t *len, char **cause);
/* JZG_OK, or the Chinese message of what failed (a missing glyph). */
enum jzg_status pdf_error(const struct pdf *p, char **cause);

/* Finish, flush to disk and rename the temp file to the target path; frees
 * p whatever happens.  On any earlier failure (missing glyph, write error,
 * full disk) the temp file is removed, nothing is left at path, and the
 * cause says why. */
enum jzg_status pdf_close(struct pdf *p, char **cause);
/* Discard the document: the temp file is removed.  NULL is allowed. */
void pdf_free(struct pdf *p);

/* While dry, drawing calls and pdf_page do nothing; measuring works. */
void pdf_set_dry(struct pdf *p, int dry);
/* Forget cached layouts when there are many (called between people). */
void pdf_cache_trim(struct pdf *p);

/* Height of text laid out in width w (w <= 0: one line, no wrapping). */
double pdf_text_h(struct pdf *p, enum pdf_style s, const char *text, double w);
/* Width of text on one line. */
double pdf_text_w(struct pdf *p, enum pdf_style s, const char *text);
/* Draw text with its top left at (x, y), wrapped in w (w <= 0: no wrap;
 * align needs w > 0).  Returns its height. */
double pdf_text(struct pdf *p, enum pdf_style s, double x, double y, double w,
    enum pdf_align align, const char *text);

/* Rectangle outline (line width lw), filled rectangle (gray 0 black … 1
 * white), straight line.  Fills are drawn beneath everything else of the
 * page, outlines and lines above. */
void pdf_rect(struct pdf *p, double x, double y, double w, double h, double lw);
void pdf_fill(struct pdf *p, double x, double y, double w, double h, double gray);
void pdf_line(struct pdf *p, double x1, double y1, double x2, double y2, double lw);

/* The JPEG data (len bytes, pw × ph pixels) in the box (x, y, w, h),
 * embedded as it is: the PDF holds the same bytes (DCTDecode).  id (may be
 * NULL) names the picture so that one used twice is written once. */
void pdf_jpeg(struct pdf *p, double x, double y, double w, double h, const unsigned char *data, size_t len,
    int pw, int ph, const char *id);
/* End the current page and start the next. */
void pdf_page(struct pdf *p);

/* Held pages: after pdf_hold, pages that end are kept instead of written,
 * so that a unit (a person's sheet) can be drawn in one pass and each of
 * its pages given something that needs the page count (the footer) after
 * the last is known.  pdf_held counts the unit's pages (the kept ones and
 * the open one); pdf_goto(k) sends drawing to page k of them (0-based;
 * the open page is the last); pdf_release writes the kept pages and stops
 * holding, drawing goes to the open page again.  A document that fails
 * (pdf_error) before pdf_release has written none of them. */
void pdf_hold(struct pdf *p);
size_t pdf_held(const struct pdf *p);
void pdf_goto(struct pdf *p, size_t k);
void pdf_release(struct pdf *p);

#endif
