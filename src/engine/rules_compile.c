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
#include <stdint.h>
#include <strings.h>

#include "codes.h"
#include "expr.h"
#include "rules_int.h"

/* A rule of kind k of the field being compiled: rs->rule grows, so the
 * pointer is good until the next rule is added. */
static struct rule *
add_rule(struct fcomp *c, enum rule_kind k, const char *text)
{
	struct rset *rs = c->rs;
	struct rule *ru;

	rs->rule = xreallocarray(rs->rule, rs->nrule + 1, sizeof *rs->rule);
	ru = &rs->rule[rs->nrule++];
	memset(ru, 0, sizeof *ru);
	ru->kind = k;
	ru->field = c->f;
	ru->warning = (rule_kinds[k].flags & RKF_WARN) != 0;
	ru->text = text;
	ru->name = xasprintf("%s:%s", rule_kinds[k].name, c->f->v[FC_NAME]);
	ru->col = -1;
	return ru;
}

/* A static rule of kind k (checked by rules_static()); returns 1. */
int
rules_add_static(struct fcomp *c, enum rule_kind k)
{
	add_rule(c, k, NULL);
	c->sf->rule[k] = (int)c->rs->nrule - 1;
	if (rule_kinds[k].check != NULL && (rule_kinds[k].flags & RKF_EMPTY))
		c->sf->check_empty[c->sf->nempty++] = (unsigned char)k;
	else if (rule_kinds[k].check != NULL)
		c->sf->check[c->sf->ncheck++] = (unsigned char)k;
	return 1;
}

/* A rule of kind k that is the result column sql (taken): NULL while the
 * rule holds, else violated, its text being the finding's detail. */
struct rule *
rules_add_sql(struct fcomp *c, enum rule_kind k, const char *text, char *sql)
{
	struct rule *ru = add_rule(c, k, text);

	ru->col = c->rs->ncol++;
	strbuf_addf(c->cols, ",\n  %s", sql);
	free(sql);
	return ru;
}

/* The argument of rules_static that carries the value of expression e
 * (takes e).  Fields sharing a relevant or required expression share its
 * argument, so it is evaluated once per row. */
int
rules_static_arg(struct rset *rs, char *e)
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

/* Every rule of field f, kind by kind (rule_kinds[]); the static ones
 * become an argument of rules_static (args). */
