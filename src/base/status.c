/* status.c — status texts and the cause helper. */
#include "status.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

static const char *const status_text[] = {
#define JZG_STATUS_TEXT(name, text) text,
	JZG_STATUS_INFO(JZG_STATUS_TEXT)
#undef JZG_STATUS_TEXT
};

const char *
jzg_strstatus(enum jzg_status st)
{
	if ((unsigned)st >= sizeof status_text / sizeof status_text[0])
		return "未知错误";
	return status_text[st];
}

enum jzg_status
jzg_fail(char **cause, enum jzg_status st, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return st;
	free(*cause);
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return st;
}
