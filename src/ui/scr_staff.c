/* scr_staff.c — the staff list of one school: pages through the database
 * (never loads all staff), search by 姓名 / pinyin initials / 身份证件号 /
 * 教职工号, filter by check result, sort, add and delete people.  Which
 * fields are 姓名, 身份证件号 and 教职工号 comes from forms/settings.tsv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "idcard.h"
#include "baseline.h"
#include "lp.h"
#include "paths.h"
#include "prior.h"
#include "sheet.h"
#include "signature.h"
#include "sqlfn.h"
#include "record.h"
#include "rules.h"
#include "ui.h"
#include "ui_workflow.h"
#include "workflow.h"
#include "util.h"

/* The person's mark for double-entry verification (rekey_state). */
#define REKEY_COL "(CASE WHEN EXISTS (SELECT 1 FROM rekey_open o WHERE o.staff_id = staff.id) THEN 3 " \
	"ELSE (SELECT 1 + (verified IS NOT NULL) FROM rekey WHERE rekey.staff_id = staff.id) END)"

enum staff_filter { SF_ALL, SF_PROBLEM, SF_COMPLETE, SF_CHANGED, SF__COUNT };
enum staff_sort { SO_ENTRY, SO_NAME, SO_ID, SO__COUNT };

static const char *const filter_label[SF__COUNT] = { "全部", "有问题", "已完整", "有变化" };
static const char *const sort_label[SO__COUNT] = { "录入顺序", "姓名", "身份证件号" };

struct row {
	sqlite3_int64 id;
	char         *name, *idno, *no, *state;
	int           errors, warnings, checked;
	int           sign;       /* enum signature_state, -1 = not yet known */
	int           rekey;      /* rekey_state: 0 not marked, 1 to verify, 2 verified, 3 to decide (compare) */
};

struct staff {
	sqlite3_int64              school_id;
	char                      *school_code, *school_name;
	const struct template_def *tpl;
	const struct set_def      *ps;        /* person set */
	char                      *query;     /* search, or NULL */
	enum staff_filter          filter;
	enum staff_sort            sort;
	/* sorted staff ids the filter picks (有问题, 有变化) or leaves out (已完整) */
	sqlite3_int64             *problem;
	size_t                     nproblem;
	char                      *baseline;       /* its label when the school has last year's data: 有变化 offered */
	int                        linked;         /* last year's people linked again (baseline_link) */
	long                       added, gone;    /* 有变化: people new this year, last year's no longer here */
	sqlite3_int64              opened;         /* the person opened last (Enter) */
	int                        total;     /* rows matching */
	int                        recount;   /* total must be counted again */
	int                        counted_at;/* sqlite3_total_changes when last counted */
	int                        top, sel;  /* absolute positions */
	struct row                *row;       /* the visible page */
	int                        nrow;
	sqlite3_stmt              *page, *page_plain, *count, *count_all;
};

static void
rows_free(struct staff *p)
{
	for (int i = 0; i < p->nrow; i++) {
		free(p->row[i].name);
		free(p->row[i].idno);
		free(p->row[i].no);
		free(p->row[i].state);
	}
	free(p->row);
	p->row = NULL;
	p->nrow = 0;
}

struct tally {
	int errors, warnings;
};

static int
tally_cb(const struct finding *f, void *arg)
{
	struct tally *t = arg;

	if (f->explained)
		return 0;
	if (f->warning)
		t->warnings++;
	else
		t->errors++;
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	sqlite3_int64 x = *(const sqlite3_int64 *)a, y = *(const sqlite3_int64 *)b;

	return x < y ? -1 : x > y;
}

struct collect {
	sqlite3_int64 *id;
	size_t         n, cap;
};

static int
collect_cb(const struct finding *f, void *arg)
{
	struct collect *c = arg;

	if (f->explained)
		return 0;
	if (c->n > 0 && c->id[c->n - 1] == f->staff_id)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->id = xreallocarray(c->id, c->cap, sizeof *c->id);
	}
	c->id[c->n++] = f->staff_id;
	return 0;
}

