/* xlsx_read.c — see xlsx_read.h. */
#include "xlsx_read.h"

#include <expat.h>
#include <minizip/unzip.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define CELL_TEXT_MAX (32767 * 4 + 16)   /* Excel's cell limit, in UTF-8 bytes */

struct sheet_ent {
	char *name;
	char *rid;
	char *part;      /* zip entry name, resolved through the rels */
	int   hidden;
};

struct dname {
	char *name;
	char *value;
};

struct xlsx_reader {
	unzFile             z;
	char               *path;
	unsigned long long  max_part;
	struct sheet_ent   *sheet;
	size_t              nsheet;
	struct dname       *dn;
	size_t              ndn;
	char               *sst_part;
	/* shared strings: one arena, offsets */
	struct strbuf       sst;
	size_t             *sst_off;
	size_t              nsst, capsst;
};

/* One part being parsed. */
struct parse {
	struct xlsx_reader *r;
	XML_Parser          p;
	int                 dtd;       /* a DTD was seen: refused */
	int                 stop;      /* a handler asked to stop */
	char               *err;       /* a handler's Chinese cause */
	void               *ud;
};

static const char *
local(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

/* An attribute without a namespace (sheet/@name, c/@r …). */
static const char *
attr(const char **atts, const char *want)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], want) == 0)
			return atts[i + 1];
	return NULL;
}

static const char *
attr_ns(const char **atts, const char *full)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], full) == 0)
			return atts[i + 1];
	return NULL;
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int internal)
{
	struct parse *ps = ud;

	(void)name; (void)sysid; (void)pubid; (void)internal;
	ps->dtd = 1;
	XML_StopParser(ps->p, XML_FALSE);
}

static void
parse_fail(struct parse *ps, char *msg)
{
	if (ps->err == NULL)
		ps->err = msg;
	else
		free(msg);
	ps->stop = 1;
	XML_StopParser(ps->p, XML_FALSE);
}

/* Parse one zip part with the given handlers.  missing_ok: a missing part
 * is not an error (returns JZG_ERR_NOTFOUND quietly). */
