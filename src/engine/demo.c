/* demo.c — see demo.h. */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "record.h"
#include "school.h"
#include "util.h"

#define DEMO_TRIES 12

struct dfield {
	const struct field_def *f;
	struct entry_expr       relevant, constraint, demo, def, choices;
};

struct dset {
	const struct set_def *s;
	struct dfield        *df;
	struct entry_row     *row;     /* the calculate fields, as the client derives them */
	sqlite3_stmt         *insert;
};

struct demo {
	struct store         *st;
	struct dset          *set;
	size_t                nset;
	char                **val;    /* current record's values, by field index */
	size_t                nval;
	char                  today[11];
};

/* Value of e over the current record (caller frees), or NULL. */
static char *
dexpr_value(struct demo *dm, const struct set_def *s, struct entry_expr *e, sqlite3_int64 staff)
{
	return entry_expr_value(e, s, dm->val, staff);
}

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's). */
static long
days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static long
parse_days(const char *s, long fallback)
{
	int y, m = 1, d = 1;

	if (s == NULL || sscanf(s, "%d-%d-%d", &y, &m, &d) < 1)
		return fallback;
	return days_from_civil(y, m, d);
}

/* A random valid value of f's type; caller frees. */
static char *
random_value(struct demo *dm, const struct set_def *s, struct dfield *df, sqlite3_int64 staff)
{
	const struct field_def *f = df->f;
	const struct fieldtype *ft = fieldtype_of(f);
	struct sqlfn_ctx *r = &dm->st->fn;
	char buf[64];

	if (ft->coded) {
		char **code = NULL;
		int *excl = NULL;
		size_t n = 0, cap = 0;
		char *out = NULL;

		entry_expr_bind(&df->choices, s, dm->val, staff);
		while (sqlite3_step(df->choices.stmt) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				code = xreallocarray(code, cap, sizeof *code);
				excl = xreallocarray(excl, cap, sizeof *excl);
			}
			code[n] = xstrdup((const char *)sqlite3_column_text(df->choices.stmt, 0));
			excl[n++] = sqlite3_column_int(df->choices.stmt, 1);
		}
		sqlite3_reset(df->choices.stmt);
		if (n > 0) {
			size_t a = sqlfn_rand(r, (uint32_t)n), b = sqlfn_rand(r, (uint32_t)n);

			if (ft->coded == 1 || excl[a] || n == 1)
				out = xstrdup(code[a]);
			else {
				/* two codes, none exclusive, in table order */
				for (size_t k = 0; k < n && (excl[b] || b == a); k++)
					b = (b + 1) % n;
				if (excl[b] || b == a)
					out = xstrdup(code[a]);
				else
					out = xasprintf("%s %s", code[a < b ? a : b], code[a < b ? b : a]);
			}
		}
		for (size_t i = 0; i < n; i++)
			free(code[i]);
		free(code);
		free(excl);
		return out;
	}
	if (ft->places >= 0) {
		/* the field's min/max, else the type's range (hi < 0: up to this year) */
		int year = atoi(dm->today);
		double lo = f->v[FC_MIN] ? atof(f->v[FC_MIN]) : ft->demo_lo;
		double hi = f->v[FC_MAX] ? atof(f->v[FC_MAX]) : ft->demo_hi < 0 ? year : ft->demo_hi;
		double span;

		if (ft->demo_hi < 0 && hi > year)
			hi = year;
		if (hi - lo > 10000)
			hi = lo + 10000;
		span = hi - lo;
		if (span < 0)
			span = 0;
		if (ft->places > 0) {
			double scale = 1;

			for (int i = 0; i < ft->places; i++)
				scale *= 10;
			snprintf(buf, sizeof buf, "%.*f", ft->places,
			    lo + sqlfn_rand(r, (uint32_t)(span * scale) + 1) / scale);
		} else
			snprintf(buf, sizeof buf, "%ld", (long)lo + (long)sqlfn_rand(r, (uint32_t)span + 1));
		return xstrdup(buf);
	}
	if (ft->pattern != NULL) {
		long today = parse_days(dm->today, 0);
		long lo = parse_days(f->v[FC_MIN], days_from_civil(1985, 1, 1));
		long hi = parse_days(f->v[FC_MAX], today);
		int y, m, d;

		if (hi > today)
			hi = today;
		if (hi < lo)
			hi = lo;
		civil_from_days(lo + (long)sqlfn_rand(r, (uint32_t)(hi - lo + 1)), &y, &m, &d);
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
		buf[strlen(ft->pattern)] = '\0';   /* a month: YYYY-MM */
		return xstrdup(buf);
	}
	return xstrdup("无");
}

