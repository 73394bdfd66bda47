/* diag.c — see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (d->n >= DIAG_MAX) {
		d->more++;
		return;
	}
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->msg = xreallocarray(d->msg, d->cap, sizeof *d->msg);
	}
	if (file == NULL)
		d->msg[d->n++] = m;
	else if (line > 0)
		d->msg[d->n++] = xasprintf("%s:%d: %s", file, line, m);
	else
		d->msg[d->n++] = xasprintf("%s: %s", file, m);
	if (file != NULL)
		free(m);
	/* the same problem reached through several templates is said once */
	for (size_t i = 0; i + 1 < d->n; i++)
		if (strcmp(d->msg[i], d->msg[d->n - 1]) == 0) {
			free(d->msg[--d->n]);
			break;
		}
}

void
diag_print(const struct diag *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(fp, "%s\n", d->msg[i]);
	if (d->more > 0)
		fprintf(fp, "……另有 %zu 处问题未列出\n", d->more);
}

void
diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	d->msg = NULL;
	d->n = d->cap = d->more = 0;
}
