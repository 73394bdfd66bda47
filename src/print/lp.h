/* lp.h — hand a saved PDF to CUPS (`lp`) and list the printers (`lpstat`).
 * No curses.  The PDF is always saved first; printing is an extra, so every
 * failure message says where the file is (tech.md §4).
 *
 * lp and lpstat run with LC_ALL=C: CUPS translates its messages, and its
 * untranslated English is what we recognise and turn into Chinese with
 * what to do (no CUPS, CUPS not running, no default printer, no such
 * printer, a printer not accepting jobs, a paused printer). */
#ifndef JZG_LP_H
#define JZG_LP_H

#include <stddef.h>

#include "status.h"

#define LP_COPIES_MAX 99

/* One print job: what to print how (in), and what happened (out). */
struct lp_job {
	const char *printer;   /* in: a CUPS queue name; NULL = the default printer */
	int         copies;    /* in: 1 … LP_COPIES_MAX; 0 = 1 */
	int         duplex;    /* in: both sides of the paper (long edge) */
	char       *msg;       /* out (caller frees): what was done, Chinese, with lp's request id */
	int         paused;    /* out: queued on a paused printer — nothing comes out until it is resumed;
	                        * msg says so and what to do */
};

/* Print path (A4).  On success job->msg is set; on failure the cause
 * (caller frees) says why in Chinese, what to do, and where the PDF is. */
enum jzg_status lp_print(const char *path, struct lp_job *job, char **cause);

struct lp_printer {
	char *name;
	int   is_default;
	int   paused;       /* CUPS "disabled": jobs wait in the queue */
	int   rejecting;    /* not accepting jobs */
	char *reason;       /* why paused or rejecting, as CUPS says it; NULL = none given */
};

/* The printers CUPS knows, in lpstat's order.  *n = 0 is not a failure
 * (CUPS runs, no printer set up).  Fails, with a Chinese cause, when CUPS is
 * not installed or not running.  Free with lp_printers_free. */
enum jzg_status lp_printers(struct lp_printer **out, size_t *n, char **cause);
void lp_printers_free(struct lp_printer *p, size_t n);

/* "空闲", "已暂停（原因）", "不接受任务（原因）" — caller frees. */
char *lp_printer_state(const struct lp_printer *p);

#endif
