/* xlsx_export.c — see xlsx_export.h. */
#include "xlsx_export.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "expr.h"
#include "fieldtype.h"
#include "layout.h"
#include "outfile.h"
#include "text.h"
#include "util.h"

/* Pinned document date (2013-09-01, the first national collection) so that
 * the same data gives the same bytes. */
#define EXPORT_CREATED ((time_t)1377993600)

struct col {
	const struct field_def *f;
	lxw_format             *num;       /* a number cell in this format (integer, decimal), or NULL */
	int                     as_is;     /* the stored text is the cell text */
	char                  **ctext;     /* select_one: cell text per code row (codecache) */
};

/* The cell text of every code of a table, made once per workbook rather
 * than once per cell (a code-name string is a printf). */
struct codecache {
	const struct code_table *t;
	char                   **text;     /* parallel to t->row */
};

struct tablecol {
	const struct code_table *t;
	size_t                   nitem;    /* selectable rows */
};

struct ex {
	struct store             *st;
	const struct defs        *defs;
	const struct template_def *tpl;
	struct layout            *l;       /* owned */
	const struct set_def     *ps;      /* person set */
	const struct field_def   *pid, *pname;
	lxw_workbook             *wb;
	lxw_format               *f_head, *f_title, *f_text, *f_int, *f_dec, *f_wrap;
	struct tablecol          *tc;      /* code tables on the code sheet, column order */
	size_t                    ntc;
	struct codecache         *cc;
	size_t                    ncc;
	const struct progress    *pg;
	unsigned long long        done, total;   /* (sheet, person) pairs */
	unsigned long long        nstaff;        /* people of the school */
	sqlite3_int64             school;
	char                     *err;     /* first failure */
};

char *
xlsx_export_filename(const char *code, const char *name, const char *title)
{
	return xasprintf("%s_%s_%s.xlsx", code, name, title);
}

