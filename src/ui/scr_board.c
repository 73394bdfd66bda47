/* scr_board.c — the county progress board: one line per school with
 * expected and entered staff, 录入率 with a bar, 完整率, submitted,
 * approved, signed and stale signatures; schools with nobody entered
 * first, as the provincial notices rank them.  F6 changes the sort, Enter
 * opens the school's staff list.  People not yet checked are checked in
 * idle time, school by school, and the board redraws as they come in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "county.h"
#include "ui_workflow.h"
#include "util.h"

struct board {
	struct board_row *row;
	struct board_row  total;
	size_t            n, sel, top;
	enum board_sort   sort;
	int               pending;   /* schools may still need checking */
	sqlite3_int64     last;      /* school refreshed last (no loop on a failing one) */
	int               named;     /* the status line holds what board_say said */
};

static void
board_load(struct screen *s)
{
	struct board *p = s->priv;
	char *cause = NULL;

	board_free(p->row, p->n);
	board_row_clear(&p->total);
	p->row = NULL;
	p->n = 0;
	if (county_board(s->ui->app->st, p->sort, &p->row, &p->n, &p->total, &cause) != JZG_OK ||
	    changes_board(s->ui->app->st, p->row, p->n, &p->total, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
	}
	if (p->sel >= p->n)
		p->sel = p->n ? p->n - 1 : 0;
}

static void board_say(struct screen *s);

static int
board_open(struct screen *s, void *arg)
{
	struct board *p = s->priv;

	(void)arg;
	p->sort = BOARD_SORT_NOTICE;
	p->pending = 1;
	p->last = -1;
	board_load(s);
	board_say(s);
	return 0;
}

/* six columns: "100.0%" or "     —" */
static void
rate(char *buf, size_t n, double r)
{
	if (r < 0)
		snprintf(buf, n, "     —");
	else
		snprintf(buf, n, "%5.1f%%", 100 * r);
}

/* Wide terminals show a bar of 录入率; at 80 columns the bar gives way,
 * and a school name longer than its column (ending in …) is said whole on
 * the status line when its row is selected.  Every column always shows. */
enum { BOARD_BAR_COLS = 100, NUMS_W = 48 };

static int
name_width(void)
{
	int w = COLS - 12 - NUMS_W - 1 - (COLS >= BOARD_BAR_COLS ? 11 : 0);

	return w < 8 ? 8 : w;
}

static void
draw_row(int y, const struct board_row *r, int bold, int rekey)
{
	char buf[160], er[16], dr[16], vr[16], ek[16];
	int bar = r->entry_rate < 0 ? 0 : r->entry_rate >= 1 ? 10 : (int)(r->entry_rate * 10 + 0.5);
	int nw = name_width(), x = 13 + nw;
	char bars[64] = "";

	rate(er, sizeof er, r->entry_rate);
	rate(dr, sizeof dr, r->done_rate);
	rate(vr, sizeof vr, r->verify_rate);
	if (r->error_rate < 0)
		snprintf(ek, sizeof ek, "    —");
	else
		snprintf(ek, sizeof ek, "%5.1f", r->error_rate);
	if (bold)
		attron(A_BOLD);
	draw_text(y, 0, "", COLS);
	draw_text(y, 1, r->code, 11);
	draw_text(y, 12, r->name, nw);
	snprintf(buf, sizeof buf, "%5d %5d %s", r->expected, r->entered, er);
	draw_text(y, x, buf, 18);
	x += 19;
	if (COLS >= BOARD_BAR_COLS) {
		for (int k = 0; k < 10; k++)
			strcat(bars, k < bar ? "█" : "░");
		draw_text(y, x, r->entered == 0 ? "未录入" : bars, 11);
		x += 11;
	}
	snprintf(buf, sizeof buf, "%s %5d %5d %5d %4d %s %s", dr, r->submitted, r->approved, r->signed_, r->stale,
	    rekey ? vr : "", rekey ? ek : "");
	draw_text(y, x, buf, COLS - x);
	if (bold)
		attroff(A_BOLD);
}

static void
board_draw(struct screen *s)
{
	struct board *p = s->priv;
	int rows = LINES - 6, nw = name_width(), rekey;
	char title[256], head[256];

	snprintf(title, sizeof title, " 录入进度 — %zu 所学校（%s）%s", p->n, board_sort_label(p->sort),
	    p->pending ? " — 正在检查…" : "");
	/* 更新率 (changes.h): only schools with a baseline have one; no
	 * column is left at 80 columns, so the selected school's is here */
	if (p->sel < p->n && p->row[p->sel].update_rate >= 0)
		snprintf(title + strlen(title), sizeof title - strlen(title), " — 本校更新率 %.1f%%",
		    100 * p->row[p->sel].update_rate);
	draw_title(title);
	snprintf(head, sizeof head, "学校标识码 学校名称%*s  应有  已录 录入率 %s完整率  待审  已审  签字 重签",
	    nw - 8, "", COLS >= BOARD_BAR_COLS ? "进度       " : "");
	/* double-entry verification's two columns where they fit (stats and
	 * rekey report have them always) */
	if ((rekey = utf8_width(head) + 15 <= COLS - 1))
		strncat(head, " 核对率  差错‰", sizeof head - strlen(head) - 1);
	attron(A_BOLD);
	draw_text(1, 1, head, COLS - 1);
	attroff(A_BOLD);
	if (p->n == 0) {
		draw_text(3, 2, "文件中还没有学校。", COLS - 4);
		return;
	}
	if (p->sel < p->top)
		p->top = p->sel;
	if (rows > 0 && p->sel >= p->top + (size_t)rows)
		p->top = p->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && p->top + (size_t)i < p->n; i++) {
		size_t k = p->top + (size_t)i;

		if (k == p->sel)
			attron(A_REVERSE);
		draw_row(2 + i, &p->row[k], 0, rekey);
		if (k == p->sel)
			attroff(A_REVERSE);
	}
	draw_row(LINES - 3, &p->total, 1, rekey);
}

