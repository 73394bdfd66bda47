/* diag.h — a list of diagnostics shaped `file:line: message`, collected so
 * that every problem in the definitions is reported at once (tig's parse
 * warnings, tmux's cfg_add_cause).  No curses. */
#ifndef JZG_DIAG_H
#define JZG_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
	char   **msg;  /* owned strings */
	size_t   n;
	size_t   cap;
	size_t   more;  /* problems past DIAG_MAX, counted but not kept */
};

/* Enough to show what is wrong; a damaged file of 100,000 bad lines would
 * otherwise cost a quadratic de-duplication at every start-up. */
#define DIAG_MAX 1000

/* line <= 0 prints `file: message`; file NULL prints just the message. */
void diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_print(const struct diag *d, FILE *fp);
void diag_free(struct diag *d);

#endif
