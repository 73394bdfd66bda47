/* pdf.c — see pdf.h. */
#include "pdf.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
	_(cairo_scaled_font_destroy) \
	_(cairo_scaled_font_reference) \
	_(cairo_set_scaled_font) \
	_(cairo_set_source_surface) \
	_(cairo_set_line_cap) \
	_(cairo_set_line_width) \
	_(cairo_set_source_rgb) \
	_(cairo_show_page) \
	_(cairo_show_text_glyphs) \
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
	_(pango_cairo_font_get_scaled_font) \
	_(pango_cairo_font_map_new) \
	_(pango_cairo_update_context) \
	_(pango_context_set_language) \
	_(pango_context_set_round_glyph_positions) \
	_(pango_font_description_free) \
	_(pango_font_description_from_string) \
	_(pango_font_description_set_size) \
	_(pango_font_description_set_weight) \
	_(pango_font_map_create_context) \
	_(pango_glyph_item_iter_init_start) \
	_(pango_glyph_item_iter_next_cluster) \
	_(pango_language_from_string) \
	_(pango_layout_get_extents) \
	_(pango_layout_get_iter) \
	_(pango_layout_get_text) \
	_(pango_layout_get_unknown_glyphs_count) \
	_(pango_layout_iter_free) \
	_(pango_layout_iter_get_baseline) \
	_(pango_layout_iter_get_run_extents) \
	_(pango_layout_iter_get_run_readonly) \
	_(pango_layout_iter_next_run) \
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
load_library_once(char **cause)
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

/* Documents may be started on several threads (sheet.c's layout thread). */
static enum jzg_status
load_library(char **cause)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	enum jzg_status rc;

	pthread_mutex_lock(&mu);
	rc = load_library_once(cause);
	pthread_mutex_unlock(&mu);
	return rc;
}

/* From here on the library's names are the pointers'. */
#undef cairo_create
#define cairo_create (lib.cairo_create)
#undef cairo_destroy
#define cairo_destroy (lib.cairo_destroy)
#undef cairo_fill
#define cairo_fill (lib.cairo_fill)
#undef cairo_image_surface_create
#define cairo_image_surface_create (lib.cairo_image_surface_create)
#undef cairo_line_to
#define cairo_line_to (lib.cairo_line_to)
#undef cairo_move_to
#define cairo_move_to (lib.cairo_move_to)
#undef cairo_new_path
#define cairo_new_path (lib.cairo_new_path)
#undef cairo_paint
#define cairo_paint (lib.cairo_paint)
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
#undef cairo_scale
#define cairo_scale (lib.cairo_scale)
#undef cairo_scaled_font_destroy
#define cairo_scaled_font_destroy (lib.cairo_scaled_font_destroy)
#undef cairo_scaled_font_reference
#define cairo_scaled_font_reference (lib.cairo_scaled_font_reference)
#undef cairo_set_scaled_font
#define cairo_set_scaled_font (lib.cairo_set_scaled_font)
#undef cairo_set_source_surface
#define cairo_set_source_surface (lib.cairo_set_source_surface)
#undef cairo_set_line_cap
#define cairo_set_line_cap (lib.cairo_set_line_cap)
#undef cairo_set_line_width
#define cairo_set_line_width (lib.cairo_set_line_width)
#undef cairo_set_source_rgb
#define cairo_set_source_rgb (lib.cairo_set_source_rgb)
#undef cairo_show_page
#define cairo_show_page (lib.cairo_show_page)
#undef cairo_show_text_glyphs
#define cairo_show_text_glyphs (lib.cairo_show_text_glyphs)
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
#undef cairo_surface_set_mime_data
#define cairo_surface_set_mime_data (lib.cairo_surface_set_mime_data)
#undef cairo_surface_status
#define cairo_surface_status (lib.cairo_surface_status)
#undef cairo_translate
#define cairo_translate (lib.cairo_translate)
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
#undef pango_cairo_font_get_scaled_font
#define pango_cairo_font_get_scaled_font (lib.pango_cairo_font_get_scaled_font)
#undef pango_cairo_font_map_new
#define pango_cairo_font_map_new (lib.pango_cairo_font_map_new)
#undef pango_cairo_update_context
#define pango_cairo_update_context (lib.pango_cairo_update_context)
#undef pango_context_set_language
#define pango_context_set_language (lib.pango_context_set_language)
#undef pango_context_set_round_glyph_positions
#define pango_context_set_round_glyph_positions (lib.pango_context_set_round_glyph_positions)
#undef pango_font_description_free
#define pango_font_description_free (lib.pango_font_description_free)
#undef pango_font_description_from_string
#define pango_font_description_from_string (lib.pango_font_description_from_string)
#undef pango_font_description_set_size
#define pango_font_description_set_size (lib.pango_font_description_set_size)
#undef pango_font_description_set_weight
#define pango_font_description_set_weight (lib.pango_font_description_set_weight)
#undef pango_font_map_create_context
#define pango_font_map_create_context (lib.pango_font_map_create_context)
#undef pango_glyph_item_iter_init_start
#define pango_glyph_item_iter_init_start (lib.pango_glyph_item_iter_init_start)
#undef pango_glyph_item_iter_next_cluster
#define pango_glyph_item_iter_next_cluster (lib.pango_glyph_item_iter_next_cluster)
#undef pango_language_from_string
#define pango_language_from_string (lib.pango_language_from_string)
#undef pango_layout_get_extents
#define pango_layout_get_extents (lib.pango_layout_get_extents)
#undef pango_layout_get_iter
#define pango_layout_get_iter (lib.pango_layout_get_iter)
#undef pango_layout_get_text
#define pango_layout_get_text (lib.pango_layout_get_text)
#undef pango_layout_get_unknown_glyphs_count
#define pango_layout_get_unknown_glyphs_count (lib.pango_layout_get_unknown_glyphs_count)
#undef pango_layout_iter_free
#define pango_layout_iter_free (lib.pango_layout_iter_free)
#undef pango_layout_iter_get_baseline
#define pango_layout_iter_get_baseline (lib.pango_layout_iter_get_baseline)
#undef pango_layout_iter_get_run_extents
#define pango_layout_iter_get_run_extents (lib.pango_layout_iter_get_run_extents)
#undef pango_layout_iter_get_run_readonly
#define pango_layout_iter_get_run_readonly (lib.pango_layout_iter_get_run_readonly)
#undef pango_layout_iter_next_run
#define pango_layout_iter_next_run (lib.pango_layout_iter_next_run)
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
/* Strings kept laid out between people: labels repeat on every sheet. */
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

