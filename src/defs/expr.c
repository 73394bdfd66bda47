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

static int emit_field(struct strbuf *b, const struct set_def *s, const char *name, enum expr_mode mode,
    unsigned char *refs, char **cause);

/* The baseline's person of this row's: b_staff.staff_id links last year's
 * people to this year's (baseline_schema.h). */
static void
emit_prior_from(struct strbuf *b, const char *set, const struct set_def *s, enum expr_mode mode)
{
	strbuf_addf(b, "FROM \"b_%s\" p JOIN b_staff pb ON pb.id = p.staff_id WHERE pb.staff_id = ", set);
	emit_field(b, s, "_staff", mode, NULL, NULL);
}

/* ${prior.X}: field X's value in last year's record that matches this one
 * (the person's, or the record of the same natural key); NULL when there
 * is none or no baseline. */
static int
emit_prior(struct strbuf *b, const struct set_def *s, const char *name, enum expr_mode mode,
    unsigned char *refs, char **cause)
{
	int *idx;
	size_t nk;

	if (set_field_index(s, name) < 0) {
		jzg_fail(cause, JZG_ERR_DEFS, "${prior.%s}：信息集 %s 中没有指标 “%s”", name, s->v[SC_NAME], name);
		return -1;
	}
	strbuf_addf(b, "(SELECT p.\"%s\" ", name);
	emit_prior_from(b, s->v[SC_NAME], s, mode);
	if (s->many) {
		/* the record of the same key (set_key_sql's form) */
		nk = set_key_fields(s, &idx);
		strbuf_adds(b, " AND p.nk = ");
		if (nk == 0)
			strbuf_adds(b, "''");
		for (size_t i = 0; i < nk; i++) {
			strbuf_adds(b, i ? " || char(31) || coalesce(" : "coalesce(");
			emit_field(b, s, s->field[idx[i]].v[FC_NAME], mode, refs, NULL);
			strbuf_adds(b, ", '')");
		}
		free(idx);
		strbuf_adds(b, " ORDER BY p.seq, p.id");
	}
	strbuf_adds(b, " LIMIT 1)");
	return 0;
}

/* ${prior_missing.SET}: how many of last year's records of many-record set
 * SET the person no longer has (none of this year's has its key). */
static int
emit_prior_missing(struct strbuf *b, const struct set_def *s, const char *name, enum expr_mode mode,
    char **cause)
{
	const struct set_def *o = s->defs ? defs_set(s->defs->all, s->defs->nall, name) : NULL;
	char *key;

	if (o == NULL || !o->many) {
		jzg_fail(cause, JZG_ERR_DEFS, "${prior_missing.%s}：“%s” 不是多条记录的信息集", name, name);
		return -1;
	}
	key = set_key_sql(o, "c");
	strbuf_adds(b, "(SELECT count(*) ");
	emit_prior_from(b, name, s, mode);
	strbuf_addf(b, " AND NOT EXISTS (SELECT 1 FROM \"s_%s\" c WHERE c.staff_id = ", name);
	emit_field(b, s, "_staff", mode, NULL, NULL);
	strbuf_addf(b, " AND %s = p.nk))", key);
	free(key);
	return 0;
}

static int
emit_field(struct strbuf *b, const struct set_def *s, const char *name, enum expr_mode mode,
    unsigned char *refs, char **cause)
{
	int i;

	if (strncmp(name, "prior.", 6) == 0)
		return emit_prior(b, s, name + 6, mode, refs, cause);
	if (strncmp(name, "prior_missing.", 14) == 0)
		return emit_prior_missing(b, s, name + 14, mode, cause);

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
