/* layout.c — see layout.h. */
#include "layout.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defs.h"
#include "tsv.h"
#include "calendar.h"
#include "fieldtype.h"
#include "text.h"
#include "util.h"

#define LAYOUT_NAME(e, s) s,
static const char *const layout_col_name[LC__COUNT + 1] = { LAYOUT_COLUMNS(LAYOUT_NAME) NULL };
#undef LAYOUT_NAME

static void
layout_defaults(struct layout *l, const char *tpl)
{
	memset(l, 0, sizeof *l);
	l->template = xstrdup(tpl);
	l->code_style = LCS_CODE_NAME;
	l->code_sep = xstrdup("-");
	l->multi_sep = xstrdup(";");
	l->date_form = xstrdup("YYYY-MM-DD");
	l->month_form = xstrdup("YYYY-MM");
	l->sheet_name = LSN_LABEL;
	l->header_rows = 2;
	l->required_mark = xstrdup("*");
	l->input_rows = 500;
	l->guide = 1;
	l->guide_sheet = xstrdup("填表说明");
	l->code_sheet = xstrdup("代码表");
}

static void
layout_clear(struct layout *l)
{
	free(l->template);
	free(l->code_sep);
	free(l->multi_sep);
	free(l->date_form);
	free(l->month_form);
	free(l->required_mark);
	free(l->guide_sheet);
	free(l->code_sheet);
}

/* Every row of export.tsv, as read. */
struct layouts {
	struct layout *l;
	size_t         n;
};

static void
layouts_clear(struct layouts *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		layout_clear(&ls->l[i]);
	free(ls->l);
}

void
layout_free(struct layout *l)
{
	if (l == NULL)
		return;
	layout_clear(l);
	free(l);
}

/* A date form holds YYYY, MM (and DD for dates) once each; the rest are
 * separators that cannot be mistaken for digits. */
static int
form_ok(const char *form, int want_day)
{
	int y = 0, m = 0, dd = 0;

	for (const char *p = form; *p; ) {
		if (strncmp(p, "YYYY", 4) == 0) { y++; p += 4; }
		else if (strncmp(p, "MM", 2) == 0) { m++; p += 2; }
		else if (strncmp(p, "DD", 2) == 0) { dd++; p += 2; }
		else if (isalnum((unsigned char)*p)) return 0;
		else p++;
	}
	return y == 1 && m == 1 && dd == (want_day ? 1 : 0);
}

/* Excel's rule for sheet names. */
static int
sheet_name_ok(const char *s)
{
	return !str_empty(s) && utf8_valid(s) && utf8_chars(s) <= 31 && strpbrk(s, "[]:*?/\\'") == NULL;
}

static void
layout_row(const struct defs *defs, struct layouts *ls, const struct tsv *t, const struct tsv_row *r,
    const char *path, struct diag *d)
{
	const char *v[LC__COUNT];
	struct layout *l;
	int line = r->line;

	for (int c = 0; c < LC__COUNT; c++)
		v[c] = tsv_get(r, tsv_col(t, layout_col_name[c]));
	if (defs_template(defs, v[LC_TEMPLATE]) == NULL) {
		diag_add(d, path, line, "template “%s” 不是 templates.tsv 中的模板", v[LC_TEMPLATE]);
		return;
	}
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->l[i].template, v[LC_TEMPLATE]) == 0) {
			diag_add(d, path, line, "模板 %s 重复（第 %d 行已有）", v[LC_TEMPLATE], ls->l[i].line);
			return;
		}
	ls->l = xreallocarray(ls->l, ls->n + 1, sizeof *ls->l);
	l = &ls->l[ls->n++];
	layout_defaults(l, v[LC_TEMPLATE]);
	l->line = line;
#define TAKE(field, col) do { if (*v[col]) { free(l->field); l->field = xstrdup(v[col]); } } while (0)
	TAKE(code_sep, LC_CODE_SEP);
	TAKE(multi_sep, LC_MULTI_SEP);
	TAKE(date_form, LC_DATE_FORM);
	TAKE(month_form, LC_MONTH_FORM);
	TAKE(required_mark, LC_REQUIRED_MARK);
	TAKE(guide_sheet, LC_GUIDE_SHEET);
	TAKE(code_sheet, LC_CODE_SHEET);
