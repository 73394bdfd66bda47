/* rules_compile.c — the definitions turned into one SELECT per template
 * and set (struct rset): a result column per rule that needs SQL, the
 * arguments of rules_static() for the rest, and the whole-file scans that
 * group the templates whose many-record sets compile alike.  Also the SQL
 * functions the compiled text calls instead of slower SQL (rules_today,
 * rules_code_pick, rules_code_filter). */
#include "rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codes.h"
#include "expr.h"
#include "rules_int.h"

/* The <kind> of a field rule's id (RK_CHECK rules keep their own name). */
static const char *const kind_name[] = {
	"required", "relevant", "format", "length", "range", "code", "choice",
	"multi_code", "multi_excl", "multi_form", "constraint", "derived", NULL
};

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
		/* a value of the wrong format is the format rule's finding: rules_run()
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


enum jzg_status
rules_compile_set(struct rules *r, struct rset *rs, char **cause)
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
			/* the group is known once every set is compiled (rules_group_scans):
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
		rs->select_bulk = rules_person_rewrite(r, rs->select);
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

void
rules_fn_today(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	char d[11];

	(void)argc;
	(void)argv;
	sqlfn_today(d);
	sqlite3_result_text(c, d, -1, SQLITE_TRANSIENT);
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

void
rules_fn_code_pick(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct code *row = code_arg(c, argv);

	(void)argc;
	sqlite3_result_int(c, row != NULL && row->pick);
}

void
rules_fn_code_filter(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct code *row = code_arg(c, argv);

	(void)argc;
	if (row == NULL || row->filter == NULL)
		sqlite3_result_null(c);
	else
		sqlite3_result_text(c, row->filter, -1, SQLITE_STATIC);
}

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
void
rules_group_scans(struct rules *r)
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
		bulk = rules_person_rewrite(r, sql);
		rs->select_scan = bulk ? bulk : sql;
		if (bulk)
			free(sql);
		rs->by_tpl = xcalloc(r->st->defs->ntpl + 1, sizeof *rs->by_tpl);
	}
}
