/* codes.c — see codes.h. */
#include "codes.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin.h"
#include "tsv.h"
#include "util.h"

static const char *const index_columns[] = {
	"id", "label", "tree", "source", "tag", "note", NULL
};
static const char *const table_columns[] = {
	"code", "name", "parent", "pick", "excl", "obsolete", "filter", "py", "tag", "note", NULL
};

static int
is_table_id(const char *s)
{
	if (!(*s >= 'A' && *s <= 'Z'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static const struct code_table *sort_table;

static int
code_cmp(const void *a, const void *b)
{
	return strcmp(sort_table->row[*(const size_t *)a].code,
	    sort_table->row[*(const size_t *)b].code);
}

static char *
opt(const char *s)
{
	return str_empty(s) ? NULL : xstrdup(s);
}

/* The row bisection finds among the sorted codes (with duplicates, which
 * forms check reports, one of them). */
static const struct code *
bisect(const struct code_table *t, const char *code)
{
	size_t lo = 0, hi = t->nrow;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(code, t->row[t->sorted[mid]].code);

		if (cmp == 0)
			return &t->row[t->sorted[mid]];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* FNV-1a: codes are short ASCII strings. */
static size_t
code_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Index every code by hash (after sorting).  A whole-file check looks up
 * about three codes per stored record — some twelve million over 100,000
 * persons — and bisecting a table of hundreds of codes costs a strcmp per
 * step.  Each slot holds the row bisection finds, so both agree when a
 * table repeats a code. */
static void
make_hash(struct code_table *t)
{
	t->nhash = 16;
	while (t->nhash < 2 * t->nrow)
		t->nhash *= 2;
	t->hash = xcalloc(t->nhash, sizeof *t->hash);
	for (size_t i = 0; i < t->nrow; i++) {
		const struct code *row = bisect(t, t->row[i].code);
		size_t k = code_hash(row->code) & (t->nhash - 1);

		while (t->hash[k] != 0 && t->hash[k] != (size_t)(row - t->row) + 1)
			k = (k + 1) & (t->nhash - 1);
		t->hash[k] = (size_t)(row - t->row) + 1;
	}
}

/* Read one table file into t; report problems to d. */
static void
codes_load_table(struct code_table *t, struct diag *d)
{
	struct tsv *f;
	char *cause = NULL;
	int ccode, cname, cparent, cpick, cexcl, cobs, cfilter, cpy, ctag;

	if (tsv_load(t->path, &f, d, &cause) != JZG_OK) {
		diag_add(d, "data/codes.tsv", t->line, "代码表 %s 的文件不可读：%s", t->id, cause);
		free(cause);
		return;
	}
	if (f->col == NULL) {
		tsv_free(f);
		return;
	}
	tsv_check_columns(f, table_columns, d);
	ccode = tsv_col(f, "code");
	cname = tsv_col(f, "name");
	cparent = tsv_col(f, "parent");
	cpick = tsv_col(f, "pick");
	cexcl = tsv_col(f, "excl");
	cobs = tsv_col(f, "obsolete");
	cfilter = tsv_col(f, "filter");
	cpy = tsv_col(f, "py");
	ctag = tsv_col(f, "tag");
	if (ccode < 0 || cname < 0)
		diag_add(d, f->path, f->header_line, "代码表必须有 code 和 name 两列");
	t->row = xcalloc(f->nrow, sizeof *t->row);
	for (size_t i = 0; i < f->nrow; i++) {
		const struct tsv_row *r = &f->row[i];
		struct code *c = &t->row[t->nrow];
		const char *pick = tsv_get(r, cpick), *excl = tsv_get(r, cexcl), *obs = tsv_get(r, cobs);

		if (str_empty(tsv_get(r, ccode)) || str_empty(tsv_get(r, cname))) {
			diag_add(d, f->path, r->line, "代码或名称为空");
			continue;
		}
		c->code = xstrdup(tsv_get(r, ccode));
		c->name = xstrdup(tsv_get(r, cname));
		c->parent = opt(tsv_get(r, cparent));
		c->filter = opt(tsv_get(r, cfilter));
		c->py = opt(tsv_get(r, cpy));
		c->tag = opt(tsv_get(r, ctag));
		c->pick = !str_eq(pick, "0");
		c->excl = str_eq(excl, "1");
		c->obsolete = str_eq(obs, "1");
		t->nobsolete += c->obsolete;
		c->line = r->line;
		if (!str_empty(pick) && !str_eq(pick, "0") && !str_eq(pick, "1"))
			diag_add(d, f->path, r->line, "pick 列只能是 0 或 1");
		if (!str_empty(excl) && !str_eq(excl, "0") && !str_eq(excl, "1"))
			diag_add(d, f->path, r->line, "excl 列只能是 0 或 1");
		if (!str_empty(obs) && !str_eq(obs, "0") && !str_eq(obs, "1"))
			diag_add(d, f->path, r->line, "obsolete 列只能是 0 或 1");
		t->nrow++;
	}
	/* sorted index; duplicates and unknown parents */
	t->sorted = xcalloc(t->nrow, sizeof *t->sorted);
	for (size_t i = 0; i < t->nrow; i++)
		t->sorted[i] = i;
	sort_table = t;
	xqsort(t->sorted, t->nrow, sizeof *t->sorted, code_cmp);
	for (size_t i = 1; i < t->nrow; i++)
		if (strcmp(t->row[t->sorted[i]].code, t->row[t->sorted[i - 1]].code) == 0)
			diag_add(d, f->path, t->row[t->sorted[i]].line, "代码 “%s” 重复",
			    t->row[t->sorted[i]].code);
	make_hash(t);
	for (size_t i = 0; i < t->nrow; i++) {
		struct code *c = &t->row[i];
		const struct code *p;
		int depth = 0;

		if (c->parent == NULL)
			continue;
		if (!t->tree)
			diag_add(d, f->path, c->line, "代码表 %s 不是树形表（codes.tsv 中 tree 不是 yes），不能有 parent", t->id);
		for (p = codes_find(t, c->parent); p != NULL && depth < 16;
		    p = p->parent ? codes_find(t, p->parent) : NULL)
			depth++;
		if (codes_find(t, c->parent) == NULL)
			diag_add(d, f->path, c->line, "上级代码 “%s” 不在本表中", c->parent);
		else if (depth >= 16)
			diag_add(d, f->path, c->line, "上级代码形成循环");
		c->depth = depth;
	}
	tsv_free(f);
}

enum jzg_status
codes_load(const char *datadir, struct codes **out, struct diag *d, char **cause)
{
	struct tsv *idx;
	struct codes *c;
	char *path = xasprintf("%s/codes.tsv", datadir);
	enum jzg_status st;
	int cid, clabel, ctree, csource, ctag;

	*out = NULL;
	st = tsv_load(path, &idx, d, cause);
	free(path);
	if (st != JZG_OK)
		return st;
	c = xcalloc(1, sizeof *c);
	if (idx->col != NULL)
		tsv_check_columns(idx, index_columns, d);
	cid = tsv_col(idx, "id");
	clabel = tsv_col(idx, "label");
	ctree = tsv_col(idx, "tree");
	csource = tsv_col(idx, "source");
	ctag = tsv_col(idx, "tag");
	c->tab = xcalloc(idx->nrow ? idx->nrow : 1, sizeof *c->tab);
	for (size_t i = 0; i < idx->nrow; i++) {
		const struct tsv_row *r = &idx->row[i];
		struct code_table *t;
		const char *id = tsv_get(r, cid), *tree = tsv_get(r, ctree);

		if (!is_table_id(id)) {
			diag_add(d, idx->path, r->line, "代码表编号 “%s” 不合规（应为大写字母、数字、下划线）", id);
			continue;
		}
		if (codes_table(c, id) != NULL) {
			diag_add(d, idx->path, r->line, "代码表 %s 重复", id);
			continue;
		}
		if (!str_empty(tree) && !str_eq(tree, "yes") && !str_eq(tree, "no"))
			diag_add(d, idx->path, r->line, "tree 列只能是 yes 或 no");
		if (str_empty(tsv_get(r, clabel)))
			diag_add(d, idx->path, r->line, "代码表 %s 没有 label", id);
		t = &c->tab[c->ntab++];
		t->id = xstrdup(id);
		t->label = xstrdup(tsv_get(r, clabel));
		t->source = opt(tsv_get(r, csource));
		t->tag = opt(tsv_get(r, ctag));
		t->tree = str_eq(tree, "yes");
		t->line = r->line;
		t->path = xasprintf("%s/codes/%s.tsv", datadir, id);
		codes_load_table(t, d);
	}
	tsv_free(idx);
	*out = c;
	return JZG_OK;
}

void
codes_free(struct codes *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ntab; i++) {
		struct code_table *t = &c->tab[i];

		for (size_t j = 0; j < t->nrow; j++) {
			free(t->row[j].code);
			free(t->row[j].name);
			free(t->row[j].parent);
			free(t->row[j].filter);
			free(t->row[j].py);
			free(t->row[j].tag);
		}
		free(t->row);
		free(t->sorted);
		free(t->hash);
		free(t->id);
		free(t->label);
		free(t->source);
		free(t->tag);
		free(t->path);
	}
	free(c->tab);
	free(c);
}

const struct code_table *
codes_table(const struct codes *c, const char *id)
{
	for (size_t i = 0; i < c->ntab; i++)
		if (strcmp(c->tab[i].id, id) == 0)
			return &c->tab[i];
	return NULL;
}

const struct code *
codes_find(const struct code_table *t, const char *code)
{
	size_t k;

	if (code == NULL || t->hash == NULL)
		return NULL;
	for (k = code_hash(code) & (t->nhash - 1); t->hash[k] != 0; k = (k + 1) & (t->nhash - 1))
		if (strcmp(t->row[t->hash[k] - 1].code, code) == 0)
			return &t->row[t->hash[k] - 1];
	return NULL;
}

/* Masks of the initials of a name, from its py pattern when given ("[cz]z"),
 * else from the built-in table.  Returns the count stored in m (max cap). */
static size_t
name_masks(const struct code *r, uint32_t *m, size_t cap)
{
	size_t n = 0;

	if (r->py != NULL) {
		for (const char *p = r->py; *p && n < cap; p++) {
			if (*p == '[') {
				uint32_t mask = 0;

				for (p++; *p && *p != ']'; p++)
					mask |= pinyin_mask((wchar_t)(unsigned char)*p);
				m[n++] = mask;
				if (*p == '\0')
					break;
			} else if (isalnum((unsigned char)*p))
				m[n++] = isdigit((unsigned char)*p) ? 0x80000000u | (uint32_t)*p :
				    pinyin_mask((wchar_t)(unsigned char)*p);
		}
		return n;
	}
	{
		const char *s = r->name;
		size_t len = strlen(s), k;
		wchar_t wc;

		while (len > 0 && n < cap && (k = utf8_decode(s, len, &wc)) > 0) {
			if (wc < 128 && isdigit((int)wc))
				m[n++] = 0x80000000u | (uint32_t)wc;
			else if (pinyin_mask(wc) != 0)
				m[n++] = pinyin_mask(wc);
			s += k;
			len -= k;
		}
	}
	return n;
}

int
codes_match(const struct code *r, const char *query)
{
	size_t ql = strlen(query), i;
	int digits = ql > 0, ascii = ql > 0;

	for (i = 0; i < ql; i++) {
		unsigned char ch = (unsigned char)query[i];

		if (!isdigit(ch))
			digits = 0;
		if (ch >= 128)
			ascii = 0;
	}
	if (ql == 0)
		return 1;
	if (digits || (ascii && strncmp(r->code, query, ql) == 0)) {
		if (strcmp(r->code, query) == 0)
			return 1000;
		if (strncmp(r->code, query, ql) == 0)
			return 900 - (int)strlen(r->code);
		if (digits)
			return 0;
	}
	if (ascii) {
		uint32_t m[64], q[64];
		size_t n = name_masks(r, m, 64), j;

		if (ql > 64)
			return 0;
		for (i = 0; i < ql; i++) {
			unsigned char ch = (unsigned char)tolower((unsigned char)query[i]);

			q[i] = isdigit(ch) ? 0x80000000u | ch : pinyin_mask((wchar_t)ch);
			if (q[i] == 0)
				return 0;
		}
		for (j = 0; j + ql <= n; j++) {
			for (i = 0; i < ql; i++) {
				if (q[i] & 0x80000000u ? q[i] != m[j + i] : !(q[i] & m[j + i]))
					break;
			}
			if (i == ql)
				return (j == 0 ? 800 : 500) - (int)n;
		}
		return 0;
	}
	{
		const char *hit = strstr(r->name, query);

		if (hit == r->name)
			return 700 - (int)strlen(r->name);
		if (hit != NULL)
			return 400 - (int)strlen(r->name);
	}
	return 0;
}
