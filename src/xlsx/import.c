/* import.c — see import.h. */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <minizip/unzip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entry.h"
#include "fieldtype.h"
#include "import_recalc.h"
#include "layout.h"
#include "normalize.h"
#include "outfile.h"
#include "rules.h"
#include "school.h"
#include "util.h"
#include "xlsx_export.h"
#include "xlsx_read.h"

struct icol {
	const struct field_def *f;
	int                     derived;  /* readonly with calculate: recomputed, not read */
};

/* A person of the file (by 身份证件号), or one that rows of other sheets
 * name but the person sheet lacks (row 0). */
struct iperson {
	char          *idno;
	char          *name;
	sqlite3_int64  staff;     /* 0: not written (errors on the person sheet) */
	unsigned       row;       /* row on the person sheet, 0 when absent */
	unsigned       seq;       /* records of this person on the current sheet */
	int            bad;       /* an error somewhere in the file */
	int            fresh;     /* created by this import: records get the defaults */
};

/* Where stored rows came from: (set number, record key) → sheet row, so
 * that a finding of the rules engine names the cell the clerk typed.  The
 * set number sits in the top 8 bits of setrow (templates have < 256 sets;
 * a sheet has ≤ 2^20 rows).  One entry per run of n rows whose keys and
 * sheet rows both go up by one (a sheet's rows are written in order, each
 * new record taking the next rowid): a sheet is mostly one run, where an
 * entry per row made 16 bytes per record (61 MB for 100,000 staff). */
struct rmap {
	sqlite3_int64 key;        /* first staff_id (one-record set) or record id, as record_set */
	uint32_t      setrow;     /* of the first */
	uint32_t      n;
};
#define RMAP_ROW_BITS 24

/* One import pass over one file. */
struct imp {
	struct store              *st;
	const struct defs         *defs;
	const struct template_def *tpl;
	struct layout             *l;      /* owned */
	const struct set_def      *ps;
	const struct field_def    *pid, *pname;
	const struct import_opts  *o;
	struct rules              *rules;
	const char                *name;      /* file name shown */
	sqlite3_int64              school;
	int                        quiet_warn;/* warnings were reported by the first pass */
	/* current sheet */
	const struct set_def      *set;
	size_t                     setno;
	char                      *sheet;
	struct icol               *col;
	size_t                     ncol;
	struct entry_row          *row;       /* the set's defaults and calculate (entry.h) */
	char                     **fv;        /* a row by field index, for row */
	int                        header_ok;
	sqlite3_stmt              *ins, *upd, *find, *mkstaff, *remember;
	/* Records are inserted BATCH rows per statement: each statement of a
	 * write transaction copies the pages it touches to a statement journal
	 * (the audit triggers make every INSERT one that may abort), so one
	 * statement per row wrote each hot page once per row. */
	sqlite3_stmt              *insb;      /* BATCH rows; ins does one */
	int                        nparam;    /* parameters per row */
	size_t                     batch;     /* rows per insb */
	char                    ***bval;      /* the rows waiting, values owned */
	struct iperson           **bperson;
	unsigned                  *brow, *bseq;
	size_t                     nb;
	/* the people of the file: array + open-addressing hash on idno */
	struct iperson            *pp;
	size_t                     npp, cappp;
	uint32_t                  *hash;      /* index + 1, 0 = empty */
	size_t                     nhash;     /* power of two */
	uint32_t                  *by_staff;  /* indices sorted by staff (for findings) */
	struct rmap               *map;
	size_t                     nmap, capmap;
	/* people with errors (idno), for the second pass */
	char                     **bad;
	size_t                     nbad, capbad;
	char                     **skip;      /* the bad list of the previous pass: skipped quietly */
	size_t                     nskip;
	long                       persons, records, errors, warnings, notes;
	int                        fatal;     /* header or database problem: the whole file is refused */
	char                      *dberr;
	unsigned long long         base, total;
	struct progress            pg;
};

