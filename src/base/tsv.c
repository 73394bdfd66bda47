/* tsv.c — see tsv.h. */
#include "tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t
tsv_split(char *line, char ***out)
{
	size_t n = 1, i = 0;
	char **cells, *p;

	for (p = line; *p; p++)
		if (*p == '\t')
			n++;
	cells = xcalloc(n, sizeof *cells);
	p = line;
	for (;;) {
		char *tab = strchr(p, '\t');

		if (tab != NULL)
			*tab = '\0';
		cells[i++] = xstrdup(str_trim(p));
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	*out = cells;
	return n;
}

/* More than max tab-separated cells on line? */
static int
tabs_over(const char *line, int max)
{
	int n = 1;

	for (; *line; line++)
		if (*line == '\t' && ++n > max)
			return 1;
	return 0;
}

static void
tsv_cells_free(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

enum jzg_status
tsv_load(const char *path, struct tsv **out, struct diag *d, char **cause)
{
	FILE *fp;
	struct tsv *t;
	char *line = NULL;
	size_t cap = 0, rowcap = 0;
	ssize_t len;
	int lineno = 0;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return jzg_fail(cause, errno == ENOENT ? JZG_ERR_NOTFOUND : JZG_ERR_IO,
		    "无法打开 %s：%s", path, strerror(errno));
	t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char **cells;
		size_t n;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lineno == 1 && (unsigned char)line[0] == 0xEF &&
		    (unsigned char)line[1] == 0xBB && (unsigned char)line[2] == 0xBF)
			memmove(line, line + 3, (size_t)len - 2);   /* BOM left by WPS/Excel */
		if (line[0] == '#' || str_trim(line)[0] == '\0')
			continue;
		if (!utf8_valid(line)) {
			diag_add(d, path, lineno, "不是有效的 UTF-8 文本（请以 UTF-8 编码保存）");
			continue;
		}
		if (t->col == NULL && tabs_over(line, TSV_MAX_COLUMNS)) {
			/* a data line pasted above the header, or a damaged file:
			 * refused as a whole rather than checked column by column */
			diag_add(d, path, lineno, "表头超过 %d 列，不像本程序的定义表（是否把数据行当成了表头？）；"
			    "此文件未读取", TSV_MAX_COLUMNS);
			t->refused = 1;
			break;
		}
		n = tsv_split(line, &cells);
		if (t->col == NULL) {
			t->col = cells;
			t->ncol = n;
			t->header_line = lineno;
			continue;
		}
		while (n > t->ncol && cells[n - 1][0] == '\0')
			free(cells[--n]);   /* trailing empty cells are harmless */
		if (n > t->ncol) {
			diag_add(d, path, lineno, "本行有 %zu 列，多于表头的 %zu 列", n, t->ncol);
			tsv_cells_free(cells, n);
			continue;
		}
		if (t->nrow == rowcap) {
			rowcap = rowcap ? rowcap * 2 : 32;
			t->row = xreallocarray(t->row, rowcap, sizeof *t->row);
		}
		t->row[t->nrow].line = lineno;
		t->row[t->nrow].cell = cells;
		t->row[t->nrow].ncell = n;
		t->nrow++;
	}
	free(line);
	if (ferror(fp)) {
		fclose(fp);
		tsv_free(t);
		return jzg_fail(cause, JZG_ERR_IO, "读取 %s 失败", path);
	}
	fclose(fp);
	if (t->col == NULL && !t->refused)
		diag_add(d, path, 0, "文件没有表头行");
	*out = t;
	return JZG_OK;
}

void
tsv_free(struct tsv *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrow; i++)
		tsv_cells_free(t->row[i].cell, t->row[i].ncell);
	tsv_cells_free(t->col, t->ncol);
	free(t->row);
	free(t->path);
	free(t);
}

int
tsv_col(const struct tsv *t, const char *name)
{
	for (size_t i = 0; i < t->ncol; i++)
		if (strcmp(t->col[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
tsv_get(const struct tsv_row *r, int c)
{
	if (c < 0 || (size_t)c >= r->ncell)
		return "";
	return r->cell[c];
}

void
tsv_check_columns(const struct tsv *t, const char *const *allowed, struct diag *d)
{
	size_t na = 0;
	unsigned char *seen;

	/* one pass over the header against the short allowed list: a header of
	 * many columns (already capped at TSV_MAX_COLUMNS) stays linear */
	while (allowed[na] != NULL)
		na++;
	seen = xcalloc(na + 1, 1);
	for (size_t i = 0; i < t->ncol; i++) {
		size_t a;

		for (a = 0; a < na; a++)
			if (strcmp(allowed[a], t->col[i]) == 0)
				break;
		if (a == na)
			diag_add(d, t->path, t->header_line, "未知的列 “%s”", t->col[i]);
		else if (seen[a]++)
			diag_add(d, t->path, t->header_line, "列 “%s” 重复", t->col[i]);
	}
	free(seen);
}
