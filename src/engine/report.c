/* report.c — see report.h.
 *
 * Findings arrive set by set across all persons; they are collected, then
 * sorted by school, person, set order, row and field so that a reader sees
 * one person's problems together.  A clean file collects nothing, so the
 * cost of the report is the cost of the rules. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "idcard.h"
#include "util.h"

#define TEXT_WIDTH 80

struct school_sum {
	sqlite3_int64              id;
	char                      *code, *name;
	const struct template_def *tpl;
	int                        staff, incomplete;
	int                        errors, warnings, explained;
	int                       *set_err, *set_warn, *set_expl;   /* by set index in tpl */
};

struct item {
	sqlite3_int64           staff_id, key;
	const struct set_def   *set;
	const struct field_def *field;
	const char             *rule;
	int                     set_index, field_index, warning, row;
	char                   *message, *explained;
	size_t                  school;      /* index in schools, after person look-up */
	char                   *name, *idmask;
};

struct report {
	struct store      *st;
	struct school_sum *sch;
	size_t             nsch;
	struct item       *it;
	size_t             nit, cap;
};

static int
collect(const struct finding *fd, void *arg)
{
	struct report *rp = arg;
	struct item *it;

	if (rp->nit == rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 64;
		rp->it = xreallocarray(rp->it, rp->cap, sizeof *rp->it);
	}
	it = &rp->it[rp->nit++];
	memset(it, 0, sizeof *it);
	it->staff_id = fd->staff_id;
	it->key = fd->key;
	it->set = fd->set;
	it->set_index = (int)(fd->set - fd->tpl->set);
	it->field = fd->field;
	it->field_index = fd->field ? (int)(fd->field - fd->set->field) : (int)fd->set->nfield;
	it->rule = fd->rule;
	it->warning = fd->warning;
	it->row = fd->row;
	it->message = xstrdup(fd->message);
	it->explained = xstrdup(fd->explained);
	return 0;
}

static int
cmp_person_order(const struct item *a, const struct item *b)
{
	if (a->staff_id != b->staff_id)
		return a->staff_id < b->staff_id ? -1 : 1;
	if (a->set_index != b->set_index)
		return a->set_index - b->set_index;
	if (a->row != b->row)
		return a->row - b->row;
	if (a->field_index != b->field_index)
		return a->field_index - b->field_index;
	return strcmp(a->rule, b->rule);
}

static int
cmp_staff(const void *pa, const void *pb)
{
	return cmp_person_order(pa, pb);
}

static int
cmp_school(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->school != b->school)
		return a->school < b->school ? -1 : 1;
	return cmp_person_order(a, b);
}

static enum jzg_status
load_schools(struct report *rp, const struct rules_scope *sc, char **cause)
{
	sqlite3_stmt *ps;
	enum jzg_status rc = store_prepare(rp->st, "SELECT school.id, school.code, school.name, school.template,"
	    " (SELECT count(*) FROM staff WHERE staff.school_id = school.id AND (?2 = 0 OR staff.id = ?2))"
	    " FROM school WHERE (?1 = 0 OR school.id = ?1)"
	    " AND (?2 = 0 OR school.id = (SELECT school_id FROM staff WHERE id = ?2)) ORDER BY school.code",
	    &ps, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(ps, 1, sc->school_id);
	sqlite3_bind_int64(ps, 2, sc->staff_id);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		struct school_sum *s;
		size_t n;

		rp->sch = xreallocarray(rp->sch, rp->nsch + 1, sizeof *rp->sch);
		s = &rp->sch[rp->nsch++];
		memset(s, 0, sizeof *s);
		s->id = sqlite3_column_int64(ps, 0);
		s->code = xstrdup((const char *)sqlite3_column_text(ps, 1));
		s->name = xstrdup((const char *)sqlite3_column_text(ps, 2));
		s->tpl = defs_template(rp->st->defs, (const char *)sqlite3_column_text(ps, 3));
		s->staff = sqlite3_column_int(ps, 4);
		n = s->tpl ? s->tpl->nset : 0;
		s->set_err = xcalloc(n + 1, sizeof *s->set_err);
		s->set_warn = xcalloc(n + 1, sizeof *s->set_warn);
		s->set_expl = xcalloc(n + 1, sizeof *s->set_expl);
	}
	sqlite3_finalize(ps);
	return JZG_OK;
}

