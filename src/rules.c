/* rules.c — see rules.h.
 *
 * Each rule is one result column: a CASE that is NULL while the rule holds.
 * The rules of one field are gated so that one wrong value gives one
 * finding: an empty value is only checked for being required, a value of
 * the wrong format is not also checked against its range or constraint, a
 * code that is not in its table is not also checked against choice_filter,
 * and a derived (readonly + calculate) field is only checked for being
 * stale. */
#include "rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "expr.h"
#include "util.h"

enum rule_kind {
	RK_REQUIRED, RK_RELEVANT, RK_FORMAT, RK_LENGTH, RK_RANGE, RK_CODE, RK_CHOICE,
	RK_MULTI_CODE, RK_MULTI_EXCL, RK_MULTI_FORM, RK_CONSTRAINT, RK_DERIVED, RK_CHECK
};

/* The <kind> of a field rule's id (RK_CHECK rules keep their own name). */
static const char *const kind_name[] = {
	"required", "relevant", "format", "length", "range", "code", "choice",
	"multi_code", "multi_excl", "multi_form", "constraint", "derived", NULL
};

struct rule {
	char                   *name;
	enum rule_kind          kind;
	const struct field_def *field;
	int                     warning;
	const char             *text;   /* constraint_message / checks message; not owned */
	char                   *extra;  /* derived: label of the source set; choice: labels the filter reads */
	char                   *calc;   /* derived: calculate in ROW form */
	int                     col;    /* result column, or -1 when checked by rules_static */
};

enum scope_mode { SM_ALL, SM_SCHOOL, SM_STAFF, SM_RECORD, SM__COUNT };

/* Result columns before the rules: staff id, key, seq, rules_static(). */
#define RS_FIXED 4

struct rset {
	const struct template_def *tpl;
	const struct set_def      *set;
	struct rule               *rule;
	size_t                     nrule;
	struct sfield             *sf;       /* fields with static rules, in rules_static argument order */
	size_t                     nsf;
	char                     **expr;     /* relevant/required expressions, arguments 1… of rules_static */
	size_t                     nexpr;
	unsigned char             *badfmt;   /* per row: field index had a format finding */
	char                      *select;   /* up to and including the template filter */
	sqlite3_stmt              *stmt[SM__COUNT];
	sqlite3_stmt              *rownum;
	int                        ncol;     /* result columns of rules (after RS_FIXED) */
};

struct rules {
	struct store *st;
	struct rset  *rs;
	size_t        nrs;
	sqlite3_stmt *explained;
	int           stop;
};

/* ------------------------------------------------------ static checks */

/* The rules that need no expression (required = yes without relevant,
 * format, length, range, code, multi-select) are checked by one C function,
 * rules_static(set, v1, v2, …), called by SQLite once per row with the
 * values of the fields that have such rules.  Doing them in C is what keeps
 * a row cheap: date() and a sub-query per code cost a microsecond each, and
 * a file of 100,000 persons has about 4 million rows. */
