/* rules_kind.c — the rule kinds: one row each (rule_kinds[] at the end),
 * and what each kind does when a field is compiled, when a stored value
 * is checked by rules_static(), and when its finding is put in words.
 *
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
#include <strings.h>

#include "codes.h"
#include "expr.h"
#include "rules_int.h"

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

/* The field's expression in column fc (relevant, required …) in ROW form,
 * or NULL with *c->cause set. */
static char *
field_expr(struct fcomp *c, int fc, const char *dot, unsigned char *refs)
{
	return expr_sql(c->f->v[fc], c->rs->set, dot, EXPR_ROW, refs, c->cause);
}

/* ------------------------------------------------------------ derived */

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

static int
derived_compile(struct fcomp *c, enum rule_kind k)
{
	struct rule *ru;
	char *e;

	if (!c->f->readonly || c->f->v[FC_CALCULATE] == NULL)
		return 0;
	if ((e = field_expr(c, FC_CALCULATE, NULL, NULL)) == NULL)
		return -1;
	ru = rules_add_sql(c, k, NULL, xasprintf("CASE WHEN %s IS NOT (%s) THEN 1 END", c->col, e));
	ru->calc = e;
	ru->extra = source_label(c->r->st->defs, c->f->v[FC_CALCULATE]);
	return 1;
}

/* The value a derived field should hold (a new string, NULL when empty). */
static char *
derived_value(const struct rmsg *m)
{
	char *sql = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur WHERE cur.%s = ?1", m->ru->calc,
	    m->rs->set->v[SC_NAME], m->rs->set->many ? "id" : "staff_id");
	sqlite3_stmt *ps;
	char *out = NULL;

	if (sqlite3_prepare_v2(m->db, sql, -1, &ps, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(ps, 1, m->key);
		if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
			out = xstrdup((const char *)sqlite3_column_text(ps, 0));
		sqlite3_finalize(ps);
	}
	free(sql);
	return out;
}

static void
derived_message(const struct rmsg *m, struct strbuf *b)
{
	char *want = derived_value(m);

	strbuf_addf(b, "与%s不一致（应为", m->ru->extra ? m->ru->extra : "计算结果");
	if (want == NULL)
		strbuf_adds(b, "空");
	else {
		strbuf_adds(b, " “");
		add_code(b, m->ru->field, want);
		strbuf_adds(b, "”");
	}
	strbuf_adds(b, "）");
	free(want);
}

/* ----------------------------------------------------------- relevant */

static int
relevant_compile(struct fcomp *c, enum rule_kind k)
{
	char *e;

	if (c->f->v[FC_RELEVANT] == NULL)
		return 0;
	if ((e = field_expr(c, FC_RELEVANT, NULL, NULL)) == NULL)
		return -1;
	c->sf->rel_arg = rules_static_arg(c->rs, e);
	return rules_add_static(c, k);
}

static int
relevant_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	if (rules_truth(v->argv, sf->rel_arg))
		return 0;
	rules_emit(out, sf->rule[RK_RELEVANT], NULL);
	return 1;
}

/* ----------------------------------------------------------- required */

static int
required_compile(struct fcomp *c, enum rule_kind k)
{
	char *e;

	if (c->f->required == REQ_NO || c->f->readonly)
		return 0;
	if (c->f->required == REQ_EXPR) {
		if ((e = field_expr(c, FC_REQUIRED, NULL, NULL)) == NULL)
			return -1;
		c->sf->req_arg = rules_static_arg(c->rs, e);
	}
	return rules_add_static(c, k);
}

/* An empty value: required when relevant and the required expression hold. */
static int
required_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	if (rules_truth(v->argv, sf->rel_arg) && rules_truth(v->argv, sf->req_arg))
		rules_emit(out, sf->rule[RK_REQUIRED], NULL);
	return 0;
}

/* ------------------------------------------------------------- format */

static int
format_compile(struct fcomp *c, enum rule_kind k)
{
	/* a type with a stored form of its own: numbers and dates */
	return fieldtype_of(c->f)->not_stored != NULL ? rules_add_static(c, k) : 0;
}

static int
format_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	if (rules_format_holds(sf->f, v->v))
		return 0;
	rules_emit(out, sf->rule[RK_FORMAT], (const char *)sqlite3_value_text(v->v));
	return 1;
}

