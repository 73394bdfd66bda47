/* rules_msg.c — the Chinese message of a finding, by rule kind. */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "rules_int.h"

/* "code-name" of a code of f's table, or the bare code when unknown. */
static void
add_code(struct strbuf *b, const struct field_def *f, const char *code)
{
	const struct code *row = f->table ? codes_find(f->table, code) : NULL;

	if (row != NULL)
		strbuf_addf(b, "%s-%s", row->code, row->name);
	else
		strbuf_adds(b, code);
}

/* The value a derived field should hold (a new string, NULL when empty). */
static char *
derived_value(sqlite3 *db, const struct rset *rs, const struct rule *ru, sqlite3_int64 key)
{
	char *sql = xasprintf("SELECT (%s) FROM \"s_%s\" AS cur WHERE cur.%s = ?1", ru->calc,
	    rs->set->v[SC_NAME], rs->set->many ? "id" : "staff_id");
	sqlite3_stmt *ps;
	char *out = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &ps, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(ps, 1, key);
		if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
			out = xstrdup((const char *)sqlite3_column_text(ps, 0));
		sqlite3_finalize(ps);
	}
	free(sql);
	return out;
}

void
rules_message(sqlite3 *db, const struct rset *rs, const struct rule *ru, const char *detail,
    sqlite3_int64 key, struct strbuf *b)
{
	const struct field_def *f = ru->field;
	const struct code *row;
	char *want;

	switch (ru->kind) {
	case RK_REQUIRED:
		strbuf_adds(b, "必填项未填");
		break;
	case RK_RELEVANT:
		strbuf_adds(b, "按已填写的其他项，此项不应填写，请清空");
		break;
	case RK_FORMAT:
		strbuf_addf(b, "“%s” ", detail);
		strbuf_adds(b, f->type == FT_INTEGER ? "不是整数" :
		    f->type == FT_DECIMAL ? "不是有效的数值（最多两位小数）" :
		    f->type == FT_YEAR ? "不是有效的年份（应为 4 位数字）" :
		    f->type == FT_DATE ? "不是有效的日期（应为 YYYY-MM-DD）" : "不是有效的年月（应为 YYYY-MM）");
		break;
	case RK_LENGTH:
		strbuf_addf(b, "长度为 %s 个字，超过上限 %d 个字", detail, f->length);
		break;
	case RK_RANGE: {
		int lo = strcmp(detail, "min") == 0, dated = f->type == FT_DATE || f->type == FT_MONTH;

		strbuf_addf(b, "%s %s", lo ? (dated ? "不能早于" : "不能小于") : (dated ? "不能晚于" : "不能大于"),
		    f->v[lo ? FC_MIN : FC_MAX]);
		break;
	}
	case RK_CODE:
	case RK_MULTI_CODE:
		row = codes_find(f->table, detail);
		if (row != NULL && !row->pick)
			strbuf_addf(b, "“%s-%s” 是分类标题，不能选择，请选择其下的具体项", row->code, row->name);
		else
			strbuf_addf(b, "代码 “%s” 不在代码表 %s 中", detail, f->table->label);
		break;
	case RK_CHOICE:
		strbuf_adds(b, "“");
		add_code(b, f, detail);
		if (!str_empty(ru->extra))
			strbuf_addf(b, "” 与%s不符，不能选择", ru->extra);
		else
			strbuf_adds(b, "” 不能在此选择");
		break;
	case RK_MULTI_EXCL:
		strbuf_adds(b, "“");
		add_code(b, f, detail);
		strbuf_adds(b, "” 不能与其他选项同时选择");
		break;
	case RK_MULTI_FORM:
		strbuf_addf(b, "多选代码应按代码表顺序排列、不重复、以一个空格分隔（应为 “%s”）", detail);
		break;
	case RK_CONSTRAINT:
		strbuf_adds(b, ru->text ? ru->text : "不符合填写规则");
		break;
	case RK_CHECK:
		strbuf_adds(b, ru->text);
		break;
	case RK_DERIVED:
		want = derived_value(db, rs, ru, key);
		strbuf_addf(b, "与%s不一致（应为", ru->extra ? ru->extra : "计算结果");
		if (want == NULL)
			strbuf_adds(b, "空");
		else {
			strbuf_adds(b, " “");
			add_code(b, f, want);
			strbuf_adds(b, "”");
		}
		strbuf_adds(b, "）");
		free(want);
		break;
	}
}