static enum jzg_status
parse_part(struct xlsx_reader *r, const char *part, XML_StartElementHandler start,
    XML_EndElementHandler end, XML_CharacterDataHandler text, void *ud, int missing_ok,
    const struct progress *pg, char **cause)
{
	struct parse ps = { .r = r, .ud = ud };
	unz_file_info64 info;
	unsigned long long total = 0;
	enum jzg_status rc = JZG_OK;
	char *buf;
	int n;

	if (unzLocateFile(r->z, part, 2) != UNZ_OK) {
		if (missing_ok)
			return JZG_ERR_NOTFOUND;
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 缺少 %s，不是完整的 Excel 文件", r->path, part);
	}
	if (unzGetCurrentFileInfo64(r->z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 已损坏（无法读取 %s）", r->path, part);
	if (info.uncompressed_size > r->max_part)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 中的 %s 解压后有 %llu MB，超过上限 %llu MB，拒绝读取"
		    "（可能是压缩炸弹）", r->path, part, (unsigned long long)(info.uncompressed_size >> 20),
		    r->max_part >> 20);
	if (unzOpenCurrentFile(r->z) != UNZ_OK)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 已损坏（无法解压 %s）", r->path, part);
	ps.p = XML_ParserCreateNS(NULL, '|');
	XML_SetUserData(ps.p, &ps);
	XML_SetElementHandler(ps.p, start, end);
	XML_SetCharacterDataHandler(ps.p, text);
	XML_SetStartDoctypeDeclHandler(ps.p, on_doctype);
	buf = xmalloc(1 << 16);
	for (;;) {
		n = unzReadCurrentFile(r->z, buf, 1 << 16);
		if (n < 0) {
			rc = jzg_fail(cause, JZG_ERR_FORMAT, "%s 已损坏（解压 %s 出错）", r->path, part);
			break;
		}
		total += (unsigned)n;
		if (total > r->max_part) {    /* the header may lie about the size */
			rc = jzg_fail(cause, JZG_ERR_FORMAT, "%s 中的 %s 解压后超过上限 %llu MB，拒绝读取"
			    "（可能是压缩炸弹）", r->path, part, r->max_part >> 20);
			break;
		}
		if (XML_Parse(ps.p, buf, n, n == 0) != XML_STATUS_OK) {
			if (ps.dtd)
				rc = jzg_fail(cause, JZG_ERR_FORMAT, "%s 中的 %s 含有 DTD（<!DOCTYPE>），"
				    "为安全起见拒绝读取；请用 Excel 或 WPS 另存后再导入", r->path, part);
			else if (ps.err != NULL)
				rc = jzg_fail(cause, JZG_ERR_FORMAT, "%s", ps.err);
			else if (!ps.stop)
				rc = jzg_fail(cause, JZG_ERR_FORMAT, "%s 中的 %s 不是合规的 XML（第 %lu 行：%s）",
				    r->path, part, (unsigned long)XML_GetCurrentLineNumber(ps.p),
				    XML_ErrorString(XML_GetErrorCode(ps.p)));
			break;
		}
		progress_report(pg, total, info.uncompressed_size);
		if (n == 0)
			break;
	}
	free(buf);
	if (unzCloseCurrentFile(r->z) == UNZ_CRCERROR && rc == JZG_OK && !ps.stop)
		rc = jzg_fail(cause, JZG_ERR_FORMAT, "%s 已损坏（%s 校验和不符）", r->path, part);
	XML_ParserFree(ps.p);
	free(ps.err);
	return rc;
}

/* ------------------------------------------------------------- workbook */

struct wb_state {
	struct strbuf text;
	int           in_dn;
	char         *dn_name;
};

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct parse *ps = ud;
	struct xlsx_reader *r = ps->r;
	struct wb_state *w = ps->ud;
	const char *ln = local(name), *v;

	if (strcmp(ln, "sheet") == 0) {
		struct sheet_ent *s;

		if ((v = attr(atts, "name")) == NULL)
			return;
		r->sheet = xreallocarray(r->sheet, r->nsheet + 1, sizeof *r->sheet);
		s = &r->sheet[r->nsheet++];
		memset(s, 0, sizeof *s);
		s->name = xstrdup(v);
		s->rid = xstrdup(attr_ns(atts, NS_REL "|id"));
		v = attr(atts, "state");
		s->hidden = v != NULL && strcmp(v, "visible") != 0;
	} else if (strcmp(ln, "definedName") == 0 && attr(atts, "localSheetId") == NULL &&
	    (v = attr(atts, "name")) != NULL) {
		w->in_dn = 1;
		free(w->dn_name);   /* a definedName opened inside another (malformed) */
		w->dn_name = xstrdup(v);
		w->text.len = 0;
		if (w->text.s)
			w->text.s[0] = '\0';
	}
}

static void XMLCALL
wb_end(void *ud, const XML_Char *name)
{
	struct parse *ps = ud;
	struct xlsx_reader *r = ps->r;
	struct wb_state *w = ps->ud;

	if (w->in_dn && strcmp(local(name), "definedName") == 0) {
		r->dn = xreallocarray(r->dn, r->ndn + 1, sizeof *r->dn);
		r->dn[r->ndn].name = w->dn_name;
		r->dn[r->ndn++].value = xstrdup(w->text.s ? w->text.s : "");
		w->dn_name = NULL;
		w->in_dn = 0;
	}
}

static void XMLCALL
wb_text(void *ud, const XML_Char *s, int len)
{
	struct parse *ps = ud;
	struct wb_state *w = ps->ud;

	if (w->in_dn && w->text.len < 4096)
		strbuf_add(&w->text, s, (size_t)len);
}

static char *
resolve_target(const char *target)
{
	if (target[0] == '/')
		return xstrdup(target + 1);
	return xasprintf("xl/%s", target);
}

static void XMLCALL
rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct parse *ps = ud;
	struct xlsx_reader *r = ps->r;
	const char *id, *target, *type;

	if (strcmp(local(name), "Relationship") != 0)
		return;
	id = attr(atts, "Id");
	target = attr(atts, "Target");
	type = attr(atts, "Type");
	if (id == NULL || target == NULL)
		return;
	if (type != NULL && strlen(type) >= 14 && strcmp(type + strlen(type) - 14, "/sharedStrings") == 0) {
		free(r->sst_part);
		r->sst_part = resolve_target(target);
	}
	for (size_t i = 0; i < r->nsheet; i++)
		if (str_eq(r->sheet[i].rid, id) && r->sheet[i].part == NULL)
			r->sheet[i].part = resolve_target(target);
}