/* Said when a row is selected: a school name cut in its column, whole;
 * how an empty 应有 is filled. */
static void
board_say(struct screen *s)
{
	struct board *p = s->priv;
	const struct board_row *r = p->n ? &p->row[p->sel] : NULL;

	if (r != NULL && utf8_width(r->name) > name_width()) {
		ui_message(s->ui, 0, "%s %s%s", r->code, r->name, r->expected ? "" : "；应有未填，按 ^N 填写");
		p->named = 1;
	} else if (r != NULL && r->expected == 0) {
		ui_message(s->ui, 0, "%s", UI_EXPECTED_HINT);
		p->named = 1;
	} else if (p->named) {
		ui_message(s->ui, 0, "%s", "");
		p->named = 0;
	}
}

static enum ui_action
board_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct board *p = s->priv;
	size_t rows = LINES > 7 ? (size_t)(LINES - 6) : 1;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (p->sel > 0) p->sel--; break;
	case REQ_DOWN: if (p->sel + 1 < p->n) p->sel++; break;
	case REQ_PGUP: p->sel = p->sel > rows ? p->sel - rows : 0; break;
	case REQ_PGDN: p->sel = p->sel + rows < p->n ? p->sel + rows : (p->n ? p->n - 1 : 0); break;
	case REQ_HOME: p->sel = 0; break;
	case REQ_END: p->sel = p->n ? p->n - 1 : 0; break;
	default: break;
	}
	switch (r) {
	case REQ_UP: case REQ_DOWN: case REQ_PGUP: case REQ_PGDN: case REQ_HOME: case REQ_END:
		board_say(s);
		break;
	case REQ_SORT:
		p->sort = (enum board_sort)((p->sort + 1) % BOARD_SORT__COUNT);
		board_sort_rows(p->row, p->n, p->sort);
		ui_message(s->ui, 0, "排序：%s", board_sort_label(p->sort));
		break;
	case REQ_ENTER:
		if (p->n > 0) {
			sqlite3_int64 id = p->row[p->sel].school_id;

			ui_push(s->ui, &scr_staff_ops, &id);
		}
		break;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); break;
	case REQ_EXPECT:
		if (p->n > 0) {
			ui_set_expected(s->ui, p->row[p->sel].code, p->row[p->sel].expected);
			board_load(s);
		}
		break;
	case REQ_BACK: return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static void
board_resume(struct screen *s)
{
	struct board *p = s->priv;

	p->pending = 1;   /* people may have changed */
	p->last = -1;
	board_load(s);
}

/* One school per call: rules over a 500-person school take well under the
 * time between two keystrokes of a fast typist. */
static int
board_idle(struct screen *s)
{
	struct board *p = s->priv;
	sqlite3_int64 sid;
	char *cause = NULL;

	if (!p->pending || s->ui->rules == NULL)
		return 0;
	if (county_next_stale(s->ui->app->st, &sid, &cause) != JZG_OK || sid == 0 || sid == p->last ||
	    county_refresh_school(s->ui->app->st, s->ui->rules, sid, &cause) != JZG_OK) {
		if (cause != NULL)
			ui_message(s->ui, 1, "检查失败：%s", cause);
		free(cause);
		p->pending = 0;
		board_load(s);
		return 0;
	}
	p->last = sid;
	board_load(s);
	return 1;
}

static void
board_done(struct screen *s)
{
	struct board *p = s->priv;

	board_free(p->row, p->n);
	board_row_clear(&p->total);
}

static const enum request board_legend[] = { REQ_HELP, REQ_EXPECT, REQ_ENTER, REQ_SORT, REQ_BACK, REQ_QUIT, REQ_NONE };

const struct screen_ops scr_board_ops = {
	.name = "board", .priv_size = sizeof(struct board), .legend = board_legend,
	.open = board_open, .draw = board_draw, .key = board_key, .resume = board_resume,
	.idle = board_idle, .done = board_done,
};
