/* sheet.c — see sheet.h. */
#include "sheet.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entry.h"
#include "flow.h"
#include "pdf.h"
#include "pdfjoin.h"
#include "pview.h"
#include "signature.h"
#include "sqlfn.h"
#include "util.h"

#define ML      FLOW_ML
#define CW      FLOW_CW
#define PAD     FLOW_PAD
#define LW      FLOW_LW

struct sheet {
	struct flow                 f;       /* first: callbacks get &sheet.f */
	const struct pview         *pv;
	const char                 *today;
	char                        code[SIGNATURE_CODE_LEN + 1];
	struct signature_rec        rec;
	enum signature_state        state;
	double                      pw, ph;  /* the photo box: forms/settings.tsv photo_mm */
};

/* ---------------------------------------------------------------- pages */

/* The footer of page f->page of f->total: drawn when the person's pages
 * are all laid out (part_run), the page count being known only then. */
static void
page_foot(struct sheet *sh)
{
	struct flow *f = &sh->f;
	char *line = xasprintf("第 %d 页 共 %d 页", f->page, f->total);

	pdf_text(f->p, PDF_SMALL, ML, FLOW_FOOTY, CW, PDF_CENTER, line);
	free(line);
	line = xasprintf("%s　%s", sh->pv->name, sh->code);
	pdf_text(f->p, PDF_SMALL, ML, FLOW_FOOTY, CW, PDF_RIGHT, line);
	free(line);
}

/* The first page carries the title and the school; the others one line
 * naming the person, so that a loose page still says whose it is. */
static void
page_begin(struct flow *f)
{
	struct sheet *sh = (struct sheet *)f;
	const struct pview *pv = sh->pv;
	char *line;
	double y = FLOW_TOP;

	if (f->page == 1) {
		y += pdf_text(f->p, PDF_TITLE, ML, y, CW, PDF_CENTER, "教师信息确认表") + 3;
		line = xasprintf("学校名称：%s　　学校标识码：%s　　模板：%s　　打印日期：%s",
		    pv->school_name, pv->school_code, pv->tpl->v[TC_LABEL], sh->today);
		y += pdf_text(f->p, PDF_BODY, ML, y, CW, PDF_LEFT, line) + 1;
		free(line);
		line = xasprintf("姓名：%s　　身份证件号：%s　　校验码：%s", pv->name, pv->id_no, sh->code);
	} else
		line = xasprintf("教师信息确认表（续）　　姓名：%s　　身份证件号：%s　　校验码：%s", pv->name, pv->id_no,
		    sh->code);
	y += pdf_text(f->p, PDF_BODY, ML, y, CW, PDF_LEFT, line) + 2;
	free(line);
	pdf_line(f->p, ML, y, ML + CW, y, 0.8);
	f->y = y + 4;
}

/* ---------------------------------------------------------------- grid */

/* One-record set: up to GK label/value pairs per row, in field order.  The
 * last value cell of a row reaches the row's end, so a value too long for
 * two lines of a cell ends the row and takes one of its own.  Rows beside
 * the photo box hold fewer pairs. */
#define GK 3                    /* pairs per row */
#define GP (CW / GK)            /* width of a pair */
#define GL (0.4 * GP)           /* label cell */
#define GV (GP - GL)            /* value cell */
#define PHOTO_GAP 4.0

struct grow {
	int    f[GK];               /* field indexes */
	int    n;
	double h;
};

struct grid {
	const struct pview_set *ps;
	struct grow            *row;
	size_t                  nrow;
	const struct pview     *photo;      /* the person set: its rows leave room for the photo box */
	double                  pw, ph;     /* the box (photo_mm) */
	size_t                  nnarrow;    /* rows beside the box */
};

/* Where row r's cells end. */
static double
grid_end(const struct grid *g, size_t r)
{
	return r < g->nnarrow ? CW - g->pw - PHOTO_GAP : CW;
}

/* Width of value cell k of row r. */
static double
grid_vw(const struct grid *g, size_t r, int k)
{
	return k + 1 < g->row[r].n ? GV : grid_end(g, r) - k * GP - GL;
}

/* The photo box at the top right of the person set: the JPEG as it is, or
 * the word 照片 where there is none. */