static void
format_message(const struct rmsg *m, struct strbuf *b)
{
	const struct field_def *f = m->ru->field;

	strbuf_addf(b, "“%s” ", m->detail);
	strbuf_adds(b, fieldtype_of(f)->not_stored);
}

/* ------------------------------------------------------------- length */

static int
length_compile(struct fcomp *c, enum rule_kind k)
{
	return c->f->length > 0 ? rules_add_static(c, k) : 0;
}

static int
length_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	const char *s = sval_text(v);
	char num[32];

	/* no more characters than bytes: count them only when it may matter */
	if ((size_t)sqlite3_value_bytes(v->v) > (size_t)sf->f->length && (int)utf8_chars(s) > sf->f->length) {
		snprintf(num, sizeof num, "%zu", utf8_chars(s));
		rules_emit(out, sf->rule[RK_LENGTH], num);
	}
	return 0;
}

static void
length_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_addf(b, "长度为 %s 个字，超过上限 %d 个字", m->detail, m->ru->field->length);
}

/* -------------------------------------------------------------- range */

static int
range_compile(struct fcomp *c, enum rule_kind k)
{
	const struct field_def *f = c->f;
	struct sfield *sf = c->sf;
	char *end;

	if (f->v[FC_MIN] == NULL && f->v[FC_MAX] == NULL)
		return 0;
	if (f->v[FC_MIN] != NULL) {
		sf->lo = strtod(f->v[FC_MIN], &end);
		sf->has_lo = end != f->v[FC_MIN] && *end == '\0';
	}
	if (f->v[FC_MAX] != NULL) {
		sf->hi = strtod(f->v[FC_MAX], &end);
		sf->has_hi = end != f->v[FC_MAX] && *end == '\0';
	}
	return rules_add_static(c, k);
}

/* Numbers compare as numbers when the bound reads as one, anything else
 * (dates) as text. */
static int
range_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	const struct field_def *f = sf->f;
	int num_type = fieldtype_of(f)->places >= 0;
	double x;
	const char *s = NULL;

	/* a number is only turned into text when a bound needs the text:
	 * SQLite formats it anew (printf) each time */
	if (!(num_type && (f->v[FC_MIN] == NULL || sf->has_lo) && (f->v[FC_MAX] == NULL || sf->has_hi)))
		s = sval_text(v);
	x = sqlite3_value_double(v->v);
	if (f->v[FC_MIN] && (num_type && sf->has_lo ? x < sf->lo : strcmp(s, f->v[FC_MIN]) < 0))
		rules_emit(out, sf->rule[RK_RANGE], "min");
	else if (f->v[FC_MAX] && (num_type && sf->has_hi ? x > sf->hi : strcmp(s, f->v[FC_MAX]) > 0))
		rules_emit(out, sf->rule[RK_RANGE], "max");
	return 0;
}

static void
range_message(const struct rmsg *m, struct strbuf *b)
{
	const struct field_def *f = m->ru->field;
	int lo = strcmp(m->detail, "min") == 0, dated = fieldtype_of(f)->pattern != NULL;

	strbuf_addf(b, "%s %s", lo ? (dated ? "不能早于" : "不能小于") : (dated ? "不能晚于" : "不能大于"),
	    f->v[lo ? FC_MIN : FC_MAX]);
}

/* --------------------------------------------------------------- code */

static int
code_compile(struct fcomp *c, enum rule_kind k)
{
	return c->f->table != NULL && fieldtype_of(c->f)->coded == 1 ? rules_add_static(c, k) : 0;
}

static int
code_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	const char *s = sval_text(v);
	const struct code *row = codes_find(sf->f->table, s);

	if (row == NULL || !row->pick)
		rules_emit(out, sf->rule[RK_CODE], s);
	return 0;
}

/* code and multi_code: the code is unknown, or a heading. */
static void
code_message(const struct rmsg *m, struct strbuf *b)
{
	const struct field_def *f = m->ru->field;
	const struct code *row = codes_find(f->table, m->detail);

	if (row != NULL && !row->pick)
		strbuf_addf(b, "“%s-%s” 是分类标题，不能选择，请选择其下的具体项", row->code, row->name);
	else
		strbuf_addf(b, "代码 “%s” 不在代码表 %s 中", m->detail, f->table->label);
}

