/* fieldtype.c — see fieldtype.h.  The table is at the end; above it, the
 * functions its rows name. */
#include "fieldtype.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "util.h"

/* ---------------------------------------------------------------- normalise */

/* Full-width ASCII to ASCII, the ideographic space and tabs to a space;
 * ends trimmed; with nospace, every space dropped. */
/* Would halfwidth leave s as it is?  Full-width forms (U+FF01–FF5E) and
 * the ideographic space (U+3000) start with the bytes EF and E3: text
 * without them, without tabs, without blanks at the ends (str_trim's)
 * and, with nospace, without spaces is kept — most cells of an import,
 * read without decoding. */
static int
halfwidth_same(const char *s, int nospace)
{
	size_t n = strlen(s);

	if (n > 0 && (strchr(" \r\n", s[0]) != NULL || strchr(" \r\n", s[n - 1]) != NULL))
		return 0;
	for (; *s; s++)
		if (*s == '\t' || (unsigned char)*s == 0xEF || (unsigned char)*s == 0xE3 || (nospace && *s == ' '))
			return 0;
	return 1;
}

static char *
halfwidth(const char *s, int nospace)
{
	struct strbuf b = { 0 };
	size_t n = strlen(s), k;
	wchar_t wc;
	char *out, *t;

	if (halfwidth_same(s, nospace))
		return xstrdup(s);
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

static char *
norm_text(const char *in)
{
	return halfwidth(in, 0);
}

/* A code is typed without spaces. */
static char *
norm_code(const char *in)
{
	return halfwidth(in, 1);
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

/* 19800905, 1980-9-5, 1980.9.5, 1980/9/5, 1980年9月5日 → 1980-09-05 (and
 * the same without the day for a month); NULL when s is none of these or
 * names no real day. */
static char *
norm_date_runs(const char *s, int want_day)
{
	char runs[3][9];
	int n = digit_runs(s, runs), y = -1, m = -1, d = 1;
	char out[16];

	if (n == 1) {
		if (strlen(runs[0]) != (want_day ? 8u : 6u))
			return NULL;
		sscanf(runs[0], want_day ? "%4d%2d%2d" : "%4d%2d", &y, &m, &d);
	} else if (n == (want_day ? 3 : 2) && strlen(runs[0]) == 4 && strlen(runs[1]) <= 2 &&
	    (!want_day || strlen(runs[2]) <= 2)) {
		y = atoi(runs[0]);
		m = atoi(runs[1]);
		if (want_day)
			d = atoi(runs[2]);
	} else
		return NULL;
	if (!date_valid(y, m, d))
		return NULL;
	if (want_day)
		snprintf(out, sizeof out, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
	else
		snprintf(out, sizeof out, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
	return xstrdup(out);
}

static char *
norm_dated(const char *in, int want_day)
{
	char *s = halfwidth(in, 1), *t;

	if ((t = norm_date_runs(s, want_day)) == NULL)
		return s;
	free(s);
	return t;
}

static char *norm_date(const char *in) { return norm_dated(in, 1); }
static char *norm_month(const char *in) { return norm_dated(in, 0); }

/* 2023年 → 2023. */
static char *
norm_year(const char *in)
{
	char *s = halfwidth(in, 1);

	if (strlen(s) == 7 && strcmp(s + 4, "年") == 0)
		s[4] = '\0';
	return s;
}

/* Thousands separators go: 1,234.50 → 1234.50. */
static char *
norm_number(const char *in)
{
	char *s = halfwidth(in, 1), *t, *w;

	for (t = w = s; *t; t++)
		if (*t != ',' || !(t > s && isdigit((unsigned char)t[-1]) && isdigit((unsigned char)t[1])))
			*w++ = *t;
	*w = '\0';
	return s;
}

/* ---------------------------------------------------------------- valid */

static int
valid_any(const char *s)
{
	return utf8_valid(s);
}

/* An optional minus and 1–15 digits (exact in a double). */
static int
valid_integer(const char *s)
{
	const char *p = s + (*s == '-');
	size_t n = strlen(p);

	return n > 0 && n <= 15 && strspn(p, "0123456789") == n;
}

static int
valid_decimal(const char *s)
{
	char *end;

	strtod(s, &end);
	return end != s && *end == '\0';
}

static int
valid_date(const char *s)
{
	return date_read(s, strlen(s), 1, NULL, NULL, NULL);
}

static int
valid_month(const char *s)
{
	return date_read(s, strlen(s), 0, NULL, NULL, NULL);
}

static int
valid_year(const char *s)
{
	return strlen(s) == 4 && strspn(s, "0123456789") == 4 && atoi(s) >= 1000;
}

static int
valid_coded(const char *s)
{
	(void)s;
	return 1;
}

/* ---------------------------------------------------------------- the table */

/* places = -1 and lo > hi: not a number, no bounds of its own. */
#define NOT_A_NUMBER .places = -1, .lo = 1, .hi = 0

static const struct fieldtype types[] = {
	[FT_TEXT] = { .name = "text", .type = FT_TEXT, .affinity = "TEXT", NOT_A_NUMBER,
		.cell_width = 20, .label = "文字", .cell_hint = "文本", .blank = "",
		.not_cell = "含有无效的字符编码", .normalise = norm_text, .valid = valid_any },
	[FT_INTEGER] = { .name = "integer", .type = FT_INTEGER, .affinity = "INTEGER",
		.places = 0, .lo = 1, .hi = 0, .number_cell = 1, .cell_width = 8,
		.label = "整数", .cell_hint = "整数", .blank = "", .not_stored = "不是整数",
		.not_cell = "“%1$s”不是整数", .demo_lo = 0, .demo_hi = 100,
		.normalise = norm_number, .valid = valid_integer },
	[FT_DECIMAL] = { .name = "decimal", .type = FT_DECIMAL, .affinity = "NUMERIC",
		.places = 2, .lo = 1, .hi = 0, .number_cell = 1, .cell_width = 8,
		.label = "数值（两位小数）", .cell_hint = "数字（两位小数）", .blank = "",
		.not_stored = "不是有效的数值（最多两位小数）", .not_cell = "“%1$s”不是数字",
		.demo_lo = 0, .demo_hi = 100, .normalise = norm_number, .valid = valid_decimal },
	[FT_DATE] = { .name = "date", .type = FT_DATE, .affinity = "TEXT", NOT_A_NUMBER,
		.pattern = "YYYY-MM-DD", .cell_width = 8, .label = "日期 YYYY-MM-DD",
		.cell_hint = "日期，写成 %s", .blank = "　　　　　年　　　月　　　日",
		.not_stored = "不是有效的日期（应为 YYYY-MM-DD）", .not_cell = "“%1$s”不是日期，应写成 %2$s",
		.normalise = norm_date, .valid = valid_date },
	[FT_MONTH] = { .name = "month", .type = FT_MONTH, .affinity = "TEXT", NOT_A_NUMBER,
		.pattern = "YYYY-MM", .cell_width = 8, .label = "年月 YYYY-MM",
		.cell_hint = "年月，写成 %s", .blank = "　　　　　年　　　月",
		.not_stored = "不是有效的年月（应为 YYYY-MM）", .not_cell = "“%1$s”不是年月，应写成 %2$s",
		.normalise = norm_month, .valid = valid_month },
	[FT_YEAR] = { .name = "year", .type = FT_YEAR, .affinity = "INTEGER",
		.places = 0, .lo = 1000, .hi = 9999, .cell_width = 8,
		.label = "年份 YYYY", .cell_hint = "年份，写成 YYYY", .blank = "　　　　　年",
		.not_stored = "不是有效的年份（应为 4 位数字）", .not_cell = "“%1$s”不是年份，应写成 4 位数字，如 2024",
		.demo_lo = 1990, .demo_hi = -1, .normalise = norm_year, .valid = valid_year },
	[FT_SELECT_ONE] = { .name = "select_one", .type = FT_SELECT_ONE, .coded = 1, .affinity = "TEXT",
		NOT_A_NUMBER, .cell_width = 8, .label = "代码（单选）",
		.cell_hint = "代码，从下拉列表选择（%s）", .blank = "",
		.normalise = norm_code, .valid = valid_coded },
	[FT_SELECT_MULTIPLE] = { .name = "select_multiple", .type = FT_SELECT_MULTIPLE, .coded = 2,
		.affinity = "TEXT", NOT_A_NUMBER, .cell_width = 8, .label = "代码（可多选）",
		.cell_hint = "可多选，各项之间用“%s”分隔", .blank = "",
		.normalise = norm_text, .valid = valid_coded },
};

/* Spellings that stand for a coded type with its table. */
static const struct { const char *name; enum field_type type; const char *table; } shorthand[] = {
	{ "yesno", FT_SELECT_ONE, "SF" },
};

#define NTYPES (sizeof types / sizeof *types)
#define NSHORT (sizeof shorthand / sizeof *shorthand)

const struct fieldtype *
fieldtype(enum field_type t)
{
	return (size_t)t < NTYPES ? &types[t] : &types[FT_TEXT];
}

const struct fieldtype *
fieldtype_parse(const char *spelling, const char **table_id)
{
	*table_id = NULL;
	if (spelling == NULL)
		return NULL;
	for (size_t i = 0; i < NSHORT; i++)
		if (strcmp(spelling, shorthand[i].name) == 0) {
			*table_id = shorthand[i].table;
			return &types[shorthand[i].type];
		}
	for (size_t i = 0; i < NTYPES; i++) {
		size_t n = strlen(types[i].name);

		if (strncmp(spelling, types[i].name, n) != 0)
			continue;
		if (!types[i].coded && spelling[n] == '\0')
			return &types[i];
		if (types[i].coded && spelling[n] == ' ') {
			*table_id = spelling + n + strspn(spelling + n, " ");
			return &types[i];
		}
	}
	return NULL;
}

char *
fieldtype_names(void)
{
	struct strbuf b = { 0 };

	/* uncoded types, the shorthands, then the coded ones with their table */
	for (size_t i = 0; i < NTYPES; i++)
		if (!types[i].coded)
			strbuf_addf(&b, "%s%s", b.len ? " " : "", types[i].name);
	for (size_t i = 0; i < NSHORT; i++)
		strbuf_addf(&b, " %s", shorthand[i].name);
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].coded)
			strbuf_addf(&b, " %s 表", types[i].name);
	return strbuf_take(&b);
}
