/* scr_person.c — one person: the information sets on the left, on the right
 * a form (one-record set, or one record of a many-record set) or a table of
 * records.  Every screen element comes from the definitions.
 *
 * Nothing is lost: a field's value is normalised, stored and committed the
 * moment the field is left (any key that moves away, Esc, quit); then the
 * fields computed from it are filled (出生日期 and 性别 from the ID number),
 * fields no longer relevant are cleared and locked, derived values of other
 * sets are refreshed, and the rules engine checks the record — its message
 * for the field just left goes to the status line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "idcard.h"
#include "lineedit.h"
#include "normalize.h"
#include "record.h"
#include "rules.h"
#include "ui.h"
#include "ui_workflow.h"
#include "workflow.h"
#include "util.h"

enum focus { FOCUS_SETS, FOCUS_TABLE, FOCUS_FORM };

#define LEFT_W 20   /* columns of the set list */

struct person {
	sqlite3_int64              school_id, staff_id;
	const struct template_def *tpl;
	int                        set;       /* index in tpl->set */
	int                        stop;      /* set list scroll */
	enum focus                 focus;
	/* the table of a many-record set */
	sqlite3_int64             *rec;
	int                        nrec, rsel, rtop;
	char                    ***rval;      /* [record][column] preview values */
	/* the form */
	sqlite3_int64              key;       /* staff_id or record id */
	char                     **val;       /* values by field index */
	char                     **msg;       /* findings by field index */
	int                       *warn;      /* 1 when msg is a warning */
	unsigned char             *locked;    /* not relevant now */
	int                        fsel, ftop;
	struct lineedit            le;
	int                        editing;   /* le holds the focused text field */
	char                      *title;
	sqlite3_stmt             **load;      /* per set: load_stmt */
};

static void load_title(struct screen *s);

static const struct set_def *
cur_set(struct person *p)
{
	return &p->tpl->set[p->set];
}

static int
is_text_like(const struct field_def *f)
{
	return f->type != FT_SELECT_ONE && f->type != FT_SELECT_MULTIPLE;
}

static int
is_person_id(struct screen *s, const struct field_def *f)
{
	const struct defs *defs = s->ui->app->defs;

	return str_eq(cur_set(s->priv)->v[SC_NAME], defs->setting[SK_PERSON_SET]) &&
	    str_eq(f->v[FC_NAME], defs->setting[SK_PERSON_ID]);
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void
form_clear(struct person *p, size_t nfield)
{
	free_strings(p->val, nfield);
	free_strings(p->msg, nfield);
	free(p->warn);
	free(p->locked);
	p->val = p->msg = NULL;
	p->warn = NULL;
	p->locked = NULL;
	if (p->editing)
		lineedit_free(&p->le);
	p->editing = 0;
}

static void
table_clear(struct person *p)
{
	for (int i = 0; i < p->nrec; i++)
		free_strings(p->rval[i], 4);
	free(p->rval);
	free(p->rec);
	p->rval = NULL;
	p->rec = NULL;
	p->nrec = 0;
}

/* Value of a one-column SQL over the current record (ROW form of expr). */
static char *
eval_row(struct screen *s, const char *src, int *ok)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	char *e = expr_sql(src, set, NULL, EXPR_ROW, NULL, NULL), *sql, *out = NULL;
	sqlite3_stmt *st;

	*ok = 0;
	if (e == NULL)
		return NULL;
	sql = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur WHERE cur.%s = ?", e, set->v[SC_NAME],
	    set->many ? "id" : "staff_id");
	if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, p->key);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*ok = 1;
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				out = xstrdup((const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	free(sql);
	free(e);
	return out;
}

/* The statement that loads a record of set i: every value, then every
 * field's relevance (one statement, prepared once per set). */
static sqlite3_stmt *
load_stmt(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	struct strbuf cols = { 0 };
	char *sql;

	if (p->load[p->set] != NULL)
		return p->load[p->set];
	for (size_t j = 0; j < set->nfield; j++)
		strbuf_addf(&cols, "%scur.\"%s\"", j ? ", " : "", set->field[j].v[FC_NAME]);
	for (size_t j = 0; j < set->nfield; j++) {
		char *e = set->field[j].v[FC_RELEVANT] ?
		    expr_sql(set->field[j].v[FC_RELEVANT], set, NULL, EXPR_ROW, NULL, NULL) : NULL;

		strbuf_addf(&cols, ", coalesce((%s), 0)", e ? e : "1");
		free(e);
	}
	sql = xasprintf("SELECT %s FROM \"s_%s\" AS cur WHERE cur.%s = ?", cols.s, set->v[SC_NAME],
	    set->many ? "id" : "staff_id");
	if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &p->load[p->set], NULL) != SQLITE_OK)
		ui_message(s->ui, 1, "读取失败：%s", sqlite3_errmsg(s->ui->app->st->db));
	free(sql);
	strbuf_free(&cols);
	return p->load[p->set];
}