/* ------------------------------------------------------- multi-select */

/* multi_code, multi_excl and multi_form: every select-multiple field with
 * a code table has all three; multi_code's check finds all three. */
static int
multi_compile(struct fcomp *c, enum rule_kind k)
{
	return c->f->table != NULL && fieldtype_of(c->f)->coded == 2 ? rules_add_static(c, k) : 0;
}

/* Check a multi-select list: the first unknown code, an exclusive code
 * combined with others, or a list not in canonical form (each code once,
 * in table order, one space apart). */
static int
multi_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	const char *list = sval_text(v);
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
			rules_emit(out, sf->rule[RK_MULTI_CODE], tok);
			if (seen != small)
				free(seen);
			return 0;
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
		rules_emit(out, sf->rule[RK_MULTI_EXCL], excl->code);
	if (!canonical) {
		for (size_t i = 0; i < t->nrow; i++)
			if (seen[i]) {
				if (canon.len > 0)
					strbuf_addc(&canon, ' ');
				strbuf_adds(&canon, t->row[i].code);
			}
		if (canon.len > 0 && strcmp(canon.s, list) != 0)
			rules_emit(out, sf->rule[RK_MULTI_FORM], canon.s);
		strbuf_free(&canon);
	}
	if (seen != small)
		free(seen);
	return 0;
}

static void
multi_excl_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_adds(b, "“");
	add_code(b, m->ru->field, m->detail);
	strbuf_adds(b, "” 不能与其他选项同时选择");
}

static void
multi_form_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_addf(b, "多选代码应按代码表顺序排列、不重复、以一个空格分隔（应为 “%s”）", m->detail);
}

/* ----------------------------------------------------------- obsolete */

/* A stored code the code table keeps only so that old data reads
 * (obsolete = 1 in data/codes/<table>.tsv): a warning, for coded fields of
 * the tables that have such rows. */
static int
obsolete_compile(struct fcomp *c, enum rule_kind k)
{
	return c->f->table != NULL && c->f->table->nobsolete > 0 ? rules_add_static(c, k) : 0;
}

static int
obsolete_check(const struct sfield *sf, struct sval *v, struct strbuf *out)
{
	const char *s = sval_text(v);
	char tok[64];

	for (const char *p = s; *p; ) {
		const struct code *row;
		size_t k;

		while (*p == ' ')
			p++;
		for (k = 0; p[k] && p[k] != ' '; k++)
			;
		if (k == 0)
			break;
		if (k < sizeof tok) {
			memcpy(tok, p, k);
			tok[k] = '\0';
			if ((row = codes_find(sf->f->table, tok)) != NULL && row->pick && row->obsolete) {
				rules_emit(out, sf->rule[RK_OBSOLETE], tok);
				break;
			}
		}
		p += k;
	}
	return 0;
}

static void
obsolete_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_adds(b, "“");
	add_code(b, m->ru->field, m->detail);
	strbuf_addf(b, "” 是代码表 %s 中已停用的代码（旧数据仍可读出），请改选现行代码", m->ru->field->table->label);
}

/* ------------------------------------------------------------- choice */

/* The choice_filter rule of select-one field f without the code table:
 * "rules_code_pick(t, col) AND NOT coalesce((e'), 0)", e' being e with the
 * code row's filter read by rules_code_filter(t, col) and its code being
 * col; NULL when e reads any other column of temp.code.  The EXISTS over
 * temp.code it replaces costs an index look-up per stored value, some
 * 600,000 over 100,000 persons.  (Codes are unique within a table, as
 * forms check demands, so either finds the same row.) */