/* A string laid out once by pango, kept as what cairo draws: its glyphs
 * (positions from the text's top left) in runs of one font, with the text
 * and the clusters that tie glyphs to characters (so that the PDF's text
 * can be searched and copied).  It holds no pango object, only cairo fonts
 * (referenced, and cairo's fonts may be used on any thread), so a string
 * laid out on one thread can be drawn on another.  Drawing a label again
 * is a copy of its glyphs, not a walk through pango's renderer. */
struct srun {
	cairo_scaled_font_t *font;
	int                  backward;   /* right-to-left: its clusters run backwards */
	size_t               nglyph, nbyte, ncluster;
};

struct shaped {
	double                w, h;       /* logical size */
	cairo_glyph_t        *glyph;
	char                 *utf8;
	cairo_text_cluster_t *cluster;
	struct srun          *run;
	size_t                nglyph, nbyte, ncluster, nrun;
};

/* A page as drawn, kept until it is written: then it goes to cairo in few
 * calls — fills (backgrounds) first, then pictures, then the text in the
 * order it was drawn with consecutive text of one font in one call, then
 * outlines and lines, one stroke per line width.  cairo's PDF surface pays
 * per call (it records, analyses and replays every one), and a sheet's
 * page has hundreds of cells; fills never overlap other cells' text, so
 * drawing them first changes nothing on paper. */
struct seg {                          /* text of one font */
	cairo_scaled_font_t *font;        /* referenced */
	int                  backward;
	size_t               g, b, c;     /* its first glyph, byte and cluster */
};

/* A filled rectangle. */
struct box {
	double gray, x, w, y, h;          /* in this order: sorted so, stacked cells meet */
};

/* A line: along x at y = c from a to b (H), along y at x = c (V), or from
 * (c, a) to (b, d).  Outlines of rectangles are kept as their four sides:
 * a table's cells share sides, which become one line each. */
enum { LINE_H, LINE_V, LINE_OTHER };
struct line {
	double lw;
	int    dir;
	double c, a, b, d;
};

struct img {
	double         x, y, w, h;
	unsigned char *data;
	size_t         len;
	int            pw, ph;
	char          *id;
};

struct page {
	struct box           *fill;
	struct line          *stroke;
	struct img           *img;
	cairo_glyph_t        *glyph;
	cairo_text_cluster_t *cluster;
	char                 *utf8;
	struct seg           *seg;
	size_t                nfill, nstroke, nimg, nglyph, ncluster, nbyte, nseg;
	size_t                cfill, cstroke, cimg, cglyph, ccluster, cbyte, cseg;   /* capacities */
};

/* ASCII characters in one style as pango sets them (see ascii_init): one
 * glyph per character at a fixed advance, whatever its neighbours. */
#define ASCII_FIRST 0x20
#define ASCII_N     (0x7f - ASCII_FIRST)
struct ascii {
	int                  state;      /* 0 not yet asked, 1 usable, -1 not (pango for all) */
	unsigned char        usable[ASCII_N];  /* the characters the table holds */
	unsigned char        kern[ASCII_N][ASCII_N];  /* pairs set otherwise (kerned: "--"): pango's */
	cairo_scaled_font_t *font;       /* referenced */
	unsigned             glyph[ASCII_N];
	int                  width[ASCII_N];   /* pango units */
	double               h, base;    /* a line's logical height and baseline */
};

struct pdf {
	/* The file, for a document made by pdf_new; a part (pdf_new_part) is
	 * written into mem instead. */
	char                 *path;      /* target */
	char                 *tmp;       /* temp file beside it */
	FILE                 *fp;
	int                   write_errno;
	unsigned char        *mem;
	size_t                nmem, cmem;
	cairo_surface_t      *surface;
	cairo_t              *cr;
	/* pango on a font map of its own: the parts of a batch are drawn on
	 * two threads, and pango's objects must not be shared between them. */
	PangoContext         *ctx;
	PangoFontDescription *font[PDF__STYLES];
	GHashTable           *cache;     /* key → struct shaped * */
	struct ascii          ascii[PDF__STYLES];
	char                 *last_key;  /* the last look-up's key, … */
	size_t                last_len, last_cap;
	const struct shaped  *last;      /* … and what it found */
	int                   dry;
	struct page           pg;        /* the open page, not yet written */
	/* Held pages (pdf_hold): ended but not yet written, in order, each
	 * keeping its arrays for the next unit; draw is where drawing goes —
	 * &pg, or a held page (pdf_goto). */
	struct page          *held;
	size_t                nheld, cheld;
	int                   hold;
	struct page          *draw;
	int                   failed;
	struct strbuf         missing;   /* characters without a glyph */
	char                 *missing_in;/* first text they were found in */
};

/* Room for need elements of size in *a (capacity *cap): exactly need at
 * first (most strings are one run: thousands of them are cached), then
 * doubling. */