/* Last year's people linked to this year's again (people keyed, deleted or
 * renumbered since, perhaps by another program), so that the marks and the
 * prior-year rules are right: once per entry into the school, in the first
 * idle step (20,000 people: see docs/benchmarks.md), or before a person
 * opens if no idle moment came first. */
static void
staff_link(struct screen *s)
{
	struct staff *p = s->priv;
	char *cause = NULL;

	if (p->baseline == NULL || p->linked)
		return;
	p->linked = 1;
	if (baseline_link(s->ui->app->st, p->school_code, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "无法把去年的人与今年的对应：%s", cause ? cause : "");
		free(cause);
	}
}

/* For 有变化: the people with any change since last year, added people
 * included (changes_run over the school, which links people anew). */
static void
staff_find_changed(struct screen *s)
{
	struct staff *p = s->priv;
	char *cause = NULL;

	free(p->problem);
	p->problem = NULL;
	p->nproblem = 0;
	p->linked = 1;
	ui_busy(s->ui, "正在与去年（%s）对照……", p->baseline);
	if (prior_people(s->ui->app->st, p->school_code, &p->problem, &p->nproblem, &p->added, &p->gone,
	    &cause) != JZG_OK) {
		ui_message(s->ui, 1, "与去年对照失败：%s", cause ? cause : "");
		free(cause);
	} else
		ui_message(s->ui, 0, "%s", "");
}

/* For the 有问题/已完整 filters: who has unexplained findings (one pass of
 * the rules engine over the school). */
static void
staff_find_problems(struct screen *s)
{
	struct staff *p = s->priv;
	struct rules_scope scope = { p->school_id, 0 };
	struct collect c = { 0 };
	char *cause = NULL;
	size_t k = 0;

	if (rules_check(s->ui->rules, &scope, collect_cb, &c, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "检测失败：%s", cause);
		free(cause);
	}
	xqsort(c.id, c.n, sizeof *c.id, id_cmp);
	for (size_t i = 0; i < c.n; i++)
		if (k == 0 || c.id[k - 1] != c.id[i])
			c.id[k++] = c.id[i];
	free(p->problem);
	p->problem = c.id;
	p->nproblem = k;
}

static void
problem_set_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct staff *p = sqlite3_user_data(ctx);
	sqlite3_int64 id = sqlite3_value_int64(argv[0]);

	(void)argc;
	sqlite3_result_int(ctx, p->problem != NULL &&
	    bsearch(&id, p->problem, p->nproblem, sizeof id, id_cmp) != NULL);
}

