/* scr_person.c — one person: the information sets on the left, on the right
 * a form (one-record set, or one record of a many-record set) or a table of
 * records.  Every screen element comes from the definitions.
 *
 * Nothing is lost: a field's value is stored and committed the moment the
 * field is left (any key that moves away, Esc, quit).  What follows from it
 * (normalising, 出生日期 and 性别 from the ID number, fields no longer
 * relevant cleared, derived values of other sets) is the entry module's
 * (entry.h); this file only draws and reads keys.  Then the rules engine
 * checks the record — its message for the field just left goes to the
 * status line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "idcard.h"
#include "jpeg.h"
#include "lineedit.h"
#include "normalize.h"
#include "photo.h"
#include "prior.h"
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
	char                     **rval;      /* [record * 4 + column] preview values */
	/* the form */
	sqlite3_int64              key;       /* staff_id or record id */
	char                     **val;       /* values by field index */
	char                     **msg;       /* findings by field index */
	int                       *warn;      /* 1 when msg is a warning */
	unsigned char             *locked;    /* not relevant now */
	int                        fsel, ftop;
	struct lineedit            le;
	int                        editing;   /* le holds the focused text field */
	int                        selected;  /* le holds the field's default, shown selected:
	                                       * the first character typed replaces it */
	char                      *title;
	struct entry              *e;         /* the person's write path */
	/* required sets the person has no record in (set-level completeness),
	 * by index in tpl->set; missing_ok = 0: to be asked again */
	unsigned char             *missing;
	int                        missing_ok;
	/* against last year's data (the baseline), when the school has one:
	 * recomputed after each committed change */
	struct prior              *marks;
};

static void load_title(struct screen *s);
static int record_place(struct person *p);
static void preview_set(struct screen *s);

static const struct set_def *
cur_set(struct person *p)
{
	return &p->tpl->set[p->set];
}

/* The marks again after a change was stored (prior.h). */
static void
marks_reload(struct person *p)
{
	if (p->marks != NULL)
		prior_load(p->marks, NULL);
}

/* ^Y: what last year's data says of the field, record or set under the
 * cursor (j < 0: the record; rec 0: the set). */
static void
marks_say(struct screen *s, sqlite3_int64 rec, int j)
{
	struct person *p = s->priv;
	char *said;

	if (p->marks == NULL) {
		ui_message(s->ui, 1, "本校没有去年的基线，无法对照（用 jzg baseline set 设置）");
		return;
	}
	said = prior_describe(p->marks, (size_t)p->set, rec, j);
	ui_message(s->ui, 0, "%s", said);
	free(said);
}

static int
is_text_like(const struct field_def *f)
{
	return !fieldtype_of(f)->coded;
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
	free_strings(p->rval, (size_t)p->nrec * 4);
	free(p->rec);
	p->rval = NULL;
	p->rec = NULL;
	p->nrec = 0;
}

/* Load the current record's values and which fields are locked. */
static void
form_load(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);

	form_clear(p, set->nfield);
	p->val = xcalloc(set->nfield + 1, sizeof *p->val);
	p->msg = xcalloc(set->nfield + 1, sizeof *p->msg);
	p->warn = xcalloc(set->nfield + 1, sizeof *p->warn);
	p->locked = xcalloc(set->nfield + 1, 1);
	entry_load(p->e, set, p->key, p->val, p->locked);
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

static int
missing_cb(const struct finding *f, void *arg)
{
	struct person *p = arg;

	if (f->row == 0)
		p->missing[f->set - p->tpl->set] = 1;
	return 0;
}

/* Which required sets are empty, from the rules engine's findings of the
 * person (a finding of row 0 is a set without a record). */
static void
missing_load(struct screen *s)
{
	struct person *p = s->priv;
	struct rules_scope scope = { 0, p->staff_id };

	if (p->missing_ok)
		return;
	free(p->missing);
	p->missing = xcalloc(p->tpl->nset, 1);
	rules_check(s->ui->rules, &scope, missing_cb, p, NULL);
	p->missing_ok = 1;
}

static void
table_load(struct screen *s)
{
	struct person *p = s->priv;

	table_clear(p);
	p->nrec = entry_records(p->e, cur_set(p), 4, &p->rec, &p->rval);
	if (p->rsel >= p->nrec)
		p->rsel = p->nrec ? p->nrec - 1 : 0;
}