static void
grow(void *a, size_t *cap, size_t need, size_t size)
{
	void **p = a;

	if (need <= *cap)
		return;
	*cap = *cap ? 2 * *cap : need;
	if (*cap < need)
		*cap = need;
	*p = xreallocarray(*p, *cap, size);
}

static cairo_status_t
write_fn(void *closure, const unsigned char *data, unsigned int len)
{
	struct pdf *p = closure;

	if (p->fp == NULL) {
		grow(&p->mem, &p->cmem, p->nmem + len, 1);
		memcpy(p->mem + p->nmem, data, len);
		p->nmem += len;
		return CAIRO_STATUS_SUCCESS;
	}
	if (fwrite(data, 1, len, p->fp) != len) {
		p->write_errno = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- shaping */

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

static void
shaped_free(gpointer v)
{
	struct shaped *sh = v;

	for (size_t k = 0; k < sh->nrun; k++)
		cairo_scaled_font_destroy(sh->run[k].font);
	free(sh->run);
	free(sh->glyph);
	free(sh->utf8);
	free(sh->cluster);
	free(sh);
}

static int
glyph_drawn(const PangoGlyphInfo *gi)
{
	return gi->glyph != PANGO_GLYPH_EMPTY && (gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0;
}

/* One run of a laid-out line: what pango's cairo renderer would pass to
 * cairo_show_text_glyphs (pangocairo-render.c, draw_glyph_item), with the
 * run's origin (bx, by) from its line and baseline. */
static void
shape_run(struct shaped *sh, size_t *cap, const char *text, PangoGlyphItem *run, double bx, double by)
{
	PangoGlyphString *gs = run->glyphs;
	PangoItem *item = run->item;
	PangoGlyphItemIter ci;
	struct srun *r;
	int xpos = 0;

	grow(&sh->run, &cap[0], sh->nrun + 1, sizeof *sh->run);
	r = &sh->run[sh->nrun++];
	r->font = cairo_scaled_font_reference(pango_cairo_font_get_scaled_font((PangoCairoFont *)item->analysis.font));
	r->backward = (item->analysis.level & 1) != 0;
	r->nglyph = r->nbyte = r->ncluster = 0;
	grow(&sh->glyph, &cap[1], sh->nglyph + (size_t)gs->num_glyphs, sizeof *sh->glyph);
	for (int i = 0; i < gs->num_glyphs; i++) {
		const PangoGlyphInfo *gi = &gs->glyphs[i];

		if (glyph_drawn(gi)) {
			cairo_glyph_t *g = &sh->glyph[sh->nglyph + r->nglyph++];

			g->index = gi->glyph;
			g->x = bx + (double)(xpos + gi->geometry.x_offset) / PANGO_SCALE;
			g->y = by + (double)gi->geometry.y_offset / PANGO_SCALE;
		}
		xpos += gi->geometry.width;
	}
	grow(&sh->utf8, &cap[2], sh->nbyte + (size_t)item->length + 1, 1);
	memcpy(sh->utf8 + sh->nbyte, text + item->offset, (size_t)item->length);
	r->nbyte = (size_t)item->length;
	grow(&sh->cluster, &cap[3], sh->ncluster + (size_t)item->num_chars, sizeof *sh->cluster);
	if (pango_glyph_item_iter_init_start(&ci, run, text)) {
		do {
			int lo = ci.start_glyph < ci.end_glyph + 1 ? ci.start_glyph : ci.end_glyph + 1;
			int hi = ci.start_glyph + 1 > ci.end_glyph ? ci.start_glyph + 1 : ci.end_glyph;
			int n = 0;
			cairo_text_cluster_t *c;

			for (int i = lo; i < hi; i++)
				n += glyph_drawn(&gs->glyphs[i]);
			grow(&sh->cluster, &cap[3], sh->ncluster + r->ncluster + 1, sizeof *sh->cluster);
			c = &sh->cluster[sh->ncluster + r->ncluster++];
			c->num_bytes = ci.end_index - ci.start_index;
			c->num_glyphs = n;
		} while (pango_glyph_item_iter_next_cluster(&ci));
	}
	sh->nglyph += r->nglyph;
	sh->nbyte += r->nbyte;
	sh->ncluster += r->ncluster;
}

static struct shaped *
shape(PangoLayout *l)
{
	struct shaped *sh = xcalloc(1, sizeof *sh);
	const char *text = pango_layout_get_text(l);
	PangoLayoutIter *it = pango_layout_get_iter(l);
	PangoRectangle r;
	size_t cap[4] = { 0 };

	pango_layout_get_extents(l, NULL, &r);
	sh->w = (double)r.width / PANGO_SCALE;
	sh->h = (double)r.height / PANGO_SCALE;
	do {
		PangoLayoutRun *run = pango_layout_iter_get_run_readonly(it);
		PangoRectangle lr;

		if (run == NULL)   /* the end of a line */
			continue;
		pango_layout_iter_get_run_extents(it, NULL, &lr);
		shape_run(sh, cap, text, run, (double)lr.x / PANGO_SCALE,
		    (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE);
	} while (pango_layout_iter_next_run(it));
	pango_layout_iter_free(it);
	return sh;
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

/* ---------------------------------------------------------------- ASCII */

/* Half the strings a sheet meets for the first time are ASCII on one line
 * — identity numbers, dates, amounts, telephone numbers, codes — and
 * laying each out through pango (itemising, font selection, harfbuzz, line
 * breaking: ~100,000 instructions a string) was the largest part of the
 * laying out.  In this font such a string is one glyph per character, each
 * at its own fixed advance, so it is set here from a table: what pango
 * gives, to the pango unit.  The table is made from pango itself: each
 * character alone, and every ordered pair of them side by side, which must
 * come out in one run of one font, one glyph per character, without
 * offsets (no ligature or contextual form — lower case is left out: the
 * font joins fi, fl …).  A pair whose first character is not set at its
 * own advance is kerned (the font kerns "--"): a string holding it goes
 * through pango, as does any other string. */
static const char *const ascii_sets[] = {
	"0123456789-./:()+,# ABCDEFGHIJKLMNOPQRSTUVWXYZ",   /* 98 % of such strings in the demo data */
	"0123456789-./:()+,# ",
};

/* Glyph and advance of each character of set alone, into a; 0 when one
 * is not a single glyph on its own. */
static int
ascii_alone(struct pdf *p, enum pdf_style s, struct ascii *a, const char *set)
{
	int ok = 1;

	for (const char *c = set; *c != '\0' && ok; c++) {
		char one[2] = { *c, 0 };
		PangoLayout *l = make_layout(p, s, one, 0, PDF_LEFT);
		PangoLayoutIter *it = pango_layout_get_iter(l);
		PangoLayoutRun *run = pango_layout_iter_get_run_readonly(it);
		const PangoGlyphInfo *gi = run != NULL && run->glyphs->num_glyphs == 1 ? run->glyphs->glyphs : NULL;

		ok = pango_layout_get_unknown_glyphs_count(l) == 0 && gi != NULL && glyph_drawn(gi) &&
		    gi->geometry.x_offset == 0 && gi->geometry.y_offset == 0;
		if (ok) {
			a->glyph[*c - ASCII_FIRST] = gi->glyph;
			a->width[*c - ASCII_FIRST] = gi->geometry.width;
		}
		pango_layout_iter_free(it);
		g_object_unref(l);
	}
	return ok;
}

/* Whether pango sets the characters of set and their pairs as the table
 * says (kerned pairs noted); fills a. */
static int
ascii_try(struct pdf *p, enum pdf_style s, struct ascii *a, const char *set)
{
	size_t n = strlen(set);
	struct strbuf b = { 0 };
	PangoLayout *l;
	PangoLayoutIter *it;
	PangoLayoutRun *run;
	PangoRectangle r;
	int ok;

	if (!ascii_alone(p, s, a, set))
		return 0;
	for (size_t x = 0; x < n; x++)   /* every ordered pair side by side */
		for (size_t y = 0; y < n; y++) {
			char two[3] = { set[x], set[y], 0 };

			strbuf_adds(&b, two);
		}
	l = make_layout(p, s, b.s, 0, PDF_LEFT);
	ok = pango_layout_get_unknown_glyphs_count(l) == 0;
	it = pango_layout_get_iter(l);
	run = pango_layout_iter_get_run_readonly(it);
	ok = ok && run != NULL && run->item->offset == 0 && run->item->length == (int)b.len &&
	    run->glyphs->num_glyphs == (int)b.len && (run->item->analysis.level & 1) == 0;
	memset(a->kern, 0, sizeof a->kern);
	for (int i = 0; ok && i < (int)b.len; i++) {
		const PangoGlyphInfo *gi = &run->glyphs->glyphs[i];
		int c = (unsigned char)b.s[i] - ASCII_FIRST;

		ok = run->glyphs->log_clusters[i] == i && gi->glyph == a->glyph[c] && gi->geometry.x_offset == 0 &&
		    gi->geometry.y_offset == 0;
		if (ok && gi->geometry.width != a->width[c]) {   /* kerned with the next (the last has none) */
			ok = i + 1 < (int)b.len;
			if (ok)
				a->kern[c][(unsigned char)b.s[i + 1] - ASCII_FIRST] = 1;
		}
	}
	if (ok) {
		pango_layout_iter_get_run_extents(it, NULL, &r);
		/* one run, then the line's end (a NULL run), then no more */
		ok = r.x == 0 && pango_layout_iter_next_run(it) && pango_layout_iter_get_run_readonly(it) == NULL &&
		    !pango_layout_iter_next_run(it);
	}
	pango_layout_iter_free(it);
	if (ok) {
		pango_layout_get_extents(l, NULL, &r);
		it = pango_layout_get_iter(l);
		a->h = (double)r.height / PANGO_SCALE;
		a->base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		pango_layout_iter_free(it);
		a->font = cairo_scaled_font_reference(
		    pango_cairo_font_get_scaled_font((PangoCairoFont *)run->item->analysis.font));
		memset(a->usable, 0, sizeof a->usable);
		for (size_t x = 0; x < n; x++)
			a->usable[set[x] - ASCII_FIRST] = 1;
	}
	g_object_unref(l);
	strbuf_free(&b);
	return ok;
}

static void
ascii_init(struct pdf *p, enum pdf_style s)
{
	struct ascii *a = &p->ascii[s];

	a->state = -1;
	if (getenv("JZG_PDF_PANGO_ONLY") != NULL)   /* tests/e2e/print.sh: the same bytes either way */
		return;
	for (size_t k = 0; k < sizeof ascii_sets / sizeof ascii_sets[0] && a->state < 0; k++)
		if (ascii_try(p, s, a, ascii_sets[k]))
			a->state = 1;
}

/* text (n bytes, not empty) laid out on one line from the table, as
 * shape() would from pango's layout; NULL when the table is not usable or
 * text is not all printable ASCII. */
static struct shaped *
shape_ascii(struct pdf *p, enum pdf_style s, const char *text, size_t n)
{
	struct ascii *a = &p->ascii[s];
	struct shaped *sh;
	int xpos = 0;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] < ASCII_FIRST || (unsigned char)text[i] >= ASCII_FIRST + ASCII_N)
			return NULL;
	if (a->state == 0)
		ascii_init(p, s);
	if (a->state < 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!a->usable[(unsigned char)text[i] - ASCII_FIRST] ||
		    (i + 1 < n && a->kern[(unsigned char)text[i] - ASCII_FIRST][(unsigned char)text[i + 1] - ASCII_FIRST]))
			return NULL;
	sh = xcalloc(1, sizeof *sh);
	sh->glyph = xreallocarray(NULL, n, sizeof *sh->glyph);
	sh->cluster = xreallocarray(NULL, n, sizeof *sh->cluster);
	sh->utf8 = xmalloc(n + 1);
	sh->run = xcalloc(1, sizeof *sh->run);
	memcpy(sh->utf8, text, n + 1);
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)text[i] - ASCII_FIRST;

		sh->glyph[i].index = a->glyph[c];
		sh->glyph[i].x = 0.0 + (double)xpos / PANGO_SCALE;
		sh->glyph[i].y = a->base + 0.0;
		sh->cluster[i].num_bytes = 1;
		sh->cluster[i].num_glyphs = 1;
		xpos += a->width[c];
	}
	sh->w = (double)xpos / PANGO_SCALE;
	sh->h = a->h;
	sh->nglyph = sh->nbyte = sh->ncluster = n;
	sh->nrun = 1;
	sh->run[0] = (struct srun){ cairo_scaled_font_reference(a->font), 0, n, n, n };
	return sh;
}

/* sh, found under key (len bytes): the last look-up. */
static const struct shaped *
remember(struct pdf *p, const struct shaped *sh, const char *key, size_t len)
{
	if (len > p->last_cap) {
		p->last_cap = len;
		p->last_key = xrealloc(p->last_key, len);
	}
	memcpy(p->last_key, key, len);
	p->last_len = len;
	p->last = sh;
	return sh;
}

static const struct shaped *
layout(struct pdf *p, enum pdf_style s, const char *text, double w, enum pdf_align a)
{
	char buf[256], *key;
	size_t n;
	unsigned long wk = w > 0 ? (unsigned long)(w * 10 + 0.5) : 0;
	struct shaped *sh;
	PangoLayout *l;

	if (text == NULL)
		text = "";
	/* Binary prefix (style, align, width in 0.1 pt) + text: built without
	 * printf, and on the stack unless the string is new (every cell is
	 * looked up four times: measured and drawn, width and height). */
	n = strlen(text);
	key = n + 8 <= sizeof buf ? buf : xmalloc(n + 8);
	key[0] = (char)('A' + s);
	key[1] = (char)('A' + a);
	for (int i = 0; i < 5; i++)
		key[2 + i] = (char)('0' + (wk >> (6 * i) & 63));
	memcpy(key + 7, text, n + 1);
	/* A cell is measured (width, then height) and drawn (width, then
	 * text) with the same key one after the other: the last look-up is
	 * kept, a compare instead of hashing into a table of thousands. */
	if (p->last != NULL && p->last_len == n + 7 && memcmp(p->last_key, key, n + 7) == 0) {
		if (key != buf)
			free(key);
		return p->last;
	}
	if ((sh = g_hash_table_lookup(p->cache, key)) != NULL) {
		remember(p, sh, key, n + 7);
		if (key != buf)
			free(key);
		return sh;
	}
	if (key == buf)
		key = memcpy(xmalloc(n + 8), buf, n + 8);
	if (w > 0 || n == 0 || (sh = shape_ascii(p, s, text, n)) == NULL) {
		l = make_layout(p, s, text, w, a);
		if (pango_layout_get_unknown_glyphs_count(l) > 0)
			note_missing(p, s, text);
		sh = shape(l);
		g_object_unref(l);
	}
	/* The table owns key (freed with free) and the entry. */
	g_hash_table_insert(p->cache, key, sh);
	return remember(p, sh, key, n + 7);
}

static void
free_key(gpointer k)
{
	free(k);
}

/* ---------------------------------------------------------------- pages */

static void
page_clear(struct page *pg)
{
	for (size_t k = 0; k < pg->nseg; k++)
		cairo_scaled_font_destroy(pg->seg[k].font);
	for (size_t k = 0; k < pg->nimg; k++) {
		free(pg->img[k].data);
		free(pg->img[k].id);
	}
	pg->nfill = pg->nstroke = pg->nimg = pg->nglyph = pg->ncluster = pg->nbyte = pg->nseg = 0;
}

static void
page_free(struct page *pg)
{
	page_clear(pg);
	free(pg->fill);
	free(pg->stroke);
	free(pg->img);
	free(pg->glyph);
	free(pg->cluster);
	free(pg->utf8);
	free(pg->seg);
}

static void
page_add_text(struct page *pg, const struct shaped *sh, double x, double y)
{
	size_t g = 0, b = 0, c = 0;

	grow(&pg->glyph, &pg->cglyph, pg->nglyph + sh->nglyph, sizeof *pg->glyph);
	grow(&pg->utf8, &pg->cbyte, pg->nbyte + sh->nbyte, 1);
	grow(&pg->cluster, &pg->ccluster, pg->ncluster + sh->ncluster, sizeof *pg->cluster);
	for (size_t k = 0; k < sh->nrun; k++) {
		const struct srun *r = &sh->run[k];
		struct seg *last = pg->nseg ? &pg->seg[pg->nseg - 1] : NULL;

		/* runs backwards have their own call: cairo's flag is per call */
		if (last == NULL || last->font != r->font || last->backward || r->backward) {
			grow(&pg->seg, &pg->cseg, pg->nseg + 1, sizeof *pg->seg);
			pg->seg[pg->nseg++] = (struct seg){ cairo_scaled_font_reference(r->font), r->backward,
			    pg->nglyph, pg->nbyte, pg->ncluster };
		}
		for (size_t i = 0; i < r->nglyph; i++) {
			cairo_glyph_t *o = &pg->glyph[pg->nglyph++];

			*o = sh->glyph[g + i];
			o->x += x;
			o->y += y;
		}
		memcpy(pg->utf8 + pg->nbyte, sh->utf8 + b, r->nbyte);
		pg->nbyte += r->nbyte;
		memcpy(pg->cluster + pg->ncluster, sh->cluster + c, r->ncluster * sizeof *pg->cluster);
		pg->ncluster += r->ncluster;
		g += r->nglyph;
		b += r->nbyte;
		c += r->ncluster;
	}
}

#define JOIN_EPS 0.01   /* points: sides this close are one */

static int
box_cmp(const void *x, const void *y)
{
	const double *a = x, *b = y;

	for (int k = 0; k < 4; k++)
		if (a[k] != b[k])
			return a[k] < b[k] ? -1 : 1;
	return 0;
}

static int
line_cmp(const void *x, const void *y)
{
	const struct line *a = x, *b = y;

	if (a->lw != b->lw)
		return a->lw < b->lw ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir - b->dir;
	if (a->c != b->c)
		return a->c < b->c ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* The fills, one path per gray; cells stacked in a column (a grid's
 * labels) become one rectangle.  Fewer rectangles are fewer numbers for
 * cairo to format and deflate to compress. */
static void
play_fills(cairo_t *cr, struct box *f, size_t n)
{
	qsort(f, n, sizeof *f, box_cmp);
	for (size_t i = 0; i < n;) {
		double gray = f[i].gray;

		cairo_new_path(cr);
		for (; i < n && f[i].gray == gray; i++) {
			struct box r = f[i];

			while (i + 1 < n && f[i + 1].gray == gray && f[i + 1].x == r.x && f[i + 1].w == r.w &&
			    f[i + 1].y <= r.y + r.h + JOIN_EPS) {
				i++;
				if (f[i].y + f[i].h > r.y + r.h)
					r.h = f[i].y + f[i].h - r.y;
			}
			cairo_rectangle(cr, r.x, r.y, r.w, r.h);
		}
		cairo_set_source_rgb(cr, gray, gray, gray);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
}

/* The lines, one path per width; sides on one line that meet or overlap
 * become one.  Square caps close the corners that rectangles' joins did. */
static void
play_lines(cairo_t *cr, struct line *l, size_t n)
{
	qsort(l, n, sizeof *l, line_cmp);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
	for (size_t i = 0; i < n;) {
		double lw = l[i].lw;

		cairo_new_path(cr);
		for (; i < n && l[i].lw == lw; i++) {
			struct line r = l[i];

			if (r.dir == LINE_OTHER) {
				cairo_move_to(cr, r.c, r.a);
				cairo_line_to(cr, r.b, r.d);
				continue;
			}
			while (i + 1 < n && l[i + 1].lw == lw && l[i + 1].dir == r.dir && l[i + 1].c - r.c < JOIN_EPS &&
			    l[i + 1].a <= r.b + JOIN_EPS) {
				i++;
				r.b = l[i].b > r.b ? l[i].b : r.b;
			}
			if (r.dir == LINE_H) {
				cairo_move_to(cr, r.a, r.c);
				cairo_line_to(cr, r.b, r.c);
			} else {
				cairo_move_to(cr, r.c, r.a);
				cairo_line_to(cr, r.c, r.b);
			}
		}
		cairo_set_line_width(cr, lw);
		cairo_stroke(cr);
	}
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

/* The JPEG is embedded as it is (DCTDecode): cairo's PDF surface writes
 * the mime data of an image surface instead of its pixels, so the surface
 * is only the size of the picture and is never drawn into.  The unique id
 * (the photo's hash) lets cairo write a photo used twice only once.  The
 * data and id are handed to cairo. */
static void
play_img(cairo_t *cr, struct img *im)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, im->pw, im->ph);

	if (cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, im->data, im->len, free, im->data) ==
	    CAIRO_STATUS_SUCCESS)
		im->data = NULL;
	if (im->id != NULL && cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_UNIQUE_ID, (unsigned char *)im->id,
	    strlen(im->id), free, im->id) == CAIRO_STATUS_SUCCESS)
		im->id = NULL;
	cairo_save(cr);
	cairo_translate(cr, im->x, im->y);
	cairo_scale(cr, im->w / im->pw, im->h / im->ph);
	cairo_set_source_surface(cr, s, 0, 0);
	cairo_paint(cr);
	cairo_restore(cr);
	cairo_surface_destroy(s);
}