static void
col_letters(size_t c, char out[8])
{
	char tmp[8];
	int n = 0;

	c++;
	while (c > 0 && n < 7) {
		tmp[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static double
width_of(const char *s, double min, double max)
{
	int w = s ? utf8_width(s) : 0;
	double x = 1.1 * (w < 0 ? (int)strlen(s) : w) + 1;

	return x < min ? min : x > max ? max : x;
}

static int
lxw_ok(struct ex *e, lxw_error rc, const char *what)
{
	if (rc == LXW_NO_ERROR)
		return 1;
	if (e->err == NULL)
		e->err = xasprintf("写入 Excel 失败（%s）：%s", what, lxw_strerror(rc));
	return 0;
}

static size_t
table_index(struct ex *e, const struct code_table *t)
{
	for (size_t i = 0; i < e->ntc; i++)
		if (e->tc[i].t == t)
			return i;
	return (size_t)-1;
}

/* The cell texts of the codes of f's table (cached per table). */
static char **
code_texts(struct ex *e, const struct field_def *f)
{
	const struct code_table *t = f->table;
	struct codecache *c;

	for (size_t i = 0; i < e->ncc; i++)
		if (e->cc[i].t == t)
			return e->cc[i].text;
	e->cc = xreallocarray(e->cc, e->ncc + 1, sizeof *e->cc);
	c = &e->cc[e->ncc++];
	c->t = t;
	c->text = xcalloc(t->nrow + 1, sizeof *c->text);
	for (size_t i = 0; i < t->nrow; i++)
		c->text[i] = layout_cell_text(e->l, f, t->row[i].code);
	return c->text;
}

static void
code_texts_free(struct ex *e)
{
	for (size_t i = 0; i < e->ncc; i++) {
		for (size_t j = 0; j < e->cc[i].t->nrow; j++)
			free(e->cc[i].text[j]);
		free(e->cc[i].text);
	}
	free(e->cc);
	e->cc = NULL;
	e->ncc = 0;
}

/* How column c's stored values become cell text without a new string:
 * as they are (text, numbers as text, dates in the stored form) or from
 * the code cache. */
static void
col_fast(struct ex *e, struct col *c)
{
	const struct field_def *f = c->f;
	const struct fieldtype *ft = fieldtype_of(f);

	if (ft->coded == 1 && f->table != NULL)
		c->ctext = code_texts(e, f);
	else if (!ft->coded)
		c->as_is = ft->pattern == NULL || strcmp(layout_form(e->l, ft), ft->pattern) == 0;
}

/* The columns of set s: 身份证件号, 姓名, then the set's fields. */
static struct col *
set_columns(struct ex *e, const struct set_def *s, size_t *n)
{
	struct col *c = xcalloc(s->nfield + 2, sizeof *c);
	size_t k = 0;

	c[k++].f = e->pid;
	c[k++].f = e->pname;
	for (size_t j = 0; j < s->nfield; j++) {
		const struct field_def *f = &s->field[j];

		if (s == e->ps && (str_eq(f->v[FC_NAME], e->pid->v[FC_NAME]) ||
		    str_eq(f->v[FC_NAME], e->pname->v[FC_NAME])))
			continue;
		c[k].f = f;
		if (fieldtype_of(f)->number_cell)
			c[k].num = fieldtype_of(f)->places > 0 ? e->f_dec : e->f_int;
		k++;
	}
	for (size_t i = 0; i < k; i++)
		col_fast(e, &c[i]);
	*n = k;
	return c;
}

static double
col_width(struct ex *e, const struct col *c, const char *header)
{
	const struct field_def *f = c->f;
	const struct fieldtype *ft = fieldtype_of(f);
	double w = width_of(header, 8, 60), v;

	v = 8;
	if (f == e->pid)
		v = 21;
	else if (f->table != NULL) {
		char **text = code_texts(e, f);

		for (size_t i = 0; i < f->table->nrow; i++) {
			double x = width_of(text[i], 8, 40);

			if (x > v)
				v = x;
		}
		if (ft->coded == 2 && v < 30)
			v = 30;
	} else if (ft->pattern != NULL)
		v = width_of(layout_form(e->l, ft), 8, 20) + 1;
	else if (f->length > 0)
		v = f->length * 2 > 40 ? 40 : f->length * 2 + 2;
	else
		v = ft->cell_width;
	return w > v ? w : v;
}

static const char *
type_text(struct ex *e, const struct field_def *f, char *buf, size_t n)
{
	const struct fieldtype *ft = fieldtype_of(f);
	const char *arg = ft->pattern != NULL ? layout_form(e->l, ft) : ft->coded == 2 ? e->l->multi_sep :
	    e->l->code_style == LCS_CODE ? "只写代码" : e->l->code_style == LCS_NAME ? "只写名称" : "代码和名称";
	size_t len;

	snprintf(buf, n, ft->cell_hint, arg);
	len = strlen(buf);
	if (f->length > 0 && len < n)
		snprintf(buf + len, n - len, "，不超过 %d 个字", f->length);
	return buf;
}

/* ----------------------------------------------------------- code sheet */

static void
collect_tables(struct ex *e)
{
	for (size_t k = 0; k < e->tpl->nset; k++)
		for (size_t j = 0; j < e->tpl->set[k].nfield; j++) {
			const struct field_def *f = &e->tpl->set[k].field[j];
			size_t n = 0;

			if (f->table == NULL || f->readonly || table_index(e, f->table) != (size_t)-1)
				continue;
			for (size_t i = 0; i < f->table->nrow; i++)
				n += code_offered(&f->table->row[i]);
			e->tc = xreallocarray(e->tc, e->ntc + 1, sizeof *e->tc);
			e->tc[e->ntc].t = f->table;
			e->tc[e->ntc++].nitem = n;
		}
}

static void
write_code_sheet(struct ex *e, lxw_worksheet *ws)
{
	struct field_def fake = { 0 };
	size_t maxrow = 0, *next;

	for (size_t c = 0; c < e->ntc; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 24, e->f_text);
		if (e->tc[c].nitem > maxrow)
			maxrow = e->tc[c].nitem;
	}
	/* constant_memory: rows strictly in order, so write across tables. */
	for (size_t c = 0; c < e->ntc; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, e->tc[c].t->label, e->f_head);
	fake.type = FT_SELECT_ONE;
	/* One cursor per table: the next selectable row (linear, not a scan
	 * of the table per cell). */
	next = xcalloc(e->ntc + 1, sizeof *next);
	for (size_t r = 0; r < maxrow && e->err == NULL; r++)
		for (size_t c = 0; c < e->ntc; c++) {
			const struct code_table *t = e->tc[c].t;
			char **text;

			if (r >= e->tc[c].nitem)
				continue;
			fake.table = t;
			text = code_texts(e, &fake);
			while (next[c] < t->nrow && !code_offered(&t->row[next[c]]))
				next[c]++;
			if (next[c] < t->nrow)
				lxw_ok(e, worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, text[next[c]++],
				    e->f_text), "代码表");
		}
	free(next);
	for (size_t c = 0; c < e->ntc; c++) {
		char letters[8], *name, *ref;

		if (e->tc[c].nitem == 0)
			continue;
		col_letters(c, letters);
		name = xasprintf("L_%s", e->tc[c].t->id);
		ref = xasprintf("='%s'!$%s$2:$%s$%zu", e->l->code_sheet, letters, letters, e->tc[c].nitem + 1);
		lxw_ok(e, workbook_define_name(e->wb, name, ref), "代码表名称");
		free(name);
		free(ref);
	}
	worksheet_hide(ws);
}

/* ------------------------------------------------------------ data sheet */

/* The rows of set s: the n columns, then the person's staff id (column n)
 * and, for a many-record set with an order_by, its value (column n + 1,
 * *ordered set).  The rows come in the index's order (person, seq, id);
 * write_set orders each person's records by order_by itself, stably: an
 * ORDER BY on it made SQLite copy every row, all columns, through a sorter
 * (3.4 % of an export's instructions). */
static char *
set_query(struct ex *e, const struct set_def *s, const struct col *c, size_t n, int *ordered, char **cause)
{
	struct strbuf b = { 0 };
	char *ord = NULL;

	*ordered = 0;
	if (s->many && s->v[SC_ORDER_BY] != NULL &&
	    (ord = expr_sql(s->v[SC_ORDER_BY], s, NULL, EXPR_ROW, NULL, cause)) == NULL)
		return NULL;
	/* The person set is both p (keys) and cur (fields). */
	strbuf_adds(&b, "SELECT ");
	for (size_t k = 0; k < n; k++)
		strbuf_addf(&b, "%s%s.\"%s\"", k ? ", " : "", k < 2 && s != e->ps ? "p" : "cur",
		    c[k].f->v[FC_NAME]);
	strbuf_adds(&b, ", t.id");
	if (ord != NULL) {
		strbuf_addf(&b, ", %s", ord);
		*ordered = 1;
	}
	if (s == e->ps)
		strbuf_addf(&b, " FROM staff t JOIN \"s_%s\" cur ON cur.staff_id = t.id", s->v[SC_NAME]);
	else
		strbuf_addf(&b, " FROM staff t JOIN \"s_%s\" p ON p.staff_id = t.id"
		    " JOIN \"s_%s\" cur ON cur.staff_id = t.id", e->ps->v[SC_NAME], s->v[SC_NAME]);
	strbuf_adds(&b, " WHERE t.school_id = ?1 ORDER BY t.id");
	if (s->many)
		strbuf_adds(&b, ", cur.seq, cur.id");
	free(ord);
	return strbuf_take(&b);
}

/* The people of the school: progress counts (sheet, person) pairs — a
 * count of every sheet's rows cost a scan of each set's index (1.2 % of an
 * export). */
static unsigned long long
count_staff(struct ex *e)
{
	sqlite3_stmt *q;
	sqlite3_int64 n = 0;

	if (sqlite3_prepare_v2(e->st->db, "SELECT count(*) FROM staff WHERE school_id = ?1", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(q, 1, e->school);
		if (sqlite3_step(q) == SQLITE_ROW)
			n = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	return n > 0 ? (unsigned long long)n : 0;
}

/* One stored value, as read from the row (or kept for a person's sort). */
struct val {
	int           type;      /* SQLITE_NULL, _INTEGER, _FLOAT, _TEXT, _BLOB */
	sqlite3_int64 i;
	double        d;
	const char   *text;      /* NUL-terminated, len bytes; NULL for SQL NULL */
	size_t        len;
};

/* Column k of q's row; typed: its storage class too (number columns, the
 * order key), else what is not NULL counts as text (two calls fewer per
 * cell: the export's columns are text). */
static void
val_read(sqlite3_stmt *q, int k, int typed, struct val *v)
{
	v->text = (const char *)sqlite3_column_text(q, k);
	v->len = v->text ? (size_t)sqlite3_column_bytes(q, k) : 0;
	v->type = v->text == NULL ? SQLITE_NULL : typed ? sqlite3_column_type(q, k) : SQLITE_TEXT;
	v->i = v->type == SQLITE_INTEGER ? sqlite3_column_int64(q, k) : 0;
	v->d = v->type != SQLITE_NULL && v->type != SQLITE_TEXT ? sqlite3_column_double(q, k) : 0;
}

/* SQLite's order of two values (NULL, numbers, text by bytes, blobs). */
static int
val_cmp(const struct val *a, const struct val *b)
{
	static const int rank[] = { [SQLITE_NULL] = 0, [SQLITE_INTEGER] = 1, [SQLITE_FLOAT] = 1, [SQLITE_TEXT] = 2,
		[SQLITE_BLOB] = 3 };
	int ra = rank[a->type], rb = rank[b->type], c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 0)
		return 0;
	if (ra == 1) {
		if (a->type == SQLITE_INTEGER && b->type == SQLITE_INTEGER)
			return a->i < b->i ? -1 : a->i > b->i;
		return a->d < b->d ? -1 : a->d > b->d;
	}
	c = memcmp(a->text, b->text, a->len < b->len ? a->len : b->len);
	return c != 0 ? c : a->len < b->len ? -1 : a->len > b->len;
}

/* One person's records of an ordered set, kept until the person's last:
 * width values per row (the columns, then the order key), texts copied. */
struct held {
	struct val   *v;
	size_t        nrow, cap, width;
	struct strbuf text;
	size_t       *order;
};

static void
held_add(struct held *h, sqlite3_stmt *q, const struct col *c)
{
	struct val *row;

	if (h->nrow == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = xreallocarray(h->v, h->cap, h->width * sizeof *h->v);
		h->order = xreallocarray(h->order, h->cap, sizeof *h->order);
	}
	row = &h->v[h->nrow * h->width];
	for (size_t k = 0; k < h->width; k++) {
		/* the last value kept is the order key: column n + 1, after t.id */
		if (k + 1 == h->width)
			val_read(q, (int)k + 1, 1, &row[k]);
		else
			val_read(q, (int)k, c[k].num != NULL, &row[k]);
		if (row[k].text != NULL) {
			size_t off = h->text.len;

			strbuf_add(&h->text, row[k].text, row[k].len + 1);   /* with its NUL */
			/* offset + 1 (never NULL) until the buffer stops moving */
			row[k].text = (const char *)(uintptr_t)(off + 1);
		}
	}
	h->order[h->nrow] = h->nrow;
	h->nrow++;
}

static int
held_cmp(const void *a, const void *b, void *arg)
{
	const struct held *h = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	struct val kx = h->v[x * h->width + h->width - 1], ky = h->v[y * h->width + h->width - 1];
	int c;

	if (kx.text != NULL)
		kx.text = h->text.s + (uintptr_t)kx.text - 1;
	if (ky.text != NULL)
		ky.text = h->text.s + (uintptr_t)ky.text - 1;
	c = val_cmp(&kx, &ky);

	return c != 0 ? c : x < y ? -1 : x > y;   /* stable: then seq, id as read */
}

/* One cell of a stored value (v->text, or base + the offset held_add
 * left in it). */
static void
put_cell(struct ex *e, lxw_worksheet *ws, const struct set_def *s, const struct col *c, lxw_row_t row,
    lxw_col_t k, const struct val *v, const char *base)
{
	const char *text = base != NULL ? base + (uintptr_t)v->text - 1 : v->text;
	char *t;

	/* what jzg stored is clean (text.h); a value put in with sqlite3 or
	 * an old version would make a workbook Excel cannot open, and an
	 * export that says it worked */
	if (text_fault_n(text, v->len, TEXT_ANY) != NULL) {
		e->err = xasprintf("%s 第 %u 行“%s”%s（不是经本程序录入的值），未导出；请在客户端中改正",
		    s->v[SC_LABEL], (unsigned)row + 1, c->f->v[FC_LABEL], text_fault_n(text, v->len, TEXT_ANY));
		return;
	}
	if (c->num && v->type != SQLITE_TEXT) {
		lxw_ok(e, worksheet_write_number(ws, row, k, v->d, c->num), s->v[SC_LABEL]);
		return;
	}
	if (c->as_is || c->ctext != NULL) {
		const char *w = text;

		if (c->ctext != NULL) {
			const struct code *cd = codes_find(c->f->table, text);

			if (cd != NULL)
				w = c->ctext[cd - c->f->table->row];
		}
		if (*w != '\0')
			lxw_ok(e, worksheet_write_string(ws, row, k, w, e->f_text), s->v[SC_LABEL]);
		return;
	}
	t = layout_cell_text(e->l, c->f, text);
	if (t != NULL && *t != '\0')
		lxw_ok(e, worksheet_write_string(ws, row, k, t, e->f_text), s->v[SC_LABEL]);
	free(t);
}

static void
put_row(struct ex *e, lxw_worksheet *ws, const struct set_def *s, const struct col *c, size_t n, lxw_row_t row,
    const struct val *v, const char *base)
{
	for (size_t k = 0; k < n && e->err == NULL; k++)
		if (v[k].type != SQLITE_NULL && v[k].text != NULL)
			put_cell(e, ws, s, &c[k], row, (lxw_col_t)k, &v[k], base);
}

static void
write_set(struct ex *e, lxw_worksheet *ws, const struct set_def *s)
{
	size_t n;
	struct col *c = set_columns(e, s, &n);
	char *sql, *cause = NULL;
	sqlite3_stmt *q = NULL;
	lxw_row_t row = 0, first;
	int hr = e->l->header_rows, ordered;
	struct held held = { 0 };
	struct val *one;            /* the row, when not held */
	sqlite3_int64 person = 0;
	unsigned long long done0 = e->done;

	for (size_t k = 0; k < n; k++) {
		char *h = layout_header(e->l, c[k].f);
		lxw_format *fmt = c[k].num ? c[k].num : e->f_text;

		worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, col_width(e, &c[k], h), fmt);
		free(h);
	}
	worksheet_freeze_panes(ws, (lxw_row_t)hr, 2);
	if (hr == 2) {
		char *title = xasprintf("%s（%s填写）%s%s", s->v[SC_LABEL],
		    s->v[SC_FILLED_BY] ? s->v[SC_FILLED_BY] : "", s->v[SC_HINT] ? "：" : "",
		    s->v[SC_HINT] ? s->v[SC_HINT] : "");

		lxw_ok(e, worksheet_write_string(ws, row++, 0, title, e->f_title), s->v[SC_LABEL]);
		free(title);
	}
	worksheet_set_row(ws, row, 30, NULL);
	for (size_t k = 0; k < n; k++) {
		char *h = layout_header(e->l, c[k].f);

		lxw_ok(e, worksheet_write_string(ws, row, (lxw_col_t)k, h, e->f_head), s->v[SC_LABEL]);
		free(h);
	}
	first = ++row;
	if ((sql = set_query(e, s, c, n, &ordered, &cause)) == NULL ||
	    sqlite3_prepare_v2(e->st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		if (e->err == NULL)
			e->err = xasprintf("读取信息集 %s 失败：%s", s->v[SC_LABEL],
			    cause ? cause : sqlite3_errmsg(e->st->db));
		free(cause);
		free(sql);
		free(c);
		return;
	}
	held.width = n + 1;
	one = xcalloc(n + 1, sizeof *one);
	sqlite3_bind_int64(q, 1, e->school);
	while (e->err == NULL) {
		int more = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_int64 sid = more ? sqlite3_column_int64(q, (int)n) : 0;

		if (!more || sid != person) {
			/* the last person's records, in order_by order */
			if (held.nrow > 1)
				qsort_r(held.order, held.nrow, sizeof *held.order, held_cmp, &held);
			for (size_t i = 0; i < held.nrow && e->err == NULL; i++, row++)
				put_row(e, ws, s, c, n, row, &held.v[held.order[i] * held.width],
				    held.text.s ? held.text.s : "");
			held.nrow = held.text.len = 0;
			if (!more)
				break;
			person = sid;
			if ((++e->done & 63) == 0)
				progress_report(e->pg, e->done, e->total);
		}
		if (ordered)
			held_add(&held, q, c);
		else {
			for (size_t k = 0; k < n; k++)
				val_read(q, (int)k, c[k].num != NULL, &one[k]);
			put_row(e, ws, s, c, n, row++, one, NULL);
		}
	}
	sqlite3_finalize(q);
	free(sql);
	free(one);
	free(held.v);
	free(held.order);
	strbuf_free(&held.text);
	e->done = done0 + e->nstaff;
	/* The empty input rows below the data: their drop-downs are set below,
	 * their format (text, so that digits typed there survive) is the
	 * column's (worksheet_set_column above), which Excel and LibreOffice
	 * give a cell the sheet does not hold.  A blank cell per input row and
	 * column wrote the same format again, at a fifth of the export's
	 * instructions (docs/benchmarks.md, issue 21 §3b). */
	row += (lxw_row_t)e->l->input_rows;
	for (size_t k = 0; k < n && e->err == NULL; k++) {
		const struct field_def *f = c[k].f;
		lxw_data_validation dv = { 0 };
		char *formula, *msg;

		if (f->table == NULL || f->readonly || table_index(e, f->table) == (size_t)-1)
			continue;
		formula = xasprintf("=L_%s", f->table->id);
		msg = fieldtype_of(f)->coded == 2 ?
		    xasprintf("可多选：各项之间用“%s”分隔；单选时从下拉列表选择", e->l->multi_sep) :
		    xasprintf("请从下拉列表选择（代码表：%s）", f->table->label);
		dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
		dv.value_formula = formula;
		dv.ignore_blank = LXW_VALIDATION_ON;
		dv.show_error = LXW_VALIDATION_ON;
		/* A multi-select holds several items: warn, do not block. */
		dv.error_type = fieldtype_of(f)->coded == 2 ? LXW_VALIDATION_ERROR_TYPE_INFORMATION :
		    LXW_VALIDATION_ERROR_TYPE_STOP;
		dv.error_title = "输入有误";
		dv.error_message = msg;
		lxw_ok(e, worksheet_data_validation_range(ws, first, (lxw_col_t)k,
		    row > first ? row - 1 : first, (lxw_col_t)k, &dv), "下拉列表");
		free(formula);
		free(msg);
	}
	free(c);
}

/* ----------------------------------------------------------------- guide */

static void
write_guide(struct ex *e, lxw_worksheet *ws, const char *code, const char *name)
{
	static const char *const notes[] = {
		"每个信息集一个工作表，工作表名、表头和文件名都不能修改；带 * 的指标必填。",
		"各表前两列是身份证件号和姓名，用来对应人员；同一人在多条记录的表中每条记录一行。",
		"身份证件号、代码、日期等按文本输入（本表已设为文本格式），不要改成数值格式，否则末位数字会丢失。",
		"代码类指标请从下拉列表选择；“引自”其他表的指标由程序计算，不用填写。",
	};
	static const char *const head[] = { "信息表", "指标", "必填", "填写格式", "说明" };
	lxw_row_t r = 0;
	char buf[200];

	worksheet_set_column(ws, 0, 0, 22, e->f_wrap);
	worksheet_set_column(ws, 1, 1, 26, e->f_wrap);
	worksheet_set_column(ws, 2, 2, 10, e->f_wrap);
	worksheet_set_column(ws, 3, 3, 34, e->f_wrap);
	worksheet_set_column(ws, 4, 4, 70, e->f_wrap);
	worksheet_write_string(ws, r++, 0, e->l->guide_sheet, e->f_title);
	worksheet_write_string(ws, r, 0, "学校标识码", e->f_head);
	worksheet_write_string(ws, r++, 1, code, e->f_text);
	worksheet_write_string(ws, r, 0, "学校名称", e->f_head);
	worksheet_write_string(ws, r++, 1, name, e->f_text);
	worksheet_write_string(ws, r, 0, "模板", e->f_head);
	worksheet_write_string(ws, r++, 1, e->tpl->v[TC_TITLE], e->f_text);
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		snprintf(buf, sizeof buf, "%zu", i + 1);
		worksheet_write_string(ws, r, 0, buf, e->f_wrap);
		worksheet_write_string(ws, r++, 1, notes[i], NULL);
	}
	r++;
	for (size_t k = 0; k < 5; k++)
		worksheet_write_string(ws, r, (lxw_col_t)k, head[k], e->f_head);
	r++;
	for (size_t k = 0; k < e->tpl->nset && e->err == NULL; k++) {
		const struct set_def *s = &e->tpl->set[k];
		char *sheet = layout_sheet_name(e->l, s, k);
		size_t n;
		struct col *c = set_columns(e, s, &n);

		for (size_t j = 0; j < n; j++) {
			const struct field_def *f = c[j].f;
			const char *req = f->readonly ? "不填" : f->required == REQ_YES && !f->v[FC_RELEVANT] ? "是" :
			    f->required != REQ_NO ? "有条件" : "否";
			char *hint = f->readonly && f->v[FC_CALCULATE] ? xasprintf("%s（程序计算）",
			    f->v[FC_HINT] ? f->v[FC_HINT] : "") : xstrdup(f->v[FC_HINT] ? f->v[FC_HINT] : "");

			worksheet_write_string(ws, r, 0, sheet, e->f_wrap);
			worksheet_write_string(ws, r, 1, f->v[FC_LABEL], e->f_wrap);
			worksheet_write_string(ws, r, 2, req, e->f_wrap);
			worksheet_write_string(ws, r, 3, type_text(e, f, buf, sizeof buf), e->f_wrap);
			if (*hint)
				worksheet_write_string(ws, r, 4, hint, e->f_wrap);
			r++;
			free(hint);
		}
		free(c);
		free(sheet);
	}
}

/* ------------------------------------------------------------------ main */

static enum jzg_status
school_row(struct store *st, sqlite3_int64 id, char **code, char **name, char **tpl, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, "SELECT code, name, template FROM school WHERE id = ?", &q, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) != SQLITE_ROW)
		rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这所学校");
	else {
		*code = xstrdup((const char *)sqlite3_column_text(q, 0));
		*name = xstrdup((const char *)sqlite3_column_text(q, 1));
		*tpl = xstrdup((const char *)sqlite3_column_text(q, 2));
	}
	sqlite3_finalize(q);
	return rc;
}

