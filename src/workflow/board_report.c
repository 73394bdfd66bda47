/* board_report.c — see board_report.h. */
#include "board_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "outfile.h"
#include "sqlfn.h"
#include "text.h"
#include "util.h"

static const char *
tpl_label(const struct defs *defs, const char *name)
{
	const struct template_def *t = defs_template(defs, name);

	return t ? t->v[TC_LABEL] : name ? name : "";
}

static void
pct(char *buf, size_t n, double r)
{
	if (r < 0)
		snprintf(buf, n, "—");
	else
		snprintf(buf, n, "%.1f%%", 100 * r);
}

void
board_permille(char *buf, size_t n, double r)
{
	if (r < 0)
		snprintf(buf, n, "—");
	else
		snprintf(buf, n, "%.1f", r);
}

void
board_pad(FILE *out, const char *s, int width)
{
	int w = utf8_width(s);

	fputs(s, out);
	for (; w >= 0 && w < width; w++)
		fputc(' ', out);
}

void
board_write_text(FILE *out, const struct defs *defs, const struct board_row *rows, size_t n,
    const struct board_row *total)
{
	static const struct { const char *h; int w; } head[] = {
		{ "学校标识码", 10 }, { "学校名称", 24 }, { "模板", 6 }, { "  应有", 6 }, { " 已录", 6 },
		{ " 录入率", 9 }, { " 完整", 7 }, { " 完整率", 9 }, { " 待审", 6 }, { " 已审", 6 }, { " 签字", 6 },
		{ "重签", 6 }, { " 核对率", 9 }, { "差错‰", 7 }, { "录入进度", 0 },
	};

	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
		board_pad(out, head[i].h, head[i].w);
		if (i < 3)
			fputs("  ", out);
	}
	fputc('\n', out);
	for (size_t i = 0; i <= n; i++) {
		const struct board_row *r = i < n ? &rows[i] : total;
		char er[16], dr[16], vr[16], ek[16];
		int bar;

		if (r == NULL)
			break;
		pct(er, sizeof er, r->entry_rate);
		pct(dr, sizeof dr, r->done_rate);
		pct(vr, sizeof vr, r->verify_rate);
		board_permille(ek, sizeof ek, r->error_rate);
		board_pad(out, r->code, 10);
		fputs("  ", out);
		board_pad(out, r->name, 24);
		fputs("  ", out);
		board_pad(out, i < n ? tpl_label(defs, r->template) : "", 6);
		fprintf(out, "  %5d %5d  %7s  %5d  %7s  %5d %5d %5d  %4d  %7s  %5s  ", r->expected, r->entered, er,
		    r->complete, dr, r->submitted, r->approved, r->signed_, r->stale, vr, ek);
		bar = r->entry_rate < 0 ? 0 : r->entry_rate > 1 ? 20 : (int)(r->entry_rate * 20 + 0.5);
		for (int k = 0; k < 20; k++)
			fputs(k < bar ? "█" : "·", out);
		if (r->entered == 0)
			fputs(" 未录入", out);
		else if (r->checked < r->entered)
			fprintf(out, " %d 人未检查", r->entered - r->checked);
		if (r->update_rate >= 0)
			fprintf(out, " 更新率 %.1f%%", 100 * r->update_rate);
		fputc('\n', out);
	}
}

void
board_write_tsv(FILE *out, const struct board_row *rows, size_t n, const struct board_row *total)
{
	fputs("学校标识码\t学校名称\t模板\t应有人数\t已录入\t录入率\t已完整\t完整率\t待审核\t已审核\t已签字确认\t需重新签字\t本周新增\t更新率"
	    "\t已核对\t核对率\t核对差错率（每千项）\n", out);
	for (size_t i = 0; i <= n; i++) {
		const struct board_row *r = i < n ? &rows[i] : total;
		char er[16], dr[16], ur[16], vr[16], ek[16];

		if (r == NULL)
			break;
		pct(er, sizeof er, r->entry_rate);
		pct(dr, sizeof dr, r->done_rate);
		pct(ur, sizeof ur, r->update_rate);
		pct(vr, sizeof vr, r->verify_rate);
		board_permille(ek, sizeof ek, r->error_rate);
		fprintf(out, "%s\t%s\t%s\t%d\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%s\t%s\n", r->code, r->name,
		    i < n ? r->template : "", r->expected, r->entered, er, r->complete, dr, r->submitted,
		    r->approved, r->signed_, r->stale, r->new_week, ur, r->verified, vr, ek);
	}
}

