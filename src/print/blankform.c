/* blankform.c — see blankform.h. */
#include "blankform.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "pdf.h"
#include "util.h"
#include "fieldtype.h"

#define ML  FLOW_ML
#define CW  FLOW_CW
#define PAD FLOW_PAD
#define LW  FLOW_LW
#define FL  (0.25 * CW)        /* label cell of a one-record set */
#define FA  (CW - FL)          /* answer cell */
#define WRITE_H 20.0           /* room to write a value by hand */

struct form {
	struct flow                f;   /* first: callbacks get &form.f */
	const struct template_def *tpl;
};

static void
page_begin(struct flow *f)
{
	struct form *fm = (struct form *)f;
	char *t = xasprintf("教职工基础信息采集表（%s）", fm->tpl->v[TC_LABEL]);
	double y = FLOW_TOP;

	y += pdf_text(f->p, PDF_TITLE, ML, y, CW, PDF_CENTER, t) + 4;
	free(t);
	y += pdf_text(f->p, PDF_BODY, ML, y, CW, PDF_LEFT,
	    "学校名称：＿＿＿＿＿＿＿＿＿＿＿＿　学校标识码：＿＿＿＿＿＿＿＿＿＿　姓名：＿＿＿＿＿＿＿＿") + 2;
	if (f->page == 1)
		y += pdf_text(f->p, PDF_SMALL, ML, y, CW, PDF_LEFT,
		    "填表说明：★ 为必填项，☆ 为满足条件时必填；有 □ 的项在选中的 □ 中打“√”，标明“可多选”的项可选多项，"
		    "其余项用汉字或数字填写；代码较多的项填写名称（代码表见括号内）；日期写成 年 月 日；小字为指标说明。"
		    "多条记录的信息集每行填写一条，不够可另附页。") + 2;
	pdf_line(f->p, ML, y, ML + CW, y, 0.8);
	f->y = y + 6;
	if (f->total > 0) {
		t = xasprintf("第 %d 页 共 %d 页", f->page, f->total);
		pdf_text(f->p, PDF_SMALL, ML, FLOW_FOOTY, CW, PDF_CENTER, t);
		free(t);
	}
}

static const char *
req_mark(const struct field_def *fd)
{
	return fd->required == REQ_YES ? "★" : fd->required == REQ_EXPR ? "☆" : "";
}

static size_t
picks(const struct code_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nrow; i++)
		n += code_offered(&t->row[i]);
	return n;
}

/* What the answer cell shows; boxes = 1 when it is a row of tick boxes.
 * Returns a new string (caller frees). */
static char *
answer(const struct field_def *fd)
{
	const struct fieldtype *ft = fieldtype_of(fd);
	struct strbuf b = { 0 };

	if (fd->readonly)
		return xstrdup("（由系统生成或引自其他信息集，不用填写）");
	if (!ft->coded || fd->table == NULL)
		return xstrdup(ft->blank);
	if (picks(fd->table) <= BLANKFORM_TICK_MAX) {
		for (size_t i = 0; i < fd->table->nrow; i++)
			if (code_offered(&fd->table->row[i]))
				strbuf_addf(&b, "%s□%s %s", b.len ? "　" : "", fd->table->row[i].code,
				    fd->table->row[i].name);
	} else
		strbuf_addf(&b, "填写名称：＿＿＿＿＿＿＿＿＿＿（见代码表“%s”）", fd->table->label);
	if (ft->coded == 2)
		strbuf_adds(&b, "（可多选）");
	return strbuf_take(&b);
}

/* ---------------------------------------------------------------- one-record sets */

struct fields {
	const struct set_def *s;
	char                **label;   /* with the required mark */
	char                **ans;
};

static double
field_h(struct flow *f, const struct fields *fs, size_t r)
{
	const struct field_def *fd = &fs->s->field[r];
	double a = flow_cell_h(f, PDF_LABEL, fs->label[r], FL - 2 * PAD);
	double b = str_empty(fs->ans[r]) ? WRITE_H : flow_cell_h(f, PDF_LABEL, fs->ans[r], FA - 2 * PAD) + 4;

	if (fd->v[FC_HINT] != NULL)
		b += flow_cell_h(f, PDF_SMALL, fd->v[FC_HINT], FA - 2 * PAD) + 1;
	return (a > b ? a : b) + 2 * PAD;
}