/* Load the current record's values and which fields are locked. */
static void
form_load(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	sqlite3_stmt *st = load_stmt(s);
	int n = (int)set->nfield;

	form_clear(p, set->nfield);
	p->val = xcalloc(set->nfield + 1, sizeof *p->val);
	p->msg = xcalloc(set->nfield + 1, sizeof *p->msg);
	p->warn = xcalloc(set->nfield + 1, sizeof *p->warn);
	p->locked = xcalloc(set->nfield + 1, 1);
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, p->key);
	if (sqlite3_step(st) == SQLITE_ROW)
		for (int j = 0; j < n; j++) {
			if (sqlite3_column_type(st, j) != SQLITE_NULL)
				p->val[j] = xstrdup((const char *)sqlite3_column_text(st, j));
			p->locked[j] = sqlite3_column_int(st, n + j) == 0;
		}
	sqlite3_reset(st);
}

struct fcollect {
	struct person        *p;
	const struct set_def *set;
};

static int
form_finding_cb(const struct finding *f, void *arg)
{
	struct fcollect *c = arg;
	int j;

	if (f->field == NULL || (j = set_field_index(c->set, f->field->v[FC_NAME])) < 0)
		return 0;
	if (c->p->msg[j] != NULL && (c->p->warn[j] == 0 || f->warning))
		return 0;   /* an error outranks a warning */
	free(c->p->msg[j]);
	c->p->msg[j] = f->explained ? xasprintf("%s（已说明：%s）", f->message, f->explained) : xstrdup(f->message);
	c->p->warn[j] = f->warning;
	return 0;
}

/* Run the rules engine on the current record. */
static void
form_check(struct screen *s)
{
	struct person *p = s->priv;
	struct fcollect c = { p, cur_set(p) };

	for (size_t j = 0; j < c.set->nfield; j++) {
		free(p->msg[j]);
		p->msg[j] = NULL;
		p->warn[j] = 0;
	}
	rules_check_record(s->ui->rules, p->tpl, c.set, p->key, form_finding_cb, &c, NULL);
}

static int
field_skipped(struct person *p, int j)
{
	const struct field_def *f = &cur_set(p)->field[j];

	return p->locked[j] || f->readonly;
}

static void
table_load(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	struct strbuf cols = { 0 };
	sqlite3_stmt *st;
	char *sql, *order = NULL;
	int ncol = set->nfield < 4 ? (int)set->nfield : 4, cap = 0;

	table_clear(p);
	for (int j = 0; j < ncol; j++)
		strbuf_addf(&cols, ", \"%s\"", set->field[j].v[FC_NAME]);
	if (set->v[SC_ORDER_BY] != NULL)
		order = expr_sql(set->v[SC_ORDER_BY], set, NULL, EXPR_ROW, NULL, NULL);
	sql = xasprintf("SELECT id%s FROM \"s_%s\" AS cur WHERE staff_id = ? ORDER BY %s%sseq, id",
	    cols.s ? cols.s : "", set->v[SC_NAME], order ? order : "", order ? ", " : "");
	if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, p->staff_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (p->nrec == cap) {
				cap = cap ? cap * 2 : 8;
				p->rec = xreallocarray(p->rec, (size_t)cap, sizeof *p->rec);
				p->rval = xreallocarray(p->rval, (size_t)cap, sizeof *p->rval);
			}
			p->rec[p->nrec] = sqlite3_column_int64(st, 0);
			p->rval[p->nrec] = xcalloc(4, sizeof(char *));
			for (int j = 0; j < ncol; j++)
				if (sqlite3_column_type(st, j + 1) != SQLITE_NULL)
					p->rval[p->nrec][j] = xstrdup((const char *)sqlite3_column_text(st, j + 1));
			p->nrec++;
		}
		sqlite3_finalize(st);
	}
	free(sql);
	free(order);
	strbuf_free(&cols);
	if (p->rsel >= p->nrec)
		p->rsel = p->nrec ? p->nrec - 1 : 0;
}

/* Show the display form of a value: codes with their names. */
static char *
display_value(const struct field_def *f, const char *v)
{
	struct strbuf b = { 0 };
	char *copy, *save = NULL;

	if (v == NULL)
		return xstrdup("");
	if (f->table == NULL)
		return xstrdup(v);
	copy = xstrdup(v);
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const struct code *c = codes_find(f->table, tok);

		strbuf_addf(&b, "%s%s %s", b.len ? "，" : "", tok, c ? c->name : "（代码表中没有）");
	}
	free(copy);
	return strbuf_take(&b);
}

