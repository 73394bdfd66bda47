/* scr_schools.c — the school picker (a county file holds many schools) and
 * the wizard that adds a school (the first thing a new file asks for). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "county.h"
#include "lineedit.h"
#include "operator.h"
#include "paths.h"
#include "xlsx_export.h"
#include "school.h"
#include "ui.h"
#include "ui_workflow.h"
#include "util.h"

/* ------------------------------------------------------------ school list */

struct schools {
	struct school_row *row;
	size_t             n;
	size_t             sel, top;
	int                hinted;   /* the status line holds UI_EXPECTED_HINT */
};

static void
schools_load(struct screen *s)
{
	struct schools *p = s->priv;
	char *cause = NULL;

	school_list_free(p->row, p->n);
	p->row = NULL;
	p->n = 0;
	if (school_list(s->ui->app->st, &p->row, &p->n, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
	}
	if (p->sel >= p->n)
		p->sel = p->n ? p->n - 1 : 0;
}

static void schools_hint(struct screen *s);

static int
schools_open(struct screen *s, void *arg)
{
	(void)arg;
	schools_load(s);
	if (s->ui->status[0] == '\0')
		schools_hint(s);
	return 0;
}

static void
schools_draw(struct screen *s)
{
	struct schools *p = s->priv;
	char title[4200], count[64], path[4096];
	int rows = LINES - 4;

	snprintf(count, sizeof count, " — 学校 %zu 所", p->n);
	/* the file's path (whole in F1) gives way, never the count */
	path_fit(path, sizeof path, s->ui->app->db_path, COLS - utf8_width(" jzg 教职工信息采集 — ") - utf8_width(count) - 1);
	snprintf(title, sizeof title, " jzg 教职工信息采集 — %s%s", path, count);
	draw_title(title);
	if (p->n == 0) {
		draw_text(2, 2, "文件中还没有学校。按 F3 添加学校。", COLS - 4);
		return;
	}
	attron(A_BOLD);
	draw_text(1, 1, "学校标识码  学校名称                          模板      人数  应有", COLS - 2);
	attroff(A_BOLD);
	if (p->sel < p->top)
		p->top = p->sel;
	if (rows > 0 && p->sel >= p->top + (size_t)rows)
		p->top = p->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && p->top + (size_t)i < p->n; i++) {
		const struct school_row *r = &p->row[p->top + (size_t)i];
		const struct template_def *t = defs_template(s->ui->app->defs, r->template);
		char num[32];

		if (p->top + (size_t)i == p->sel)
			attron(A_REVERSE);
		draw_text(2 + i, 0, "", COLS);
		draw_text(2 + i, 1, r->code, 11);
		draw_text(2 + i, 13, r->name, 34);
		draw_text(2 + i, 47, t ? t->v[TC_LABEL] : r->template, 9);
		snprintf(num, sizeof num, "%5d", r->staff);
		draw_text(2 + i, 57, num, 6);
		if (r->expected > 0)
			snprintf(num, sizeof num, "%5d", r->expected);
		else
			snprintf(num, sizeof num, "%s", " 未填");
		draw_text(2 + i, 63, num, 6);
		if (p->top + (size_t)i == p->sel)
			attroff(A_REVERSE);
	}
}

/* How an empty 应有 is filled, said when its school is selected. */
static void
schools_hint(struct screen *s)
{
	struct schools *p = s->priv;

	if (p->n > 0 && p->row[p->sel].expected == 0) {
		ui_message(s->ui, 0, "%s", UI_EXPECTED_HINT);
		p->hinted = 1;
	} else if (p->hinted) {
		ui_message(s->ui, 0, "%s", "");
		p->hinted = 0;
	}
}