static void
staff_prepare(struct screen *s)
{
	struct staff *p = s->priv;
	const struct defs *defs = s->ui->app->defs;
	const char *fname = defs->setting[SK_PERSON_NAME], *fid = defs->setting[SK_PERSON_ID];
	const char *fno = defs->setting[SK_PERSON_NO];
	static const char *const order[SO__COUNT] = { "staff.id", "p.\"%s\", staff.id", "p.\"%s\", staff.id" };
	char ord[128], *where, *sql, *from, *pgfrom;

	sqlite3_finalize(p->page);
	sqlite3_finalize(p->page_plain);
	sqlite3_finalize(p->count);
	p->page = p->page_plain = p->count = NULL;
	snprintf(ord, sizeof ord, order[p->sort], p->sort == SO_NAME ? fname : fid);
	where = xasprintf("staff.school_id = ?1"
	    " AND (?2 IS NULL OR p.\"%s\" LIKE '%%' || ?2 || '%%' OR p.\"%s\" LIKE '%%' || ?2 || '%%'"
	    "      OR p.\"%s\" = ?2 OR py_match(p.\"%s\", ?2))"
	    " AND (?3 = 0 OR (?3 = 2) <> jzg_problem(staff.id))",
	    fname, fid, fno, fname);
	/* The page's people are found first (ids only, in the list index), then
	 * their columns: OFFSET then skips index entries, not joined rows. */
	from = xasprintf("staff LEFT JOIN \"s_%s\" p INDEXED BY \"" STORE_LIST_INDEX "\" ON p.staff_id = staff.id",
	    p->ps->v[SC_NAME], p->ps->v[SC_NAME]);
	/* CROSS JOIN: the page first, then one look-up per person */
	pgfrom = xasprintf("staff ON staff.id = pg.sid LEFT JOIN \"s_%s\" p INDEXED BY \"" STORE_LIST_INDEX
	    "\" ON p.staff_id = staff.id", p->ps->v[SC_NAME], p->ps->v[SC_NAME]);
	sql = xasprintf("SELECT staff.id, p.\"%s\", p.\"%s\", p.\"%s\", staff.state, " REKEY_COL " FROM (SELECT staff.id AS sid FROM %s"
	    " WHERE %s ORDER BY %s LIMIT ?4 OFFSET ?5) pg CROSS JOIN %s ORDER BY %s",
	    fname, fid, fno, from, where, ord, pgfrom, ord);
	sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &p->page, NULL);
	free(sql);
	sql = xasprintf("SELECT count(*) FROM %s WHERE %s", from, where);
	sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &p->count, NULL);
	free(sql);
	free(where);
	/* the whole school in entry order: the school index alone */
	sql = xasprintf("SELECT staff.id, p.\"%s\", p.\"%s\", p.\"%s\", staff.state, " REKEY_COL " FROM (SELECT id AS sid FROM staff"
	    " WHERE school_id = ?1 ORDER BY id LIMIT ?4 OFFSET ?5) pg CROSS JOIN %s ORDER BY staff.id",
	    fname, fid, fno, pgfrom);
	sqlite3_prepare_v2(s->ui->app->st->db, sql, -1, &p->page_plain, NULL);
	free(sql);
	free(from);
	free(pgfrom);
	if (p->count_all == NULL)
		sqlite3_prepare_v2(s->ui->app->st->db, "SELECT count(*) FROM staff WHERE school_id = ?1", -1,
		    &p->count_all, NULL);
}

static void
bind_filters(struct staff *p, sqlite3_stmt *st)
{
	sqlite3_bind_int64(st, 1, p->school_id);
	if (p->query)
		sqlite3_bind_text(st, 2, p->query, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, (int)p->filter);
}

static void
staff_load_page(struct screen *s)
{
	struct staff *p = s->priv;
	sqlite3_stmt *pg;
	int rows = LINES - 5 > 1 ? LINES - 5 : 1;

	rows_free(p);
	if (p->page == NULL || p->count == NULL)
		return;
	if (p->recount) {
		/* without a search or filter the count needs no look-up of names:
		 * the school index alone (20,000 people: < 1 ms instead of ~10) */
		sqlite3_stmt *c = p->query == NULL && p->filter == SF_ALL && p->count_all != NULL ? p->count_all : p->count;

		sqlite3_reset(c);
		if (c == p->count)
			bind_filters(p, c);
		else
			sqlite3_bind_int64(c, 1, p->school_id);
		p->total = sqlite3_step(c) == SQLITE_ROW ? sqlite3_column_int(c, 0) : 0;
		sqlite3_reset(c);
		p->recount = 0;
		p->counted_at = sqlite3_total_changes(s->ui->app->st->db);
	}
	if (p->sel >= p->total)
		p->sel = p->total > 0 ? p->total - 1 : 0;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	pg = p->query == NULL && p->filter == SF_ALL && p->sort == SO_ENTRY && p->page_plain ? p->page_plain : p->page;
	sqlite3_reset(pg);
	bind_filters(p, pg);
	sqlite3_bind_int(pg, 4, rows);
	sqlite3_bind_int(pg, 5, p->top);
	p->row = xcalloc((size_t)rows, sizeof *p->row);
	while (p->nrow < rows && sqlite3_step(pg) == SQLITE_ROW) {
		struct row *r = &p->row[p->nrow++];
		const char *st = (const char *)sqlite3_column_text(pg, 4);

		r->id = sqlite3_column_int64(pg, 0);
		r->name = xstrdup((const char *)sqlite3_column_text(pg, 1));
		r->idno = xstrdup((const char *)sqlite3_column_text(pg, 2));
		r->no = xstrdup((const char *)sqlite3_column_text(pg, 3));
		r->state = xstrdup(st);
		r->rekey = sqlite3_column_int(pg, 5);
		r->sign = -1;
	}
}

