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
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* SM_SCAN: a whole-file check of a group of many-record rsets in one
 * scan (select_scan); the other modes run one rset's select. */
enum scope_mode { SM_ALL, SM_SCHOOL, SM_STAFF, SM_RECORD, SM_SCAN, SM__COUNT };

/* Connections a check runs on: 0 is the store's own; 1 is a second,
 * read-only one opened for the length of a whole-file or whole-school check
 * so that a second thread can run half of the sets (rules_check). */
#define NCONN 2

/* Result columns before the rules: the row's rset index (see select_scan),
 * staff id, key, seq, rules_static(). */
#define RS_FIXED 5

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
	char                      *select_record;   /* many-record sets: the same, for SM_RECORD */
	char                      *select_bulk;     /* select with person look-ups preloaded, or NULL */
	/* Many-record sets, whole file: one scan of the table in storage
	 * order for every template whose rules of this set compile alike
	 * (the group of rsets led by rs[leader]); rules_rset() tells each
	 * row's rset from its person's template.  Reaching the rows through
	 * each template's schools and staff costs an index look-up per
	 * person and a seek per row. */
	char                      *select_scan;     /* leader only */
	size_t                     leader;
	int                       *by_tpl;          /* leader: rset index per template, -1 = not checked */
	int                        scan;            /* this check runs the group in one scan (plan_scans) */
	sqlite3_stmt              *stmt[NCONN][SM__COUNT];   /* by connection (see struct runner) */
	sqlite3_stmt              *rownum[NCONN];
	size_t                     weight;   /* rough cost, to start the dearest sets first */
	size_t                     run_weight;   /* this check: weight, or its group's for a leader */
	int                        ncol;     /* result columns of rules (after RS_FIXED) */
};

/* A value of the person's own row in a one-record set that a rule reads
 * through a sub-query, `(SELECT E FROM s_Y WHERE staff_id = cur.staff_id)`:
 * the date of birth or of first employment that most date rules of most
 * sets compare with.  A whole-file check asks for it some 3.6 million
 * times (every date of every record), each a look-up of the person's row;
 * loaded once per check instead (person_load) and read by rules_person(k,
 * staff id).
 *
 * The same for a value a person's many records give, the source of a
 * derived field (最高学历 from 学习经历, 现任岗位 from 岗位聘任):
 * `(SELECT E FROM s_Y WHERE staff_id = cur.staff_id [AND W] ORDER BY O
 * LIMIT 1)` is the first row of one scan `WHERE W ORDER BY staff_id, O`,
 * and `(… [AND W] HAVING H)` one row of `WHERE W GROUP BY staff_id HAVING
 * H`.  Asked person by person, each is an index look-up and a sort of the
 * person's rows, about 1.8 µs; eight of them were a quarter of a
 * whole-file check.  Rows that tie on all of O are read in the same order
 * (the staff_id index, then rowid) either way. */
struct person_col {
	char          *set;     /* Y */
	char          *expr;    /* E */
	char          *where;   /* W, or NULL */
	char          *tail;    /* after the WHERE: " ORDER BY staff_id[, O]" or the GROUP BY */
	int            first;   /* ORDER BY … LIMIT 1: keep each person's first row only */
	sqlite3_int64 *id;      /* staff ids, ascending */
	struct pval {
		union {
			sqlite3_int64 i;
			double        d;
			size_t        off;   /* text or blob: offset in text */
		}             u;
		int           type;    /* SQLITE_* */
		int           len;
	}             *v;
	size_t         n;
	struct strbuf  text;
	/* ids are rowids, nearly dense: the index + 1 of each id from id[0]
	 * on, 0 = none; NULL when they are too sparse (then bisect id) */
	uint32_t      *slot;
	sqlite3_int64  nslot;
};