#undef TAKE
	if (*v[LC_CODE_STYLE]) {
		if (strcmp(v[LC_CODE_STYLE], "code") == 0) l->code_style = LCS_CODE;
		else if (strcmp(v[LC_CODE_STYLE], "code-name") == 0) l->code_style = LCS_CODE_NAME;
		else if (strcmp(v[LC_CODE_STYLE], "name") == 0) l->code_style = LCS_NAME;
		else diag_add(d, path, line, "code_style 应为 code、code-name 或 name");
	}
	if (*v[LC_SHEET_NAME]) {
		if (strcmp(v[LC_SHEET_NAME], "label") == 0) l->sheet_name = LSN_LABEL;
		else if (strcmp(v[LC_SHEET_NAME], "number-label") == 0) l->sheet_name = LSN_NUMBER_LABEL;
		else diag_add(d, path, line, "sheet_name 应为 label 或 number-label");
	}
	if (*v[LC_HEADER_ROWS]) {
		if (strcmp(v[LC_HEADER_ROWS], "1") == 0 || strcmp(v[LC_HEADER_ROWS], "2") == 0)
			l->header_rows = v[LC_HEADER_ROWS][0] - '0';
		else
			diag_add(d, path, line, "header_rows 应为 1 或 2");
	}
	if (*v[LC_INPUT_ROWS]) {
		char *end;
		long n = strtol(v[LC_INPUT_ROWS], &end, 10);

		if (*end != '\0' || n < 0 || n > 100000)
			diag_add(d, path, line, "input_rows 应为 0–100000 的整数");
		else
			l->input_rows = (int)n;
	}
	if (*v[LC_GUIDE]) {
		if (strcmp(v[LC_GUIDE], "yes") == 0) l->guide = 1;
		else if (strcmp(v[LC_GUIDE], "no") == 0) l->guide = 0;
		else diag_add(d, path, line, "guide 应为 yes 或 no");
	}
	if (!form_ok(l->date_form, 1))
		diag_add(d, path, line, "date_form “%s” 应含 YYYY、MM、DD 各一次，其余为分隔符", l->date_form);
	if (!form_ok(l->month_form, 0))
		diag_add(d, path, line, "month_form “%s” 应含 YYYY、MM 各一次，其余为分隔符", l->month_form);
	if (isalnum((unsigned char)l->code_sep[0]) || isalnum((unsigned char)l->multi_sep[0]) ||
	    strcmp(l->code_sep, l->multi_sep) == 0 || strchr(l->multi_sep, ' ') != NULL)
		diag_add(d, path, line, "code_sep 和 multi_sep 应为不同的标点，且不含空格");
	if (!sheet_name_ok(l->guide_sheet) || !sheet_name_ok(l->code_sheet) ||
	    strcmp(l->guide_sheet, l->code_sheet) == 0)
		diag_add(d, path, line, "guide_sheet / code_sheet 应为不同的工作表名（不超过 31 字，不含 []:*?/\\'）");
}

/* The row of template_name, or NULL: built-in defaults. */
static struct layout *
layouts_find(const struct layouts *ls, const char *template_name)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->l[i].template, template_name) == 0)
			return &ls->l[i];
	return NULL;
}

/* Read forms/export.tsv (a missing file means defaults for every template)
 * into ls; problems go to d as file:line. */
static void
layouts_load(const struct defs *defs, struct layouts *ls, struct diag *d)
{
	char *path = xasprintf("%s/export.tsv", defs->formsdir), *cause = NULL;
	struct layout dflt;
	struct tsv *t;

	if (access(path, F_OK) != 0) {     /* optional: defaults for every template */
		free(path);
		return;
	}
	if (tsv_load(path, &t, d, &cause) != JZG_OK) {
		diag_add(d, path, 0, "%s", cause);
		free(cause);
		free(path);
		return;
	}
	if (t->col != NULL)
		tsv_check_columns(t, layout_col_name, d);
	if (tsv_col(t, "template") < 0)
		diag_add(d, path, t->header_line, "缺少 template 列");
	else
		for (size_t i = 0; i < t->nrow; i++)
			layout_row(defs, ls, t, &t->row[i], path, d);
	layout_defaults(&dflt, "");
	/* Sheet names of every set must be legal and distinct within a template. */
	for (size_t i = 0; i < defs->ntpl; i++) {
		const struct template_def *tp = &defs->tpl[i];
		const struct layout *l = layouts_find(ls, tp->v[TC_NAME]);
		char **names = xcalloc(tp->nset + 1, sizeof *names);

		if (l == NULL)
			l = &dflt;
		for (size_t k = 0; k < tp->nset; k++) {
			names[k] = layout_sheet_name(l, &tp->set[k], k);
			if (!sheet_name_ok(names[k]) || strcmp(names[k], l->guide_sheet) == 0 ||
			    strcmp(names[k], l->code_sheet) == 0)
				diag_add(d, path, l->line, "模板 %s 信息集 %s 的工作表名 “%s” 不能用（不超过 31 字，"
				    "不含 []:*?/\\'，不与说明表、代码表同名）", tp->v[TC_NAME],
				    tp->set[k].v[SC_NAME], names[k]);
			for (size_t j = 0; j < k; j++)
				if (strcmp(names[j], names[k]) == 0)
					diag_add(d, path, l->line, "模板 %s 有两个工作表都叫 “%s”",
					    tp->v[TC_NAME], names[k]);
		}
		for (size_t k = 0; k < tp->nset; k++)
			free(names[k]);
		free(names);
	}
	layout_clear(&dflt);
	tsv_free(t);
	free(path);
}