static void
start_edit(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	const struct field_def *f;
	int vw = COLS - LEFT_W - 2 - 26;

	if (p->editing) {
		lineedit_free(&p->le);
		p->editing = 0;
	}
	if (set->nfield == 0)
		return;
	f = &set->field[p->fsel];
	if (!is_text_like(f) || field_skipped(p, p->fsel))
		return;
	lineedit_init(&p->le, vw < 8 ? 8 : vw, f->length > 0 ? (size_t)f->length : 0);
	lineedit_set(&p->le, p->val[p->fsel]);
	p->editing = 1;
}

static void
show_field_message(struct screen *s)
{
	struct person *p = s->priv;
	const struct field_def *f;

	if (cur_set(p)->nfield == 0)
		return;
	f = &cur_set(p)->field[p->fsel];
	if (p->msg[p->fsel] != NULL)
		ui_message(s->ui, !p->warn[p->fsel], "%s%s：%s", p->warn[p->fsel] ? "警告 " : "错误 ",
		    f->v[FC_LABEL], p->msg[p->fsel]);
}

/* After field i of the current record changed: computed fields, relevance,
 * derived values elsewhere, the check. */
static void
after_change(struct screen *s, int i)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	char *cause = NULL;

	for (size_t j = 0; j < set->nfield; j++) {
		const struct field_def *f = &set->field[j];
		unsigned char *refs;
		char *e, *v;
		int ok;

		if ((int)j == i || f->readonly || f->v[FC_CALCULATE] == NULL)
			continue;
		refs = xcalloc(set->nfield + 1, 1);
		e = expr_sql(f->v[FC_CALCULATE], set, NULL, EXPR_ROW, refs, NULL);
		free(e);
		if (refs[i]) {
			v = eval_row(s, f->v[FC_CALCULATE], &ok);
			if (ok && v != NULL && !str_eq(v, p->val[j]))
				record_set(s->ui->app->st, set, p->key, f, v, NULL);
			free(v);
		}
		free(refs);
	}
	/* clear what is no longer relevant (twice: a cleared field may unlock another) */
	for (int pass = 0; pass < 2; pass++) {
		form_load(s);
		for (size_t j = 0; j < set->nfield; j++)
			if (p->locked[j] && p->val[j] != NULL)
				record_set(s->ui->app->st, set, p->key, &set->field[j], NULL, NULL);
	}
	if (record_recalc(s->ui->app->st, p->tpl, p->staff_id, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
	}
	form_load(s);
	form_check(s);
}

/* Store value in the focused field (NULL clears) and run after_change. */
static void
set_value(struct screen *s, const char *value)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	const struct field_def *f = &set->field[p->fsel];
	char *cause = NULL;
	int i = p->fsel;

	if (str_eq(value && *value ? value : NULL, p->val[i]))
		return;
	/* The value and what follows from it commit together, in one sync to
	 * disk, right after the screen is redrawn (ui_commit_later).  The
	 * savepoint undoes just this value if it is refused; a change made
	 * earlier in the same key shares the transaction. */
	ui_begin(s->ui);
	sqlite3_exec(s->ui->app->st->db, "SAVEPOINT field", NULL, NULL, NULL);
	if (record_set(s->ui->app->st, set, p->key, f, value, &cause) != JZG_OK) {
		sqlite3_exec(s->ui->app->st->db, "ROLLBACK TO field; RELEASE field", NULL, NULL, NULL);
		ui_commit_later(s->ui, f->v[FC_LABEL]);
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
		return;
	}
	{
		sqlite3_stmt *ps;

		if (store_cached(s->ui->app->st, "UPDATE staff SET updated = datetime('now','localtime') WHERE id = ?",
		    &ps, NULL) == JZG_OK) {
			sqlite3_bind_int64(ps, 1, p->staff_id);
			sqlite3_step(ps);
			sqlite3_reset(ps);
		}
	}
	after_change(s, i);
	sqlite3_exec(s->ui->app->st->db, "RELEASE field", NULL, NULL, NULL);
	ui_commit_later(s->ui, f->v[FC_LABEL]);
	if (str_eq(set->v[SC_NAME], s->ui->app->defs->setting[SK_PERSON_SET]))
		load_title(s);   /* 姓名 or 身份证件号 may have changed */
	ui_message(s->ui, 0, "已保存：%s", f->v[FC_LABEL]);
	show_field_message(s);
}

