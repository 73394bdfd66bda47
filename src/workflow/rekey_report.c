/* rekey_report.c — see rekey_report.h. */
#include "rekey_report.h"

#include <stdlib.h>
#include <string.h>

#include "board_report.h"
#include "rekey.h"
#include "util.h"

/* The statements of the tables, over rekey_field f of the scope's people
 * (?1: a school id, 0 for all).  Columns: name, code, fields, diffs,
 * errors, people, verified. */
#define SCOPE " FROM rekey_field f JOIN staff s ON s.id = f.staff_id WHERE (?1 = 0 OR s.school_id = ?1)"
static const char *const table_sql[RT__COUNT] = {
	[RT_KEYER] = "SELECT ifnull(f.keyer, '（未记名）'), NULL, count(*), sum(f.decision <> 'same'), "
	    "sum(" REKEY_KEYER_WRONG "), 0, 0" SCOPE " GROUP BY f.keyer ORDER BY f.keyer",
	[RT_VERIFIER] = "SELECT CASE WHEN f.source = 'verify' THEN ifnull(f.verifier, '（未记名）') "
	    "ELSE '比对 ' || substr(f.source, 9) END, NULL, count(*), sum(f.decision <> 'same'), "
	    "sum(" REKEY_VERIFIER_WRONG "), 0, 0" SCOPE " GROUP BY 1 ORDER BY 1",
	[RT_FIELD] = "SELECT f.set_name, f.field, count(*), sum(f.decision <> 'same'), sum(" REKEY_KEYER_WRONG
	    ") AS e, 0, 0" SCOPE " GROUP BY f.set_name, f.field HAVING e > 0 ORDER BY e DESC, f.set_name, f.field LIMIT 20",
	[RT_SET] = "SELECT f.set_name, NULL, count(*), sum(f.decision <> 'same'), sum(" REKEY_KEYER_WRONG
	    ") AS e, 0, 0" SCOPE " GROUP BY f.set_name HAVING e > 0 ORDER BY e DESC, f.set_name",
	[RT_SCHOOL] = "SELECT sc.name, sc.code, (SELECT count(*) FROM rekey_field f JOIN staff s ON s.id = f.staff_id "
	    "WHERE s.school_id = sc.id), (SELECT ifnull(sum(f.decision <> 'same'), 0) FROM rekey_field f JOIN staff s "
	    "ON s.id = f.staff_id WHERE s.school_id = sc.id), (SELECT ifnull(sum(" REKEY_KEYER_WRONG "), 0) "
	    "FROM rekey_field f JOIN staff s ON s.id = f.staff_id WHERE s.school_id = sc.id), "
	    "(SELECT count(*) FROM staff WHERE school_id = sc.id), (SELECT count(*) FROM rekey r JOIN staff s "
	    "ON s.id = r.staff_id WHERE s.school_id = sc.id AND r.verified IS NOT NULL) "
	    "FROM school sc WHERE (?1 = 0 OR sc.id = ?1) ORDER BY sc.code",
};

static const char *const table_title[RT__COUNT] = {
	"录入员", "核对人", "差错集中的指标", "差错集中的信息集", "学校",
};

/* "基本信息 出生地" from stored names (the definitions' labels). */
static char *
label_of(const struct defs *d, const char *set, const char *field)
{
	const struct set_def *s = defs_set(d->all, d->nall, set);
	const struct field_def *f = s && field ? set_field(s, field) : NULL;

	if (field == NULL)
		return xstrdup(s ? s->v[SC_LABEL] : set);
	return xasprintf("%s %s", s ? s->v[SC_LABEL] : set, f ? f->v[FC_LABEL] : field);
}

