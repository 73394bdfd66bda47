/* defs_report.c — see defs_report.h. */
#include "defs_report.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum defs_reliability
defs_reliability(const char *tag)
{
	static const char *const assumed[] = { "VENDOR", "INFERRED", "UNCERTAIN", NULL };
	enum defs_reliability r = DR_CONFIRMED;
	char *copy, *tok, *save = NULL;

	if (str_empty(tag))
		return DR_MISSING;
	copy = xstrdup(tag);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		if (strcmp(tok, "MISSING") == 0)
			r = DR_MISSING;
		for (size_t i = 0; assumed[i] != NULL && r == DR_CONFIRMED; i++)
			if (strcmp(tok, assumed[i]) == 0)
				r = DR_ASSUMED;
	}
	free(copy);
	return r;
}

const char *
defs_reliability_label(enum defs_reliability r)
{
	static const char *const label[DR__COUNT] = { "确认", "推定", "缺失" };

	return label[r];
}

/* One item: a TSV row, or a text line (and its source on the next). */
struct item {
	const char *kind, *id, *label, *tag, *source, *extra;
};

static void
put_cell(FILE *out, const char *s, int last)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, out);
	fputc(last ? '\n' : '\t', out);
}

static void
put_item(FILE *out, int tsv, const struct item *it)
{
	const char *rel = defs_reliability_label(defs_reliability(it->tag));

	if (tsv) {
		put_cell(out, it->kind, 0);
		put_cell(out, it->id, 0);
		put_cell(out, it->label, 0);
		put_cell(out, rel, 0);
		put_cell(out, it->tag, 0);
		put_cell(out, it->source, 0);
		put_cell(out, it->extra, 1);
		return;
	}
	fprintf(out, "  [%s] %s %s%s%s  %s\n", rel, it->id, it->label ? it->label : "", it->extra ? "  " : "",
	    it->extra ? it->extra : "", it->tag ? it->tag : "（未标）");
	if (!str_empty(it->source))
		fprintf(out, "         来源：%s\n", it->source);
}

struct count {
	int n[DR__COUNT];
};

static void
count_line(FILE *out, const char *what, const char *unit, const struct count *c)
{
	fprintf(out, "%s %d %s：确认 %d，推定 %d，缺失 %d\n", what, c->n[0] + c->n[1] + c->n[2], unit,
	    c->n[DR_CONFIRMED], c->n[DR_ASSUMED], c->n[DR_MISSING]);
}

