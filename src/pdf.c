/* pdf.c — see pdf.h. */
#include "pdf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include "util.h"

/* Serif (宋体-like) is what official paper forms use; Sans is the fallback
 * inside the same Debian package. */
#define PDF_FONTS "Noto Serif CJK SC, Noto Sans CJK SC"
#define PDF_FONT_PACKAGE "fonts-noto-cjk"
/* Layouts kept between people: labels repeat on every sheet. */
#define PDF_CACHE_MAX 60000

static const struct { double size; int bold; } style_font[PDF__STYLES] = {
	[PDF_TITLE]   = { 16.0, 1 },
	[PDF_SECTION] = { 10.0, 1 },
	[PDF_BODY]    = {  9.5, 0 },
	[PDF_BOLD]    = {  9.5, 1 },
	[PDF_LABEL]   = {  8.0, 0 },
	[PDF_LABELB]  = {  7.5, 1 },
	[PDF_CELL]    = {  7.5, 0 },
	[PDF_SMALL]   = {  7.0, 0 },
};

struct pdf {
	char                 *path;      /* target */
	char                 *tmp;       /* temp file beside it */
	FILE                 *fp;
	int                   write_errno;
	cairo_surface_t      *surface;
	cairo_t              *cr;
	PangoContext         *ctx;
	PangoFontDescription *font[PDF__STYLES];
	GHashTable           *cache;     /* key → PangoLayout* */
	int                   dry;
	int                   pages;
	double               *rect;      /* outlines of this page: x y w h lw, stroked */
	size_t                nrect, caprect;   /* together when the page ends */
	int                   failed;
	struct strbuf         missing;   /* characters without a glyph */
	char                 *missing_in;/* first text they were found in */
};