/* --------------------------------------------------------- shared strings */

struct sst_state {
	int in_si, in_t, in_rph;
	size_t start;
};

static void XMLCALL
sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct parse *ps = ud;
	struct sst_state *s = ps->ud;
	struct xlsx_reader *r = ps->r;
	const char *ln = local(name);

	(void)atts;
	if (strcmp(ln, "si") == 0) {
		s->in_si = 1;
		s->start = r->sst.len;
	} else if (strcmp(ln, "rPh") == 0)
		s->in_rph = 1;          /* phonetic runs are not part of the value */
	else if (strcmp(ln, "t") == 0 && s->in_si && !s->in_rph)
		s->in_t = 1;
}

static void XMLCALL
sst_end(void *ud, const XML_Char *name)
{
	struct parse *ps = ud;
	struct sst_state *s = ps->ud;
	struct xlsx_reader *r = ps->r;
	const char *ln = local(name);

	if (strcmp(ln, "si") == 0) {
		if (r->nsst == r->capsst) {
			r->capsst = r->capsst ? r->capsst * 2 : 1024;
			r->sst_off = xreallocarray(r->sst_off, r->capsst, sizeof *r->sst_off);
		}
		r->sst_off[r->nsst++] = s->start;
		strbuf_addc(&r->sst, '\0');
		s->in_si = 0;
	} else if (strcmp(ln, "rPh") == 0)
		s->in_rph = 0;
	else if (strcmp(ln, "t") == 0)
		s->in_t = 0;
}

static void XMLCALL
sst_text(void *ud, const XML_Char *t, int len)
{
	struct parse *ps = ud;
	struct sst_state *s = ps->ud;

	if (s->in_t)
		strbuf_add(&ps->r->sst, t, (size_t)len);
}

/* ----------------------------------------------------------------- open */

enum jzg_status
xlsx_open(const char *path, unsigned long long max_part, struct xlsx_reader **out, char **cause)
{
	struct xlsx_reader *r = xcalloc(1, sizeof *r);
	struct wb_state w = { 0 };
	struct sst_state ss = { 0 };
	enum jzg_status rc;

	*out = NULL;
	r->path = xstrdup(path);
	r->max_part = max_part ? max_part : XLSX_MAX_PART_DEFAULT;
	if ((r->z = unzOpen64(path)) == NULL) {
		xlsx_close(r);
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 不是 Excel 文件（.xlsx），或文件已损坏", path);
	}
	rc = parse_part(r, "xl/workbook.xml", wb_start, wb_end, wb_text, &w, 0, NULL, cause);
	free(w.dn_name);
	strbuf_free(&w.text);
	if (rc == JZG_OK)
		rc = parse_part(r, "xl/_rels/workbook.xml.rels", rels_start, NULL, NULL, NULL, 0, NULL, cause);
	if (rc == JZG_OK) {
		if (r->sst_part == NULL)
			r->sst_part = xstrdup("xl/sharedStrings.xml");
		rc = parse_part(r, r->sst_part, sst_start, sst_end, sst_text, &ss, 1, NULL, cause);
		if (rc == JZG_ERR_NOTFOUND)
			rc = JZG_OK;   /* constant_memory files have inline strings only */
	}
	if (rc != JZG_OK) {
		xlsx_close(r);
		return rc;
	}
	*out = r;
	return JZG_OK;
}

void
xlsx_close(struct xlsx_reader *r)
{
	if (r == NULL)
		return;
	if (r->z)
		unzClose(r->z);
	for (size_t i = 0; i < r->nsheet; i++) {
		free(r->sheet[i].name);
		free(r->sheet[i].rid);
		free(r->sheet[i].part);
	}
	free(r->sheet);
	for (size_t i = 0; i < r->ndn; i++) {
		free(r->dn[i].name);
		free(r->dn[i].value);
	}
	free(r->dn);
	free(r->sst_part);
	strbuf_free(&r->sst);
	free(r->sst_off);
	free(r->path);
	free(r);
}

size_t
xlsx_nsheet(const struct xlsx_reader *r)
{
	return r->nsheet;
}

