/* scr_rekey.c — verify mode: a second operator keys a marked person again
 * from the paper form, the first keying hidden.  The fields come in the
 * order of the form, record by record; those derived, defaulted or not
 * relevant are shown but skipped.  On leaving a field whose value differs
 * from the first keying, both are shown and the verifier says which is
 * right (the first, the second, or keys it a third time).  Everything
 * that decides — who may verify, what is keyed, what a decision stores —
 * is the core's (rekey.h); this file draws and reads keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "entry.h"
#include "fieldtype.h"
#include "idcard.h"
#include "lineedit.h"
#include "rekey.h"
#include "ui.h"
#include "util.h"

#define LABEL_W 26

enum mode {
	M_KEY,      /* typing the second keying of the current field */
	M_DECIDE,   /* the two keyings differ: which is right? */
	M_AGAIN     /* typing a third keying */
};

struct verify {
	struct rekey_session *s;
	size_t                cur;      /* item being keyed */
	enum mode             mode;
	struct lineedit       le;
	int                   editing;
	char                 *second;   /* M_DECIDE, M_AGAIN: the second keying */
	char                 *title;
	int                   top;      /* first item of the current record shown */
};

static const enum request choices[] = { REQ_FIRST, REQ_SECOND, REQ_AGAIN, REQ_NONE };

static int
keyable(const struct rekey_item *it)
{
	return it->skip == RK_KEY && !it->done;
}

/* The next item to key from i on (dir +1) or back (dir -1); n when none. */
static size_t
next_item(const struct verify *v, size_t i, int dir)
{
	const struct rekey_session *s = v->s;

	for (; i < s->n; i = dir > 0 ? i + 1 : i - 1)
		if (keyable(&s->item[i]))
			return i;
	return s->n;
}

static void
start_edit(struct screen *sc, const char *text)
{
	struct verify *v = sc->priv;
	const struct field_def *f;
	int w = COLS - LABEL_W - 4;

	if (v->editing)
		lineedit_free(&v->le);
	v->editing = 0;
	if (v->cur >= v->s->n)
		return;
	f = v->s->item[v->cur].field;
	lineedit_init(&v->le, w < 8 ? 8 : w, f->length > 0 ? (size_t)f->length : 0);
	lineedit_set(&v->le, text);
	v->editing = 1;
}

/* On to item cur: a discrepancy of rekey compare (the other file's value
 * is the second keying) goes straight to the decision. */
static void
enter_item(struct screen *sc)
{
	struct verify *v = sc->priv;
	const struct rekey_item *it = v->cur < v->s->n ? &v->s->item[v->cur] : NULL;

	free(v->second);
	v->second = NULL;
	v->mode = M_KEY;
	start_edit(sc, NULL);
	if (it != NULL && it->source != NULL) {
		v->second = xstrdup(it->second);
		v->mode = M_DECIDE;
	}
}

static void
say_left(struct screen *sc)
{
	struct verify *v = sc->priv;
	size_t left = rekey_left(v->s);

	if (left == 0)
		ui_message(sc->ui, 0, "本人已核对完毕（%zu 项）。Esc 返回教职工列表", v->s->n);
	else
		ui_message(sc->ui, 0, "对照纸质表录入；还剩 %zu 项。不一致时会请您判定", left);
}

static int
verify_open(struct screen *sc, void *arg)
{
	struct verify *v = sc->priv;
	struct person_arg *a = arg;
	struct store *st = sc->ui->app->st;
	char *cause = NULL, *name = NULL, *idno = NULL, *school = NULL, *masked;

	if (rekey_begin(st, a->staff_id, &v->s, &cause) != JZG_OK) {
		ui_message(sc->ui, 1, "不能核对：%s", cause);
		free(cause);
		return -1;
	}
	entry_person(v->s->e, &name, &idno, &school);
	masked = idcard_mask(idno);
	v->title = xasprintf(" 二次录入核对 — %s %s — %s — 核对人 %s", name && *name ? name : "（未填姓名）", masked,
	    school ? school : "", v->s->verifier);
	free(masked);
	free(name);
	free(idno);
	free(school);
	v->cur = next_item(v, 0, 1);
	enter_item(sc);
	say_left(sc);
	return 0;
}