static int
truthy(const char *v)
{
	return v != NULL && strtod(v, NULL) != 0;
}

/* Fill dm->val for one record of ds. */
static void
demo_record(struct demo *dm, struct dset *ds, sqlite3_int64 staff)
{
	const struct set_def *s = ds->s;

	for (size_t j = 0; j < s->nfield; j++) {
		struct dfield *df = &ds->df[j];
		const struct field_def *f = df->f;
		char *rel;

		free(dm->val[j]);
		dm->val[j] = NULL;
		if (f->readonly)
			continue;
		if (df->relevant.stmt != NULL) {
			rel = dexpr_value(dm, s, &df->relevant, staff);
			if (!truthy(rel)) {
				free(rel);
				continue;
			}
			free(rel);
		}
		for (int t = 0; t < DEMO_TRIES; t++) {
			char *v, *ok;

			if (df->demo.stmt != NULL)
				v = dexpr_value(dm, s, &df->demo, staff);
			else if (f->v[FC_CALCULATE] != NULL)
				v = entry_row_calc(ds->row, j, dm->val, staff);
			else if (df->def.stmt != NULL && t == 0 && sqlfn_rand(&dm->st->fn, 10) < 7)
				v = dexpr_value(dm, s, &df->def, staff);
			else if (f->v[FC_DEFAULT] != NULL && f->v[FC_DEFAULT][0] != '=' && t == 0 &&
			    sqlfn_rand(&dm->st->fn, 10) < 7)
				v = xstrdup(f->v[FC_DEFAULT]);
			else
				v = random_value(dm, s, df, staff);
			if (v != NULL && f->length > 0 && (int)utf8_chars(v) > f->length) {
				free(v);
				v = NULL;
			}
			free(dm->val[j]);
			dm->val[j] = v;
			if (df->constraint.stmt == NULL || v == NULL)
				break;
			ok = dexpr_value(dm, s, &df->constraint, staff);
			if (truthy(ok)) {
				free(ok);
				break;
			}
			free(ok);
		}
	}
}

static enum jzg_status
demo_insert(struct demo *dm, struct dset *ds, sqlite3_int64 staff, int seq, char **cause)
{
	const struct set_def *s = ds->s;
	int p = 1;

	sqlite3_reset(ds->insert);
	sqlite3_bind_int64(ds->insert, p++, staff);
	if (s->many)
		sqlite3_bind_int(ds->insert, p++, seq);
	for (size_t j = 0; j < s->nfield; j++)
		entry_bind_value(ds->insert, p++, &s->field[j], dm->val[j]);
	if (sqlite3_step(ds->insert) != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "写入 %s 失败：%s", s->v[SC_LABEL], store_errstr(sqlite3_errcode(dm->st->db)));
	return JZG_OK;
}

static enum jzg_status
demo_prepare(struct demo *dm, const struct template_def *tpl, char **cause)
{
	enum jzg_status rc = JZG_OK;

	dm->nset = tpl->nset;
	dm->set = xcalloc(tpl->nset ? tpl->nset : 1, sizeof *dm->set);
	for (size_t i = 0; i < tpl->nset && rc == JZG_OK; i++) {
		struct dset *ds = &dm->set[i];
		const struct set_def *s = &tpl->set[i];
		struct strbuf cols = { 0 }, vals = { 0 };
		char *sql;

		ds->s = s;
		ds->df = xcalloc(s->nfield ? s->nfield : 1, sizeof *ds->df);
		if (s->nfield > dm->nval) {
			dm->val = xreallocarray(dm->val, s->nfield, sizeof *dm->val);
			memset(dm->val + dm->nval, 0, (s->nfield - dm->nval) * sizeof *dm->val);
			dm->nval = s->nfield;
		}
		strbuf_adds(&cols, s->many ? "staff_id, seq" : "staff_id");
		strbuf_adds(&vals, s->many ? "?, ?" : "?");
		for (size_t j = 0; j < s->nfield && rc == JZG_OK; j++) {
			struct dfield *df = &ds->df[j];
			const struct field_def *f = &s->field[j];
			const char *def = f->v[FC_DEFAULT];

			df->f = f;
			strbuf_addf(&cols, ", \"%s\"", f->v[FC_NAME]);
			strbuf_adds(&vals, ", ?");
			if ((rc = entry_expr_compile(dm->st, s, f->v[FC_RELEVANT], NULL, NULL, &df->relevant, cause)) ||
			    (rc = entry_expr_compile(dm->st, s, f->v[FC_CONSTRAINT], f->v[FC_NAME], NULL, &df->constraint, cause)) ||
			    (rc = entry_expr_compile(dm->st, s, f->v[FC_DEMO], NULL, NULL, &df->demo, cause)) ||
			    (rc = entry_expr_compile(dm->st, s, def && def[0] == '=' ? def + 1 : NULL, NULL, NULL, &df->def, cause)))
				break;
			if (f->table != NULL) {
				char *wrap = xasprintf("SELECT code, excl FROM temp.code WHERE tbl = '%s' AND pick AND NOT obsolete AND (%%s) ORDER BY ord",
				    f->table_id);

				rc = entry_expr_compile(dm->st, s, f->v[FC_CHOICE_FILTER], NULL, wrap, &df->choices, cause);
				free(wrap);
			}
		}
		if (rc == JZG_OK)
			rc = entry_row_new(dm->st, s, &ds->row, cause);
		if (rc == JZG_OK) {
			sql = xasprintf("INSERT INTO \"s_%s\"(%s) VALUES(%s)", s->v[SC_NAME], cols.s, vals.s);
			rc = store_prepare(dm->st, sql, &ds->insert, cause);
			free(sql);
		}
		strbuf_free(&cols);
		strbuf_free(&vals);
	}
	return rc;
}