const char *
xlsx_sheet(const struct xlsx_reader *r, size_t i, int *hidden)
{
	if (hidden)
		*hidden = r->sheet[i].hidden;
	return r->sheet[i].name;
}

const char *
xlsx_defined_name(const struct xlsx_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ndn; i++)
		if (strcmp(r->dn[i].name, name) == 0)
			return r->dn[i].value;
	return NULL;
}

static const struct sheet_ent *
find_sheet(const struct xlsx_reader *r, const char *name)
{
	for (size_t i = 0; i < r->nsheet; i++)
		if (strcmp(r->sheet[i].name, name) == 0)
			return &r->sheet[i];
	return NULL;
}

unsigned long long
xlsx_sheet_bytes(const struct xlsx_reader *r, const char *sheet)
{
	const struct sheet_ent *s = find_sheet(r, sheet);
	unz_file_info64 info;

	if (s == NULL || s->part == NULL || unzLocateFile(r->z, s->part, 2) != UNZ_OK ||
	    unzGetCurrentFileInfo64(r->z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return 0;
	return info.uncompressed_size;
}

/* ---------------------------------------------------------------- sheet */

struct sheet_state {
	xlsx_row_cb       cb;
	void             *arg;
	unsigned          row, col;       /* current row; last column seen */
	int               in_row, in_c, in_v, in_is_t, in_rph;
	enum xlsx_type    ctype;          /* of the current cell, from its t */
	int               shared;         /* t="s": the text is an index into the SST */
	struct strbuf     text;           /* current cell */
	struct strbuf     rowtext;        /* texts of the row, NUL-separated */
	struct xlsx_cell *cell;
	size_t           *off;
	size_t            ncell, capcell;
};

static unsigned
col_of_ref(const char *ref, unsigned *row)
{
	unsigned c = 0, r = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++)
		c = c * 26 + (unsigned)(*ref - 'A' + 1);
	for (; *ref >= '0' && *ref <= '9'; ref++)
		r = r * 10 + (unsigned)(*ref - '0');
	if (row)
		*row = r;
	return c;
}

static void
emit_row(struct parse *ps, struct sheet_state *s)
{
	for (size_t i = 0; i < s->ncell; i++)
		s->cell[i].text = s->rowtext.s + s->off[i];
	if (s->ncell > 0 && s->cb(s->arg, s->row, s->cell, s->ncell) != 0) {
		ps->stop = 1;
		XML_StopParser(ps->p, XML_FALSE);
	}
	s->ncell = 0;
	s->rowtext.len = 0;
}

/* The elements of sheetData a reader looks at, by local name (one look at
 * the name per tag instead of a strcmp per candidate). */
enum sh_elem { SE_OTHER, SE_ROW, SE_C, SE_V, SE_T, SE_RPH };

static enum sh_elem
sh_elem(const char *name)
{
	const char *ln = local(name);

	switch (ln[0]) {
	case 'r':
		return strcmp(ln, "row") == 0 ? SE_ROW : strcmp(ln, "rPh") == 0 ? SE_RPH : SE_OTHER;
	case 'c':
		return ln[1] == '\0' ? SE_C : SE_OTHER;
	case 'v':
		return ln[1] == '\0' ? SE_V : SE_OTHER;
	case 't':
		return ln[1] == '\0' ? SE_T : SE_OTHER;
	default:
		return SE_OTHER;
	}
}

static void XMLCALL
sh_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct parse *ps = ud;
	struct sheet_state *s = ps->ud;
	enum sh_elem el = sh_elem(name);
	const char *v;

	if (el == SE_ROW) {
		unsigned rr = 0;

		if ((v = attr(atts, "r")) != NULL)
			rr = (unsigned)strtoul(v, NULL, 10);
		if (rr == 0 || rr <= s->row)
			rr = s->row + 1;
		if (rr > 1048576) {
			parse_fail(ps, xasprintf("%s：行号超出 Excel 的范围", ps->r->path));
			return;
		}
		s->row = rr;
		s->col = 0;
		s->in_row = 1;
		s->ncell = 0;
		s->rowtext.len = 0;
	} else if (el == SE_C && s->in_row) {
		unsigned c = 0;

		if ((v = attr(atts, "r")) != NULL)
			c = col_of_ref(v, NULL);
		if (c == 0 || c <= s->col)
			c = s->col + 1;
		if (c > 16384) {
			parse_fail(ps, xasprintf("%s：列号超出 Excel 的范围", ps->r->path));
			return;
		}
		s->col = c;
		s->in_c = 1;
		/* t as a type here, once per cell (a copy of it cost a
		 * snprintf per cell, 2.4 % of an import) */
		v = attr(atts, "t");
		s->shared = v != NULL && strcmp(v, "s") == 0;
		s->ctype = v == NULL ? XT_NUMBER : s->shared || strcmp(v, "inlineStr") == 0 || strcmp(v, "str") == 0 ?
		    XT_STRING : strcmp(v, "b") == 0 ? XT_BOOL : strcmp(v, "e") == 0 ? XT_ERROR : XT_NUMBER;
		s->text.len = 0;
		if (s->text.s)
			s->text.s[0] = '\0';
	} else if (s->in_c && el == SE_V)
		s->in_v = 1;
	else if (s->in_c && el == SE_RPH)
		s->in_rph = 1;
	else if (s->in_c && el == SE_T && !s->in_rph)
		s->in_is_t = 1;
}