/* ----------------------------------------------------------------- draw */

static const char *
skip_text(enum rekey_skip k)
{
	switch (k) {
	case RK_DERIVED: return "—— 自动生成，不核对";
	case RK_DEFAULTED: return "—— 默认值，不核对";
	case RK_IRRELEVANT: return "—— 不填";
	default: return "";
	}
}

/* The discrepancy: both keyings and the three choices, over the form. */
static void
draw_decide(struct screen *sc)
{
	struct verify *v = sc->priv;
	const struct rekey_item *it = &v->s->item[v->cur];
	char *a = ui_value_text(it->field, it->first), *b = ui_value_text(it->field, v->second), line[512];
	int y0, x0, w = COLS - 2 < 78 ? COLS - 2 : 78;   /* over the ▶ of the field */

	draw_box(v->mode == M_AGAIN ? 8 : 7, w, &y0, &x0);
	attron(A_BOLD);
	snprintf(line, sizeof line, "两次录入不一致：%s", it->field->v[FC_LABEL]);
	draw_text(y0 + 1, x0 + 2, line, w - 4);
	attroff(A_BOLD);
	snprintf(line, sizeof line, "第一次（%s%s）：%s", it->source ? "本文件，" : "", it->keyer ? it->keyer : "未记名",
	    *a ? a : "（空）");
	draw_text(y0 + 2, x0 + 2, line, w - 4);
	snprintf(line, sizeof line, "第二次（%s%s）：%s", it->source ? "比对 " : "",
	    it->source ? it->source + strlen("compare:") : v->s->verifier, *b ? b : "（空）");
	draw_text(y0 + 3, x0 + 2, line, w - 4);
	snprintf(line, sizeof line, "%s %s   %s %s   %s %s   Esc %s", request_key_name(REQ_FIRST),
	    request_label[REQ_FIRST], request_key_name(REQ_SECOND), request_label[REQ_SECOND],
	    request_key_name(REQ_AGAIN), request_label[REQ_AGAIN], it->source ? "返回列表" : "改第二次");
	draw_text(y0 + 5, x0 + 2, line, w - 4);
	if (v->mode == M_AGAIN) {
		wchar_t vis[512];

		draw_text(y0 + 6, x0 + 2, "重新录入：", 10);
		attron(A_UNDERLINE);
		lineedit_visible(&v->le, vis, 512);
		if (v->le.width > w - 16)
			lineedit_set_width(&v->le, w - 16);
		draw_wtext(y0 + 6, x0 + 12, vis, v->le.width);
		attroff(A_UNDERLINE);
		sc->ui->cursor_y = y0 + 6;
		sc->ui->cursor_x = x0 + 12 + lineedit_cursor_col(&v->le);
	} else
		sc->ui->cursor_y = -1;
	free(a);
	free(b);
}