/* Findings of the visible rows: one person per idle step, between keys,
 * so that paging through 20,000 people never waits for the checks. */
static int
staff_idle(struct screen *s)
{
	struct staff *p = s->priv;

	if (p->baseline != NULL && !p->linked) {
		staff_link(s);   /* the checks below read the links */
		return 1;
	}
	for (int i = 0; i < p->nrow; i++) {
		struct row *r = &p->row[i];
		struct rules_scope scope = { 0, r->id };
		struct tally t = { 0, 0 };

		if (r->checked)
			continue;
		rules_check(s->ui->rules, &scope, tally_cb, &t, NULL);
		r->errors = t.errors;
		r->warnings = t.warnings;
		r->checked = 1;
		return 1;
	}
	for (int i = 0; i < p->nrow; i++) {
		enum signature_state ss;

		if (p->row[i].sign >= 0)
			continue;
		p->row[i].sign = signature_state(s->ui->app->st, p->row[i].id, &ss, NULL) == JZG_OK ? (int)ss : 0;
		return 1;
	}
	return 0;
}

static int
staff_open(struct screen *s, void *arg)
{
	struct staff *p = s->priv;
	sqlite3_stmt *q;
	const char *tname = NULL;

	p->school_id = *(sqlite3_int64 *)arg;
	if (sqlite3_prepare_v2(s->ui->app->st->db, "SELECT code, name, template FROM school WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, p->school_id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		p->school_code = xstrdup((const char *)sqlite3_column_text(q, 0));
		p->school_name = xstrdup((const char *)sqlite3_column_text(q, 1));
		tname = (const char *)sqlite3_column_text(q, 2);
		p->tpl = defs_template(s->ui->app->defs, tname);
	}
	sqlite3_finalize(q);
	if (p->tpl == NULL || (p->ps = template_person_set(s->ui->app->defs, p->tpl)) == NULL) {
		ui_message(s->ui, 1, "学校的采集模板未定义，无法打开");
		free(p->school_code);
		free(p->school_name);
		return -1;
	}
	p->baseline = prior_school_label(s->ui->app->st, p->school_code);
	sqlite3_create_function(s->ui->app->st->db, "jzg_problem", 1, SQLITE_UTF8, p, problem_set_fn, NULL, NULL);
	staff_prepare(s);
	p->recount = 1;
	staff_load_page(s);
	return 0;
}

/* 有变化 after a person was edited: is that person still (or now) one with
 * a change?  One person's marks (a few ms), not the school's again. */
static void
staff_recheck_changed(struct screen *s, sqlite3_int64 id)
{
	struct staff *p = s->priv;
	struct prior *m = NULL;
	sqlite3_int64 *at = p->problem ? bsearch(&id, p->problem, p->nproblem, sizeof id, id_cmp) : NULL;
	int in = prior_new(s->ui->app->st, p->tpl, id, &m, NULL) == JZG_OK && m != NULL && prior_changed(m);
	size_t k = 0;

	prior_free(m);
	if (in && at == NULL) {
		while (k < p->nproblem && p->problem[k] < id)
			k++;
		p->problem = xreallocarray(p->problem, p->nproblem + 1, sizeof *p->problem);
		memmove(&p->problem[k + 1], &p->problem[k], (p->nproblem - k) * sizeof *p->problem);
		p->problem[k] = id;
		p->nproblem++;
	} else if (!in && at != NULL) {
		k = (size_t)(at - p->problem);
		memmove(at, at + 1, (p->nproblem - k - 1) * sizeof *p->problem);
		p->nproblem--;
	}
}

static void
staff_resume(struct screen *s)
{
	/* a person may have been added, deleted or changed: count (when this
	 * connection changed anything since), reload, re-check */
	struct staff *p = s->priv;

	if (sqlite3_total_changes(s->ui->app->st->db) != p->counted_at) {
		p->recount = 1;
		if (p->filter == SF_CHANGED && p->opened != 0)
			staff_recheck_changed(s, p->opened);
	}
	staff_load_page(s);
}

static const char *
state_label(const char *st)
{
	int k = st ? workflow_state_parse(st) : (int)WF_DRAFT;

	return k < 0 ? st : workflow_state_label((enum wf_state)k);
}

/* ^W: the review actions on the selected person, with the logged-in
 * operator (separation of keying and review is enforced by workflow). */
static void
staff_review(struct screen *s, struct row *r)
{
	static const struct { wchar_t key; enum wf_action act; int reason; } menu[] = {
		{ L'1', WF_SUBMIT, 0 }, { L'2', WF_APPROVE, 0 }, { L'3', WF_REJECT, 1 },
		{ L'4', WF_UNLOCK, 1 }, { L'5', WF_CONFIRM, 0 },
	};
	wchar_t ch = ui_choose(s->ui, "审核：1 提交审核  2 审核通过  3 退回  4 解锁  5 签字确认（其他键取消）");
	char *reason = NULL, *cause = NULL;

	for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++) {
		if (menu[i].key != ch)
			continue;
		if (menu[i].reason && (reason = ui_prompt(s->ui, "理由：", NULL)) == NULL)
			return;
		if (workflow_apply(s->ui->app->st, s->ui->rules, s->ui->app->op, r->id, menu[i].act,
		    reason, &cause) != JZG_OK)
			ui_message(s->ui, 1, "%s", cause ? cause : "操作失败");
		else
			ui_message(s->ui, 0, "%s：%s", workflow_action_label(menu[i].act), r->name ? r->name : "");
		free(cause);
		free(reason);
		staff_load_page(s);
		return;
	}
}