static cairo_status_t
write_fn(void *closure, const unsigned char *data, unsigned int len)
{
	struct pdf *p = closure;

	if (fwrite(data, 1, len, p->fp) != len) {
		p->write_errno = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void flush_rects(struct pdf *p);

static PangoLayout *
make_layout(struct pdf *p, enum pdf_style s, const char *text, double w, enum pdf_align a)
{
	PangoLayout *l = pango_layout_new(p->ctx);

	pango_layout_set_font_description(l, p->font[s]);
	if (w > 0) {
		pango_layout_set_width(l, (int)(w * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_alignment(l, a == PDF_CENTER ? PANGO_ALIGN_CENTER :
		    a == PDF_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

/* Which characters of text have no glyph: each is laid out alone.  Only on
 * the failure path, so the cost does not matter. */
static void
note_missing(struct pdf *p, enum pdf_style s, const char *text)
{
	const char *c = text;
	size_t n;
	wchar_t wc;

	p->failed = 1;
	if (p->missing_in == NULL)
		p->missing_in = xstrdup(text);
	while (*c != '\0' && utf8_chars(p->missing.s ? p->missing.s : "") < 8) {
		char one[8] = { 0 };
		PangoLayout *l;

		if ((n = utf8_decode(c, strlen(c), &wc)) == 0)
			n = 1;
		memcpy(one, c, n < 7 ? n : 7);
		c += n;
		if ((unsigned char)one[0] <= ' ' || (p->missing.s && strstr(p->missing.s, one)))
			continue;
		l = make_layout(p, s, one, 0, PDF_LEFT);
		if (pango_layout_get_unknown_glyphs_count(l) > 0)
			strbuf_adds(&p->missing, one);
		g_object_unref(l);
	}
}

static PangoLayout *
layout(struct pdf *p, enum pdf_style s, const char *text, double w, enum pdf_align a)
{
	char *key;
	PangoLayout *l;

	if (text == NULL)
		text = "";
	{
		/* Binary prefix (style, align, width in 0.1 pt) + text: built
		 * without printf, which showed in profiles of big batches. */
		size_t n = strlen(text);
		unsigned long wk = w > 0 ? (unsigned long)(w * 10 + 0.5) : 0;

		key = xmalloc(n + 8);
		key[0] = (char)('A' + s);
		key[1] = (char)('A' + a);
		for (int i = 0; i < 5; i++)
			key[2 + i] = (char)('0' + (wk >> (6 * i) & 63));
		memcpy(key + 7, text, n + 1);
	}
	if ((l = g_hash_table_lookup(p->cache, key)) != NULL) {
		free(key);
		return l;
	}
	l = make_layout(p, s, text, w, a);
	if (pango_layout_get_unknown_glyphs_count(l) > 0)
		note_missing(p, s, text);
	/* The table owns key (freed with free) and the layout. */
	g_hash_table_insert(p->cache, key, l);
	return l;
}

static void
free_key(gpointer k)
{
	free(k);
}

enum jzg_status
pdf_new(const char *path, const char *title, struct pdf **out, char **cause)
{
	struct pdf *p;
	const char *today = getenv("JZG_TODAY");
	int fd;
	PangoLayout *probe;

	*out = NULL;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	p->tmp = xasprintf("%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(p->tmp)) < 0 || (p->fp = fdopen(fd, "wb")) == NULL) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(p->tmp);
		}
		free(p->tmp);
		p->tmp = NULL;
		pdf_free(p);
		return jzg_fail(cause, JZG_ERR_IO, "无法在 %s 所在的目录中写文件：%s（请检查目录是否存在、是否有写权限）",
		    path, strerror(e));
	}
	p->surface = cairo_pdf_surface_create_for_stream(write_fn, p, PDF_PAGE_W, PDF_PAGE_H);
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
		pdf_free(p);
		return jzg_fail(cause, JZG_ERR_NOMEM, "无法创建 PDF：%s", cairo_status_to_string(cairo_status(p->cr)));
	}
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "jzg " JZG_VERSION);
	if (today != NULL && strlen(today) == 10) {
		char date[32];

		snprintf(date, sizeof date, "%sT00:00:00", today);
		cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
		cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
	}
	p->ctx = pango_cairo_create_context(p->cr);
	/* 72 dpi: a pango "pixel" is a point.  zh-cn so that fontconfig picks
	 * Simplified Chinese shapes, not the Japanese ones (tech.md §4). */
	pango_cairo_context_set_resolution(p->ctx, 72.0);
	pango_context_set_language(p->ctx, pango_language_from_string("zh-cn"));
	for (int s = 0; s < PDF__STYLES; s++) {
		p->font[s] = pango_font_description_from_string(PDF_FONTS);
		pango_font_description_set_size(p->font[s], (int)(style_font[s].size * PANGO_SCALE));
		pango_font_description_set_weight(p->font[s], style_font[s].bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	}
	p->cache = g_hash_table_new_full(g_str_hash, g_str_equal, free_key, g_object_unref);
	/* Without any Chinese font pango draws boxes and says nothing: find out
	 * now, before a single page is written. */
	probe = make_layout(p, PDF_BODY, "教师信息确认表学校名称签字日期第页共", 0, PDF_LEFT);
	if (pango_layout_get_unknown_glyphs_count(probe) > 0) {
		g_object_unref(probe);
		pdf_free(p);
		return jzg_fail(cause, JZG_ERR_NOTFOUND,
		    "没有找到中文字体（需要 Noto Serif CJK SC），打印出来会是空方框，所以没有生成 PDF。"
		    "请先安装字体：sudo apt-get install " PDF_FONT_PACKAGE "，然后重新打印");
	}
	g_object_unref(probe);
	p->pages = 1;
	*out = p;
	return JZG_OK;
}

void
pdf_free(struct pdf *p)
{
	if (p == NULL)
		return;
	if (p->cache != NULL)
		g_hash_table_destroy(p->cache);
	for (int s = 0; s < PDF__STYLES; s++)
		if (p->font[s] != NULL)
			pango_font_description_free(p->font[s]);
	if (p->ctx != NULL)
		g_object_unref(p->ctx);
	if (p->cr != NULL)
		cairo_destroy(p->cr);
	if (p->surface != NULL) {
		cairo_surface_finish(p->surface);
		cairo_surface_destroy(p->surface);
	}
	if (p->fp != NULL)
		fclose(p->fp);
	if (p->tmp != NULL)
		unlink(p->tmp);
	strbuf_free(&p->missing);
	free(p->missing_in);
	free(p->rect);
	free(p->tmp);
	free(p->path);
	free(p);
}

enum jzg_status
pdf_close(struct pdf *p, char **cause)
{
	enum jzg_status rc = JZG_OK;
	cairo_status_t cs;

	if (p->failed) {
		char *in = xstrdup(p->missing_in ? p->missing_in : "");
		size_t cut = 0, k;
		wchar_t wc;

		/* at most 30 characters of the text, cut between characters */
		for (int i = 0; i < 30 && in[cut] != '\0'; i++)
			cut += (k = utf8_decode(in + cut, strlen(in + cut), &wc)) ? k : 1;
		in[cut] = '\0';

		rc = jzg_fail(cause, JZG_ERR_NOTFOUND,
		    "字体中没有“%s”的字形（出现在“%s”中），打印出来会是空方框，所以没有生成 PDF。"
		    "请安装含这些字的中文字体：sudo apt-get install " PDF_FONT_PACKAGE "；若已安装，请把这些字改为规范汉字",
		    p->missing.s ? p->missing.s : "?", in);
		free(in);
		pdf_free(p);
		return rc;
	}
	flush_rects(p);
	cairo_surface_finish(p->surface);
	cs = cairo_surface_status(p->surface);
	if (cs == CAIRO_STATUS_SUCCESS && (fflush(p->fp) != 0 || fsync(fileno(p->fp)) != 0))
		p->write_errno = errno;
	if (cs != CAIRO_STATUS_SUCCESS || p->write_errno != 0) {
		int e = p->write_errno;

		rc = jzg_fail(cause, JZG_ERR_IO, "写 PDF 失败：%s。%s 没有生成，请清理磁盘空间或换一个位置后重试",
		    e ? (e == ENOSPC ? "磁盘已满" : strerror(e)) : cairo_status_to_string(cs), p->path);
		pdf_free(p);
		return rc;
	}
	if (fclose(p->fp) != 0) {
		p->fp = NULL;
		rc = jzg_fail(cause, JZG_ERR_IO, "写 PDF 失败：%s。%s 没有生成，请清理磁盘空间后重试",
		    errno == ENOSPC ? "磁盘已满" : strerror(errno), p->path);
		pdf_free(p);
		return rc;
	}
	p->fp = NULL;
	if (rename(p->tmp, p->path) != 0) {
		rc = jzg_fail(cause, JZG_ERR_IO, "无法保存 %s：%s", p->path, strerror(errno));
		pdf_free(p);
		return rc;
	}
	free(p->tmp);
	p->tmp = NULL;   /* renamed: pdf_free must not remove it */
	pdf_free(p);
	return JZG_OK;
}

void
pdf_set_dry(struct pdf *p, int dry)
{
	p->dry = dry;
}

int
pdf_failed(const struct pdf *p)
{
	return p->failed || cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS;
}

void
pdf_cache_trim(struct pdf *p)
{
	if (g_hash_table_size(p->cache) > PDF_CACHE_MAX)
		g_hash_table_remove_all(p->cache);
}

double
pdf_text_h(struct pdf *p, enum pdf_style s, const char *text, double w)
{
	PangoRectangle r;

	pango_layout_get_extents(layout(p, s, text, w, PDF_LEFT), NULL, &r);
	return (double)r.height / PANGO_SCALE;
}

double
pdf_text_w(struct pdf *p, enum pdf_style s, const char *text)
{
	PangoRectangle r;

	pango_layout_get_extents(layout(p, s, text, 0, PDF_LEFT), NULL, &r);
	return (double)r.width / PANGO_SCALE;
}

double
pdf_text(struct pdf *p, enum pdf_style s, double x, double y, double w, enum pdf_align align,
    const char *text)
{
	PangoLayout *l = layout(p, s, text, w, align);
	PangoRectangle r;

	pango_layout_get_extents(l, NULL, &r);
	if (!p->dry) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, l);
	}
	return (double)r.height / PANGO_SCALE;
}

/* One stroke per line width and page instead of one per cell: cairo's PDF
 * surface spends most of a sheet's time on separate strokes (measured: a
 * third of the run time of a 200-person batch). */
void
pdf_rect(struct pdf *p, double x, double y, double w, double h, double lw)
{
	double *r;

	if (p->dry)
		return;
	if (p->nrect == p->caprect) {
		p->caprect = p->caprect ? 2 * p->caprect : 1024;
		p->rect = xreallocarray(p->rect, p->caprect, 5 * sizeof *p->rect);
	}
	r = p->rect + 5 * p->nrect++;
	r[0] = x, r[1] = y, r[2] = w, r[3] = h, r[4] = lw;
}

static void
flush_rects(struct pdf *p)
{
	while (p->nrect > 0) {
		double lw = p->rect[4];
		size_t keep = 0;

		cairo_new_path(p->cr);
		for (size_t i = 0; i < p->nrect; i++) {
			double *r = p->rect + 5 * i;

			if (r[4] == lw)
				cairo_rectangle(p->cr, r[0], r[1], r[2], r[3]);
			else
				memmove(p->rect + 5 * keep++, r, 5 * sizeof *r);
		}
		cairo_set_line_width(p->cr, lw);
		cairo_stroke(p->cr);
		p->nrect = keep;
	}
}

void
pdf_fill(struct pdf *p, double x, double y, double w, double h, double gray)
{
	if (p->dry)
		return;
	cairo_save(p->cr);
	cairo_set_source_rgb(p->cr, gray, gray, gray);
	cairo_rectangle(p->cr, x, y, w, h);
	cairo_fill(p->cr);
	cairo_restore(p->cr);
}

void
pdf_line(struct pdf *p, double x1, double y1, double x2, double y2, double lw)
{
	if (p->dry)
		return;
	cairo_set_line_width(p->cr, lw);
	cairo_move_to(p->cr, x1, y1);
	cairo_line_to(p->cr, x2, y2);
	cairo_stroke(p->cr);
}

void
pdf_page(struct pdf *p)
{
	if (p->dry)
		return;
	flush_rects(p);
	cairo_show_page(p->cr);
	p->pages++;
}

int
pdf_pages(const struct pdf *p)
{
	return p->pages;
}