static void
verify_draw(struct screen *sc)
{
	struct verify *v = sc->priv;
	const struct rekey_session *s = v->s;
	size_t at = v->cur < s->n ? v->cur : s->n ? s->n - 1 : 0, first = at, last;
	int rows = LINES - 5, vx = LABEL_W + 2, vw = COLS - vx - 1;
	char head[256];

	draw_title(v->title);
	if (s->n == 0) {
		draw_text(2, 2, "此人没有需要核对的记录。", COLS - 4);
		return;
	}
	/* the current record: its items around the current one */
	while (first > 0 && s->item[first - 1].set == s->item[at].set && s->item[first - 1].key == s->item[at].key)
		first--;
	for (last = at; last + 1 < s->n && s->item[last + 1].set == s->item[at].set &&
	    s->item[last + 1].key == s->item[at].key; last++)
		;
	if (s->item[at].rec > 0)
		snprintf(head, sizeof head, "%s — 第 %d 条", s->item[at].set->v[SC_LABEL], s->item[at].rec);
	else
		snprintf(head, sizeof head, "%s", s->item[at].set->v[SC_LABEL]);
	attron(A_BOLD);
	draw_text(1, 1, head, COLS - 2);
	attroff(A_BOLD);
	if (v->top < (int)first || v->top > (int)at)
		v->top = (int)first;
	while ((int)at - v->top >= rows)
		v->top++;
	for (size_t i = (size_t)v->top; i <= last && (int)(i - (size_t)v->top) < rows; i++) {
		const struct rekey_item *it = &s->item[i];
		int y = 2 + (int)(i - (size_t)v->top);

		if (i == v->cur)
			attron(A_BOLD);
		draw_text(y, 1, i == v->cur ? "▶" : " ", 2);
		draw_text(y, 3, it->field->v[FC_LABEL], LABEL_W - 2);
		if (i == v->cur)
			attroff(A_BOLD);
		if (it->skip != RK_KEY) {
			attron(A_DIM);
			draw_text(y, vx, skip_text(it->skip), vw);
			attroff(A_DIM);
		} else if (it->done) {
			/* keyed twice: the value kept is no secret any more */
			char *d = ui_value_text(it->field, it->first), *t = xasprintf("✓ %s", d);

			draw_text(y, vx, t, vw);
			free(t);
			free(d);
		} else if (i == v->cur && v->mode == M_KEY && v->editing) {
			wchar_t vis[512];

			attron(A_UNDERLINE);
			lineedit_visible(&v->le, vis, 512);
			draw_wtext(y, vx, vis, v->le.width);
			attroff(A_UNDERLINE);
			sc->ui->cursor_y = y;
			sc->ui->cursor_x = vx + lineedit_cursor_col(&v->le);
		} else
			draw_text(y, vx, i == v->cur ? "" : "·", vw);   /* the first keying stays hidden */
	}
	if (v->mode != M_KEY)
		draw_decide(sc);
}

/* ----------------------------------------------------------------- keys */

/* Store the decision for the current item; on to the next field. */
static void
decide(struct screen *sc, enum rekey_decision d, const char *final)
{
	struct verify *v = sc->priv;
	const char *label = v->s->item[v->cur].field->v[FC_LABEL];
	char *cause = NULL;

	ui_begin(sc->ui);
	if (rekey_decide(v->s, v->cur, v->second, d, final, &cause) != JZG_OK) {
		ui_commit_later(sc->ui, label);
		ui_message(sc->ui, 1, "%s", cause);
		free(cause);
		return;
	}
	ui_commit_later(sc->ui, label);
	v->cur = next_item(v, v->cur, 1);
	enter_item(sc);
	if (d == REKEY_SAME)
		say_left(sc);
	else
		ui_message(sc->ui, 0, "已判定：%s（%s）；还剩 %zu 项", label,
		    d == REKEY_FIRST ? request_label[REQ_FIRST] : d == REKEY_SECOND ? request_label[REQ_SECOND] :
		    request_label[REQ_AGAIN], rekey_left(v->s));
}

/* Leave the current field: the same as the first keying is recorded at
 * once, a different value asks for a decision. */
static void
leave_field(struct screen *sc)
{
	struct verify *v = sc->priv;
	char *typed = lineedit_get(&v->le);

	free(v->second);
	v->second = rekey_normalise(v->s, v->cur, typed);
	free(typed);
	if (!rekey_differs(v->s, v->cur, v->second)) {
		decide(sc, REKEY_SAME, NULL);
		return;
	}
	v->mode = M_DECIDE;
	ui_message(sc->ui, 1, "两次录入不一致：请对照纸质表判定");
}

/* F2 on a coded field: the code picker, showing nothing of the first
 * keying; the code chosen is the second keying. */
static void
pick(struct screen *sc, struct lineedit *le)
{
	struct verify *v = sc->priv;
	const struct field_def *f = v->s->item[v->cur].field;
	struct picker_arg pa = { f, NULL, NULL, NULL, NULL, 0 };

	if (fieldtype_of(f)->coded == 0)
		return;
	ui_modal(sc->ui, &scr_picker_ops, &pa);
	if (pa.chosen)
		lineedit_set(le, pa.result);
	free(pa.result);
}