static void
photo_box(struct flow *f, const struct grid *g, double y)
{
	double x = ML + CW - g->pw;
	const struct pview *pv = g->photo;

	if (pv->photo != NULL)
		pdf_jpeg(f->p, x, y, g->pw, g->ph, pv->photo, pv->photo_len, pv->photo_info.width, pv->photo_info.height,
		    pv->photo_info.hash);
	else
		pdf_text(f->p, PDF_BODY, x, y + g->ph / 2 - 6, g->pw, PDF_CENTER, "照片");
	pdf_rect(f->p, x, y, g->pw, g->ph, LW);
}

/* ---------------------------------------------------------------- marks */

/* The mark under value k (row r, field j) of a set, in small type, when the
 * person has a baseline (pview.h prior): last year's value of a changed
 * item, or 今年新增 on the first cell of a record last year lacked; NULL
 * otherwise.  A new string (caller frees). */
static char *
mark_text(const struct pview_set *ps, size_t r, size_t j)
{
	const char *was = ps->prior ? ps->prior[r * ps->s->nfield + j] : NULL;

	if (was != NULL)
		return xasprintf("去年：%s", *was ? was : "空");
	if (j == 0 && ps->added != NULL && ps->added[r])
		return xstrdup("今年新增");
	return NULL;
}

/* Height of value (r, j) in style st and inner width w, its mark below it. */
static double
value_h(struct flow *f, enum pdf_style st, const struct pview_set *ps, size_t r, size_t j, double w)
{
	char *mark = mark_text(ps, r, j);
	double h = flow_cell_h(f, st, ps->val[r * ps->s->nfield + j], w);

	if (mark != NULL)
		h += flow_cell_h(f, PDF_SMALL, mark, w);
	free(mark);
	return h;
}

static void
value_draw(struct flow *f, enum pdf_style st, const struct pview_set *ps, size_t r, size_t j, double x, double y,
    double w)
{
	const char *v = ps->val[r * ps->s->nfield + j];
	char *mark = mark_text(ps, r, j);

	flow_cell_text(f, st, x, y, w, v);
	if (mark != NULL)
		flow_cell_text(f, PDF_SMALL, x, y + flow_cell_h(f, st, v, w), w, mark);
	free(mark);
}

static double
grid_height(struct flow *f, const struct grid *g, size_t r)
{
	const struct set_def *s = g->ps->s;
	double h = 0;

	for (int k = 0; k < g->row[r].n; k++) {
		int j = g->row[r].f[k];
		double a = flow_cell_h(f, PDF_LABEL, s->field[j].v[FC_LABEL], GL - 2 * PAD);
		double b = value_h(f, PDF_LABEL, g->ps, 0, (size_t)j, grid_vw(g, r, k) - 2 * PAD);

		h = a > h ? a : h;
		h = b > h ? b : h;
	}
	return h + 2 * FLOW_VPAD;
}

static void
grid_draw(struct flow *f, const void *ctx, size_t r, double y)
{
	const struct grid *g = ctx;
	const struct set_def *s = g->ps->s;
	double x = ML, h = g->row[r].h;

	for (int k = 0; k < g->row[r].n; k++) {
		int j = g->row[r].f[k];
		double vw = grid_vw(g, r, k);

		pdf_fill(f->p, x, y, GL, h, FLOW_SHADE);
		pdf_rect(f->p, x, y, GL, h, LW);
		flow_cell_text(f, PDF_LABEL, x + PAD, y + FLOW_VPAD, GL - 2 * PAD, s->field[j].v[FC_LABEL]);
		pdf_rect(f->p, x + GL, y, vw, h, LW);
		value_draw(f, PDF_LABEL, g->ps, 0, (size_t)j, x + GL + PAD, y + FLOW_VPAD, vw - 2 * PAD);
		x += GP;
	}
	if (r == 0 && g->photo != NULL)
		photo_box(f, g, y);
}

/* End the open row g->row[g->nrow]: measure it, and say whether the next
 * row is still beside the photo box (*beside_h: the height so far). */
static void
grid_close(struct flow *f, struct grid *g, double *beside_h)
{
	size_t r = g->nrow;

	if (g->row[r].n == 0)
		return;
	if (g->photo != NULL && *beside_h < g->ph)
		g->nnarrow = r + 1;
	g->row[r].h = grid_height(f, g, r);
	if (r < g->nnarrow)
		*beside_h += g->row[r].h;
	g->nrow++;
}