void
ui_set_expected(struct ui *ui, const char *code, int current)
{
	char now[32] = "", *typed, *cause = NULL;
	long n;

	/* as the expect command: county staff only (docs/workflow.md, roles) */
	if (ui->app->op != NULL && ui->app->op->school_id != 0) {
		ui_message(ui, 1, "无权操作：应有人数由县级人员填写");
		return;
	}
	if (current > 0)
		snprintf(now, sizeof now, "%d", current);
	typed = ui_prompt(ui, "应有教职工数（年报数，空为未填）：", now);
	if (typed == NULL)
		return;
	str_trim(typed);
	if (*typed == '\0')
		n = 0;
	else if (str_count(typed, 0, 1000000, &n) < 0) {
		ui_message(ui, 1, "应有人数应为 0 到 1000000 的整数：%s", typed);
		free(typed);
		return;
	}
	ui_begin(ui);
	if (county_set_expected(ui->app->st, code, (int)n, &cause) != JZG_OK) {
		ui_message(ui, 1, "%s", cause);
		free(cause);
	} else {
		ui_commit_later(ui, "应有人数");
		if (n > 0)
			ui_message(ui, 0, "已保存：应有 %ld 人", n);
		else
			ui_message(ui, 0, "已保存：应有人数未填");
	}
	free(typed);
}

/* ^K: the first 管理员 of a file used without accounts so far. */
static void
schools_account(struct screen *s)
{
	static const int asked = 1;
	const struct operator *op = s->ui->app->op;
	char *cause = NULL;
	int n = 0;

	if (op != NULL) {
		ui_message(s->ui, 0, "已登录：%s %s。增加录入员、审核员用命令 jzg user add（jzg user add --help）",
		    operator_role_label(op->role), op->name);
		return;
	}
	if (operator_count(s->ui->app->st, &n, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
		return;
	}
	if (n > 0)
		ui_message(s->ui, 0, "此文件已有账号：重新启动 jzg 后登录");
	else
		ui_modal(s->ui, &scr_login_ops, (void *)&asked);
}

/* The export's progress as a bar on the status line (at most once a percent). */
struct export_bar {
	struct ui *ui;
	int        last;
};

static void
export_progress(void *arg, unsigned long long done, unsigned long long total)
{
	struct export_bar *b = arg;
	int pct = total ? (int)(done * 100 / total) : 100, w = COLS - 20;
	char line[512];
	int fill;

	if (pct == b->last || w < 10)
		return;
	b->last = pct;
	fill = w * pct / 100;
	snprintf(line, sizeof line, "正在导出 %3d%% ", pct);
	move(LINES - 2, 0);
	clrtoeol();
	draw_text(LINES - 2, 0, line, 16);
	attron(A_REVERSE);
	mvhline(LINES - 2, 16, ' ', fill);
	attroff(A_REVERSE);
	refresh();
}

/* ^X: the school as the official Excel template, in the school's folder
 * under the documents folder (paths_output_dir), where the clerk finds it. */
static void
schools_export(struct screen *s, const struct school_row *r)
{
	struct export_bar bar = { s->ui, -1 };
	struct progress pg = { export_progress, &bar };
	char *out, *path = NULL, *cause = NULL;

	if ((out = paths_output_dir(r->code, r->name, &cause)) == NULL ||
	    xlsx_export_school(s->ui->app->st, r->id, out, &pg, &path, &cause) != JZG_OK)
		ui_message(s->ui, 1, "导出失败：%s", cause ? cause : "");
	else
		ui_message_path(s->ui, 0, "已导出：", path, "（F1 看完整路径）");
	free(cause);
	free(path);
	free(out);
}

static enum ui_action
schools_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct schools *p = s->priv;
	int rows = LINES - 4;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (p->sel > 0) p->sel--; schools_hint(s); break;
	case REQ_DOWN: if (p->sel + 1 < p->n) p->sel++; schools_hint(s); break;
	case REQ_PGUP: p->sel = p->sel > (size_t)rows ? p->sel - (size_t)rows : 0; schools_hint(s); break;
	case REQ_PGDN:
		if (p->n)
			p->sel = p->sel + (size_t)rows < p->n ? p->sel + (size_t)rows : p->n - 1;
		schools_hint(s);
		break;
	case REQ_EXPECT:
		if (p->n > 0) {
			ui_set_expected(s->ui, p->row[p->sel].code, p->row[p->sel].expected);
			schools_load(s);
		}
		break;
	case REQ_ACCOUNT: schools_account(s); break;
	case REQ_ENTER:
	case REQ_RIGHT:
		if (p->n > 0)
			ui_push(s->ui, &scr_staff_ops, &p->row[p->sel].id);
		break;
	case REQ_ADD: ui_push(s->ui, &scr_wizard_ops, NULL); break;
	case REQ_BOARD: ui_push(s->ui, &scr_board_ops, NULL); break;
	case REQ_EXPORT:
		if (p->n > 0)
			schools_export(s, &p->row[p->sel]);
		break;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); break;
	case REQ_CHECK: {
		struct report_arg ra = { p->n ? p->row[p->sel].id : 0, 0 };

		ui_push(s->ui, &scr_report_ops, &ra);
		break;
	}
	case REQ_BACK:
		/* the bottom of the stack: a stray Esc must not end the session */
		return ui_confirm(s->ui, "退出 jzg？") ? UI_QUIT : UI_STAY;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static void