struct rules {
	struct store      *st;
	struct rset       *rs;
	size_t             nrs;
	signed char       *tpl_of;    /* whole-file check: template index by staff id, -1 = none */
	sqlite3_int64      ntpl_of;
	sqlite3_stmt      *explained[NCONN];
	struct person_col *pc;
	size_t             npc;
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
	static const char *const other[] = { "tbl", "name", "parent", "pick", "excl", "ord" };
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

static enum jzg_status
compile_field(struct rules *r, struct rset *rs, struct strbuf *cols, struct strbuf *args,
    const struct field_def *f, char **cause)
{
	const struct set_def *s = rs->set;
	const char *name = f->v[FC_NAME], *tbl = f->table_id;
	char *col = xasprintf("cur.\"%s\"", name);
	/* "has a value": col <> '' is what NULLIF(col, '') IS NOT NULL means
	 * (NULL and '' fail, any number passes), without NULLIF copying the
	 * value on every row */
	char *v = xasprintf("%s <> ''", col);
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
		char *pick = NULL;

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
			add_rule(rs, cols, RK_CHOICE, f, 0, NULL, xasprintf("CASE WHEN %s THEN (SELECT c.code"
			    " FROM temp.code AS c WHERE c.tbl = '%s' AND c.pick AND selected(%s, c.code)"
			    " AND NOT coalesce((%s), 0) ORDER BY c.ord LIMIT 1) END", v, tbl, col, e));
		else if ((pick = choice_in_c(r, f, col, e)) != NULL)
			add_rule(rs, cols, RK_CHOICE, f, 0, NULL, xasprintf("CASE WHEN %s AND %s THEN %s END", v, pick, col));
		else
			add_rule(rs, cols, RK_CHOICE, f, 0, NULL, xasprintf("CASE WHEN %s AND EXISTS (SELECT 1"
			    " FROM temp.code AS c WHERE c.tbl = '%s' AND c.code = %s AND c.pick AND NOT coalesce((%s), 0))"
			    " THEN %s END", v, tbl, col, e, col));
		free(pick);
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
		    xasprintf("CASE WHEN %s AND NOT coalesce((%s), 0) THEN 1 END", v, e));
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

/* sql (taken) with every call today() written rules_today(): the same
 * date, but registered deterministic, so SQLite computes it, and whatever
 * depends only on it (substr(today(), 1, 7) …), once per run of the
 * statement instead of once per row and rule.  A date cannot change within
 * one run of a statement. */
static char *
today_constant(char *sql)
{
	struct strbuf b = { 0 };
	const char *p = sql, *q;

	if (sql == NULL)
		return NULL;
	while ((q = strstr(p, "today()")) != NULL) {
		strbuf_add(&b, p, (size_t)(q - p));
		if (q > sql && (isalnum((unsigned char)q[-1]) || q[-1] == '_' || q[-1] == '"'))
			strbuf_adds(&b, "today()");
		else
			strbuf_adds(&b, "rules_today()");
		p = q + 7;
	}
	strbuf_adds(&b, p);
	free(sql);
	return strbuf_take(&b);
}

/* The person look-up k for set y, expression e, filter w (or NULL) and
 * tail (struct person_col), added when new. */
static int
person_col(struct rules *r, const char *y, const char *e, const char *w, const char *tail, int first)
{
	for (size_t k = 0; k < r->npc; k++)
		if (strcmp(r->pc[k].set, y) == 0 && strcmp(r->pc[k].expr, e) == 0 &&
		    (w == NULL ? r->pc[k].where == NULL : r->pc[k].where != NULL && strcmp(r->pc[k].where, w) == 0) &&
		    strcmp(r->pc[k].tail, tail) == 0)
			return (int)k;
	r->pc = xreallocarray(r->pc, r->npc + 1, sizeof *r->pc);
	memset(&r->pc[r->npc], 0, sizeof *r->pc);
	r->pc[r->npc].set = xstrdup(y);
	r->pc[r->npc].expr = xstrdup(e);
	r->pc[r->npc].where = w ? xstrdup(w) : NULL;
	r->pc[r->npc].tail = xstrdup(tail);
	r->pc[r->npc].first = first;
	return (int)r->npc++;
}

/* Scanning SQL text from p to end (NULL: its end) outside quotes: with kw
 * (" FROM ", " ORDER BY " …), where kw first occurs outside parentheses;
 * without, the ')' that closes the parenthesis p is inside.  NULL when
 * there is none, or a ')' closes more than was opened before kw. */
static const char *
sql_scan(const char *p, const char *end, const char *kw)
{
	size_t n = kw ? strlen(kw) : 0;
	int depth = 0;

	for (; end ? p < end : *p != '\0'; p++) {
		if (*p == '\'' || *p == '"') {
			const char *q = strchr(p + 1, *p);

			if (q == NULL || (end && q >= end))
				return NULL;
			p = q;
		} else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			return kw ? NULL : p;
		else if (kw && depth == 0 && strncmp(p, kw, n) == 0 && (!end || (size_t)(end - p) >= n))
			return p;
	}
	return NULL;
}

/* Whether the SQL prepares on db; with rows = 0, also that it gives no row. */
static int
probe_sql(sqlite3 *db, const char *sql, int rows)
{
	sqlite3_stmt *ps;
	int ok = sqlite3_prepare_v2(db, sql, -1, &ps, NULL) == SQLITE_OK;

	if (ok && !rows)
		ok = sqlite3_step(ps) == SQLITE_DONE;
	sqlite3_finalize(ps);
	return ok;
}

/* Plain text for a person look-up: no sub-query, nothing of the outer row. */
static int
plain_part(const char *s)
{
	return s == NULL || (strstr(s, "SELECT") == NULL && strstr(s, "select") == NULL && strstr(s, "cur.") == NULL);
}

/* For the clauses [rest, close) after `WHERE staff_id = cur.staff_id` of a
 * sub-query `(SELECT ex FROM s_<name> …)`: the person look-up it is
 * (struct person_col), or -1 when it is none of the forms read set-wise. */
static int
person_many(struct rules *r, const char *name, const char *ex, const char *rest, const char *close)
{
	const char *ob = sql_scan(rest, close, " ORDER BY "), *lim = sql_scan(rest, close, " LIMIT ");
	const char *hv = sql_scan(rest, close, " HAVING "), *kw;
	char *w = NULL, *o = NULL, *h = NULL, *tail = NULL, *sql;
	int k = -1, ok;

	if (sql_scan(rest, close, " GROUP BY ") != NULL)
		return -1;
	kw = ob ? ob : hv ? hv : close;
	if (kw != rest) {
		if (strncmp(rest, " AND ", 5) != 0 || kw == rest + 5)
			return -1;
		w = xstrndup(rest + 5, (size_t)(kw - rest - 5));
	}
	if (ob != NULL && hv == NULL && lim > ob && close - lim == 8 && strncmp(lim, " LIMIT 1", 8) == 0) {
		o = xstrndup(ob + 10, (size_t)(lim - ob - 10));
		tail = xasprintf(" ORDER BY staff_id, %s", o);
	} else if (ob == NULL && lim == NULL && hv != NULL) {
		h = xstrndup(hv + 8, (size_t)(close - hv - 8));
		tail = xasprintf(" GROUP BY staff_id HAVING %s ORDER BY staff_id", h);
	}
	if (tail == NULL || !plain_part(ex) || !plain_part(w) || !plain_part(o) || !plain_part(h))
		goto out;
	/* it must compile over s_Y alone (so it means no column of the outer
	 * query); with HAVING, it must be an aggregate that gives no row for
	 * a person without records, as the person's NULL look-up does */
	sql = xasprintf("SELECT staff_id, (%s) FROM \"s_%s\" WHERE (%s)%s", ex, name, w ? w : "1", tail);
	ok = probe_sql(r->st->db, sql, 1);
	free(sql);
	if (ok && h != NULL) {
		sql = xasprintf("SELECT (%s) FROM \"s_%s\" WHERE 0 HAVING %s", ex, name, h);
		ok = probe_sql(r->st->db, sql, 0);
		free(sql);
	}
	if (ok)
		k = person_col(r, name, ex, w, tail, o != NULL);
out:
	free(w);
	free(o);
	free(h);
	free(tail);
	return k;
}

/* sql with every look-up of the person's one-record row
 * `(SELECT E FROM s_Y WHERE staff_id = cur.staff_id)`, and of the person's
 * many records in the forms person_many reads, written rules_person(k,
 * cur.staff_id) (struct person_col), or NULL when it has none.  Only a
 * plain E qualifies: no sub-query, nothing of cur, and it must compile over
 * s_Y alone (so it cannot mean a column of the outer query either). */
static char *
person_rewrite(struct rules *r, const char *sql)
{
	static const char tail[] = " WHERE staff_id = cur.staff_id)";
	static const char head[] = " WHERE staff_id = cur.staff_id";
	const struct defs *defs = r->st->defs;
	struct strbuf b = { 0 };
	const char *p = sql, *q;
	int any = 0;

	while ((q = strstr(p, "(SELECT ")) != NULL) {
		const char *e = q + 8, *end = sql_scan(e, NULL, " FROM "), *y, *t;
		const struct set_def *set = NULL;
		char *ex = NULL, *name = NULL;
		const char *close;
		int k;

		if (end != NULL && strncmp(end + 6, "s_", 2) == 0) {
			y = end + 8;
			for (t = y; isalnum((unsigned char)*t) || *t == '_'; t++)
				;
			name = xstrndup(y, (size_t)(t - y));
			set = defs_set(defs->all, defs->nall, name);
			ex = xstrndup(e, (size_t)(end - e));
			if (set != NULL && strncmp(t, head, sizeof head - 1) == 0 && t[sizeof head - 1] != ')' &&
			    (close = sql_scan(t + sizeof head - 1, NULL, NULL)) != NULL &&
			    (k = person_many(r, name, ex, t + sizeof head - 1, close)) >= 0) {
				strbuf_add(&b, p, (size_t)(q - p));
				strbuf_addf(&b, "rules_person(%d, cur.staff_id)", k);
				p = close + 1;
				any = 1;
				free(ex);
				free(name);
				continue;
			}
			if (set == NULL || set->many || strncmp(t, tail, sizeof tail - 1) != 0 || !plain_part(ex))
				set = NULL;
			else {
				char *probe = xasprintf("SELECT (%s) FROM \"s_%s\"", ex, name);

				if (!probe_sql(r->st->db, probe, 1))
					set = NULL;
				free(probe);
			}
			if (set != NULL) {
				strbuf_add(&b, p, (size_t)(q - p));
				strbuf_addf(&b, "rules_person(%d, cur.staff_id)", person_col(r, name, ex, NULL, " ORDER BY staff_id", 0));
				p = t + sizeof tail - 1;
				any = 1;
			}
		}
		if (set == NULL) {
			strbuf_add(&b, p, (size_t)(e - p));
			p = e;
		}
		free(ex);
		free(name);
	}
	if (!any) {
		strbuf_free(&b);
		return NULL;
	}
	strbuf_adds(&b, p);
	return strbuf_take(&b);
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

		struct strbuf argv = { 0 };
		size_t k = (size_t)(rs - r->rs);

		for (size_t i = 0; i < rs->nexpr; i++)
			strbuf_addf(&argv, ", (%s)", rs->expr[i]);
		strbuf_addf(&argv, "%s", args.s ? args.s : "");
		strbuf_addf(&call, "rules_static(%zu%s)", k, argv.s);

		rs->badfmt = xcalloc(s->nfield + 1, 1);
		/* one-record sets start from staff so that a person with no row
		 * there is still checked (its required fields are empty).  Many-
		 * record sets are reached through the template's schools and
		 * their staff (CROSS JOIN fixes that order): left to itself
		 * SQLite scans the whole table once per template and looks up
		 * staff and school for every row, five times the reading.  One
		 * record (SM_RECORD) is looked up by its own id instead. */
		if (s->many) {
			/* the group is known once every set is compiled (group_scans):
			 * GROUP@ stands for its leader's index until then */
			rs->select_scan = xasprintf("SELECT rules_rset(GROUP@, cur.staff_id), cur.staff_id, cur.id, cur.seq,"
			    " rules_static(rules_rset(GROUP@, cur.staff_id)%s)%s\nFROM \"s_%s\" AS cur", argv.s,
			    cols.s ? cols.s : "", sn);
			rs->select = xasprintf("SELECT %zu, staff.id, cur.id, cur.seq, %s%s\nFROM school CROSS JOIN staff ON"
			    " staff.school_id = school.id CROSS JOIN \"s_%s\" AS cur ON cur.staff_id = staff.id"
			    " WHERE school.template = '%s'", k, call.s, cols.s ? cols.s : "", sn, rs->tpl->v[TC_NAME]);
			rs->select_record = xasprintf("SELECT %zu, staff.id, cur.id, cur.seq, %s%s\nFROM \"s_%s\" AS cur"
			    " JOIN staff ON staff.id = cur.staff_id JOIN school ON school.id = staff.school_id"
			    " WHERE school.template = '%s'", k, call.s, cols.s ? cols.s : "", sn, rs->tpl->v[TC_NAME]);
		} else
			rs->select = xasprintf("SELECT %zu, staff.id, staff.id, 0, %s%s\nFROM staff JOIN school ON school.id ="
			    " staff.school_id LEFT JOIN \"s_%s\" AS cur ON cur.staff_id = staff.id"
			    " WHERE school.template = '%s'", k, call.s, cols.s ? cols.s : "", sn, rs->tpl->v[TC_NAME]);
		rs->select = today_constant(rs->select);
		rs->select_record = today_constant(rs->select_record);
		rs->select_bulk = person_rewrite(r, rs->select);
		rs->select_scan = today_constant(rs->select_scan);
		strbuf_free(&call);
		strbuf_free(&argv);
	}
	/* one-record sets are read for every person; many-record ones hold
	 * about as many rows, but rarely so many rules */
	rs->weight = rs->nrule + (size_t)rs->ncol * 4;
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