char *
ui_value_text(const struct field_def *f, const char *v)
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

/* The form's columns: labels as wide as the set's widest (★ included), so
 * that none is cut, while the values keep at least VALUE_MIN columns. */
enum { VALUE_MIN = 24 };

static void
form_geometry(const struct set_def *set, int *lw, int *vx, int *vw)
{
	int x0 = LEFT_W + 2, w = COLS - x0;

	*lw = 12;
	for (size_t j = 0; j < set->nfield; j++)
		if (utf8_width(set->field[j].v[FC_LABEL]) + 2 > *lw)
			*lw = utf8_width(set->field[j].v[FC_LABEL]) + 2;
	if (*lw > w - VALUE_MIN - 2)
		*lw = w - VALUE_MIN - 2;
	*vx = x0 + *lw + 1;
	*vw = COLS - *vx - 1;
}

static void
start_edit(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	const struct field_def *f;
	int lw, vx, vw;

	form_geometry(set, &lw, &vx, &vw);

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
	/* a value the definitions put there (教职工号 "0": 没有的填 0) is one
	 * the clerk did not type: typing replaces it rather than appending */
	p->selected = p->val[p->fsel] != NULL && f->v[FC_DEFAULT] != NULL;
	if (p->selected && f->v[FC_DEFAULT][0] == '=') {
		/* 任职单位名称: the school's name */
		char *def = record_default(s->ui->app->st, set, f, p->staff_id);

		p->selected = str_eq(p->val[p->fsel], def);
		free(def);
	} else if (p->selected)
		p->selected = str_eq(p->val[p->fsel], f->v[FC_DEFAULT]);
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

/* Store value in the focused field (NULL clears), with what follows from
 * it; note (normalize_note, may be NULL) goes on the status line with
 * 已保存.  Returns 1 when the note is what the status line shows (the
 * field has no finding of its own to show instead). */
static int
set_value(struct screen *s, const char *value, const char *note)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	const struct field_def *f = &set->field[p->fsel];
	char *cause = NULL;

	if (str_eq(value && *value ? value : NULL, p->val[p->fsel]))
		return 0;
	/* The value and what follows from it commit together, in one sync to
	 * disk, right after the screen is redrawn (ui_commit_later); a change
	 * made earlier in the same key shares the transaction.  entry_set
	 * undoes just this value if it is refused. */
	ui_begin(s->ui);
	if (entry_set(p->e, set, p->key, f, value, &cause) != JZG_OK) {
		ui_commit_later(s->ui, f->v[FC_LABEL]);
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
		form_load(s);
		form_check(s);
		return 0;
	}
	/* a value of the person set (教职工类别 …) may change which sets are
	 * required; other values change no set's record count */
	if (set == template_person_set(s->ui->app->defs, p->tpl))
		p->missing_ok = 0;
	form_load(s);
	form_check(s);
	marks_reload(p);
	ui_commit_later(s->ui, f->v[FC_LABEL]);
	if (set->many) {
		table_load(s);   /* the order may follow the value (dates) */
		p->rsel = record_place(p) - 1;
	}
	if (str_eq(set->v[SC_NAME], s->ui->app->defs->setting[SK_PERSON_SET]))
		load_title(s);   /* 姓名 or 身份证件号 may have changed */
	if (note != NULL)
		ui_saved(s->ui, "已保存：%s（%s）", f->v[FC_LABEL], note);
	else
		ui_saved(s->ui, "已保存：%s", f->v[FC_LABEL]);
	show_field_message(s);
	return note != NULL && p->msg[p->fsel] == NULL;
}

/* Leave the focused field: commit what was typed.  1 when the status
 * line says how the typing was normalised: the next field's finding then
 * waits for the next move (it is marked in the form meanwhile). */
