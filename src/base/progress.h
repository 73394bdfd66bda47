/* progress.h — how long jobs (export, import) tell their caller how far
 * they are, and a bar on a terminal's stderr.  No curses: the client passes
 * its own callback.  A NULL struct progress (or NULL fn) means quiet. */
#ifndef JZG_PROGRESS_H
#define JZG_PROGRESS_H

#include <stddef.h>

struct progress {
	/* done ≤ total, in units the job chooses (rows, bytes); called often,
	 * so the callback must be cheap. */
	void (*fn)(void *arg, unsigned long long done, unsigned long long total);
	void  *arg;
};

static inline void
progress_report(const struct progress *p, unsigned long long done, unsigned long long total)
{
	if (p != NULL && p->fn != NULL)
		p->fn(p->arg, done, total);
}

/* A text bar on stderr, redrawn only when the percentage changes.  Quiet
 * when stderr is not a terminal. */
struct progress_term {
	const char *label;   /* not owned */
	int         tty;
	int         last;    /* last percentage drawn, -1 = none */
};

/* Set p up to draw a bar labelled label (kept, not copied). */
void progress_term_init(struct progress *p, struct progress_term *t, const char *label);
/* Finish the line (only when something was drawn). */
void progress_term_done(struct progress_term *t);

#endif