struct sfield {
	const struct field_def *f;
	int                     field_index;
	int                     required, relevant, format, length, range, code, multi_code, multi_excl, multi_form;
	int                     rel_arg, req_arg;   /* argument holding relevant / required, -1 = always */
	double                  lo, hi;             /* numeric range */
	int                     has_lo, has_hi;
};

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
	y = atoi(s);
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
	unsigned char *seen = xcalloc(t->nrow + 1, 1);
	const struct code *excl = NULL;
	struct strbuf canon = { 0 };
	char tok[64];
	int n = 0;

	for (const char *p = list; *p; ) {
		const struct code *row = NULL;
		size_t k;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (k = 0; p[k] && p[k] != ' '; k++)
			;
		snprintf(tok, sizeof tok, "%.*s", (int)(k < 60 ? k : 60), p);
		n++;
		if (k >= 60 || (row = codes_find(t, tok)) == NULL || !row->pick) {
			emit(out, sf->multi_code, tok);
			free(seen);
			return;
		}
		seen[row - t->row] = 1;
		if (row->excl && excl == NULL)
			excl = row;
		p += k;
	}
	if (excl != NULL && n > 1)
		emit(out, sf->multi_excl, excl->code);
	for (size_t i = 0; i < t->nrow; i++)
		if (seen[i]) {
			if (canon.len > 0)
				strbuf_addc(&canon, ' ');
			strbuf_adds(&canon, t->row[i].code);
		}
	if (canon.len > 0 && strcmp(canon.s, list) != 0)
		emit(out, sf->multi_form, canon.s);
	strbuf_free(&canon);
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
	const char *s = (const char *)sqlite3_value_text(v);
	char num[32];

	if (s == NULL || *s == '\0') {
		if (sf->required >= 0 && truth(argv, sf->rel_arg) && truth(argv, sf->req_arg))
			emit(out, sf->required, NULL);
		return 0;
	}
	if (sf->relevant >= 0 && !truth(argv, sf->rel_arg)) {
		emit(out, sf->relevant, NULL);
		return 1;
	}
	if (sf->format >= 0 && !format_holds(f, v)) {
		emit(out, sf->format, s);
		return 1;
	}
	if (sf->length >= 0 && (int)utf8_chars(s) > f->length) {
		snprintf(num, sizeof num, "%zu", utf8_chars(s));
		emit(out, sf->length, num);
	}
	if (sf->range >= 0) {
		int num_type = f->type == FT_INTEGER || f->type == FT_DECIMAL || f->type == FT_YEAR;
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

/* ---------------------------------------------------------- compiling */

static void
add_rule(struct rset *rs, struct strbuf *cols, enum rule_kind kind, const struct field_def *f,
    int warning, const char *text, char *sql)
{
	struct rule *ru;

	rs->rule = xreallocarray(rs->rule, rs->nrule + 1, sizeof *rs->rule);
	ru = &rs->rule[rs->nrule++];
	memset(ru, 0, sizeof *ru);
	ru->kind = kind;
	ru->field = f;
	ru->warning = warning;
	ru->text = text;
	ru->name = xasprintf("%s:%s", kind_name[kind], f->v[FC_NAME]);
	ru->col = -1;
	if (sql != NULL) {
		ru->col = rs->ncol++;
		strbuf_addf(cols, ",\n  %s", sql);
		free(sql);
	}
}

/* A static rule of field f: its index in rs->rule. */
static int
add_static(struct rset *rs, enum rule_kind kind, const struct field_def *f)
{
	add_rule(rs, NULL, kind, f, 0, NULL, NULL);
	return (int)rs->nrule - 1;
}

/* The label of the first set named as s_<name> in a calculate expression
 * (where a derived value comes from), or NULL. */
static char *
source_label(const struct defs *defs, const char *calc)
{
	for (const char *p = calc; (p = strstr(p, "s_")) != NULL; p += 2) {
		size_t k = 0;
		char *name;
		const struct set_def *s;

		if (p > calc && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		while (isalnum((unsigned char)p[2 + k]) || p[2 + k] == '_')
			k++;
		name = xstrndup(p + 2, k);
		s = defs_set(defs->all, defs->nall, name);
		free(name);
		if (s != NULL)
			return xstrdup(s->v[SC_LABEL]);
	}
	return NULL;
}

/* The argument of rules_static that carries the value of expression e
 * (takes e).  Fields sharing a relevant or required expression share its
 * argument, so it is evaluated once per row. */
static int
static_arg(struct rset *rs, char *e)
{
	for (size_t i = 0; i < rs->nexpr; i++)
		if (strcmp(rs->expr[i], e) == 0) {
			free(e);
			return (int)i + 1;
		}
	rs->expr = xreallocarray(rs->expr, rs->nexpr + 1, sizeof *rs->expr);
	rs->expr[rs->nexpr++] = e;
	return (int)rs->nexpr;
}

static enum jzg_status
compile_field(struct rules *r, struct rset *rs, struct strbuf *cols, struct strbuf *args,
    const struct field_def *f, char **cause)
{
	const struct set_def *s = rs->set;
	const char *name = f->v[FC_NAME], *tbl = f->table_id;
	char *col = xasprintf("cur.\"%s\"", name);
	char *v = xasprintf("NULLIF(%s, '')", col);
	char *e;
	struct sfield sf;
	enum jzg_status rc = JZG_OK;

	if (f->readonly && f->v[FC_CALCULATE] != NULL) {
		if ((e = expr_sql(f->v[FC_CALCULATE], s, NULL, EXPR_ROW, NULL, cause)) == NULL) {
			rc = JZG_ERR_DEFS;
			goto done;
		}
		add_rule(rs, cols, RK_DERIVED, f, 1, NULL, xasprintf("CASE WHEN %s IS NOT (%s) THEN 1 END", col, e));
		rs->rule[rs->nrule - 1].calc = e;
		rs->rule[rs->nrule - 1].extra = source_label(r->st->defs, f->v[FC_CALCULATE]);
		goto done;
	}
	memset(&sf, 0, sizeof sf);
	sf.f = f;
	sf.field_index = (int)(f - s->field);
	sf.required = sf.relevant = sf.format = sf.length = sf.range = sf.code = -1;
	sf.multi_code = sf.multi_excl = sf.multi_form = sf.rel_arg = sf.req_arg = -1;
	if (f->v[FC_RELEVANT] != NULL) {
		if ((e = expr_sql(f->v[FC_RELEVANT], s, NULL, EXPR_ROW, NULL, cause)) == NULL) {
			rc = JZG_ERR_DEFS;
			goto done;
		}
		sf.rel_arg = static_arg(rs, e);
		sf.relevant = add_static(rs, RK_RELEVANT, f);
	}
	if (f->required != REQ_NO && !f->readonly) {
		if (f->required == REQ_EXPR) {
			if ((e = expr_sql(f->v[FC_REQUIRED], s, NULL, EXPR_ROW, NULL, cause)) == NULL) {
				rc = JZG_ERR_DEFS;
				goto done;
			}
			sf.req_arg = static_arg(rs, e);
		}
		sf.required = add_static(rs, RK_REQUIRED, f);
	}
	if (f->type == FT_INTEGER || f->type == FT_DECIMAL || f->type == FT_YEAR || f->type == FT_DATE ||
	    f->type == FT_MONTH)
		sf.format = add_static(rs, RK_FORMAT, f);
	if (f->length > 0)
		sf.length = add_static(rs, RK_LENGTH, f);
	if (f->v[FC_MIN] != NULL || f->v[FC_MAX] != NULL) {
		char *end;

		sf.range = add_static(rs, RK_RANGE, f);
		if (f->v[FC_MIN] != NULL) {
			sf.lo = strtod(f->v[FC_MIN], &end);
			sf.has_lo = end != f->v[FC_MIN] && *end == '\0';
		}
		if (f->v[FC_MAX] != NULL) {
			sf.hi = strtod(f->v[FC_MAX], &end);
			sf.has_hi = end != f->v[FC_MAX] && *end == '\0';
		}
	}
	if (f->table != NULL && f->type == FT_SELECT_ONE)
		sf.code = add_static(rs, RK_CODE, f);
	if (f->table != NULL && f->type == FT_SELECT_MULTIPLE) {
		sf.multi_code = add_static(rs, RK_MULTI_CODE, f);
		sf.multi_excl = add_static(rs, RK_MULTI_EXCL, f);
		sf.multi_form = add_static(rs, RK_MULTI_FORM, f);
	}
	if (sf.required >= 0 || sf.relevant >= 0 || sf.format >= 0 || sf.length >= 0 || sf.range >= 0 ||
	    sf.code >= 0 || sf.multi_code >= 0) {
		rs->sf = xreallocarray(rs->sf, rs->nsf + 1, sizeof *rs->sf);
		rs->sf[rs->nsf++] = sf;
		strbuf_addf(args, ", %s", col);
	}
	if (f->table != NULL && f->v[FC_CHOICE_FILTER] != NULL) {
		unsigned char *refs = xcalloc(s->nfield + 1, 1);
		struct strbuf labels = { 0 };

		if ((e = expr_sql(f->v[FC_CHOICE_FILTER], s, NULL, EXPR_ROW, refs, cause)) == NULL) {
			free(refs);
			rc = JZG_ERR_DEFS;
			goto done;
		}
		for (size_t j = 0; j < s->nfield; j++)
			if (refs[j]) {
				if (labels.len > 0)
					strbuf_adds(&labels, "、");
				strbuf_adds(&labels, s->field[j].v[FC_LABEL]);
			}
		/* only codes that exist: an unknown code is the code rule's finding */
		if (f->type == FT_SELECT_MULTIPLE)
			add_rule(rs, cols, RK_CHOICE, f, 0, NULL, xasprintf("CASE WHEN %s IS NOT NULL THEN (SELECT c.code"
			    " FROM temp.code AS c WHERE c.tbl = '%s' AND c.pick AND selected(%s, c.code)"
			    " AND NOT coalesce((%s), 0) ORDER BY c.ord LIMIT 1) END", v, tbl, v, e));
		else
			add_rule(rs, cols, RK_CHOICE, f, 0, NULL, xasprintf("CASE WHEN %s IS NOT NULL AND EXISTS (SELECT 1"
			    " FROM temp.code AS c WHERE c.tbl = '%s' AND c.code = %s AND c.pick AND NOT coalesce((%s), 0))"
			    " THEN %s END", v, tbl, v, e, v));
		rs->rule[rs->nrule - 1].extra = strbuf_take(&labels);
		free(refs);
		free(e);
	}
	if (f->v[FC_CONSTRAINT] != NULL) {
		/* a value of the wrong format is the format rule's finding: run()
		 * drops the constraint's then */
		if ((e = expr_sql(f->v[FC_CONSTRAINT], s, name, EXPR_ROW, NULL, cause)) == NULL) {
			rc = JZG_ERR_DEFS;
			goto done;
		}
		add_rule(rs, cols, RK_CONSTRAINT, f, 0, f->v[FC_CONSTRAINT_MESSAGE],
		    xasprintf("CASE WHEN %s IS NOT NULL AND NOT coalesce((%s), 0) THEN 1 END", v, e));
		free(e);
	}
done:
	free(v);
	free(col);
	return rc;
}

static int
template_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (list == NULL)
		return 1;
	for (const char *p = list; (p = strstr(p, name)) != NULL; p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static enum jzg_status
compile_set(struct rules *r, struct rset *rs, char **cause)
{
	const struct defs *defs = r->st->defs;
	const struct set_def *s = rs->set;
	const char *sn = s->v[SC_NAME];
	struct strbuf cols = { 0 }, args = { 0 };
	enum jzg_status rc = JZG_OK;

	for (size_t j = 0; j < s->nfield && rc == JZG_OK; j++)
		rc = compile_field(r, rs, &cols, &args, &s->field[j], cause);
	if (rc == JZG_OK && 1 + rs->nexpr + rs->nsf > 120)   /* SQLITE_MAX_FUNCTION_ARG is 127 */
		rc = jzg_fail(cause, JZG_ERR_DEFS, "信息集指标过多（%zu 个）", rs->nsf);
	for (size_t c = 0; c < defs->ncheck && rc == JZG_OK; c++) {
		const struct check_def *ck = &defs->check[c];
		struct rule *ru;
		char *e;

		if (strcmp(ck->v[CC_SET], sn) != 0 || !template_listed(ck->v[CC_TEMPLATES], rs->tpl->v[TC_NAME]))
			continue;
		if ((e = expr_sql(ck->v[CC_CONSTRAINT], s, NULL, EXPR_ROW, NULL, cause)) == NULL) {
			rc = JZG_ERR_DEFS;
			break;
		}
		rs->rule = xreallocarray(rs->rule, rs->nrule + 1, sizeof *rs->rule);
		ru = &rs->rule[rs->nrule++];
		memset(ru, 0, sizeof *ru);
		ru->kind = RK_CHECK;
		ru->name = xstrdup(ck->v[CC_NAME]);
		ru->field = ck->v[CC_FIELD] ? set_field(s, ck->v[CC_FIELD]) : NULL;
		ru->warning = ck->warning;
		ru->text = ck->v[CC_MESSAGE];
		ru->col = rs->ncol++;
		strbuf_addf(&cols, ",\n  CASE WHEN NOT coalesce((%s), 0) THEN 1 END", e);
		free(e);
	}
	if (rc == JZG_OK && rs->nrule > 0) {
		struct strbuf call = { 0 };

		strbuf_addf(&call, "rules_static(%zu", (size_t)(rs - r->rs));
		for (size_t i = 0; i < rs->nexpr; i++)
			strbuf_addf(&call, ", (%s)", rs->expr[i]);
		strbuf_addf(&call, "%s)", args.s ? args.s : "");

		rs->badfmt = xcalloc(s->nfield + 1, 1);
		/* one-record sets start from staff so that a person with no row
		 * there is still checked (its required fields are empty) */
		if (s->many)
			rs->select = xasprintf("SELECT staff.id, cur.id, cur.seq, %s%s\nFROM \"s_%s\" AS cur"
			    " JOIN staff ON staff.id = cur.staff_id JOIN school ON school.id = staff.school_id"
			    " WHERE school.template = '%s'", call.s, cols.s ? cols.s : "", sn, rs->tpl->v[TC_NAME]);
		else
			rs->select = xasprintf("SELECT staff.id, staff.id, 0, %s%s\nFROM staff JOIN school ON school.id ="
			    " staff.school_id LEFT JOIN \"s_%s\" AS cur ON cur.staff_id = staff.id"
			    " WHERE school.template = '%s'", call.s, cols.s ? cols.s : "", sn, rs->tpl->v[TC_NAME]);
		strbuf_free(&call);
	}
	strbuf_free(&cols);
	strbuf_free(&args);
	if (rc != JZG_OK && cause != NULL && *cause != NULL) {
		char *why = *cause;

		*cause = NULL;
		jzg_fail(cause, rc, "模板 %s 信息集 %s 的规则无法编译：%s", rs->tpl->v[TC_NAME], sn, why);
		free(why);
	}
	return rc;
}

/* rules_static(set, v…): see struct sfield.  NULL when every static rule
 * holds, else lines "rule<TAB>detail". */
static void
fn_static(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	sqlite3_int64 k = sqlite3_value_int64(argv[0]);
	const struct rset *rs;
	struct strbuf out = { 0 };

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

struct rules *
rules_new(struct store *st, char **cause)
{
	const struct defs *defs = st->defs;
	struct rules *r = xcalloc(1, sizeof *r);

	r->st = st;
	if (sqlite3_create_function(st->db, "rules_static", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r, fn_static,
	    NULL, NULL) != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_DB, "注册 SQL 函数失败");
		rules_free(r);
		return NULL;
	}
	for (size_t i = 0; i < defs->ntpl; i++)
		r->nrs += defs->tpl[i].nset;
	r->rs = xcalloc(r->nrs ? r->nrs : 1, sizeof *r->rs);
	r->nrs = 0;
	for (size_t i = 0; i < defs->ntpl; i++)
		for (size_t k = 0; k < defs->tpl[i].nset; k++) {
			struct rset *rs = &r->rs[r->nrs++];

			rs->tpl = &defs->tpl[i];
			rs->set = &defs->tpl[i].set[k];
			if (compile_set(r, rs, cause) != JZG_OK) {
				rules_free(r);
				return NULL;
			}
		}
	if (store_prepare(st, "SELECT reason FROM explanation WHERE staff_id = ?1 AND rule = ?2"
	    " AND set_name = ?3 AND row_key = ?4", &r->explained, cause) != JZG_OK) {
		rules_free(r);
		return NULL;
	}
	return r;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrs; i++) {
		struct rset *rs = &r->rs[i];

		for (size_t j = 0; j < rs->nrule; j++) {
			free(rs->rule[j].name);
			free(rs->rule[j].extra);
			free(rs->rule[j].calc);
		}
		free(rs->rule);
		free(rs->sf);
		for (size_t j = 0; j < rs->nexpr; j++)
			free(rs->expr[j]);
		free(rs->expr);
		free(rs->badfmt);
		free(rs->select);
		for (int m = 0; m < SM__COUNT; m++)
			sqlite3_finalize(rs->stmt[m]);
		sqlite3_finalize(rs->rownum);
	}
	free(r->rs);
	sqlite3_finalize(r->explained);
	free(r);
}

/* ----------------------------------------------------------- messages */

/* "code-name" of a code of f's table, or the bare code when unknown. */
static void
add_code(struct strbuf *b, const struct field_def *f, const char *code)
{
	const struct code *row = f->table ? codes_find(f->table, code) : NULL;

	if (row != NULL)
		strbuf_addf(b, "%s-%s", row->code, row->name);
	else
		strbuf_adds(b, code);
}

/* The value a derived field should hold (a new string, NULL when empty). */
static char *
derived_value(struct rules *r, const struct rset *rs, const struct rule *ru, sqlite3_int64 key)
{
	char *sql = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur WHERE cur.%s = ?1", ru->calc,
	    rs->set->v[SC_NAME], rs->set->many ? "id" : "staff_id");
	sqlite3_stmt *ps;
	char *out = NULL;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &ps, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(ps, 1, key);
		if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
			out = xstrdup((const char *)sqlite3_column_text(ps, 0));
		sqlite3_finalize(ps);
	}
	free(sql);
	return out;
}

