/* lint.c — see lint.h. */
#include "lint.h"

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "store.h"
#include "util.h"

struct lint {
	const struct defs *defs;
	struct store      *st;
	struct diag       *d;
};

/* Compile one expression of set s (in template tpl) at file:line. */
static void
lint_one(struct lint *l, const struct set_def *s, const char *self, const char *what,
    const char *src, int is_choice, const char *table_id, const char *tplname,
    const char *file, int line)
{
	char *cause = NULL, *sql, *stmt;
	sqlite3_stmt *ps;

	if (str_empty(src))
		return;
	if ((sql = expr_sql(src, s, self, EXPR_ROW, NULL, &cause)) == NULL) {
		diag_add(l->d, file, line, "%s：%s（模板 %s）", what, cause, tplname);
		free(cause);
		return;
	}
	if (is_choice)
		stmt = xasprintf("SELECT 1 FROM \"s_%s\" AS cur, temp.code AS c WHERE c.tbl = '%s' AND (%s)",
		    s->v[SC_NAME], table_id ? table_id : "", sql);
	else
		stmt = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur", sql, s->v[SC_NAME]);
	if (sqlite3_prepare_v2(l->st->db, stmt, -1, &ps, NULL) != SQLITE_OK)
		diag_add(l->d, file, line, "%s 表达式有错：%s", what, sqlite3_errmsg(l->st->db));
	else
		sqlite3_finalize(ps);
	free(stmt);
	free(sql);
}

static void
lint_template(struct lint *l, const struct template_def *tp)
{
	const char *tn = tp->v[TC_NAME];

	for (size_t i = 0; i < tp->nset; i++) {
		const struct set_def *s = &tp->set[i];

		lint_one(l, s, NULL, "order_by", s->v[SC_ORDER_BY], 0, NULL, tn, s->file, s->line);
		/* set-level completeness reads the person set's record */
		if (s->required == REQ_EXPR && template_person_set(l->defs, tp) != NULL)
			lint_one(l, template_person_set(l->defs, tp), NULL, "信息集 required", s->v[SC_REQUIRED], 0, NULL,
			    tn, s->file, s->line);
		for (size_t j = 0; j < s->nfield; j++) {
			const struct field_def *f = &s->field[j];
			const char *name = f->v[FC_NAME];
			const char *def = f->v[FC_DEFAULT];

			if (f->required == REQ_EXPR)
				lint_one(l, s, NULL, "required", f->v[FC_REQUIRED], 0, NULL, tn, f->file, f->line);
			lint_one(l, s, NULL, "relevant", f->v[FC_RELEVANT], 0, NULL, tn, f->file, f->line);
			lint_one(l, s, name, "constraint", f->v[FC_CONSTRAINT], 0, NULL, tn, f->file, f->line);
			lint_one(l, s, NULL, "calculate", f->v[FC_CALCULATE], 0, NULL, tn, f->file, f->line);
			lint_one(l, s, NULL, "demo", f->v[FC_DEMO], 0, NULL, tn, f->file, f->line);
			if (def != NULL && def[0] == '=')
				lint_one(l, s, NULL, "default", def + 1, 0, NULL, tn, f->file, f->line);
			lint_one(l, s, NULL, "choice_filter", f->v[FC_CHOICE_FILTER], 1, f->table_id, tn,
			    f->file, f->line);
		}
	}
	for (size_t i = 0; i < l->defs->ncheck; i++) {
		const struct check_def *c = &l->defs->check[i];
		const struct set_def *s = defs_set(tp->set, tp->nset, c->v[CC_SET]);
		char *path;

		if (s == NULL)
			continue;
		if (c->v[CC_TEMPLATES] != NULL) {
			char *copy = xstrdup(c->v[CC_TEMPLATES]), *save = NULL, *tok;
			int hit = 0;

			for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				hit |= strcmp(tok, tn) == 0;
			free(copy);
			if (!hit)
				continue;
		}
		path = xasprintf("%s/checks.tsv", l->defs->formsdir);
		/* a field in no template at all was reported by defs_load already */
		if (c->v[CC_FIELD] && set_field(s, c->v[CC_FIELD]) == NULL &&
		    set_field(defs_set(l->defs->all, l->defs->nall, c->v[CC_SET]), c->v[CC_FIELD]) != NULL)
			diag_add(l->d, path, c->line, "规则 %s 指向的指标 %s 在模板 %s 中不存在（可用 templates 列限定模板）",
			    c->v[CC_NAME], c->v[CC_FIELD], tn);
		lint_one(l, s, NULL, "constraint", c->v[CC_CONSTRAINT], 0, NULL, tn, path, c->line);
		free(path);
	}
}

enum jzg_status
lint_expressions(const struct defs *defs, struct diag *d)
{
	struct lint l = { defs, NULL, d };
	char *cause = NULL;
	size_t before = d->n;

	if (store_open(":memory:", defs, STORE_CREATE, &l.st, &cause) != JZG_OK) {
		diag_add(d, NULL, 0, "无法按定义生成数据库结构：%s", cause ? cause : "");
		free(cause);
		return JZG_ERR_DEFS;
	}
	for (size_t i = 0; i < defs->ntpl; i++)
		lint_template(&l, &defs->tpl[i]);
	store_close(l.st);
	return d->n > before ? JZG_ERR_DEFS : JZG_OK;
}