static void
layout_grid(struct flow *f, const struct pview_set *ps, const struct pview *photo, double pw, double ph,
    double keep_after)
{
	const struct set_def *s = ps->s;
	struct grid g = { ps, xcalloc(s->nfield + 1, sizeof *g.row), 0, photo, pw, ph, 0 };
	int narrow_k = (int)((CW - pw - PHOTO_GAP) / GP);
	struct flow_rows b = { 0 };
	double *h, beside_h = 0;

	if (narrow_k < 1)
		narrow_k = 1;
	for (size_t j = 0; j < s->nfield; j++) {
		int wide = pdf_text_w(f->p, PDF_LABEL, ps->val[j] ? ps->val[j] : "") > 2 * (GV - 2 * PAD);
		int beside = photo != NULL && beside_h < ph;

		if (wide)
			grid_close(f, &g, &beside_h);
		g.row[g.nrow].f[g.row[g.nrow].n++] = (int)j;
		if (wide || g.row[g.nrow].n == (beside ? narrow_k : GK))
			grid_close(f, &g, &beside_h);
	}
	grid_close(f, &g, &beside_h);
	if (g.nnarrow > 0 && beside_h < ph)   /* the last row beside the box reaches its bottom */
		g.row[g.nnarrow - 1].h += ph - beside_h;
	h = xcalloc(g.nrow + 1, sizeof *h);
	for (size_t r = 0; r < g.nrow; r++)
		h[r] = g.row[r].h;
	b.title = ps->title;
	b.n = g.nrow;
	b.h = h;
	b.draw_row = grid_draw;
	b.ctx = &g;
	flow_place(f, &b, keep_after);
	free(h);
	free(g.row);
}

/* ---------------------------------------------------------------- none */

/* Sets without records, one after another: one line each, two to a row —
 * the set's title and 无 — instead of a table with nothing in it. */
#define NONE_L (0.75 * CW / 2)

struct none_run {
	const struct pview_set *ps;     /* the first of n sets in a row of pv->set */
	size_t                  n;
};

static double
none_vw(const struct none_run *nr, size_t r, int k)
{
	return k == 1 || 2 * r + 1 == nr->n ? CW - k * CW / 2 - NONE_L : CW / 2 - NONE_L;
}

static double
none_height(struct flow *f, const struct none_run *nr, size_t r)
{
	double h = flow_cell_h(f, PDF_LABEL, "无", CW);

	for (int k = 0; k < 2 && 2 * r + (size_t)k < nr->n; k++) {
		double a = flow_cell_h(f, PDF_LABEL, nr->ps[2 * r + (size_t)k].title, NONE_L - 2 * PAD);

		h = a > h ? a : h;
	}
	return h + 2 * FLOW_VPAD;
}

static void
none_draw(struct flow *f, const void *ctx, size_t r, double y)
{
	const struct none_run *nr = ctx;
	double h = none_height(f, nr, r);

	for (int k = 0; k < 2 && 2 * r + (size_t)k < nr->n; k++) {
		double x = ML + k * CW / 2, vw = none_vw(nr, r, k);

		pdf_fill(f->p, x, y, NONE_L, h, FLOW_SHADE);
		pdf_rect(f->p, x, y, NONE_L, h, LW);
		flow_cell_text(f, PDF_LABEL, x + PAD, y + FLOW_VPAD, NONE_L - 2 * PAD, nr->ps[2 * r + (size_t)k].title);
		pdf_rect(f->p, x + NONE_L, y, vw, h, LW);
		flow_cell_text(f, PDF_LABEL, x + NONE_L + PAD, y + FLOW_VPAD, vw - 2 * PAD, "无");
	}
}

static void
layout_none(struct flow *f, const struct pview_set *ps, size_t n, double keep_after)
{
	struct none_run nr = { ps, n };
	struct flow_rows b = { 0 };
	double *h;

	b.n = (n + 1) / 2;
	h = xcalloc(b.n, sizeof *h);
	for (size_t r = 0; r < b.n; r++)
		h[r] = none_height(f, &nr, r);
	b.h = h;
	b.draw_row = none_draw;
	b.ctx = &nr;
	flow_place(f, &b, keep_after);
	free(h);
}

/* ---------------------------------------------------------------- table */

struct table {
	const struct pview_set *ps;
	const char            **label;  /* header texts */
	double                 *w;      /* column widths */
};

static void
table_head(struct flow *f, const void *ctx, double y)
{
	const struct table *t = ctx;

	flow_head(f, t->label, t->w, t->ps->s->nfield, y, 1);
}