enum jzg_status
rekey_report_load(struct store *st, sqlite3_int64 school_id, struct rekey_report *r, char **cause)
{
	memset(r, 0, sizeof *r);
	for (int t = 0; t < RT__COUNT; t++) {
		sqlite3_stmt *q;
		enum jzg_status rc = store_prepare(st, table_sql[t], &q, cause);
		int k;

		if (rc != JZG_OK) {
			rekey_report_free(r);
			return rc;
		}
		sqlite3_bind_int64(q, 1, school_id);
		while ((k = sqlite3_step(q)) == SQLITE_ROW) {
			struct rekey_line *l;
			const char *a = (const char *)sqlite3_column_text(q, 0), *b = (const char *)sqlite3_column_text(q, 1);

			r->line[t] = xreallocarray(r->line[t], r->n[t] + 1, sizeof *r->line[t]);
			l = &r->line[t][r->n[t]++];
			memset(l, 0, sizeof *l);
			if (t == RT_FIELD || t == RT_SET)
				l->name = label_of(st->defs, a, b);
			else {
				l->name = xstrdup(a);
				l->code = xstrdup(b);
			}
			l->fields = sqlite3_column_int(q, 2);
			l->diffs = sqlite3_column_int(q, 3);
			l->errors = sqlite3_column_int(q, 4);
			l->people = sqlite3_column_int(q, 5);
			l->verified = sqlite3_column_int(q, 6);
		}
		sqlite3_finalize(q);
		if (k != SQLITE_DONE) {
			rekey_report_free(r);
			return jzg_fail(cause, JZG_ERR_DB, "读取核对结果失败：%s", store_errstr(k));
		}
	}
	return JZG_OK;
}

void
rekey_report_free(struct rekey_report *r)
{
	for (int t = 0; t < RT__COUNT; t++) {
		for (size_t i = 0; i < r->n[t]; i++) {
			free(r->line[t][i].name);
			free(r->line[t][i].code);
		}
		free(r->line[t]);
	}
	memset(r, 0, sizeof *r);
}

double
rekey_rate(const struct rekey_line *l)
{
	return l->fields > 0 ? l->errors * 1000.0 / l->fields : -1;
}

static void
pct_text(char *buf, size_t n, int a, int b)
{
	if (b <= 0)
		snprintf(buf, n, "—");
	else
		snprintf(buf, n, "%.1f%%", 100.0 * a / b);
}

/* The columns after the name: what each table's lines have. */
static const char *
head_of(int t)
{
	return t == RT_SCHOOL ? "学校标识码\t学校\t教职工\t已核对人数\t核对率\t核对项数\t不一致\t录入差错\t差错率（每千项）" :
	    t == RT_FIELD || t == RT_SET ? "\t核对项数\t不一致\t录入差错\t差错率（每千项）" :
	    "\t核对项数\t不一致\t判错\t差错率（每千项）";
}

void
rekey_report_tsv(FILE *out, const struct rekey_report *r)
{
	for (int t = 0; t < RT__COUNT; t++) {
		fprintf(out, "%s%s%s\n", t ? "\n" : "", t == RT_SCHOOL ? "" : table_title[t], head_of(t));
		for (size_t i = 0; i < r->n[t]; i++) {
			const struct rekey_line *l = &r->line[t][i];
			char rate[32], pct[32];

			board_permille(rate, sizeof rate, rekey_rate(l));
			if (t == RT_SCHOOL) {
				pct_text(pct, sizeof pct, l->verified, l->people);
				fprintf(out, "%s\t%s\t%d\t%d\t%s\t", l->code, l->name, l->people, l->verified, pct);
			} else
				fprintf(out, "%s\t", l->name);
			fprintf(out, "%d\t%d\t%d\t%s\n", l->fields, l->diffs, l->errors, rate);
		}
	}
}

