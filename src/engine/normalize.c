/* normalize.c — see normalize.h. */
#include "normalize.h"

#include <string.h>

#include "fieldtype.h"
#include "idcard.h"
#include "util.h"

char *
normalize_note(const char *typed, const char *stored)
{
	size_t n;

	if (typed == NULL || stored == NULL)
		return NULL;
	typed += strspn(typed, " ");
	n = strlen(typed);
	while (n > 0 && typed[n - 1] == ' ')
		n--;
	if (*stored == '\0' || (strlen(stored) == n && strncmp(typed, stored, n) == 0))
		return NULL;
	return xasprintf("“%.*s”已写成“%s”", (int)n, typed, stored);
}

char *
normalize_value(const struct field_def *f, const char *in, int id_number)
{
	if (in == NULL)
		return NULL;
	return id_number ? idcard_normalise(in) : fieldtype_of(f)->normalise(in);
}
