/* scr_picker.c — choosing a code: type its digits, pinyin initials
 * (hz → 01 汉族) or Chinese to filter; a tree table opens level by level
 * (→ down, ← up); multi-select with 空格, exclusive codes respected.  Runs
 * modally (ui_modal): the caller gets the value in picker_arg.result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "ui.h"
#include "util.h"

struct item {
	const struct code *c;
	int                score;
	int                children;   /* tree: has allowed children */
};

struct picker {
	struct picker_arg      *arg;
	const struct code_table *t;
	unsigned char          *allowed;   /* by row index: passes choice_filter */
	unsigned char          *on;        /* by row index: selected (multi) */
	char                    query[128];
	const char             *parent;    /* tree level shown (NULL: top) */
	struct item            *item;
	int                     nitem, sel, top;
};

static int
row_index(const struct code_table *t, const struct code *c)
{
	return (int)(c - t->row);
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	return (int)(x->c - y->c);
}

static void
picker_build(struct picker *p)
{
	const struct code_table *t = p->t;

	free(p->item);
	p->item = xcalloc(t->nrow + 1, sizeof *p->item);
	p->nitem = 0;
	for (size_t i = 0; i < t->nrow; i++) {
		const struct code *c = &t->row[i];
		int score;

		if (!p->allowed[i] && c->pick)
			continue;
		if (p->query[0] != '\0') {
			if (!c->pick || (score = codes_match(c, p->query)) <= 0)
				continue;
		} else {
			if (t->tree && !str_eq(c->parent, p->parent))
				continue;
			score = 0;
		}
		p->item[p->nitem].c = c;
		p->item[p->nitem].score = score;
		for (size_t k = 0; t->tree && k < t->nrow; k++)
			if (str_eq(t->row[k].parent, c->code) && (p->allowed[k] || !t->row[k].pick))
				p->item[p->nitem].children++;
		/* a heading with nothing allowed below it is not shown */
		if (!c->pick && p->item[p->nitem].children == 0)
			continue;
		p->nitem++;
	}
	if (p->query[0] != '\0')
		xqsort(p->item, (size_t)p->nitem, sizeof *p->item, item_cmp);
	if (p->sel >= p->nitem)
		p->sel = p->nitem ? p->nitem - 1 : 0;
}

/* A code typed whole from the paper form needs no Enter: digits that are
 * one offered code and the beginning of no other (01 汉族, 1 是, but not
 * 1 of a table with 10–19) choose it at once.  Single choice only; a
 * multiple choice (政治面貌) may want more codes. */
static int
picker_auto(struct picker *p)
{
	const struct code *hit = NULL;
	size_t len = strlen(p->query);

	if (fieldtype_of(p->arg->field)->coded != 1 || len == 0 || strspn(p->query, "0123456789") != len)
		return 0;
	for (size_t i = 0; i < p->t->nrow; i++) {
		const struct code *c = &p->t->row[i];

		if (!p->allowed[i] && c->pick)
			continue;
		if (strncmp(c->code, p->query, len) != 0)
			continue;
		if (c->code[len] != '\0' || !c->pick || hit != NULL)
			return 0;   /* a longer code, a heading, or a second one */
		hit = c;
	}
	if (hit == NULL)
		return 0;
	p->arg->result = xstrdup(hit->code);
	p->arg->chosen = 1;
	return 1;
}

