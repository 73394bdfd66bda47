/* rules_static.c — the rules checked in C, per stored value (struct
 * sfield): required without an expression, relevant, format, length,
 * range, code and multi-select.  SQLite calls rules_static() once per row;
 * rules_compile.c decides which fields it is given. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "rules_int.h"

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "YYYY-MM" or "YYYY-MM-DD" (with_day) naming a real month or day. */
static int
valid_date(const char *s, size_t n, int with_day)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (n != (with_day ? 10u : 7u) || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2))
		return 0;
	y = ((s[0] - '0') * 10 + (s[1] - '0')) * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 1 || m < 1 || m > 12)
		return 0;
	if (!with_day)
		return 1;
	if (s[7] != '-' || !all_digits(s + 8, 2))
		return 0;
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

static int
format_holds(const struct field_def *f, sqlite3_value *v)
{
	int t = sqlite3_value_type(v);
	const char *s;

	switch (f->type) {
	case FT_INTEGER:
		return t == SQLITE_INTEGER;
	case FT_YEAR:
		return t == SQLITE_INTEGER && sqlite3_value_int64(v) >= 1000 && sqlite3_value_int64(v) <= 9999;
	case FT_DECIMAL:
		if (t == SQLITE_FLOAT) {   /* at most 2 decimal places */
			double x = sqlite3_value_double(v) * 100, d;

			if (x > 9e15 || x < -9e15)
				return 0;
			d = x - (double)(long long)(x < 0 ? x - 0.5 : x + 0.5);
			return d < 1e-6 && d > -1e-6;
		}
		return t == SQLITE_INTEGER;
	case FT_DATE:
	case FT_MONTH:
		s = (const char *)sqlite3_value_text(v);
		return t == SQLITE_TEXT && valid_date(s, (size_t)sqlite3_value_bytes(v), f->type == FT_DATE);
	default:
		return 1;
	}
}

/* Append "rule<TAB>detail<LF>" (tabs and line breaks in detail become
 * spaces: the reader splits on them). */
static void
emit(struct strbuf *b, int rule, const char *detail)
{
	strbuf_addf(b, "%d\t", rule);
	for (; detail && *detail; detail++)
		strbuf_addc(b, *detail == '\t' || *detail == '\n' ? ' ' : *detail);
	strbuf_addc(b, '\n');
}

/* Check a multi-select list: the first unknown code, an exclusive code
 * combined with others, or a list not in canonical form (each code once,
 * in table order, one space apart). */
static void
check_multi(const struct sfield *sf, const char *list, struct strbuf *out)
{
	const struct code_table *t = sf->f->table;
	unsigned char small[256], *seen = t->nrow < sizeof small ? small : xmalloc(t->nrow);
	const struct code *excl = NULL;
	struct strbuf canon = { 0 };
	char tok[64];
	int n = 0, canonical = 1;
	size_t last = 0;

	/* called for every stored multi-select value: no allocation unless
	 * the table is large or the list is wrong */
	memset(seen, 0, t->nrow);
	for (const char *p = list; *p; ) {
		const struct code *row = NULL;
		size_t k, i;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (k = 0; p[k] && p[k] != ' '; k++)
			;
		if (k < 60) {
			memcpy(tok, p, k);
			tok[k] = '\0';
			row = codes_find(t, tok);
		} else
			snprintf(tok, sizeof tok, "%.*s", 60, p);
		n++;
		if (row == NULL || !row->pick) {
			emit(out, sf->multi_code, tok);
			if (seen != small)
				free(seen);
			return;
		}
		i = (size_t)(row - t->row);
		/* canonical: one space between codes, in table order, each once */
		if (seen[i] || (n > 1 && i < last) || (n == 1 && p != list) || (p[k] != '\0' && (p[k + 1] == ' ' ||
		    p[k + 1] == '\0')))
			canonical = 0;
		seen[i] = 1;
		last = i;
		if (row->excl && excl == NULL)
			excl = row;
		p += k;
	}
	if (excl != NULL && n > 1)
		emit(out, sf->multi_excl, excl->code);
	if (!canonical) {
		for (size_t i = 0; i < t->nrow; i++)
			if (seen[i]) {
				if (canon.len > 0)
					strbuf_addc(&canon, ' ');
				strbuf_adds(&canon, t->row[i].code);
			}
		if (canon.len > 0 && strcmp(canon.s, list) != 0)
			emit(out, sf->multi_form, canon.s);
		strbuf_free(&canon);
	}
	if (seen != small)
		free(seen);
}

