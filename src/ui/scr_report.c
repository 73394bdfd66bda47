/* scr_report.c — the check report (完整性检测) as a screen: every finding
 * of a school or a person, person by person, field by field; Enter opens
 * the person at that field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "ui.h"
#include "util.h"

#define REPORT_MAX 20000   /* shown at most; the command line lists all */

struct fitem {
	sqlite3_int64 staff_id, key;
	const char   *set_name;    /* owned by defs */
	const char   *field_name;  /* owned by defs, or NULL */
	char         *line;        /* what is shown */
	int           warning;
};

struct report {
	struct report_arg arg;
	struct fitem     *item;
	int               n, cap, sel, top;
	int               errors, warnings, explained, truncated;
	sqlite3_stmt     *who;
	sqlite3_int64     who_id;
	char             *who_name;
};

static const char *
person_name(struct screen *s, sqlite3_int64 staff_id)
{
	struct report *p = s->priv;

	if (p->who_id != staff_id) {
		free(p->who_name);
		p->who_name = NULL;
		p->who_id = staff_id;
		if (p->who != NULL) {
			sqlite3_reset(p->who);
			sqlite3_bind_int64(p->who, 1, staff_id);
			if (sqlite3_step(p->who) == SQLITE_ROW && sqlite3_column_type(p->who, 0) != SQLITE_NULL)
				p->who_name = xstrdup((const char *)sqlite3_column_text(p->who, 0));
		}
	}
	return p->who_name ? p->who_name : "（未填姓名）";
}

struct rctx {
	struct screen *s;
};

static int
report_cb(const struct finding *f, void *arg)
{
	struct screen *s = arg;
	struct report *p = s->priv;
	struct fitem *it;
	char row[32] = "";

	if (f->explained)
		p->explained++;
	else if (f->warning)
		p->warnings++;
	else
		p->errors++;
	if (p->n >= REPORT_MAX) {
		p->truncated = 1;
		return 0;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->item = xreallocarray(p->item, (size_t)p->cap, sizeof *p->item);
	}
	it = &p->item[p->n++];
	it->staff_id = f->staff_id;
	it->key = f->row == 0 && f->set->many ? 0 : f->key;   /* a set without records: go to the set */
	it->set_name = f->set->v[SC_NAME];
	it->field_name = f->field ? f->field->v[FC_NAME] : NULL;
	it->warning = f->warning;
	if (f->set->many && f->row > 0)
		snprintf(row, sizeof row, " 第%d条", f->row);
	it->line = xasprintf("%-8s %s%s %s%s%s %s%s%s", person_name(s, f->staff_id), f->set->v[SC_LABEL], row,
	    f->field ? "〈" : "", f->field ? f->field->v[FC_LABEL] : "", f->field ? "〉" : "",
	    f->explained ? "已说明" : f->warning ? "警告" : "错误", "：", f->message);
	return 0;
}

static void
report_run(struct screen *s)
{
	struct report *p = s->priv;
	struct rules_scope scope = { p->arg.school_id, p->arg.staff_id };
	char *cause = NULL;

	for (int i = 0; i < p->n; i++)
		free(p->item[i].line);
	p->n = p->errors = p->warnings = p->explained = p->truncated = 0;
	if (rules_check(s->ui->rules, &scope, report_cb, s, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "检测失败：%s", cause ? cause : "");
		free(cause);
	} else
		ui_message(s->ui, 0, p->n ? "Enter 跳到该项修改" : "没有发现问题");
}

static int
report_open(struct screen *s, void *arg)
{
	struct report *p = s->priv;
	const struct defs *defs = s->ui->app->defs;
	char *sql = xasprintf("SELECT \"%s\" FROM \"s_%s\" WHERE staff_id = ?", defs->setting[SK_PERSON_NAME],
	    defs->setting[SK_PERSON_SET]);

	p->arg = *(struct report_arg *)arg;
	sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &p->who, NULL);
	free(sql);
	report_run(s);
	return 0;
}

/* Findings wrap rather than being cut: a
 * message such as 进本校年月不能早于参加工作年月，且不能晚于… is read whole. */
static int
item_lines(const struct fitem *it)
{
	return draw_wrap(-1, 0, it->line, COLS - 2, 0);
}

static void
report_draw(struct screen *s)
{
	struct report *p = s->priv;
	char title[256];
	int rows = LINES - 4, used = 0, y = 1;

	snprintf(title, sizeof title, " 完整性检测 — 错误 %d，警告 %d，已说明 %d%s", p->errors, p->warnings,
	    p->explained, p->truncated ? "（只显示前 20000 条）" : "");
	draw_title(title);
	if (p->sel < p->top)
		p->top = p->sel;
	/* the selected finding's last line on screen */
	for (int i = p->sel; i >= p->top; i--)
		used += item_lines(&p->item[i]);
	for (; used > rows && p->top < p->sel; p->top++)
		used -= item_lines(&p->item[p->top]);
	for (int i = p->top; i < p->n && y < 1 + rows; i++) {
		int n = item_lines(&p->item[i]);

		if (i == p->sel)
			attron(A_REVERSE);
		else if (!p->item[i].warning)
			attron(A_BOLD);
		for (int k = 0; k < n && y + k < 1 + rows; k++)
			draw_text(y + k, 0, "", COLS);
		draw_wrap(y, 1, p->item[i].line, COLS - 2, 1 + rows - y);
		if (i == p->sel)
			attroff(A_REVERSE);
		else if (!p->item[i].warning)
			attroff(A_BOLD);
		y += n;
	}
	if (p->n == 0)
		draw_text(2, 2, "没有发现问题。", COLS - 4);
}

static enum ui_action
report_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct report *p = s->priv;
	int rows = LINES - 4;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (p->sel > 0) p->sel--; break;
	case REQ_DOWN: if (p->sel + 1 < p->n) p->sel++; break;
	case REQ_PGUP: p->sel = p->sel > rows ? p->sel - rows : 0; break;
	case REQ_PGDN: p->sel = p->sel + rows < p->n ? p->sel + rows : (p->n ? p->n - 1 : 0); break;
	case REQ_ENTER:
		if (p->n > 0) {
			struct fitem *it = &p->item[p->sel];
			struct person_arg pa = { 0, it->staff_id, it->set_name, it->key, it->field_name };

			ui_push(s->ui, &scr_person_ops, &pa);
		}
		break;
	case REQ_BACK: return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static void
report_resume(struct screen *s)
{
	report_run(s);   /* the user may have fixed something */
}

static void
report_done(struct screen *s)
{
	struct report *p = s->priv;

	for (int i = 0; i < p->n; i++)
		free(p->item[i].line);
	free(p->item);
	sqlite3_finalize(p->who);
	free(p->who_name);
}

static const enum request report_legend[] = { REQ_ENTER, REQ_BACK, REQ_QUIT, REQ_NONE };

const struct screen_ops scr_report_ops = {
	.name = "report", .priv_size = sizeof(struct report), .legend = report_legend,
	.open = report_open, .draw = report_draw, .key = report_key,
	.resume = report_resume, .done = report_done,
};