void
layout_check(const struct defs *defs, struct diag *d)
{
	struct layouts ls = { 0 };

	layouts_load(defs, &ls, d);
	layouts_clear(&ls);
}

enum jzg_status
layout_get(const struct defs *defs, const char *template_name, struct layout **out, char **cause)
{
	struct layouts ls = { 0 };
	struct diag d = { 0 };
	struct layout *found;
	enum jzg_status rc = JZG_OK;

	*out = NULL;
	layouts_load(defs, &ls, &d);
	if (d.n > 0)
		rc = jzg_fail(cause, JZG_ERR_DEFS, "导出格式 %s/export.tsv 有 %zu 处错误，请运行 “jzg forms check” 查看并修改",
		    defs->formsdir, d.n);
	else {
		*out = xcalloc(1, sizeof **out);
		if ((found = layouts_find(&ls, template_name)) != NULL) {
			**out = *found;          /* moved out: the row's strings are now *out's */
			memset(found, 0, sizeof *found);
		} else
			layout_defaults(*out, template_name);
	}
	layouts_clear(&ls);
	diag_free(&d);
	return rc;
}

char *
layout_sheet_name(const struct layout *l, const struct set_def *s, size_t k)
{
	/* Characters Excel forbids in sheet names become their full-width
	 * forms, so 国家/行业标准 stays readable as 国家／行业标准. */
	static const char *const wide[][2] = {
		{ "/", "／" }, { "\\", "＼" }, { ":", "：" }, { "?", "？" }, { "*", "＊" },
		{ "[", "【" }, { "]", "】" }, { "'", "’" },
	};
	const char *label = s->v[SC_LABEL] ? s->v[SC_LABEL] : s->v[SC_NAME];
	struct strbuf b = { 0 };

	if (l->sheet_name == LSN_NUMBER_LABEL)
		strbuf_addf(&b, "%zu-", k + 1);
	for (const char *p = label; *p; p++) {
		size_t i;

		for (i = 0; i < sizeof wide / sizeof wide[0]; i++)
			if (*p == wide[i][0][0]) {
				strbuf_adds(&b, wide[i][1]);
				break;
			}
		if (i == sizeof wide / sizeof wide[0])
			strbuf_addc(&b, *p);
	}
	return strbuf_take(&b);
}

char *
layout_header(const struct layout *l, const struct field_def *f)
{
	if (f->required == REQ_YES && f->v[FC_RELEVANT] == NULL && !f->readonly)
		return xasprintf("%s%s", l->required_mark, f->v[FC_LABEL]);
	return xstrdup(f->v[FC_LABEL]);
}

/* ---------------------------------------------------------------- dates */