schools_done(struct screen *s)
{
	struct schools *p = s->priv;

	school_list_free(p->row, p->n);
}

static const enum request schools_legend[] = {
	REQ_HELP, REQ_ADD, REQ_CHECK, REQ_BOARD, REQ_EXPORT, REQ_EXPECT, REQ_ACCOUNT, REQ_ENTER, REQ_QUIT, REQ_NONE
};

const struct screen_ops scr_schools_ops = {
	.name = "schools", .priv_size = sizeof(struct schools), .legend = schools_legend,
	.open = schools_open, .draw = schools_draw, .key = schools_key,
	.resume = schools_load, .done = schools_done,
};

/* ------------------------------------------------------------ wizard */

enum { WZ_CODE, WZ_NAME, WZ_TYPE, WZ__COUNT };

struct wizard {
	struct lineedit edit[2];  /* code, name */
	size_t          tpl;      /* index into defs->tpl */
	int             focus;
};

/* The status line says what the focused field wants. */
static void
wizard_hint(struct screen *s)
{
	static const char *const hint[WZ__COUNT] = {
		"请输入 10 位学校标识码（前两位是学校类别码，模板会随之选好）",
		"请输入学校全称（与学校公章一致），按 Enter 到下一项",
		"按 ← → 选择采集模板，按 Enter 完成添加",
	};

	ui_message(s->ui, 0, "%s", hint[((struct wizard *)s->priv)->focus]);
}

static int
wizard_open(struct screen *s, void *arg)
{
	struct wizard *w = s->priv;

	(void)arg;
	lineedit_init(&w->edit[WZ_CODE], 12, 10);
	lineedit_init(&w->edit[WZ_NAME], 40, 100);
	wizard_hint(s);
	return 0;
}

/* Choose the template whose school classes include the code's class. */
static void
wizard_guess_template(struct screen *s)
{
	struct wizard *w = s->priv;
	const struct defs *defs = s->ui->app->defs;
	char *code = lineedit_get(&w->edit[WZ_CODE]);

	if (strlen(code) >= 2)
		for (size_t i = 0; i < defs->ntpl; i++) {
			const char *cls = defs->tpl[i].v[TC_SCHOOL_CLASSES];
			char two[3] = { code[0], code[1], 0 };

			if (cls && strstr(cls, two) != NULL)
				w->tpl = i;
		}
	free(code);
}

static void
wizard_draw(struct screen *s)
{
	struct wizard *w = s->priv;
	const struct defs *defs = s->ui->app->defs;
	static const char *const label[WZ__COUNT] = { "学校标识码", "学校名称", "采集模板" };
	int y0, x0;

	draw_box(11, 64, &y0, &x0);
	attron(A_BOLD);
	draw_text(y0 + 1, x0 + 2, "添加学校", 20);
	attroff(A_BOLD);
	for (int i = 0; i < WZ__COUNT; i++) {
		int y = y0 + 3 + 2 * i;

		draw_text(y, x0 + 2, label[i], 12);
		if (i == w->focus)
			attron(A_UNDERLINE);
		if (i < WZ_TYPE) {
			wchar_t vis[256];

			lineedit_visible(&w->edit[i], vis, 256);
			draw_wtext(y, x0 + 15, vis, w->edit[i].width);
			if (i == w->focus) {
				s->ui->cursor_y = y;
				s->ui->cursor_x = x0 + 15 + lineedit_cursor_col(&w->edit[i]);
			}
		} else {
			char t[128];

			snprintf(t, sizeof t, "◀ %s（%s）▶", defs->tpl[w->tpl].v[TC_LABEL], defs->tpl[w->tpl].v[TC_NAME]);
			draw_text(y, x0 + 15, t, 40);
		}
		if (i == w->focus)
			attroff(A_UNDERLINE);
	}
	draw_text(y0 + 9, x0 + 2, "Enter 下一项 / 完成  ←→ 选模板  Esc 取消", 58);
}