static int
edit_key(struct lineedit *le, enum request r, wchar_t ch, int is_char)
{
	if (is_char && r != REQ_ENTER) {
		lineedit_insert(le, ch);
		return 1;
	}
	switch (r) {
	case REQ_LEFT: lineedit_key(le, LE_LEFT); return 1;
	case REQ_RIGHT: lineedit_key(le, LE_RIGHT); return 1;
	case REQ_HOME: lineedit_key(le, LE_HOME); return 1;
	case REQ_END: lineedit_key(le, LE_END); return 1;
	case REQ_BS: lineedit_key(le, LE_BACKSPACE); return 1;
	case REQ_DEL: lineedit_key(le, LE_DELETE); return 1;
	case REQ_KILL: lineedit_key(le, LE_KILL_LINE); return 1;
	default: return 0;
	}
}

static enum ui_action
verify_key(struct screen *sc, enum request r, wchar_t ch, int is_char)
{
	struct verify *v = sc->priv;

	if (r == REQ_QUIT)
		return UI_QUIT;   /* every decision is stored as it is made */
	if (v->mode == M_DECIDE) {
		enum request c = is_char ? request_of_char((int)ch, choices) : REQ_NONE;

		if (c == REQ_FIRST)
			decide(sc, REKEY_FIRST, NULL);
		else if (c == REQ_SECOND)
			decide(sc, REKEY_SECOND, NULL);
		else if (c == REQ_AGAIN) {
			v->mode = M_AGAIN;
			lineedit_set(&v->le, NULL);
			ui_message(sc->ui, 0, "对照纸质表再录一次：以这一次为准");
		} else if (r == REQ_BACK && v->s->item[v->cur].source != NULL)
			return UI_POP;   /* a comparison's value is not typed here */
		else if (r == REQ_BACK) {
			/* correct the second keying: nothing was stored */
			v->mode = M_KEY;
			ui_message(sc->ui, 0, "修改第二次录入的值");
		} else if (r == REQ_HELP)
			ui_push(sc->ui, &scr_help_ops, (void *)v->s->item[v->cur].field);
		return UI_STAY;
	}
	if (v->mode == M_AGAIN) {
		if (r == REQ_ENTER || r == REQ_NEXT) {
			char *typed = lineedit_get(&v->le), *third = rekey_normalise(v->s, v->cur, typed);

			decide(sc, REKEY_REKEY, third);
			free(third);
			free(typed);
		} else if (r == REQ_BACK) {
			v->mode = M_DECIDE;
			lineedit_set(&v->le, v->second);
		} else if (r == REQ_PICK)
			pick(sc, &v->le);
		else
			edit_key(&v->le, r, ch, is_char);
		return UI_STAY;
	}
	switch (r) {
	case REQ_ENTER:
	case REQ_NEXT:
	case REQ_DOWN:
		if (v->cur < v->s->n)
			leave_field(sc);
		break;
	case REQ_PREV:
	case REQ_UP: {
		/* back to a field not yet keyed (those keyed twice are decided) */
		size_t b = v->cur > 0 ? next_item(v, v->cur - 1, -1) : v->s->n;

		if (b < v->s->n) {
			v->cur = b;
			start_edit(sc, NULL);
		}
		break;
	}
	case REQ_PICK:
		if (v->cur < v->s->n)
			pick(sc, &v->le);
		break;
	case REQ_HELP:
		ui_push(sc->ui, &scr_help_ops, v->cur < v->s->n ? (void *)v->s->item[v->cur].field : NULL);
		break;
	case REQ_BACK:
		return UI_POP;   /* where it stopped is where it resumes */
	default:
		if (v->editing)
			edit_key(&v->le, r, ch, is_char);
		break;
	}
	return UI_STAY;
}

static void
verify_done(struct screen *sc)
{
	struct verify *v = sc->priv;

	if (v->editing)
		lineedit_free(&v->le);
	free(v->second);
	free(v->title);
	rekey_end(v->s);
}

static const enum request verify_legend[] = {
	REQ_HELP, REQ_PICK, REQ_QUIT, REQ_BACK, REQ_NONE
};

const struct screen_ops scr_rekey_ops = {
	.name = "rekey", .priv_size = sizeof(struct verify), .legend = verify_legend,
	.open = verify_open, .draw = verify_draw, .key = verify_key, .done = verify_done,
};