static void
field_draw(struct flow *f, const void *ctx, size_t r, double y)
{
	const struct fields *fs = ctx;
	const struct field_def *fd = &fs->s->field[r];
	double h = field_h(f, fs, r), ay = y + PAD;

	pdf_fill(f->p, ML, y, FL, h, FLOW_SHADE);
	pdf_rect(f->p, ML, y, FL, h, LW);
	pdf_rect(f->p, ML + FL, y, FA, h, LW);
	flow_cell_text(f, PDF_LABEL, ML + PAD, y + PAD, FL - 2 * PAD, fs->label[r]);
	if (str_empty(fs->ans[r]))
		ay += WRITE_H;
	else
		ay += pdf_text(f->p, PDF_LABEL, ML + FL + PAD, ay, FA - 2 * PAD, PDF_LEFT, fs->ans[r]) + 4;
	if (fd->v[FC_HINT] != NULL)
		pdf_text(f->p, PDF_SMALL, ML + FL + PAD, ay, FA - 2 * PAD, PDF_LEFT, fd->v[FC_HINT]);
}

static void
layout_fields(struct flow *f, const struct set_def *s, const char *title)
{
	size_t n = s->nfield;
	struct fields fs = { s, xcalloc(n + 1, sizeof(char *)), xcalloc(n + 1, sizeof(char *)) };
	double *h = xcalloc(n + 1, sizeof *h);
	struct flow_rows b = { 0 };

	for (size_t j = 0; j < n; j++) {
		fs.label[j] = xasprintf("%s%s", req_mark(&s->field[j]), s->field[j].v[FC_LABEL]);
		fs.ans[j] = answer(&s->field[j]);
		h[j] = field_h(f, &fs, j);
	}
	b.title = title;
	b.n = n;
	b.h = h;
	b.draw_row = field_draw;
	b.ctx = &fs;
	flow_place(f, &b, 0);
	for (size_t j = 0; j < n; j++) {
		free(fs.label[j]);
		free(fs.ans[j]);
	}
	free(fs.label);
	free(fs.ans);
	free(h);
}

/* ---------------------------------------------------------------- many-record sets */

struct grid {
	const struct set_def *s;
	const char          **label;
	double               *w;
	char                 *legend;   /* code lists and help, small print */
};

static void
grid_head(struct flow *f, const void *ctx, double y)
{
	const struct grid *g = ctx;

	flow_head(f, g->label, g->w, g->s->nfield, y, 1);
}

static void
grid_row(struct flow *f, const void *ctx, size_t r, double y)
{
	const struct grid *g = ctx;
	double x = ML;

	if (r == BLANKFORM_ROWS) {   /* the legend row */
		pdf_text(f->p, PDF_SMALL, ML + PAD, y + PAD, CW - 2 * PAD, PDF_LEFT, g->legend);
		return;
	}
	for (size_t j = 0; j < g->s->nfield; j++) {
		pdf_rect(f->p, x, y, g->w[j], WRITE_H + 2, LW);
		x += g->w[j];
	}
}

static char *
legend(const struct set_def *s)
{
	struct strbuf b = { 0 };

	for (size_t j = 0; j < s->nfield; j++) {
		const struct field_def *fd = &s->field[j];
		char *a = (fieldtype_of(fd)->coded || fd->readonly) ? answer(fd) : NULL;

		if (str_empty(a) && fd->v[FC_HINT] == NULL) {
			free(a);
			continue;
		}
		strbuf_addf(&b, "%s%s：", b.len ? "；" : "", fd->v[FC_LABEL]);
		if (!str_empty(a))
			strbuf_addf(&b, "%s%s", a, fd->v[FC_HINT] ? "，" : "");
		if (fd->v[FC_HINT] != NULL)
			strbuf_adds(&b, fd->v[FC_HINT]);
		free(a);
	}
	return b.len ? strbuf_take(&b) : xstrdup("");
}