/* Draw the page into the document's cairo context; the page is emptied. */
static void
play_page(struct pdf *doc, struct page *pg)
{
	cairo_t *cr = doc->cr;

	play_fills(cr, pg->fill, pg->nfill);
	for (size_t k = 0; k < pg->nimg; k++)
		play_img(cr, &pg->img[k]);
	for (size_t k = 0; k < pg->nseg; k++) {
		const struct seg *s = &pg->seg[k];
		size_t g1 = k + 1 < pg->nseg ? s[1].g : pg->nglyph, b1 = k + 1 < pg->nseg ? s[1].b : pg->nbyte;
		size_t c1 = k + 1 < pg->nseg ? s[1].c : pg->ncluster;

		if (g1 == s->g)
			continue;
		cairo_set_scaled_font(cr, s->font);
		cairo_show_text_glyphs(cr, pg->utf8 + s->b, (int)(b1 - s->b), pg->glyph + s->g, (int)(g1 - s->g),
		    pg->cluster + s->c, (int)(c1 - s->c), s->backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD : 0);
	}
	play_lines(cr, pg->stroke, pg->nstroke);
	page_clear(pg);
}

/* ---------------------------------------------------------------- documents */

/* The pango context, fonts and cache on a font map of p's own, measuring
 * with the font options of p->cr's surface (a PDF surface). */