static char *
date_to_form(const char *form, const char *stored)
{
	struct strbuf b = { 0 };

	for (const char *p = form; *p; ) {
		if (strncmp(p, "YYYY", 4) == 0) { strbuf_add(&b, stored, 4); p += 4; }
		else if (strncmp(p, "MM", 2) == 0) { strbuf_add(&b, stored + 5, 2); p += 2; }
		else if (strncmp(p, "DD", 2) == 0) { strbuf_add(&b, stored + 8, 2); p += 2; }
		else strbuf_addc(&b, *p++);
	}
	return strbuf_take(&b);
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Match text against form; out gets YYYY-MM-DD or YYYY-MM. */
static int
date_from_form(const char *form, const char *text, int want_day, char out[11])
{
	int y = -1, m = -1, dd = 1;
	const char *t = text;

	for (const char *p = form; *p; ) {
		if (strncmp(p, "YYYY", 4) == 0) {
			if ((y = digits(t, 4)) < 0) return -1;
			p += 4; t += 4;
		} else if (strncmp(p, "MM", 2) == 0) {
			if ((m = digits(t, 2)) < 0) return -1;
			p += 2; t += 2;
		} else if (strncmp(p, "DD", 2) == 0) {
			if ((dd = digits(t, 2)) < 0) return -1;
			p += 2; t += 2;
		} else if (*t++ != *p++)
			return -1;
	}
	if (*t != '\0' || y < 1000 || !date_valid(y, m, dd))
		return -1;
	/* y has 4 digits, m and dd 2 (digits, date_valid): written by hand, a
	 * snprintf per date cell was 0.6 % of an import */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '\0';
	if (want_day) {
		out[7] = '-';
		out[8] = (char)('0' + dd / 10);
		out[9] = (char)('0' + dd % 10);
		out[10] = '\0';
	}
	return 0;
}

int
layout_serial_date(double serial, char out[11])
{
	long days = (long)serial, y, m, dd, a, b, c, e, f;

	/* 1900 system with Excel's phantom 1900-02-29: serial 61 is 1900-03-01. */
	if (serial < 61 || serial > 2958465)
		return -1;
	/* serial 25569 = 1970-01-01; civil-from-days (H. Hinnant). */
	a = days - 25569 + 719468;
	b = (a >= 0 ? a : a - 146096) / 146097;
	c = a - b * 146097;
	e = (c - c / 1460 + c / 36524 - c / 146096) / 365;
	y = e + b * 400;
	f = c - (365 * e + e / 4 - e / 100);
	m = (5 * f + 2) / 153;
	dd = f - (153 * m + 2) / 5 + 1;
	m = m < 10 ? m + 3 : m - 9;
	y += m <= 2;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)dd % 100u);
	return 0;
}

/* ---------------------------------------------------------------- codes */

static void
add_code(struct strbuf *b, const struct layout *l, const struct code_table *t, const char *code)
{
	const struct code *c = t ? codes_find(t, code) : NULL;

	if (c == NULL || l->code_style == LCS_CODE)
		strbuf_adds(b, code);
	else if (l->code_style == LCS_NAME)
		strbuf_adds(b, c->name);
	else
		strbuf_addf(b, "%s%s%s", c->code, l->code_sep, c->name);
}

const char *
layout_form(const struct layout *l, const struct fieldtype *ft)
{
	if (ft->pattern == NULL)
		return NULL;
	return strcmp(ft->pattern, "YYYY-MM") == 0 ? l->month_form : l->date_form;
}

char *
layout_cell_text(const struct layout *l, const struct field_def *f, const char *stored)
{
	const struct fieldtype *ft = fieldtype_of(f);
	struct strbuf b = { 0 };

	if (str_empty(stored))
		return NULL;
	if (ft->coded == 1) {
		add_code(&b, l, f->table, stored);
		return strbuf_take(&b);
	}
	if (ft->coded == 2) {
		char *copy = xstrdup(stored), *save = NULL;
		int n = 0;

		for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (n++)
				strbuf_adds(&b, l->multi_sep);
			add_code(&b, l, f->table, tok);
		}
		free(copy);
		return b.s ? strbuf_take(&b) : xstrdup("");
	}
	/* a stored value not of the form goes out as it is, for the checks */
	if (ft->pattern != NULL && strlen(stored) == strlen(ft->pattern))
		return date_to_form(layout_form(l, ft), stored);
	return xstrdup(stored);
}

/* One item of a coded cell → its row, or NULL with *msg. */
static const struct code *
parse_code(const struct layout *l, const struct code_table *t, const char *item, char **msg)
{
	const struct code *c = codes_find(t, item), *hit = NULL;
	const char *sep = strstr(item, l->code_sep);
	int nhit = 0;

	if (c == NULL && sep != NULL && sep != item) {
		char *code = xstrndup(item, (size_t)(sep - item));

		c = codes_find(t, code);
		free(code);
		if (c != NULL && strcmp(sep + strlen(l->code_sep), c->name) != 0) {
			*msg = xasprintf("“%s”：代码 %s 在代码表〈%s〉中是“%s”，代码与名称不一致", item,
			    c->code, t->label, c->name);
			return NULL;
		}
	}
	if (c == NULL) {
		for (size_t i = 0; i < t->nrow; i++)
			if (strcmp(t->row[i].name, item) == 0) {
				hit = &t->row[i];
				nhit++;
			}
		if (nhit == 1)
			c = hit;
		else if (nhit > 1) {
			*msg = xasprintf("“%s”在代码表〈%s〉中有多个同名项，请写成“代码%s名称”", item, t->label,
			    l->code_sep);
			return NULL;
		}
	}
	if (c == NULL) {
		*msg = xasprintf("“%s”不是代码表〈%s〉中的代码或名称，请从下拉列表选择", item, t->label);
		return NULL;
	}
	/* A heading (not pick) maps to its code all the same: that it cannot
	 * be chosen is the rules engine's finding (code:<FIELD>). */
	return c;
}