static void
layout_grid(struct flow *f, const struct set_def *s, const char *title)
{
	size_t n = s->nfield ? s->nfield : 1;
	struct grid g = { s, xcalloc(n, sizeof(char *)), xcalloc(n, sizeof(double)), legend(s) };
	double *want = xcalloc(n, sizeof *want), h[BLANKFORM_ROWS + 1];
	char **lab = xcalloc(n, sizeof *lab);
	struct flow_rows b = { 0 };

	for (size_t j = 0; j < s->nfield; j++) {
		lab[j] = xasprintf("%s%s", req_mark(&s->field[j]), s->field[j].v[FC_LABEL]);
		g.label[j] = lab[j];
		/* A column wants its label on at most two lines. */
		want[j] = pdf_text_w(f->p, PDF_LABELB, lab[j]) / 2 + 2 * PAD + 8;
	}
	flow_widths(f, want, NULL, s->nfield, g.w);
	for (int r = 0; r < BLANKFORM_ROWS; r++)
		h[r] = WRITE_H + 2;
	h[BLANKFORM_ROWS] = pdf_text_h(f->p, PDF_SMALL, g.legend, CW - 2 * PAD) + 2 * PAD;
	b.title = title;
	b.n = BLANKFORM_ROWS + (g.legend[0] != '\0');
	b.h = h;
	b.head_h = flow_head(f, g.label, g.w, s->nfield, 0, 0);
	b.draw_head = grid_head;
	b.draw_row = grid_row;
	b.ctx = &g;
	flow_place(f, &b, 0);
	for (size_t j = 0; j < s->nfield; j++)
		free(lab[j]);
	free(lab);
	free(want);
	free(g.label);
	free(g.w);
	free(g.legend);
}

/* ---------------------------------------------------------------- the form */

static void
layout_form(struct form *fm)
{
	struct flow *f = &fm->f;
	const struct template_def *t = fm->tpl;
	double sh = 3 * 26.0 + 8;

	flow_start(f);
	for (size_t i = 0; i < t->nset; i++) {
		const struct set_def *s = &t->set[i];
		char *title = s->v[SC_GROUP] ? xasprintf("%s·%s", s->v[SC_GROUP], s->v[SC_LABEL]) :
		    xstrdup(s->v[SC_LABEL]);
		char *full = s->v[SC_FILLED_BY] ? xasprintf("%s（%s填写）", title, s->v[SC_FILLED_BY]) : xstrdup(title);

		if (s->many)
			layout_grid(f, s, full);
		else
			layout_fields(f, s, full);
		free(title);
		free(full);
	}
	if (!flow_fits(f, sh))
		flow_break(f);
	f->y += 8;
	pdf_text(f->p, PDF_BODY, ML, f->y, CW, PDF_LEFT, "本人签字：＿＿＿＿＿＿＿＿＿＿　　日期：　　　　年　　月　　日");
	f->y += 26;
	pdf_text(f->p, PDF_BODY, ML, f->y, CW, PDF_LEFT, "学校审核人签字：＿＿＿＿＿＿＿＿＿＿　　日期：　　　　年　　月　　日");
	f->y += 26;
}

enum jzg_status
blankform_print(const struct template_def *tpl, const char *path, int *pages, char **cause)
{
	struct form fm = { 0 };
	struct pdf *p;
	char *title = xasprintf("教职工基础信息采集表（%s）", tpl->v[TC_LABEL]);
	enum jzg_status rc;

	rc = pdf_new(path, title, &p, cause);
	free(title);
	if (rc != JZG_OK)
		return rc;
	fm.f.p = p;
	fm.f.page_begin = page_begin;
	fm.tpl = tpl;
	pdf_set_dry(p, 1);
	layout_form(&fm);
	fm.f.total = fm.f.page;
	pdf_set_dry(p, 0);
	layout_form(&fm);
	if (pages != NULL)
		*pages = fm.f.total;
	return pdf_close(p, cause);
}