static void
staff_draw(struct screen *s)
{
	struct staff *p = s->priv;
	char title[512], line[256];
	int rows = LINES - 5;

	snprintf(title, sizeof title, " %s %s（%s）— 教职工 %d 人%s%s", p->school_code, p->school_name,
	    p->tpl->v[TC_LABEL], p->total, p->query ? " — 查找：" : "", p->query ? p->query : "");
	draw_title(title);
	if (p->filter == SF_CHANGED) {
		/* the count, and last year's people no longer here (jzg changes lists them) */
		char gone[64] = "";

		if (p->gone > 0)
			snprintf(gone, sizeof gone, "  减少 %ld 人（jzg changes）", p->gone);
		snprintf(line, sizeof line, "显示：有变化 %d 人（含今年新增 %ld 人）  排序：%s%s", p->total, p->added,
		    sort_label[p->sort], gone);
	} else
		snprintf(line, sizeof line, "显示：%s  排序：%s", filter_label[p->filter], sort_label[p->sort]);
	draw_text(1, 1, line, COLS - 2);
	attron(A_BOLD);
	draw_text(2, 0, "  序号 姓名              身份证件号          教职工号    检测     核对 状态", COLS);
	attroff(A_BOLD);
	for (int i = 0; i < p->nrow && i < rows; i++) {
		struct row *r = &p->row[i];
		char no[16], chk[32], *masked = idcard_mask(r->idno);

		if (p->top + i == p->sel)
			attron(A_REVERSE);
		draw_text(3 + i, 0, "", COLS);
		snprintf(no, sizeof no, "%6d", p->top + i + 1);
		draw_text(3 + i, 0, no, 6);
		draw_text(3 + i, 7, r->name && *r->name ? r->name : "（未填姓名）", 17);
		draw_text(3 + i, 25, masked, 19);
		draw_text(3 + i, 45, r->no, 11);
		if (!r->checked)
			snprintf(chk, sizeof chk, "…");
		else if (r->errors || r->warnings)
			snprintf(chk, sizeof chk, "错%d 警%d", r->errors, r->warnings);
		else
			snprintf(chk, sizeof chk, "✓ 完整");
		draw_text(3 + i, 57, chk, 8);
		/* double-entry verification: to verify (marked), verified */
		draw_text(3 + i, 66, r->rekey == 3 ? "比对" : r->rekey == 2 ? "已核" : r->rekey == 1 ? "待核" : "", 4);
		draw_text(3 + i, 71, r->sign == SIGNATURE_STALE ? "需重签" : r->sign == SIGNATURE_SIGNED ? "已签字" :
		    state_label(r->state), COLS - 71);
		if (p->top + i == p->sel)
			attroff(A_REVERSE);
		free(masked);
	}
	if (p->total == 0)
		draw_text(4, 2, p->query || p->filter ? "没有符合条件的教职工。" :
		    "本校还没有教职工。按 F3 新增。", COLS - 4);
}