static void
message(struct rules *r, const struct rset *rs, const struct rule *ru, const char *detail,
    sqlite3_int64 key, struct strbuf *b)
{
	const struct field_def *f = ru->field;
	const struct code *row;
	char *want;

	switch (ru->kind) {
	case RK_REQUIRED:
		strbuf_adds(b, "必填项未填");
		break;
	case RK_RELEVANT:
		strbuf_adds(b, "按已填写的其他项，此项不应填写，请清空");
		break;
	case RK_FORMAT:
		strbuf_addf(b, "“%s” ", detail);
		strbuf_adds(b, f->type == FT_INTEGER ? "不是整数" :
		    f->type == FT_DECIMAL ? "不是有效的数值（最多两位小数）" :
		    f->type == FT_YEAR ? "不是有效的年份（应为 4 位数字）" :
		    f->type == FT_DATE ? "不是有效的日期（应为 YYYY-MM-DD）" : "不是有效的年月（应为 YYYY-MM）");
		break;
	case RK_LENGTH:
		strbuf_addf(b, "长度为 %s 个字，超过上限 %d 个字", detail, f->length);
		break;
	case RK_RANGE: {
		int lo = strcmp(detail, "min") == 0, dated = f->type == FT_DATE || f->type == FT_MONTH;

		strbuf_addf(b, "%s %s", lo ? (dated ? "不能早于" : "不能小于") : (dated ? "不能晚于" : "不能大于"),
		    f->v[lo ? FC_MIN : FC_MAX]);
		break;
	}
	case RK_CODE:
	case RK_MULTI_CODE:
		row = codes_find(f->table, detail);
		if (row != NULL && !row->pick)
			strbuf_addf(b, "“%s-%s” 是分类标题，不能选择，请选择其下的具体项", row->code, row->name);
		else
			strbuf_addf(b, "代码 “%s” 不在代码表 %s 中", detail, f->table->label);
		break;
	case RK_CHOICE:
		strbuf_adds(b, "“");
		add_code(b, f, detail);
		if (!str_empty(ru->extra))
			strbuf_addf(b, "” 与%s不符，不能选择", ru->extra);
		else
			strbuf_adds(b, "” 不能在此选择");
		break;
	case RK_MULTI_EXCL:
		strbuf_adds(b, "“");
		add_code(b, f, detail);
		strbuf_adds(b, "” 不能与其他选项同时选择");
		break;
	case RK_MULTI_FORM:
		strbuf_addf(b, "多选代码应按代码表顺序排列、不重复、以一个空格分隔（应为 “%s”）", detail);
		break;
	case RK_CONSTRAINT:
		strbuf_adds(b, ru->text ? ru->text : "不符合填写规则");
		break;
	case RK_CHECK:
		strbuf_adds(b, ru->text);
		break;
	case RK_DERIVED:
		want = derived_value(r, rs, ru, key);
		strbuf_addf(b, "与%s不一致（应为", ru->extra ? ru->extra : "计算结果");
		if (want == NULL)
			strbuf_adds(b, "空");
		else {
			strbuf_adds(b, " “");
			add_code(b, f, want);
			strbuf_adds(b, "”");
		}
		strbuf_adds(b, "）");
		free(want);
		break;
	}
}

