/* import.c — see import.h. */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <minizip/unzip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expr.h"
#include "layout.h"
#include "school.h"
#include "util.h"
#include "xlsx_export.h"
#include "xlsx_read.h"

struct icol {
	const struct field_def *f;
	int                     derived;  /* readonly with calculate: recomputed, not read */
};

/* One import pass over one file. */
struct imp {
	struct store              *st;
	const struct defs         *defs;
	const struct template_def *tpl;
	const struct layout       *l;
	const struct set_def      *ps;
	const struct field_def    *pid, *pname;
	const struct import_opts  *o;
	const char                *name;      /* file name shown */
	sqlite3_int64              school;
	int                        report;    /* report findings (pass 1) */
	/* current sheet */
	const struct set_def      *set;
	char                      *sheet;
	struct icol               *col;
	size_t                     ncol;
	int                        header_ok;
	sqlite3_stmt              *ins, *find, *mkstaff, *mkperson, *lookup, *remember;
	/* people with errors (sorted when searched), from an earlier pass */
	char                     **bad;
	size_t                     nbad, capbad;
	int                        bad_sorted;
	char                     **skip;      /* the bad list of the previous pass: skipped quietly */
	size_t                     nskip;
	long                       persons, records, errors, warnings;
	int                        fatal;     /* header or database problem: the whole file is refused */
	char                      *dberr;
	unsigned long long         base, total;
	struct progress            pg;
};

