/* rules_static.c — the rules checked in C, per stored value (struct
 * sfield): required, relevant, format, length, range, code and
 * multi-select, each by its kind's check hook (rules_kind.c).  SQLite
 * calls rules_static() once per row; rules_compile.c decides which fields
 * it is given.  Also whether a stored value is of its field's type. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "codes.h"
#include "rules_int.h"

/* By the field's type row (fieldtype.c): a whole number within the
 * type's own bounds, a number of at most its decimal places, a real day or
 * month in the stored form (calendar.c); any text otherwise. */
int
rules_format_holds(const struct field_def *f, sqlite3_value *v)
{
	const struct fieldtype *ft = fieldtype_of(f);
	int t = sqlite3_value_type(v);

	if (ft->pattern != NULL)
		return t == SQLITE_TEXT && date_read((const char *)sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v),
		    strlen(ft->pattern) == 10, NULL, NULL, NULL);
	if (ft->places == 0)
		return t == SQLITE_INTEGER &&
		    (ft->lo > ft->hi || (sqlite3_value_int64(v) >= ft->lo && sqlite3_value_int64(v) <= ft->hi));
	if (ft->places > 0) {
		if (t == SQLITE_FLOAT) {   /* at most `places` decimal places */
			double scale = 1, x, d;

			for (int i = 0; i < ft->places; i++)
				scale *= 10;
			x = sqlite3_value_double(v) * scale;
			if (x > 9e15 || x < -9e15)
				return 0;
			d = x - (double)(long long)(x < 0 ? x - 0.5 : x + 0.5);
			return d < 1e-6 && d > -1e-6;
		}
		return t == SQLITE_INTEGER;
	}
	return 1;
}

/* Append "rule<TAB>detail<LF>" (tabs and line breaks in detail become
 * spaces: the reader splits on them). */
void
rules_emit(struct strbuf *b, int rule, const char *detail)
{
	strbuf_addf(b, "%d\t", rule);
	for (; detail && *detail; detail++)
		strbuf_addc(b, *detail == '\t' || *detail == '\n' ? ' ' : *detail);
	strbuf_addc(b, '\n');
}


/* Check value v of field sf with its kinds' check hooks: an empty value
 * only by RKF_EMPTY kinds (required), any other value by the rest, in
 * table order, up to one that finds the value's later rules moot. */
static void
check_value(const struct sfield *sf, sqlite3_value **argv, sqlite3_value *v, struct strbuf *out)
{
	int t = sqlite3_value_type(v), empty, n;
	/* a number is only turned into text when a rule needs the text: SQLite
	 * formats it anew (printf) each time, for every numeric value stored */
	struct sval sv = { v, argv, t == SQLITE_INTEGER || t == SQLITE_FLOAT ? NULL : (const char *)sqlite3_value_text(v) };
	const unsigned char *k;

	empty = t == SQLITE_NULL || (sv.s != NULL && *sv.s == '\0') || (sv.s == NULL && t != SQLITE_INTEGER &&
	    t != SQLITE_FLOAT);
	k = empty ? sf->check_empty : sf->check;
	n = empty ? sf->nempty : sf->ncheck;
	for (int i = 0; i < n; i++)
		if (rule_kinds[k[i]].check(sf, &sv, out))
			return;
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
