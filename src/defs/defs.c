/* defs.c — loading forms/ into struct defs; see defs.h and
 * docs/forms-format.md.  Structural problems are found here; expressions
 * are compiled against a real schema by lint.c. */
#include "defs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tsv.h"
#include "fieldtype.h"
#include "util.h"

#define DEFS_NAME(e, s) s,
const char *const field_col_name[FC__COUNT] = { FIELD_COLUMNS(DEFS_NAME) };
static const char *const set_col_name[SC__COUNT] = { SET_COLUMNS(DEFS_NAME) };
static const char *const template_col_name[TC__COUNT] = { TEMPLATE_COLUMNS(DEFS_NAME) };
static const char *const check_col_name[CC__COUNT] = { CHECK_COLUMNS(DEFS_NAME) };
const char *const setting_key_name[SK__COUNT] = { SETTING_KEYS(DEFS_NAME) };
#undef DEFS_NAME

/* Names a field may not take: they are the columns of a code row in
 * choice_filter, or columns the store adds itself. */
static const char *const reserved_names[] = {
	"code", "name", "parent", "filter", "pick", "excl", "id", "staff_id", "seq", NULL
};

static const char *
intern(struct defs *defs, const char *path)
{
	for (size_t i = 0; i < defs->nfile; i++)
		if (strcmp(defs->file[i], path) == 0)
			return defs->file[i];
	defs->file = xreallocarray(defs->file, defs->nfile + 1, sizeof *defs->file);
	return defs->file[defs->nfile++] = xstrdup(path);
}

/* Copy the cells of row r into v[] by column name. */
static void
row_cells(const struct tsv *t, const struct tsv_row *r, const char *const *names, size_t n,
    char **v)
{
	for (size_t c = 0; c < n; c++) {
		const char *s = tsv_get(r, tsv_col(t, names[c]));

		v[c] = str_empty(s) ? NULL : xstrdup(s);
	}
}

/* A NULL-terminated column list for tsv_check_columns: names + extra. */
static const char **
column_list(const char *const *names, size_t n, const char *const *extra)
{
	size_t ne = 0, i;
	const char **l;

	while (extra && extra[ne])
		ne++;
	l = xcalloc(n + ne + 1, sizeof *l);
	for (i = 0; i < ne; i++)
		l[i] = extra[i];
	for (i = 0; i < n; i++)
		l[ne + i] = names[i];
	return l;
}

/* The start of reading every definitions table: path's rows, with header
 * columns that are not names (+ extra, NULL-terminated, may be NULL)
 * reported to d.  NULL, with the reason in *cause (caller frees), when the
 * file cannot be read; else the caller tsv_frees the result. */
static struct tsv *
load_table(const char *path, const char *const *names, size_t n, const char *const *extra,
    struct diag *d, char **cause)
{
	struct tsv *t;
	const char **cols;

	if (tsv_load(path, &t, d, cause) != JZG_OK)
		return NULL;
	cols = column_list(names, n, extra);
	if (t->col != NULL)
		tsv_check_columns(t, cols, d);
	free(cols);
	return t;
}