static void
finding(struct imp *m, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* kind: enum import_kind (0 = error, 1 = warning, as before the notes). */
static void
finding(struct imp *m, int kind, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (kind == IMPORT_NOTE)
		m->notes++;
	else if (kind == IMPORT_WARNING)
		m->warnings++;
	else
		m->errors++;
	if (m->o->finding == NULL || (kind != IMPORT_ERROR && m->quiet_warn))
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	m->o->finding(m->o->finding_arg, m->name, kind, text);
	free(text);
}

static void
cell_finding(struct imp *m, int kind, unsigned row, unsigned col, const char *msg)
{
	const char *label = col >= 1 && col <= m->ncol ? m->col[col - 1].f->v[FC_LABEL] : "";

	finding(m, kind, "工作表 〈%s〉 第 %u 行 第 %u 列 〈%s〉：%s", m->sheet, row, col, label, msg);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
in_skip(const struct imp *m, const char *idno)
{
	return m->nskip > 0 && bsearch(&idno, m->skip, m->nskip, sizeof *m->skip, cmp_str) != NULL;
}

static void
db_fail(struct imp *m, const char *what)
{
	if (m->dberr == NULL)
		m->dberr = xasprintf("%s失败：%s（%s）", what, store_errstr(sqlite3_errcode(m->st->db)),
		    sqlite3_errmsg(m->st->db));
	m->fatal = 1;
}

/* ------------------------------------------------------------ people */

static uint32_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The person with this idno, or NULL. */
static struct iperson *
person_get(struct imp *m, const char *idno)
{
	if (m->nhash == 0 || idno == NULL)
		return NULL;
	for (size_t i = str_hash(idno) & (m->nhash - 1); m->hash[i] != 0; i = (i + 1) & (m->nhash - 1))
		if (strcmp(m->pp[m->hash[i] - 1].idno, idno) == 0)
			return &m->pp[m->hash[i] - 1];
	return NULL;
}

/* Add a person (idno not yet present). */
static struct iperson *
person_add(struct imp *m, const char *idno, const char *name, unsigned row)
{
	struct iperson *p;

	if (2 * (m->npp + 1) > m->nhash) {
		size_t n = m->nhash ? m->nhash * 2 : 1024;

		free(m->hash);
		m->hash = xcalloc(n, sizeof *m->hash);
		m->nhash = n;
		for (size_t k = 0; k < m->npp; k++) {
			size_t i = str_hash(m->pp[k].idno) & (n - 1);

			while (m->hash[i] != 0)
				i = (i + 1) & (n - 1);
			m->hash[i] = (uint32_t)k + 1;
		}
	}
	if (m->npp == m->cappp) {
		m->cappp = m->cappp ? m->cappp * 2 : 256;
		m->pp = xreallocarray(m->pp, m->cappp, sizeof *m->pp);
	}
	p = &m->pp[m->npp];
	memset(p, 0, sizeof *p);
	p->idno = xstrdup(idno);
	p->name = name ? xstrdup(name) : NULL;
	p->row = row;
	{
		size_t i = str_hash(idno) & (m->nhash - 1);

		while (m->hash[i] != 0)
			i = (i + 1) & (m->nhash - 1);
		m->hash[i] = (uint32_t)m->npp + 1;
	}
	m->npp++;
	return p;
}

/* Remember that idno has an error: with keep_good the next pass leaves
 * this person as stored. */
static void
mark_bad(struct imp *m, const char *idno)
{
	struct iperson *p;

	if (str_empty(idno))
		return;
	if ((p = person_get(m, idno)) == NULL)
		p = person_add(m, idno, NULL, 0);
	if (p->bad)
		return;
	p->bad = 1;
	if (m->nbad == m->capbad) {
		m->capbad = m->capbad ? m->capbad * 2 : 16;
		m->bad = xreallocarray(m->bad, m->capbad, sizeof *m->bad);
	}
	m->bad[m->nbad++] = xstrdup(idno);
}

static void
map_add(struct imp *m, size_t setno, sqlite3_int64 key, unsigned row)
{
	uint32_t setrow = (uint32_t)setno << RMAP_ROW_BITS | (row & ((1u << RMAP_ROW_BITS) - 1));
	struct rmap *last = m->nmap ? &m->map[m->nmap - 1] : NULL;

	if (last != NULL && last->n < (1u << RMAP_ROW_BITS) && key == last->key + last->n &&
	    setrow == last->setrow + last->n && (setrow >> RMAP_ROW_BITS) == (last->setrow >> RMAP_ROW_BITS)) {
		last->n++;
		return;
	}
	if (m->nmap == m->capmap) {
		m->capmap = m->capmap ? m->capmap * 2 : 256;
		m->map = xreallocarray(m->map, m->capmap, sizeof *m->map);
	}
	m->map[m->nmap++] = (struct rmap){ key, setrow, 1 };
}

static int
cmp_map(const void *a, const void *b)
{
	const struct rmap *x = a, *y = b;
	uint32_t sx = x->setrow >> RMAP_ROW_BITS, sy = y->setrow >> RMAP_ROW_BITS;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Sheet row of (set, key) or 0 when the row did not come from this file:
 * the last run (sorted, cmp_map) starting at or before it, if it reaches
 * it (runs of one set never overlap: keys are unique in a set). */
static unsigned
map_row(const struct imp *m, size_t setno, sqlite3_int64 key)
{
	struct rmap want = { key, (uint32_t)setno << RMAP_ROW_BITS, 1 };
	size_t lo = 0, hi = m->nmap;
	const struct rmap *hit;

	while (lo < hi) {   /* first run after want */
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_map(&m->map[mid], &want) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	hit = &m->map[lo - 1];
	if ((hit->setrow >> RMAP_ROW_BITS) != setno || key >= hit->key + hit->n)
		return 0;
	return (hit->setrow & ((1u << RMAP_ROW_BITS) - 1)) + (unsigned)(key - hit->key);
}

static const struct imp *sort_imp;   /* qsort has no context argument */

static int
cmp_staff(const void *a, const void *b)
{
	sqlite3_int64 x = sort_imp->pp[*(const uint32_t *)a].staff, y = sort_imp->pp[*(const uint32_t *)b].staff;

	return x < y ? -1 : x > y;
}

static struct iperson *
person_by_staff(const struct imp *m, sqlite3_int64 staff)
{
	size_t lo = 0, hi = m->npp;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		sqlite3_int64 s = m->pp[m->by_staff[mid]].staff;

		if (s == staff)
			return &m->pp[m->by_staff[mid]];
		if (s < staff)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
people_clear(struct imp *m)
{
	for (size_t i = 0; i < m->npp; i++) {
		free(m->pp[i].idno);
		free(m->pp[i].name);
	}
	free(m->pp);
	free(m->hash);
	free(m->by_staff);
	free(m->map);
	m->pp = NULL;
	m->hash = m->by_staff = NULL;
	m->map = NULL;
	m->npp = m->cappp = m->nhash = m->nmap = m->capmap = 0;
}

/* ------------------------------------------------------------ one sheet */

static void
sheet_columns(struct imp *m, const struct set_def *s)
{
	m->col = xcalloc(s->nfield + 2, sizeof *m->col);
	m->fv = xcalloc(s->nfield + 1, sizeof *m->fv);
	m->ncol = 0;
	m->col[m->ncol++].f = m->pid;
	m->col[m->ncol++].f = m->pname;
	for (size_t j = 0; j < s->nfield; j++) {
		const struct field_def *f = &s->field[j];

		if (s == m->ps && (f == m->pid || f == m->pname))
			continue;
		m->col[m->ncol].f = f;
		m->col[m->ncol++].derived = f->readonly && f->v[FC_CALCULATE] != NULL;
	}
}

/* The 1-based column of field f on the sheet of set s (sheet_columns'
 * order), 0 when f is NULL or not on the sheet. */
static unsigned
field_column(const struct imp *m, const struct set_def *s, const struct field_def *f)
{
	unsigned c = 3;

	if (f == NULL)
		return 0;
	if (f == m->pid)
		return 1;
	if (f == m->pname)
		return 2;
	for (size_t j = 0; j < s->nfield; j++) {
		const struct field_def *g = &s->field[j];

		if (s == m->ps && (g == m->pid || g == m->pname))
			continue;
		if (g == f)
			return c;
		c++;
	}
	return 0;
}

static const char *
strip_mark(const struct imp *m, const char *h)
{
	size_t n = strlen(m->l->required_mark);

	while (*h == ' ')
		h++;
	return n && strncmp(h, m->l->required_mark, n) == 0 ? h + n : h;
}
static int
check_header(struct imp *m, unsigned row, const struct xlsx_cell *cell, size_t n)
{
	size_t k = 0;
	int ok = 1;

	for (unsigned c = 1; c <= m->ncol; c++) {
		const char *got = "";
		char *want = layout_header(m->l, m->col[c - 1].f);

		while (k < n && cell[k].col < c)
			k++;
		if (k < n && cell[k].col == c)
			got = cell[k].text;
		if (strcmp(strip_mark(m, got), strip_mark(m, want)) != 0) {
			char *msg = xasprintf("表头应为“%s”，实际是“%s”；模板的表头不能修改，请用 jzg export 导出的模板重新填写",
			    want, got);

			cell_finding(m, IMPORT_ERROR, row, c, msg);
			free(msg);
			ok = 0;
		}
		free(want);
	}
	for (k = 0; k < n; k++)
		if (cell[k].col > m->ncol) {
			char *msg = xasprintf("表头多出一列“%s”；模板的列不能增删", cell[k].text);

			finding(m, 0, "工作表 〈%s〉 第 %u 行 第 %u 列：%s", m->sheet, row, cell[k].col, msg);
			free(msg);
			ok = 0;
		}
	return ok;
}

/* The text of a cell read as the client reads what a clerk types: the
 * type's normaliser first (normalize_value), then the cell form.  When the
 * normalised text does not read but the cell as written does (a code name
 * with a space in it), the cell stands as written; a refusal quotes the
 * cell as written.  *note (normalize_note) when the value differs from
 * what the cell as written reads as, else NULL. */
static int
parse_typed(struct imp *m, const struct field_def *f, const char *text, char **val, char **msg, char **note)
{
	char *norm = normalize_value(f, text, f == m->pid), *raw = NULL, *rmsg = NULL;
	int rc = layout_parse_cell(m->l, f, norm, val, msg);

	*note = rc == 0 ? normalize_note(text, norm) : NULL;
	if (strcmp(norm, text) == 0 || (rc == 0 && *note == NULL)) {
		free(norm);
		return rc;
	}
	free(norm);
	if (layout_parse_cell(m->l, f, text, &raw, &rmsg) == 0 && (rc != 0 || str_eq(raw, *val))) {
		free(*val);
		free(*msg);
		*val = raw;
		*msg = NULL;
		raw = NULL;
		rc = 0;
		free(*note);
		*note = NULL;   /* read alike: the template's own form, nothing to tell */
	} else if (rc != 0) {
		free(*msg);
		*msg = rmsg;
		rmsg = NULL;
	}
	free(raw);
	free(rmsg);
	return rc;
}

/* The stored value of one cell, or an error message; *note as parse_typed. */
static int
cell_value(struct imp *m, const struct icol *c, const struct xlsx_cell *cell, char **val, char **msg,
    char **note)
{
	const struct field_def *f = c->f;
	const struct fieldtype *ft = fieldtype_of(f);
	char buf[32];
	const char *text = cell->text;

	*val = NULL;
	*msg = NULL;
	*note = NULL;
	switch (cell->type) {
	case XT_ERROR:
		*msg = xasprintf("单元格是错误值 %s，请改为正确的值", text);
		return -1;
	case XT_BOOL:
		text = strcmp(text, "1") == 0 ? "1" : "0";
		break;
	case XT_NUMBER:
		if (f == m->pid) {
			*msg = xasprintf("身份证件号是数值格式（%s），末几位可能已丢失；请把该列设为文本格式后重新输入", text);
			return -1;
		}
		if (ft->pattern != NULL) {   /* a date serial */
			char d[11];

			if (layout_serial_date(strtod(text, NULL), d) != 0) {
				*msg = xasprintf("“%s”不是日期", text);
				return -1;
			}
			d[strlen(ft->pattern)] = '\0';
			*val = xstrdup(d);
			return 0;
		}
		if (ft->places <= 0) {   /* a whole number reads as its digits, unless the type keeps decimals */
			double v = strtod(text, NULL);

			if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
				snprintf(buf, sizeof buf, "%lld", (long long)v);
				text = buf;
			}
		}
		break;
	default:
		break;
	}
	return parse_typed(m, f, text, val, msg, note);
}

/* Does this data row hold anything? */
static int
row_empty(const struct xlsx_cell *cell, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const char *t = cell[k].text;

		while (*t == ' ')
			t++;
		if (*t)
			return 0;
	}
	return 1;
}

static sqlite3_int64
person_staff(struct imp *m, const char *idno)
{
	sqlite3_int64 id = 0;

	sqlite3_reset(m->find);
	sqlite3_bind_int64(m->find, 1, m->school);
	sqlite3_bind_text(m->find, 2, idno, -1, SQLITE_STATIC);
	if (sqlite3_step(m->find) == SQLITE_ROW)
		id = sqlite3_column_int64(m->find, 0);
	sqlite3_reset(m->find);
	return id;
}

/* Bind the non-derived values from column first on as ?2, ?3 … (?1 is
 * the staff id, set by the caller); the next free parameter is returned. */
static int
bind_values(struct imp *m, sqlite3_stmt *ps, unsigned first, char **val)
{
	int p = 2;

	for (unsigned c = first; c <= m->ncol; c++)
		if (!m->col[c - 1].derived) {
			if (val[c - 1] != NULL)
				sqlite3_bind_text(ps, p, val[c - 1], -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(ps, p);
			p++;
		}
	return p;
}

/* Complete a row as the client builds a record (entry_row_fill): defaults
 * for the records of a person new to the file, the calculate fields (出生
 * 日期 and 性别 from the ID number) where the row leaves them empty. */
static void
fill_row(struct imp *m, char **val, sqlite3_int64 staff, int fresh)
{
	const struct set_def *s = m->set;
	unsigned first = s == m->ps ? 1 : 3;

	for (unsigned c = first; c <= m->ncol; c++)
		m->fv[m->col[c - 1].f - s->field] = val[c - 1];
	entry_row_fill(m->row, m->fv, staff, fresh);
	for (unsigned c = first; c <= m->ncol; c++) {
		val[c - 1] = m->fv[m->col[c - 1].f - s->field];
		m->fv[m->col[c - 1].f - s->field] = NULL;
	}
}

/* A row of the person sheet: the person is created or updated.  Only what
 * must happen before writing is checked here (cell types, the key); every
 * rule on the values is the rules engine's, after the rows are written. */
static void
person_row(struct imp *m, unsigned row, const char *idno, const char *pname, char **val, int bad)
{
	struct iperson *p;
	sqlite3_int64 staff;
	sqlite3_stmt *ps;
	int fresh = 0;

	if (idno == NULL && !bad) {
		cell_finding(m, IMPORT_ERROR, row, 1, "身份证件号不能为空");
		bad = 1;
	}
	if (idno != NULL && (p = person_get(m, idno)) != NULL && p->row != 0) {
		char *msg = xasprintf("身份证件号 %s 与本表第 %u 行重复", idno, p->row);

		cell_finding(m, IMPORT_ERROR, row, 1, msg);
		free(msg);
		bad = 1;
	}
	if (bad) {
		mark_bad(m, idno);
		if ((p = person_get(m, idno)) != NULL && p->row == 0)
			p->row = row;
		return;
	}
	if ((staff = person_staff(m, idno)) == 0) {
		sqlite3_reset(m->mkstaff);
		sqlite3_bind_int64(m->mkstaff, 1, m->school);
		if (sqlite3_step(m->mkstaff) != SQLITE_DONE) {
			db_fail(m, "添加人员");
			return;
		}
		staff = sqlite3_last_insert_rowid(m->st->db);
		ps = m->ins;       /* a new person: one INSERT with every value */
		fresh = 1;
	} else
		ps = m->upd;
	fill_row(m, val, staff, fresh);
	sqlite3_reset(ps);
	sqlite3_bind_int64(ps, 1, staff);
	bind_values(m, ps, 1, val);
	if (sqlite3_step(ps) != SQLITE_DONE) {
		db_fail(m, "保存人员");
		return;
	}
	sqlite3_reset(m->remember);
	sqlite3_bind_int64(m->remember, 1, staff);
	if (sqlite3_step(m->remember) != SQLITE_DONE) {
		db_fail(m, "导入");
		return;
	}
	p = person_add(m, idno, pname, row);
	p->staff = staff;
	p->fresh = fresh;
	map_add(m, m->setno, staff, row);
	m->persons++;
}

/* Bind one waiting row as parameters base+1 … (staff, values, seq). */
static void
bind_record(struct imp *m, sqlite3_stmt *ps, int base, size_t i)
{
	int p = base + 1;

	sqlite3_bind_int64(ps, p++, m->bperson[i]->staff);
	for (unsigned c = 3; c <= m->ncol; c++)
		if (!m->col[c - 1].derived) {
			if (m->bval[i][c - 1] != NULL)
				sqlite3_bind_text(ps, p, m->bval[i][c - 1], -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(ps, p);
			p++;
		}
	if (m->set->many)
		sqlite3_bind_int64(ps, p, m->bseq[i]);
}

/* Write the waiting records: a full batch in one statement, a tail row by
 * row.  A record's id is known from the last rowid: ids of a table without
 * AUTOINCREMENT are max + 1, given in VALUES order. */
static void
flush_records(struct imp *m)
{
	size_t done = 0;

	while (done < m->nb && !m->fatal) {
		sqlite3_stmt *ps = m->nb - done >= m->batch ? m->insb : m->ins;
		size_t n = ps == m->insb ? m->batch : 1;
		sqlite3_int64 last;

		sqlite3_reset(ps);
		for (size_t i = 0; i < n; i++)
			bind_record(m, ps, (int)i * m->nparam, done + i);
		if (sqlite3_step(ps) != SQLITE_DONE) {
			db_fail(m, "保存记录");
			break;
		}
		last = sqlite3_last_insert_rowid(m->st->db);
		for (size_t i = 0; i < n; i++)
			map_add(m, m->setno, m->set->many ? last - (sqlite3_int64)(n - 1 - i) : m->bperson[done + i]->staff,
			    m->brow[done + i]);
		m->records += (long)n;
		done += n;
	}
	for (size_t i = 0; i < m->nb; i++) {
		for (size_t c = 0; c < m->ncol; c++)
			free(m->bval[i][c]);
		free(m->bval[i]);
	}
	m->nb = 0;
}

/* A row of another sheet: one record of a person of the person sheet.
 * Returns 1 when val was taken (the record waits for its batch). */
static int
record_row(struct imp *m, unsigned row, const char *idno, const char *pname, char **val, int bad, int any)
{
	const struct set_def *s = m->set;
	struct iperson *p = person_get(m, idno);

	if (p != NULL && p->bad)
		return 0;    /* errors elsewhere (this pass or the first): not looked at */
	if (idno != NULL && !bad) {
		if (p == NULL || p->staff == 0) {
			char *msg = xasprintf("身份证件号 %s 不在〈%s〉表中；请先在〈%s〉表填写此人", idno,
			    m->ps->v[SC_LABEL], m->ps->v[SC_LABEL]);

			cell_finding(m, IMPORT_ERROR, row, 1, msg);
			free(msg);
			bad = 1;
		} else if (!str_eq(p->name, pname)) {
			char *msg = xasprintf("姓名“%s”与〈%s〉表中此身份证件号的姓名“%s”不一致",
			    pname ? pname : "", m->ps->v[SC_LABEL], p->name ? p->name : "");

			cell_finding(m, IMPORT_ERROR, row, 2, msg);
			free(msg);
			bad = 1;
		} else if (!s->many && any && p->seq > 0) {
			cell_finding(m, IMPORT_ERROR, row, 1, "此人在本表只能有一行");
			bad = 1;
		}
	}
	if (idno == NULL && !bad) {
		cell_finding(m, IMPORT_ERROR, row, 1, "身份证件号不能为空");
		bad = 1;
	}
	if (bad) {
		mark_bad(m, idno);
		return 0;
	}
	if (!any || p == NULL)
		return 0;    /* only the keys: no record */
	/* seq counted here: the person's earlier records were deleted with the
	 * sheet, so the file's order is the order. */
	p->seq++;
	fill_row(m, val, p->staff, p->fresh);
	m->bval[m->nb] = val;
	m->bperson[m->nb] = p;
	m->bseq[m->nb] = p->seq;
	m->brow[m->nb++] = row;
	if (m->nb == m->batch)
		flush_records(m);
	return 1;
}

static int
on_row(void *arg, unsigned row, const struct xlsx_cell *cell, size_t n)
{
	struct imp *m = arg;
	char **val, *msg, *note;
	const char *idno = NULL;
	size_t k = 0;
	int bad = 0, any = 0;

	if (m->fatal)
		return 1;
	if ((int)row < m->l->header_rows)
		return 0;
	if ((int)row == m->l->header_rows) {
		m->header_ok = 1;
		if (!check_header(m, row, cell, n))
			m->fatal = 1;
		return m->fatal;
	}
	if (!m->header_ok) {
		finding(m, 0, "工作表 〈%s〉 第 %d 行：没有表头，不是本模板的工作表", m->sheet, m->l->header_rows);
		m->fatal = 1;
		return 1;
	}
	if (row_empty(cell, n))
		return 0;
	if (m->nskip > 0 && n > 0 && cell[0].col == 1 && in_skip(m, cell[0].text))
		return 0;      /* a person with errors in the first pass: left as they were */
	val = xcalloc(m->ncol, sizeof *val);
	for (unsigned c = 1; c <= m->ncol; c++) {
		while (k < n && cell[k].col < c)
			k++;
		if (k < n && cell[k].col == c && !m->col[c - 1].derived) {
			if (cell_value(m, &m->col[c - 1], &cell[k], &val[c - 1], &msg, &note) != 0) {
				if (c == 1 && cell[k].type == XT_STRING)
					idno = cell[k].text;
				cell_finding(m, IMPORT_ERROR, row, c, msg);
				free(msg);
				bad = 1;
			}
			if (note != NULL) {
				cell_finding(m, IMPORT_NOTE, row, c, note);
				free(note);
			}
		}
		if (c > 2 && val[c - 1] != NULL)
			any = 1;
	}
	for (; k < n; k++)
		if (cell[k].col > m->ncol) {
			finding(m, 0, "工作表 〈%s〉 第 %u 行 第 %u 列：表头以外的列有内容“%s”", m->sheet, row,
			    cell[k].col, cell[k].text);
			bad = 1;
		}
	if (val[0] != NULL)
		idno = val[0];
	if (idno != NULL && in_skip(m, idno))
		;            /* skipped person (second pass) */
	else if (m->set == m->ps)
		person_row(m, row, idno, val[1], val, bad);
	else if (record_row(m, row, idno, val[1], val, bad, any))
		return m->fatal;     /* val waits in the batch */
	for (size_t c = 0; c < m->ncol; c++)
		free(val[c]);
	free(val);
	return m->fatal;
}

static void
sheet_progress(void *arg, unsigned long long done, unsigned long long total)
{
	struct imp *m = arg;

	(void)total;
	progress_report(m->o->pg, m->base + done, m->total);
}

/* Column list and parameters of the non-derived columns from column first
 * on: `, "A", "B"` and `, ?2, ?3`; returns the next parameter number. */
static int
value_columns(const struct imp *m, unsigned first, struct strbuf *cols, struct strbuf *params)
{
	int p = 2;

	for (unsigned c = first; c <= m->ncol; c++)
		if (!m->col[c - 1].derived) {
			strbuf_addf(cols, ", \"%s\"", m->col[c - 1].f->v[FC_NAME]);
			strbuf_addf(params, ", ?%d", p++);
		}
	return p;
}

static enum jzg_status
import_sheet(struct imp *m, struct xlsx_reader *r, const struct set_def *s, size_t k, char **cause)
{
	struct strbuf b = { 0 }, cols = { 0 }, params = { 0 };
	enum jzg_status rc;
	char *sql;
	int p;

	m->set = s;
	m->setno = k;
	m->sheet = layout_sheet_name(m->l, s, k);
	m->header_ok = 0;
	sheet_columns(m, s);
	if ((rc = entry_row_new(m->st, s, &m->row, cause)) != JZG_OK)
		goto out;
	for (size_t i = 0; i < m->npp; i++)
		m->pp[i].seq = 0;
	/* One INSERT per sheet, prepared once and reused for every row. */
	if (s == m->ps) {
		value_columns(m, 1, &cols, &params);
		strbuf_addf(&b, "INSERT INTO \"s_%s\"(staff_id%s) VALUES(?1%s)", s->v[SC_NAME], cols.s, params.s);
		rc = store_prepare(m->st, b.s, &m->ins, cause);
		b.len = 0;
		strbuf_addf(&b, "UPDATE \"s_%s\" SET ", s->v[SC_NAME]);
		p = 2;
		for (size_t c = 0; c < m->ncol; c++)
			if (!m->col[c].derived)
				strbuf_addf(&b, "%s\"%s\" = ?%d", p > 2 ? ", " : "", m->col[c].f->v[FC_NAME], p), p++;
		strbuf_adds(&b, " WHERE staff_id = ?1");
		if (rc == JZG_OK)
			rc = store_prepare(m->st, b.s, &m->upd, cause);
	} else {
		p = value_columns(m, 3, &cols, &params);
		m->nparam = p - 1 + (s->many ? 1 : 0);
		/* ≤ 64 rows and well under SQLite's 32766 parameters */
		m->batch = (size_t)(30000 / m->nparam) < 64 ? (size_t)(30000 / m->nparam) : 64;
		strbuf_addf(&b, "INSERT INTO \"s_%s\"(staff_id%s%s) VALUES", s->v[SC_NAME],
		    cols.s ? cols.s : "", s->many ? ", seq" : "");
		for (size_t i = 0; i < m->batch; i++) {
			strbuf_adds(&b, i ? ",(" : "(");
			for (int j = 1; j <= m->nparam; j++)
				strbuf_addf(&b, "%s?%zu", j > 1 ? "," : "", i * (size_t)m->nparam + (size_t)j);
			strbuf_addc(&b, ')');
			if (i == 0) {       /* the one-row statement for the tail */
				rc = store_prepare(m->st, b.s, &m->ins, cause);
				if (rc != JZG_OK)
					goto out;
			}
		}
		rc = store_prepare(m->st, b.s, &m->insb, cause);
		m->bval = xcalloc(m->batch, sizeof *m->bval);
		m->bperson = xcalloc(m->batch, sizeof *m->bperson);
		m->brow = xcalloc(m->batch, sizeof *m->brow);
		m->bseq = xcalloc(m->batch, sizeof *m->bseq);
		m->nb = 0;
		sql = xasprintf("DELETE FROM \"s_%s\" WHERE staff_id IN (SELECT staff_id FROM temp.imp_staff)",
		    s->v[SC_NAME]);
		if (rc == JZG_OK)
			rc = store_exec(m->st, sql, cause);
		free(sql);
	}
	if (rc != JZG_OK)
		goto out;
	rc = xlsx_read_sheet(r, m->sheet, on_row, m, &m->pg, cause);
	if (m->nb > 0)
		flush_records(m);
	m->base += xlsx_sheet_bytes(r, m->sheet);
	if (rc == JZG_OK && !m->header_ok && !m->fatal) {
		finding(m, 0, "工作表 〈%s〉 第 %d 行：没有表头，不是本模板的工作表", m->sheet, m->l->header_rows);
		m->fatal = 1;
	}
out:
	if (m->nb > 0) {
		m->fatal = 1;          /* not written: only frees the rows */
		flush_records(m);
	}
	sqlite3_finalize(m->ins);
	sqlite3_finalize(m->upd);
	sqlite3_finalize(m->insb);
	m->ins = m->upd = m->insb = NULL;
	free(m->bval);
	free(m->bperson);
	free(m->brow);
	free(m->bseq);
	m->bval = NULL;
	m->bperson = NULL;
	m->brow = m->bseq = NULL;
	strbuf_free(&b);
	strbuf_free(&cols);
	strbuf_free(&params);
	free(m->col);
	m->col = NULL;
	free(m->fv);
	m->fv = NULL;
	entry_row_free(m->row);
	m->row = NULL;
	free(m->sheet);
	m->sheet = NULL;
	return rc;
}

/* A finding of the rules engine, mapped back to the cell it came from.
 * Rows of people not in this file (the school's other staff) are not this
 * import's business and are passed over. */
static int
rules_finding(const struct finding *fd, void *arg)
{
	struct imp *m = arg;
	size_t k;
	unsigned row, col;
	struct iperson *p;
	char *sheet, *why;

	if (fd->tpl != m->tpl || fd->set < m->tpl->set || (k = (size_t)(fd->set - m->tpl->set)) >= m->tpl->nset)
		return 0;
	/* a required set without records (row 0, set-level completeness) has
	 * no row in the file to point at, and is no reason to refuse it: a
	 * school may bring its sets in several files.  check, the 完整率 and
	 * submit report it. */
	if (fd->row == 0)
		return 0;
	if ((row = map_row(m, k, fd->key)) == 0)
		return 0;
	sheet = layout_sheet_name(m->l, fd->set, k);
	col = field_column(m, fd->set, fd->field);
	why = fd->explained ? xasprintf("（已说明：%s）", fd->explained) : xstrdup("");
	if (col > 0)
		finding(m, fd->warning, "工作表 〈%s〉 第 %u 行 第 %u 列 〈%s〉：%s%s", sheet, row, col,
		    fd->field->v[FC_LABEL], fd->message, why);
	else
		finding(m, fd->warning, "工作表 〈%s〉 第 %u 行：%s%s", sheet, row, fd->message, why);
	if (!fd->warning && (p = person_by_staff(m, fd->staff_id)) != NULL)
		mark_bad(m, p->idno);
	free(why);
	free(sheet);
	return 0;
}

/* Every rule over the rows just written (issue 5: every imported row goes
 * through the rules engine), inside the import's transaction. */
static enum jzg_status
run_rules(struct imp *m, char **cause)
{
	struct rules_scope scope = { m->school, 0 };

	xqsort(m->map, m->nmap, sizeof *m->map, cmp_map);
	free(m->by_staff);
	m->by_staff = xcalloc(m->npp + 1, sizeof *m->by_staff);
	for (size_t i = 0; i < m->npp; i++)
		m->by_staff[i] = (uint32_t)i;
	sort_imp = m;
	xqsort(m->by_staff, m->npp, sizeof *m->by_staff, cmp_staff);
	sort_imp = NULL;
	return rules_check(m->rules, &scope, rules_finding, m, cause);
}

static void
imp_close(struct imp *m)
{
	sqlite3_finalize(m->find);
	sqlite3_finalize(m->mkstaff);
	sqlite3_finalize(m->remember);
	m->find = m->mkstaff = m->remember = NULL;
}

/* One pass over the file inside one transaction; commits when there are no
 * errors (or keep_good with only skipped people). */
static enum jzg_status
import_pass(struct imp *m, struct xlsx_reader *r, const char *sname, int *committed, char **cause)
{
	enum jzg_status rc;
	char *sql;
	int new_school = 0;

	*committed = 0;
	people_clear(m);
	if ((rc = store_exec(m->st, "BEGIN IMMEDIATE", cause)) != JZG_OK)
		return rc;
	rc = store_exec(m->st, "CREATE TEMP TABLE IF NOT EXISTS imp_staff(staff_id INTEGER PRIMARY KEY);"
	    "DELETE FROM temp.imp_staff", cause);
	if (rc == JZG_OK && m->school == 0) {
		/* A school new to this store: added from the file's name and meta
		 * (undone with the transaction when the file is refused). */
		rc = school_add(m->st, m->o->school ? m->o->school : "", sname, m->tpl->v[TC_NAME], &m->school, cause);
		new_school = 1;
	}
	if (rc == JZG_OK) {
		/* `+` keeps SQLite on the person_id index: without statistics it
		 * would otherwise walk every person of the school per row. */
		sql = xasprintf("SELECT t.id FROM staff t JOIN \"s_%s\" p ON p.staff_id = t.id "
		    "WHERE +t.school_id = ?1 AND p.\"%s\" = ?2 ORDER BY t.id LIMIT 1", m->ps->v[SC_NAME],
		    m->pid->v[FC_NAME]);
		rc = store_prepare(m->st, sql, &m->find, cause);
		free(sql);
	}
	if (rc == JZG_OK)
		rc = store_prepare(m->st, "INSERT INTO staff(school_id) VALUES(?1)", &m->mkstaff, cause);
	if (rc == JZG_OK)
		rc = store_prepare(m->st, "INSERT INTO temp.imp_staff(staff_id) VALUES(?1)", &m->remember, cause);
	/* The person sheet first: it creates the people the other sheets refer to. */
	for (size_t k = 0; rc == JZG_OK && !m->fatal && k < m->tpl->nset; k++)
		if (&m->tpl->set[k] == m->ps)
			rc = import_sheet(m, r, m->ps, k, cause);
	for (size_t k = 0; rc == JZG_OK && !m->fatal && k < m->tpl->nset; k++)
		if (&m->tpl->set[k] != m->ps)
			rc = import_sheet(m, r, &m->tpl->set[k], k, cause);
	imp_close(m);
	/* the entry path's last step, for every person imported at once */
	if (rc == JZG_OK && !m->fatal)
		rc = import_recalc(m->st, m->tpl, "temp.imp_staff", IMPORT_RECALC_SLICE, cause);
	if (rc == JZG_OK && !m->fatal)
		rc = run_rules(m, cause);
	if (rc == JZG_OK && m->dberr != NULL)
		rc = jzg_fail(cause, JZG_ERR_DB, "%s", m->dberr);
	if (rc != JZG_OK || m->fatal || m->errors > 0) {
		sqlite3_exec(m->st->db, "ROLLBACK", NULL, NULL, NULL);
		if (new_school)
			m->school = 0;
		return rc;
	}
	if ((rc = store_exec(m->st, "COMMIT", cause)) != JZG_OK) {
		sqlite3_exec(m->st->db, "ROLLBACK", NULL, NULL, NULL);
		if (new_school)
			m->school = 0;
		return rc;
	}
	*committed = 1;
	return JZG_OK;
}

/* 学校标识码_学校名称_模板名称.xlsx → its parts (caller frees). */
static int
split_name(const char *name, char **code, char **sname, char **title)
{
	const char *base = strrchr(name, '/'), *u1, *u2, *dot;

	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if ((u1 = strchr(base, '_')) == NULL || dot == NULL || (u2 = memrchr(u1 + 1, '_', (size_t)(dot - u1 - 1))) == NULL)
		return -1;
	*code = xstrndup(base, (size_t)(u1 - base));
	*sname = xstrndup(u1 + 1, (size_t)(u2 - u1 - 1));
	*title = xstrndup(u2 + 1, (size_t)(dot - u2 - 1));
	return 0;
}

/* A defined name holding a quoted constant: ="x" or "x". */
static char *
meta_value(struct xlsx_reader *r, const char *name)
{
	const char *v = xlsx_defined_name(r, name);
	size_t n;

	if (v == NULL)
		return NULL;
	if (*v == '=')
		v++;
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return xstrndup(v + 1, n - 2);
	return xstrdup(v);
}

static const char *
tpl_title(const struct defs *defs, const char *name)
{
	const struct template_def *t = defs_template(defs, name);

	return t ? t->v[TC_TITLE] : name;
}

static enum jzg_status
refuse(const struct import_opts *o, const char *name, struct import_result *res, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum jzg_status
refuse(const struct import_opts *o, const char *name, struct import_result *res, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (o->finding)
		o->finding(o->finding_arg, name, 0, text);
	free(text);
	if (res) {
		res->refused++;
		res->errors++;
	}
	return JZG_ERR_INVALID;
}

enum jzg_status
import_file(struct store *st, const char *path, const char *name, const struct import_opts *o,
    struct import_result *res, char **cause)
{
	struct imp m = { .st = st, .defs = st->defs, .o = o, .name = name, .rules = o->rules };
	struct xlsx_reader *r = NULL;
	char *code = NULL, *sname = NULL, *title = NULL, *mcode = NULL, *mtpl = NULL, *dbtpl = NULL;
	enum jzg_status rc;
	int committed = 0;
	struct import_opts o2 = *o;

	if (split_name(name, &code, &sname, &title) != 0) {
		rc = refuse(o, name, res, "文件名应为“学校标识码_学校名称_模板名称.xlsx”，请不要改名");
		goto out;
	}
	if ((rc = xlsx_open(path, o->max_part, &r, cause)) != JZG_OK)
		goto out;
	mcode = meta_value(r, XLSX_NAME_SCHOOL);
	mtpl = meta_value(r, XLSX_NAME_TEMPLATE);
	if (mcode == NULL || mtpl == NULL) {
		rc = refuse(o, name, res, "文件中没有学校和模板标识，不是 jzg 导出的模板；请用 jzg export 导出的模板填写");
		goto out;
	}
	if (strcmp(code, mcode) != 0) {
		rc = refuse(o, name, res, "文件名中的学校标识码 %s 与文件内记录的学校 %s 不一致：文件被改名或填错了学校的模板，拒绝导入",
		    code, mcode);
		goto out;
	}
	if ((m.tpl = defs_template(m.defs, mtpl)) == NULL) {
		rc = refuse(o, name, res, "文件的模板 %s 不在指标定义中", mtpl);
		goto out;
	}
	if (strcmp(title, m.tpl->v[TC_TITLE]) != 0) {
		rc = refuse(o, name, res, "文件名中的模板〈%s〉与文件内记录的模板〈%s〉不一致，拒绝导入", title,
		    m.tpl->v[TC_TITLE]);
		goto out;
	}
	if (o->school != NULL && strcmp(o->school, code) != 0) {
		rc = refuse(o, name, res, "文件属于学校 %s（%s），不是指定的学校 %s，拒绝导入", code, sname, o->school);
		goto out;
	}
	if ((rc = school_find(st, code, &m.school, cause)) != JZG_OK)
		goto out;
	if (m.school != 0) {
		sqlite3_stmt *q;

		if ((rc = store_prepare(st, "SELECT template, name FROM school WHERE id = ?", &q, cause)) != JZG_OK)
			goto out;
		sqlite3_bind_int64(q, 1, m.school);
		if (sqlite3_step(q) == SQLITE_ROW)
			dbtpl = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
		if (!str_eq(dbtpl, mtpl)) {
			rc = refuse(o, name, res, "文件是〈%s〉，而学校 %s 在本数据文件中用的是〈%s〉，模板不能混用，拒绝导入",
			    m.tpl->v[TC_TITLE], code, tpl_title(m.defs, dbtpl));
			goto out;
		}
	}
	if ((rc = layout_get(m.defs, mtpl, &m.l, cause)) != JZG_OK)
		goto out;
	m.ps = template_person_set(m.defs, m.tpl);
	m.pid = m.ps ? set_field(m.ps, m.defs->setting[SK_PERSON_ID]) : NULL;
	m.pname = m.ps ? set_field(m.ps, m.defs->setting[SK_PERSON_NAME]) : NULL;
	if (m.pid == NULL || m.pname == NULL) {
		rc = jzg_fail(cause, JZG_ERR_DEFS, "模板 %s 缺少人员信息集或身份证件号、姓名指标", mtpl);
		goto out;
	}
	for (size_t k = 0; k < m.tpl->nset; k++) {
		char *sh = layout_sheet_name(m.l, &m.tpl->set[k], k);
		int found = 0;

		for (size_t i = 0; i < xlsx_nsheet(r); i++)
			found |= strcmp(xlsx_sheet(r, i, NULL), sh) == 0;
		if (!found)
			finding(&m, 0, "缺少工作表 〈%s〉；模板的工作表不能删除或改名", sh);
		else
			m.total += xlsx_sheet_bytes(r, sh);
		free(sh);
	}
	if (m.errors > 0) {
		rc = JZG_ERR_INVALID;
		if (res) { res->refused++; res->errors += m.errors; }
		goto out;
	}
	if (m.rules == NULL && (m.rules = rules_new(st, cause)) == NULL) {
		rc = JZG_ERR_DEFS;
		goto out;
	}
	m.pg.fn = sheet_progress;
	m.pg.arg = &m;
	o2.school = code;
	m.o = &o2;
	rc = import_pass(&m, r, sname, &committed, cause);
	if (rc == JZG_OK && !committed && o->keep_good && !m.fatal) {
		/* Second pass without the people who had errors. */
		long errs = m.errors, warns = m.warnings, notes = m.notes;

		xqsort(m.bad, m.nbad, sizeof *m.bad, cmp_str);
		m.skip = m.bad;
		m.nskip = m.nbad;
		m.bad = NULL;
		m.nbad = m.capbad = 0;
		m.errors = m.warnings = m.persons = m.records = 0;
		m.base = 0;
		m.quiet_warn = 1;     /* reported by the first pass */
		rc = import_pass(&m, r, sname, &committed, cause);
		m.errors += errs;
		m.warnings = warns;
		m.notes = notes;
	}
	if (res) {
		if (committed) {
			res->files++;
			res->persons += m.persons;
			res->records += m.records;
			res->skipped += (long)m.nskip;
		} else
			res->refused++;
		res->errors += m.errors;
		res->notes += m.notes;
		res->warnings += m.warnings;
	}
	if (rc == JZG_OK && (!committed || m.errors > 0))
		rc = JZG_ERR_INVALID;
out:
	for (size_t i = 0; i < m.nbad; i++)
		free(m.bad[i]);
	free(m.bad);
	for (size_t i = 0; i < m.nskip; i++)
		free(m.skip[i]);
	free(m.skip);
	free(m.dberr);
	people_clear(&m);
	layout_free(m.l);
	if (m.rules != o->rules)
		rules_free(m.rules);
	xlsx_close(r);
	free(code); free(sname); free(title); free(mcode); free(mtpl); free(dbtpl);
	return rc;
}

/* ------------------------------------------------------- dirs and zips */

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcasecmp(s + n - k, suf) == 0;
}

static enum jzg_status
worst(enum jzg_status a, enum jzg_status b)
{
	if (a == JZG_OK)
		return b;
	if (a == JZG_ERR_INVALID && b != JZG_OK)
		return b;
	return a;
}

static enum jzg_status
import_zip(struct store *st, const char *path, const struct import_opts *o, struct import_result *res,
    char **cause)
{
	unzFile z = unzOpen64(path);
	enum jzg_status all = JZG_OK;
	unsigned long long cap = o->max_part ? o->max_part : XLSX_MAX_PART_DEFAULT;
	char *work = NULL;
	int k;

	if (z == NULL)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 不是 ZIP 文件，或文件已损坏", path);
	/* each workbook is taken out under $TMPDIR (outfile.h), read, removed */
	if ((all = outfile_tmpdir("import", &work, cause)) != JZG_OK) {
		unzClose(z);
		return all;
	}
	for (k = unzGoToFirstFile(z); k == UNZ_OK; k = unzGoToNextFile(z)) {
		unz_file_info64 info;
		char entry[1024], *tmp;
		const char *base;
		char *buf, *c2 = NULL;
		int fd, n;
		unsigned long long total = 0;
		enum jzg_status rc = JZG_OK;

		if (unzGetCurrentFileInfo64(z, &info, entry, sizeof entry, NULL, 0, NULL, 0) != UNZ_OK)
			break;
		base = strrchr(entry, '/');
		base = base ? base + 1 : entry;
		if (!has_suffix(base, ".xlsx") || base[0] == '.')
			continue;
		if (info.uncompressed_size > cap) {
			all = worst(all, refuse(o, base, res, "解压后超过 %llu MB，拒绝读取", cap >> 20));
			continue;
		}
		tmp = xasprintf("%s/book.xlsx", work);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
			all = jzg_fail(cause, JZG_ERR_IO, "无法创建临时文件：%s", strerror(errno));
			free(tmp);
			break;
		}
		if (unzOpenCurrentFile(z) != UNZ_OK) {
			close(fd);
			unlink(tmp);
			free(tmp);
			all = worst(all, jzg_fail(cause, JZG_ERR_FORMAT, "%s 已损坏（无法解压 %s）", path, entry));
			continue;
		}
		buf = xmalloc(1 << 16);
		while ((n = unzReadCurrentFile(z, buf, 1 << 16)) > 0) {
			total += (unsigned)n;
			if (total > cap || write(fd, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
		}
		free(buf);
		if (unzCloseCurrentFile(z) != UNZ_OK)
			n = -1;
		close(fd);
		if (n < 0)
			rc = refuse(o, base, res, "在 %s 中已损坏或过大，无法解压", path);
		else
			rc = import_file(st, tmp, base, o, res, &c2);
		unlink(tmp);
		free(tmp);
		if (rc != JZG_OK && rc != JZG_ERR_INVALID) {
			if (o->finding)
				o->finding(o->finding_arg, base, 0, c2 ? c2 : jzg_strstatus(rc));
			if (res)
				res->refused++;
			rc = JZG_ERR_INVALID;
		}
		free(c2);
		all = worst(all, rc);
	}
	unzClose(z);
	outfile_rmtree(work);
	free(work);
	return all;
}

static enum jzg_status
import_dir(struct store *st, const char *path, const struct import_opts *o, struct import_result *res,
    char **cause)
{
	struct dirent **ent;
	int n = scandir(path, &ent, NULL, alphasort);
	enum jzg_status all = JZG_OK;

	if (n < 0)
		return jzg_fail(cause, JZG_ERR_IO, "无法读取目录 %s：%s", path, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *nm = ent[i]->d_name;

		if (nm[0] != '.' && (has_suffix(nm, ".xlsx") || has_suffix(nm, ".zip"))) {
			char *full = xasprintf("%s/%s", path, nm), *c2 = NULL;
			enum jzg_status rc = import_path(st, full, o, res, &c2);

			if (rc != JZG_OK && rc != JZG_ERR_INVALID) {
				if (o->finding)
					o->finding(o->finding_arg, nm, 0, c2 ? c2 : jzg_strstatus(rc));
				if (res)
					res->refused++;
				rc = JZG_ERR_INVALID;
			}
			free(c2);
			free(full);
			all = worst(all, rc);
		}
		free(ent[i]);
	}
	free(ent);
	(void)cause;
	return all;
}

enum jzg_status
import_path(struct store *st, const char *path, const struct import_opts *o, struct import_result *res,
    char **cause)
{
	struct stat sb;
	struct import_opts o2;
	enum jzg_status rc;

	if (stat(path, &sb) != 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到 %s", path);
	if (o->rules == NULL) {
		/* Compiled once for every file of a directory or ZIP. */
		o2 = *o;
		if ((o2.rules = rules_new(st, cause)) == NULL)
			return JZG_ERR_DEFS;
		rc = import_path(st, path, &o2, res, cause);
		rules_free(o2.rules);
		return rc;
	}
	if (S_ISDIR(sb.st_mode))
		return import_dir(st, path, o, res, cause);
	if (has_suffix(path, ".zip"))
		return import_zip(st, path, o, res, cause);
	if (has_suffix(path, ".xlsx")) {
		const char *base = strrchr(path, '/');

		return import_file(st, path, base ? base + 1 : path, o, res, cause);
	}
	return jzg_fail(cause, JZG_ERR_USAGE, "%s 不是 .xlsx 或 .zip 文件", path);
}