static int
parse_multiple(const struct layout *l, const struct field_def *f, const char *text, char **stored,
    char **msg)
{
	const struct code_table *t = f->table;
	char *seen = xcalloc(t->nrow ? t->nrow : 1, 1);
	char *copy = xstrdup(text), *p = copy;
	struct strbuf b = { 0 };
	int rc = 0;
	size_t slen = strlen(l->multi_sep);

	/* The stored form (codes separated by spaces) is accepted too. */
	if (strstr(text, l->multi_sep) == NULL && strchr(text, ' ') != NULL) {
		char *c2 = xstrdup(text), *save = NULL;
		int all = 1;

		for (char *tok = strtok_r(c2, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			all &= codes_find(t, tok) != NULL;
		free(c2);
		if (all)
			for (char *q = copy; *q; q++)
				if (*q == ' ')
					*q = '\x1f';
	}
	while (p != NULL && rc == 0) {
		char *end = slen ? strstr(p, l->multi_sep) : NULL;
		char *alt = strchr(p, '\x1f');
		const struct code *c;

		if (alt != NULL && (end == NULL || alt < end)) {
			*alt = '\0';
			end = alt + 1;
		} else if (end != NULL) {
			*end = '\0';
			end += slen;
		}
		str_trim(p);
		if (*p != '\0') {
			if ((c = parse_code(l, t, p, msg)) == NULL)
				rc = -1;
			else
				seen[c - t->row] = 1;
		}
		p = end;
	}
	for (size_t i = 0; rc == 0 && i < t->nrow; i++)
		if (seen[i]) {
			if (b.len)
				strbuf_addc(&b, ' ');
			strbuf_adds(&b, t->row[i].code);
		}
	*stored = rc == 0 && b.len ? strbuf_take(&b) : NULL;
	strbuf_free(&b);
	free(copy);
	free(seen);
	return rc;
}

int
layout_parse_cell(const struct layout *l, const struct field_def *f, const char *text,
    char **stored, char **msg)
{
	const struct fieldtype *ft = fieldtype_of(f);
	char out[11];

	const char *why;

	*stored = NULL;
	*msg = NULL;
	if (str_empty(text))
		return 0;
	if ((why = text_fault(text, TEXT_ANY)) != NULL) {
		*msg = xstrdup(why);   /* the cell's text is not echoed: it may hold Esc */
		return -1;
	}
	if (ft->coded == 1) {
		/* free the copy, not the trimmed pointer into it (` 1-男` from Excel) */
		char *copy = xstrdup(text);
		const struct code *c = f->table ? parse_code(l, f->table, str_trim(copy), msg) : NULL;

		if (f->table == NULL && *msg == NULL)
			*msg = xasprintf("代码表 %s 不存在", f->table_id ? f->table_id : "");
		free(copy);
		if (c == NULL)
			return -1;
		*stored = xstrdup(c->code);
		return 0;
	}
	if (ft->coded == 2) {
		if (f->table == NULL) {
			*msg = xasprintf("代码表 %s 不存在", f->table_id ? f->table_id : "");
			return -1;
		}
		return parse_multiple(l, f, text, stored, msg);
	}
	if (ft->pattern != NULL) {
		/* the template's form, or the stored one */
		int with_day = strlen(ft->pattern) == 10;

		if (date_from_form(layout_form(l, ft), text, with_day, out) == 0 ||
		    date_from_form(ft->pattern, text, with_day, out) == 0) {
			*stored = xstrdup(out);
			return 0;
		}
	} else if (ft->valid(text)) {
		*stored = xstrdup(text);
		return 0;
	}
	*msg = xasprintf(ft->not_cell, text, layout_form(l, ft));
	return -1;
}