static enum jzg_status
start_pango(struct pdf *p, char **cause)
{
	PangoFontMap *fm;
	PangoLayout *probe;

	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS)
		return jzg_fail(cause, JZG_ERR_NOMEM, "无法创建 PDF：%s", cairo_status_to_string(cairo_status(p->cr)));
	fm = pango_cairo_font_map_new();
	p->ctx = pango_font_map_create_context(fm);
	g_object_unref(fm);   /* the context holds it */
	pango_cairo_update_context(p->cr, p->ctx);
	/* 72 dpi: a pango "pixel" is a point.  zh-cn so that fontconfig picks
	 * Simplified Chinese shapes, not the Japanese ones (tech.md §4). */
	pango_cairo_context_set_resolution(p->ctx, 72.0);
	pango_context_set_language(p->ctx, pango_language_from_string("zh-cn"));
	/* Glyphs where the font puts them: pango rounds positions to whole
	 * "pixels" (points here) by default, which made a 9.5 pt Hanzi 10 pt
	 * wide, spaced digits unevenly, and made cairo write a correction
	 * after nearly every glyph (half of the PDF's numbers, formatted by
	 * printf and compressed: most of a batch's time). */
	pango_context_set_round_glyph_positions(p->ctx, 0);
	for (int s = 0; s < PDF__STYLES; s++) {
		p->font[s] = pango_font_description_from_string(PDF_FONTS);
		pango_font_description_set_size(p->font[s], (int)(style_font[s].size * PANGO_SCALE));
		pango_font_description_set_weight(p->font[s], style_font[s].bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	}
	p->cache = g_hash_table_new_full(g_str_hash, g_str_equal, free_key, shaped_free);
	/* Without any Chinese font pango draws boxes and says nothing: find out
	 * now, before a single page is written. */
	probe = make_layout(p, PDF_BODY, "教师信息确认表学校名称签字日期第页共", 0, PDF_LEFT);
	if (pango_layout_get_unknown_glyphs_count(probe) > 0) {
		g_object_unref(probe);
		return jzg_fail(cause, JZG_ERR_NOTFOUND,
		    "没有找到中文字体（需要 Noto Serif CJK SC），打印出来会是空方框，所以没有生成 PDF。"
		    "请先安装字体：sudo apt-get install " PDF_FONT_PACKAGE "，然后重新打印");
	}
	g_object_unref(probe);
	return JZG_OK;
}