/* The printer picked last, offered first next time (a clerk prints the
 * sheets of a school one after another). */
static char last_printer[256];

/* Send the saved sheet to a printer: the only one, or the one the clerk
 * picks from CUPS's list (scr_printer).  Without CUPS or a printer, say so
 * and where the PDF is. */
static void
staff_send(struct screen *s, const char *path)
{
	struct lp_printer *pr = NULL;
	struct lp_job job = { 0 };
	struct printer_arg pa = { 0 };
	char *cause = NULL;
	size_t n = 0;

	if (lp_printers(&pr, &n, &cause) != JZG_OK || n == 0) {
		char *before = xasprintf("没有打印：%s。PDF 在 ",
		    cause ? cause : "本机还没有设置打印机（在系统的“打印机”设置里添加）");

		ui_message_path(s->ui, 1, before, path, "");
		free(before);
		free(cause);
		return;
	}
	pa.p = pr;
	pa.n = n;
	for (size_t i = 0; i < n; i++)
		if (str_eq(pr[i].name, last_printer) || (last_printer[0] == '\0' && pr[i].is_default))
			pa.chosen = (int)i;
	if (n > 1)
		ui_modal(s->ui, &scr_printer_ops, &pa);
	if (pa.chosen < 0) {
		ui_message_path(s->ui, 0, "没有打印。确认表已保存：", path, "（F1 看完整路径）");
		lp_printers_free(pr, n);
		return;
	}
	job.printer = pr[pa.chosen].name;
	snprintf(last_printer, sizeof last_printer, "%s", job.printer);
	def_prog_mode();
	if (lp_print(path, &job, &cause) != JZG_OK)
		ui_message(s->ui, 1, "没有打印：%s", cause ? cause : "");
	else if (job.paused)
		ui_message(s->ui, 1, "已送往“%s”，但它已暂停，恢复后才打印：检查电源和纸张，在系统“打印机”设置里恢复",
		    job.printer);
	else {
		char *before = xasprintf("已送往“%s”打印。PDF：", job.printer);

		ui_message_path(s->ui, 0, before, path, "（F1 看完整路径）");
		free(before);
	}
	reset_prog_mode();
	free(job.msg);
	free(cause);
	lp_printers_free(pr, n);
}

/* F11: the person's 教师信息确认表 as a PDF named for the person
 * (确认表_姓名_身份证件号后4位.pdf) in the school's folder under the
 * documents folder, then the offer to print it (CUPS lp); without a
 * printer, say where the PDF is. */