/* ------------------------------------------------------------ running */

static enum jzg_status
rset_stmt(struct rules *r, struct rset *rs, enum scope_mode m, sqlite3_stmt **out, char **cause)
{
	static const char *const where[SM__COUNT] = {
		"", " AND staff.school_id = ?1", " AND staff.id = ?1", NULL
	};
	char *sql;
	enum jzg_status rc;

	if (rs->stmt[m] == NULL) {
		sql = xasprintf("%s%s", rs->select, m == SM_RECORD ?
		    (rs->set->many ? " AND cur.id = ?1" : " AND staff.id = ?1") : where[m]);
		rc = store_prepare(r->st, sql, &rs->stmt[m], cause);
		free(sql);
		if (rc != JZG_OK)
			return rc;
	}
	*out = rs->stmt[m];
	return JZG_OK;
}

static int
row_number(struct rules *r, struct rset *rs, sqlite3_int64 staff, sqlite3_int64 id, sqlite3_int64 seq)
{
	int n = 1;

	if (!rs->set->many)
		return 1;
	if (rs->rownum == NULL) {
		char *sql = xasprintf("SELECT count(*) FROM \"s_%s\" WHERE staff_id = ?1 AND"
		    " (seq < ?2 OR (seq = ?2 AND id <= ?3))", rs->set->v[SC_NAME]);

		sqlite3_prepare_v2(r->st->db, sql, -1, &rs->rownum, NULL);
		free(sql);
		if (rs->rownum == NULL)
			return 0;
	}
	sqlite3_bind_int64(rs->rownum, 1, staff);
	sqlite3_bind_int64(rs->rownum, 2, seq);
	sqlite3_bind_int64(rs->rownum, 3, id);
	if (sqlite3_step(rs->rownum) == SQLITE_ROW)
		n = sqlite3_column_int(rs->rownum, 0);
	sqlite3_reset(rs->rownum);
	return n;
}