static void
finish_cell(struct parse *ps, struct sheet_state *s)
{
	const char *t = s->text.s ? s->text.s : "";
	size_t len = s->text.len;

	if (s->shared) {
		char *end;
		unsigned long k = strtoul(t, &end, 10);

		if (*t == '\0' || *end != '\0' || k >= ps->r->nsst) {
			parse_fail(ps, xasprintf("%s：单元格引用了不存在的共享字符串 %s", ps->r->path, t));
			return;
		}
		t = ps->r->sst.s + ps->r->sst_off[k];
		len = strlen(t);
	}
	if (*t == '\0')
		return;                     /* a styled blank */
	if (s->ncell == s->capcell) {
		s->capcell = s->capcell ? s->capcell * 2 : 64;
		s->cell = xreallocarray(s->cell, s->capcell, sizeof *s->cell);
		s->off = xreallocarray(s->off, s->capcell, sizeof *s->off);
	}
	s->cell[s->ncell].col = s->col;
	s->cell[s->ncell].type = s->ctype;
	s->off[s->ncell++] = s->rowtext.len;
	strbuf_add(&s->rowtext, t, len + 1);   /* with its NUL */
}

static void XMLCALL
sh_end(void *ud, const XML_Char *name)
{
	struct parse *ps = ud;
	struct sheet_state *s = ps->ud;
	enum sh_elem el = sh_elem(name);

	if (el == SE_ROW && s->in_row) {
		s->in_row = 0;
		emit_row(ps, s);
	} else if (el == SE_C && s->in_c) {
		s->in_c = 0;
		finish_cell(ps, s);
	} else if (el == SE_V)
		s->in_v = 0;
	else if (el == SE_RPH)
		s->in_rph = 0;
	else if (el == SE_T)
		s->in_is_t = 0;
}

static void XMLCALL
sh_text(void *ud, const XML_Char *t, int len)
{
	struct parse *ps = ud;
	struct sheet_state *s = ps->ud;

	if (!(s->in_v || s->in_is_t))
		return;
	if (s->text.len + (size_t)len > CELL_TEXT_MAX) {
		parse_fail(ps, xasprintf("%s：第 %u 行有单元格超过 Excel 的 32767 字上限", ps->r->path, s->row));
		return;
	}
	strbuf_add(&s->text, t, (size_t)len);
}

enum jzg_status
xlsx_read_sheet(struct xlsx_reader *r, const char *sheet, xlsx_row_cb cb, void *arg,
    const struct progress *pg, char **cause)
{
	const struct sheet_ent *se = find_sheet(r, sheet);
	struct sheet_state s = { .cb = cb, .arg = arg };
	enum jzg_status rc;

	if (se == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "%s 中没有工作表〈%s〉", r->path, sheet);
	if (se->part == NULL)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 已损坏（工作表〈%s〉没有对应的部件）", r->path, sheet);
	rc = parse_part(r, se->part, sh_start, sh_end, sh_text, &s, 0, pg, cause);
	strbuf_free(&s.text);
	strbuf_free(&s.rowtext);
	free(s.cell);
	free(s.off);
	return rc;
}