/* The PDF surface of p (writing through write_fn), its metadata, pango. */
static enum jzg_status
start_doc(struct pdf *p, const char *title, char **cause)
{
	const char *today = getenv("JZG_TODAY");

	p->surface = cairo_pdf_surface_create_for_stream(write_fn, p, PDF_PAGE_W, PDF_PAGE_H);
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr) == CAIRO_STATUS_SUCCESS) {
		cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
		cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "jzg " JZG_VERSION);
		if (today != NULL && strlen(today) == 10) {
			char date[32];

			snprintf(date, sizeof date, "%sT00:00:00", today);
			cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
			cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
		}
	}
	return start_pango(p, cause);
}

enum jzg_status
pdf_new(const char *path, const char *title, struct pdf **out, char **cause)
{
	struct pdf *p;
	int fd;
	enum jzg_status rc;

	*out = NULL;
	if (load_library(cause) != JZG_OK)
		return JZG_ERR_NOTFOUND;
	p = xcalloc(1, sizeof *p);
	p->draw = &p->pg;
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
	if ((rc = start_doc(p, title, cause)) != JZG_OK) {
		pdf_free(p);
		return rc;
	}
	*out = p;
	return JZG_OK;
}

enum jzg_status
pdf_new_part(const char *title, struct pdf **out, char **cause)
{
	struct pdf *p;
	enum jzg_status rc;

	*out = NULL;
	if (load_library(cause) != JZG_OK)
		return JZG_ERR_NOTFOUND;
	p = xcalloc(1, sizeof *p);
	p->draw = &p->pg;
	if ((rc = start_doc(p, title, cause)) != JZG_OK) {
		pdf_free(p);
		return rc;
	}
	*out = p;
	return JZG_OK;
}

