/* scr_printer.c — choose the printer for a sheet: the printers CUPS knows
 * (lpstat, through lp.h), each with its state, the default marked.  A popup
 * over the staff list; Enter prints on the one under the cursor, Esc
 * prints nothing. */
#include <stdlib.h>

#include "lp.h"
#include "ui.h"
#include "util.h"

struct chooser {
	struct printer_arg *a;
	size_t              cur;
};

static int
printer_open(struct screen *s, void *arg)
{
	struct chooser *c = s->priv;

	c->a = arg;
	c->cur = c->a->chosen >= 0 && (size_t)c->a->chosen < c->a->n ? (size_t)c->a->chosen : 0;
	c->a->chosen = -1;
	return c->a->n > 0 ? 0 : -1;
}

static void
printer_draw(struct screen *s)
{
	struct chooser *c = s->priv;
	int h = (int)c->a->n + 4, w = COLS - 8 < 72 ? COLS - 8 : 72, y0, x0;

	if (h > LINES - 4)
		h = LINES - 4;
	draw_box(h, w, &y0, &x0);
	attron(A_BOLD);
	draw_text(y0, x0 + 2, " 选择打印机（* 为默认）", w - 4);
	attroff(A_BOLD);
	for (int i = 0; i < h - 3; i++) {
		size_t k = c->cur >= (size_t)(h - 3) ? c->cur - (size_t)(h - 4) + (size_t)i : (size_t)i;
		const struct lp_printer *p;
		struct strbuf b = { 0 };
		char *state;

		if (k >= c->a->n)
			break;
		p = &c->a->p[k];
		state = lp_printer_state(p);
		strbuf_addf(&b, "%s ", p->is_default ? "*" : " ");
		strbuf_addpad(&b, p->name, 28);
		strbuf_addf(&b, " %s", state);
		if (k == c->cur)
			attron(A_REVERSE);
		draw_text(y0 + 1 + i, x0 + 2, b.s, w - 4);
		attroff(A_REVERSE);
		free(state);
		strbuf_free(&b);
	}
	draw_text(y0 + h - 2, x0 + 2, "Enter 在这台打印，Esc 不打印（PDF 已保存）", w - 4);
}

static enum ui_action
printer_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct chooser *c = s->priv;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (c->cur > 0) c->cur--; break;
	case REQ_DOWN: if (c->cur + 1 < c->a->n) c->cur++; break;
	case REQ_ENTER: c->a->chosen = (int)c->cur; return UI_POP;
	case REQ_BACK: return UI_POP;
	default: break;
	}
	return UI_STAY;
}

static const enum request printer_legend[] = { REQ_UP, REQ_DOWN, REQ_ENTER, REQ_BACK, REQ_NONE };

const struct screen_ops scr_printer_ops = {
	.name = "printer", .priv_size = sizeof(struct chooser), .legend = printer_legend, .popup = 1,
	.open = printer_open, .draw = printer_draw, .key = printer_key,
};
