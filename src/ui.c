/* ui.c — the client's entry: until the entry screens exist (issue 4) it
 * shows the schools in the file and, for the chosen school, its staff, and
 * quits cleanly.  The only file that includes curses so far. */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "idcard.h"
#include "school.h"
#include "util.h"

/* Draw UTF-8 s at y,x in at most width columns (double-width aware). */
static void
put_cols(int y, int x, const char *s, int width)
{
	size_t n = strlen(s), k;
	wchar_t wc;
	int used = 0;

	move(y, x);
	while (n > 0 && (k = utf8_decode(s, n, &wc)) > 0) {
		int w = wcwidth(wc);

		if (w < 0)
			w = 1, wc = L'?';
		if (used + w > width)
			break;
		addnwstr(&wc, 1);
		used += w;
		s += k;
		n -= k;
	}
	for (; used < width; used++)
		addch(' ');
}

static void
frame(const char *title, const char *legend)
{
	erase();
	attron(A_REVERSE);
	put_cols(0, 0, title, COLS);
	put_cols(LINES - 1, 0, legend, COLS);
	attroff(A_REVERSE);
}

/* Returns 1 when the user asked to quit. */
static int
show_staff(struct app *a, const struct school_row *sch)
{
	const struct template_def *t = defs_template(a->defs, sch->template);
	const struct set_def *ps = t ? template_person_set(a->defs, t) : NULL;
	const char *fname = a->defs->setting[SK_PERSON_NAME], *fid = a->defs->setting[SK_PERSON_ID];
	int top = 0, ch;
	char *sql;
	sqlite3_stmt *s;

	if (ps == NULL)
		return 0;
	sql = xasprintf("SELECT coalesce(p.\"%s\", '（未填姓名）'), coalesce(p.\"%s\", '') FROM staff"
	    " JOIN \"s_%s\" p ON p.staff_id = staff.id WHERE staff.school_id = ? ORDER BY staff.id LIMIT ? OFFSET ?",
	    fname, fid, ps->v[SC_NAME]);
	if (sqlite3_prepare_v2(a->st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		free(sql);
		return 0;
	}
	for (;;) {
		char title[256];
		int y = 2, rows = LINES - 4;

		snprintf(title, sizeof title, " %s %s — 教职工 %d 人", sch->code, sch->name, sch->staff);
		frame(title, " ↑↓ 翻页  Esc 返回  q 退出");
		mvaddstr(1, 1, "序号   姓名                身份证件号");
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, sch->id);
		sqlite3_bind_int(s, 2, rows > 0 ? rows : 1);
		sqlite3_bind_int(s, 3, top);
		while (sqlite3_step(s) == SQLITE_ROW && y < LINES - 1) {
			char no[16];
			char *masked = idcard_mask((const char *)sqlite3_column_text(s, 1));

			snprintf(no, sizeof no, "%5d", top + y - 1);
			put_cols(y, 1, no, 6);
			put_cols(y, 8, (const char *)sqlite3_column_text(s, 0), 20);
			put_cols(y, 28, masked, 20);
			free(masked);
			y++;
		}
		if (sch->staff == 0)
			mvaddstr(3, 2, "本校还没有教职工。");
		refresh();
		ch = getch();
		if (ch == 'q' || ch == 'Q' || ch == 27 || ch == KEY_LEFT)
			break;
		if ((ch == KEY_DOWN || ch == KEY_NPAGE || ch == ' ') && top + rows < sch->staff)
			top += rows;
		if ((ch == KEY_UP || ch == KEY_PPAGE) && top > 0)
			top = top > rows ? top - rows : 0;
	}
	sqlite3_finalize(s);
	free(sql);
	return ch == 'q' || ch == 'Q';
}

int
ui_run(struct app *a)
{
	struct school_row *rows;
	size_t n, sel = 0;
	char *cause = NULL;
	const char *cs = nl_langinfo(CODESET);
	int ch;

	if (cs == NULL || strcmp(cs, "UTF-8") != 0) {
		fprintf(stderr, "jzg: 终端字符集不是 UTF-8，无法正确显示中文。请设置 LANG=zh_CN.UTF-8 或 C.UTF-8 后再启动。\n"
		    "jzg: the terminal locale is not UTF-8 (%s); set LANG=zh_CN.UTF-8 or C.UTF-8 and start again.\n", cs ? cs : "?");
		return EXIT_FAIL;
	}
	if (school_list(a->st, &rows, &n, &cause) != JZG_OK) {
		fprintf(stderr, "jzg: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	initscr();
	util_set_fatal_hook((void (*)(void))endwin);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	for (;;) {
		char title[256];

		snprintf(title, sizeof title, " jzg 教职工信息采集 — %s", a->db_path);
		frame(title, n ? " ↑↓ 选择  Enter 查看教职工  q 退出" : " q 退出");
		if (n == 0) {
			mvaddstr(2, 2, "文件中还没有学校。");
			mvaddstr(3, 2, "添加学校：jzg school add --code 学校标识码 --name 学校名称 --type zxx");
		} else
			mvaddstr(1, 1, "学校标识码  学校名称                      模板    人数");
		for (size_t i = 0; i < n && (int)i + 2 < LINES - 1; i++) {
			const struct template_def *t = defs_template(a->defs, rows[i].template);
			char cnt[16];

			if (i == sel)
				attron(A_REVERSE);
			put_cols((int)i + 2, 1, rows[i].code, 12);
			put_cols((int)i + 2, 13, rows[i].name, 30);
			put_cols((int)i + 2, 43, t ? t->v[TC_LABEL] : rows[i].template, 8);
			snprintf(cnt, sizeof cnt, "%d", rows[i].staff);
			put_cols((int)i + 2, 51, cnt, 8);
			if (i == sel)
				attroff(A_REVERSE);
		}
		refresh();
		ch = getch();
		if (ch == 'q' || ch == 'Q' || ch == KEY_F(10))
			break;
		if (ch == KEY_DOWN && sel + 1 < n)
			sel++;
		if (ch == KEY_UP && sel > 0)
			sel--;
		if ((ch == '\n' || ch == KEY_ENTER || ch == KEY_RIGHT) && n > 0 && show_staff(a, &rows[sel]))
			break;
	}
	endwin();
	school_list_free(rows, n);
	return EXIT_CLEAN;
}