	if (k < 0 && sqlite3_value_type(argv[0]) != SQLITE_NULL) {
		sqlite3_result_null(c);   /* a row run() skips (rules_rset) */
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

static void
fn_today(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	char d[11];

	(void)argc;
	(void)argv;
	sqlfn_today(d);
	sqlite3_result_text(c, d, -1, SQLITE_TRANSIENT);
}

/* ------------------------------------------------------------ regexp */

/* REGEXP as sqlfn.c defines it (POSIX extended, whole-pattern search), with
 * a fast path: glibc's regexec in a UTF-8 locale costs some 20,000
 * instructions a call, and every person's ID number is matched three times
 * — about two seconds over 100,000 persons.  Patterns of the simple shape
 * the definitions use, '^' (ASCII literal | [ASCII class]) with {n}, {n,m},
 * +, * or ? … '$', are matched here byte by byte; as every atom matches
 * ASCII only, a multibyte character fails both ways alike.  A negated
 * class of ASCII ([^@ ], the e-mail pattern) matches any byte outside it:
 * allowed only with + or * and before an ASCII atom or the end, where its
 * run of bytes ends on a character boundary, so it takes whole characters
 * as regexec does; a subject that is not valid UTF-8 goes to regexec.
 * Anything else (groups, alternation …) goes to regexec unchanged. */
#define RX_MAX 16

struct rx_item {
	unsigned char set[32];   /* bitmap of the bytes this atom matches (neg: does not) */
	int           neg;       /* [^…] */
	int           lo, hi;    /* repetitions; hi < 0 = no limit */
};

struct rx {
	int            fast;
	int            neg;      /* some item is negated: re is compiled too */
	struct rx_item item[RX_MAX];
	int            n;
	regex_t        re;   /* when !fast */
};

static int
rx_plain(int c)
{
	return c > 32 && c < 127 && strchr("^$.[]()|*+?{}\\", c) == NULL;
}

/* Parse pat into x->item; 0 when it is not of the simple shape. */
static int
rx_parse(const char *pat, struct rx *x)
{
	const char *p = pat;

	if (*p++ != '^')
		return 0;
	while (*p != '$') {
		struct rx_item *it;

		if (*p == '\0' || x->n == RX_MAX)
			return 0;
		it = &x->item[x->n++];
		memset(it, 0, sizeof *it);
		if (*p == '[') {
			p++;
			if (*p == '^') {
				it->neg = 1;
				p++;
			}
			if (*p == ']' || *p == '^')
				return 0;
			while (*p != ']') {
				int a = (unsigned char)*p, b = a;

				if (a == '\0' || a == '[' || a == '\\' || a < 32 || a > 126)
					return 0;
				if (p[1] == '-' && p[2] != ']') {
					b = (unsigned char)p[2];
					if (b == '[' || b == '\\' || b < 32 || b > 126 || b < a)
						return 0;
					p += 2;
				}
				for (int c = a; c <= b; c++)
					it->set[c >> 3] |= (unsigned char)(1u << (c & 7));
				p++;
			}
			p++;
		} else if (*p == '\\' && p[1] != '\0' && strchr(".^$[]()|*+?{}\\", p[1]) != NULL) {
			it->set[(unsigned char)p[1] >> 3] |= (unsigned char)(1u << (p[1] & 7));
			p += 2;
		} else if (rx_plain((unsigned char)*p)) {
			it->set[(unsigned char)*p >> 3] |= (unsigned char)(1u << (*p & 7));
			p++;
		} else
			return 0;
		it->lo = it->hi = 1;
		if (*p == '+' || *p == '*' || *p == '?') {
			it->lo = *p == '+' ? 1 : 0;
			it->hi = *p == '?' ? 1 : -1;
			p++;
		} else if (*p == '{') {
			char *end;

			if (!isdigit((unsigned char)p[1]))
				return 0;
			it->lo = (int)strtol(p + 1, &end, 10);
			if (it->lo > 255)
				return 0;
			it->hi = it->lo;
			if (*end == ',') {
				const char *q = end + 1;

				if (!isdigit((unsigned char)*q))
					return 0;   /* {n,} and the like: regexec */
				it->hi = (int)strtol(q, &end, 10);
				if (it->hi < it->lo || it->hi > 255)
					return 0;
			}
			if (*end != '}')
				return 0;
			p = end + 1;
		}
	}
	for (int i = 0; i < x->n; i++)
		if (x->item[i].neg) {
			if (x->item[i].hi >= 0 || x->item[i].lo > 1 || (i + 1 < x->n && x->item[i + 1].neg))
				return 0;
			x->neg = 1;
		}
	return p[1] == '\0';
}

static int
rx_match(const struct rx *x, int i, const unsigned char *s)
{
	const struct rx_item *it;
	int k = 0;

	if (i == x->n)
		return *s == '\0';
	it = &x->item[i];
	while ((it->hi < 0 || k < it->hi) && s[k] != '\0' &&
	    ((it->set[s[k] >> 3] & (1u << (s[k] & 7))) != 0) != it->neg)
		k++;
	for (; k >= it->lo; k--)
		if (rx_match(x, i + 1, s + k))
			return 1;
	return 0;
}

/* Compiled patterns, kept for the life of the process (the definitions
 * hold a handful): SQLite's auxdata lasts one run of a statement, and one
 * person's check runs each statement once, so regcomp would run per person
 * and pattern.  Process-wide because "regexp" stays registered on the
 * store's connection after rules_free, for every other query.  Shared by
 * threads (glibc's regexec locks a shared regex_t itself). */
static struct rx_cache {
	pthread_mutex_t mu;
	struct rx_entry {
		char      *pat;
		struct rx *x;
	}              *e;
	size_t          n;
} rx_cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0 };

static struct rx *
rx_get(struct rx_cache *rc, const char *pat, int *bad)
{
	struct rx *x = NULL;

	*bad = 0;
	pthread_mutex_lock(&rc->mu);
	for (size_t i = 0; i < rc->n && x == NULL; i++)
		if (strcmp(rc->e[i].pat, pat) == 0)
			x = rc->e[i].x;
	if (x == NULL) {
		x = xcalloc(1, sizeof *x);
		x->fast = rx_parse(pat, x);
		if ((!x->fast || x->neg) && regcomp(&x->re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
			free(x);
			x = NULL;
			*bad = 1;
		} else {
			rc->e = xreallocarray(rc->e, rc->n + 1, sizeof *rc->e);
			rc->e[rc->n].pat = xstrdup(pat);
			rc->e[rc->n++].x = x;
		}
	}
	pthread_mutex_unlock(&rc->mu);
	return x;
}


static void
fn_regexp(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rx *x = sqlite3_get_auxdata(c, 0);
	const char *pat, *s;
	int bad;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(c);
		return;
	}
	pat = (const char *)sqlite3_value_text(argv[0]);
	s = (const char *)sqlite3_value_text(argv[1]);
	if (pat == NULL || s == NULL) {
		sqlite3_result_null(c);
		return;
	}
	if (x == NULL) {
		/* the cache owns it: auxdata only saves the look-up on later rows */
		if ((x = rx_get(&rx_cache, pat, &bad)) == NULL) {
			sqlite3_result_error(c, "正则表达式无效", -1);
			return;
		}
		sqlite3_set_auxdata(c, 0, x, NULL);
	}
	if (x->fast && x->neg && !utf8_valid(s))   /* regexec reads characters */
		sqlite3_result_int(c, regexec(&x->re, s, 0, NULL, 0) == 0);
	else
		sqlite3_result_int(c, x->fast ? rx_match(x, 0, (const unsigned char *)s) :
		    regexec(&x->re, s, 0, NULL, 0) == 0);
}

/* The index of staff id in pc, or pc->n when the person has no row. */
static size_t
person_index(const struct person_col *pc, sqlite3_int64 id)
{
	size_t lo = 0, hi = pc->n;

	if (pc->slot != NULL)
		return id >= pc->id[0] && id - pc->id[0] < pc->nslot && pc->slot[id - pc->id[0]] != 0 ?
		    pc->slot[id - pc->id[0]] - 1 : pc->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pc->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pc->n && pc->id[lo] == id ? lo : pc->n;
}

/* rules_person(k, staff id): the value of person look-up k (struct
 * person_col) for this person, NULL when the person has no row there. */
static void
fn_person(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	sqlite3_int64 k = sqlite3_value_int64(argv[0]);
	const struct person_col *pc;
	size_t lo;

	(void)argc;
	if (k < 0 || (size_t)k >= r->npc || r->pc[k].id == NULL) {
		sqlite3_result_error(c, "rules_person: 未载入", -1);
		return;
	}
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(c);
		return;
	}
	pc = &r->pc[k];
	if ((lo = person_index(pc, sqlite3_value_int64(argv[1]))) == pc->n) {
		sqlite3_result_null(c);
		return;
	}
	/* the values stay put until the check is over: no copy */
	switch (pc->v[lo].type) {
	case SQLITE_INTEGER:
		sqlite3_result_int64(c, pc->v[lo].u.i);
		break;
	case SQLITE_FLOAT:
		sqlite3_result_double(c, pc->v[lo].u.d);
		break;
	case SQLITE_TEXT:
		sqlite3_result_text(c, pc->text.s + pc->v[lo].u.off, pc->v[lo].len, SQLITE_STATIC);
		break;
	case SQLITE_BLOB:
		sqlite3_result_blob(c, pc->text.s + pc->v[lo].u.off, pc->v[lo].len, SQLITE_STATIC);
		break;
	default:
		sqlite3_result_null(c);
	}
}