/* The reason a warning was explained (a new string) or NULL. */
static char *
explanation(struct rules *r, const struct finding *fd)
{
	char *out = NULL;

	sqlite3_bind_int64(r->explained, 1, fd->staff_id);
	sqlite3_bind_text(r->explained, 2, fd->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->explained, 3, fd->set->v[SC_NAME], -1, SQLITE_STATIC);
	sqlite3_bind_int64(r->explained, 4, fd->key);
	if (sqlite3_step(r->explained) == SQLITE_ROW)
		out = xstrdup((const char *)sqlite3_column_text(r->explained, 0));
	sqlite3_reset(r->explained);
	return out;
}

static void
report(struct rules *r, struct rset *rs, sqlite3_stmt *ps, const struct rule *ru, const char *detail,
    struct strbuf *msg, rules_cb cb, void *arg)
{
	struct finding fd;
	char *why;

	fd.rule = ru->name;
	fd.tpl = rs->tpl;
	fd.set = rs->set;
	fd.field = ru->field;
	fd.warning = ru->warning;
	fd.staff_id = sqlite3_column_int64(ps, 0);
	fd.key = sqlite3_column_int64(ps, 1);
	fd.row = row_number(r, rs, fd.staff_id, fd.key, sqlite3_column_int64(ps, 2));
	msg->len = 0;
	message(r, rs, ru, detail ? detail : "", fd.key, msg);
	fd.message = msg->s;
	why = ru->warning ? explanation(r, &fd) : NULL;
	fd.explained = why;
	r->stop = cb(&fd, arg) != 0;
	free(why);
}

