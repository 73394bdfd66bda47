/* lp.h — hand a saved PDF to CUPS (`lp`), capturing what lp says.  No
 * curses.  The PDF is always saved first; printing is an extra, so every
 * failure message says where the file is (tech.md §4). */
#ifndef JZG_LP_H
#define JZG_LP_H

#include "status.h"

/* Print path on the default printer (A4) with `lp` found on PATH.  On
 * success *msg (caller frees) says it was sent (with lp's request id).  On
 * failure — no lp (cups-client not installed), no printer, lp refused — the
 * cause (caller frees) gives lp's own words and where the PDF was saved. */
enum jzg_status lp_print(const char *path, char **msg, char **cause);

#endif