static int
picker_open(struct screen *s, void *arg)
{
	struct picker *p = s->priv;
	struct picker_arg *a = arg;
	const struct code_table *t = a->field->table;
	sqlite3_stmt *st;
	char *sql;

	if (t == NULL)
		return -1;
	p->arg = a;
	p->t = t;
	p->allowed = xcalloc(t->nrow + 1, 1);
	p->on = xcalloc(t->nrow + 1, 1);
	sql = xasprintf("SELECT code FROM temp.code WHERE tbl = ?1 AND (%s)", a->filter_sql ? a->filter_sql : "1");
	if (sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const struct code *c = codes_find(t, (const char *)sqlite3_column_text(st, 0));

			if (c != NULL)
				p->allowed[row_index(t, c)] = code_offered(c);
		}
		sqlite3_finalize(st);
	} else
		for (size_t i = 0; i < t->nrow; i++)
			p->allowed[i] = code_offered(&t->row[i]);
	free(sql);
	if (a->current != NULL) {
		char *copy = xstrdup(a->current), *save = NULL;

		for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			const struct code *c = codes_find(t, tok);

			if (c != NULL)
				p->on[row_index(t, c)] = 1;
		}
		free(copy);
	}
	if (a->query != NULL)
		snprintf(p->query, sizeof p->query, "%s", a->query);
	picker_build(p);
	/* chosen by its first key: not opened (the caller reads the result) */
	return picker_auto(p) ? -1 : 0;
}

static void
picker_draw(struct screen *s)
{
	struct picker *p = s->priv;
	int multi = fieldtype_of(p->arg->field)->coded == 2;
	int h = LINES - 4 < 22 ? LINES - 4 : 22, w = COLS - 4 < 60 ? COLS - 4 : 60, y0, x0;
	const char *label = p->arg->field->v[FC_LABEL], *hint = p->arg->field->v[FC_HINT];
	int nh = hint ? draw_wrap(-1, 0, hint, w - 4, 2) : 0, rows = h - 5 - nh;
	char line[256];

	draw_box(h, w, &y0, &x0);
	/* the code table's name only where it says more than the label
	 * (not 民族（民族）, 获得学历（学历）); then the indicator's explanation */
	if (strstr(label, p->t->label) != NULL || strstr(p->t->label, label) != NULL)
		snprintf(line, sizeof line, "%s%s", label, multi ? " 可多选" : "");
	else
		snprintf(line, sizeof line, "%s（%s）%s", label, p->t->label, multi ? " 可多选" : "");
	attron(A_BOLD);
	draw_text(y0 + 1, x0 + 2, line, w - 4);
	attroff(A_BOLD);
	if (hint != NULL) {
		attron(A_DIM);
		draw_wrap(y0 + 2, x0 + 2, hint, w - 4, 2);
		attroff(A_DIM);
	}
	y0 += nh;
	snprintf(line, sizeof line, "查找：%s", p->query);
	draw_text(y0 + 2, x0 + 2, line, w - 4);
	s->ui->cursor_y = y0 + 2;
	s->ui->cursor_x = x0 + 2 + utf8_width("查找：") + utf8_width(p->query);
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	for (int i = p->top; i < p->nitem && i - p->top < rows; i++) {
		const struct item *it = &p->item[i];
		int idx = row_index(p->t, it->c);
		int indent = p->query[0] ? it->c->depth * 2 : 0;

		snprintf(line, sizeof line, "%*s%s%s %s%s", indent, "", multi ? (p->on[idx] ? "[✓] " : "[ ] ") : "",
		    it->c->code, it->c->name, it->children && !p->query[0] ? " ▶" : "");
		if (i == p->sel)
			attron(A_REVERSE);
		if (!it->c->pick)
			attron(A_DIM);
		draw_text(y0 + 3 + i - p->top, x0 + 2, line, w - 4);
		if (!it->c->pick)
			attroff(A_DIM);
		if (i == p->sel)
			attroff(A_REVERSE);
	}
	if (p->nitem == 0)
		draw_text(y0 + 3, x0 + 2, "没有符合的代码", w - 4);
	snprintf(line, sizeof line, "%sEnter %s%s  Esc 取消", multi ? "空格 勾选  " : "", multi ? "确定" : "选定",
	    p->t->tree ? "  → 下级  ← 上级" : "");
	draw_text(y0 - nh + h - 2, x0 + 2, line, w - 4);
}

/* The chosen codes, space-separated, in table order (caller frees). */
static char *
picker_value(struct picker *p)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < p->t->nrow; i++)
		if (p->on[i]) {
			if (b.len)
				strbuf_addc(&b, ' ');
			strbuf_adds(&b, p->t->row[i].code);
		}
	return strbuf_take(&b);
}