static void
finding(struct imp *m, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
finding(struct imp *m, int warning, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (warning)
		m->warnings++;
	else
		m->errors++;
	if (!m->report || m->o->finding == NULL)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	m->o->finding(m->o->finding_arg, m->name, warning, text);
	free(text);
}

static void
cell_finding(struct imp *m, unsigned row, unsigned col, const char *msg)
{
	const char *label = col >= 1 && col <= m->ncol ? m->col[col - 1].f->v[FC_LABEL] : "";

	finding(m, 0, "工作表 〈%s〉 第 %u 行 第 %u 列 〈%s〉：%s", m->sheet, row, col, label, msg);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
mark_bad(struct imp *m, const char *idno)
{
	if (str_empty(idno))
		return;
	if (m->nbad == m->capbad) {
		m->capbad = m->capbad ? m->capbad * 2 : 16;
		m->bad = xreallocarray(m->bad, m->capbad, sizeof *m->bad);
	}
	m->bad[m->nbad++] = xstrdup(idno);
	m->bad_sorted = 0;
}

static int
in_bad(const struct imp *m, const char *idno)
{
	for (size_t i = 0; idno != NULL && i < m->nbad; i++)
		if (strcmp(m->bad[i], idno) == 0)
			return 1;
	return 0;
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

/* ------------------------------------------------------------ one sheet */

static void
sheet_columns(struct imp *m, const struct set_def *s)
{
	m->col = xcalloc(s->nfield + 2, sizeof *m->col);
	m->ncol = 0;
	m->col[m->ncol++].f = m->pid;
	m->col[m->ncol++].f = m->pname;
	for (size_t j = 0; j < s->nfield; j++) {
		const struct field_def *f = &s->field[j];

		if (s == m->ps && (str_eq(f->v[FC_NAME], m->pid->v[FC_NAME]) ||
		    str_eq(f->v[FC_NAME], m->pname->v[FC_NAME])))
			continue;
		m->col[m->ncol].f = f;
		m->col[m->ncol++].derived = f->readonly && f->v[FC_CALCULATE] != NULL;
	}
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

			cell_finding(m, row, c, msg);
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

/* The stored value of one cell, or an error message. */
static int
cell_value(struct imp *m, const struct icol *c, const struct xlsx_cell *cell, char **val, char **msg)
{
	const struct field_def *f = c->f;
	char buf[32];
	const char *text = cell->text;

	*val = NULL;
	*msg = NULL;
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
		if (f->type == FT_DATE || f->type == FT_MONTH) {
			char d[11];

			if (layout_serial_date(strtod(text, NULL), d) != 0) {
				*msg = xasprintf("“%s”不是日期", text);
				return -1;
			}
			if (f->type == FT_MONTH)
				d[7] = '\0';
			*val = xstrdup(d);
			return 0;
		}
		if (f->type == FT_INTEGER || f->type == FT_YEAR || f->table != NULL || f->type == FT_TEXT) {
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
	return layout_parse_cell(m->l, f, text, val, msg);
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
	sqlite3_bind_text(m->find, 2, idno, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(m->find) == SQLITE_ROW)
		id = sqlite3_column_int64(m->find, 0);
	return id;
}

static int
on_row(void *arg, unsigned row, const struct xlsx_cell *cell, size_t n)
{
	struct imp *m = arg;
	char **val, *msg;
	const char *idno = NULL, *pname = NULL;
	size_t k = 0;
	int bad = 0, any = 0;
	sqlite3_int64 staff = 0;
	const struct set_def *s = m->set;

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
			if (cell_value(m, &m->col[c - 1], &cell[k], &val[c - 1], &msg) != 0) {
				if (c == 1 && cell[k].type == XT_STRING)
					idno = cell[k].text;
				cell_finding(m, row, c, msg);
				free(msg);
				bad = 1;
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
	pname = val[1];
	if (idno != NULL && (in_skip(m, idno) || (s != m->ps && in_bad(m, idno)))) {
		/* This person's row on the person sheet had errors (this pass or
		 * the first): the rest of their rows are not looked at. */
		goto done;
	}
	if (idno == NULL && !bad) {
		cell_finding(m, row, 1, "身份证件号不能为空");
		bad = 1;
	}
	if (s == m->ps) {
		for (unsigned c = 2; c <= m->ncol; c++) {
			const struct field_def *f = m->col[c - 1].f;

			if (val[c - 1] == NULL && f->required == REQ_YES && f->v[FC_RELEVANT] == NULL &&
			    !f->readonly && !(k < n && 0)) {
				int present = 0;

				for (size_t j = 0; j < n; j++)
					present |= cell[j].col == c;
				if (!present) {
					cell_finding(m, row, c, "必填，不能为空");
					bad = 1;
				}
			}
		}
		if (!bad) {
			sqlite3_reset(m->lookup);
			sqlite3_bind_text(m->lookup, 1, idno, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(m->lookup) == SQLITE_ROW) {
				char *msg2 = xasprintf("身份证件号 %s 与本表第 %lld 行重复", idno,
				    (long long)sqlite3_column_int64(m->lookup, 2));

				cell_finding(m, row, 1, msg2);
				free(msg2);
				bad = 1;
			}
		}
		if (bad) {
			mark_bad(m, idno);
			goto done;
		}
		if ((staff = person_staff(m, idno)) == 0) {
			sqlite3_reset(m->mkstaff);
			sqlite3_bind_int64(m->mkstaff, 1, m->school);
			if (sqlite3_step(m->mkstaff) != SQLITE_DONE) {
				db_fail(m, "添加人员");
				goto done;
			}
			staff = sqlite3_last_insert_rowid(m->st->db);
			sqlite3_reset(m->mkperson);
			sqlite3_bind_int64(m->mkperson, 1, staff);
			if (sqlite3_step(m->mkperson) != SQLITE_DONE) {
				db_fail(m, "添加人员");
				goto done;
			}
		}
		sqlite3_reset(m->ins);
		sqlite3_clear_bindings(m->ins);
		sqlite3_bind_int64(m->ins, 1, staff);
		for (unsigned c = 1, p = 2; c <= m->ncol; c++)
			if (!m->col[c - 1].derived && val[c - 1] != NULL)
				sqlite3_bind_text(m->ins, (int)p++, val[c - 1], -1, SQLITE_STATIC);
			else if (!m->col[c - 1].derived)
				p++;
		if (sqlite3_step(m->ins) != SQLITE_DONE) {
			db_fail(m, "保存人员");
			goto done;
		}
		sqlite3_reset(m->remember);
		sqlite3_bind_text(m->remember, 1, idno, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(m->remember, 2, staff);
		sqlite3_bind_text(m->remember, 3, pname, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(m->remember, 4, row);
		if (sqlite3_step(m->remember) != SQLITE_DONE)
			db_fail(m, "导入");
		m->persons++;
		goto done;
	}
	/* Another set: the person must be on the person sheet of this file. */
	if (idno != NULL && !bad) {
		sqlite3_reset(m->lookup);
		sqlite3_bind_text(m->lookup, 1, idno, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(m->lookup) != SQLITE_ROW) {
			char *msg2 = xasprintf("身份证件号 %s 不在〈%s〉表中；请先在〈%s〉表填写此人", idno,
			    m->ps->v[SC_LABEL], m->ps->v[SC_LABEL]);

			cell_finding(m, row, 1, msg2);
			free(msg2);
			bad = 1;
		} else {
			const char *known = (const char *)sqlite3_column_text(m->lookup, 1);

			staff = sqlite3_column_int64(m->lookup, 0);
			if (!str_eq(known, pname)) {
				char *msg2 = xasprintf("姓名“%s”与〈%s〉表中此身份证件号的姓名“%s”不一致",
				    pname ? pname : "", m->ps->v[SC_LABEL], known ? known : "");

				cell_finding(m, row, 2, msg2);
				free(msg2);
				bad = 1;
			}
		}
	}
	if (bad) {
		mark_bad(m, idno);
		goto done;
	}
	if (!any)
		goto done;           /* only the keys: no record */
	sqlite3_reset(m->ins);
	sqlite3_clear_bindings(m->ins);
	sqlite3_bind_int64(m->ins, 1, staff);
	for (unsigned c = 3, p = 2; c <= m->ncol; c++)
		if (!m->col[c - 1].derived) {
			if (val[c - 1] != NULL)
				sqlite3_bind_text(m->ins, (int)p, val[c - 1], -1, SQLITE_STATIC);
			p++;
		}
	if (sqlite3_step(m->ins) != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(m->st->db) & 0xff) == SQLITE_CONSTRAINT) {
			cell_finding(m, row, 1, "此人在本表只能有一行");
			mark_bad(m, idno);
		} else
			db_fail(m, "保存记录");
		goto done;
	}
	m->records++;
done:
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

static enum jzg_status
import_sheet(struct imp *m, struct xlsx_reader *r, const struct set_def *s, size_t k, char **cause)
{
	struct strbuf b = { 0 };
	enum jzg_status rc;
	char *sql;
	int p = 1;

	m->set = s;
	m->sheet = layout_sheet_name(m->l, s, k);
	m->header_ok = 0;
	sheet_columns(m, s);
	if (s == m->ps) {
		strbuf_addf(&b, "UPDATE \"s_%s\" SET ", s->v[SC_NAME]);
		for (size_t c = 0; c < m->ncol; c++)
			if (!m->col[c].derived)
				strbuf_addf(&b, "%s\"%s\" = ?%d", p > 1 ? ", " : "", m->col[c].f->v[FC_NAME], p + 1), p++;
		strbuf_adds(&b, " WHERE staff_id = ?1");
	} else {
		struct strbuf v = { 0 };

		strbuf_addf(&b, "INSERT INTO \"s_%s\"(staff_id", s->v[SC_NAME]);
		strbuf_adds(&v, "?1");
		if (s->many) {
			strbuf_adds(&b, ", seq");
			strbuf_addf(&v, ", (SELECT coalesce(max(seq), 0) + 1 FROM \"s_%s\" WHERE staff_id = ?1)",
			    s->v[SC_NAME]);
		}
		for (size_t c = 2; c < m->ncol; c++)
			if (!m->col[c].derived) {
				strbuf_addf(&b, ", \"%s\"", m->col[c].f->v[FC_NAME]);
				strbuf_addf(&v, ", ?%d", ++p);
			}
		strbuf_addf(&b, ") VALUES(%s)", v.s);
		strbuf_free(&v);
		sql = xasprintf("DELETE FROM \"s_%s\" WHERE staff_id IN (SELECT staff_id FROM temp.imp_staff)",
		    s->v[SC_NAME]);
		rc = store_exec(m->st, sql, cause);
		free(sql);
		if (rc != JZG_OK)
			goto out;
	}
	if ((rc = store_prepare(m->st, b.s, &m->ins, cause)) != JZG_OK)
		goto out;
	rc = xlsx_read_sheet(r, m->sheet, on_row, m, &m->pg, cause);
	m->base += xlsx_sheet_bytes(r, m->sheet);
	if (rc == JZG_OK && !m->header_ok && !m->fatal) {
		finding(m, 0, "工作表 〈%s〉 第 %d 行：没有表头，不是本模板的工作表", m->sheet, m->l->header_rows);
		m->fatal = 1;
	}
out:
	sqlite3_finalize(m->ins);
	m->ins = NULL;
	strbuf_free(&b);
	free(m->col);
	m->col = NULL;
	free(m->sheet);
	m->sheet = NULL;
	return rc;
}

/* Recompute the derived (引自) fields of the people imported, set by set. */
static enum jzg_status
recalc(struct imp *m, char **cause)
{
	enum jzg_status rc = JZG_OK;

	for (size_t k = 0; k < m->tpl->nset && rc == JZG_OK; k++) {
		const struct set_def *s = &m->tpl->set[k];

		for (size_t j = 0; j < s->nfield && rc == JZG_OK; j++) {
			const struct field_def *f = &s->field[j];
			char *expr, *sql;

			if (!f->readonly || f->v[FC_CALCULATE] == NULL)
				continue;
			if ((expr = expr_sql(f->v[FC_CALCULATE], s, NULL, EXPR_ROW, NULL, cause)) == NULL)
				return JZG_ERR_DEFS;
			sql = xasprintf("UPDATE \"s_%s\" AS cur SET \"%s\" = (%s) WHERE cur.staff_id IN "
			    "(SELECT staff_id FROM temp.imp_staff)", s->v[SC_NAME], f->v[FC_NAME], expr);
			rc = store_exec(m->st, sql, cause);
			free(sql);
			free(expr);
		}
	}
	return rc;
}

/* Findings of the rules hook: the sheet row is looked up from the key. */
static void
hook_report(void *ctx, const struct set_def *s, sqlite3_int64 key, const struct field_def *f,
    int warning, const char *message)
{
	struct imp *m = ctx;

	finding(m, warning, "工作表 〈%s〉 记录 %lld %s%s%s：%s", s->v[SC_LABEL], (long long)key,
	    f ? "〈" : "", f ? f->v[FC_LABEL] : "", f ? "〉" : "", message);
}

static void
imp_close(struct imp *m)
{
	sqlite3_finalize(m->find);
	sqlite3_finalize(m->mkstaff);
	sqlite3_finalize(m->mkperson);
	sqlite3_finalize(m->lookup);
	sqlite3_finalize(m->remember);
	m->find = m->mkstaff = m->mkperson = m->lookup = m->remember = NULL;
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
	if ((rc = store_exec(m->st, "BEGIN IMMEDIATE", cause)) != JZG_OK)
		return rc;
	rc = store_exec(m->st, "CREATE TEMP TABLE IF NOT EXISTS imp_staff(idno TEXT PRIMARY KEY, "
	    "staff_id INTEGER NOT NULL, name TEXT, row INTEGER); DELETE FROM temp.imp_staff", cause);
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
	if (rc == JZG_OK) {
		sql = xasprintf("INSERT INTO \"s_%s\"(staff_id) VALUES(?1)", m->ps->v[SC_NAME]);
		rc = store_prepare(m->st, sql, &m->mkperson, cause);
		free(sql);
	}
	if (rc == JZG_OK)
		rc = store_prepare(m->st, "SELECT staff_id, name, row FROM temp.imp_staff WHERE idno = ?1",
		    &m->lookup, cause);
	if (rc == JZG_OK)
		rc = store_prepare(m->st, "INSERT INTO temp.imp_staff(idno, staff_id, name, row) VALUES(?1, ?2, ?3, ?4)",
		    &m->remember, cause);
	/* The person sheet first: it creates the people the other sheets refer to. */
	for (size_t k = 0; rc == JZG_OK && !m->fatal && k < m->tpl->nset; k++)
		if (&m->tpl->set[k] == m->ps)
			rc = import_sheet(m, r, m->ps, k, cause);
	for (size_t k = 0; rc == JZG_OK && !m->fatal && k < m->tpl->nset; k++)
		if (&m->tpl->set[k] != m->ps)
			rc = import_sheet(m, r, &m->tpl->set[k], k, cause);
	if (rc == JZG_OK && !m->fatal)
		rc = recalc(m, cause);
	if (rc == JZG_OK && !m->fatal && m->o->check != NULL)
		rc = m->o->check(m->o->check_arg, m->st, m->school, hook_report, m, cause);
	imp_close(m);
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
	struct imp m = { .st = st, .defs = st->defs, .o = o, .name = name, .report = 1 };
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
	m.l = layout_of(m.defs, mtpl);
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
	m.pg.fn = sheet_progress;
	m.pg.arg = &m;
	o2.school = code;
	m.o = &o2;
	rc = import_pass(&m, r, sname, &committed, cause);
	if (rc == JZG_OK && !committed && o->keep_good && !m.fatal) {
		/* Second pass without the people who had errors. */
		long errs = m.errors, warns = m.warnings;

		qsort(m.bad, m.nbad, sizeof *m.bad, cmp_str);
		m.skip = m.bad;
		m.nskip = m.nbad;
		m.bad = NULL;
		m.nbad = m.capbad = 0;
		m.errors = m.warnings = m.persons = m.records = 0;
		m.base = 0;
		rc = import_pass(&m, r, sname, &committed, cause);
		m.errors += errs;
		m.warnings = warns;
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
	int k;

	if (z == NULL)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 不是 ZIP 文件，或文件已损坏", path);
	for (k = unzGoToFirstFile(z); k == UNZ_OK; k = unzGoToNextFile(z)) {
		unz_file_info64 info;
		char entry[1024], tmp[] = "/tmp/jzg_import_XXXXXX";
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
		if ((fd = mkstemp(tmp)) < 0) {
			unzClose(z);
			return jzg_fail(cause, JZG_ERR_IO, "无法创建临时文件：%s", strerror(errno));
		}
		if (unzOpenCurrentFile(z) != UNZ_OK) {
			close(fd);
			unlink(tmp);
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

	if (stat(path, &sb) != 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到 %s", path);
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