static enum ui_action
wizard_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct wizard *w = s->priv;
	const struct defs *defs = s->ui->app->defs;
	struct lineedit *le = w->focus < WZ_TYPE ? &w->edit[w->focus] : NULL;

	if (is_char && le != NULL && r != REQ_ENTER) {
		if (w->focus == WZ_CODE && (ch < L'0' || ch > L'9') && !(ch >= 0xFF10 && ch <= 0xFF19))
			ui_message(s->ui, 1, "学校标识码只能是数字");
		else
			lineedit_insert(le, ch >= 0xFF10 && ch <= 0xFF19 ? ch - 0xFEE0 : ch);
		if (w->focus == WZ_CODE)
			wizard_guess_template(s);
		return UI_STAY;
	}
	switch (r) {
	case REQ_BACK: return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	case REQ_BS: if (le) lineedit_key(le, LE_BACKSPACE); break;
	case REQ_DEL: if (le) lineedit_key(le, LE_DELETE); break;
	case REQ_HOME: if (le) lineedit_key(le, LE_HOME); break;
	case REQ_END: if (le) lineedit_key(le, LE_END); break;
	case REQ_KILL: if (le) lineedit_key(le, LE_KILL_LINE); break;
	case REQ_LEFT:
		if (le) lineedit_key(le, LE_LEFT);
		else w->tpl = (w->tpl + defs->ntpl - 1) % defs->ntpl;
		break;
	case REQ_RIGHT:
		if (le) lineedit_key(le, LE_RIGHT);
		else w->tpl = (w->tpl + 1) % defs->ntpl;
		break;
	case REQ_UP: case REQ_PREV: if (w->focus > 0) w->focus--; wizard_hint(s); break;
	case REQ_DOWN: case REQ_NEXT: if (w->focus + 1 < WZ__COUNT) w->focus++; wizard_hint(s); break;
	case REQ_ENTER:
		if (w->focus + 1 < WZ__COUNT) {
			w->focus++;
			wizard_hint(s);
		} else {
			char *code = lineedit_get(&w->edit[WZ_CODE]), *name = lineedit_get(&w->edit[WZ_NAME]);
			char *cause = NULL;
			sqlite3_int64 id;
			char *trimmed = str_trim(name);

			if (school_add(s->ui->app->st, code, trimmed, defs->tpl[w->tpl].v[TC_NAME], &id, &cause) != JZG_OK) {
				ui_message(s->ui, 1, "%s", cause);
				free(cause);
				w->focus = strstr(s->ui->status, "名称") ? WZ_NAME :
				    strstr(s->ui->status, "模板") ? WZ_TYPE : WZ_CODE;
			} else {
				ui_message(s->ui, 0, "已添加学校：%s %s。按 F3 新增教职工。", code, trimmed);
				ui_replace(s->ui, &scr_staff_ops, id);
				free(code);
				free(name);
				return UI_STAY;
			}
			free(code);
			free(name);
		}
		break;
	default: break;
	}
	return UI_STAY;
}

static void
wizard_done(struct screen *s)
{
	struct wizard *w = s->priv;

	lineedit_free(&w->edit[WZ_CODE]);
	lineedit_free(&w->edit[WZ_NAME]);
}

static const enum request wizard_legend[] = { REQ_ENTER, REQ_BACK, REQ_QUIT, REQ_NONE };

const struct screen_ops scr_wizard_ops = {
	.name = "wizard", .priv_size = sizeof(struct wizard), .legend = wizard_legend, .popup = 1,
	.open = wizard_open, .draw = wizard_draw, .key = wizard_key, .done = wizard_done,
};
