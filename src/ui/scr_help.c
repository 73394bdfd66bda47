/* scr_help.c — F1: the indicator's explanation (from its definition) and
 * every key, generated from the key table in request.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "util.h"
#include "fieldtype.h"

struct help {
	char **line;
	int    n, top;
};

static void
add(struct help *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct help *h, const char *fmt, ...)
{
	va_list ap;

	char *text, *rest;
	int width = COLS - 2 > 20 ? COLS - 2 : 20;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	/* at 80 columns long explanations and paths wrap, whole characters,
	 * continuation lines indented; nothing is cut off */
	rest = text;
	do {
		struct strbuf b = { 0 };
		int w = rest == text ? 0 : 4;

		if (rest != text)
			strbuf_adds(&b, "    ");
		while (*rest) {
			size_t k = 1;
			char ch[8];

			while ((rest[k] & 0xC0) == 0x80)
				k++;
			memcpy(ch, rest, k);
			ch[k] = '\0';
			if (w + utf8_width(ch) > width)
				break;
			w += utf8_width(ch);
			strbuf_add(&b, rest, k);
			rest += k;
		}
		h->line = xreallocarray(h->line, (size_t)h->n + 1, sizeof *h->line);
		h->line[h->n++] = b.len ? strbuf_take(&b) : xstrdup("");
		strbuf_free(&b);
	} while (*rest);
	free(text);
}

static const char *
type_label(const struct field_def *f)
{
	return fieldtype_of(f)->label;
}

static int
help_open(struct screen *s, void *arg)
{
	struct help *h = s->priv;
	const struct field_def *f = arg;

	if (f != NULL) {
		add(h, "【%s】", f->v[FC_LABEL]);
		if (f->v[FC_NO])
			add(h, "  指标编号：%s", f->v[FC_NO]);
		add(h, "  类型：%s%s%s", type_label(f), f->table ? "，代码表：" : "", f->table ? f->table->label : "");
		add(h, "  %s", f->readonly ? "由其他信息集自动生成，不需填写" : f->required == REQ_YES ? "必填（★）" :
		    f->required == REQ_EXPR ? "在一定条件下必填（★）" : "选填");
		if (f->length > 0)
			add(h, "  最多 %d 个字", f->length);
		if (f->v[FC_MIN] || f->v[FC_MAX])
			add(h, "  范围：%s ～ %s", f->v[FC_MIN] ? f->v[FC_MIN] : "", f->v[FC_MAX] ? f->v[FC_MAX] : "");
		if (f->v[FC_DEFAULT] && f->v[FC_DEFAULT][0] != '=')
			add(h, "  默认值：%s", f->v[FC_DEFAULT]);
		/* the explanation a clerk reads; where the definition came from
		 * (source tags, reliability) is for maintainers: jzg forms report */
		if (f->v[FC_HINT])
			add(h, "  说明：%s", f->v[FC_HINT]);
		if (f->v[FC_CONSTRAINT_MESSAGE])
			add(h, "  规则：%s", f->v[FC_CONSTRAINT_MESSAGE]);
		add(h, "%s", "");
	}
	if (s->ui->last_path[0] != '\0') {
		add(h, "【最近保存的文件】");
		add(h, "  %s", s->ui->last_path);
		add(h, "%s", "");
	}
	add(h, "【按键】");
	for (const struct keybinding *b = keymap; b->name != NULL; b++) {
		if (b->req == REQ_RESIZE || b->req == REQ_CHAR || b->name[0] == '\0')
			continue;
		/* one line per request, with every key bound to it */
		if (b != keymap && b[-1].req == b->req)
			continue;
		{
			struct strbuf keys = { 0 };

			for (const struct keybinding *k = b; k->name && k->req == b->req; k++)
				if (keys.len == 0 || strstr(keys.s, k->name) == NULL)
					strbuf_addf(&keys, "%s%s", keys.len ? " " : "", k->name);
			add(h, "  %-12s %s：%s", keys.s, request_label[b->req], request_help[b->req]);
			strbuf_free(&keys);
		}
	}
	add(h, "%s", "");
	add(h, "【录入提示】年月可输入 198009、1980-09、1980.9 或 1980年9月；全角数字和多余空格自动更正。");
	add(h, "  离开每一项时即已保存，断电最多丢失正在输入的一项。代码项可直接输入代码、拼音首字母或汉字。");
	add(h, "%s", "");
	add(h, "【数据文件】");
	add(h, "  %s", s->ui->app->db_path);
	return 0;
}

static void
help_draw(struct screen *s)
{
	struct help *h = s->priv;

	draw_title(" 帮助");
	for (int i = h->top; i < h->n && i - h->top < LINES - 3; i++)
		draw_text(1 + i - h->top, 1, h->line[i], COLS - 2);
}

static enum ui_action
help_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct help *h = s->priv;

	(void)ch; (void)is_char;
	switch (r) {
	case REQ_UP: if (h->top > 0) h->top--; break;
	case REQ_DOWN: if (h->top + 1 < h->n) h->top++; break;
	case REQ_PGUP: h->top = h->top > LINES - 4 ? h->top - (LINES - 4) : 0; break;
	case REQ_PGDN: if (h->top + LINES - 4 < h->n) h->top += LINES - 4; break;
	case REQ_HOME: h->top = 0; break;
	case REQ_END: h->top = h->n > LINES - 3 ? h->n - (LINES - 3) : 0; break;
	case REQ_QUIT: return UI_QUIT;
	case REQ_RESIZE: break;
	default: return UI_POP;
	}
	return UI_STAY;
}

static void
help_done(struct screen *s)
{
	struct help *h = s->priv;

	for (int i = 0; i < h->n; i++)
		free(h->line[i]);
	free(h->line);
}

static const enum request help_legend[] = { REQ_UP, REQ_DOWN, REQ_BACK, REQ_NONE };

const struct screen_ops scr_help_ops = {
	.name = "help", .priv_size = sizeof(struct help), .legend = help_legend,
	.open = help_open, .draw = help_draw, .key = help_key, .done = help_done,
};