/* Findings of the static rules of this row (column RS_FIXED - 1); marks
 * the fields whose format was wrong in rs->badfmt. */
static void
report_static(struct rules *r, struct rset *rs, sqlite3_stmt *ps, struct strbuf *msg, rules_cb cb, void *arg)
{
	const char *p = (const char *)sqlite3_column_text(ps, RS_FIXED - 1);
	char *copy, *line, *save = NULL;

	if (p == NULL)
		return;
	copy = xstrdup(p);   /* the callback may run SQL, which may move the column text */
	for (line = strtok_r(copy, "\n", &save); line != NULL && !r->stop; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		long k = strtol(line, NULL, 10);
		const struct rule *ru;

		if (tab == NULL || k < 0 || (size_t)k >= rs->nrule)
			continue;
		ru = &rs->rule[k];
		if (ru->kind == RK_FORMAT || ru->kind == RK_RELEVANT)
			rs->badfmt[ru->field - rs->set->field] = 1;
		report(r, rs, ps, ru, tab + 1, msg, cb, arg);
	}
	free(copy);
}

static enum jzg_status
run(struct rules *r, struct rset *rs, enum scope_mode m, sqlite3_int64 arg1, rules_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt *ps;
	enum jzg_status rc;
	struct strbuf msg = { 0 };
	int step = SQLITE_DONE;

	if (rs->nrule == 0)
		return JZG_OK;
	if ((rc = rset_stmt(r, rs, m, &ps, cause)) != JZG_OK)
		return rc;
	if (m != SM_ALL)
		sqlite3_bind_int64(ps, 1, arg1);
	while (!r->stop && (step = sqlite3_step(ps)) == SQLITE_ROW) {
		int stat = sqlite3_column_type(ps, RS_FIXED - 1) != SQLITE_NULL;

		if (stat)
			report_static(r, rs, ps, &msg, cb, arg);
		for (size_t i = 0; i < rs->nrule && !r->stop; i++) {
			const struct rule *ru = &rs->rule[i];

			if (ru->col < 0 || sqlite3_column_type(ps, RS_FIXED + ru->col) == SQLITE_NULL)
				continue;
			if (ru->kind == RK_CONSTRAINT && rs->badfmt[ru->field - rs->set->field])
				continue;
			report(r, rs, ps, ru, (const char *)sqlite3_column_text(ps, RS_FIXED + ru->col), &msg, cb, arg);
		}
		if (stat)
			memset(rs->badfmt, 0, rs->set->nfield);
	}
	if (!r->stop && step != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "检查 %s 时出错：%s", rs->set->v[SC_LABEL], sqlite3_errmsg(r->st->db));
	sqlite3_reset(ps);
	strbuf_free(&msg);
	return rc;
}