static int
leave_field(struct screen *s)
{
	struct person *p = s->priv;
	const struct field_def *f;
	char *typed, *norm, *note;
	int told;

	if (!p->editing || !p->le.changed) {
		if (p->editing) {
			lineedit_free(&p->le);
			p->editing = 0;
		}
		return 0;
	}
	f = &cur_set(p)->field[p->fsel];
	typed = lineedit_get(&p->le);
	norm = entry_normalise(s->ui->app->defs, cur_set(p), f, typed);
	note = normalize_note(typed, norm);
	lineedit_free(&p->le);
	p->editing = 0;
	told = set_value(s, norm, note);
	free(typed);
	free(norm);
	free(note);
	return told;
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

/* Enter's move: over a calculated field that already holds its value (出生日
 * 期 from the ID number): it stays reachable with ↑ and ↓. */
static void
move_on(struct screen *s)
{
	struct person *p = s->priv;
	int j = p->fsel;

	move_field(s, 1);
	while (p->fsel != j && cur_set(p)->field[p->fsel].v[FC_CALCULATE] != NULL && p->val[p->fsel] != NULL) {
		j = p->fsel;
		move_field(s, 1);
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
		char *cause = NULL;

		/* a one-record set not yet filled is created with its defaults */
		if (entry_open(p->e, set, &cause) != JZG_OK) {
			ui_message(s->ui, 1, "%s", cause);
			free(cause);
			return;
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
	char *name = NULL, *idno = NULL, *school = NULL, *masked;
	enum wf_state ws = WF_DRAFT;

	free(p->title);
	p->title = NULL;
	if (entry_person(p->e, &name, &idno, &school) != 0)
		return;
	masked = idcard_mask(idno);
	workflow_state(s->ui->app->st, p->staff_id, &ws, NULL);
	{
		struct photo_info pi;
		char *ph = photo_info(s->ui->app->st, p->staff_id, &pi) == 1 ?
		    xasprintf("照片 %.1f KB %d×%d", pi.bytes / 1024.0, pi.width, pi.height) : xstrdup("无照片");

		p->title = xasprintf(" %s %s — %s — %s — %s", name && *name ? name : "（未填姓名）", masked,
		    school ? school : "", workflow_state_label(ws), ph);
		free(ph);
	}
	free(masked);
	free(name);
	free(idno);
	free(school);
}

static int
person_open(struct screen *s, void *arg)
{
	struct person *p = s->priv;
	struct person_arg *a = arg;
	char said[sizeof s->ui->status];   /* the status line before: did opening say something? */

	snprintf(said, sizeof said, "%s", s->ui->status);
	p->school_id = a->school_id;
	p->staff_id = a->staff_id;
	if ((p->e = entry_new(s->ui->app->st, p->staff_id)) == NULL)
		return -1;
	p->tpl = p->e->tpl;
	if (p->tpl->nset == 0)
		return -1;
	p->set = 0;
	if (a->set_name != NULL)
		for (size_t i = 0; i < p->tpl->nset; i++)
			if (str_eq(p->tpl->set[i].v[SC_NAME], a->set_name))
				p->set = (int)i;
	load_title(s);
	{
		char *cause = NULL;

		if (prior_new(s->ui->app->st, p->tpl, p->staff_id, &p->marks, &cause) != JZG_OK) {
			ui_message(s->ui, 1, "无法与去年的数据对照：%s", cause ? cause : "");
			free(cause);
		}
	}
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
	if (p->focus == FOCUS_SETS)
		preview_set(s);
	if (a->field != NULL && p->focus == FOCUS_FORM) {
		int j = set_field_index(cur_set(p), a->field);

		if (j >= 0) {
			p->fsel = j;
			start_edit(s);
			show_field_message(s);
		}
	}
	/* what the marks mean, unless opening said something (sent back, a finding) */
	if (p->marks != NULL && (s->ui->status[0] == '\0' || str_eq(said, s->ui->status))) {
		if (prior_person_new(p->marks))
			ui_message(s->ui, 0, "此人是今年新增的：去年（%s）的数据中没有此人", prior_label(p->marks));
		else
			ui_message(s->ui, 0, "与去年（%s）对照：* 与去年不同，+ 今年新增的记录；%s 看去年的值",
			    prior_label(p->marks), request_key_name(REQ_PRIOR));
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

	missing_load(s);
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
		if (p->marks != NULL && prior_set_changed(p->marks, (size_t)i)) {
			/* changed since last year: * before 缺 */
			int mx = p->missing[i] ? LEFT_W - 3 : LEFT_W - 1;

			draw_text(y, g ? 2 : 0, set->v[SC_LABEL], mx - (g ? 2 : 0));
			draw_text(y, mx, "*", 1);
		} else
			draw_text(y, g ? 2 : 0, set->v[SC_LABEL], LEFT_W - (g ? 2 : 0));
		if (p->missing[i]) {
			/* a required set without a record (completeness) */
			attron(A_BOLD);
			draw_text(y, LEFT_W - 2, "缺", 2);
			attroff(A_BOLD);
		}
		if (i == p->set)
			attroff(p->focus == FOCUS_SETS ? A_REVERSE : A_BOLD);
		y++;
	}
	mvvline(1, LEFT_W, ACS_VLINE, LINES - 3);
}

/* The open record's place (1-based) among the set's records as listed;
 * the list is re-read after each change, which may reorder it by date. */
static int
record_place(struct person *p)
{
	for (int i = 0; i < p->nrec; i++)
		if (p->rec[i] == p->key)
			return i + 1;
	return p->rsel + 1;
}

static void
draw_table(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	int x0 = LEFT_W + 2, w = COLS - x0, ncol = set->nfield < 4 ? (int)set->nfield : 4;
	int cw = ncol ? (w - 5) / ncol : w, hl = 1, rows;

	/* headings too wide for their column take a second line */
	for (int j = 0; j < ncol; j++)
		if (draw_wrap(-1, 0, set->field[j].v[FC_LABEL], cw - 1, 2) > hl)
			hl = 2;
	rows = LINES - 4 - hl;
	attron(A_BOLD);
	draw_text(1, x0, set->v[SC_LABEL], w);
	draw_text(2, x0, "序号", 5);
	for (int j = 0; j < ncol; j++)
		draw_wrap(2, x0 + 5 + j * cw, set->field[j].v[FC_LABEL], cw - 1, 2);
	attroff(A_BOLD);
	if (p->nrec == 0)
		draw_text(3 + hl, x0, "还没有记录。按 F3 新增。", w);
	if (p->rsel < p->rtop)
		p->rtop = p->rsel;
	if (p->rsel >= p->rtop + rows)
		p->rtop = p->rsel - rows + 1;
	for (int i = p->rtop; i < p->nrec && i - p->rtop < rows; i++) {
		char no[16];
		int y = 2 + hl + i - p->rtop;

		if (i == p->rsel && p->focus == FOCUS_TABLE)
			attron(A_REVERSE);
		draw_text(y, x0, "", w);
		snprintf(no, sizeof no, "%3d", i + 1);
		draw_text(y, x0, no, 4);
		for (int j = 0; j < ncol; j++) {
			char *d = ui_value_text(&set->field[j], p->rval[i * 4 + j]);

			draw_text(y, x0 + 5 + j * cw, d, cw - 1);
			free(d);
		}
		if (p->marks != NULL && prior_record_new(p->marks, (size_t)p->set, p->rec[i]))
			draw_text(y, x0 + 4, "+", 1);
		else if (p->marks != NULL && prior_record_changed(p->marks, (size_t)p->set, p->rec[i]))
			draw_text(y, x0 + 4, "*", 1);
		if (i == p->rsel && p->focus == FOCUS_TABLE)
			attroff(A_REVERSE);
	}
}

static void
draw_form(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	int x0 = LEFT_W + 2, w = COLS - x0, lw, vx, vw;
	int rows = LINES - 4;
	char head[256];

	form_geometry(set, &lw, &vx, &vw);

	if (set->many)
		snprintf(head, sizeof head, "%s — 第 %d 条（共 %d 条）%s", set->v[SC_LABEL], record_place(p), p->nrec,
		    p->marks != NULL && prior_record_new(p->marks, (size_t)p->set, p->key) ? "  + 今年新增" : "");
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

			attron(p->selected ? A_REVERSE : A_UNDERLINE);
			lineedit_visible(&p->le, vis, 512);
			draw_wtext(y, vx, vis, p->le.width);
			attroff(p->selected ? A_REVERSE : A_UNDERLINE);
			s->ui->cursor_y = y;
			s->ui->cursor_x = vx + lineedit_cursor_col(&p->le);
		} else {
			char *d = ui_value_text(f, p->val[j]);

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
		if (p->marks != NULL && prior_value(p->marks, (size_t)p->set, p->key, (size_t)j) != NULL)
			mvaddstr(y, vx - 1, "*");   /* not last year's value */
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
	char *where = entry_choice_filter(cur_set(p), p->key, f);

	pa.filter_sql = where;
	ui_modal(s->ui, &scr_picker_ops, &pa);   /* fills pa.result */
	if (pa.chosen) {
		set_value(s, pa.result, NULL);
		move_on(s);
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
	char *v = entry_previous(p->e, set, p->key, f);

	if (v == NULL) {
		ui_message(s->ui, 1, "上一条记录中没有可重复的值");
		return;
	}
	if (p->editing) {
		lineedit_free(&p->le);
		p->editing = 0;
	}
	set_value(s, v, NULL);
	free(v);
	move_field(s, 1);
	start_edit(s);
}

/* F3 in a many-record set (its table or one of its records): a new
 * record, its form open. */
static void
add_record(struct screen *s)
{
	struct person *p = s->priv;
	const struct set_def *set = cur_set(p);
	sqlite3_int64 id;
	char *cause = NULL;

	ui_begin(s->ui);   /* committed after the redraw, with the first value keyed */
	if (entry_add(p->e, set, &id, &cause) != JZG_OK) {
		ui_commit_later(s->ui, set->v[SC_LABEL]);   /* ends the transaction */
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
		p->focus = FOCUS_TABLE;
		table_load(s);
		return;
	}
	p->missing_ok = 0;   /* the set has a record now */
	marks_reload(p);
	table_load(s);
	ui_commit_later(s->ui, set->v[SC_LABEL]);
	ui_saved(s->ui, "已新增一条%s记录", set->v[SC_LABEL]);
	open_form(s, id, NULL);
}

/* A date typed whole as digits (200709 for a month, 19850312 for a
 * date, 2024 for a year) and valid: on to the next field without Enter,
 * as a code typed whole is (picker_auto). */
static int
date_complete(const struct field_def *f, const struct lineedit *le)
{
	const struct fieldtype *t = fieldtype_of(f);
	size_t want = t->type == FT_YEAR ? 4 : 0;
	char *typed, *norm;
	int yes;

	for (const char *c = t->pattern; c && *c; c++)
		want += *c != '-';   /* YYYY-MM: 6 digits */
	if (want == 0)
		return 0;
	typed = lineedit_get(le);
	yes = strlen(typed) == want && strspn(typed, "0123456789") == want;
	if (yes) {
		norm = t->normalise(typed);
		yes = t->valid(norm);
		free(norm);
	}
	free(typed);
	return yes;
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
			open_picker(s, ch == L' ' ? NULL : q);   /* Space: the whole list */
			return UI_STAY;
		}
		if (p->editing && p->selected)
			lineedit_key(&p->le, LE_KILL_LINE);
		p->selected = 0;
		if (p->editing && lineedit_insert(&p->le, ch) < 0 && f->length > 0)
			ui_message(s->ui, 1, "本项最多 %d 个字", f->length);
		if (p->editing && date_complete(f, &p->le))
			return key_form(s, REQ_ENTER, 0, 0);
		return UI_STAY;
	}
	/* a selected default: Backspace/Del remove it whole, moving keeps it */
	if (p->selected && p->editing && (r == REQ_BS || r == REQ_DEL))
		lineedit_key(&p->le, LE_KILL_LINE);
	if (r == REQ_BS || r == REQ_DEL || r == REQ_LEFT || r == REQ_RIGHT || r == REQ_HOME || r == REQ_END)
		p->selected = 0;
	switch (r) {
	case REQ_ENTER:
	case REQ_NEXT:
	case REQ_DOWN: {
		int before = p->fsel, told = leave_field(s);

		if (r == REQ_ENTER)
			move_on(s);
		else
			move_field(s, 1);
		if (p->fsel == before && r == REQ_ENTER && set->many) {
			/* a record's last field: back to the set's records, where
			 * F3 adds the next one */
			form_clear(p, set->nfield);
			load_title(s);
			p->focus = FOCUS_TABLE;
			table_load(s);
			ui_message(s->ui, 0, "%s：%d 条。F3 再新增一条，Esc 回到信息集", set->v[SC_LABEL], p->nrec);
			return UI_STAY;
		}
		if (p->fsel == before && r == REQ_ENTER) {
			/* the last field of a one-record set: on to the next set */
			if (p->set + 1 < (int)p->tpl->nset) {
				form_clear(p, set->nfield);
				p->set++;
				enter_set(s);
				return UI_STAY;
			}
		}
		start_edit(s);
		if (!told)
			show_field_message(s);
		break;
	}
	case REQ_PREV:
	case REQ_UP: {
		int told = leave_field(s);

		move_field(s, -1);
		start_edit(s);
		if (!told)
			show_field_message(s);
		break;
	}
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
			set_value(s, NULL, NULL);
		break;
	case REQ_DEL:
	case REQ_KILL:
		if (p->editing)
			lineedit_key(&p->le, r == REQ_DEL ? LE_DELETE : LE_KILL_LINE);
		else if (!field_skipped(p, p->fsel) && p->val[p->fsel] != NULL)
			set_value(s, NULL, NULL);
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
	case REQ_ADD:
		if (!set->many) {
			ui_message(s->ui, 1, "%s只有一条记录；新增教职工请回到教职工列表按 F3", set->v[SC_LABEL]);
			break;
		}
		leave_field(s);
		form_clear(p, set->nfield);
		add_record(s);
		break;
	case REQ_PRIOR:
		leave_field(s);   /* the mark of what was typed */
		marks_say(s, p->key, p->fsel);
		start_edit(s);
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
	case REQ_ADD: add_record(s); break;
	case REQ_DELETE:
		if (p->nrec > 0 && ui_confirm(s->ui, "删除这条记录？")) {
			int gone;

			ui_begin(s->ui);
			if (!(gone = entry_delete(p->e, set, p->rec[p->rsel], &cause) == JZG_OK)) {
				ui_message(s->ui, 1, "%s", cause);
				free(cause);
			} else {
				p->missing_ok = 0;   /* maybe its last record */
				marks_reload(p);
			}
			ui_commit_later(s->ui, set->v[SC_LABEL]);
			if (gone)
				ui_saved(s->ui, "已删除");
			table_load(s);
		}
		break;
	case REQ_CHECK: open_report(s); break;
	case REQ_PRIOR: marks_say(s, p->nrec > 0 ? p->rec[p->rsel] : 0, -1); break;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); break;
	case REQ_BACK:
	case REQ_LEFT:
		p->focus = FOCUS_SETS;
		preview_set(s);
		break;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

/* On the set list, a many-record set shows its records beside it: read
 * them now, so that "还没有记录" is never said of a set that has some. */
static void
preview_set(struct screen *s)
{
	struct person *p = s->priv;

	if (cur_set(p)->many) {
		table_load(s);
		ui_message(s->ui, 0, "%s：%d 条记录。Enter 进入", cur_set(p)->v[SC_LABEL], p->nrec);
	} else {
		table_clear(p);
		ui_message(s->ui, 0, "%s", "");
	}
}

static enum ui_action
key_sets(struct screen *s, enum request r)
{
	struct person *p = s->priv;

	switch (r) {
	case REQ_UP: if (p->set > 0) p->set--; preview_set(s); break;
	case REQ_DOWN: if (p->set + 1 < (int)p->tpl->nset) p->set++; preview_set(s); break;
	case REQ_PGUP: p->set = 0; preview_set(s); break;
	case REQ_PGDN: p->set = (int)p->tpl->nset - 1; preview_set(s); break;
	case REQ_ENTER:
	case REQ_RIGHT:
		enter_set(s);
		break;
	case REQ_CHECK: open_report(s); break;
	case REQ_PRIOR: marks_say(s, 0, -1); break;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); break;
	case REQ_BACK:
	case REQ_LEFT:
		return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

/* ^O: the person's photo from a file whose path is typed (Tab completes).
 * Through entry_photo_set like every change; a photo whose only faults
 * are its size or proportions is fixed when the clerk agrees. */
static void
photo_key(struct screen *s)
{
	struct person *p = s->priv;
	struct store *st = s->ui->app->st;
	char *path = ui_prompt_path(s->ui, "照片文件（JPEG，Tab 补全，Esc 取消）：", NULL), *cause = NULL, *full;
	const char *home = getenv("HOME");
	unsigned char *buf = NULL, *fixed = NULL;
	size_t len = 0, flen = 0;
	struct photo_spec sp;
	int fixable = 0, changed = 0;
	enum jzg_status rc;

	if (path == NULL || *path == '\0') {
		free(path);
		return;
	}
	full = path[0] == '~' && path[1] == '/' && home ? xasprintf("%s%s", home, path + 1) : xstrdup(path);
	entry_photo_spec(st->defs, &sp);
	rc = jpeg_read_file(full, &buf, &len, &cause);
	if (rc == JZG_OK && (rc = entry_photo_judge(&sp, buf, len, NULL, &fixable, &cause)) != JZG_OK && fixable) {
		char *q = xasprintf("%s。自动裁剪压缩为 %d×%d 像素后导入？(y/n)", cause, sp.fix_w, sp.fix_h);

		if (ui_confirm(s->ui, q)) {
			free(cause);
			cause = NULL;
			if ((rc = entry_photo_fix(&sp, buf, len, &fixed, &flen, &cause)) == JZG_OK) {
				free(buf);
				buf = fixed;
				len = flen;
			}
		}
		free(q);
	}
	if (rc == JZG_OK) {
		ui_begin(s->ui);
		rc = entry_photo_set(st, p->staff_id, buf, len, &changed, &cause);
		ui_commit_later(s->ui, "照片");
	}
	if (rc != JZG_OK)
		ui_message(s->ui, 1, "照片未导入：%s", cause ? cause : jzg_strstatus(rc));
	else if (changed)
		ui_saved(s->ui, "已保存：照片（%zu 字节）", len);
	else
		ui_message(s->ui, 0, "照片与已有的相同（%zu 字节）", len);
	load_title(s);
	free(cause);
	free(buf);
	free(full);
	free(path);
}

static enum ui_action
person_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct person *p = s->priv;

	if (r == REQ_PHOTO) {
		if (p->focus == FOCUS_FORM)
			leave_field(s);
		photo_key(s);
		if (p->focus == FOCUS_FORM)
			start_edit(s);
		return UI_STAY;
	}

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

	if (p->tpl == NULL || p->tpl->nset == 0) {
		entry_free(p->e);   /* person_open failed */
		return;
	}
	if (p->focus == FOCUS_FORM)
		leave_field(s);   /* quitting never loses the field being typed */
	form_clear(p, cur_set(p)->nfield);
	table_clear(p);
	free(p->title);
	free(p->missing);
	prior_free(p->marks);
	entry_free(p->e);
}

/* in the order they give way at 80 columns: F10 (in F1's list) goes first */
static const enum request person_legend[] = {
	REQ_HELP, REQ_PICK, REQ_ADD, REQ_REPEAT, REQ_DELETE, REQ_CHECK, REQ_HISTORY, REQ_PHOTO, REQ_QUIT, REQ_BACK,
	REQ_NONE
};

/* with a baseline, 去年 takes the place of 照片 at 80 columns */
static const enum request person_legend_prior[] = {
	REQ_HELP, REQ_PICK, REQ_ADD, REQ_REPEAT, REQ_PRIOR, REQ_DELETE, REQ_CHECK, REQ_HISTORY, REQ_PHOTO, REQ_QUIT,
	REQ_BACK, REQ_NONE
};

static const enum request *
person_legend_now(const struct screen *s)
{
	return ((const struct person *)s->priv)->marks != NULL ? person_legend_prior : person_legend;
}

/* A screen above closed, or a commit failed (ui.c): show what the file
 * holds.  Not while a value is being typed: the picker returns into it. */
static void
person_resume(struct screen *s)
{
	struct person *p = s->priv;

	p->missing_ok = 0;   /* a failed commit may have undone a record */
	marks_reload(p);
	if (p->editing)
		return;
	if (p->focus == FOCUS_FORM) {
		form_load(s);
		form_check(s);
	} else if (cur_set(p)->many)
		table_load(s);   /* the table, or the set list's preview of it */
}

const struct screen_ops scr_person_ops = {
	.name = "person", .priv_size = sizeof(struct person), .legend = person_legend, .legend_now = person_legend_now,
	.open = person_open, .draw = person_draw, .key = person_key, .done = person_done,
	.resume = person_resume,
};
