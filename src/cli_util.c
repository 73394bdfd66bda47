/* cli_util.c — see cli_util.h. */
#include "cli_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("jzg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int
cli_fail_cause(char *cause, const char *fallback)
{
	cli_fail("%s", cause ? cause : fallback);
	free(cause);
	return EXIT_FAIL;
}
