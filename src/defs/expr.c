/* expr.c — see expr.h.  A small scanner: it only has to know where SQL
 * string literals and quoted identifiers are, so that `${` and `.` inside
 * them are left alone. */
#include "expr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int
ident_char(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static int
emit_field(struct strbuf *b, const struct set_def *s, const char *name, enum expr_mode mode,
    unsigned char *refs, char **cause)
{
	int i;

	if (strcmp(name, "_staff") == 0) {
		if (mode == EXPR_ROW)
			strbuf_adds(b, "cur.staff_id");
		else
			strbuf_addf(b, "?%zu", s->nfield + 1);
		return 0;
	}
	if ((i = set_field_index(s, name)) < 0) {
		jzg_fail(cause, JZG_ERR_DEFS, "引用了信息集 %s 中不存在的指标 “%s”", s->v[SC_NAME], name);
		return -1;
	}
	if (refs != NULL)
		refs[i] = 1;
	if (mode == EXPR_ROW)
		strbuf_addf(b, "cur.\"%s\"", name);
	else
		strbuf_addf(b, "?%d", i + 1);
	return 0;
}

char *
expr_sql(const char *src, const struct set_def *s, const char *self, enum expr_mode mode,
    unsigned char *refs, char **cause)
{
	struct strbuf b = { 0 };
	const char *p = src;
	char prev = ' ';

	while (*p) {
		if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
			char close = *p == '[' ? ']' : *p;
			const char *q = p + 1;

			for (;;) {
				if (*q == '\0') {
					strbuf_free(&b);
					jzg_fail(cause, JZG_ERR_DEFS, "引号或方括号没有闭合");
					return NULL;
				}
				if (*q == close) {
					if (close != ']' && q[1] == close) {
						q += 2;  /* doubled quote inside a literal */
						continue;
					}
					break;
				}
				q++;
			}
			strbuf_add(&b, p, (size_t)(q - p + 1));
			prev = *q;
			p = q + 1;
		} else if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p + 2, '}');
			char *name;
			int rc;

			if (end == NULL) {
				strbuf_free(&b);
				jzg_fail(cause, JZG_ERR_DEFS, "${ 没有对应的 }");
				return NULL;
			}
			name = xstrndup(p + 2, (size_t)(end - p - 2));
			rc = emit_field(&b, s, name, mode, refs, cause);
			free(name);
			if (rc < 0) {
				strbuf_free(&b);
				return NULL;
			}
			prev = '}';
			p = end + 1;
		} else if (*p == '.' && !ident_char((unsigned char)prev) && prev != ')' &&
		    prev != '}' && prev != '"' && prev != ']' && !ident_char((unsigned char)p[1])) {
			if (self == NULL) {
				strbuf_free(&b);
				jzg_fail(cause, JZG_ERR_DEFS, "这里不能用 “.”（只能在指标的 constraint 中代表本指标）");
				return NULL;
			}
			if (emit_field(&b, s, self, mode, refs, cause) < 0) {
				strbuf_free(&b);
				return NULL;
			}
			prev = '}';
			p++;
		} else {
			prev = *p;   /* the character right before: `OR .` is standalone, `t.x` is not */
			strbuf_addc(&b, *p);
			p++;
		}
	}
	return strbuf_take(&b);
}