lxw_workbook *
board_xlsx_open(const char *path, char **tmp, char **work, char **cause)
{
	lxw_workbook_options opt = { .constant_memory = 0, .tmpdir = NULL };
	lxw_workbook *wb;
	int hush;

	*work = NULL;
	*tmp = outfile_part(path);
	if (outfile_tmpdir("xlsx", work, cause) != JZG_OK) {
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	opt.tmpdir = *work;   /* libxlsxwriter's temporary files: in a directory of ours */
	hush = stderr_hush();   /* libxlsxwriter's English [ERROR] lines: ours follow */
	wb = workbook_new_opt(*tmp, &opt);
	stderr_restore(hush);
	if (wb == NULL) {
		outfile_rmtree(*work);
		free(*work);
		free(*tmp);
		*tmp = *work = NULL;
		jzg_fail(cause, JZG_ERR_IO, "无法创建 %s（请检查目录是否存在、是否可写）", path);
	}
	return wb;
}

enum jzg_status
board_xlsx_close(lxw_workbook *wb, char *tmp, char *work, const char *path, char **cause)
{
	int hush = stderr_hush();
	lxw_error err = workbook_close(wb);
	enum jzg_status rc;

	stderr_restore(hush);
	outfile_rmtree(work);
	free(work);
	if (err != LXW_NO_ERROR) {
		unlink(tmp);
		free(tmp);
		return jzg_fail(cause, JZG_ERR_IO, "无法写出 %s：%s（请检查磁盘空间和目录权限）", path,
		    lxw_strerror(err));
	}
	rc = outfile_commit(tmp, path, cause);
	free(tmp);
	return rc;
}

static void
write_rate(lxw_worksheet *ws, int row, int col, double r, lxw_format *f, lxw_format *none)
{
	if (r < 0)
		worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, "—", none);
	else
		worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, r, f);
}

/* A cell format with thin borders (the printed table is ruled), bold for
 * the header and 合计, with a number format or NULL. */
static lxw_format *
cell_format(lxw_workbook *wb, int bold, const char *num)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_border(f, LXW_BORDER_THIN);
	if (bold)
		format_set_bold(f);
	if (num != NULL)
		format_set_num_format(f, num);
	return f;
}

/* Landscape A4, one page wide (as many tall as it takes), the header row
 * repeated on every page, page numbers in the footer. */
static void
page_setup(lxw_worksheet *ws, int head_row)
{
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);                        /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, (lxw_row_t)head_row, (lxw_row_t)head_row);
	worksheet_center_horizontally(ws);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
	worksheet_set_footer(ws, "&C第 &P 页，共 &N 页");
}

/* A bar per school of its 录入率 (rows first … last of the sheet, names in
 * column 1, rates in column 5), below the table, first school on top. */
static void
rate_chart(lxw_workbook *wb, lxw_worksheet *ws, const char *sheet, int first, int last)
{
	lxw_chart *ch = workbook_add_chart(wb, LXW_CHART_BAR);
	lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
	int n = last - first + 1;
	lxw_chart_options o = { .x_offset = 0, .y_offset = 10, .x_scale = 2.0,
		.y_scale = (60.0 + 22.0 * n) / 288.0 < 1.0 ? 1.0 : (60.0 + 22.0 * n) / 288.0 };   /* 22 px a school */

	chart_series_set_categories(se, sheet, (lxw_row_t)first, 1, (lxw_row_t)last, 1);
	chart_series_set_values(se, sheet, (lxw_row_t)first, 5, (lxw_row_t)last, 5);
	chart_series_set_name(se, "录入率");
	chart_series_set_labels(se);
	chart_series_set_labels_num_format(se, "0.0%");
	chart_title_set_name(ch, "各校录入率");
	chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
	/* libxlsxwriter swaps the axes of a bar chart: y is the category axis
	 * (left), x the values (bottom). */
	chart_axis_set_reverse(ch->y_axis);
	chart_axis_set_num_format(ch->x_axis, "0%");
	chart_axis_set_min(ch->x_axis, 0);    /* no maximum: more keyed than expected shows as over 100 % */
	worksheet_insert_chart_opt(ws, (lxw_row_t)(last + 3), 0, ch, &o);
}