/* Template name of a school or of a person's school (new string or NULL). */
static char *
template_of(struct rules *r, const char *sql, sqlite3_int64 id)
{
	sqlite3_stmt *ps;
	char *out = NULL;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &ps, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(ps, 1, id);
	if (sqlite3_step(ps) == SQLITE_ROW)
		out = xstrdup((const char *)sqlite3_column_text(ps, 0));
	sqlite3_finalize(ps);
	return out;
}

static const char staff_template_sql[] =
	"SELECT school.template FROM staff JOIN school ON school.id = staff.school_id WHERE staff.id = ?1";

enum jzg_status
rules_check(struct rules *r, const struct rules_scope *scope, rules_cb cb, void *arg, char **cause)
{
	enum scope_mode m = SM_ALL;
	sqlite3_int64 id = 0;
	char *tpl = NULL;
	enum jzg_status rc = JZG_OK;

	if (scope != NULL && scope->staff_id != 0) {
		m = SM_STAFF;
		id = scope->staff_id;
		if ((tpl = template_of(r, staff_template_sql, id)) == NULL)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这名人员");
	} else if (scope != NULL && scope->school_id != 0) {
		m = SM_SCHOOL;
		id = scope->school_id;
		if ((tpl = template_of(r, "SELECT template FROM school WHERE id = ?1", id)) == NULL)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这所学校");
	}
	r->stop = 0;
	/* one read transaction: a consistent view, and far fewer lock calls */
	sqlite3_exec(r->st->db, "SAVEPOINT rules_check", NULL, NULL, NULL);
	for (size_t i = 0; i < r->nrs && rc == JZG_OK && !r->stop; i++)
		if (tpl == NULL || strcmp(tpl, r->rs[i].tpl->v[TC_NAME]) == 0)
			rc = run(r, &r->rs[i], m, id, cb, arg, cause);
	sqlite3_exec(r->st->db, "RELEASE rules_check", NULL, NULL, NULL);
	free(tpl);
	return rc;
}