static void
person_unload(struct rules *r)
{
	for (size_t k = 0; k < r->npc; k++) {
		struct person_col *pc = &r->pc[k];

		free(pc->id);
		free(pc->v);
		free(pc->slot);
		strbuf_free(&pc->text);
		pc->slot = NULL;
		pc->nslot = 0;
		pc->id = NULL;
		pc->v = NULL;
		pc->n = 0;
	}
}

/* Whether look-ups a and b read the same rows in the same order (then
 * one scan loads both: 学位名称 and 学位院校 of the highest 学位). */
static int
same_scan(const struct person_col *a, const struct person_col *b)
{
	return strcmp(a->set, b->set) == 0 && strcmp(a->tail, b->tail) == 0 && a->first == b->first &&
	    (a->where == NULL ? b->where == NULL : b->where != NULL && strcmp(a->where, b->where) == 0);
}

/* Column col of ps's row as pc's value for the row's person (column 0). */
static void
person_add(struct person_col *pc, size_t *cap, sqlite3_stmt *ps, int col)
{
	struct pval *v;
	int t = sqlite3_column_type(ps, col);

	if (pc->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		pc->id = xreallocarray(pc->id, *cap, sizeof *pc->id);
		pc->v = xreallocarray(pc->v, *cap, sizeof *pc->v);
	}
	pc->id[pc->n] = sqlite3_column_int64(ps, 0);
	v = &pc->v[pc->n++];
	memset(v, 0, sizeof *v);
	v->type = t;
	if (t == SQLITE_INTEGER)
		v->u.i = sqlite3_column_int64(ps, col);
	else if (t == SQLITE_FLOAT)
		v->u.d = sqlite3_column_double(ps, col);
	else if (t == SQLITE_TEXT || t == SQLITE_BLOB) {
		const void *bytes = t == SQLITE_TEXT ? (const void *)sqlite3_column_text(ps, col) :
		    sqlite3_column_blob(ps, col);

		v->len = sqlite3_column_bytes(ps, col);
		v->u.off = pc->text.len;
		strbuf_add(&pc->text, bytes, (size_t)v->len);
		strbuf_addc(&pc->text, '\0');
	}
}

/* pc loaded: index its values by staff id when the ids are dense enough. */
static void
person_index_ids(struct person_col *pc)
{
	if (pc->id == NULL)
		pc->id = xcalloc(1, sizeof *pc->id);   /* loaded, nobody in scope */
	else if (pc->id[pc->n - 1] - pc->id[0] < 4 * (sqlite3_int64)pc->n + 1024 && pc->n < UINT32_MAX) {
		pc->nslot = pc->id[pc->n - 1] - pc->id[0] + 1;
		pc->slot = xcalloc((size_t)pc->nslot, sizeof *pc->slot);
		for (size_t i = 0; i < pc->n; i++)
			pc->slot[pc->id[i] - pc->id[0]] = (uint32_t)i + 1;
	}
}

/* Load the person look-ups for the persons in scope (m SM_ALL, or
 * SM_SCHOOL with school id) on db, inside the check's read transaction:
 * one scan for all look-ups that read alike (same_scan), and of those
 * scans the k0-th, (k0 + step)-th … */
static enum jzg_status
person_load_some(struct rules *r, sqlite3 *db, enum scope_mode m, sqlite3_int64 id, size_t k0, size_t step_k,
    char **cause)
{
	size_t *mem = xcalloc(r->npc ? r->npc : 1, sizeof *mem), *cap = xcalloc(r->npc ? r->npc : 1, sizeof *cap);
	size_t nth = 0;
	enum jzg_status rc = JZG_OK;

	for (size_t k = 0; k < r->npc && rc == JZG_OK; k++) {
		struct person_col *pc = &r->pc[k];
		const char *in = " staff_id IN (SELECT id FROM staff WHERE school_id = ?1)";
		struct strbuf sql = { 0 };
		size_t nmem = 0, j;
		sqlite3_stmt *ps;
		int step;

		for (j = 0; j < k && !same_scan(&r->pc[j], pc); j++)
			;
		if (j < k || nth++ % step_k != k0)
			continue;   /* loaded with look-up j, or by the other connection */
		strbuf_adds(&sql, "SELECT staff_id");
		for (j = k; j < r->npc; j++)
			if (same_scan(&r->pc[j], pc)) {
				mem[nmem++] = j;
				strbuf_addf(&sql, ", (%s)", r->pc[j].expr);
				strbuf_adds(&r->pc[j].text, "");
			}
		strbuf_addf(&sql, " FROM \"s_%s\"", pc->set);
		if (pc->where != NULL)
			strbuf_addf(&sql, " WHERE (%s)%s%s", pc->where, m == SM_SCHOOL ? " AND" : "", m == SM_SCHOOL ? in : "");
		else if (m == SM_SCHOOL)
			strbuf_addf(&sql, " WHERE%s", in);
		strbuf_adds(&sql, pc->tail);
		if (sqlite3_prepare_v2(db, sql.s, -1, &ps, NULL) != SQLITE_OK) {
			strbuf_free(&sql);
			rc = jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
			break;
		}
		strbuf_free(&sql);
		if (m == SM_SCHOOL)
			sqlite3_bind_int64(ps, 1, id);
		while ((step = sqlite3_step(ps)) == SQLITE_ROW) {
			if (pc->first && pc->n > 0 && pc->id[pc->n - 1] == sqlite3_column_int64(ps, 0))
				continue;   /* not the person's first row in ORDER BY O */
			for (size_t i = 0; i < nmem; i++)
				person_add(&r->pc[mem[i]], &cap[mem[i]], ps, (int)i + 1);
		}
		sqlite3_finalize(ps);
		if (step != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "读取人员信息时出错：%s", sqlite3_errmsg(db));
		for (size_t i = 0; i < nmem; i++)
			person_index_ids(&r->pc[mem[i]]);
	}
	free(mem);
	free(cap);
	return rc;
}