static enum jzg_status
compile_field(struct rules *r, struct rset *rs, struct strbuf *cols, struct strbuf *args,
    const struct field_def *f, char **cause)
{
	char *col = xasprintf("cur.\"%s\"", f->v[FC_NAME]);
	/* "has a value": col <> '' is what NULLIF(col, '') IS NOT NULL means
	 * (NULL and '' fail, any number passes), without NULLIF copying the
	 * value on every row */
	char *has = xasprintf("%s <> ''", col);
	struct sfield sf;
	struct fcomp c = { r, rs, cols, f, col, has, &sf, cause };
	enum jzg_status rc = JZG_OK;

	memset(&sf, 0, sizeof sf);
	sf.f = f;
	sf.field_index = (int)(f - rs->set->field);
	sf.rel_arg = sf.req_arg = -1;
	for (int k = 0; k < RK__COUNT; k++)
		sf.rule[k] = -1;
	for (int k = 0; k < RK__COUNT; k++) {
		int added;

		if (rule_kinds[k].compile == NULL)
			continue;
		if ((added = rule_kinds[k].compile(&c, (enum rule_kind)k)) < 0) {
			rc = JZG_ERR_DEFS;
			break;
		}
		if (added && (rule_kinds[k].flags & RKF_ALONE))
			break;
	}
	if (rc == JZG_OK && sf.nempty + sf.ncheck > 0) {
		rs->sf = xreallocarray(rs->sf, rs->nsf + 1, sizeof *rs->sf);
		rs->sf[rs->nsf++] = sf;
		strbuf_addf(args, ", %s", col);
	}
	free(has);
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

/* Set-level completeness (forms/sets.tsv `required`, kind RK_RECORDS): on
 * the person set's statement, which reads every person of the template
 * once, a column per set of the template a person must have a record in:
 * NOT EXISTS, one probe of the set's staff_id index per person.  A whole
 * file or school reads it set-wise instead (rules_person_rewrite): a bit
 * per person from one scan of that index, 12 KB per set at 100,000 staff
 * (a value per person, tried first, cost 17 MB: docs/checks.md). */
static enum jzg_status
compile_records(struct rset *rs, struct strbuf *cols, char **cause)
{
	const struct template_def *t = rs->tpl;

	for (size_t k = 0; k < t->nset; k++) {
		const struct set_def *s = &t->set[k];
		struct rule *ru;
		char *e = NULL;

		if (s->required == REQ_NO || s == rs->set)
			continue;
		if (s->required == REQ_EXPR && (e = expr_sql(s->v[SC_REQUIRED], rs->set, NULL, EXPR_ROW, NULL, cause)) == NULL)
			return JZG_ERR_DEFS;
		rs->rule = xreallocarray(rs->rule, rs->nrule + 1, sizeof *rs->rule);
		ru = &rs->rule[rs->nrule++];
		memset(ru, 0, sizeof *ru);
		ru->kind = RK_RECORDS;
		ru->name = xasprintf("%s:%s", rule_kinds[RK_RECORDS].name, s->v[SC_NAME]);
		ru->target = s;
		ru->col = rs->ncol++;
		strbuf_addf(cols, ",\n  CASE WHEN coalesce((%s), 0) AND NOT EXISTS (SELECT 1 FROM \"s_%s\" WHERE staff_id = staff.id)"
		    " THEN 1 END", e ? e : "1", s->v[SC_NAME]);
		free(e);
	}
	return JZG_OK;
}

/* The form of statement sql of set s that a whole-file or whole-school
 * check runs, with the person look-ups and last year's values loaded
 * set-wise (rules_person_rewrite, rules_prior_bulk); NULL when it is sql. */
static char *
bulk_of(struct rules *r, const struct set_def *s, const char *sql)
{
	char *prior = rules_prior_bulk(r, s, sql), *bulk = rules_person_rewrite(r, prior ? prior : sql);

	if (bulk == NULL)
		return prior;
	free(prior);
	return bulk;
}

enum jzg_status
rules_compile_set(struct rules *r, struct rset *rs, char **cause)
{
	const struct defs *defs = r->st->defs;
	const struct set_def *s = rs->set;
	const char *sn = s->v[SC_NAME];
	struct strbuf cols = { 0 }, args = { 0 };
	char *prior = NULL;
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
	if (rc == JZG_OK && rs->set == template_person_set(defs, rs->tpl))
		rc = compile_records(rs, &cols, cause);
	if (rc == JZG_OK && cols.s != NULL) {
		int joined;
		char *guarded = rules_prior_columns(strbuf_take(&cols), s->many ? NULL : s, &joined);

		strbuf_adds(&cols, guarded);
		free(guarded);
		if (joined)
			prior = rules_prior_join(s);
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
			    " staff.school_id LEFT JOIN \"s_%s\" AS cur ON cur.staff_id = staff.id%s"
			    " WHERE school.template = '%s'", k, call.s, cols.s ? cols.s : "", sn, prior ? prior : "",
			    rs->tpl->v[TC_NAME]);
		rs->select = today_constant(rs->select);
		rs->select_record = today_constant(rs->select_record);
		rs->select_bulk = bulk_of(r, s, rs->select);
		rs->select_scan = today_constant(rs->select_scan);
		strbuf_free(&call);
		strbuf_free(&argv);
	}
	/* one-record sets are read for every person; many-record ones hold
	 * about as many rows, but rarely so many rules */
	rs->weight = rs->nrule + (size_t)rs->ncol * 4;
	strbuf_free(&cols);
	strbuf_free(&args);
	free(prior);
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

/* The row of the next space-separated code of *p when table tab has it and
 * it may be chosen, else NULL; *p moves past it. */
static const struct code *
next_pick(const struct code_table *tab, const char **p)
{
	const struct code *row = NULL;
	char tok[64];
	size_t k;

	while (**p == ' ')
		(*p)++;
	for (k = 0; (*p)[k] && (*p)[k] != ' '; k++)
		;
	if (k > 0 && k < sizeof tok) {
		memcpy(tok, *p, k);
		tok[k] = '\0';
		if ((row = codes_find(tab, tok)) != NULL && !row->pick)
			row = NULL;
	}
	*p += k;
	return row;
}

/* Fill mm (struct multi_memo) for list of table t; 0 when the list is too
 * long to keep. */
static int
multi_parse(struct multi_memo *mm, const struct code_table *tab, sqlite3_int64 t, const char *list)
{
	size_t len = strlen(list), n = 0;

	if (mm->list[0] != '\0' && mm->t == t && strcmp(mm->list, list) == 0)
		return 1;
	mm->list[0] = '\0';
	if (len == 0 || len >= sizeof mm->list)
		return 0;
	for (const char *p = list; *p; ) {
		const struct code *row = next_pick(tab, &p);
		size_t at, i;

		if (row == NULL)
			continue;
		/* insert in order, once */
		at = (size_t)(row - tab->row);
		for (i = 0; i < n && mm->row[i] < at; i++)
			;
		if (i == n || mm->row[i] != at) {
			if (n == MULTI_MEMO_CODES)
				return 0;
			memmove(&mm->row[i + 1], &mm->row[i], (n - i) * sizeof *mm->row);
			mm->row[i] = at;
			n++;
		}
	}
	mm->n = n;
	mm->t = t;
	memcpy(mm->list, list, len + 1);
	return 1;
}

/* rules_multi_nth(table, list, i): the i-th (from 0) of the codes of
 * space-separated list that code table `table` has and that may be chosen,
 * distinct and in table order; NULL past the last.  These are the rows
 * temp.code gives for `c.pick AND selected(list, c.code) ORDER BY c.ord`
 * (ord is the row's index), found without reading the table's other rows. */
void
rules_fn_multi_nth(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct rules *r = sqlite3_user_data(c);
	const struct codes *codes = r->st->defs->codes;
	sqlite3_int64 t = sqlite3_value_int64(argv[0]), want = sqlite3_value_int64(argv[2]);
	const char *list = (const char *)sqlite3_value_text(argv[1]);
	/* the connection's own: the second thread's is not the store's */
	struct multi_memo *mm = &r->memo[sqlite3_context_db_handle(c) == r->st->db ? 0 : 1];
	const struct code_table *tab;
	size_t best = SIZE_MAX, floor = 0;

	(void)argc;
	if (t < 0 || (size_t)t >= codes->ntab || list == NULL || want < 0) {
		sqlite3_result_null(c);
		return;
	}
	tab = &codes->tab[t];
	if (multi_parse(mm, tab, t, list)) {
		if ((size_t)want < mm->n)
			sqlite3_result_text(c, tab->row[mm->row[want]].code, -1, SQLITE_STATIC);
		else
			sqlite3_result_null(c);
		return;
	}
	/* a list too long to keep: the (want+1)-th smallest row index among
	 * its codes, the smallest above the last one found, want+1 times */
	for (sqlite3_int64 n = 0; n <= want; n++) {
		best = SIZE_MAX;
		for (const char *p = list; *p; ) {
			const struct code *row = next_pick(tab, &p);

			if (row != NULL && (size_t)(row - tab->row) >= floor && (size_t)(row - tab->row) < best)
				best = (size_t)(row - tab->row);
		}
		if (best == SIZE_MAX) {
			sqlite3_result_null(c);
			return;
		}
		floor = best + 1;
	}
	sqlite3_result_text(c, tab->row[best].code, -1, SQLITE_STATIC);
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
		bulk = bulk_of(r, rs->set, sql);
		rs->select_scan = bulk ? bulk : sql;
		if (bulk)
			free(sql);
		rs->by_tpl = xcalloc(r->st->defs->ntpl + 1, sizeof *rs->by_tpl);
	}
}