static double
table_row_h(struct flow *f, const struct table *t, size_t r)
{
	const struct set_def *s = t->ps->s;
	double h = 0;

	for (size_t j = 0; j < s->nfield; j++) {
		double a = value_h(f, PDF_CELL, t->ps, r, j, t->w[j] - 2 * PAD);

		h = a > h ? a : h;
	}
	return h + 2 * FLOW_VPAD;
}

static void
table_row(struct flow *f, const void *ctx, size_t r, double y)
{
	const struct table *t = ctx;
	const struct set_def *s = t->ps->s;
	double x = ML, h = table_row_h(f, t, r);

	for (size_t j = 0; j < s->nfield; j++) {
		pdf_rect(f->p, x, y, t->w[j], h, LW);
		value_draw(f, PDF_CELL, t->ps, r, j, x + PAD, y + FLOW_VPAD, t->w[j] - 2 * PAD);
		x += t->w[j];
	}
}

/* A set with records: a table with one column per field.  Columns are as
 * wide as their widest value and header; when that does not fit, headers
 * may take two lines before values wrap. */
static void
layout_table(struct flow *f, const struct pview_set *ps, double keep_after)
{
	const struct set_def *s = ps->s;
	size_t nf = s->nfield ? s->nfield : 1;
	struct table t = { ps, xcalloc(nf, sizeof *t.label), xcalloc(nf, sizeof *t.w) };
	double *want = xcalloc(nf, sizeof *want), *head = xcalloc(nf, sizeof *head);
	double *minw = xcalloc(nf, sizeof *minw), *h, sum = 0;
	struct flow_rows b = { 0 };

	for (size_t j = 0; j < s->nfield; j++) {
		t.label[j] = s->field[j].v[FC_LABEL];
		head[j] = pdf_text_w(f->p, PDF_LABELB, t.label[j]);
		for (size_t r = 0; r < ps->nrow; r++) {
			const char *v = ps->val[r * s->nfield + j];
			double a = v ? pdf_text_w(f->p, PDF_CELL, v) : 0;

			want[j] = a > want[j] ? a : want[j];
			/* Dates, numbers, codes: short ASCII that must not break. */
			if (v && strlen(v) <= 12 && strspn(v, "0123456789-.:/ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(v))
				minw[j] = a > minw[j] ? a : minw[j];
		}
		sum += (head[j] > want[j] ? head[j] : want[j]) + 2 * PAD + 0.5;
	}
	for (size_t j = 0; j < s->nfield; j++) {
		double hw = sum <= CW ? head[j] : head[j] / 2;

		want[j] = (hw > want[j] ? hw : want[j]) + 2 * PAD + 0.5;
		minw[j] += minw[j] > 0 ? 2 * PAD + 0.5 : 0;
	}
	flow_widths(f, want, minw, s->nfield, t.w);
	b.title = ps->title;
	b.n = ps->nrow;
	h = xcalloc(b.n, sizeof *h);
	for (size_t r = 0; r < b.n; r++)
		h[r] = table_row_h(f, &t, r);
	b.h = h;
	b.head_h = flow_head(f, t.label, t.w, s->nfield, 0, 0);
	b.draw_head = table_head;
	b.draw_row = table_row;
	b.ctx = &t;
	flow_place(f, &b, keep_after);
	free(h);
	free(want);
	free(head);
	free(minw);
	free(t.w);
	free(t.label);
}

/* ---------------------------------------------------------------- signatures */

#define SIG_ROW   30.0
#define SEAL_W    (42 * PDF_MM)
#define SEAL_H    (30 * PDF_MM)

static const char *const sig_who[] = { "教师本人", "学校信息管理员", "学校负责人" };

static const char sig_statement[] =
	"以上信息经本人逐项核对，真实、准确、完整。如有不符，已在表上更正，交学校信息管理员修改后重新打印签字。";

/* The lines above the signatures: statement, check code, and the state of
 * an earlier signing.  Drawn when draw is set; returns the height. */
static double
sig_text(struct sheet *sh, double y, int draw)
{
	struct flow *f = &sh->f;
	char *line[3] = { NULL, NULL, NULL };
	double h = 0;

	line[0] = xstrdup(sig_statement);
	line[1] = xasprintf("校验码：%s（数据如有修改，校验码随之改变，须重新打印签字）", sh->code);
	if (sh->state == SIGNATURE_STALE)
		line[2] = xasprintf("注意：已签字后修改，需重新打印签字（上次签字 %s，当时的校验码 %s）。",
		    sh->rec.signed_on, sh->rec.code);
	else if (sh->state == SIGNATURE_SIGNED)
		line[2] = xasprintf("本表内容与 %s 签字确认的确认表相同（校验码 %s）。", sh->rec.signed_on, sh->rec.code);
	for (int k = 0; k < 3; k++) {
		if (line[k] == NULL)
			continue;
		h += (draw ? pdf_text(f->p, k == 2 ? PDF_BOLD : PDF_BODY, ML, y + h, CW, PDF_LEFT, line[k]) :
		    pdf_text_h(f->p, k == 2 ? PDF_BOLD : PDF_BODY, line[k], CW)) + 2;
		free(line[k]);
	}
	return h;
}

static double
sig_height(struct sheet *sh)
{
	return 4 + sig_text(sh, 0, 0) + 8 + 3 * SIG_ROW;
}

static void
sig_draw(struct sheet *sh)
{
	struct flow *f = &sh->f;
	double y = f->y + 4, lx = ML + CW - SEAL_W, sy;

	double lab = 0;

	y += sig_text(sh, y, 1) + 8;
	sy = y;
	for (int k = 0; k < 3; k++) {   /* lines and dates aligned under each other */
		char *who = xasprintf("%s签字：", sig_who[k]);
		double a = pdf_text_w(f->p, PDF_BODY, who);

		lab = a > lab ? a : lab;
		free(who);
	}
	for (int k = 0; k < 3; k++) {
		char *who = xasprintf("%s签字：", sig_who[k]);
		double base = y + SIG_ROW - 10, x = ML + lab + 2;

		pdf_text(f->p, PDF_BODY, ML, base - 11, 0, PDF_LEFT, who);
		pdf_line(f->p, x, base, x + 110, base, 0.6);
		pdf_text(f->p, PDF_BODY, x + 118, base - 11, 0, PDF_LEFT, "日期：　　　　年　　月　　日");
		free(who);
		y += SIG_ROW;
	}
	/* the seal box, at the right beside the signature lines */
	pdf_rect(f->p, lx, sy, SEAL_W, SEAL_H, 0.8);
	pdf_text(f->p, PDF_BODY, lx, sy + 4, SEAL_W, PDF_CENTER, "单位（公章）");
	pdf_text(f->p, PDF_BODY, lx, sy + SEAL_H - 16, SEAL_W, PDF_CENTER, "年　　月　　日");
	f->y = y;
}

/* ---------------------------------------------------------------- person */

static void
layout_person(struct sheet *sh)
{
	const struct pview *pv = sh->pv;
	double sig = sig_height(sh) + 4;

	flow_start(&sh->f);
	for (size_t i = 0; i < pv->nset; i++) {
		const struct pview_set *ps = &pv->set[i];
		size_t n = 0;

		while (i + n < pv->nset && ps[n].s->many && ps[n].nrow == 0)
			n++;
		if (n > 0) {
			i += n - 1;
			layout_none(&sh->f, ps, n, i + 1 == pv->nset ? sig : 0);
		} else if (ps->s->many)
			layout_table(&sh->f, ps, i + 1 == pv->nset ? sig : 0);
		else
			layout_grid(&sh->f, ps, (int)i == pv->person_set ? pv : NULL, sh->pw, sh->ph,
			    i + 1 == pv->nset ? sig : 0);
	}
	if (pv->nset == 0 && !flow_fits(&sh->f, sig))
		flow_break(&sh->f);
	sig_draw(sh);
}

struct loaders {
	const struct template_def *tpl[16];
	struct pview_loader       *l[16];
	size_t                     n;
};

static enum jzg_status
loader_for(struct store *st, struct loaders *ls, sqlite3_int64 staff_id, struct pview_loader **out,
    char **cause)
{
	const struct template_def *t = entry_template(st, staff_id);
	enum jzg_status rc;

	if (t == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有编号为 %lld 的教职工，或其学校的模板未知",
		    (long long)staff_id);
	for (size_t i = 0; i < ls->n; i++)
		if (ls->tpl[i] == t) {
			*out = ls->l[i];
			return JZG_OK;
		}
	if (ls->n == sizeof ls->l / sizeof ls->l[0])
		return jzg_fail(cause, JZG_ERR_INVALID, "模板太多");
	if ((rc = pview_loader_new(st, t, &ls->l[ls->n], cause)) != JZG_OK)
		return rc;
	ls->tpl[ls->n] = t;
	*out = ls->l[ls->n++];
	return JZG_OK;
}

/* The back of a person's last sheet when printing two-sided. */
static void
blank_back(struct pdf *p)
{
	pdf_page(p);
	pdf_text(p, PDF_SMALL, ML, PDF_PAGE_H / 2, CW, PDF_CENTER, "（此页空白）");
}

/* ---------------------------------------------------------------- batch */

/* A batch of two or more people is written in two parts, the first and
 * the second half of the people, each a PDF of its own, joined into the
 * file at the end (pdfjoin.h): cairo's PDF surface, where two thirds of
 * the time goes, can only be used by one thread, and so two threads need
 * two documents.  With two threads each part has one, and the second its
 * own read-only connection to the file, so that reading people never waits
 * for the other thread; with one thread (JZG_SHEET_THREADS=1, or no second
 * connection) the parts are drawn in turn — the same file either way.
 * A part reads PART_TXN people at a time inside one transaction, then
 * draws them: one shared lock for them instead of taking it (fcntl, fstat)
 * around each of a person's ~30 queries, and held only while reading (a few
 * per cent of the time, some milliseconds), so a writer — the client
 * saving an edit — gets in between.  (Held while drawing, the two parts'
 * transactions overlapped: SQLite counts the shared locks of one process
 * together, so the file stayed locked and a writer waited for the batch.) */
#define PARTS 2
#define PART_TXN 64

struct batch;

/* One part: people [from, to) into their own document. */
struct part {
	struct batch   *b;
	struct store   *st;          /* the caller's, or the second thread's own; not owned */
	size_t          from, to;
	struct pdf     *doc;         /* NULL once closed */
	unsigned char  *data;        /* the finished part (pdfjoin.h) */
	size_t          len;
	struct sheet    sh;
	struct loaders  ls;
	struct pview   *pv[PART_TXN];     /* read, not yet drawn … */
	struct signature_rec rec[PART_TXN];  /* … and their last signing */
	int             pages, stale;
	enum jzg_status rc;
	char           *cause;
	size_t          done;        /* people drawn (under b->mu); to - from + 1: finished */
	int             last;        /* the last part: no blank back page at its end */
	int             report;      /* runs on the caller's thread: reports progress */
};

struct batch {
	struct store          *st;
	const sqlite3_int64   *staff;
	const struct sheet_opts *opt;
	pthread_mutex_t        mu;   /* stop and the parts' done */
	pthread_cond_t         cv;   /* a person drawn, or a part done */
	int                    stop; /* a part failed: the others stop too */
	int                    threaded;
	struct part           *pt;   /* the parts … */
	size_t                 np, n;/* … and the people of all */
};

static size_t batch_done(const struct batch *b);

/* Read person staff_id for part pt, on the part's connection, into *pv
 * and *rec. */
static enum jzg_status
part_load(struct part *pt, sqlite3_int64 staff_id, struct pview **pv, struct signature_rec *rec, char **cause)
{
	struct pview_loader *l = NULL;
	enum jzg_status rc;

	*pv = NULL;
	if ((rc = loader_for(pt->st, &pt->ls, staff_id, &l, cause)) == JZG_OK &&
	    (rc = pview_load(l, staff_id, pv, cause)) == JZG_OK &&
	    (rc = signature_last(pt->st, staff_id, rec, cause)) != JZG_OK) {
		pview_free(*pv);
		*pv = NULL;
	}
	return rc;
}

/* Read the part's people from i on, up to PART_TXN of them, in one read
 * transaction (a savepoint on the caller's connection, which may be in a
 * transaction of its own). */
static enum jzg_status
part_read(struct part *pt, size_t i, char **cause)
{
	sqlite3 *db = pt->st->db;
	enum jzg_status rc = JZG_OK;

	sqlite3_exec(db, "SAVEPOINT sheet_part", NULL, NULL, NULL);
	for (size_t k = 0; k < PART_TXN && i + k < pt->to && rc == JZG_OK; k++)
		rc = part_load(pt, pt->b->staff[i + k], &pt->pv[k], &pt->rec[k], cause);
	sqlite3_exec(db, "RELEASE sheet_part", NULL, NULL, NULL);
	return rc;
}

/* Draw the part's people; the result in pt->rc, pt->cause. */
static void *
part_run(void *arg)
{
	struct part *pt = arg;
	struct batch *b = pt->b;
	struct sheet *sh = &pt->sh;
	int duplex = b->opt != NULL && b->opt->duplex;

	for (size_t i = pt->from; i < pt->to && pt->rc == JZG_OK; i++) {
		size_t k = (i - pt->from) % PART_TXN, done;
		struct pview *pv;
		int stop;

		pthread_mutex_lock(&b->mu);
		stop = b->stop;
		pthread_mutex_unlock(&b->mu);
		if (stop || (k == 0 && (pt->rc = part_read(pt, i, &pt->cause)) != JZG_OK))
			break;
		pv = pt->pv[k];
		pt->pv[k] = NULL;
		sh->rec = pt->rec[k];
		sh->pv = pv;
		signature_code(pv, sh->code);
		sh->state = signature_state_of(pv, &sh->rec);
		pt->stale += sh->state == SIGNATURE_STALE;
		pdf_cache_trim(pt->doc);
		if (i > pt->from && duplex && pt->pages % 2 == 1) {
			blank_back(pt->doc);
			pt->pages++;
		}
		if (i > pt->from)
			pdf_page(pt->doc);
		/* One pass: the person's pages are held until the last is laid
		 * out, then each gets its footer (第 x 页 共 y 页) and they are
		 * written — unless a string lacked a glyph: then none is. */
		pdf_hold(pt->doc);
		sh->f.total = 0;
		layout_person(sh);
		sh->f.total = sh->f.page;
		if ((pt->rc = pdf_error(pt->doc, &pt->cause)) == JZG_OK) {
			for (sh->f.page = 1; sh->f.page <= sh->f.total; sh->f.page++) {
				pdf_goto(pt->doc, (size_t)sh->f.page - 1);
				page_foot(sh);
			}
			pdf_release(pt->doc);
			pt->pages += sh->f.total;
		}
		sh->pv = NULL;
		pview_free(pv);
		pthread_mutex_lock(&b->mu);
		pt->done++;
		pthread_cond_broadcast(&b->cv);
		done = batch_done(b);
		pthread_mutex_unlock(&b->mu);
		if (pt->report)
			progress_report(b->opt ? b->opt->prog : NULL, done, b->n);
	}
	for (size_t k = 0; k < PART_TXN; k++) {   /* read but not drawn: the part stopped */
		pview_free(pt->pv[k]);
		pt->pv[k] = NULL;
	}
	/* the next part starts on a new sheet of paper */
	if (pt->rc == JZG_OK && !pt->last && duplex && pt->pages % 2 == 1) {
		blank_back(pt->doc);
		pt->pages++;
	}
	/* a part is finished here, on its thread: cairo subsets and
	 * compresses the fonts then, a few per cent of a batch */
	if (pt->rc == JZG_OK && b->np > 1) {
		pt->rc = pdf_close_part(pt->doc, &pt->data, &pt->len, &pt->cause);
		pt->doc = NULL;
	}
	pthread_mutex_lock(&b->mu);
	if (pt->rc != JZG_OK)
		b->stop = 1;
	pt->done = pt->to - pt->from + 1;   /* finished */
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Two threads unless told otherwise: JZG_SHEET_THREADS=1 (measuring, and
 * the test that both give the same file), or one core; and only where a
 * second connection sees what this one does: a file (not ":memory:") with
 * no transaction of the caller's open. */
static int
sheet_threads(const struct store *st)
{
	const char *env = getenv("JZG_SHEET_THREADS");
	long t = env != NULL && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	if (t < 2 || st->path == NULL || *st->path == '\0' || strcmp(st->path, ":memory:") == 0 ||
	    strncmp(st->path, "file:", 5) == 0 || !sqlite3_get_autocommit(st->db))
		return 1;
	return 2;
}

/* People drawn so far in all parts (finished parts count their people). */
static size_t
batch_done(const struct batch *b)
{
	size_t d = 0;

	for (size_t k = 0; k < b->np; k++) {
		const struct part *pt = &b->pt[k];

		d += pt->done > pt->to - pt->from ? pt->to - pt->from : pt->done;
	}
	return d;
}

/* Run the parts: the first on this thread, the second on another when
 * threaded (else after the first).  Progress is reported from this thread
 * only (the client's screen belongs to it). */
static void
batch_run(struct batch *b)
{
	struct part *pt = b->pt;
	struct store *st2 = NULL;
	pthread_t th;
	size_t seen = 0;
	char *why = NULL;

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	for (size_t k = 0; k < b->np; k++) {
		pt[k].report = 1;
		pt[k].st = b->st;
	}
	if (b->np > 1 && sheet_threads(b->st) > 1 &&
	    store_open(b->st->path, b->st->defs, STORE_READONLY, &st2, &why) == JZG_OK) {
		pt[1].st = st2;
		pt[1].report = 0;
		b->threaded = pthread_create(&th, NULL, part_run, &pt[1]) == 0;
		pt[1].report = !b->threaded;
	}
	free(why);
	for (size_t k = 0; k < b->np; k++)
		if (pt[k].report)
			part_run(&pt[k]);
	if (b->threaded) {
		/* the second part's people, as it draws them */
		pthread_mutex_lock(&b->mu);
		while (pt[1].done <= pt[1].to - pt[1].from) {
			size_t d = batch_done(b);

			if (d != seen) {
				pthread_mutex_unlock(&b->mu);
				progress_report(b->opt ? b->opt->prog : NULL, seen = d, b->n);
				pthread_mutex_lock(&b->mu);
			} else
				pthread_cond_wait(&b->cv, &b->mu);
		}
		pthread_mutex_unlock(&b->mu);
		pthread_join(th, NULL);
		if (batch_done(b) != seen)
			progress_report(b->opt ? b->opt->prog : NULL, batch_done(b), b->n);
	}
	/* the loaders were prepared on their part's connection */
	for (size_t k = 0; k < b->np; k++) {
		for (size_t i = 0; i < pt[k].ls.n; i++)
			pview_loader_free(pt[k].ls.l[i]);
		pt[k].ls.n = 0;
	}
	store_close(st2);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

enum jzg_status
sheet_print(struct store *st, const sqlite3_int64 *staff, size_t n, const char *path,
    const struct sheet_opts *opt, struct sheet_result *res, char **cause)
{
	static const char title[] = "教师信息确认表";
	struct batch b = { .st = st, .staff = staff, .opt = opt, .n = n };
	struct part pt[PARTS];
	struct pdfjoin_part out[PARTS];
	size_t np = n >= 2 ? PARTS : 1;
	struct photo_spec sp;
	char today[11];
	enum jzg_status rc = JZG_OK;

	if (res != NULL)
		memset(res, 0, sizeof *res);
	if (n == 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "没有要打印的教职工");
	sqlfn_today(today);
	entry_photo_spec(st->defs, &sp);
	memset(pt, 0, sizeof pt);
	memset(out, 0, sizeof out);
	for (size_t k = 0; k < np && rc == JZG_OK; k++) {
		pt[k].b = &b;
		pt[k].from = n * k / np;
		pt[k].to = n * (k + 1) / np;
		pt[k].last = k + 1 == np;
		pt[k].sh.f.page_begin = page_begin;
		pt[k].sh.today = today;
		pt[k].sh.pw = sp.w_mm * PDF_MM;
		pt[k].sh.ph = sp.h_mm * PDF_MM;
		/* one person: straight into the file, no join */
		rc = np == 1 ? pdf_new(path, title, &pt[k].doc, cause) : pdf_new_part(title, &pt[k].doc, cause);
		pt[k].sh.f.p = pt[k].doc;
	}
	b.pt = pt;
	b.np = np;
	if (rc == JZG_OK)
		batch_run(&b);
	for (size_t k = 0; k < np; k++) {
		if (rc == JZG_OK && pt[k].rc != JZG_OK) {
			rc = pt[k].rc;
			if (cause != NULL) {
				*cause = pt[k].cause;
				pt[k].cause = NULL;
			}
		}
		free(pt[k].cause);
		out[k].data = pt[k].data;
		out[k].len = pt[k].len;
		if (pt[k].doc == NULL)
			continue;
		if (rc != JZG_OK)
			pdf_free(pt[k].doc);
		else
			rc = pdf_close(pt[k].doc, cause);   /* one person: the file itself */
	}
	if (rc == JZG_OK && np > 1)
		rc = pdfjoin_save(path, out, np, cause);
	for (size_t k = 0; k < np; k++)
		free(pt[k].data);
	if (rc != JZG_OK)
		return rc;
	if (res != NULL) {
		res->people = (int)n;
		for (size_t k = 0; k < np; k++) {
			res->pages += pt[k].pages;
			res->stale += pt[k].stale;
		}
	}
	return JZG_OK;
}