static enum jzg_status
person_load(struct rules *r, enum scope_mode m, sqlite3_int64 id, char **cause)
{
	return person_load_some(r, r->st->db, m, id, 0, 1, cause);
}

/* Half of the person look-ups, loaded on the second connection while the
 * first loads the other half: a whole-file check reads some ten of them
 * (0.05–0.15 s each) before either thread can start on the sets. */
struct load_half {
	struct rules     *r;
	sqlite3          *db;
	enum scope_mode   m;
	sqlite3_int64     id;
	enum jzg_status   rc;
	char             *cause;
};

static void *
load_half(void *arg)
{
	struct load_half *h = arg;

	h->rc = person_load_some(h->r, h->db, h->m, h->id, 1, 2, &h->cause);
	return NULL;
}

/* rules_rset(leader, staff id): the rset of the leader's group for the
 * person's template (struct rset, select_scan), -1 when that is not being
 * checked or the person belongs to no school. */
static void
fn_rset(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	sqlite3_int64 g = sqlite3_value_int64(argv[0]), id = sqlite3_value_int64(argv[1]);
	int t;

	(void)argc;
	if (g < 0 || (size_t)g >= r->nrs || r->rs[g].by_tpl == NULL || r->tpl_of == NULL) {
		sqlite3_result_error(c, "rules_rset: 未载入", -1);
		return;
	}
	t = id >= 0 && id < r->ntpl_of ? r->tpl_of[id] : -1;
	sqlite3_result_int(c, t < 0 ? -1 : r->rs[g].by_tpl[t]);
}

/* rules_code_pick(table, code): 1 when code table `table` (index in
 * defs->codes) has the code and it may be chosen; rules_code_filter(table,
 * code): that row's filter (choice_in_c). */
static const struct code *
code_arg(sqlite3_context *c, sqlite3_value **argv)
{
	const struct rules *r = sqlite3_user_data(c);
	const struct codes *codes = r->st->defs->codes;
	sqlite3_int64 t = sqlite3_value_int64(argv[0]);
	const char *code = (const char *)sqlite3_value_text(argv[1]);

	if (t < 0 || (size_t)t >= codes->ntab || code == NULL)
		return NULL;
	return codes_find(&codes->tab[t], code);
}

static void
fn_code_pick(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct code *row = code_arg(c, argv);

	(void)argc;
	sqlite3_result_int(c, row != NULL && row->pick);
}

static void
fn_code_filter(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct code *row = code_arg(c, argv);

	(void)argc;
	if (row == NULL || row->filter == NULL)
		sqlite3_result_null(c);
	else
		sqlite3_result_text(c, row->filter, -1, SQLITE_STATIC);
}

static int
register_functions(struct rules *r, sqlite3 *db)
{
	int rc = sqlite3_create_function(db, "rules_static", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r, fn_static,
	    NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "rules_today", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_today,
		    NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "rules_code_pick", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r,
		    fn_code_pick, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "rules_code_filter", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r,
		    fn_code_filter, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "rules_rset", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r, fn_rset, NULL,
		    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "rules_person", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r, fn_person,
		    NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_regexp,
		    NULL, NULL);
	return rc;
}

static const char explained_sql[] =
	"SELECT reason FROM explanation WHERE staff_id = ?1 AND rule = ?2 AND set_name = ?3 AND row_key = ?4";

/* s with every "GROUP@" written as the number k (a new string). */
static char *
group_number(const char *s, size_t k)
{
	struct strbuf b = { 0 };
	const char *q;

	while ((q = strstr(s, "GROUP@")) != NULL) {
		strbuf_add(&b, s, (size_t)(q - s));
		strbuf_addf(&b, "%zu", k);
		s = q + 6;
	}
	strbuf_adds(&b, s);
	return strbuf_take(&b);
}

/* Group the many-record rsets whose whole-file scans read alike (same
 * set, same SQL: the rules compile alike in those templates) under the
 * first of them, and give the leaders their final select_scan. */
static void
group_scans(struct rules *r)
{
	for (size_t i = 0; i < r->nrs; i++) {
		struct rset *rs = &r->rs[i];

		rs->leader = i;
		for (size_t j = 0; j < i && rs->select_scan != NULL && rs->leader == i; j++)
			if (r->rs[j].leader == j && r->rs[j].set != NULL && r->rs[j].select_scan != NULL &&
			    strcmp(r->rs[j].set->v[SC_NAME], rs->set->v[SC_NAME]) == 0 &&
			    strcmp(r->rs[j].select_scan, rs->select_scan) == 0)
				rs->leader = j;
	}
	for (size_t i = 0; i < r->nrs; i++) {
		struct rset *rs = &r->rs[i];
		char *sql, *bulk;

		if (rs->select_scan == NULL)
			continue;
		if (rs->leader != i) {
			free(rs->select_scan);
			rs->select_scan = NULL;
			continue;
		}
		sql = group_number(rs->select_scan, i);
		free(rs->select_scan);
		bulk = person_rewrite(r, sql);
		rs->select_scan = bulk ? bulk : sql;
		if (bulk)
			free(sql);
		rs->by_tpl = xcalloc(r->st->defs->ntpl + 1, sizeof *rs->by_tpl);
	}
}

struct rules *
rules_new(struct store *st, char **cause)
{
	const struct defs *defs = st->defs;
	struct rules *r = xcalloc(1, sizeof *r);

	r->st = st;
	if (register_functions(r, st->db) != SQLITE_OK) {
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
	group_scans(r);
	if (store_prepare(st, explained_sql, &r->explained[0], cause) != JZG_OK) {
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
		free(rs->select_record);
		free(rs->select_bulk);
		free(rs->select_scan);
		free(rs->by_tpl);
		for (int c = 0; c < NCONN; c++) {
			for (int m = 0; m < SM__COUNT; m++)
				sqlite3_finalize(rs->stmt[c][m]);
			sqlite3_finalize(rs->rownum[c]);
		}
	}
	free(r->rs);
	for (int c = 0; c < NCONN; c++)
		sqlite3_finalize(r->explained[c]);
	person_unload(r);
	for (size_t k = 0; k < r->npc; k++) {
		free(r->pc[k].set);
		free(r->pc[k].expr);
		free(r->pc[k].where);
		free(r->pc[k].tail);
	}
	free(r->pc);

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
derived_value(sqlite3 *db, const struct rset *rs, const struct rule *ru, sqlite3_int64 key)
{
	char *sql = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur WHERE cur.%s = ?1", ru->calc,
	    rs->set->v[SC_NAME], rs->set->many ? "id" : "staff_id");
	sqlite3_stmt *ps;
	char *out = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &ps, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(ps, 1, key);
		if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
			out = xstrdup((const char *)sqlite3_column_text(ps, 0));
		sqlite3_finalize(ps);
	}
	free(sql);
	return out;
}

static void
message(sqlite3 *db, const struct rset *rs, const struct rule *ru, const char *detail,
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
		want = derived_value(db, rs, ru, key);
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

/* A finding held until the check is over (parallel runs: the callback is
 * the caller's, so it is only ever called from the caller's thread). */
struct held {
	const struct rset *rs;
	const struct rule *ru;
	sqlite3_int64      staff_id, key;
	int                row;
	char              *message, *explained;
};

struct held_list {
	struct held *h;
	size_t       n, cap;
};

/* One thread's side of a check: its connection and what to do with a
 * finding — hand it to cb at once, or keep it in hold. */
struct runner {
	struct rules     *r;
	int               conn;          /* index into rset.stmt, rules.explained */
	sqlite3          *db;
	int               any_explained; /* explanation holds a row: worth looking up */
	int               stop;
	rules_cb          cb;
	void             *arg;
	struct held_list *hold;          /* non-NULL: keep findings here instead */
};

static enum jzg_status
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
	}
	return JZG_OK;
}