static char *
choice_in_c(struct rules *r, const struct field_def *f, const char *col, const char *e)
{
	static const char *const other[] = { "tbl", "name", "parent", "pick", "excl", "ord", "obsolete" };
	size_t t = (size_t)(f->table - r->st->defs->codes->tab);
	struct strbuf b = { 0 };
	const char *p = e;

	strbuf_addf(&b, "rules_code_pick(%zu, %s) AND NOT coalesce((", t, col);
	while (*p) {
		const char *q = p;
		size_t n;

		if (*p == '\'' || *p == '"') {
			if ((q = strchr(p + 1, *p)) == NULL)
				break;
			strbuf_add(&b, p, (size_t)(q + 1 - p));
			p = q + 1;
			continue;
		}
		if (!isalpha((unsigned char)*p) && *p != '_') {
			strbuf_addc(&b, *p++);
			continue;
		}
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		n = (size_t)(q - p);
		/* a bare name: not qualified, not a function */
		if ((p == e || p[-1] != '.') && *q != '.' && *(q + strspn(q, " ")) != '(') {
			for (size_t i = 0; i < sizeof other / sizeof *other; i++)
				if (strlen(other[i]) == n && strncasecmp(p, other[i], n) == 0) {
					strbuf_free(&b);
					return NULL;
				}
			if (n == 6 && strncasecmp(p, "filter", 6) == 0) {
				strbuf_addf(&b, "rules_code_filter(%zu, %s)", t, col);
				p = q;
				continue;
			}
			if (n == 4 && strncasecmp(p, "code", 4) == 0) {
				strbuf_adds(&b, col);
				p = q;
				continue;
			}
		}
		strbuf_add(&b, p, n);
		p = q;
	}
	if (*p) {   /* an unterminated quote: leave it to SQLite as written */
		strbuf_free(&b);
		return NULL;
	}
	strbuf_adds(&b, "), 0)");
	return strbuf_take(&b);
}

/* Lists of up to this many codes are checked code by code (multi_choice). */
#define MULTI_UNROLL 3

/* The choice_filter rule of select-multiple field f (the first code of the
 * list, in table order, that the filter refuses), as SQL.  As written, a
 * sub-query over the whole code table per stored value, each row tried
 * with selected() (任教课程: 26 rows per 教育教学 record).  A list of up to
 * MULTI_UNROLL codes is instead checked code by code, each taken by
 * rules_multi_nth and put through the filter as choice_in_c puts a
 * select-one code; longer lists, and filters choice_in_c cannot take,
 * keep the sub-query. */
static char *
multi_choice(struct rules *r, const struct field_def *f, const char *col, const char *v, const char *e)
{
	size_t t = (size_t)(f->table - r->st->defs->codes->tab);
	char *scan = xasprintf("(SELECT c.code FROM temp.code AS c WHERE c.tbl = '%s' AND c.pick AND selected(%s,"
	    " c.code) AND NOT coalesce((%s), 0) ORDER BY c.ord LIMIT 1)", f->table_id, col, e);
	struct strbuf b = { 0 };
	char *out;

	strbuf_addf(&b, "CASE WHEN %s THEN CASE WHEN rules_multi_nth(%zu, %s, %d) IS NULL THEN coalesce(", v, t, col,
	    MULTI_UNROLL);
	for (int i = 0; i < MULTI_UNROLL; i++) {
		char *nth = xasprintf("rules_multi_nth(%zu, %s, %d)", t, col, i);
		char *pick = choice_in_c(r, f, nth, e);

		if (pick == NULL) {
			free(nth);
			strbuf_free(&b);
			out = xasprintf("CASE WHEN %s THEN %s END", v, scan);
			free(scan);
			return out;
		}
		strbuf_addf(&b, "%sCASE WHEN %s THEN %s END", i ? ", " : "", pick, nth);
		free(pick);
		free(nth);
	}
	strbuf_addf(&b, ") ELSE %s END END", scan);
	free(scan);
	return strbuf_take(&b);
}

static int
choice_compile(struct fcomp *c, enum rule_kind k)
{
	const struct field_def *f = c->f;
	const struct set_def *s = c->rs->set;
	const char *col = c->col, *v = c->has, *tbl = f->table_id;
	unsigned char *refs;
	struct strbuf labels = { 0 };
	char *e, *pick = NULL;
	struct rule *ru;

	if (f->table == NULL || f->v[FC_CHOICE_FILTER] == NULL)
		return 0;
	refs = xcalloc(s->nfield + 1, 1);
	if ((e = field_expr(c, FC_CHOICE_FILTER, NULL, refs)) == NULL) {
		free(refs);
		return -1;
	}
	for (size_t j = 0; j < s->nfield; j++)
		if (refs[j]) {
			if (labels.len > 0)
				strbuf_adds(&labels, "、");
			strbuf_adds(&labels, s->field[j].v[FC_LABEL]);
		}
	/* only codes that exist: an unknown code is the code rule's finding */
	if (fieldtype_of(f)->coded == 2)
		ru = rules_add_sql(c, k, NULL, multi_choice(c->r, f, col, v, e));
	else if ((pick = choice_in_c(c->r, f, col, e)) != NULL)
		ru = rules_add_sql(c, k, NULL, xasprintf("CASE WHEN %s AND %s THEN %s END", v, pick, col));
	else
		ru = rules_add_sql(c, k, NULL, xasprintf("CASE WHEN %s AND EXISTS (SELECT 1"
		    " FROM temp.code AS c WHERE c.tbl = '%s' AND c.code = %s AND c.pick AND NOT coalesce((%s), 0))"
		    " THEN %s END", v, tbl, col, e, col));
	free(pick);
	ru->extra = strbuf_take(&labels);
	free(refs);
	free(e);
	return 1;
}