/* Leave the focused field: commit what was typed. */
static void
leave_field(struct screen *s)
{
	struct person *p = s->priv;
	const struct field_def *f;
	char *typed, *norm;

	if (!p->editing || !p->le.changed) {
		if (p->editing) {
			lineedit_free(&p->le);
			p->editing = 0;
		}
		return;
	}
	f = &cur_set(p)->field[p->fsel];
	typed = lineedit_get(&p->le);
	norm = normalize_value(f, typed, is_person_id(s, f));
	lineedit_free(&p->le);
	p->editing = 0;
	set_value(s, norm);
	free(typed);
	free(norm);
}

static void
move_field(struct screen *s, int dir)
{
	struct person *p = s->priv;
	int n = (int)cur_set(p)->nfield, j = p->fsel;

	for (int k = 0; k < n; k++) {
		j += dir;
		if (j < 0 || j >= n)
			return;
		if (!field_skipped(p, j)) {
			p->fsel = j;
			return;
		}
	}
}

static void
open_form(struct screen *s, sqlite3_int64 key, const char *field)
{
	struct person *p = s->priv;
	int j;

	p->key = key;
	p->focus = FOCUS_FORM;
	p->fsel = p->ftop = 0;
	form_load(s);
	form_check(s);
	if (field != NULL && (j = set_field_index(cur_set(p), field)) >= 0)
		p->fsel = j;
	else if (field_skipped(p, 0))
		move_field(s, 1);
	start_edit(s);
	show_field_message(s);
}

/* Enter the current set: a form for a one-record set, a table otherwise. */
static void
enter_set(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);

	if (!set->many) {
		sqlite3_int64 exists = 0;
		char *sql = xasprintf("SELECT count(*) FROM \"s_%s\" WHERE staff_id = ?", set->v[SC_NAME]);
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, p->staff_id);
			if (sqlite3_step(st) == SQLITE_ROW)
				exists = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		free(sql);
		if (!exists) {
			/* a one-record set not yet filled: create it with its defaults */
			sql = xasprintf("INSERT INTO \"s_%s\"(staff_id) VALUES(%lld)", set->v[SC_NAME], (long long)p->staff_id);
			store_exec(s->ui->app->st, sql, NULL);
			free(sql);
			for (size_t j = 0; j < set->nfield; j++) {
				char *d = record_default(s->ui->app->st, set, &set->field[j], p->staff_id);

				if (d)
					record_set(s->ui->app->st, set, p->staff_id, &set->field[j], d, NULL);
				free(d);
			}
		}
		open_form(s, p->staff_id, NULL);
	} else {
		p->focus = FOCUS_TABLE;
		p->rsel = p->rtop = 0;
		table_load(s);
		ui_message(s->ui, 0, "%s：%d 条。F3 新增，Enter 修改，F8 删除", set->v[SC_LABEL], p->nrec);
	}
}

static void
load_title(struct screen *s)
{
	struct person *p = s->priv;
	const struct defs *defs = s->ui->app->defs;
	const struct set_def *ps = template_person_set(defs, p->tpl);
	char *sql = xasprintf("SELECT p.\"%s\", p.\"%s\", school.name FROM staff JOIN school ON school.id = staff.school_id"
	    " LEFT JOIN \"s_%s\" p ON p.staff_id = staff.id WHERE staff.id = ?", defs->setting[SK_PERSON_NAME],
	    defs->setting[SK_PERSON_ID], ps->v[SC_NAME]);
	sqlite3_stmt *st;

	free(p->title);
	p->title = NULL;
	if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, p->staff_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			char *masked = idcard_mask((const char *)sqlite3_column_text(st, 1));

			enum wf_state ws = WF_DRAFT;

			workflow_state(s->ui->app->st, p->staff_id, &ws, NULL);
			p->title = xasprintf(" %s %s — %s — %s", name && *name ? name : "（未填姓名）", masked,
			    (const char *)sqlite3_column_text(st, 2), workflow_state_label(ws));
			free(masked);
		}
		sqlite3_finalize(st);
	}
	free(sql);
}

