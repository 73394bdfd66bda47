/* school.c — see school.h. */
#include "school.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

enum jzg_status
school_code_check(const struct defs *defs, const char *code, const struct template_def *tpl,
    char **cause)
{
	const struct code_table *cls = codes_table(defs->codes, defs->setting[SK_SCHOOL_CLASS_TABLE]);
	const struct code_table *prov = codes_table(defs->codes, defs->setting[SK_PROVINCE_TABLE]);
	char part[3] = { 0 };

	if (code == NULL || strlen(code) != 10)
		return jzg_fail(cause, JZG_ERR_INVALID, "学校标识码应为 10 位数字（现为 “%s”）", code ? code : "");
	for (int i = 0; i < 10; i++)
		if (!isdigit((unsigned char)code[i]))
			return jzg_fail(cause, JZG_ERR_INVALID, "学校标识码只能由数字组成（现为 “%s”）", code);
	memcpy(part, code, 2);
	if (cls != NULL && codes_find(cls, part) == NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "学校标识码前两位 %s 不是已知的学校类别码", part);
	if (tpl != NULL && tpl->v[TC_SCHOOL_CLASSES] != NULL) {
		char *copy = xstrdup(tpl->v[TC_SCHOOL_CLASSES]), *save = NULL, *tok;
		int ok = 0;

		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			ok |= strcmp(tok, part) == 0;
		free(copy);
		if (!ok)
			return jzg_fail(cause, JZG_ERR_INVALID,
			    "学校类别码 %s（%s）不使用%s模板，可用的类别码：%s", part,
			    cls && codes_find(cls, part) ? codes_find(cls, part)->name : "",
			    tpl->v[TC_LABEL], tpl->v[TC_SCHOOL_CLASSES]);
	}
	memcpy(part, code + 2, 2);
	if (prov != NULL && codes_find(prov, part) == NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "学校标识码第 3–4 位 %s 不是已知的省级行政区划代码", part);
	return JZG_OK;
}

enum jzg_status
school_find(struct store *st, const char *code, sqlite3_int64 *id, char **cause)
{
	sqlite3_stmt *s;
	enum jzg_status rc;

	*id = 0;
	if ((rc = store_prepare(st, "SELECT id FROM school WHERE code = ?", &s, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return JZG_OK;
}

enum jzg_status
school_add(struct store *st, const char *code, const char *name, const char *tpl,
    sqlite3_int64 *id, char **cause)
{
	const struct template_def *t = defs_template(st->defs, tpl ? tpl : "");
	sqlite3_stmt *s;
	enum jzg_status rc;
	sqlite3_int64 existing;
	const char *why;

	if (t == NULL) {
		struct strbuf b = { 0 };

		for (size_t i = 0; i < st->defs->ntpl; i++)
			strbuf_addf(&b, "%s%s（%s）", i ? "、" : "", st->defs->tpl[i].v[TC_NAME],
			    st->defs->tpl[i].v[TC_LABEL]);
		rc = jzg_fail(cause, JZG_ERR_INVALID, "未知的模板 “%s”，可用：%s", tpl ? tpl : "", b.s ? b.s : "");
		strbuf_free(&b);
		return rc;
	}
	if ((rc = school_code_check(st->defs, code, t, cause)) != JZG_OK)
		return rc;
	if ((why = text_fault(name, TEXT_NAME)) != NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "学校名称%s", why);
	if (utf8_chars(name) > 100 || strpbrk(name, "/\\:*?\"<>|") != NULL)
		return jzg_fail(cause, JZG_ERR_INVALID,
		    "学校名称不能超过 100 个字，且不能含有 / \\ : * ? \" < > |（它是导出文件名的一部分）");
	if ((rc = school_find(st, code, &existing, cause)) != JZG_OK)
		return rc;
	if (existing != 0)
		return jzg_fail(cause, JZG_ERR_EXISTS, "学校标识码 %s 已在本文件中", code);
	if ((rc = store_prepare(st, "INSERT INTO school(code, name, template) VALUES(?, ?, ?)", &s, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, tpl, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = jzg_fail(cause, JZG_ERR_DB, "添加学校失败：%s", store_errstr(sqlite3_errcode(st->db)));
		sqlite3_finalize(s);
		return rc;
	}
	sqlite3_finalize(s);
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return JZG_OK;
}

enum jzg_status
school_list(struct store *st, struct school_row **rows, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	enum jzg_status rc;
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	rc = store_prepare(st, "SELECT s.id, s.code, s.name, s.template, coalesce(s.expected_staff, 0),"
	    " (SELECT count(*) FROM staff WHERE school_id = s.id) FROM school s ORDER BY s.code", &s, cause);
	if (rc != JZG_OK)
		return rc;
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct school_row *r;

		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*rows = xreallocarray(*rows, cap, sizeof **rows);
		}
		r = &(*rows)[(*n)++];
		r->id = sqlite3_column_int64(s, 0);
		r->code = xstrdup((const char *)sqlite3_column_text(s, 1));
		r->name = xstrdup((const char *)sqlite3_column_text(s, 2));
		r->template = xstrdup((const char *)sqlite3_column_text(s, 3));
		r->expected = sqlite3_column_int(s, 4);
		r->staff = sqlite3_column_int(s, 5);
	}
	sqlite3_finalize(s);
	return JZG_OK;
}

void
school_list_free(struct school_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].code);
		free(rows[i].name);
		free(rows[i].template);
	}
	free(rows);
}