/* Item it's school, name and masked ID number from the row ps of
 * load_persons' statement (staff id, school id, name, ID number). */
static void
person_fill(const struct report *rp, struct item *it, sqlite3_stmt *ps)
{
	sqlite3_int64 sid = sqlite3_column_int64(ps, 1);
	const char *name = (const char *)sqlite3_column_text(ps, 2);
	const char *id = (const char *)sqlite3_column_text(ps, 3);

	for (size_t k = 0; k < rp->nsch; k++)
		if (rp->sch[k].id == sid)
			it->school = k;
	it->name = xstrdup(name ? name : "（未填姓名）");
	it->idmask = id ? idcard_mask(id) : xstrdup("");
}

/* Name, masked ID number and school of every person with a finding (the
 * items sorted by staff id).  When many of the persons in the items' id
 * range have findings, one scan of the range in id order: a look-up per
 * person cost 9 µs each at 38,000 persons of a 100,000-staff file (0.34 s
 * after the check), the scan of all 100,000 0.08 s. */
static enum jzg_status
load_persons(struct report *rp, char **cause)
{
	const struct defs *defs = rp->st->defs;
	size_t persons = 0;
	sqlite3_int64 lo = rp->nit ? rp->it[0].staff_id : 0, hi = rp->nit ? rp->it[rp->nit - 1].staff_id : 0;
	int scan, on_row = 0;
	char *sql;
	sqlite3_stmt *ps;
	enum jzg_status rc;

	for (size_t i = 0; i < rp->nit; i++)
		persons += i == 0 || rp->it[i].staff_id != rp->it[i - 1].staff_id;
	scan = persons > 64 && (sqlite3_int64)persons * 8 > hi - lo + 1;
	sql = xasprintf("SELECT staff.id, staff.school_id, p.\"%s\", p.\"%s\" FROM staff LEFT JOIN \"s_%s\" AS p"
	    " ON p.staff_id = staff.id WHERE %s", defs->setting[SK_PERSON_NAME], defs->setting[SK_PERSON_ID],
	    defs->setting[SK_PERSON_SET], scan ? "staff.id BETWEEN ?1 AND ?2 ORDER BY staff.id" : "staff.id = ?1");
	rc = store_prepare(rp->st, sql, &ps, cause);
	free(sql);
	if (rc != JZG_OK)
		return rc;
	if (scan) {
		sqlite3_bind_int64(ps, 1, lo);
		sqlite3_bind_int64(ps, 2, hi);
		on_row = sqlite3_step(ps) == SQLITE_ROW;
	}
	for (size_t i = 0; i < rp->nit; i++) {
		struct item *it = &rp->it[i];

		if (i > 0 && it->staff_id == it[-1].staff_id) {
			it->school = it[-1].school;
			it->name = xstrdup(it[-1].name);
			it->idmask = xstrdup(it[-1].idmask);
			continue;
		}
		it->school = rp->nsch;
		if (scan) {
			/* rows and items both ascend by staff id */
			while (on_row && sqlite3_column_int64(ps, 0) < it->staff_id)
				on_row = sqlite3_step(ps) == SQLITE_ROW;
			if (on_row && sqlite3_column_int64(ps, 0) == it->staff_id)
				person_fill(rp, it, ps);
			continue;
		}
		sqlite3_bind_int64(ps, 1, it->staff_id);
		if (sqlite3_step(ps) == SQLITE_ROW)
			person_fill(rp, it, ps);
		sqlite3_reset(ps);
	}
	sqlite3_finalize(ps);
	return JZG_OK;
}

static void
tally(struct report *rp)
{
	for (size_t i = 0; i < rp->nit; i++) {
		struct item *it = &rp->it[i];
		struct school_sum *s;
		int counts = !it->warning || it->explained == NULL;

		if (it->school >= rp->nsch)
			continue;
		s = &rp->sch[it->school];
		if (it->warning) {
			s->warnings++;
			s->set_warn[it->set_index]++;
			if (it->explained) {
				s->explained++;
				s->set_expl[it->set_index]++;
			}
		} else {
			s->errors++;
			s->set_err[it->set_index]++;
		}
		/* items are grouped by person: count a person once, at their
		 * first finding that makes them incomplete */
		if (counts) {
			int seen = 0;

			for (size_t k = i; k > 0 && rp->it[k - 1].staff_id == it->staff_id; k--)
				if (!rp->it[k - 1].warning || rp->it[k - 1].explained == NULL)
					seen = 1;
			if (!seen)
				s->incomplete++;
		}
	}
}