void
rekey_report_text(FILE *out, const struct rekey_report *r)
{
	static const char *const section[RT__COUNT] = {
		"一、录入员（差错：第一次录入被判为错）", "二、核对人（差错：第二次录入被判为错）",
		"三、差错集中的指标（录入差错，最多 20 项）", "四、差错集中的信息集（录入差错）", "五、各校核对进度",
	};

	for (int t = 0; t < RT__COUNT; t++) {
		fprintf(out, "%s%s\n", t ? "\n" : "", section[t]);
		if (r->n[t] == 0) {
			fputs(t == RT_FIELD || t == RT_SET ? "  （没有录入差错）\n" : "  （还没有核对结果）\n", out);
			continue;
		}
		if (t == RT_SCHOOL)
			fputs("  学校标识码  学校名称                  教职工 已核对  核对率 核对项数 不一致 录入差错 差错率‰\n", out);
		else {
			fputs("  ", out);
			board_pad(out, t == RT_FIELD ? "指标" : t == RT_SET ? "信息集" : table_title[t], 34);
			fprintf(out, "核对项数 不一致 %s 差错率‰\n", t == RT_FIELD || t == RT_SET ? "录入差错" : "    判错");
		}
		for (size_t i = 0; i < r->n[t]; i++) {
			const struct rekey_line *l = &r->line[t][i];
			char rate[32], pct[32];

			board_permille(rate, sizeof rate, rekey_rate(l));
			fputs("  ", out);
			if (t == RT_SCHOOL) {
				pct_text(pct, sizeof pct, l->verified, l->people);
				board_pad(out, l->code, 12);
				board_pad(out, l->name, 24);
				fprintf(out, "%6d %6d %7s ", l->people, l->verified, pct);
			} else
				board_pad(out, l->name, 34);
			fprintf(out, "%8d %6d %8d %7s\n", l->fields, l->diffs, l->errors, rate);
		}
	}
}

enum jzg_status
rekey_report_xlsx(const char *path, const struct rekey_report *r, char **cause)
{
	char *tmp, *work;
	lxw_workbook *wb = board_xlsx_open(path, &tmp, &work, cause);
	lxw_format *bold;

	if (wb == NULL)
		return JZG_ERR_IO;
	{
		lxw_doc_properties p = { .title = "二次录入核对差错率", .author = "jzg", .created = 0 };

		workbook_set_properties(wb, &p);
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_bg_color(bold, 0xDDEBF7);
	for (int t = 0; t < RT__COUNT; t++) {
		lxw_worksheet *ws = workbook_add_worksheet(wb, t == RT_FIELD ? "指标" : t == RT_SET ? "信息集" : table_title[t]);
		char *head = xasprintf("%s%s", t == RT_SCHOOL ? "" : table_title[t], head_of(t)), *save = NULL;
		int c = 0;

		for (char *h = strtok_r(head, "\t", &save); h; h = strtok_r(NULL, "\t", &save))
			worksheet_write_string(ws, 0, (lxw_col_t)c++, h, bold);
		free(head);
		worksheet_set_column(ws, 0, 1, 24, NULL);
		for (size_t i = 0; i < r->n[t]; i++) {
			const struct rekey_line *l = &r->line[t][i];
			lxw_row_t y = (lxw_row_t)(i + 1);
			double rate = rekey_rate(l);

			c = 0;
			if (t == RT_SCHOOL) {
				worksheet_write_string(ws, y, (lxw_col_t)c++, l->code, NULL);
				worksheet_write_string(ws, y, (lxw_col_t)c++, l->name, NULL);
				worksheet_write_number(ws, y, (lxw_col_t)c++, l->people, NULL);
				worksheet_write_number(ws, y, (lxw_col_t)c++, l->verified, NULL);
				if (l->people > 0)
					worksheet_write_number(ws, y, (lxw_col_t)c, (double)l->verified / l->people, NULL);
				c++;
			} else
				worksheet_write_string(ws, y, (lxw_col_t)c++, l->name, NULL);
			worksheet_write_number(ws, y, (lxw_col_t)c++, l->fields, NULL);
			worksheet_write_number(ws, y, (lxw_col_t)c++, l->diffs, NULL);
			worksheet_write_number(ws, y, (lxw_col_t)c++, l->errors, NULL);
			if (rate >= 0)
				worksheet_write_number(ws, y, (lxw_col_t)c, rate, NULL);
		}
	}
	return board_xlsx_close(wb, tmp, work, path, cause);
}
