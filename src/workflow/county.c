/* county.c — see county.h. */
#include "county.h"

#include <stdlib.h>
#include <string.h>

#include "rekey.h"
#include "signature.h"
#include "util.h"

static const char *const sort_label[BOARD_SORT__COUNT] = {
	"未录入在前、录入率从低到高", "按学校标识码", "按录入率", "按完整率",
};

const char *board_sort_label(enum board_sort s) { return sort_label[s]; }

/* One grouped query over staff and the cache; the school list is small, so
 * rates and sorting are done in C. */
static const char board_sql[] =
	"SELECT sc.id, sc.code, sc.name, sc.template, ifnull(sc.expected_staff, 0),"
	" count(sf.id), ifnull(sum(sf.created >= date(?1, '-6 days')), 0),"
	" count(cc.staff_id), ifnull(sum(cc.errors = 0 AND cc.warnings = 0), 0),"
	" ifnull(sum(sf.state = 'submitted'), 0), ifnull(sum(sf.state = 'approved'), 0),"
	" ifnull(sum(sf.state = 'signed'), 0), ifnull(sum(cc.sig = 2), 0),"
	" ifnull(sum((SELECT verified IS NOT NULL FROM rekey WHERE rekey.staff_id = sf.id)), 0),"
	" (SELECT count(*) FROM rekey_field f JOIN staff s2 ON s2.id = f.staff_id WHERE s2.school_id = sc.id),"
	" (SELECT ifnull(sum(" REKEY_KEYER_WRONG "), 0) FROM rekey_field f JOIN staff s2 ON s2.id = f.staff_id"
	"  WHERE s2.school_id = sc.id)"
	" FROM school sc LEFT JOIN staff sf ON sf.school_id = sc.id"
	" LEFT JOIN check_cache cc ON cc.staff_id = sf.id GROUP BY sc.id";

static void
rates(struct board_row *r)
{
	r->entry_rate = r->expected > 0 ? (double)r->entered / r->expected : -1;
	r->done_rate = r->entered > 0 ? (double)r->complete / r->entered : -1;
	r->update_rate = -1;   /* changes_board fills it: the board itself never compares */
	r->verify_rate = r->entered > 0 ? (double)r->verified / r->entered : -1;
	r->error_rate = r->rekey_fields > 0 ? r->rekey_errors * 1000.0 / r->rekey_fields : -1;
}

static int
cmp_notice(const void *a, const void *b)
{
	const struct board_row *x = a, *y = b;

	if ((x->entered == 0) != (y->entered == 0))
		return x->entered == 0 ? -1 : 1;
	if (x->entry_rate != y->entry_rate)
		return x->entry_rate < y->entry_rate ? -1 : 1;
	return strcmp(x->code, y->code);
}

static int
cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct board_row *)a)->code, ((const struct board_row *)b)->code);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct board_row *x = a, *y = b;

	if (x->entry_rate != y->entry_rate)
		return x->entry_rate < y->entry_rate ? -1 : 1;
	return strcmp(x->code, y->code);
}

static int
cmp_done(const void *a, const void *b)
{
	const struct board_row *x = a, *y = b;

	if (x->done_rate != y->done_rate)
		return x->done_rate < y->done_rate ? -1 : 1;
	return strcmp(x->code, y->code);
}

void
board_sort_rows(struct board_row *rows, size_t n, enum board_sort sort)
{
	static int (*const cmp[BOARD_SORT__COUNT])(const void *, const void *) = {
		cmp_notice, cmp_code, cmp_entry, cmp_done,
	};

	xqsort(rows, n, sizeof *rows, cmp[sort]);
}