static struct rset *
find_rset(struct rules *r, const char *tpl, const char *set)
{
	for (size_t i = 0; i < r->nrs; i++)
		if (strcmp(r->rs[i].tpl->v[TC_NAME], tpl) == 0 && strcmp(r->rs[i].set->v[SC_NAME], set) == 0)
			return &r->rs[i];
	return NULL;
}

enum jzg_status
rules_check_record(struct rules *r, const struct template_def *t, const struct set_def *s,
    sqlite3_int64 key, rules_cb cb, void *arg, char **cause)
{
	struct rset *rs = find_rset(r, t->v[TC_NAME], s->v[SC_NAME]);

	if (rs == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "模板 %s 没有信息集 %s", t->v[TC_LABEL], s->v[SC_LABEL]);
	r->stop = 0;
	return run(r, rs, SM_RECORD, key, cb, arg, cause);
}

/* ---------------------------------------------------------- explaining */

enum jzg_status
rules_explain(struct rules *r, sqlite3_int64 staff_id, const char *rule, const char *set_name,
    int row, const char *reason, char **cause)
{
	char *tpl = template_of(r, staff_template_sql, staff_id);
	const struct rset *hit = NULL;
	const struct rule *ru = NULL;
	struct strbuf sets = { 0 };
	sqlite3_int64 key = staff_id;
	sqlite3_stmt *ps;
	enum jzg_status rc;
	int nhit = 0;

	if (tpl == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这名人员");
	for (size_t i = 0; i < r->nrs; i++) {
		const struct rset *rs = &r->rs[i];

		if (strcmp(rs->tpl->v[TC_NAME], tpl) != 0 || (set_name && strcmp(rs->set->v[SC_NAME], set_name) != 0))
			continue;
		for (size_t j = 0; j < rs->nrule; j++)
			if (strcmp(rs->rule[j].name, rule) == 0) {
				strbuf_addf(&sets, "%s%s", nhit ? "、" : "", rs->set->v[SC_NAME]);
				hit = rs;
				ru = &rs->rule[j];
				nhit++;
			}
	}
	free(tpl);
	if (nhit != 1) {
		rc = nhit == 0 ? jzg_fail(cause, JZG_ERR_NOTFOUND, "该人员所在模板%s没有规则 “%s”",
		    set_name ? "的此信息集中" : "中", rule) :
		    jzg_fail(cause, JZG_ERR_USAGE, "规则 “%s” 属于多个信息集（%s），请用 --set 指定", rule, sets.s);
		strbuf_free(&sets);
		return rc;
	}
	strbuf_free(&sets);
	if (!ru->warning)
		return jzg_fail(cause, JZG_ERR_INVALID, "规则 “%s” 是错误，不能说明，只能改正", rule);
	if (str_empty(reason))
		return jzg_fail(cause, JZG_ERR_USAGE, "请写明说明理由");
	if (hit->set->many) {
		char *sql = xasprintf("SELECT id, (SELECT count(*) FROM \"s_%s\" WHERE staff_id = ?1) FROM \"s_%s\""
		    " WHERE staff_id = ?1 ORDER BY seq, id LIMIT 1 OFFSET ?2", hit->set->v[SC_NAME], hit->set->v[SC_NAME]);

		rc = store_prepare(r->st, sql, &ps, cause);
		free(sql);
		if (rc != JZG_OK)
			return rc;
		sqlite3_bind_int64(ps, 1, staff_id);
		sqlite3_bind_int(ps, 2, row > 0 ? row - 1 : 0);
		key = 0;
		if (sqlite3_step(ps) == SQLITE_ROW && (row > 0 || sqlite3_column_int(ps, 1) == 1))
			key = sqlite3_column_int64(ps, 0);
		else if (row == 0 && sqlite3_column_int(ps, 1) > 1)
			rc = jzg_fail(cause, JZG_ERR_USAGE, "该人员的%s有多条，请用 --row 指定第几条",
			    hit->set->v[SC_LABEL]);
		sqlite3_finalize(ps);
		if (rc != JZG_OK)
			return rc;
		if (key == 0)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "该人员的%s没有第 %d 条", hit->set->v[SC_LABEL],
			    row > 0 ? row : 1);
	} else if (row > 1)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "%s每人只有一条", hit->set->v[SC_LABEL]);
	if ((rc = store_prepare(r->st, "INSERT OR REPLACE INTO explanation(staff_id, rule, set_name, row_key, reason)"
	    " VALUES(?1, ?2, ?3, ?4, ?5)", &ps, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(ps, 1, staff_id);
	sqlite3_bind_text(ps, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(ps, 3, hit->set->v[SC_NAME], -1, SQLITE_STATIC);
	sqlite3_bind_int64(ps, 4, key);
	sqlite3_bind_text(ps, 5, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(ps) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "保存说明失败：%s", store_errstr(sqlite3_errcode(r->st->db)));
	sqlite3_finalize(ps);
	return rc;
}
