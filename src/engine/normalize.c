/* normalize.c — see normalize.h. */
#include "normalize.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "idcard.h"
#include "util.h"

/* Full-width ASCII to ASCII, ideographic space to space; trim ends; with
 * nospace, drop every space. */
static char *
halfwidth(const char *s, int nospace)
{
	struct strbuf b = { 0 };
	size_t n = strlen(s), k;
	wchar_t wc;
	char *out, *t;

	while (n > 0) {
		char enc[4];

		if ((k = utf8_decode(s, n, &wc)) == 0) {
			strbuf_addc(&b, *s);
			k = 1;
		} else {
			if (wc >= 0xFF01 && wc <= 0xFF5E)
				wc -= 0xFEE0;
			else if (wc == 0x3000 || wc == '\t')
				wc = ' ';
			if (!(nospace && wc == ' '))
				strbuf_add(&b, enc, utf8_encode(wc, enc));
		}
		s += k;
		n -= k;
	}
	out = strbuf_take(&b);
	t = xstrdup(str_trim(out));
	free(out);
	return t;
}

/* Split s into up to 3 runs of digits (any separators: - . / 年 月 日). */
static int
digit_runs(const char *s, char runs[3][9])
{
	int n = 0;
	size_t len;

	while (*s) {
		if (!isdigit((unsigned char)*s)) {
			s++;
			continue;
		}
		if (n == 3)
			return -1;
		len = strspn(s, "0123456789");
		if (len > 8)
			return -1;
		memcpy(runs[n], s, len);
		runs[n][len] = '\0';
		n++;
		s += len;
	}
	return n;
}

static char *
norm_date(const char *s, int want_day)
{
	char runs[3][9];
	int n = digit_runs(s, runs), y = -1, m = -1, d = -1;
	char out[16];

	if (n == 1) {
		size_t len = strlen(runs[0]);

		if (len == (want_day ? 8u : 6u)) {
			sscanf(runs[0], want_day ? "%4d%2d%2d" : "%4d%2d", &y, &m, &d);
		} else
			return NULL;
	} else if (n == (want_day ? 3 : 2) && strlen(runs[0]) == 4 && strlen(runs[1]) <= 2 &&
	    (!want_day || strlen(runs[2]) <= 2)) {
		y = atoi(runs[0]);
		m = atoi(runs[1]);
		if (want_day)
			d = atoi(runs[2]);
	} else
		return NULL;
	if (!date_valid(y, m, want_day ? d : 1))
		return NULL;
	if (want_day)
		snprintf(out, sizeof out, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	else
		snprintf(out, sizeof out, "%04d-%02d", y % 10000, m % 100);
	return xstrdup(out);
}

char *
normalize_value(const struct field_def *f, const char *in, int id_number)
{
	char *s, *t;

	if (in == NULL)
		return NULL;
	if (id_number)
		return idcard_normalise(in);
	switch (f->type) {
	case FT_TEXT:
		return halfwidth(in, 0);
	case FT_DATE:
	case FT_MONTH:
		s = halfwidth(in, 1);
		if ((t = norm_date(s, f->type == FT_DATE)) != NULL) {
			free(s);
			return t;
		}
		return s;
	case FT_YEAR:
		s = halfwidth(in, 1);
		if (strlen(s) == 7 && strcmp(s + 4, "年") == 0)
			s[4] = '\0';
		return s;
	case FT_INTEGER:
	case FT_DECIMAL: {
		char *w;

		s = halfwidth(in, 1);
		/* thousands separators: 1,234.50 */
		for (t = w = s; *t; t++)
			if (*t != ',' || !(t > s && isdigit((unsigned char)t[-1]) && isdigit((unsigned char)t[1])))
				*w++ = *t;
		*w = '\0';
		return s;
	}
	default:
		return halfwidth(in, f->type == FT_SELECT_ONE);
	}
}