static void
toggle(struct picker *p, const struct code *c)
{
	int idx = row_index(p->t, c);

	if (!c->pick)
		return;
	p->on[idx] = !p->on[idx];
	if (!p->on[idx])
		return;
	/* exclusive: 13 群众 or 00 无 stands alone */
	for (size_t i = 0; i < p->t->nrow; i++)
		if ((int)i != idx && p->on[i] && (c->excl || p->t->row[i].excl))
			p->on[i] = 0;
}

static enum ui_action
picker_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct picker *p = s->priv;
	int multi = fieldtype_of(p->arg->field)->coded == 2;
	const struct item *it = p->nitem ? &p->item[p->sel] : NULL;

	if (is_char && ch != L' ' && r != REQ_ENTER) {
		char enc[4];
		size_t n = utf8_encode(ch, enc), len = strlen(p->query);

		if (len + n + 1 < sizeof p->query) {
			memcpy(p->query + len, enc, n);
			p->query[len + n] = '\0';
		}
		p->sel = p->top = 0;
		picker_build(p);
		return picker_auto(p) ? UI_POP : UI_STAY;
	}
	switch (r) {
	case REQ_UP: if (p->sel > 0) p->sel--; break;
	case REQ_DOWN: if (p->sel + 1 < p->nitem) p->sel++; break;
	case REQ_PGUP: p->sel = p->sel > 10 ? p->sel - 10 : 0; break;
	case REQ_PGDN: p->sel = p->sel + 10 < p->nitem ? p->sel + 10 : (p->nitem ? p->nitem - 1 : 0); break;
	case REQ_BS:
		if (p->query[0] != '\0') {
			size_t len = strlen(p->query);

			while (len > 0 && ((unsigned char)p->query[len - 1] & 0xC0) == 0x80)
				len--;
			p->query[len ? len - 1 : 0] = '\0';
			p->sel = p->top = 0;
			picker_build(p);
		}
		break;
	case REQ_RIGHT:
		if (it && it->children && p->query[0] == '\0') {
			p->parent = it->c->code;
			p->sel = p->top = 0;
			picker_build(p);
		}
		break;
	case REQ_LEFT:
		if (p->parent != NULL) {
			const struct code *up = codes_find(p->t, p->parent);

			p->parent = up ? up->parent : NULL;
			p->sel = p->top = 0;
			picker_build(p);
			for (int i = 0; up && i < p->nitem; i++)
				if (p->item[i].c == up)
					p->sel = i;
		}
		break;
	case REQ_TOGGLE:
		if (multi && it)
			toggle(p, it->c);
		break;
	case REQ_ENTER:
		if (it == NULL)
			break;
		if (!it->c->pick) {
			/* a heading: open it */
			p->parent = it->c->code;
			p->query[0] = '\0';
			p->sel = p->top = 0;
			picker_build(p);
			break;
		}
		if (multi) {
			/* Enter takes the highlighted code too (exclusive ones alone) */
			if (!p->on[row_index(p->t, it->c)])
				toggle(p, it->c);
			p->arg->result = picker_value(p);
		} else
			p->arg->result = xstrdup(it->c->code);
		p->arg->chosen = 1;
		return UI_POP;
	case REQ_KILL:
		/* clear the field */
		p->arg->result = NULL;
		p->arg->chosen = 1;
		return UI_POP;
	case REQ_BACK: return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static void
picker_done(struct screen *s)
{
	struct picker *p = s->priv;

	free(p->item);
	free(p->allowed);
	free(p->on);
}

static const enum request picker_legend[] = { REQ_ENTER, REQ_TOGGLE, REQ_KILL, REQ_BACK, REQ_NONE };

const struct screen_ops scr_picker_ops = {
	.name = "picker", .priv_size = sizeof(struct picker), .legend = picker_legend, .popup = 1,
	.open = picker_open, .draw = picker_draw, .key = picker_key, .done = picker_done,
};
