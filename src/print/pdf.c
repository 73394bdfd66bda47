/* pdf.c — see pdf.h. */
#include "pdf.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include "outfile.h"
#include "util.h"

/* pango, cairo and glib are loaded on the first document, not at start-up:
 * with their ~30 dependencies they are half of the shared libraries the
 * dynamic loader would otherwise map, relocate and initialise before main
 * on every start of the client, which prints only on F11 (docs/client.md
 * §6).  The headers still give every type; the calls below go through
 * pointers filled by dlsym from the Debian package's stable soname. */
#define PDF_LIBRARY "libpangocairo-1.0.so.0"
#define PDF_FUNCS(_) \
	_(cairo_create) \
	_(cairo_destroy) \
	_(cairo_fill) \
	_(cairo_image_surface_create) \
	_(cairo_line_to) \
	_(cairo_move_to) \
	_(cairo_new_path) \
	_(cairo_paint) \
	_(cairo_pdf_surface_create_for_stream) \
	_(cairo_pdf_surface_set_metadata) \
	_(cairo_rectangle) \
	_(cairo_restore) \
	_(cairo_save) \
	_(cairo_scale) \
	_(cairo_set_source_surface) \
	_(cairo_set_line_width) \
	_(cairo_set_source_rgb) \
	_(cairo_show_page) \
	_(cairo_status) \
	_(cairo_status_to_string) \
	_(cairo_stroke) \
	_(cairo_surface_destroy) \
	_(cairo_surface_finish) \
	_(cairo_surface_set_mime_data) \
	_(cairo_surface_status) \
	_(cairo_translate) \
	_(g_hash_table_destroy) \
	_(g_hash_table_insert) \
	_(g_hash_table_lookup) \
	_(g_hash_table_new_full) \
	_(g_hash_table_remove_all) \
	_(g_hash_table_size) \
	_(g_object_unref) \
	_(g_str_equal) \
	_(g_str_hash) \
	_(pango_cairo_context_set_resolution) \
	_(pango_cairo_create_context) \
	_(pango_cairo_show_layout) \
	_(pango_context_set_language) \
	_(pango_font_description_free) \
	_(pango_font_description_from_string) \
	_(pango_font_description_set_size) \
	_(pango_font_description_set_weight) \
	_(pango_language_from_string) \
	_(pango_layout_get_extents) \
	_(pango_layout_get_unknown_glyphs_count) \
	_(pango_layout_new) \
	_(pango_layout_set_alignment) \
	_(pango_layout_set_font_description) \
	_(pango_layout_set_text) \
	_(pango_layout_set_width) \
	_(pango_layout_set_wrap)

static struct {
#define DECLARE(name) __typeof__(&name) name;
	PDF_FUNCS(DECLARE)
#undef DECLARE
} lib;