void
pdf_free(struct pdf *p)
{
	if (p == NULL)
		return;
	page_free(&p->pg);
	for (size_t k = 0; k < p->cheld; k++)
		page_free(&p->held[k]);
	free(p->held);
	if (p->cache != NULL)
		g_hash_table_destroy(p->cache);
	for (int s = 0; s < PDF__STYLES; s++)
		if (p->ascii[s].font != NULL)
			cairo_scaled_font_destroy(p->ascii[s].font);
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
	free(p->last_key);
	free(p->mem);
	free(p->tmp);
	free(p->path);
	free(p);
}

enum jzg_status
pdf_error(const struct pdf *p, char **cause)
{
	char *in;
	size_t cut = 0, k;
	wchar_t wc;
	enum jzg_status rc;

	if (!p->failed)
		return JZG_OK;
	/* at most 30 characters of the text, cut between characters */
	in = xstrdup(p->missing_in ? p->missing_in : "");
	for (int i = 0; i < 30 && in[cut] != '\0'; i++)
		cut += (k = utf8_decode(in + cut, strlen(in + cut), &wc)) ? k : 1;
	in[cut] = '\0';
	rc = jzg_fail(cause, JZG_ERR_NOTFOUND,
	    "字体中没有“%s”的字形（出现在“%s”中），打印出来会是空方框，所以没有生成 PDF。"
	    "请安装含这些字的中文字体：sudo apt-get install " PDF_FONT_PACKAGE "；若已安装，请把这些字改为规范汉字",
	    p->missing.s ? p->missing.s : "?", in);
	free(in);
	return rc;
}