static void
staff_print(struct screen *s, const struct row *r)
{
	struct staff *p = s->priv;
	struct sheet_result res;
	char *cause = NULL, *dir, *path = NULL, *name;
	size_t nid = r->idno ? strlen(r->idno) : 0;
	sqlite3_int64 id = r->id;

	if ((dir = paths_output_dir(p->school_code, p->school_name, &cause)) == NULL) {
		ui_message(s->ui, 1, "生成确认表失败：%s", cause ? cause : "");
		free(cause);
		return;
	}
	name = xstrdup(r->name && *r->name ? r->name : "未填姓名");
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '_';
	path = nid >= 4 ? xasprintf("%s/确认表_%s_%s.pdf", dir, name, r->idno + nid - 4) :
	    xasprintf("%s/确认表_%s.pdf", dir, name);
	free(name);
	ui_busy(s->ui, "正在生成确认表……");
	if (sheet_print(s->ui->app->st, &id, 1, path, NULL, &res, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "生成确认表失败：%s", cause ? cause : "");
		free(cause);
	} else if (ui_confirm(s->ui, "确认表已保存，送打印机打印？"))
		staff_send(s, path);
	else
		ui_message_path(s->ui, 0, "确认表已保存：", path, "（F1 看完整路径）");
	free(path);
	free(dir);
}

/* F12: the sheet came back signed; record it with the date. */
static void
staff_sign(struct screen *s, struct row *r)
{
	char today[11], *date, *cause = NULL, code[SIGNATURE_CODE_LEN + 1];

	sqlfn_today(today);
	date = ui_prompt(s->ui, "签字日期（年-月-日）：", today);
	if (date == NULL)
		return;
	if (signature_mark(s->ui->app->st, r->id, date, NULL, code, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause ? cause : "登记失败");
		free(cause);
	} else {
		ui_message(s->ui, 0, "已登记 %s 的确认表签字（%s，校验码 %s）", r->name ? r->name : "", date, code);
		r->sign = -1;
		s->ui->idle_pending = 1;
	}
	free(date);
}