static const char *
severity_label(const struct item *it)
{
	return it->warning ? "警告" : "错误";
}

/* ------------------------------------------------------------- text */

static int
char_width(const char *s, size_t *len)
{
	wchar_t wc;
	size_t k = utf8_decode(s, strlen(s), &wc);

	if (k == 0) {
		*len = 1;
		return 1;
	}
	*len = k;
	return wc >= 0x1100 && (wc <= 0x115F || (wc >= 0x2E80 && wc <= 0xA4CF) || (wc >= 0xAC00 && wc <= 0xD7A3) ||
	    (wc >= 0xF900 && wc <= 0xFAFF) || (wc >= 0xFE30 && wc <= 0xFE4F) || (wc >= 0xFF00 && wc <= 0xFF60) ||
	    (wc >= 0xFFE0 && wc <= 0xFFE6)) ? 2 : 1;
}

/* Print text starting at column col, wrapping at TEXT_WIDTH with a hanging
 * indent of indent columns; ends the line. */
static void
wrap(FILE *out, int col, int indent, const char *text)
{
	while (*text) {
		size_t k;
		int w = char_width(text, &k);

		if (col + w > TEXT_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		}
		fwrite(text, 1, k, out);
		col += w;
		text += k;
	}
	fputc('\n', out);
}

static void
text_rate(char *buf, size_t n, const struct school_sum *s)
{
	if (s->staff == 0)
		snprintf(buf, n, "—");
	else
		snprintf(buf, n, "%.1f%%", 100.0 * (s->staff - s->incomplete) / s->staff);
}

static void
write_text(struct report *rp, FILE *out)
{
	struct strbuf b = { 0 };
	size_t cur_school = (size_t)-1;
	sqlite3_int64 cur_staff = 0;
	int tot_staff = 0, tot_complete = 0, tot_err = 0, tot_warn = 0, tot_expl = 0;

	if (rp->nit == 0)
		fputs("未发现问题。\n", out);
	for (size_t i = 0; i < rp->nit; i++) {
		const struct item *it = &rp->it[i];

		if (it->school != cur_school) {
			const struct school_sum *s = it->school < rp->nsch ? &rp->sch[it->school] : NULL;

			fprintf(out, "%s%s %s\n", i ? "\n" : "", s ? s->code : "", s ? s->name : "（学校不明）");
			cur_school = it->school;
			cur_staff = 0;
		}
		if (it->staff_id != cur_staff) {
			fprintf(out, "  %s  %s\n", it->name, it->idmask);
			cur_staff = it->staff_id;
		}
		b.len = 0;
		strbuf_addf(&b, "%s%s", severity_label(it), it->warning && it->explained ? "（已说明）" : "");
		strbuf_addf(&b, " %s", it->set->v[SC_LABEL]);
		if (it->set->many && it->row > 0)
			strbuf_addf(&b, " 第%d条", it->row);
		if (it->field != NULL)
			strbuf_addf(&b, "·%s", it->field->v[FC_LABEL]);
		strbuf_addf(&b, "：%s", it->message);
		if (it->warning)
			strbuf_addf(&b, "〔%s〕", it->rule);
		fputs("    ", out);
		wrap(out, 4, 9, b.s);
		if (it->explained) {
			b.len = 0;
			strbuf_addf(&b, "说明：%s", it->explained);
			fputs("         ", out);
			wrap(out, 9, 9, b.s);
		}
	}
	fputs("\n汇总\n", out);
	for (size_t k = 0; k < rp->nsch; k++) {
		const struct school_sum *s = &rp->sch[k];
		char rate[16];

		text_rate(rate, sizeof rate, s);
		b.len = 0;
		strbuf_addf(&b, "%s %s：教职工 %d 人，完整 %d 人，完整率 %s", s->code, s->name, s->staff,
		    s->staff - s->incomplete, rate);
		fputs("  ", out);
		wrap(out, 2, 4, b.s);
		for (size_t j = 0; s->tpl && j < s->tpl->nset; j++) {
			if (s->set_err[j] == 0 && s->set_warn[j] == 0)
				continue;
			fprintf(out, "    %s：错误 %d 条，警告 %d 条", s->tpl->set[j].v[SC_LABEL], s->set_err[j], s->set_warn[j]);
			if (s->set_expl[j])
				fprintf(out, "（已说明 %d 条）", s->set_expl[j]);
			fputc('\n', out);
		}
		tot_staff += s->staff;
		tot_complete += s->staff - s->incomplete;
		tot_err += s->errors;
		tot_warn += s->warnings;
		tot_expl += s->explained;
	}
	b.len = 0;
	strbuf_addf(&b, "共 %zu 所学校，教职工 %d 人，完整 %d 人；错误 %d 条，警告 %d 条", rp->nsch, tot_staff,
	    tot_complete, tot_err, tot_warn);
	if (tot_expl)
		strbuf_addf(&b, "（已说明 %d 条）", tot_expl);
	wrap(out, 0, 2, b.s);
	strbuf_free(&b);
}

