/* progress.c — see progress.h. */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

static void
term_draw(void *arg, unsigned long long done, unsigned long long total)
{
	struct progress_term *t = arg;
	int pct = total ? (int)(done * 100 / total) : 0, fill;

	if (!t->tty || pct == t->last)
		return;
	if (pct > 100)
		pct = 100;
	t->last = pct;
	fill = pct * 30 / 100;
	fprintf(stderr, "\r%s [%.*s%*s] %3d%%", t->label, fill, "##############################",
	    30 - fill, "", pct);
	fflush(stderr);
}

void
progress_term_init(struct progress *p, struct progress_term *t, const char *label)
{
	t->label = label;
	t->tty = isatty(STDERR_FILENO);
	t->last = -1;
	p->fn = term_draw;
	p->arg = t;
}

void
progress_term_done(struct progress_term *t)
{
	if (t->tty && t->last >= 0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	t->last = -1;
}