static int
person_open(struct screen *s, void *arg)
{
	struct person *p = s->priv;
	struct person_arg *a = arg;
	sqlite3_stmt *st;
	const char *tname = NULL;

	p->school_id = a->school_id;
	p->staff_id = a->staff_id;
	if (sqlite3_prepare_v2(s->ui->app->st->db, "SELECT school.template FROM staff JOIN school ON"
	    " school.id = staff.school_id WHERE staff.id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, p->staff_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		tname = (const char *)sqlite3_column_text(st, 0);
	p->tpl = tname ? defs_template(s->ui->app->defs, tname) : NULL;
	sqlite3_finalize(st);
	if (p->tpl == NULL || p->tpl->nset == 0)
		return -1;
	p->load = xcalloc(p->tpl->nset, sizeof *p->load);
	p->set = 0;
	if (a->set_name != NULL)
		for (size_t i = 0; i < p->tpl->nset; i++)
			if (str_eq(p->tpl->set[i].v[SC_NAME], a->set_name))
				p->set = (int)i;
	load_title(s);
	{
		/* a person sent back: the reviewer's reason, for the keyer */
		char *reason = NULL, *by = NULL, *at = NULL;
		enum wf_state ws = WF_DRAFT;

		if (workflow_state(s->ui->app->st, p->staff_id, &ws, NULL) == JZG_OK && ws == WF_DRAFT &&
		    workflow_last_return(s->ui->app->st, p->staff_id, &reason, &by, &at, NULL) == JZG_OK && reason)
			ui_message(s->ui, 1, "已退回（%s %s）：%s", by ? by : "", at ? at : "", reason);
		free(reason);
		free(by);
		free(at);
	}
	if (a->key != 0 && cur_set(p)->many) {
		table_load(s);
		for (int i = 0; i < p->nrec; i++)
			if (p->rec[i] == a->key)
				p->rsel = i;
		open_form(s, a->key, a->field);
	} else if (a->key != 0 || a->field != NULL || a->set_name == NULL)
		enter_set(s);
	if (a->field != NULL && p->focus == FOCUS_FORM) {
		int j = set_field_index(cur_set(p), a->field);

		if (j >= 0) {
			p->fsel = j;
			start_edit(s);
			show_field_message(s);
		}
	}
	return 0;
}

/* ----------------------------------------------------------------- draw */

static void
draw_sets(struct screen *s)
{
	struct person *p = s->priv;
	int rows = LINES - 3, y = 1;
	const char *group = NULL;

	/* keep the selected set visible (headings take a line too: approximate) */
	if (p->set < p->stop)
		p->stop = p->set;
	while (p->set - p->stop >= rows - 3)
		p->stop++;
	for (int i = p->stop; i < (int)p->tpl->nset && y < LINES - 2; i++) {
		const struct set_def *set = &p->tpl->set[i];
		const char *g = set->v[SC_GROUP];

		if (g != NULL && !str_eq(g, group)) {
			attron(A_DIM);
			draw_text(y++, 0, g, LEFT_W);
			attroff(A_DIM);
			if (y >= LINES - 2)
				break;
		}
		group = g;
		if (i == p->set)
			attron(p->focus == FOCUS_SETS ? A_REVERSE : A_BOLD);
		draw_text(y, 0, "", LEFT_W);
		draw_text(y, g ? 2 : 0, set->v[SC_LABEL], LEFT_W - (g ? 2 : 0));
		if (i == p->set)
			attroff(p->focus == FOCUS_SETS ? A_REVERSE : A_BOLD);
		y++;
	}
	mvvline(1, LEFT_W, ACS_VLINE, LINES - 3);
}

static void
draw_table(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	int x0 = LEFT_W + 2, w = COLS - x0, ncol = set->nfield < 4 ? (int)set->nfield : 4;
	int cw = ncol ? (w - 5) / ncol : w, rows = LINES - 5;

	attron(A_BOLD);
	draw_text(1, x0, set->v[SC_LABEL], w);
	draw_text(2, x0, "序号", 5);
	for (int j = 0; j < ncol; j++)
		draw_text(2, x0 + 5 + j * cw, set->field[j].v[FC_LABEL], cw - 1);
	attroff(A_BOLD);
	if (p->nrec == 0)
		draw_text(4, x0, "还没有记录。按 F3 新增。", w);
	if (p->rsel < p->rtop)
		p->rtop = p->rsel;
	if (p->rsel >= p->rtop + rows)
		p->rtop = p->rsel - rows + 1;
	for (int i = p->rtop; i < p->nrec && i - p->rtop < rows; i++) {
		char no[16];
		int y = 3 + i - p->rtop;

		if (i == p->rsel && p->focus == FOCUS_TABLE)
			attron(A_REVERSE);
		draw_text(y, x0, "", w);
		snprintf(no, sizeof no, "%3d", i + 1);
		draw_text(y, x0, no, 4);
		for (int j = 0; j < ncol; j++) {
			char *d = display_value(&set->field[j], p->rval[i][j]);

			draw_text(y, x0 + 5 + j * cw, d, cw - 1);
			free(d);
		}
		if (i == p->rsel && p->focus == FOCUS_TABLE)
			attroff(A_REVERSE);
	}
}

static void
draw_form(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	int x0 = LEFT_W + 2, w = COLS - x0, lw = w > 60 ? 26 : 20, vx = x0 + lw + 1, vw = COLS - vx - 1;
	int rows = LINES - 4;
	char head[256];

	if (set->many)
		snprintf(head, sizeof head, "%s — 第 %d 条（共 %d 条）", set->v[SC_LABEL], p->rsel + 1, p->nrec);
	else
		snprintf(head, sizeof head, "%s", set->v[SC_LABEL]);
	attron(A_BOLD);
	draw_text(1, x0, head, w);
	attroff(A_BOLD);
	if (p->fsel < p->ftop)
		p->ftop = p->fsel;
	if (p->fsel >= p->ftop + rows)
		p->ftop = p->fsel - rows + 1;
	for (int j = p->ftop; j < (int)set->nfield && j - p->ftop < rows; j++) {
		const struct field_def *f = &set->field[j];
		int y = 2 + j - p->ftop;
		char label[256];

		snprintf(label, sizeof label, "%s%s", f->required != REQ_NO && !f->readonly ? "★" : "　", f->v[FC_LABEL]);
		if (j == p->fsel)
			attron(A_BOLD);
		draw_text(y, x0, label, lw);
		if (j == p->fsel)
			attroff(A_BOLD);
		if (p->locked[j]) {
			attron(A_DIM);
			draw_text(y, vx, "—— 不填", vw);
			attroff(A_DIM);
		} else if (j == p->fsel && p->editing) {
			wchar_t vis[512];

			attron(A_UNDERLINE);
			lineedit_visible(&p->le, vis, 512);
			draw_wtext(y, vx, vis, p->le.width);
			attroff(A_UNDERLINE);
			s->ui->cursor_y = y;
			s->ui->cursor_x = vx + lineedit_cursor_col(&p->le);
		} else {
			char *d = display_value(f, p->val[j]);

			if (j == p->fsel)
				attron(A_REVERSE);
			else if (f->readonly)
				attron(A_DIM);
			draw_text(y, vx, *d ? d : (j == p->fsel ? (f->table ? "（输入代码/拼音首字母，或 F2 选择）" : " ") : ""), vw);
			if (j == p->fsel)
				attroff(A_REVERSE);
			else if (f->readonly)
				attroff(A_DIM);
			free(d);
		}
		if (p->msg[j] != NULL)
			mvaddstr(y, COLS - 1, p->warn[j] ? "?" : "!");
	}
}

static void
person_draw(struct screen *s)
{
	struct person *p = s->priv;

	draw_title(p->title ? p->title : "");
	draw_sets(s);
	if (p->focus == FOCUS_FORM)
		draw_form(s);
	else if (cur_set(p)->many)
		draw_table(s);
	else {
		attron(A_DIM);
		draw_text(2, LEFT_W + 2, "Enter 进入本信息集", COLS - LEFT_W - 2);
		attroff(A_DIM);
	}
}

/* ----------------------------------------------------------------- keys */

static void
open_picker(struct screen *s, const char *query)
{
	struct person *p = s->priv;
	const struct field_def *f = &cur_set(p)->field[p->fsel];
	struct picker_arg pa = { f, query, p->val[p->fsel], NULL, NULL, 0 };
	char *where = NULL;

	if (f->v[FC_CHOICE_FILTER] != NULL) {
		/* the choice_filter of the definitions, with this record's values */
		char *e = expr_sql(f->v[FC_CHOICE_FILTER], cur_set(p), NULL, EXPR_ROW, NULL, NULL);

		if (e != NULL)
			where = xasprintf("EXISTS(SELECT 1 FROM \"s_%s\" AS cur WHERE cur.%s = %lld AND (%s))",
			    cur_set(p)->v[SC_NAME], cur_set(p)->many ? "id" : "staff_id", (long long)p->key, e);
		free(e);
	}
	pa.filter_sql = where;
	ui_modal(s->ui, &scr_picker_ops, &pa);   /* fills pa.result */
	if (pa.chosen) {
		set_value(s, pa.result);
		move_field(s, 1);
		start_edit(s);
	}
	free(pa.result);
	free(where);
}

/* F4: the value of this field in the previous record, or the previous person. */
static void
repeat_previous(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	const struct field_def *f = &set->field[p->fsel];
	char *sql, *v = NULL;
	sqlite3_stmt *st;

	if (set->many)
		sql = xasprintf("SELECT \"%s\" FROM \"s_%s\" WHERE staff_id = ?1 AND id <> ?2 AND \"%s\" IS NOT NULL"
		    " AND seq <= (SELECT seq FROM \"s_%s\" WHERE id = ?2) ORDER BY seq DESC, id DESC LIMIT 1",
		    f->v[FC_NAME], set->v[SC_NAME], f->v[FC_NAME], set->v[SC_NAME]);
	else
		sql = xasprintf("SELECT t.\"%s\" FROM \"s_%s\" t JOIN staff ON staff.id = t.staff_id"
		    " WHERE staff.school_id = (SELECT school_id FROM staff WHERE id = ?1) AND t.staff_id < ?1"
		    " AND t.\"%s\" IS NOT NULL ORDER BY t.staff_id DESC LIMIT 1", f->v[FC_NAME], set->v[SC_NAME], f->v[FC_NAME]);
	if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, p->staff_id);
		sqlite3_bind_int64(st, 2, p->key);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	free(sql);
	if (v == NULL) {
		ui_message(s->ui, 1, "上一条记录中没有可重复的值");
		return;
	}
	if (p->editing) {
		lineedit_free(&p->le);
		p->editing = 0;
	}
	set_value(s, v);
	free(v);
	move_field(s, 1);
	start_edit(s);
}

static enum ui_action
key_form(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	const struct field_def *f = set->nfield ? &set->field[p->fsel] : NULL;
	int rows = LINES - 4;

	if (f == NULL)
		return UI_STAY;
	if (is_char && r != REQ_ENTER) {
		if (field_skipped(p, p->fsel)) {
			ui_message(s->ui, 1, p->locked[p->fsel] ? "本项按其他项的填写不需填写" : "本项由其他信息集自动生成，不能直接修改");
			return UI_STAY;
		}
		if (!is_text_like(f)) {
			char q[8] = { 0 };

			utf8_encode(ch, q);
			open_picker(s, q);
			return UI_STAY;
		}
		if (p->editing && lineedit_insert(&p->le, ch) < 0 && f->length > 0)
			ui_message(s->ui, 1, "本项最多 %d 个字", f->length);
		return UI_STAY;
	}
	switch (r) {
	case REQ_ENTER:
	case REQ_NEXT:
	case REQ_DOWN: {
		int before = p->fsel;

		leave_field(s);
		move_field(s, 1);
		if (p->fsel == before && r == REQ_ENTER) {
			/* the last field: on to the next information set */
			if (p->set + 1 < (int)p->tpl->nset) {
				form_clear(p, set->nfield);
				p->set++;
				enter_set(s);
				return UI_STAY;
			}
		}
		start_edit(s);
		show_field_message(s);
		break;
	}
	case REQ_PREV:
	case REQ_UP:
		leave_field(s);
		move_field(s, -1);
		start_edit(s);
		show_field_message(s);
		break;
	case REQ_PGDN:
	case REQ_PGUP:
		leave_field(s);
		for (int k = 0; k < rows; k++)
			move_field(s, r == REQ_PGDN ? 1 : -1);
		start_edit(s);
		break;
	case REQ_LEFT: if (p->editing) lineedit_key(&p->le, LE_LEFT); break;
	case REQ_RIGHT: if (p->editing) lineedit_key(&p->le, LE_RIGHT); break;
	case REQ_HOME: if (p->editing) lineedit_key(&p->le, LE_HOME); break;
	case REQ_END: if (p->editing) lineedit_key(&p->le, LE_END); break;
	case REQ_BS:
		if (p->editing)
			lineedit_key(&p->le, LE_BACKSPACE);
		else if (!field_skipped(p, p->fsel) && p->val[p->fsel] != NULL)
			set_value(s, NULL);
		break;
	case REQ_DEL:
	case REQ_KILL:
		if (p->editing)
			lineedit_key(&p->le, r == REQ_DEL ? LE_DELETE : LE_KILL_LINE);
		else if (!field_skipped(p, p->fsel) && p->val[p->fsel] != NULL)
			set_value(s, NULL);
		break;
	case REQ_PICK:
	case REQ_TOGGLE:
		if (!is_text_like(f) && !field_skipped(p, p->fsel))
			open_picker(s, NULL);
		else if (r == REQ_TOGGLE && p->editing)
			lineedit_insert(&p->le, L' ');
		break;
	case REQ_REPEAT:
		if (!field_skipped(p, p->fsel))
			repeat_previous(s);
		break;
	case REQ_HISTORY: {
		struct history_arg ha = { p->staff_id, set->v[SC_NAME], f->v[FC_NAME], f->v[FC_LABEL] };

		leave_field(s);
		ui_push(s->ui, &scr_history_ops, &ha);
		break;
	}
	case REQ_HELP:
		leave_field(s);
		ui_push(s->ui, &scr_help_ops, (void *)f);
		start_edit(s);
		break;
	case REQ_CHECK: {
		struct report_arg ra = { 0, p->staff_id };

		leave_field(s);
		ui_push(s->ui, &scr_report_ops, &ra);
		break;
	}
	case REQ_RESIZE:
		start_edit(s);
		break;
	case REQ_BACK:
		leave_field(s);
		form_clear(p, set->nfield);
		load_title(s);
		if (set->many) {
			p->focus = FOCUS_TABLE;
			table_load(s);
		} else
			p->focus = FOCUS_SETS;
		ui_message(s->ui, 0, "%s", "");
		break;
	case REQ_QUIT:
		leave_field(s);
		return UI_QUIT;
	default:
		break;
	}
	return UI_STAY;
}

/* F9 on this person: the check report, Enter there comes back here. */
static void
open_report(struct screen *s)
{
	struct report_arg ra = { 0, ((struct person *)s->priv)->staff_id };

	ui_push(s->ui, &scr_report_ops, &ra);
}

static enum ui_action
key_table(struct screen *s, enum request r)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	char *cause = NULL;

	switch (r) {
	case REQ_UP: if (p->rsel > 0) p->rsel--; break;
	case REQ_DOWN: if (p->rsel + 1 < p->nrec) p->rsel++; break;
	case REQ_ENTER:
	case REQ_RIGHT:
		if (p->nrec > 0)
			open_form(s, p->rec[p->rsel], NULL);
		break;
	case REQ_ADD: {
		sqlite3_int64 id;

		ui_begin(s->ui);   /* committed after the redraw, with the first value keyed */
		if (record_add(s->ui->app->st, set, p->staff_id, &id, &cause) != JZG_OK) {
			ui_commit_later(s->ui, set->v[SC_LABEL]);   /* ends the transaction */
			ui_message(s->ui, 1, "%s", cause);
			free(cause);
			break;
		}
		table_load(s);
		for (int i = 0; i < p->nrec; i++)
			if (p->rec[i] == id)
				p->rsel = i;
		ui_commit_later(s->ui, set->v[SC_LABEL]);
		ui_message(s->ui, 0, "已新增一条%s记录", set->v[SC_LABEL]);
		open_form(s, id, NULL);
		break;
	}
	case REQ_DELETE:
		if (p->nrec > 0 && ui_confirm(s->ui, "删除这条记录？")) {
			char *sql = xasprintf("DELETE FROM \"s_%s\" WHERE id = %lld", set->v[SC_NAME], (long long)p->rec[p->rsel]);

			store_exec(s->ui->app->st, sql, NULL);
			free(sql);
			record_recalc(s->ui->app->st, p->tpl, p->staff_id, NULL);
			table_load(s);
			ui_message(s->ui, 0, "已删除");
		}
		break;
	case REQ_CHECK: open_report(s); break;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); break;
	case REQ_BACK:
	case REQ_LEFT:
		p->focus = FOCUS_SETS;
		table_clear(p);
		ui_message(s->ui, 0, "%s", "");
		break;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static enum ui_action
key_sets(struct screen *s, enum request r)
{
	struct person *p = s->priv;

	switch (r) {
	case REQ_UP: if (p->set > 0) p->set--; break;
	case REQ_DOWN: if (p->set + 1 < (int)p->tpl->nset) p->set++; break;
	case REQ_PGUP: p->set = 0; break;
	case REQ_PGDN: p->set = (int)p->tpl->nset - 1; break;
	case REQ_ENTER:
	case REQ_RIGHT:
		enter_set(s);
		break;
	case REQ_CHECK: open_report(s); break;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); break;
	case REQ_BACK:
	case REQ_LEFT:
		return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static enum ui_action
person_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct person *p = s->priv;

	if (p->focus == FOCUS_FORM)
		return key_form(s, r, ch, is_char);
	if (r == REQ_RESIZE)
		return UI_STAY;
	if (p->focus == FOCUS_TABLE)
		return key_table(s, r);
	return key_sets(s, r);
}

static void
person_done(struct screen *s)
{
	struct person *p = s->priv;

	if (p->focus == FOCUS_FORM)
		leave_field(s);   /* quitting never loses the field being typed */
	form_clear(p, cur_set(p)->nfield);
	table_clear(p);
	free(p->title);
	for (size_t i = 0; p->load && i < p->tpl->nset; i++)
		sqlite3_finalize(p->load[i]);
	free(p->load);
}

static const enum request person_legend[] = {
	REQ_HELP, REQ_PICK, REQ_ADD, REQ_REPEAT, REQ_DELETE, REQ_CHECK, REQ_QUIT, REQ_HISTORY, REQ_BACK, REQ_NONE
};

/* A screen above closed, or a commit failed (ui.c): show what the file
 * holds.  Not while a value is being typed: the picker returns into it. */
static void
person_resume(struct screen *s)
{
	struct person *p = s->priv;

	if (p->editing)
		return;
	if (p->focus == FOCUS_FORM) {
		form_load(s);
		form_check(s);
	} else if (p->focus == FOCUS_TABLE)
		table_load(s);
}

const struct screen_ops scr_person_ops = {
	.name = "person", .priv_size = sizeof(struct person), .legend = person_legend,
	.open = person_open, .draw = person_draw, .key = person_key, .done = person_done,
	.resume = person_resume,
};