/* A school's workbook between its two steps: every sheet written (the
 * rows in libxlsxwriter's temporary files), not yet zipped. */
struct xlsx_book {
	struct ex  e;
	char      *code, *name, *tplname, *fname, *path, *tmp;
	char      *work;   /* libxlsxwriter's temporary files, in a directory of ours (outfile.h) */
};

static void
book_free(struct xlsx_book *b)
{
	code_texts_free(&b->e);
	layout_free(b->e.l);
	free(b->e.err);
	free(b->e.tc);
	free(b->fname);
	free(b->path);
	free(b->tmp);
	free(b->code);
	free(b->name);
	free(b->tplname);
	if (b->work != NULL)
		outfile_rmtree(b->work);
	free(b->work);
	free(b);
}

enum jzg_status
xlsx_book_write(struct store *st, sqlite3_int64 school_id, const char *dir, const struct progress *pg,
    struct xlsx_book **out, char **cause)
{
	struct xlsx_book *b = xcalloc(1, sizeof *b);
	struct ex *e = &b->e;
	lxw_workbook_options opt = { .constant_memory = 1, .tmpdir = NULL, .use_zip64 = 1 };
	lxw_doc_properties props = { 0 };
	lxw_worksheet **ws;
	const char *why;
	char *q;
	int hush;
	enum jzg_status rc;