static enum ui_action
staff_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct staff *p = s->priv;
	int rows = LINES - 5 > 1 ? LINES - 5 : 1, old = p->sel;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (p->sel > 0) p->sel--; break;
	case REQ_DOWN: if (p->sel + 1 < p->total) p->sel++; break;
	case REQ_PGUP: p->sel = p->sel > rows ? p->sel - rows : 0; break;
	case REQ_PGDN: p->sel = p->sel + rows < p->total ? p->sel + rows : (p->total ? p->total - 1 : 0); break;
	case REQ_HOME: p->sel = 0; break;
	case REQ_END: p->sel = p->total ? p->total - 1 : 0; break;
	case REQ_RESIZE: staff_load_page(s); return UI_STAY;
	case REQ_ENTER:
	case REQ_RIGHT:
		if (p->nrow > 0) {
			struct person_arg pa = { p->school_id, p->row[p->sel - p->top].id, NULL, 0, NULL };

			staff_link(s);   /* the person's marks read the links */
			p->opened = pa.staff_id;
			ui_push(s->ui, &scr_person_ops, &pa);
		}
		return UI_STAY;
	case REQ_REKEY:
		/* verify mode; the core refuses the keyer (the message stays) */
		if (p->nrow > 0) {
			struct person_arg pa = { p->school_id, p->row[p->sel - p->top].id, NULL, 0, NULL };

			ui_push(s->ui, &scr_rekey_ops, &pa);
		}
		return UI_STAY;
	case REQ_ADD: {
		struct person_arg pa = { p->school_id, 0, NULL, 0, NULL };
		char *cause = NULL;

		ui_begin(s->ui);   /* committed after the redraw (ui_commit_later) */
		if (record_new_staff(s->ui->app->st, p->school_id, p->tpl, &pa.staff_id, &cause) != JZG_OK) {
			ui_commit_later(s->ui, "新增的教职工");   /* ends the transaction */
			ui_message(s->ui, 1, "%s", cause);
			free(cause);
			return UI_STAY;
		}
		p->sort = SO_ENTRY;
		p->filter = SF_ALL;
		free(p->query);
		p->query = NULL;
		staff_prepare(s);
		p->sel = p->total;   /* the new person is last in entry order */
		ui_commit_later(s->ui, "新增的教职工");
		ui_saved(s->ui, "已新增一名教职工，请填写基本信息");
		ui_push(s->ui, &scr_person_ops, &pa);
		return UI_STAY;
	}
	case REQ_DELETE:
		if (p->nrow > 0) {
			struct row *row = &p->row[p->sel - p->top];
			char q[256], *cause = NULL;

			snprintf(q, sizeof q, "删除教职工 %s 及其全部信息？", row->name && *row->name ? row->name : "（未填姓名）");
			if (!ui_confirm(s->ui, q))
				break;
			if (entry_delete_person(s->ui->app->st, row->id, &cause) == JZG_OK)
				ui_message(s->ui, 0, "已删除");
			else {
				ui_message(s->ui, 1, "%s", cause);
				free(cause);
			}
		}
		break;
	case REQ_SEARCH: {
		char *q = ui_prompt(s->ui, "查找（姓名/拼音首字母/身份证件号/教职工号，空为全部）：", p->query);

		if (q != NULL) {
			free(p->query);
			p->query = *q ? q : NULL;
			if (!*q)
				free(q);
			p->sel = p->top = 0;
		}
		break;
	}
	case REQ_FILTER:
		p->filter = (p->filter + 1) % SF__COUNT;
		if (p->filter == SF_CHANGED && p->baseline == NULL)
			p->filter = SF_ALL;   /* no last year's data to compare with */
		if (p->filter == SF_CHANGED)
			staff_find_changed(s);
		else if (p->filter != SF_ALL)
			staff_find_problems(s);
		p->sel = p->top = 0;
		break;
	case REQ_SORT:
		p->sort = (p->sort + 1) % SO__COUNT;
		staff_prepare(s);
		p->sel = p->top = 0;
		break;
	case REQ_CHECK: {
		struct report_arg ra = { p->school_id, 0 };

		ui_push(s->ui, &scr_report_ops, &ra);
		return UI_STAY;
	}
	case REQ_PRINT:
		if (p->nrow > 0)
			staff_print(s, &p->row[p->sel - p->top]);
		return UI_STAY;
	case REQ_SIGN:
		if (p->nrow > 0)
			staff_sign(s, &p->row[p->sel - p->top]);
		return UI_STAY;
	case REQ_REVIEW:
		if (p->nrow > 0)
			staff_review(s, &p->row[p->sel - p->top]);
		return UI_STAY;
	case REQ_HELP: ui_push(s->ui, &scr_help_ops, NULL); return UI_STAY;
	case REQ_BACK: case REQ_LEFT: return UI_POP;
	case REQ_QUIT: return UI_QUIT;
	default: return UI_STAY;
	}
	if (r == REQ_UP || r == REQ_DOWN) {
		/* within the page: no reload, the rows are already there */
		if (p->sel >= p->top && p->sel < p->top + p->nrow && old != p->sel)
			return UI_STAY;
	}
	if (r == REQ_SEARCH || r == REQ_FILTER || r == REQ_DELETE)   /* sorting keeps the count */
		p->recount = 1;
	staff_load_page(s);
	return UI_STAY;
}

static void
staff_done(struct screen *s)
{
	struct staff *p = s->priv;

	rows_free(p);
	sqlite3_finalize(p->page);
	sqlite3_finalize(p->page_plain);
	sqlite3_finalize(p->count);
	sqlite3_finalize(p->count_all);
	free(p->school_code);
	free(p->school_name);
	free(p->query);
	free(p->problem);
	free(p->baseline);
}

static const enum request staff_legend[] = {
	REQ_HELP, REQ_ADD, REQ_SEARCH, REQ_FILTER, REQ_SORT, REQ_DELETE, REQ_CHECK, REQ_QUIT, REQ_PRINT, REQ_SIGN,
	REQ_REVIEW, REQ_REKEY, REQ_BACK, REQ_NONE
};

const struct screen_ops scr_staff_ops = {
	.name = "staff", .priv_size = sizeof(struct staff), .legend = staff_legend,
	.open = staff_open, .draw = staff_draw, .key = staff_key,
	.resume = staff_resume, .idle = staff_idle, .done = staff_done,
};