/* Draw the open page and finish the PDF; cairo's status. */
static cairo_status_t
finish(struct pdf *p)
{
	play_page(p, &p->pg);
	cairo_surface_finish(p->surface);
	return cairo_surface_status(p->surface);
}

enum jzg_status
pdf_close(struct pdf *p, char **cause)
{
	enum jzg_status rc = JZG_OK;
	cairo_status_t cs;

	if (p->failed) {
		rc = pdf_error(p, cause);
		pdf_free(p);
		return rc;
	}
	cs = finish(p);
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

void
pdf_cache_trim(struct pdf *p)
{
	if (g_hash_table_size(p->cache) > PDF_CACHE_MAX) {
		p->last = NULL;
		g_hash_table_remove_all(p->cache);
	}
}

enum jzg_status
pdf_close_part(struct pdf *p, unsigned char **data, size_t *len, char **cause)
{
	enum jzg_status rc = JZG_OK;
	cairo_status_t cs;

	*data = NULL;
	*len = 0;
	if (p->failed)
		rc = pdf_error(p, cause);
	else if ((cs = finish(p)) != CAIRO_STATUS_SUCCESS)
		rc = jzg_fail(cause, JZG_ERR_NOMEM, "生成 PDF 失败：%s", cairo_status_to_string(cs));
	else {
		*data = p->mem;
		*len = p->nmem;
		p->mem = NULL;
	}
	pdf_free(p);
	return rc;
}

/* ---------------------------------------------------------------- drawing */

double
pdf_text_h(struct pdf *p, enum pdf_style s, const char *text, double w)
{
	return layout(p, s, text, w, PDF_LEFT)->h;
}

double
pdf_text_w(struct pdf *p, enum pdf_style s, const char *text)
{
	return layout(p, s, text, 0, PDF_LEFT)->w;
}

double
pdf_text(struct pdf *p, enum pdf_style s, double x, double y, double w, enum pdf_align align,
    const char *text)
{
	const struct shaped *sh = layout(p, s, text, w, align);

	if (!p->dry)
		page_add_text(p->draw, sh, x, y);
	return sh->h;
}

/* Line from (x1, y1) to (x2, y2), kept by direction (struct line). */
static void
add_line(struct pdf *p, double x1, double y1, double x2, double y2, double lw)
{
	struct page *pg = p->draw;
	struct line *l;

	grow(&pg->stroke, &pg->cstroke, pg->nstroke + 1, sizeof *pg->stroke);
	l = &pg->stroke[pg->nstroke++];
	if (y1 == y2)
		*l = (struct line){ lw, LINE_H, y1, x1 < x2 ? x1 : x2, x1 < x2 ? x2 : x1, 0 };
	else if (x1 == x2)
		*l = (struct line){ lw, LINE_V, x1, y1 < y2 ? y1 : y2, y1 < y2 ? y2 : y1, 0 };
	else
		*l = (struct line){ lw, LINE_OTHER, x1, y1, x2, y2 };
}

void
pdf_rect(struct pdf *p, double x, double y, double w, double h, double lw)
{
	if (p->dry)
		return;
	add_line(p, x, y, x + w, y, lw);
	add_line(p, x, y + h, x + w, y + h, lw);
	add_line(p, x, y, x, y + h, lw);
	add_line(p, x + w, y, x + w, y + h, lw);
}

void
pdf_line(struct pdf *p, double x1, double y1, double x2, double y2, double lw)
{
	if (!p->dry)
		add_line(p, x1, y1, x2, y2, lw);
}

void
pdf_fill(struct pdf *p, double x, double y, double w, double h, double gray)
{
	struct page *pg = p->draw;

	if (p->dry)
		return;
	grow(&pg->fill, &pg->cfill, pg->nfill + 1, sizeof *pg->fill);
	pg->fill[pg->nfill++] = (struct box){ gray, x, w, y, h };
}

void
pdf_page(struct pdf *p)
{
	struct page t;

	if (p->dry)
		return;
	if (!p->hold) {
		play_page(p, &p->pg);
		cairo_show_page(p->cr);
		return;
	}
	/* kept: the open page goes to the held ones, an emptied held page
	 * (with its arrays) becomes the open one */
	if (p->nheld == p->cheld) {
		p->held = xreallocarray(p->held, p->cheld + 1, sizeof *p->held);
		memset(&p->held[p->cheld++], 0, sizeof *p->held);
	}
	t = p->held[p->nheld];
	p->held[p->nheld++] = p->pg;
	p->pg = t;
	p->draw = &p->pg;
}

void
pdf_hold(struct pdf *p)
{
	p->hold = 1;
}

size_t
pdf_held(const struct pdf *p)
{
	return p->nheld + 1;
}

void
pdf_goto(struct pdf *p, size_t k)
{
	p->draw = k < p->nheld ? &p->held[k] : &p->pg;
}

void
pdf_release(struct pdf *p)
{
	for (size_t k = 0; k < p->nheld; k++) {
		play_page(p, &p->held[k]);
		cairo_show_page(p->cr);
	}
	p->nheld = 0;
	p->hold = 0;
	p->draw = &p->pg;
}

void
pdf_jpeg(struct pdf *p, double x, double y, double w, double h, const unsigned char *data, size_t len,
    int pw, int ph, const char *id)
{
	struct page *pg = p->draw;
	struct img *im;

	if (p->dry || p->failed || pw <= 0 || ph <= 0)
		return;
	grow(&pg->img, &pg->cimg, pg->nimg + 1, sizeof *pg->img);
	im = &pg->img[pg->nimg++];
	*im = (struct img){ x, y, w, h, xmalloc(len ? len : 1), len, pw, ph, id ? xstrdup(id) : NULL };
	memcpy(im->data, data, len);
}