static enum jzg_status
rset_stmt(struct runner *ru, struct rset *rs, enum scope_mode m, sqlite3_stmt **out, char **cause)
{
	static const char *const where[SM__COUNT] = {
		"", " AND staff.school_id = ?1", " AND staff.id = ?1", NULL, ""
	};
	sqlite3_stmt **slot = &rs->stmt[ru->conn][m];
	char *sql;
	enum jzg_status rc;

	if (*slot == NULL) {
		sql = xasprintf("%s%s", m == SM_SCAN ? rs->select_scan : m == SM_RECORD && rs->select_record ?
		    rs->select_record : (m == SM_ALL || m == SM_SCHOOL) && rs->select_bulk ? rs->select_bulk : rs->select,
		    m == SM_RECORD ? (rs->set->many ? " AND cur.id = ?1" : " AND staff.id = ?1") : where[m]);
		rc = prepare(ru->db, sql, slot, cause);
		free(sql);
		if (rc != JZG_OK)
			return rc;
	}
	*out = *slot;
	return JZG_OK;
}

static int
row_number(struct runner *ru, struct rset *rs, sqlite3_int64 staff, sqlite3_int64 id, sqlite3_int64 seq)
{
	sqlite3_stmt **ps = &rs->rownum[ru->conn];
	int n = 1;

	if (!rs->set->many)
		return 1;
	if (*ps == NULL) {
		char *sql = xasprintf("SELECT count(*) FROM \"s_%s\" WHERE staff_id = ?1 AND"
		    " (seq < ?2 OR (seq = ?2 AND id <= ?3))", rs->set->v[SC_NAME]);

		sqlite3_prepare_v2(ru->db, sql, -1, ps, NULL);
		free(sql);
		if (*ps == NULL)
			return 0;
	}
	sqlite3_bind_int64(*ps, 1, staff);
	sqlite3_bind_int64(*ps, 2, seq);
	sqlite3_bind_int64(*ps, 3, id);
	if (sqlite3_step(*ps) == SQLITE_ROW)
		n = sqlite3_column_int(*ps, 0);
	sqlite3_reset(*ps);
	return n;
}

/* The reason a warning was explained (a new string) or NULL. */
static char *
explanation(struct runner *ru, const struct finding *fd)
{
	sqlite3_stmt **ps = &ru->r->explained[ru->conn];
	char *out = NULL;

	if (!ru->any_explained)
		return NULL;
	if (*ps == NULL && sqlite3_prepare_v2(ru->db, explained_sql, -1, ps, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(*ps, 1, fd->staff_id);
	sqlite3_bind_text(*ps, 2, fd->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(*ps, 3, fd->set->v[SC_NAME], -1, SQLITE_STATIC);
	sqlite3_bind_int64(*ps, 4, fd->key);
	if (sqlite3_step(*ps) == SQLITE_ROW)
		out = xstrdup((const char *)sqlite3_column_text(*ps, 0));
	sqlite3_reset(*ps);
	return out;
}

/* Whether the explanation table holds any row: a file without explanations
 * (most) then needs no look-up per warning. */
static int
any_explained(sqlite3 *db)
{
	sqlite3_stmt *ps;
	int any = 1;

	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM explanation)", -1, &ps, NULL) == SQLITE_OK) {
		if (sqlite3_step(ps) == SQLITE_ROW)
			any = sqlite3_column_int(ps, 0);
		sqlite3_finalize(ps);
	}
	return any;
}

static void
finding_of(const struct rset *rs, const struct rule *rule, struct finding *fd)
{
	fd->rule = rule->name;
	fd->tpl = rs->tpl;
	fd->set = rs->set;
	fd->field = rule->field;
	fd->warning = rule->warning;
}

static void
report(struct runner *ru, struct rset *rs, sqlite3_stmt *ps, const struct rule *rule, const char *detail,
    struct strbuf *msg)
{
	struct finding fd;
	char *why;

	finding_of(rs, rule, &fd);
	fd.staff_id = sqlite3_column_int64(ps, 1);
	fd.key = sqlite3_column_int64(ps, 2);
	fd.row = row_number(ru, rs, fd.staff_id, fd.key, sqlite3_column_int64(ps, 3));
	msg->len = 0;
	message(ru->db, rs, rule, detail ? detail : "", fd.key, msg);
	fd.message = msg->s;
	why = rule->warning ? explanation(ru, &fd) : NULL;
	if (ru->hold != NULL) {
		struct held_list *l = ru->hold;
		struct held *h;

		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->h = xreallocarray(l->h, l->cap, sizeof *l->h);
		}
		h = &l->h[l->n++];
		h->rs = rs;
		h->ru = rule;
		h->staff_id = fd.staff_id;
		h->key = fd.key;
		h->row = fd.row;
		h->message = xstrdup(fd.message);
		h->explained = why;
		return;
	}
	fd.explained = why;
	ru->stop = ru->cb(&fd, ru->arg) != 0;
	free(why);
}

/* Findings of the static rules of this row (column RS_FIXED - 1); marks
 * the fields whose format was wrong in rs->badfmt. */
static void
report_static(struct runner *ru, struct rset *rs, sqlite3_stmt *ps, struct strbuf *msg)
{
	const char *p = (const char *)sqlite3_column_text(ps, RS_FIXED - 1);
	char *copy, *line, *save = NULL;

	if (p == NULL)
		return;
	copy = xstrdup(p);   /* the callback may run SQL, which may move the column text */
	for (line = strtok_r(copy, "\n", &save); line != NULL && !ru->stop; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		long k = strtol(line, NULL, 10);
		const struct rule *rule;

		if (tab == NULL || k < 0 || (size_t)k >= rs->nrule)
			continue;
		rule = &rs->rule[k];
		if (rule->kind == RK_FORMAT || rule->kind == RK_RELEVANT)
			rs->badfmt[rule->field - rs->set->field] = 1;
		report(ru, rs, ps, rule, tab + 1, msg);
	}
	free(copy);
}