static int
truth(sqlite3_value **argv, int arg)
{
	return arg < 0 || (sqlite3_value_type(argv[arg]) != SQLITE_NULL && sqlite3_value_double(argv[arg]) != 0);
}

/* Returns 1 when the value was found wrong in a way that makes its other
 * rules moot (not relevant, wrong format). */
static int
check_value(const struct sfield *sf, sqlite3_value **argv, sqlite3_value *v, struct strbuf *out)
{
	const struct field_def *f = sf->f;
	int t = sqlite3_value_type(v);
	/* a number is only turned into text when a rule needs the text: SQLite
	 * formats it anew (printf) each time, for every numeric value stored */
	const char *s = t == SQLITE_INTEGER || t == SQLITE_FLOAT ? NULL : (const char *)sqlite3_value_text(v);
	int num_type = f->type == FT_INTEGER || f->type == FT_DECIMAL || f->type == FT_YEAR;
	char num[32];

	if (t == SQLITE_NULL || (s != NULL && *s == '\0') || (s == NULL && t != SQLITE_INTEGER && t != SQLITE_FLOAT)) {
		if (sf->required >= 0 && truth(argv, sf->rel_arg) && truth(argv, sf->req_arg))
			emit(out, sf->required, NULL);
		return 0;
	}
	if (sf->relevant >= 0 && !truth(argv, sf->rel_arg)) {
		emit(out, sf->relevant, NULL);
		return 1;
	}
	if (sf->format >= 0 && !format_holds(f, v)) {
		emit(out, sf->format, (const char *)sqlite3_value_text(v));
		return 1;
	}
	if (s == NULL && (sf->length >= 0 || sf->code >= 0 || sf->multi_code >= 0 ||
	    (sf->range >= 0 && !(num_type && (f->v[FC_MIN] == NULL || sf->has_lo) && (f->v[FC_MAX] == NULL || sf->has_hi)))))
		s = (const char *)sqlite3_value_text(v);
	/* no more characters than bytes: count them only when it may matter */
	if (sf->length >= 0 && (size_t)sqlite3_value_bytes(v) > (size_t)f->length && (int)utf8_chars(s) > f->length) {
		snprintf(num, sizeof num, "%zu", utf8_chars(s));
		emit(out, sf->length, num);
	}
	if (sf->range >= 0) {
		double x = sqlite3_value_double(v);

		if (f->v[FC_MIN] && (num_type && sf->has_lo ? x < sf->lo : strcmp(s, f->v[FC_MIN]) < 0))
			emit(out, sf->range, "min");
		else if (f->v[FC_MAX] && (num_type && sf->has_hi ? x > sf->hi : strcmp(s, f->v[FC_MAX]) > 0))
			emit(out, sf->range, "max");
	}
	if (sf->code >= 0) {
		const struct code *row = codes_find(f->table, s);

		if (row == NULL || !row->pick)
			emit(out, sf->code, s);
	}
	if (sf->multi_code >= 0)
		check_multi(sf, s, out);
	return 0;
}

/* rules_static(set, v…): see struct sfield.  NULL when every static rule
 * holds, else lines "rule<TAB>detail". */
void
rules_fn_static(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	sqlite3_int64 k = sqlite3_value_int64(argv[0]);
	const struct rset *rs;
	struct strbuf out = { 0 };

	if (k < 0 && sqlite3_value_type(argv[0]) != SQLITE_NULL) {
		sqlite3_result_null(c);   /* a row rules_run() skips (rules_rset) */
		return;
	}
	if (k < 0 || (size_t)k >= r->nrs || (size_t)argc != 1 + r->rs[k].nexpr + r->rs[k].nsf) {
		sqlite3_result_error(c, "rules_static: 参数不符", -1);
		return;
	}
	rs = &r->rs[k];
	for (size_t i = 0; i < rs->nsf; i++)
		check_value(&rs->sf[i], argv, argv[1 + rs->nexpr + i], &out);
	if (out.len == 0)
		sqlite3_result_null(c);
	else
		sqlite3_result_text(c, out.s, (int)out.len, free);
}