	*out = NULL;
	*e = (struct ex){ .st = st, .defs = st->defs, .pg = pg, .school = school_id };
	if ((rc = school_row(st, school_id, &b->code, &b->name, &b->tplname, cause)) != JZG_OK) {
		book_free(b);
		return rc;
	}
	if ((why = text_fault(b->code, TEXT_NAME)) != NULL || (why = text_fault(b->name, TEXT_NAME)) != NULL) {
		rc = jzg_fail(cause, JZG_ERR_INVALID, "学校标识码或名称%s（不是经本程序录入的值），未导出", why);
		book_free(b);
		return rc;
	}
	if ((e->tpl = defs_template(e->defs, b->tplname)) == NULL || (e->ps = template_person_set(e->defs, e->tpl)) == NULL ||
	    (e->pid = set_field(e->ps, e->defs->setting[SK_PERSON_ID])) == NULL ||
	    (e->pname = set_field(e->ps, e->defs->setting[SK_PERSON_NAME])) == NULL)
		rc = jzg_fail(cause, JZG_ERR_DEFS, "学校 %s 的模板 %s 不在指标定义中，或缺少人员信息集", b->code, b->tplname);
	else
		rc = layout_get(e->defs, b->tplname, &e->l, cause);
	if (rc != JZG_OK) {
		book_free(b);
		return rc;
	}
	b->fname = xlsx_export_filename(b->code, b->name, e->tpl->v[TC_TITLE]);
	b->path = xasprintf("%s/%s", dir, b->fname);
	b->tmp = outfile_part(b->path);
	/* libxlsxwriter's own temporary files (one per sheet) in a directory of
	 * ours: a kill leaves them where the next run finds them (outfile.h) */
	if ((rc = outfile_tmpdir("xlsx", &b->work, cause)) != JZG_OK) {
		book_free(b);
		return rc;
	}
	opt.tmpdir = b->work;
	hush = stderr_hush();   /* libxlsxwriter's English [ERROR] lines: ours follow */
	e->wb = workbook_new_opt(b->tmp, &opt);
	stderr_restore(hush);
	if (e->wb == NULL) {
		rc = jzg_fail(cause, JZG_ERR_IO, "无法在 %s 中创建 Excel 文件（请检查目录是否存在、是否可写）", dir);
		book_free(b);
		return rc;
	}
	props.title = e->tpl->v[TC_TITLE];
	props.subject = b->name;
	props.author = "jzg";
	props.comments = b->code;
	props.created = EXPORT_CREATED;
	workbook_set_properties(e->wb, &props);
	e->f_head = workbook_add_format(e->wb);
	format_set_bold(e->f_head);
	format_set_text_wrap(e->f_head);
	format_set_align(e->f_head, LXW_ALIGN_CENTER);
	format_set_align(e->f_head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bg_color(e->f_head, 0xDDEBF7);
	format_set_border(e->f_head, LXW_BORDER_THIN);
	format_set_num_format(e->f_head, "@");
	e->f_title = workbook_add_format(e->wb);
	format_set_bold(e->f_title);
	format_set_font_size(e->f_title, 12);
	e->f_text = workbook_add_format(e->wb);
	format_set_num_format(e->f_text, "@");
	format_set_unlocked(e->f_text);
	e->f_int = workbook_add_format(e->wb);
	format_set_num_format(e->f_int, "0");
	format_set_unlocked(e->f_int);
	e->f_dec = workbook_add_format(e->wb);
	format_set_num_format(e->f_dec, "0.00");
	format_set_unlocked(e->f_dec);
	e->f_wrap = workbook_add_format(e->wb);
	format_set_text_wrap(e->f_wrap);
	format_set_align(e->f_wrap, LXW_ALIGN_VERTICAL_TOP);
	format_set_num_format(e->f_wrap, "@");

	collect_tables(e);
	ws = xcalloc(e->tpl->nset + 2, sizeof *ws);
	for (size_t k = 0; k < e->tpl->nset && e->err == NULL; k++) {
		char *sn = layout_sheet_name(e->l, &e->tpl->set[k], k);

		if ((ws[k] = workbook_add_worksheet(e->wb, sn)) == NULL)
			e->err = xasprintf("工作表名 “%s” 不能用（请运行 jzg forms check）", sn);
		free(sn);
	}
	if (e->err == NULL && e->l->guide && (ws[e->tpl->nset] = workbook_add_worksheet(e->wb, e->l->guide_sheet)) == NULL)
		e->err = xasprintf("工作表名 “%s” 不能用", e->l->guide_sheet);
	if (e->err == NULL && (ws[e->tpl->nset + 1] = workbook_add_worksheet(e->wb, e->l->code_sheet)) == NULL)
		e->err = xasprintf("工作表名 “%s” 不能用", e->l->code_sheet);
	if (e->err == NULL) {
		e->nstaff = count_staff(e);
		e->total = e->nstaff * e->tpl->nset;
		q = xasprintf("=\"%s\"", b->code);
		lxw_ok(e, workbook_define_name(e->wb, XLSX_NAME_SCHOOL, q), "学校标识");
		free(q);
		q = xasprintf("=\"%s\"", e->tpl->v[TC_NAME]);
		lxw_ok(e, workbook_define_name(e->wb, XLSX_NAME_TEMPLATE, q), "模板标识");
		free(q);
		write_code_sheet(e, ws[e->tpl->nset + 1]);
		for (size_t k = 0; k < e->tpl->nset && e->err == NULL; k++)
			write_set(e, ws[k], &e->tpl->set[k]);
		if (e->err == NULL && e->l->guide)
			write_guide(e, ws[e->tpl->nset], b->code, b->name);
		progress_report(pg, e->total, e->total);
	}
	free(ws);
	*out = b;
	return JZG_OK;
}

enum jzg_status
xlsx_book_close(struct xlsx_book *b, char **path_out, char **cause)
{
	int hush = stderr_hush();
	lxw_error lrc = workbook_close(b->e.wb);     /* always: it frees the workbook */
	enum jzg_status rc = JZG_OK;

	stderr_restore(hush);
	if (path_out)
		*path_out = NULL;
	if (b->e.err == NULL && lrc != LXW_NO_ERROR)
		b->e.err = xasprintf("写入 %s 失败：%s（磁盘已满或目录不可写？）", b->path, lxw_strerror(lrc));
	if (b->e.err == NULL) {
		char *why = NULL;

		if (outfile_commit(b->tmp, b->path, &why) != JZG_OK)
			b->e.err = why;
	}
	if (b->e.err != NULL) {
		unlink(b->tmp);
		rc = jzg_fail(cause, JZG_ERR_IO, "%s", b->e.err);
	} else if (path_out) {
		*path_out = b->path;
		b->path = NULL;
	}
	book_free(b);
	return rc;
}

enum jzg_status
xlsx_export_school(struct store *st, sqlite3_int64 school_id, const char *dir,
    const struct progress *pg, char **path_out, char **cause)
{
	struct xlsx_book *b;
	enum jzg_status rc = xlsx_book_write(st, school_id, dir, pg, &b, cause);

	if (path_out)
		*path_out = NULL;
	return rc == JZG_OK ? xlsx_book_close(b, path_out, cause) : rc;
}