static void
demo_free(struct demo *dm)
{
	for (size_t i = 0; i < dm->nset; i++) {
		struct dset *ds = &dm->set[i];

		for (size_t j = 0; ds->df && j < ds->s->nfield; j++) {
			entry_expr_free(&ds->df[j].relevant);
			entry_expr_free(&ds->df[j].constraint);
			entry_expr_free(&ds->df[j].demo);
			entry_expr_free(&ds->df[j].def);
			entry_expr_free(&ds->df[j].choices);
		}
		free(ds->df);
		entry_row_free(ds->row);
		sqlite3_finalize(ds->insert);
	}
	free(dm->set);
	for (size_t i = 0; i < dm->nval; i++)
		free(dm->val[i]);
	free(dm->val);
}

enum jzg_status
demo_fill(struct store *st, sqlite3_int64 school_id, int n, uint64_t seed, char **cause)
{
	return demo_fill_progress(st, school_id, n, seed, NULL, cause);
}

enum jzg_status
demo_fill_progress(struct store *st, sqlite3_int64 school_id, int n, uint64_t seed,
    const struct progress *prog, char **cause)
{
	struct demo dm = { .st = st };
	const struct template_def *tpl;
	sqlite3_stmt *q, *ins = NULL;
	char *tname = NULL;
	enum jzg_status rc;

	rc = store_prepare(st, "SELECT template FROM school WHERE id = ?", &q, cause);
	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, school_id);
	if (sqlite3_step(q) == SQLITE_ROW)
		tname = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (tname == NULL || (tpl = defs_template(st->defs, tname)) == NULL) {
		rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "学校不存在或模板 “%s” 未定义", tname ? tname : "");
		free(tname);
		return rc;
	}
	free(tname);
	st->fn.rng = seed ^ ((uint64_t)school_id << 32);
	sqlfn_today(dm.today);
	if ((rc = demo_prepare(&dm, tpl, cause)) == JZG_OK)
		rc = store_prepare(st, "INSERT INTO staff(school_id) VALUES(?)", &ins, cause);
	for (int k = 0; k < n && rc == JZG_OK; k++) {
		sqlite3_int64 staff;

		if (k % 500 == 0 && (rc = store_exec(st, "BEGIN", cause)) != JZG_OK)
			break;
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, school_id);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = jzg_fail(cause, JZG_ERR_DB, "添加人员失败：%s", store_errstr(sqlite3_errcode(st->db)));
			break;
		}
		staff = sqlite3_last_insert_rowid(st->db);
		for (size_t i = 0; i < dm.nset && rc == JZG_OK; i++) {
			struct dset *ds = &dm.set[i];
			int nrec = ds->s->many ? 1 + (int)sqlfn_rand(&st->fn, 2) : 1;

			for (int r = 0; r < nrec && rc == JZG_OK; r++) {
				demo_record(&dm, ds, staff);
				rc = demo_insert(&dm, ds, staff, r + 1, cause);
			}
		}
		if (rc == JZG_OK)
			rc = record_recalc(st, tpl, staff, cause);
		if (rc == JZG_OK && (k % 500 == 499 || k == n - 1))
			rc = store_exec(st, "COMMIT", cause);
		progress_report(prog, (unsigned long long)k + 1, (unsigned long long)n);
	}
	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(ins);
	demo_free(&dm);
	return rc;
}