/* -------------------------------------------------------------- tsv */

/* A cell: tabs and line breaks would split it, so they become spaces. */
static void
tsv_cell(FILE *out, const char *s, int last)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, out);
	fputc(last ? '\n' : '\t', out);
}

static void
write_tsv(struct report *rp, FILE *out)
{
	char num[32];

	fputs("学校标识码\t学校名称\t姓名\t身份证件号\t信息集\t行\t指标\t严重程度\t规则\t问题\t说明\n", out);
	for (size_t i = 0; i < rp->nit; i++) {
		const struct item *it = &rp->it[i];
		const struct school_sum *s = it->school < rp->nsch ? &rp->sch[it->school] : NULL;

		tsv_cell(out, s ? s->code : "", 0);
		tsv_cell(out, s ? s->name : "", 0);
		tsv_cell(out, it->name, 0);
		tsv_cell(out, it->idmask, 0);
		tsv_cell(out, it->set->v[SC_LABEL], 0);
		snprintf(num, sizeof num, "%d", it->row);
		tsv_cell(out, it->row > 0 ? num : "", 0);   /* 0: the set has no record */
		tsv_cell(out, it->field ? it->field->v[FC_LABEL] : "", 0);
		tsv_cell(out, severity_label(it), 0);
		tsv_cell(out, it->rule, 0);
		tsv_cell(out, it->message, 0);
		tsv_cell(out, it->explained, 1);
	}
	fputs("\n学校标识码\t学校名称\t教职工\t完整\t完整率\t信息集\t错误\t警告\t已说明\n", out);
	for (size_t k = 0; k < rp->nsch; k++) {
		const struct school_sum *s = &rp->sch[k];
		char rate[16];

		text_rate(rate, sizeof rate, s);
		for (size_t j = 0; s->tpl && j <= s->tpl->nset; j++) {
			int total = j == s->tpl->nset;

			if (!total && s->set_err[j] == 0 && s->set_warn[j] == 0)
				continue;
			fprintf(out, "%s\t%s\t%d\t%d\t%s\t%s\t%d\t%d\t%d\n", s->code, s->name, s->staff,
			    s->staff - s->incomplete, rate, total ? "合计" : s->tpl->set[j].v[SC_LABEL],
			    total ? s->errors : s->set_err[j], total ? s->warnings : s->set_warn[j],
			    total ? s->explained : s->set_expl[j]);
		}
	}
}

/* ------------------------------------------------------------- json */