static int
is_ident(const char *s, int upper)
{
	if (s == NULL || !(upper ? (*s >= 'A' && *s <= 'Z') : (*s >= 'a' && *s <= 'z')))
		return 0;
	for (s++; *s; s++)
		if (!((upper ? (*s >= 'A' && *s <= 'Z') : (*s >= 'a' && *s <= 'z')) ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void
field_clear(struct field_def *f)
{
	for (int c = 0; c < FC__COUNT; c++)
		free(f->v[c]);
}

static void
field_copy(struct field_def *dst, const struct field_def *src)
{
	*dst = *src;
	for (int c = 0; c < FC__COUNT; c++)
		dst->v[c] = xstrdup(src->v[c]);
}

static void
set_clear(struct set_def *s)
{
	for (int c = 0; c < SC__COUNT; c++)
		free(s->v[c]);
	for (size_t i = 0; i < s->nfield; i++)
		field_clear(&s->field[i]);
	free(s->field);
}

static void
set_copy(struct set_def *dst, const struct set_def *src)
{
	*dst = *src;
	for (int c = 0; c < SC__COUNT; c++)
		dst->v[c] = xstrdup(src->v[c]);
	dst->field = xcalloc(src->nfield ? src->nfield : 1, sizeof *dst->field);
	for (size_t i = 0; i < src->nfield; i++)
		field_copy(&dst->field[i], &src->field[i]);
}

const struct set_def *
defs_set(const struct set_def *sets, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(sets[i].v[SC_NAME], name))
			return &sets[i];
	return NULL;
}

int
set_field_index(const struct set_def *s, const char *name)
{
	for (size_t i = 0; i < s->nfield; i++)
		if (str_eq(s->field[i].v[FC_NAME], name))
			return (int)i;
	return -1;
}

const struct field_def *
set_field(const struct set_def *s, const char *name)
{
	int i = set_field_index(s, name);

	return i < 0 ? NULL : &s->field[i];
}

const struct template_def *
defs_template(const struct defs *defs, const char *name)
{
	for (size_t i = 0; i < defs->ntpl; i++)
		if (str_eq(defs->tpl[i].v[TC_NAME], name))
			return &defs->tpl[i];
	return NULL;
}

const struct set_def *
template_person_set(const struct defs *defs, const struct template_def *t)
{
	return defs_set(t->set, t->nset, defs->setting[SK_PERSON_SET]);
}

static int
is_number(const char *s)
{
	char *end;

	if (str_empty(s))
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

/* Derive the typed view of f.  Problems go to d when d is not NULL. */
/* A required cell (of a field or a set): yes, empty/no, or an expression. */
static enum field_req
req_of(const char *v)
{
	return v == NULL || strcmp(v, "no") == 0 ? REQ_NO : strcmp(v, "yes") == 0 ? REQ_YES : REQ_EXPR;
}

static void
field_finish(struct defs *defs, struct field_def *f, struct diag *d)
{
	const char *type = f->v[FC_TYPE], *v;
	const struct fieldtype *ft;
	const char *file = f->file;
	int line = f->line;

	f->table = NULL;
	f->table_id = NULL;
	f->type = FT_TEXT;
	if (!is_ident(f->v[FC_NAME], 1)) {
		if (d) diag_add(d, file, line, "指标名 “%s” 不合规（应为大写字母开头的字母、数字、下划线）",
		    f->v[FC_NAME] ? f->v[FC_NAME] : "");
	} else {
		for (const char *const *r = reserved_names; *r; r++)
			if (strcasecmp(*r, f->v[FC_NAME]) == 0 && d)
				diag_add(d, file, line, "指标名 “%s” 是保留字，请换一个", f->v[FC_NAME]);
	}
	if (str_empty(f->v[FC_LABEL]) && d)
		diag_add(d, file, line, "指标 %s 没有 label（中文名称）", f->v[FC_NAME]);
	if (type == NULL) {
		if (d) diag_add(d, file, line, "指标 %s 没有 type", f->v[FC_NAME]);
	} else if ((ft = fieldtype_parse(type, &f->table_id)) != NULL)
		f->type = ft->type;
	else if (d) {
		char *names = fieldtype_names();

		diag_add(d, file, line, "未知的类型 “%s”（可用：%s）", type, names);
		free(names);
	}
	ft = fieldtype_of(f);
	if (f->table_id != NULL) {
		f->table = defs->codes ? codes_table(defs->codes, f->table_id) : NULL;
		if (f->table == NULL && d)
			diag_add(d, file, line, "未知的代码表 “%s”（data/codes.tsv 中没有）", f->table_id);
	}

	f->required = req_of(f->v[FC_REQUIRED]);

	f->length = 0;
	if ((v = f->v[FC_LENGTH]) != NULL) {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end != '\0' || n <= 0 || n > 32767) {
			if (d) diag_add(d, file, line, "length “%s” 应为 1–32767 的整数", v);
		} else
			f->length = (int)n;
	}
	f->readonly = str_eq(f->v[FC_READONLY], "yes");
	f->index = str_eq(f->v[FC_INDEX], "yes");
	if (d && f->v[FC_READONLY] && !f->readonly && strcmp(f->v[FC_READONLY], "no") != 0)
		diag_add(d, file, line, "readonly 只能是 yes 或 no");
	if (d && f->v[FC_INDEX] && !f->index && strcmp(f->v[FC_INDEX], "no") != 0)
		diag_add(d, file, line, "index 只能是 yes 或 no");

	for (int c = FC_MIN; c <= FC_MAX; c++) {
		if ((v = f->v[c]) == NULL || d == NULL)
			continue;
		if (ft->pattern != NULL) {
			if (!ft->valid(v))
				diag_add(d, file, line, "%s “%s” 应为 %s", field_col_name[c], v, ft->pattern);
		} else if (ft->places >= 0) {
			if (!is_number(v))
				diag_add(d, file, line, "%s “%s” 应为数字", field_col_name[c], v);
		} else
			diag_add(d, file, line, "%s 只适用于数字和日期类指标", field_col_name[c]);
	}

	if ((v = f->v[FC_DEFAULT]) != NULL && v[0] != '=' && d) {
		if (f->table != NULL) {
			char *copy = xstrdup(v), *save = NULL;

			for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				if (codes_find(f->table, tok) == NULL)
					diag_add(d, file, line, "默认值 “%s” 不在代码表 %s 中", tok, f->table->id);
			free(copy);
		} else if (ft->places >= 0 && !is_number(v))
			diag_add(d, file, line, "默认值 “%s” 应为数字", v);
		else if (ft->pattern != NULL && !ft->valid(v))
			diag_add(d, file, line, "默认值 “%s” 日期格式不对", v);
	}
	if (d && f->v[FC_CHOICE_FILTER] && f->table == NULL && f->table_id == NULL)
		diag_add(d, file, line, "choice_filter 只适用于代码类指标");
	if (d && f->v[FC_CONSTRAINT] && !f->v[FC_CONSTRAINT_MESSAGE])
		diag_add(d, file, line, "指标 %s 有 constraint 但没有 constraint_message", f->v[FC_NAME]);
}

/* Read forms/sets/<name>.tsv into s. */
static void
load_fields(struct defs *defs, struct set_def *s, struct diag *d)
{
	char *path = xasprintf("%s/sets/%s.tsv", defs->formsdir, s->v[SC_NAME]);
	struct tsv *t;
	char *cause = NULL;

	if ((t = load_table(path, field_col_name, FC__COUNT, NULL, d, &cause)) == NULL) {
		diag_add(d, s->file, s->line, "信息集 %s 的指标文件不可读：%s", s->v[SC_NAME], cause);
		free(cause);
		free(path);
		return;
	}
	s->field = xcalloc(t->nrow ? t->nrow : 1, sizeof *s->field);
	for (size_t i = 0; i < t->nrow; i++) {
		struct field_def *f = &s->field[s->nfield];

		row_cells(t, &t->row[i], field_col_name, FC__COUNT, f->v);
		f->file = intern(defs, path);
		f->line = t->row[i].line;
		if (f->v[FC_NAME] && set_field(s, f->v[FC_NAME]) != NULL) {
			diag_add(d, f->file, f->line, "指标名 %s 在本信息集中重复", f->v[FC_NAME]);
			field_clear(f);
			continue;
		}
		s->nfield++;
		field_finish(defs, f, d);
	}
	if (s->nfield == 0)
		diag_add(d, path, 0, "信息集 %s 没有任何指标", s->v[SC_NAME]);
	tsv_free(t);
	free(path);
}

static void
load_settings(struct defs *defs, struct diag *d)
{
	char *path = xasprintf("%s/settings.tsv", defs->formsdir);
	static const char *const cols[] = { "key", "value", "source", "tag" };
	struct tsv *t;
	char *cause = NULL;
	int line = 0;

	if ((t = load_table(path, cols, 4, NULL, d, &cause)) == NULL) {
		diag_add(d, path, 0, "%s", cause);
		free(cause);
		free(path);
		return;
	}
	for (size_t i = 0; i < t->nrow; i++) {
		const char *k = tsv_get(&t->row[i], tsv_col(t, "key"));
		const char *v = tsv_get(&t->row[i], tsv_col(t, "value"));
		int key;

		for (key = 0; key < SK__COUNT; key++)
			if (strcmp(k, setting_key_name[key]) == 0)
				break;
		if (key == SK__COUNT) {
			diag_add(d, path, t->row[i].line, "未知的设置项 “%s”", k);
			continue;
		}
		free(defs->setting[key]);
		defs->setting[key] = xstrdup(v);
	}
	line = t->header_line;
	for (int key = 0; key < SK__COUNT; key++)
		if (str_empty(defs->setting[key]))
			diag_add(d, path, line, "缺少设置项 %s", setting_key_name[key]);
	tsv_free(t);
	free(path);
}

/* The next name of a key list (space-separated field names) from *p, or
 * NULL at the end; *len gets its length. */
static const char *
key_next(const char **p, size_t *len)
{
	const char *q = *p;

	while (*q == ' ')
		q++;
	if (*q == '\0')
		return NULL;
	*p = q;
	while (**p != '\0' && **p != ' ')
		(*p)++;
	*len = (size_t)(*p - q);
	return q;
}

size_t
set_key_fields(const struct set_def *s, int **idx)
{
	const char *p = s->v[SC_KEY] ? s->v[SC_KEY] : "", *name;
	size_t len, n = 0;

	*idx = NULL;
	while ((name = key_next(&p, &len)) != NULL) {
		char *fn = xstrndup(name, len);
		int i = set_field_index(s, fn);

		free(fn);
		if (i < 0)
			continue;
		*idx = xreallocarray(*idx, n + 1, sizeof **idx);
		(*idx)[n++] = i;
	}
	return n;
}

char *
set_key_sql(const struct set_def *s, const char *alias)
{
	struct strbuf b = { 0 };
	int *idx;
	size_t n = set_key_fields(s, &idx);

	if (n == 0)
		strbuf_adds(&b, "''");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&b, "%scoalesce(%s.\"%s\", '')", i ? " || char(31) || " : "", alias,
		    s->field[idx[i]].v[FC_NAME]);
	free(idx);
	return strbuf_take(&b);
}

/* A natural key names fields of its own set, once each, and only a
 * many-record set has one (a one-record set's record is the person's). */
static void
check_key(const struct set_def *s, const char *path, struct diag *d)
{
	const char *p = s->v[SC_KEY] ? s->v[SC_KEY] : "", *name;
	size_t len;

	if (s->v[SC_KEY] != NULL && !s->many)
		diag_add(d, path, s->line, "信息集 %s 只有一条记录，不需要 key", s->v[SC_NAME]);
	while ((name = key_next(&p, &len)) != NULL) {
		char *fn = xstrndup(name, len);

		if (set_field(s, fn) == NULL)
			diag_add(d, path, s->line, "信息集 %s 的 key 中的指标 “%s” 不在该信息集中", s->v[SC_NAME], fn);
		else if (strstr(p, fn) != NULL) {
			const char *r = p, *again;
			size_t l2;

			while ((again = key_next(&r, &l2)) != NULL)
				if (l2 == len && memcmp(again, fn, len) == 0)
					break;
			if (again != NULL)
				diag_add(d, path, s->line, "信息集 %s 的 key 中指标 “%s” 重复", s->v[SC_NAME], fn);
		}
		free(fn);
	}
}

const struct field_def *
rename_multi_field(const struct defs *defs, const struct rename_def *r)
{
	const struct set_def *s = r->field ? defs_set(defs->all, defs->nall, r->set) : NULL;
	const struct field_def *f = s ? set_field(s, r->field) : NULL;

	return f != NULL && f->table != NULL && fieldtype_of(f)->coded == 2 ? f : NULL;
}

/* forms/renames.tsv (optional: none when missing), checked against this
 * version's definitions: a renamed field's new name and a code's new
 * codes must exist, the old field name must be gone. */
static void
load_renames(struct defs *defs, struct diag *d)
{
	static const char *const cols[] = { "version", "kind", "set", "field", "old", "new", "note" };
	static const char *const kinds[] = { "field", "code", "split" };
	char *path = xasprintf("%s/renames.tsv", defs->formsdir), *end = NULL;
	struct tsv *t;
	char *cause = NULL;

	if (defs->setting[SK_FORMS_VERSION] != NULL) {
		long v = strtol(defs->setting[SK_FORMS_VERSION], &end, 10);

		if (*end != '\0' || v < 2000 || v > 9999)
			diag_add(d, "settings.tsv", 0, "forms_version “%s” 应为年份，如 2026", defs->setting[SK_FORMS_VERSION]);
		else
			defs->version = (int)v;
	}
	if (access(path, F_OK) != 0 || (t = load_table(path, cols, 7, NULL, d, &cause)) == NULL) {
		free(cause);
		free(path);
		return;
	}
	defs->rename = xcalloc(t->nrow ? t->nrow : 1, sizeof *defs->rename);
	for (size_t i = 0; i < t->nrow; i++) {
		struct rename_def *r = &defs->rename[defs->nrename];
		const char *v = tsv_get(&t->row[i], tsv_col(t, "version")), *k = tsv_get(&t->row[i], tsv_col(t, "kind"));
		const struct set_def *s;
		const struct field_def *f;
		int kind = -1;

		memset(r, 0, sizeof *r);
		r->line = t->row[i].line;
		for (int j = 0; j < 3; j++)
			if (str_eq(k, kinds[j]))
				kind = j;
		r->version = (int)strtol(v ? v : "0", &end, 10);
		if (kind < 0 || r->version <= 0 || *end != '\0' || (defs->version && r->version > defs->version)) {
			diag_add(d, path, r->line, "kind 应为 field、code 或 split，version 应为不晚于 forms_version 的年份");
			continue;
		}
		r->kind = (enum rename_kind)kind;
		r->set = xstrdup(tsv_get(&t->row[i], tsv_col(t, "set")));
		r->field = str_empty(tsv_get(&t->row[i], tsv_col(t, "field"))) ? NULL :
		    xstrdup(tsv_get(&t->row[i], tsv_col(t, "field")));
		r->old = xstrdup(tsv_get(&t->row[i], tsv_col(t, "old")));
		r->new = xstrdup(tsv_get(&t->row[i], tsv_col(t, "new")));
		defs->nrename++;
		if ((s = defs_set(defs->all, defs->nall, r->set)) == NULL) {
			diag_add(d, path, r->line, "信息集 “%s” 不存在", r->set);
			continue;
		}
		if (str_empty(r->old) || str_empty(r->new)) {
			diag_add(d, path, r->line, "old 和 new 都要填");
			continue;
		}
		if (r->kind == RN_FIELD) {
			if (set_field(s, r->new) == NULL)
				diag_add(d, path, r->line, "改名后的指标 “%s” 不在信息集 %s 中", r->new, r->set);
			if (set_field(s, r->old) != NULL)
				diag_add(d, path, r->line, "旧指标名 “%s” 仍在信息集 %s 中", r->old, r->set);
			continue;
		}
		if (r->field == NULL || (f = set_field(s, r->field)) == NULL || f->table == NULL) {
			diag_add(d, path, r->line, "field 应为信息集 %s 中用代码表的指标", r->set);
			continue;
		}
		for (char *p = r->new, *bar; p != NULL; p = bar ? bar + 1 : NULL) {
			char *code;

			bar = strchr(p, '|');
			code = bar ? xstrndup(p, (size_t)(bar - p)) : xstrdup(p);
			if (codes_find(f->table, code) == NULL)
				diag_add(d, path, r->line, "新代码 “%s” 不在代码表 %s 中", code, f->table_id);
			free(code);
		}
	}
	tsv_free(t);
	free(path);
}

static void
load_sets(struct defs *defs, struct diag *d)
{
	char *path = xasprintf("%s/sets.tsv", defs->formsdir);
	struct tsv *t;
	char *cause = NULL;

	if ((t = load_table(path, set_col_name, SC__COUNT, NULL, d, &cause)) == NULL) {
		diag_add(d, path, 0, "%s", cause);
		free(cause);
		free(path);
		return;
	}
	defs->base = xcalloc(t->nrow ? t->nrow : 1, sizeof *defs->base);
	for (size_t i = 0; i < t->nrow; i++) {
		struct set_def *s = &defs->base[defs->nbase];
		const char *rec;

		row_cells(t, &t->row[i], set_col_name, SC__COUNT, s->v);
		s->file = intern(defs, path);
		s->line = t->row[i].line;
		s->defs = defs;
		if (!is_ident(s->v[SC_NAME], 0)) {
			diag_add(d, path, s->line, "信息集名 “%s” 不合规（应为小写字母开头的字母、数字、下划线）",
			    s->v[SC_NAME] ? s->v[SC_NAME] : "");
			set_clear(s);
			memset(s, 0, sizeof *s);
			continue;
		}
		if (defs_set(defs->base, defs->nbase, s->v[SC_NAME]) != NULL) {
			diag_add(d, path, s->line, "信息集 %s 重复", s->v[SC_NAME]);
			set_clear(s);
			memset(s, 0, sizeof *s);
			continue;
		}
		if (str_empty(s->v[SC_LABEL]))
			diag_add(d, path, s->line, "信息集 %s 没有 label", s->v[SC_NAME]);
		rec = s->v[SC_RECORDS];
		if (!str_eq(rec, "one") && !str_eq(rec, "many"))
			diag_add(d, path, s->line, "records 应为 one 或 many");
		s->many = str_eq(rec, "many");
		s->required = req_of(s->v[SC_REQUIRED]);
		defs->nbase++;
		load_fields(defs, s, d);
		check_key(s, path, d);
	}
	tsv_free(t);
	free(path);
}

/* Apply forms/templates/<name>.tsv to tpl's copy of the shared sets. */
static void
apply_overlay(struct defs *defs, struct template_def *tpl, struct diag *d)
{
	static const char *const extra[] = { "op", "set", "after", "required_tag", NULL };
	char *path = xasprintf("%s/templates/%s.tsv", defs->formsdir, tpl->v[TC_NAME]);
	struct tsv *t;
	char *cause = NULL;
	int cop, cset, cname, cafter;

	if ((t = load_table(path, field_col_name, FC__COUNT, extra, d, &cause)) == NULL) {
		diag_add(d, "templates.tsv", tpl->line, "模板 %s 缺少差异文件：%s", tpl->v[TC_NAME], cause);
		free(cause);
		free(path);
		return;
	}
	cop = tsv_col(t, "op");
	cset = tsv_col(t, "set");
	cname = tsv_col(t, "name");
	cafter = tsv_col(t, "after");
	for (size_t i = 0; i < t->nrow; i++) {
		const struct tsv_row *r = &t->row[i];
		const char *op = tsv_get(r, cop), *sname = tsv_get(r, cset);
		const char *fname = tsv_get(r, cname), *after = tsv_get(r, cafter);
		struct set_def *s = (struct set_def *)defs_set(tpl->set, tpl->nset, sname);
		int fi;

		if (s == NULL) {
			diag_add(d, path, r->line, "模板修改了不存在的信息集 “%s”", sname);
			continue;
		}
		if (strcmp(op, "modifyset") == 0) {
			/* the set-level columns a template may change: whether a
			 * person must have a record there (docs/forms-format.md) */
			static const enum set_col sc[] = { SC_REQUIRED, SC_REQUIRED_TAG };

			for (size_t c = 0; c < sizeof sc / sizeof *sc; c++) {
				const char *v = tsv_get(r, tsv_col(t, set_col_name[sc[c]]));

				if (str_empty(v))
					continue;
				free(s->v[sc[c]]);
				s->v[sc[c]] = strcmp(v, "-") == 0 ? NULL : xstrdup(v);
			}
			s->required = req_of(s->v[SC_REQUIRED]);
			s->file = intern(defs, path);
			s->line = r->line;
			continue;
		}
		if (strcmp(op, "dropset") == 0) {
			size_t k = (size_t)(s - tpl->set);

			set_clear(s);
			memmove(s, s + 1, (tpl->nset - k - 1) * sizeof *s);
			tpl->nset--;
			continue;
		}
		fi = set_field_index(s, fname);
		if (strcmp(op, "add") == 0) {
			struct field_def nf = { 0 };
			int pos = (int)s->nfield;

			if (fi >= 0) {
				diag_add(d, path, r->line, "信息集 %s 中已有指标 %s，不能再 add（要改请用 modify）", sname, fname);
				continue;
			}
			if (!str_empty(after) && (pos = set_field_index(s, after)) < 0) {
				diag_add(d, path, r->line, "after 指向的指标 “%s” 不在信息集 %s 中", after, sname);
				continue;
			} else if (!str_empty(after))
				pos++;
			row_cells(t, r, field_col_name, FC__COUNT, nf.v);
			nf.file = intern(defs, path);
			nf.line = r->line;
			s->field = xreallocarray(s->field, s->nfield + 1, sizeof *s->field);
			memmove(&s->field[pos + 1], &s->field[pos], (s->nfield - (size_t)pos) * sizeof *s->field);
			s->field[pos] = nf;
			s->nfield++;
			field_finish(defs, &s->field[pos], d);
		} else if (strcmp(op, "drop") == 0) {
			if (fi < 0) {
				diag_add(d, path, r->line, "要删除的指标 “%s” 不在信息集 %s 中", fname, sname);
				continue;
			}
			field_clear(&s->field[fi]);
			memmove(&s->field[fi], &s->field[fi + 1], (s->nfield - (size_t)fi - 1) * sizeof *s->field);
			s->nfield--;
		} else if (strcmp(op, "modify") == 0) {
			struct field_def *f;

			if (fi < 0) {
				diag_add(d, path, r->line, "要修改的指标 “%s” 不在信息集 %s 中", fname, sname);
				continue;
			}
			f = &s->field[fi];
			for (int c = 0; c < FC__COUNT; c++) {
				const char *v = tsv_get(r, tsv_col(t, field_col_name[c]));

				if (c == FC_NAME || str_empty(v))
					continue;
				free(f->v[c]);
				f->v[c] = strcmp(v, "-") == 0 ? NULL : xstrdup(v);
			}
			f->file = intern(defs, path);
			f->line = r->line;
			field_finish(defs, f, d);
		} else
			diag_add(d, path, r->line, "未知的操作 “%s”（可用：add drop modify dropset modifyset）", op);
	}
	tsv_free(t);
	free(path);
}

static void
load_templates(struct defs *defs, struct diag *d)
{
	char *path = xasprintf("%s/templates.tsv", defs->formsdir);
	struct tsv *t;
	char *cause = NULL;

	if ((t = load_table(path, template_col_name, TC__COUNT, NULL, d, &cause)) == NULL) {
		diag_add(d, path, 0, "%s", cause);
		free(cause);
		free(path);
		return;
	}
	defs->tpl = xcalloc(t->nrow ? t->nrow : 1, sizeof *defs->tpl);
	for (size_t i = 0; i < t->nrow; i++) {
		struct template_def *tp = &defs->tpl[defs->ntpl];

		row_cells(t, &t->row[i], template_col_name, TC__COUNT, tp->v);
		tp->line = t->row[i].line;
		if (!is_ident(tp->v[TC_NAME], 0) || defs_template(defs, tp->v[TC_NAME]) != NULL) {
			diag_add(d, path, tp->line, "模板名 “%s” 不合规或重复", tp->v[TC_NAME] ? tp->v[TC_NAME] : "");
			for (int c = 0; c < TC__COUNT; c++)
				free(tp->v[c]);
			memset(tp, 0, sizeof *tp);
			continue;
		}
		if (str_empty(tp->v[TC_LABEL]) || str_empty(tp->v[TC_TITLE]))
			diag_add(d, path, tp->line, "模板 %s 缺少 label 或 title", tp->v[TC_NAME]);
		tp->set = xcalloc(defs->nbase ? defs->nbase : 1, sizeof *tp->set);
		for (size_t k = 0; k < defs->nbase; k++)
			set_copy(&tp->set[k], &defs->base[k]);
		tp->nset = defs->nbase;
		defs->ntpl++;
		apply_overlay(defs, tp, d);
	}
	if (defs->ntpl == 0)
		diag_add(d, path, 0, "没有定义任何模板");
	tsv_free(t);
	free(path);
}

static void
load_checks(struct defs *defs, struct diag *d)
{
	char *path = xasprintf("%s/checks.tsv", defs->formsdir);
	struct tsv *t;
	char *cause = NULL;

	if ((t = load_table(path, check_col_name, CC__COUNT, NULL, d, &cause)) == NULL) {
		diag_add(d, path, 0, "%s", cause);
		free(cause);
		free(path);
		return;
	}
	defs->check = xcalloc(t->nrow ? t->nrow : 1, sizeof *defs->check);
	for (size_t i = 0; i < t->nrow; i++) {
		struct check_def *c = &defs->check[defs->ncheck];
		const struct set_def *s;
		const char *sev;
		int bad = 0;

		row_cells(t, &t->row[i], check_col_name, CC__COUNT, c->v);
		c->line = t->row[i].line;
		for (size_t k = 0; k < defs->ncheck; k++)
			if (str_eq(defs->check[k].v[CC_NAME], c->v[CC_NAME]))
				bad = 1;
		if (!is_ident(c->v[CC_NAME], 0) && !is_ident(c->v[CC_NAME], 1))
			bad = 1;
		if (bad)
			diag_add(d, path, c->line, "规则名 “%s” 不合规或重复", c->v[CC_NAME] ? c->v[CC_NAME] : "");
		s = defs_set(defs->all, defs->nall, c->v[CC_SET]);
		if (s == NULL)
			diag_add(d, path, c->line, "规则 %s 的信息集 “%s” 不存在", c->v[CC_NAME],
			    c->v[CC_SET] ? c->v[CC_SET] : "");
		else if (c->v[CC_FIELD] == NULL || set_field(s, c->v[CC_FIELD]) == NULL)
			diag_add(d, path, c->line, "规则 %s 指向的指标 “%s” 不在信息集 %s 中", c->v[CC_NAME],
			    c->v[CC_FIELD] ? c->v[CC_FIELD] : "", c->v[CC_SET]);
		sev = c->v[CC_SEVERITY];
		if (!str_eq(sev, "error") && !str_eq(sev, "warning"))
			diag_add(d, path, c->line, "severity 应为 error 或 warning");
		c->warning = str_eq(sev, "warning");
		if (c->v[CC_TEMPLATES] != NULL) {
			char *copy = xstrdup(c->v[CC_TEMPLATES]), *save = NULL;

			for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				if (defs_template(defs, tok) == NULL)
					diag_add(d, path, c->line, "未知的模板 “%s”", tok);
			free(copy);
		}
		if (str_empty(c->v[CC_CONSTRAINT]) || str_empty(c->v[CC_MESSAGE]))
			diag_add(d, path, c->line, "规则 %s 缺少 constraint 或 message", c->v[CC_NAME]);
		defs->ncheck++;
	}
	tsv_free(t);
	free(path);
}

/* The store holds, per set, every field any template has. */
static void
build_union(struct defs *defs)
{
	defs->all = xcalloc(defs->nbase ? defs->nbase : 1, sizeof *defs->all);
	for (size_t k = 0; k < defs->nbase; k++)
		set_copy(&defs->all[k], &defs->base[k]);
	defs->nall = defs->nbase;
	for (size_t i = 0; i < defs->ntpl; i++) {
		const struct template_def *tp = &defs->tpl[i];

		for (size_t k = 0; k < tp->nset; k++) {
			struct set_def *u = (struct set_def *)defs_set(defs->all, defs->nall,
			    tp->set[k].v[SC_NAME]);

			for (size_t j = 0; u && j < tp->set[k].nfield; j++) {
				const struct field_def *f = &tp->set[k].field[j];

				if (f->v[FC_NAME] == NULL || set_field(u, f->v[FC_NAME]) != NULL)
					continue;
				u->field = xreallocarray(u->field, u->nfield + 1, sizeof *u->field);
				field_copy(&u->field[u->nfield++], f);
			}
		}
	}
}

static void
check_settings(struct defs *defs, struct diag *d)
{
	const struct set_def *ps = defs_set(defs->base, defs->nbase, defs->setting[SK_PERSON_SET]);
	char *path = xasprintf("%s/settings.tsv", defs->formsdir);

	if (defs->setting[SK_PERSON_SET] && ps == NULL)
		diag_add(d, path, 0, "person_set “%s” 不是已定义的信息集", defs->setting[SK_PERSON_SET]);
	else if (ps != NULL && ps->many)
		diag_add(d, path, 0, "person_set 必须是每人一条记录（records one）的信息集");
	for (int k = SK_PERSON_NAME; k <= SK_PERSON_STATUS && ps; k++)
		if (defs->setting[k] && set_field(ps, defs->setting[k]) == NULL)
			diag_add(d, path, 0, "%s “%s” 不是信息集 %s 的指标", setting_key_name[k],
			    defs->setting[k], ps->v[SC_NAME]);
	for (size_t i = 0; i < defs->ntpl && ps; i++)
		for (size_t k = 0; k < defs->tpl[i].nset; k++)
			if (defs->tpl[i].set[k].required != REQ_NO && str_eq(defs->tpl[i].set[k].v[SC_NAME], ps->v[SC_NAME]))
				diag_add(d, defs->tpl[i].set[k].file, defs->tpl[i].set[k].line,
				    "person_set %s 本身不能设 required（每人必有一条）", ps->v[SC_NAME]);
	for (int k = SK_SCHOOL_CLASS_TABLE; k <= SK_SCHOOL_TYPE_TABLE; k++)
		if (defs->setting[k] && defs->codes && codes_table(defs->codes, defs->setting[k]) == NULL)
			diag_add(d, path, 0, "%s “%s” 不是已定义的代码表", setting_key_name[k], defs->setting[k]);
	if (defs->setting[SK_PHOTO_FILE_FIELD] && ps && set_field(ps, defs->setting[SK_PHOTO_FILE_FIELD]) == NULL)
		diag_add(d, path, 0, "photo_file_field “%s” 不是信息集 %s 的指标", defs->setting[SK_PHOTO_FILE_FIELD],
		    ps->v[SC_NAME]);
	{
		const char *mm = defs->setting[SK_PHOTO_MM];
		double a = 0, b = 0;

		if (mm && (sscanf(mm, "%lfx%lf", &a, &b) != 2 || a <= 0 || b <= 0))
			diag_add(d, path, 0, "photo_mm “%s” 应为 宽x高（毫米），如 26x32", mm);
	}
	for (int k = SK_PHOTO_MIN_DPI; k <= SK_REKEY_RAISED; k++) {
		char *end = NULL;

		if (defs->setting[k] && !(strtod(defs->setting[k], &end) > 0 && end && *end == '\0'))
			diag_add(d, path, 0, "%s “%s” 应为正数", setting_key_name[k], defs->setting[k]);
	}
	free(path);
}

enum jzg_status
defs_load(const char *formsdir, const char *datadir, struct defs **out, struct diag *d,
    char **cause)
{
	struct defs *defs = xcalloc(1, sizeof *defs);
	size_t before = d->n;
	enum jzg_status st;

	defs->formsdir = xstrdup(formsdir);
	defs->datadir = xstrdup(datadir);
	*out = defs;
	st = codes_load(datadir, &defs->codes, d, cause);
	if (st != JZG_OK)
		return st;
	load_settings(defs, d);
	load_sets(defs, d);
	load_templates(defs, d);
	build_union(defs);
	load_checks(defs, d);
	check_settings(defs, d);
	load_renames(defs, d);
	return d->n > before ? JZG_ERR_DEFS : JZG_OK;
}

void
defs_free(struct defs *defs)
{
	if (defs == NULL)
		return;
	codes_free(defs->codes);
	for (size_t i = 0; i < defs->nrename; i++) {
		free(defs->rename[i].set);
		free(defs->rename[i].field);
		free(defs->rename[i].old);
		free(defs->rename[i].new);
	}
	free(defs->rename);
	for (int k = 0; k < SK__COUNT; k++)
		free(defs->setting[k]);
	for (size_t i = 0; i < defs->nbase; i++)
		set_clear(&defs->base[i]);
	free(defs->base);
	for (size_t i = 0; i < defs->nall; i++)
		set_clear(&defs->all[i]);
	free(defs->all);
	for (size_t i = 0; i < defs->ntpl; i++) {
		for (int c = 0; c < TC__COUNT; c++)
			free(defs->tpl[i].v[c]);
		for (size_t k = 0; k < defs->tpl[i].nset; k++)
			set_clear(&defs->tpl[i].set[k]);
		free(defs->tpl[i].set);
	}
	free(defs->tpl);
	for (size_t i = 0; i < defs->ncheck; i++)
		for (int c = 0; c < CC__COUNT; c++)
			free(defs->check[i].v[c]);
	free(defs->check);
	for (size_t i = 0; i < defs->nfile; i++)
		free(defs->file[i]);
	free(defs->file);
	free(defs->formsdir);
	free(defs->datadir);
	free(defs);
}

static unsigned long long
fnv_add(unsigned long long h, const char *s)
{
	/* a NULL cell and an empty one differ; each cell ends with a 0 byte */
	if (s != NULL)
		for (; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ (s == NULL ? 1u : 0u)) * 1099511628211ull;
}

static unsigned long long
fnv_cells(unsigned long long h, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = fnv_add(h, v[i]);
	return h;
}

unsigned long long
defs_digest(const struct defs *defs)
{
	unsigned long long h = 1469598103934665603ull;

	h = fnv_cells(h, defs->setting, SK__COUNT);
	for (size_t i = 0; i < defs->ntpl; i++) {
		const struct template_def *t = &defs->tpl[i];

		h = fnv_cells(h, t->v, TC__COUNT);
		for (size_t j = 0; j < t->nset; j++) {
			h = fnv_cells(h, t->set[j].v, SC__COUNT);
			for (size_t k = 0; k < t->set[j].nfield; k++)
				h = fnv_cells(h, t->set[j].field[k].v, FC__COUNT);
		}
	}
	for (size_t i = 0; i < defs->nall; i++) {
		h = fnv_cells(h, defs->all[i].v, SC__COUNT);
		for (size_t k = 0; k < defs->all[i].nfield; k++)
			h = fnv_cells(h, defs->all[i].field[k].v, FC__COUNT);
	}
	for (size_t i = 0; i < defs->ncheck; i++)
		h = fnv_cells(h, defs->check[i].v, CC__COUNT);
	for (size_t i = 0; defs->codes != NULL && i < defs->codes->ntab; i++) {
		const struct code_table *t = &defs->codes->tab[i];

		h = fnv_add(h, t->id);
		for (size_t j = 0; j < t->nrow; j++) {
			const struct code *c = &t->row[j];
			char *cell[4] = { c->code, c->name, c->parent, c->filter };

			h = fnv_cells(h, cell, 4);
			h = (h ^ (unsigned)(c->pick | c->excl << 1 | c->obsolete << 2)) * 1099511628211ull;
		}
	}
	return h;
}