static enum jzg_status
run(struct runner *ru, struct rset *rs0, enum scope_mode m, sqlite3_int64 arg1, char **cause)
{
	sqlite3_stmt *ps;
	enum jzg_status rc;
	struct strbuf msg = { 0 };
	int step = SQLITE_DONE;

	if (rs0->nrule == 0)
		return JZG_OK;
	if ((rc = rset_stmt(ru, rs0, m, &ps, cause)) != JZG_OK)
		return rc;
	if (m != SM_ALL && m != SM_SCAN)
		sqlite3_bind_int64(ps, 1, arg1);
	while (!ru->stop && (step = sqlite3_step(ps)) == SQLITE_ROW) {
		/* the row's own rset: rs0 but in a scan of a group */
		sqlite3_int64 k = sqlite3_column_int64(ps, 0);
		struct rset *rs = k >= 0 && (size_t)k < ru->r->nrs ? &ru->r->rs[k] : NULL;
		int stat;

		if (rs == NULL)
			continue;   /* a person of no school, or of a template not checked */
		stat = sqlite3_column_type(ps, RS_FIXED - 1) != SQLITE_NULL;

		if (stat)
			report_static(ru, rs, ps, &msg);
		for (size_t i = 0; i < rs->nrule && !ru->stop; i++) {
			const struct rule *rule = &rs->rule[i];

			if (rule->col < 0 || sqlite3_column_type(ps, RS_FIXED + rule->col) == SQLITE_NULL)
				continue;
			if (rule->kind == RK_CONSTRAINT && rs->badfmt[rule->field - rs->set->field])
				continue;
			report(ru, rs, ps, rule, (const char *)sqlite3_column_text(ps, RS_FIXED + rule->col), &msg);
		}
		if (stat)
			memset(rs->badfmt, 0, rs->set->nfield);
	}
	if (!ru->stop && step != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "检查 %s 时出错：%s", rs0->set->v[SC_LABEL], sqlite3_errmsg(ru->db));
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

/* The page cache a whole-file or whole-school check asks for, in KiB.
 * Every set's statement walks the staff table and its school index again,
 * and the person set (sub-queries of other sets) is read all along; with
 * SQLite's default 2 MB those pages are evicted between sets and read
 * again: 266,000 reads of a file of 88,000 pages (100,000 persons), about
 * 0.3 s of system time.  16 MB keeps them, for some 15 MB more memory per
 * connection. */
#define CHECK_CACHE_KIB 16384

/* Grow db's page cache to CHECK_CACHE_KIB; returns the setting to give
 * back (cache_restore), 0 when it was large enough. */
static int
cache_grow(sqlite3 *db)
{
	int old, page;
	char sql[64];

	if (store_int(db, "PRAGMA cache_size", &old) != SQLITE_OK || store_int(db, "PRAGMA page_size", &page) != SQLITE_OK)
		return 0;
	/* negative: KiB; positive: pages (16 KiB in new files, 4 KiB in older ones) */
	if (old == 0 || (old < 0 ? -(long long)old : (long long)old * page / 1024) >= CHECK_CACHE_KIB)
		return 0;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", CHECK_CACHE_KIB);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	return old;
}

static void
cache_restore(sqlite3 *db, int old)
{
	char sql[64];

	if (old == 0)
		return;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", old);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* ------------------------------------------------------ two threads */

/* ------------------------------------------------- whole-file scans */

/* Staff ids are rowids: dense, so a byte per id up to the largest.  A file
 * whose largest id is far beyond its count (never made by jzg) is checked
 * template by template instead. */
#define TPL_OF_MAX (64 * 1024 * 1024)

/* How rset k runs in a check of scope m: leaders of a group in one scan
 * when the template of every person is known (plan_scans). */
static enum scope_mode
mode_for(const struct rules *r, size_t k, enum scope_mode m)
{
	return m == SM_ALL && r->tpl_of != NULL && r->rs[k].scan ? SM_SCAN : m;
}

/* For a whole-file check: the template of every person (r->tpl_of), and
 * want[] turned from rsets into what runs — a group's leader when any of
 * its rsets is wanted, with by_tpl naming the wanted ones, its members
 * not on their own.  A set whose wanted rsets fall in more than one group
 * (its rules differ between the file's templates) is checked template by
 * template: each scan would read the other groups' rows too.  Leaves
 * r->tpl_of NULL (every rset on its own) when the file cannot be mapped. */
static void
plan_scans(struct rules *r, unsigned char *want)
{
	const struct defs *defs = r->st->defs;
	sqlite3_stmt *ps;
	sqlite3_int64 max = 0;

	for (size_t k = 0; k < r->nrs; k++) {
		r->rs[k].run_weight = r->rs[k].weight;
		r->rs[k].scan = 0;
	}
	if (sqlite3_prepare_v2(r->st->db, "SELECT max(id) FROM staff", -1, &ps, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(ps) == SQLITE_ROW)
		max = sqlite3_column_int64(ps, 0);
	sqlite3_finalize(ps);
	if (max < 0 || max >= TPL_OF_MAX || sqlite3_prepare_v2(r->st->db, "SELECT staff.id, school.template FROM staff"
	    " JOIN school ON school.id = staff.school_id", -1, &ps, NULL) != SQLITE_OK)
		return;
	r->ntpl_of = max + 1;
	r->tpl_of = xmalloc((size_t)r->ntpl_of);
	memset(r->tpl_of, -1, (size_t)r->ntpl_of);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(ps, 0);
		const struct template_def *t = defs_template(defs, (const char *)sqlite3_column_text(ps, 1));

		if (t != NULL && id >= 0 && id < r->ntpl_of)
			r->tpl_of[id] = (signed char)(t - defs->tpl);
	}
	sqlite3_finalize(ps);
	for (size_t k = 0; k < r->nrs; k++)
		if (r->rs[k].by_tpl != NULL)
			for (size_t t = 0; t < defs->ntpl; t++)
				r->rs[k].by_tpl[t] = -1;
	for (size_t k = 0; k < r->nrs; k++) {
		struct rset *lead = &r->rs[r->rs[k].leader];

		if (lead->by_tpl == NULL || !want[k])
			continue;
		lead->scan = 1;
		for (size_t j = 0; j < r->nrs; j++)
			if (want[j] && r->rs[j].leader != r->rs[k].leader &&
			    strcmp(r->rs[j].set->v[SC_NAME], lead->set->v[SC_NAME]) == 0)
				lead->scan = 0;
	}
	for (size_t k = 0; k < r->nrs; k++)
		if (r->rs[k].scan)
			r->rs[k].run_weight = 0;
	for (size_t k = 0; k < r->nrs; k++) {
		struct rset *lead = &r->rs[r->rs[k].leader];

		if (!lead->scan || !want[k])
			continue;
		lead->by_tpl[r->rs[k].tpl - defs->tpl] = (int)k;
		lead->run_weight += r->rs[k].weight;
		want[k] = 0;
	}
	for (size_t k = 0; k < r->nrs; k++)
		if (r->rs[k].scan)
			want[k] = 1;
}

static void
plan_done(struct rules *r)
{
	free(r->tpl_of);
	r->tpl_of = NULL;
	r->ntpl_of = 0;
}

/* A whole-file or whole-school check runs its sets on two threads, each
 * with its own connection (SQLite allows one connection per thread), so
 * two cores finish in about half the time.  Sets are taken from a shared
 * list, dearest first; findings are held per set and handed to the
 * callback afterwards, in the order a single thread would have found
 * them.  Only when the store's connection has no transaction open: a
 * second connection would not see its uncommitted changes. */
struct pool {
	struct rules     *r;
	size_t           *todo;      /* rset indexes, dearest first */
	size_t            ntodo, next;
	struct held_list *held;      /* by rset index */
	enum scope_mode   m;
	sqlite3_int64     id;
	pthread_mutex_t   mu;
	int               failed;
	struct worker {
		struct pool    *pool;
		struct runner   ru;
		enum jzg_status rc;
		char           *cause;
	} w[NCONN];
};

static void *
pool_work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&p->mu);
		k = p->failed || p->next == p->ntodo ? (size_t)-1 : p->todo[p->next++];
		pthread_mutex_unlock(&p->mu);
		if (k == (size_t)-1)
			break;
		w->ru.hold = &p->held[k];
		if ((w->rc = run(&w->ru, &p->r->rs[k], mode_for(p->r, k, p->m), p->id, &w->cause)) != JZG_OK) {
			pthread_mutex_lock(&p->mu);
			p->failed = 1;
			pthread_mutex_unlock(&p->mu);
			break;
		}
	}
	return NULL;
}

struct todo {
	size_t weight, k;
};

static int
cmp_todo(const void *pa, const void *pb)
{
	const struct todo *a = pa, *b = pb;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->k < b->k ? -1 : 1;
}

/* Below this many persons in scope a second connection (opening it, loading
 * its code table, preparing its statements: some milliseconds) costs more
 * than it saves. */
#define PARALLEL_MIN_STAFF 2000

/* How many threads the check of scope m (school_id, or 0 for all) should
 * use: 1 or 2.  JZG_CHECK_THREADS=1 forces one, =2 two even for a small
 * scope (comparing, measuring, testing). */