static enum jzg_status
load_library(char **cause)
{
	static int loaded;
	void *h;

	if (loaded)
		return JZG_OK;
	if ((h = dlopen(PDF_LIBRARY, RTLD_NOW | RTLD_GLOBAL)) == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "无法加载排版库 %s（%s），所以没有生成 PDF。"
		    "请安装：sudo apt-get install libpangocairo-1.0-0，然后重新打印", PDF_LIBRARY, dlerror());
#define LOOKUP(name) \
	if ((*(void **)&lib.name = dlsym(h, #name)) == NULL) \
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "排版库 %s 缺少函数 %s，所以没有生成 PDF。" \
		    "请重新安装 libpangocairo-1.0-0 和 libcairo2", PDF_LIBRARY, #name);
	PDF_FUNCS(LOOKUP)
#undef LOOKUP
	loaded = 1;   /* the library stays loaded for the process (fontconfig's caches) */
	return JZG_OK;
}

/* From here on the library's names are the pointers'. */
#undef cairo_image_surface_create
#define cairo_image_surface_create (lib.cairo_image_surface_create)
#undef cairo_paint
#define cairo_paint (lib.cairo_paint)
#undef cairo_scale
#define cairo_scale (lib.cairo_scale)
#undef cairo_set_source_surface
#define cairo_set_source_surface (lib.cairo_set_source_surface)
#undef cairo_surface_set_mime_data
#define cairo_surface_set_mime_data (lib.cairo_surface_set_mime_data)
#undef cairo_translate
#define cairo_translate (lib.cairo_translate)
#undef cairo_create
#define cairo_create (lib.cairo_create)
#undef cairo_destroy
#define cairo_destroy (lib.cairo_destroy)
#undef cairo_fill
#define cairo_fill (lib.cairo_fill)
#undef cairo_line_to
#define cairo_line_to (lib.cairo_line_to)
#undef cairo_move_to
#define cairo_move_to (lib.cairo_move_to)
#undef cairo_new_path
#define cairo_new_path (lib.cairo_new_path)
#undef cairo_pdf_surface_create_for_stream
#define cairo_pdf_surface_create_for_stream (lib.cairo_pdf_surface_create_for_stream)
#undef cairo_pdf_surface_set_metadata
#define cairo_pdf_surface_set_metadata (lib.cairo_pdf_surface_set_metadata)
#undef cairo_rectangle
#define cairo_rectangle (lib.cairo_rectangle)
#undef cairo_restore
#define cairo_restore (lib.cairo_restore)
#undef cairo_save
#define cairo_save (lib.cairo_save)
#undef cairo_set_line_width
#define cairo_set_line_width (lib.cairo_set_line_width)
#undef cairo_set_source_rgb
#define cairo_set_source_rgb (lib.cairo_set_source_rgb)
#undef cairo_show_page
#define cairo_show_page (lib.cairo_show_page)
#undef cairo_status
#define cairo_status (lib.cairo_status)
#undef cairo_status_to_string
#define cairo_status_to_string (lib.cairo_status_to_string)
#undef cairo_stroke
#define cairo_stroke (lib.cairo_stroke)
#undef cairo_surface_destroy
#define cairo_surface_destroy (lib.cairo_surface_destroy)
#undef cairo_surface_finish
#define cairo_surface_finish (lib.cairo_surface_finish)
#undef cairo_surface_status
#define cairo_surface_status (lib.cairo_surface_status)
#undef g_hash_table_destroy
#define g_hash_table_destroy (lib.g_hash_table_destroy)
#undef g_hash_table_insert
#define g_hash_table_insert (lib.g_hash_table_insert)
#undef g_hash_table_lookup
#define g_hash_table_lookup (lib.g_hash_table_lookup)
#undef g_hash_table_new_full
#define g_hash_table_new_full (lib.g_hash_table_new_full)
#undef g_hash_table_remove_all
#define g_hash_table_remove_all (lib.g_hash_table_remove_all)
#undef g_hash_table_size
#define g_hash_table_size (lib.g_hash_table_size)
#undef g_object_unref
#define g_object_unref (lib.g_object_unref)
#undef g_str_equal
#define g_str_equal (lib.g_str_equal)
#undef g_str_hash
#define g_str_hash (lib.g_str_hash)
#undef pango_cairo_context_set_resolution
#define pango_cairo_context_set_resolution (lib.pango_cairo_context_set_resolution)
#undef pango_cairo_create_context
#define pango_cairo_create_context (lib.pango_cairo_create_context)
#undef pango_cairo_show_layout
#define pango_cairo_show_layout (lib.pango_cairo_show_layout)
#undef pango_context_set_language
#define pango_context_set_language (lib.pango_context_set_language)
#undef pango_font_description_free
#define pango_font_description_free (lib.pango_font_description_free)
#undef pango_font_description_from_string
#define pango_font_description_from_string (lib.pango_font_description_from_string)
#undef pango_font_description_set_size
#define pango_font_description_set_size (lib.pango_font_description_set_size)
#undef pango_font_description_set_weight
#define pango_font_description_set_weight (lib.pango_font_description_set_weight)
#undef pango_language_from_string
#define pango_language_from_string (lib.pango_language_from_string)
#undef pango_layout_get_extents
#define pango_layout_get_extents (lib.pango_layout_get_extents)
#undef pango_layout_get_unknown_glyphs_count
#define pango_layout_get_unknown_glyphs_count (lib.pango_layout_get_unknown_glyphs_count)
#undef pango_layout_new
#define pango_layout_new (lib.pango_layout_new)
#undef pango_layout_set_alignment
#define pango_layout_set_alignment (lib.pango_layout_set_alignment)
#undef pango_layout_set_font_description
#define pango_layout_set_font_description (lib.pango_layout_set_font_description)
#undef pango_layout_set_text
#define pango_layout_set_text (lib.pango_layout_set_text)
#undef pango_layout_set_width
#define pango_layout_set_width (lib.pango_layout_set_width)
#undef pango_layout_set_wrap
#define pango_layout_set_wrap (lib.pango_layout_set_wrap)

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
	if (load_library(cause) != JZG_OK)
		return JZG_ERR_NOTFOUND;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	p->tmp = outfile_part(path);
	unlink(p->tmp);   /* our pid's: a file of a run before a reboot */
	if ((fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0 || (p->fp = fdopen(fd, "wb")) == NULL) {
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
	if ((rc = outfile_commit(p->tmp, p->path, cause)) != JZG_OK) {
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

/* The JPEG is embedded as it is (DCTDecode): cairo's PDF surface writes
 * the mime data of an image surface instead of its pixels, so the surface
 * is only the size of the picture and is never drawn into.  The unique id
 * (the photo's hash) lets cairo write a photo used twice only once. */
void
pdf_jpeg(struct pdf *p, double x, double y, double w, double h, const unsigned char *data, size_t len,
    int pw, int ph, const char *id)
{
	cairo_surface_t *img;
	unsigned char *copy;

	if (p->dry || p->failed || pw <= 0 || ph <= 0)
		return;
	img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
	copy = xmalloc(len);
	memcpy(copy, data, len);
	if (cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_JPEG, copy, len, free, copy) != CAIRO_STATUS_SUCCESS)
		free(copy);
	if (id != NULL) {
		char *u = xstrdup(id);

		if (cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_UNIQUE_ID, (unsigned char *)u, strlen(u), free, u) !=
		    CAIRO_STATUS_SUCCESS)
			free(u);
	}
	cairo_save(p->cr);
	cairo_translate(p->cr, x, y);
	cairo_scale(p->cr, w / pw, h / ph);
	cairo_set_source_surface(p->cr, img, 0, 0);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
	cairo_surface_destroy(img);
}