static void
choice_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_adds(b, "“");
	add_code(b, m->ru->field, m->detail);
	if (!str_empty(m->ru->extra))
		strbuf_addf(b, "” 与%s不符，不能选择", m->ru->extra);
	else
		strbuf_adds(b, "” 不能在此选择");
}

/* --------------------------------------------------------- constraint */

static int
constraint_compile(struct fcomp *c, enum rule_kind k)
{
	char *e;

	if (c->f->v[FC_CONSTRAINT] == NULL)
		return 0;
	if ((e = field_expr(c, FC_CONSTRAINT, c->f->v[FC_NAME], NULL)) == NULL)
		return -1;
	rules_add_sql(c, k, c->f->v[FC_CONSTRAINT_MESSAGE],
	    xasprintf("CASE WHEN %s AND NOT coalesce((%s), 0) THEN 1 END", c->has, e));
	free(e);
	return 1;
}

static void
constraint_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_adds(b, m->ru->text ? m->ru->text : "不符合填写规则");
}

/* -------------------------------------------------------------- check */

/* A row of forms/checks.tsv: its own message. */
static void
check_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_adds(b, m->ru->text);
}

/* ------------------------------------------------------------ records */

/* Set-level completeness (compiled by rules_compile_set on the person
 * set's statement, compile_records). */
static void
records_message(const struct rmsg *m, struct strbuf *b)
{
	strbuf_addf(b, "没有记录：至少应填写一条“%s”", m->ru->target->v[SC_LABEL]);
}

/* The kinds, in enum rule_kind's order: a field's rules are compiled in
 * this order, its static rules checked in it, and its findings of one row
 * reported in it (static rules first, then result columns). */
const struct rule_kind_def rule_kinds[RK__COUNT] = {
	[RK_DERIVED]    = { "derived", RKF_ALONE | RKF_WARN, derived_compile, NULL, derived_message },
	[RK_RELEVANT]   = { "relevant", RKF_MOOTS, relevant_compile, relevant_check, NULL,
	    "按已填写的其他项，此项不应填写，请清空" },
	[RK_REQUIRED]   = { "required", RKF_EMPTY, required_compile, required_check, NULL, "必填项未填" },
	[RK_FORMAT]     = { "format", RKF_MOOTS, format_compile, format_check, format_message },
	[RK_LENGTH]     = { "length", 0, length_compile, length_check, length_message },
	[RK_RANGE]      = { "range", 0, range_compile, range_check, range_message },
	[RK_CODE]       = { "code", 0, code_compile, code_check, code_message },
	[RK_MULTI_CODE] = { "multi_code", 0, multi_compile, multi_check, code_message },
	[RK_MULTI_EXCL] = { "multi_excl", 0, multi_compile, NULL, multi_excl_message },
	[RK_MULTI_FORM] = { "multi_form", 0, multi_compile, NULL, multi_form_message },
	[RK_OBSOLETE]   = { "obsolete", RKF_WARN, obsolete_compile, obsolete_check, obsolete_message },
	[RK_CHOICE]     = { "choice", 0, choice_compile, NULL, choice_message },
	[RK_CONSTRAINT] = { "constraint", RKF_MOOTED, constraint_compile, NULL, constraint_message },
	[RK_CHECK]      = { NULL, 0, NULL, NULL, check_message },
	[RK_RECORDS]    = { "records", 0, NULL, NULL, records_message },
};