static int
threads_for(struct rules *r, enum scope_mode m, sqlite3_int64 school_id)
{
	const char *env = getenv("JZG_CHECK_THREADS");
	long n = env != NULL && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	const char *path = r->st->path;
	sqlite3_stmt *ps;
	int staff = 0;

	if (n < 2 || (m != SM_ALL && m != SM_SCHOOL) || !sqlite3_threadsafe() || !sqlite3_get_autocommit(r->st->db) ||
	    str_empty(path) || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 1;
	if (sqlite3_prepare_v2(r->st->db, "SELECT count(*) FROM staff WHERE ?1 = 0 OR school_id = ?1", -1, &ps,
	    NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(ps, 1, school_id);
	if (sqlite3_step(ps) == SQLITE_ROW)
		staff = sqlite3_column_int(ps, 0);
	sqlite3_finalize(ps);
	return staff >= PARALLEL_MIN_STAFF || (env != NULL && *env) ? 2 : 1;
}

/* Hand the held findings to cb in set order; frees them. */
static void
replay(struct rules *r, struct held_list *held, rules_cb cb, void *arg)
{
	int stop = 0;

	for (size_t k = 0; k < r->nrs; k++) {
		for (size_t i = 0; i < held[k].n; i++) {
			struct held *h = &held[k].h[i];
			struct finding fd;

			if (!stop) {
				finding_of(h->rs, h->ru, &fd);
				fd.staff_id = h->staff_id;
				fd.key = h->key;
				fd.row = h->row;
				fd.message = h->message;
				fd.explained = h->explained;
				stop = cb(&fd, arg) != 0;
			}
			free(h->message);
			free(h->explained);
		}
		free(held[k].h);
	}
}

/* Run the sets marked in want on two threads.  *done = 0 (nothing run)
 * when the second connection cannot be opened: the caller then runs them
 * on one. */
static enum jzg_status
check_parallel(struct rules *r, const unsigned char *want, enum scope_mode m, sqlite3_int64 id, rules_cb cb,
    void *arg, int *done, char **cause)
{
	struct store *st2 = NULL;
	struct pool p;
	struct todo *order;
	pthread_t th;
	int threaded, cache;
	char *why = NULL;
	enum jzg_status rc = JZG_OK;

	*done = 0;
	if (store_open(r->st->path, r->st->defs, STORE_READONLY | STORE_ONE_THREAD, &st2, &why) != JZG_OK ||
	    register_functions(r, st2->db) != SQLITE_OK) {
		free(why);
		store_close(st2);
		return JZG_OK;
	}
	*done = 1;
	memset(&p, 0, sizeof p);
	p.r = r;
	p.m = m;
	p.id = id;
	p.held = xcalloc(r->nrs ? r->nrs : 1, sizeof *p.held);
	order = xcalloc(r->nrs ? r->nrs : 1, sizeof *order);
	for (size_t k = 0; k < r->nrs; k++)
		if (want[k])
			order[p.ntodo++] = (struct todo){ r->rs[k].run_weight, k };
	qsort(order, p.ntodo, sizeof *order, cmp_todo);
	p.todo = xcalloc(p.ntodo + 1, sizeof *p.todo);
	for (size_t i = 0; i < p.ntodo; i++)
		p.todo[i] = order[i].k;
	free(order);
	pthread_mutex_init(&p.mu, NULL);
	/* both read transactions begin before either thread reads a set, so
	 * both see the file as it was at the start */
	cache = cache_grow(r->st->db);
	cache_grow(st2->db);
	sqlite3_exec(r->st->db, "SAVEPOINT rules_check", NULL, NULL, NULL);
	sqlite3_exec(st2->db, "BEGIN", NULL, NULL, NULL);
	{
		struct load_half h = { r, st2->db, m, id, JZG_OK, NULL };
		pthread_t lt;
		int two = r->npc > 1 && pthread_create(&lt, NULL, load_half, &h) == 0;

		rc = person_load_some(r, r->st->db, m, id, 0, two ? 2 : 1, cause);
		if (two) {
			pthread_join(lt, NULL);
			if (rc == JZG_OK && h.rc != JZG_OK) {
				rc = h.rc;
				if (cause != NULL) {
					*cause = h.cause;
					h.cause = NULL;
				}
			}
			free(h.cause);
		}
		if (rc != JZG_OK)
			p.failed = 1;
	}
	for (int c = 0; c < NCONN; c++) {
		struct worker *w = &p.w[c];

		w->pool = &p;
		w->ru.r = r;
		w->ru.conn = c;
		w->ru.db = c == 0 ? r->st->db : st2->db;
		w->ru.any_explained = any_explained(w->ru.db);
	}
	threaded = pthread_create(&th, NULL, pool_work, &p.w[1]) == 0;
	pool_work(&p.w[0]);
	if (threaded)
		pthread_join(th, NULL);
	person_unload(r);
	sqlite3_exec(st2->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(r->st->db, "RELEASE rules_check", NULL, NULL, NULL);
	cache_restore(r->st->db, cache);
	/* what was prepared on the second connection goes with it */
	for (size_t k = 0; k < r->nrs; k++) {
		for (int q = 0; q < SM__COUNT; q++) {
			sqlite3_finalize(r->rs[k].stmt[1][q]);
			r->rs[k].stmt[1][q] = NULL;
		}
		sqlite3_finalize(r->rs[k].rownum[1]);
		r->rs[k].rownum[1] = NULL;
	}
	sqlite3_finalize(r->explained[1]);
	r->explained[1] = NULL;
	store_close(st2);
	pthread_mutex_destroy(&p.mu);
	for (int c = 0; c < NCONN; c++) {
		if (p.w[c].rc != JZG_OK && rc == JZG_OK) {
			rc = p.w[c].rc;
			if (cause != NULL) {
				*cause = p.w[c].cause;
				p.w[c].cause = NULL;
			}
		}
		free(p.w[c].cause);
	}
	if (rc == JZG_OK)
		replay(r, p.held, cb, arg);
	else
		for (size_t k = 0; k < r->nrs; k++) {
			for (size_t i = 0; i < p.held[k].n; i++) {
				free(p.held[k].h[i].message);
				free(p.held[k].h[i].explained);
			}
			free(p.held[k].h);
		}
	free(p.held);
	free(p.todo);
	return rc;
}

/* Which sets are in scope: those of tpl, or (tpl NULL) of every template
 * some school of the file uses. */
static unsigned char *
sets_in_scope(struct rules *r, const char *tpl)
{
	unsigned char *want = xcalloc(r->nrs ? r->nrs : 1, 1);
	sqlite3_stmt *ps = NULL;

	if (tpl == NULL && sqlite3_prepare_v2(r->st->db, "SELECT DISTINCT template FROM school", -1, &ps,
	    NULL) != SQLITE_OK) {
		memset(want, 1, r->nrs);   /* cannot tell: run them all */
		return want;
	}
	if (tpl != NULL) {
		for (size_t k = 0; k < r->nrs; k++)
			want[k] = strcmp(tpl, r->rs[k].tpl->v[TC_NAME]) == 0;
		return want;
	}
	while (sqlite3_step(ps) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(ps, 0);

		for (size_t k = 0; t != NULL && k < r->nrs; k++)
			if (strcmp(t, r->rs[k].tpl->v[TC_NAME]) == 0)
				want[k] = 1;
	}
	sqlite3_finalize(ps);
	return want;
}

enum jzg_status
rules_check(struct rules *r, const struct rules_scope *scope, rules_cb cb, void *arg, char **cause)
{
	enum scope_mode m = SM_ALL;
	sqlite3_int64 id = 0;
	char *tpl = NULL;
	unsigned char *want;
	struct runner ru;
	int done = 0, cache, threads;
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
	want = sets_in_scope(r, tpl);
	free(tpl);
	threads = threads_for(r, m, m == SM_SCHOOL ? id : 0);
	/* the plan reads the file as the check will (same read transaction) */
	sqlite3_exec(r->st->db, "SAVEPOINT rules_plan", NULL, NULL, NULL);
	if (m == SM_ALL)
		plan_scans(r, want);
	else
		for (size_t k = 0; k < r->nrs; k++)
			r->rs[k].run_weight = r->rs[k].weight;
	if (threads > 1)
		rc = check_parallel(r, want, m, id, cb, arg, &done, cause);
	if (!done) {
		memset(&ru, 0, sizeof ru);
		ru.r = r;
		ru.db = r->st->db;
		ru.cb = cb;
		ru.arg = arg;
		cache = m == SM_ALL || m == SM_SCHOOL ? cache_grow(r->st->db) : 0;
		/* one read transaction: a consistent view, and far fewer lock calls */
		sqlite3_exec(r->st->db, "SAVEPOINT rules_check", NULL, NULL, NULL);
		ru.any_explained = m == SM_STAFF || any_explained(r->st->db);
		if (m == SM_ALL || m == SM_SCHOOL)
			rc = person_load(r, m, id, cause);
		for (size_t i = 0; i < r->nrs && rc == JZG_OK && !ru.stop; i++)
			if (want[i])
				rc = run(&ru, &r->rs[i], mode_for(r, i, m), id, cause);
		person_unload(r);
		sqlite3_exec(r->st->db, "RELEASE rules_check", NULL, NULL, NULL);
		cache_restore(r->st->db, cache);
	}
	sqlite3_exec(r->st->db, "RELEASE rules_plan", NULL, NULL, NULL);
	plan_done(r);
	free(want);
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
	struct runner ru;

	if (rs == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "模板 %s 没有信息集 %s", t->v[TC_LABEL], s->v[SC_LABEL]);
	memset(&ru, 0, sizeof ru);
	ru.r = r;
	ru.db = r->st->db;
	ru.cb = cb;
	ru.arg = arg;
	ru.any_explained = 1;   /* one record: a look-up per warning costs less than asking */
	return run(&ru, rs, SM_RECORD, key, cause);
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
