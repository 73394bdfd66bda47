/* scr_login.c — log-in at start-up, and the first 管理员 of a new file.
 * The password is never shown (one * per character).  A wrong password
 * says so and clears the password only; three failures quit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "lineedit.h"
#include "operator.h"
#include "ui.h"
#include "util.h"

#define LOGIN_MAX_TRIES 3

enum { F_NAME, F_PW, F_PW2, F__COUNT };

struct login {
	int             create;   /* no operators yet: create the first 管理员 */
	int             asked;    /* opened by ^K (账号), not at start-up */
	int             field, nfield, tries;
	struct lineedit le[F__COUNT];
};

static int
login_open(struct screen *s, void *arg)
{
	struct login *p = s->priv;
	char *cause = NULL;
	int n = 0;

	if (s->ui->app->op != NULL)
		return -1;            /* --user already logged in */
	if (operator_count(s->ui->app->st, &n, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		free(cause);
	}
	p->create = n == 0;
	p->asked = arg != NULL;
	/* asked once: a file whose user chose single use starts without the
	 * question; ^K on the school list asks again */
	if (p->create && !p->asked && operator_single_user(s->ui->app->st))
		return -1;
	p->nfield = p->create ? 3 : 2;
	for (int i = 0; i < F__COUNT; i++)
		lineedit_init(&p->le[i], 30, 64);
	s->ui->login_gave_up = 1; /* until logged in (or single-user chosen) */
	return 0;
}

static void
login_draw(struct screen *s)
{
	static const char *const label[F__COUNT] = { "用户名：", "密  码：", "再输一次：" };
	struct login *p = s->priv;
	const char *intro = p->create ? "此文件还没有操作员。请创建管理员账号，之后由管理员添加录入员和审核员"
	    "（Esc：不设账号，单人使用）。" : "请输入用户名和密码。";
	int y0, x0, w = COLS - 4 < 60 ? COLS - 4 : 60;
	int nl = draw_wrap(-1, 0, intro, w - 4, 0), h = nl + 3 + 2 * p->nfield;

	draw_title(p->create ? " jzg — 新数据文件：创建第一个管理员" : " jzg — 登录");
	draw_box(h, w, &y0, &x0);
	draw_wrap(y0 + 1, x0 + 2, intro, w - 4, 0);
	for (int i = 0; i < p->nfield; i++) {
		int y = y0 + nl + 2 + 2 * i;
		char *v = lineedit_get(&p->le[i]);
		char shown[200] = "";

		if (i == F_NAME)
			snprintf(shown, sizeof shown, "%s", v);
		else
			for (size_t k = 0, n = utf8_chars(v); k < n && k < 60; k++)
				strcat(shown, "*");
		draw_text(y, x0 + 2, label[i], 12);
		if (i == p->field)
			attron(A_UNDERLINE);
		draw_text(y, x0 + 14, shown, 32);
		if (i == p->field)
			attroff(A_UNDERLINE);
		if (i == p->field) {
			s->ui->cursor_y = y;
			s->ui->cursor_x = x0 + 14 + (i == F_NAME ? lineedit_cursor_col(&p->le[i]) : (int)strlen(shown));
		}
		free(v);
	}
}

/* Enter on the last field: create and/or log in.  Returns the action. */
static enum ui_action
login_submit(struct screen *s)
{
	struct login *p = s->priv;
	struct store *st = s->ui->app->st;
	char *name = lineedit_get(&p->le[F_NAME]), *pw = lineedit_get(&p->le[F_PW]);
	char *pw2 = lineedit_get(&p->le[F_PW2]), *cause = NULL;
	enum ui_action act = UI_STAY;

	str_trim(name);
	if (p->create && strcmp(pw, pw2) != 0) {
		ui_message(s->ui, 1, "两次输入的密码不一致，请重新输入");
		goto again;
	}
	if (p->create && operator_add(st, name, ROLE_ADMIN, pw, NULL, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s", cause);
		goto again;
	}
	operator_free(s->ui->app->op);
	s->ui->app->op = NULL;
	if (operator_login(st, name, pw, &s->ui->app->op, &cause) != JZG_OK) {
		ui_message(s->ui, 1, "%s（还可尝试 %d 次）", cause, LOGIN_MAX_TRIES - 1 - p->tries);
		if (++p->tries >= LOGIN_MAX_TRIES)
			act = UI_POP;
		goto again;
	}
	audit_set(st, s->ui->app->op->name, s->ui->app->op->school_id == 0, AUDIT_PATH_CLIENT);
	ui_message(s->ui, 0, "%s %s，欢迎", operator_role_label(s->ui->app->op->role), s->ui->app->op->name);
	s->ui->login_gave_up = 0;
	act = UI_POP;
	goto out;
again:
	lineedit_set(&p->le[F_PW], "");
	lineedit_set(&p->le[F_PW2], "");
	p->field = p->create ? F_PW : F_PW;
	if (str_empty(name))
		p->field = F_NAME;
out:
	free(cause);
	free(name);
	free(pw);
	free(pw2);
	return act;
}

static enum ui_action
login_key(struct screen *s, enum request r, wchar_t ch, int is_char)
{
	struct login *p = s->priv;
	struct lineedit *le = &p->le[p->field];

	if (is_char && r != REQ_ENTER && r != REQ_QUIT) {
		lineedit_insert(le, ch);
		return UI_STAY;
	}
	switch (r) {
	case REQ_ENTER:
	case REQ_NEXT:
	case REQ_DOWN:
		if (p->field + 1 < p->nfield) {
			p->field++;
			return UI_STAY;
		}
		return r == REQ_ENTER ? login_submit(s) : UI_STAY;
	case REQ_PREV:
	case REQ_UP: if (p->field > 0) p->field--; break;
	case REQ_BS: lineedit_key(le, LE_BACKSPACE); break;
	case REQ_DEL: lineedit_key(le, LE_DELETE); break;
	case REQ_LEFT: lineedit_key(le, LE_LEFT); break;
	case REQ_RIGHT: lineedit_key(le, LE_RIGHT); break;
	case REQ_KILL: lineedit_key(le, LE_KILL_LINE); break;
	case REQ_BACK:
		if (p->create) {      /* single-user file, as before accounts existed */
			char *cause = NULL;

			s->ui->login_gave_up = 0;
			if (operator_single_user_set(s->ui->app->st, &cause) != JZG_OK) {
				ui_message(s->ui, 1, "%s", cause);
				free(cause);
			} else if (!p->asked)
				ui_message(s->ui, 0, "单人使用，不设账号；以后启动不再询问。要设账号：在学校列表按 ^K");
			return UI_POP;
		}
		return UI_QUIT;
	case REQ_QUIT: return UI_QUIT;
	default: break;
	}
	return UI_STAY;
}

static void
login_done(struct screen *s)
{
	struct login *p = s->priv;

	for (int i = 0; i < F__COUNT; i++)
		lineedit_free(&p->le[i]);
}

static const enum request login_legend[] = { REQ_ENTER, REQ_NEXT, REQ_BACK, REQ_NONE };

const struct screen_ops scr_login_ops = {
	.name = "login", .priv_size = sizeof(struct login), .legend = login_legend,
	.open = login_open, .draw = login_draw, .key = login_key, .done = login_done,
};