enum jzg_status
county_board(struct store *st, enum board_sort sort, struct board_row **rows, size_t *n,
    struct board_row *total, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	size_t cap = 0;
	char today[11];
	int r;

	*rows = NULL;
	*n = 0;
	if ((rc = store_prepare(st, board_sql, &q, cause)) != JZG_OK)
		return rc;
	sqlfn_today(today);
	sqlite3_bind_text(q, 1, today, -1, SQLITE_TRANSIENT);
	if (total != NULL) {
		memset(total, 0, sizeof *total);
		total->code = xstrdup("合计");
		total->name = xstrdup("全部学校");
	}
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct board_row *b;

		if (*n == cap)
			*rows = xreallocarray(*rows, cap = cap ? 2 * cap : 64, sizeof **rows);
		b = &(*rows)[(*n)++];
		b->school_id = sqlite3_column_int64(q, 0);
		b->code = xstrdup((const char *)sqlite3_column_text(q, 1));
		b->name = xstrdup((const char *)sqlite3_column_text(q, 2));
		b->template = xstrdup((const char *)sqlite3_column_text(q, 3));
		b->expected = sqlite3_column_int(q, 4);
		b->entered = sqlite3_column_int(q, 5);
		b->new_week = sqlite3_column_int(q, 6);
		b->checked = sqlite3_column_int(q, 7);
		b->complete = sqlite3_column_int(q, 8);
		b->submitted = sqlite3_column_int(q, 9);
		b->approved = sqlite3_column_int(q, 10);
		b->signed_ = sqlite3_column_int(q, 11);
		b->stale = sqlite3_column_int(q, 12);
		b->verified = sqlite3_column_int(q, 13);
		b->rekey_fields = sqlite3_column_int(q, 14);
		b->rekey_errors = sqlite3_column_int(q, 15);
		rates(b);
		if (total != NULL) {
			total->expected += b->expected;
			total->entered += b->entered;
			total->new_week += b->new_week;
			total->checked += b->checked;
			total->complete += b->complete;
			total->submitted += b->submitted;
			total->approved += b->approved;
			total->signed_ += b->signed_;
			total->stale += b->stale;
			total->verified += b->verified;
			total->rekey_fields += b->rekey_fields;
			total->rekey_errors += b->rekey_errors;
		}
	}
	sqlite3_finalize(q);
	if (r != SQLITE_DONE) {
		board_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		if (total != NULL)
			board_row_clear(total);
		return jzg_fail(cause, JZG_ERR_DB, "读取进度失败：%s", store_errstr(r));
	}
	if (total != NULL)
		rates(total);
	board_sort_rows(*rows, *n, sort);
	return JZG_OK;
}

void
board_row_clear(struct board_row *r)
{
	free(r->code);
	free(r->name);
	free(r->template);
	r->code = r->name = r->template = NULL;
}

void
board_free(struct board_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		board_row_clear(&rows[i]);
	free(rows);
}

/* ------------------------------------------------------------ refresh */

struct tally {
	sqlite3_int64 id;
	int           errors, warnings;
};

struct tallies {
	struct tally *t;
	size_t        n;
};

static int
cmp_tally(const void *a, const void *b)
{
	sqlite3_int64 x = ((const struct tally *)a)->id, y = ((const struct tally *)b)->id;

	return x < y ? -1 : x > y;
}

static int
tally_cb(const struct finding *f, void *arg)
{
	struct tallies *ts = arg;
	struct tally key = { .id = f->staff_id }, *t;

	t = bsearch(&key, ts->t, ts->n, sizeof *ts->t, cmp_tally);
	if (t == NULL)
		return 0;
	if (!f->warning)
		t->errors++;
	else if (f->explained == NULL)
		t->warnings++;
	return 0;
}