int
defs_report(const struct defs *defs, FILE *out, int tsv)
{
	struct count cs = { { 0 } }, cf = { { 0 } }, cc = { { 0 } }, cr = { { 0 } }, crow = { { 0 } };
	struct strbuf b = { 0 };
	size_t nobs = 0;

	/* the counts first, so that the text starts with the summary */
	for (size_t i = 0; i < defs->nbase; i++)
		cs.n[defs_reliability(defs->base[i].v[SC_TAG])]++;
	for (size_t i = 0; i < defs->nall; i++)
		for (size_t j = 0; j < defs->all[i].nfield; j++)
			cf.n[defs_reliability(defs->all[i].field[j].v[FC_TAG])]++;
	for (size_t t = 0; t < defs->ntpl; t++)
		for (size_t k = 0; k < defs->tpl[t].nset; k++)
			if (defs->tpl[t].set[k].required != REQ_NO)
				cr.n[defs_reliability(defs->tpl[t].set[k].v[SC_REQUIRED_TAG])]++;
	for (size_t i = 0; i < defs->codes->ntab; i++) {
		const struct code_table *ct = &defs->codes->tab[i];

		cc.n[defs_reliability(ct->tag)]++;
		nobs += ct->nobsolete;
		for (size_t j = 0; j < ct->nrow; j++)
			crow.n[ct->row[j].tag ? defs_reliability(ct->row[j].tag) : defs_reliability(ct->tag)]++;
	}
	if (tsv)
		fputs("类别\t编号\t名称\t可靠性\t标签\t来源\t说明\n", out);
	else {
		fputs("指标体系的来源与可靠性（forms/ 与 data/ 的 source、tag 列）\n"
		    "确认 = OFF、STD、CLONE-A、CLONE-B；推定 = VENDOR、INFERRED、UNCERTAIN；缺失 = MISSING 或未标。\n"
		    "推定和缺失的项应以本省的官方《基础代码表》、指标解释核对替换（格式见 docs/forms-format.md）。\n\n", out);
		count_line(out, "信息集", "个", &cs);
		count_line(out, "指标", "个", &cf);
		count_line(out, "必填信息集", "项", &cr);
		count_line(out, "代码表", "张", &cc);
		count_line(out, "代码", "行", &crow);
		fprintf(out, "已停用的代码 %zu 行（旧数据可读，选码时不列出）\n", nobs);
		fputs("\n信息集\n", out);
	}
	for (size_t i = 0; i < defs->nbase; i++) {
		const struct set_def *s = &defs->base[i];
		struct item it = { "信息集", s->v[SC_NAME], s->v[SC_LABEL], s->v[SC_TAG], s->v[SC_SOURCE], NULL };

		put_item(out, tsv, &it);
	}
	if (!tsv)
		fputs("\n必填信息集（每人至少一条记录，sets.tsv required）\n", out);
	for (size_t t = 0; t < defs->ntpl; t++)
		for (size_t k = 0; k < defs->tpl[t].nset; k++) {
			const struct set_def *s = &defs->tpl[t].set[k];
			struct item it = { "必填信息集", NULL, s->v[SC_LABEL], s->v[SC_REQUIRED_TAG], s->v[SC_NOTE], NULL };

			if (s->required == REQ_NO)
				continue;
			b.len = 0;
			strbuf_addf(&b, "%s.%s", defs->tpl[t].v[TC_NAME], s->v[SC_NAME]);
			it.id = b.s;
			it.extra = s->required == REQ_YES ? "所有人" : s->v[SC_REQUIRED];
			put_item(out, tsv, &it);
		}
	if (!tsv)
		fputs("\n指标\n", out);
	for (size_t i = 0; i < defs->nall; i++)
		for (size_t j = 0; j < defs->all[i].nfield; j++) {
			const struct field_def *f = &defs->all[i].field[j];
			struct item it = { "指标", NULL, f->v[FC_LABEL], f->v[FC_TAG], f->v[FC_SOURCE], NULL };

			b.len = 0;
			strbuf_addf(&b, "%s.%s", defs->all[i].v[SC_NAME], f->v[FC_NAME]);
			it.id = b.s;
			put_item(out, tsv, &it);
		}
	if (!tsv)
		fputs("\n代码表\n", out);
	for (size_t i = 0; i < defs->codes->ntab; i++) {
		const struct code_table *ct = &defs->codes->tab[i];
		struct item it = { "代码表", ct->id, ct->label, ct->tag, ct->source, NULL };
		struct count rows = { { 0 } };
		struct strbuf x = { 0 };

		for (size_t j = 0; j < ct->nrow; j++)
			rows.n[ct->row[j].tag ? defs_reliability(ct->row[j].tag) : defs_reliability(ct->tag)]++;
		strbuf_addf(&x, "%zu 行（确认 %d，推定 %d，缺失 %d", ct->nrow, rows.n[DR_CONFIRMED], rows.n[DR_ASSUMED],
		    rows.n[DR_MISSING]);
		if (ct->nobsolete > 0)
			strbuf_addf(&x, "，已停用 %zu", ct->nobsolete);
		strbuf_adds(&x, "）");
		it.extra = x.s;
		put_item(out, tsv, &it);
		strbuf_free(&x);
	}
	strbuf_free(&b);
	if (tsv) {
		/* the counts, as the text's summary */
		static const char *const what[] = { "信息集", "指标", "必填信息集", "代码表", "代码" };
		const struct count *c[] = { &cs, &cf, &cr, &cc, &crow };

		fputs("\n类别\t总数\t确认\t推定\t缺失\n", out);
		for (size_t i = 0; i < sizeof what / sizeof *what; i++)
			fprintf(out, "%s\t%d\t%d\t%d\t%d\n", what[i], c[i]->n[0] + c[i]->n[1] + c[i]->n[2],
			    c[i]->n[DR_CONFIRMED], c[i]->n[DR_ASSUMED], c[i]->n[DR_MISSING]);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