enum jzg_status
board_write_xlsx(const char *path, const struct defs *defs, const struct board_row *rows, size_t n,
    const struct board_row *total, int weekly, char **cause)
{
	static const char *const head[] = { "学校标识码", "学校名称", "模板", "应有人数", "已录入", "录入率",
		"已完整", "完整率", "待审核", "已审核", "已签字确认", "需重新签字", "本周新增", "更新率", "已核对", "核对率",
		"核对差错率（每千项）" };
	const int ncol = (int)(sizeof head / sizeof head[0]);
	const char *sheet = weekly ? "周报表" : "进度";
	char *tmp, *work = NULL, today[11];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head_f, *title, *f[2][3];   /* [total row][plain, text, percent] */
	int row = 0;

	/* names jzg stored are clean (text.h); one put in with sqlite3 would
	 * make a workbook Excel cannot open */
	for (size_t i = 0; i < n; i++)
		if (text_fault(rows[i].name, TEXT_ANY) != NULL || text_fault(rows[i].code, TEXT_ANY) != NULL)
			return jzg_fail(cause, JZG_ERR_INVALID, "第 %zu 所学校的名称或标识码%s（不是经本程序录入的值），未写出 %s",
			    i + 1, text_fault(rows[i].name, 0) ? text_fault(rows[i].name, 0) : text_fault(rows[i].code, 0), path);
	if ((wb = board_xlsx_open(path, &tmp, &work, cause)) == NULL)
		return JZG_ERR_IO;
	/* Fixed properties so the same data gives the same bytes. */
	{
		lxw_doc_properties p = { .title = weekly ? "教职工基础信息采集进度周报表" : "教职工基础信息采集进度",
			.author = "jzg", .created = 0 };
		workbook_set_properties(wb, &p);
	}
	ws = workbook_add_worksheet(wb, sheet);
	head_f = cell_format(wb, 1, NULL);
	format_set_bg_color(head_f, 0xDDEBF7);
	format_set_text_wrap(head_f);
	for (int b = 0; b < 2; b++) {
		f[b][0] = cell_format(wb, b, NULL);
		f[b][1] = cell_format(wb, b, "@");
		f[b][2] = cell_format(wb, b, "0.0%");
	}
	title = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 14);
	sqlfn_today(today);
	if (weekly) {
		char line[128];

		worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(ncol - 1), "教职工基础信息采集进度周报表", title);
		snprintf(line, sizeof line, "统计日期：%s（本周新增为截至当日的 7 天内新录入人数）", today);
		worksheet_write_string(ws, 1, 0, line, NULL);
		row = 3;
	}
	for (int c = 0; c < ncol; c++)
		worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)c, head[c], head_f);
	worksheet_freeze_panes(ws, (lxw_row_t)(row + 1), 2);
	worksheet_set_column(ws, 0, 0, 13, NULL);
	worksheet_set_column(ws, 1, 1, 30, NULL);
	worksheet_set_column(ws, 2, (lxw_col_t)(ncol - 1), 10, NULL);
	for (size_t i = 0; i <= n; i++) {
		const struct board_row *r = i < n ? &rows[i] : total;
		lxw_row_t y = (lxw_row_t)(row + 1 + (int)i);
		lxw_format **g = f[i == n];

		if (r == NULL)
			break;
		worksheet_write_string(ws, y, 0, r->code, g[1]);
		worksheet_write_string(ws, y, 1, r->name, g[0]);
		worksheet_write_string(ws, y, 2, i < n ? tpl_label(defs, r->template) : "", g[0]);
		worksheet_write_number(ws, y, 3, r->expected, g[0]);
		worksheet_write_number(ws, y, 4, r->entered, g[0]);
		write_rate(ws, (int)y, 5, r->entry_rate, g[2], g[0]);
		worksheet_write_number(ws, y, 6, r->complete, g[0]);
		write_rate(ws, (int)y, 7, r->done_rate, g[2], g[0]);
		worksheet_write_number(ws, y, 8, r->submitted, g[0]);
		worksheet_write_number(ws, y, 9, r->approved, g[0]);
		worksheet_write_number(ws, y, 10, r->signed_, g[0]);
		worksheet_write_number(ws, y, 11, r->stale, g[0]);
		worksheet_write_number(ws, y, 12, r->new_week, g[0]);
		write_rate(ws, (int)y, 13, r->update_rate, g[2], g[0]);
		worksheet_write_number(ws, y, 14, r->verified, g[0]);
		write_rate(ws, (int)y, 15, r->verify_rate, g[2], g[0]);
		write_rate(ws, (int)y, 16, r->error_rate, g[0], g[0]);
	}
	page_setup(ws, row);
	if (n > 0) {
		/* Bars for the rates, as on the screen. */
		lxw_conditional_format cf = { .type = LXW_CONDITIONAL_DATA_BAR };

		worksheet_conditional_format_range(ws, (lxw_row_t)(row + 1), 5, (lxw_row_t)(row + (int)n), 5, &cf);
		worksheet_conditional_format_range(ws, (lxw_row_t)(row + 1), 7, (lxw_row_t)(row + (int)n), 7, &cf);
		rate_chart(wb, ws, sheet, row + 1, row + (int)n);
	}
	return board_xlsx_close(wb, tmp, work, path, cause);
}