void
report_json_str(FILE *out, const char *s)
{
	if (s == NULL) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void
json_key(FILE *out, const char *k, const char *v, int comma)
{
	fprintf(out, "%s\"%s\": ", comma ? ", " : "", k);
	report_json_str(out, v);
}

static void
write_json(struct report *rp, FILE *out)
{
	fputs("{\"findings\": [", out);
	for (size_t i = 0; i < rp->nit; i++) {
		const struct item *it = &rp->it[i];
		const struct school_sum *s = it->school < rp->nsch ? &rp->sch[it->school] : NULL;

		fputs(i ? ",\n  {" : "\n  {", out);
		json_key(out, "school_code", s ? s->code : NULL, 0);
		json_key(out, "school_name", s ? s->name : NULL, 1);
		json_key(out, "name", it->name, 1);
		json_key(out, "id", it->idmask, 1);
		json_key(out, "set", it->set->v[SC_NAME], 1);
		json_key(out, "set_label", it->set->v[SC_LABEL], 1);
		fprintf(out, ", \"row\": %d", it->row);
		json_key(out, "field", it->field ? it->field->v[FC_NAME] : NULL, 1);
		json_key(out, "field_label", it->field ? it->field->v[FC_LABEL] : NULL, 1);
		json_key(out, "severity", it->warning ? "warning" : "error", 1);
		json_key(out, "severity_label", severity_label(it), 1);
		json_key(out, "rule", it->rule, 1);
		json_key(out, "message", it->message, 1);
		json_key(out, "explained", it->explained, 1);
		fputc('}', out);
	}
	fputs(rp->nit ? "\n],\n\"summary\": [" : "],\n\"summary\": [", out);
	for (size_t k = 0; k < rp->nsch; k++) {
		const struct school_sum *s = &rp->sch[k];
		int first = 1;

		fputs(k ? ",\n  {" : "\n  {", out);
		json_key(out, "school_code", s->code, 0);
		json_key(out, "school_name", s->name, 1);
		fprintf(out, ", \"staff\": %d, \"complete\": %d, \"rate\": ", s->staff, s->staff - s->incomplete);
		if (s->staff == 0)
			fputs("null", out);
		else
			fprintf(out, "%.1f", 100.0 * (s->staff - s->incomplete) / s->staff);
		fprintf(out, ", \"errors\": %d, \"warnings\": %d, \"explained\": %d, \"sets\": [", s->errors,
		    s->warnings, s->explained);
		for (size_t j = 0; s->tpl && j < s->tpl->nset; j++) {
			if (s->set_err[j] == 0 && s->set_warn[j] == 0)
				continue;
			fputs(first ? "{" : ", {", out);
			first = 0;
			json_key(out, "set", s->tpl->set[j].v[SC_NAME], 0);
			json_key(out, "label", s->tpl->set[j].v[SC_LABEL], 1);
			fprintf(out, ", \"errors\": %d, \"warnings\": %d, \"explained\": %d}", s->set_err[j],
			    s->set_warn[j], s->set_expl[j]);
		}
		fputs("]}", out);
	}
	fputs(rp->nsch ? "\n]}\n" : "]}\n", out);
}

/* ------------------------------------------------------------------ */

static void
report_free(struct report *rp)
{
	for (size_t i = 0; i < rp->nit; i++) {
		free(rp->it[i].message);
		free(rp->it[i].explained);
		free(rp->it[i].name);
		free(rp->it[i].idmask);
	}
	free(rp->it);
	for (size_t k = 0; k < rp->nsch; k++) {
		free(rp->sch[k].code);
		free(rp->sch[k].name);
		free(rp->sch[k].set_err);
		free(rp->sch[k].set_warn);
		free(rp->sch[k].set_expl);
	}
	free(rp->sch);
}

enum jzg_status
report_check(struct store *st, struct rules *r, const struct report_opts *o, FILE *out, int *found,
    char **cause)
{
	struct report rp = { .st = st };
	enum jzg_status rc;

	*found = 0;
	if ((rc = load_schools(&rp, &o->scope, cause)) == JZG_OK &&
	    (rc = rules_check(r, &o->scope, collect, &rp, cause)) == JZG_OK) {
		xqsort(rp.it, rp.nit, sizeof *rp.it, cmp_staff);
		rc = load_persons(&rp, cause);
	}
	if (rc == JZG_OK) {
		xqsort(rp.it, rp.nit, sizeof *rp.it, cmp_school);
		tally(&rp);
		for (size_t k = 0; k < rp.nsch; k++)
			if (rp.sch[k].incomplete > 0)
				*found = 1;
		switch (o->format) {
		case REPORT_TEXT: write_text(&rp, out); break;
		case REPORT_TSV:  write_tsv(&rp, out); break;
		case REPORT_JSON: write_json(&rp, out); break;
		}
	}
	report_free(&rp);
	return rc;
}
