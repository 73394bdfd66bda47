/* flow.c — see flow.h. */
#include "flow.h"

#include <stdlib.h>

#include "util.h"

void
flow_start(struct flow *f)
{
	f->page = 1;
	f->page_begin(f);
	f->fresh = 1;
}

void
flow_break(struct flow *f)
{
	pdf_page(f->p);
	f->page++;
	f->page_begin(f);
	f->fresh = 1;
}

int
flow_fits(const struct flow *f, double h)
{
	return f->fresh || f->y + h <= FLOW_BOTTOM;
}

static double
title_h(struct flow *f, const char *title)
{
	return title != NULL ? pdf_text_h(f->p, PDF_SECTION, title, 0) + 2 * FLOW_VPAD : 0;
}

static void
draw_title(struct flow *f, const char *title, int cont)
{
	char *t = cont ? xasprintf("%s（续）", title) : xstrdup(title);
	double h = title_h(f, title);

	pdf_fill(f->p, FLOW_ML, f->y, FLOW_CW, h, 0.82);
	pdf_text(f->p, PDF_SECTION, FLOW_ML + FLOW_PAD, f->y + FLOW_VPAD, 0, PDF_LEFT, t);
	pdf_rect(f->p, FLOW_ML, f->y, FLOW_CW, h, FLOW_LW);
	f->y += h;
	free(t);
}

static void
block_top(struct flow *f, const struct flow_rows *b, int cont)
{
	if (b->title != NULL)
		draw_title(f, b->title, cont);
	if (b->head_h > 0) {
		b->draw_head(f, b->ctx, f->y);
		f->y += b->head_h;
	}
	f->fresh = 0;
}

void
flow_place(struct flow *f, const struct flow_rows *b, double keep_after)
{
	double first = b->n ? b->h[0] : 0;

	if (b->n == 1)
		first += keep_after;
	if (!flow_fits(f, title_h(f, b->title) + b->head_h + first))
		flow_break(f);
	block_top(f, b, 0);
	for (size_t r = 0; r < b->n; r++) {
		if (!flow_fits(f, b->h[r] + (r + 1 == b->n ? keep_after : 0))) {
			flow_break(f);
			block_top(f, b, 1);
		}
		b->draw_row(f, b->ctx, r, f->y);
		f->y += b->h[r];
	}
	f->y += FLOW_GAP;
}

double
flow_cell_h(struct flow *f, enum pdf_style s, const char *text, double w)
{
	if (str_empty(text))
		return pdf_text_h(f->p, s, "国", 0);
	if (pdf_text_w(f->p, s, text) <= w)
		return pdf_text_h(f->p, s, text, 0);
	return pdf_text_h(f->p, s, text, w);
}

void
flow_cell_text(struct flow *f, enum pdf_style s, double x, double y, double w, const char *text)
{
	if (str_empty(text))
		return;
	pdf_text(f->p, s, x, y, pdf_text_w(f->p, s, text) <= w ? 0 : w, PDF_LEFT, text);
}

void
flow_widths(struct flow *f, const double *want, const double *minw, size_t n, double *w)
{
	double sum = 0, summin = 0, extra = 0, minsum = 0;
	double floor_w = 2 * pdf_text_w(f->p, PDF_CELL, "国") + 2 * FLOW_PAD;

	if (floor_w < 0.8 * FLOW_CW / (double)n)
		floor_w = 0.8 * FLOW_CW / (double)n;
	for (size_t j = 0; j < n; j++)
		sum += want[j];
	if (sum <= FLOW_CW) {
		for (size_t j = 0; j < n; j++)
			w[j] = want[j] + (FLOW_CW - sum) * want[j] / sum;
		return;
	}
	for (size_t j = 0; j < n; j++)
		minsum += minw && minw[j] > floor_w ? (minw[j] < want[j] ? minw[j] : want[j]) : floor_w;
	for (size_t j = 0; j < n; j++) {
		double m = minsum <= FLOW_CW && minw && minw[j] > floor_w ? minw[j] : floor_w;

		w[j] = want[j] < m ? want[j] : m;
		summin += w[j];
		extra += want[j] - w[j];
	}
	for (size_t j = 0; j < n; j++)
		w[j] += extra > 0 ? (FLOW_CW - summin) * (want[j] - w[j]) / extra : 0;
}

double
flow_head(struct flow *f, const char *const *label, const double *w, size_t n, double y, int draw)
{
	double x = FLOW_ML, h = 0;

	for (size_t j = 0; j < n; j++) {
		double a = flow_cell_h(f, PDF_LABELB, label[j], w[j] - 2 * FLOW_PAD);

		if (a > h)
			h = a;
	}
	h += 2 * FLOW_VPAD;
	if (!draw)
		return h;
	pdf_fill(f->p, FLOW_ML, y, FLOW_CW, h, FLOW_SHADE);
	for (size_t j = 0; j < n; j++) {
		pdf_rect(f->p, x, y, w[j], h, FLOW_LW);
		flow_cell_text(f, PDF_LABELB, x + FLOW_PAD, y + FLOW_VPAD, w[j] - 2 * FLOW_PAD, label[j]);
		x += w[j];
	}
	return h;
}
