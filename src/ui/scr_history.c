/* scr_history.c — the history of one field (or one person) from the audit
 * trail: when, who, through which path, old → new.  A popup over the
 * person screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ui_workflow.h"
#include "util.h"

struct history {
	char  **line;
	size_t  n, cap, top;
	char    title[200];
};

static int
history_cb(const struct audit_row *r, void *arg)
{
	struct history *p = arg;
	struct strbuf b = { 0 };

	strbuf_addf(&b, "%s  ", r->at);
	strbuf_addpad(&b, r->actor ? r->actor : "（未登录）", 11);
	strbuf_addpad(&b, audit_path_label(r->path), 9);
	if (str_eq(r->op, "update"))
		strbuf_addf(&b, "%s → %s", r->old_value ? r->old_value : "（空）", r->new_value ? r->new_value : "（空）");
	else if (str_eq(r->op, "insert")) {
		char *t = audit_insert_text(r);

		strbuf_adds(&b, t);
		free(t);
	} else if (str_eq(r->op, "rekey")) {
		char *t = audit_rekey_text(r);

		strbuf_adds(&b, t);
		free(t);
	} else
		strbuf_adds(&b, "删除");
	if (p->n == p->cap)
		p->line = xreallocarray(p->line, p->cap = p->cap ? 2 * p->cap : 16, sizeof *p->line);
	p->line[p->n++] = strbuf_take(&b);
	return 0;
}

static int
history_open(struct screen *s, void *arg)
{
	struct history *p = s->priv;
	const struct history_arg *a = arg;
	char *cause = NULL;

	snprintf(p->title, sizeof p->title, " 修改记录%s%s", a->label ? " — " : "", a->label ? a->label : "");
	if (audit_log(s->ui->app->st, &(struct audit_filter){ .staff_id = a->staff_id, .set_name = a->set_name,
	    .field = a->field }, history_cb, p, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
		return -1;
	}
	if (p->n > 0)
		p->top = p->n > 10 ? p->n - 10 : 0;   /* the latest at the bottom, in view */
	return 0;
}

static void
history_draw(struct screen *s)
{
	struct history *p = s->priv;
	int h = LINES - 6 < 14 ? LINES - 6 : 14, w = COLS - 8, y0, x0;

	draw_box(h, w, &y0, &x0);
	attron(A_BOLD);
	draw_text(y0, x0 + 2, p->title, w - 4);
	attroff(A_BOLD);
	if (p->n == 0)
		draw_text(y0 + 2, x0 + 2, "没有修改记录。", w - 4);
	for (int i = 0; i < h - 2 && p->top + (size_t)i < p->n; i++)
		draw_text(y0 + 1 + i, x0 + 2, p->line[p->top + (size_t)i], w - 4);
}

static enum ui_action
history_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct history *p = s->priv;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (p->top > 0) p->top--; break;
	case REQ_DOWN: if (p->top + 1 < p->n) p->top++; break;
	case REQ_QUIT: return UI_QUIT;
	default: return UI_POP;
	}
	return UI_STAY;
}

static void
history_done(struct screen *s)
{
	struct history *p = s->priv;

	for (size_t i = 0; i < p->n; i++)
		free(p->line[i]);
	free(p->line);
}

static const enum request history_legend[] = { REQ_UP, REQ_DOWN, REQ_BACK, REQ_NONE };

const struct screen_ops scr_history_ops = {
	.name = "history", .priv_size = sizeof(struct history), .legend = history_legend, .popup = 1,
	.open = history_open, .draw = history_draw, .key = history_key, .done = history_done,
};