enum jzg_status
county_refresh_school(struct store *st, struct rules *r, sqlite3_int64 school_id, char **cause)
{
	struct tallies ts = { 0 };
	struct rules_scope scope = { school_id, 0 };
	sqlite3_stmt *q, *ins;
	enum jzg_status rc;
	size_t cap = 0;

	/* Everyone of the school (the rules run over the whole school in one
	 * pass anyway); ordered by id for the binary search. */
	if ((rc = store_prepare(st, "SELECT id FROM staff WHERE school_id = ?1 ORDER BY id", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, school_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (ts.n == cap)
			ts.t = xreallocarray(ts.t, cap = cap ? 2 * cap : 256, sizeof *ts.t);
		ts.t[ts.n++] = (struct tally){ .id = sqlite3_column_int64(q, 0) };
	}
	sqlite3_finalize(q);
	if ((rc = rules_check(r, &scope, tally_cb, &ts, cause)) != JZG_OK) {
		free(ts.t);
		return rc;
	}
	if ((rc = store_prepare(st, "INSERT OR REPLACE INTO check_cache VALUES(?1, ?2, ?3, ?4)", &ins,
	    cause)) != JZG_OK ||
	    (rc = store_prepare(st, "SELECT 1 FROM signature WHERE staff_id = ?1 LIMIT 1", &q, cause)) != JZG_OK) {
		free(ts.t);
		return rc;
	}
	rc = store_exec(st, "SAVEPOINT refresh", cause);
	for (size_t i = 0; i < ts.n && rc == JZG_OK; i++) {
		enum signature_state sig = SIGNATURE_NONE;

		sqlite3_bind_int64(q, 1, ts.t[i].id);
		if (sqlite3_step(q) == SQLITE_ROW)
			rc = signature_state(st, ts.t[i].id, &sig, cause);
		sqlite3_reset(q);
		sqlite3_bind_int64(ins, 1, ts.t[i].id);
		sqlite3_bind_int(ins, 2, ts.t[i].errors);
		sqlite3_bind_int(ins, 3, ts.t[i].warnings);
		sqlite3_bind_int(ins, 4, (int)sig);
		if (sqlite3_step(ins) != SQLITE_DONE && rc == JZG_OK)
			rc = jzg_fail(cause, JZG_ERR_DB, "无法保存检查结果：%s", sqlite3_errmsg(st->db));
		sqlite3_reset(ins);
	}
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	free(ts.t);
	if (rc == JZG_OK)
		return store_exec(st, "RELEASE refresh", cause);
	sqlite3_exec(st->db, "ROLLBACK TO refresh; RELEASE refresh", NULL, NULL, NULL);
	return rc;
}

enum jzg_status
county_next_stale(struct store *st, sqlite3_int64 *school_id, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, "SELECT sf.school_id FROM staff sf LEFT JOIN check_cache cc "
	    "ON cc.staff_id = sf.id WHERE cc.staff_id IS NULL LIMIT 1", &q, cause);

	*school_id = 0;
	if (rc != JZG_OK)
		return rc;
	if (sqlite3_step(q) == SQLITE_ROW)
		*school_id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return JZG_OK;
}

enum jzg_status
county_set_expected(struct store *st, const char *code, int n, char **cause)
{
	/* the change and its audit row together (a savepoint: inside the
	 * client's transaction or on its own from the command line) */
	static const char *const sql[] = {
		"INSERT INTO audit(actor,path,set_name,row_id,op,field,old,new) SELECT audit_who(), audit_path(), "
		"'school', id, 'update', 'expected_staff', expected_staff, ?2 FROM school "
		"WHERE code = ?1 AND expected_staff IS NOT ?2",
		"UPDATE school SET expected_staff = ?2, updated = datetime('now','localtime') WHERE code = ?1",
	};
	enum jzg_status rc = JZG_OK;

	if (sqlite3_exec(st->db, "SAVEPOINT set_expected", NULL, NULL, NULL) != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "无法保存应有人数：%s", sqlite3_errmsg(st->db));
	for (size_t k = 0; k < sizeof sql / sizeof sql[0] && rc == JZG_OK; k++) {
		sqlite3_stmt *q;

		if ((rc = store_prepare(st, sql[k], &q, cause)) != JZG_OK)
			break;
		sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
		if (n > 0)
			sqlite3_bind_int(q, 2, n);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "无法保存应有人数：%s", sqlite3_errmsg(st->db));
		else if (k == 1 && sqlite3_changes(st->db) == 0)
			rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有学校标识码为 %s 的学校", code);
		sqlite3_finalize(q);
	}
	if (rc != JZG_OK)
		sqlite3_exec(st->db, "ROLLBACK TO set_expected", NULL, NULL, NULL);
	sqlite3_exec(st->db, "RELEASE set_expected", NULL, NULL, NULL);
	return rc;
}
