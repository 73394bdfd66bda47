/* ui.c — see ui.h: start-up of the client, the screen stack, the event
 * loop, drawing primitives, status line and legend. */
#include "ui.h"

#include <langinfo.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "lineedit.h"
#include "outfile.h"
#include "rules.h"
#include "paths.h"
#include "util.h"

static int
wtext_width(const wchar_t *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += wcwidth(*s) < 0 ? 1 : wcwidth(*s);
	return n;
}

void
draw_wtext(int y, int x, const wchar_t *s, int width)
{
	int used = 0, cut = 1;

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	/* text that does not fit ends in … (a cut is never silent) */
	if (wtext_width(s) > width)
		width--;
	else
		cut = 0;
	move(y, x);
	for (; s && *s; s++) {
		wchar_t wc = *s;
		int w = wcwidth(wc);

		if (w < 0)
			wc = L'?', w = 1;
		if (used + w > width)
			break;
		addnwstr(&wc, 1);
		used += w;
	}
	if (cut) {
		addnwstr(L"…", 1);
		width++;
		used++;
	}
	for (; used < width; used++)
		addch(' ');
}

/* s decoded into buf (n wide characters at most, NUL-terminated); returns
 * where decoding stopped */
static const char *
decode(const char *s, wchar_t *buf, size_t n)
{
	size_t len = s ? strlen(s) : 0, k, m = 0;
	wchar_t wc;

	while (len > 0 && m + 1 < n) {
		if ((k = utf8_decode(s, len, &wc)) == 0) {
			wc = L'?';
			k = 1;
		}
		buf[m++] = wc;
		s += k;
		len -= k;
	}
	buf[m] = 0;
	return s;
}

void
draw_text(int y, int x, const char *s, int width)
{
	wchar_t buf[512];

	decode(s, buf, sizeof buf / sizeof buf[0]);
	draw_wtext(y, x, buf, width);
}

int
draw_wrap(int y, int x, const char *s, int width, int maxlines)
{
	wchar_t buf[2048], *p = buf;
	int n = 0;

	decode(s, buf, sizeof buf / sizeof buf[0]);
	if (width < 2)
		return 0;
	do {
		wchar_t *start = p, keep;
		int used = 0, w;

		/* whole characters; a line break never strands a closing
		 * punctuation mark at the start of the next line */
		while (*p && used + (w = wcwidth(*p) < 0 ? 1 : wcwidth(*p)) <= width) {
			used += w;
			p++;
		}
		if (*p && p - start > 1 && wcschr(L"，。、；：）」』”！？", *p) != NULL)
			p--;
		if (maxlines > 0 && n + 1 == maxlines && *p) {
			draw_wtext(y + n, x, start, width);   /* the last line allowed ends in … */
			return n + 1;
		}
		keep = *p;
		*p = 0;
		if (y >= 0)
			draw_wtext(y + n, x, start, width);
		*p = keep;
		n++;
	} while (*p);
	return n;
}

void
draw_title(const char *s)
{
	attron(A_REVERSE);
	draw_text(0, 0, s, COLS);
	attroff(A_REVERSE);
}

void
draw_box(int h, int w, int *y0, int *x0)
{
	if (h > LINES - 2)
		h = LINES - 2;
	if (w > COLS)
		w = COLS;
	*y0 = (LINES - 2 - h) / 2;
	*x0 = (COLS - w) / 2;
	for (int y = 0; y < h; y++)
		mvhline(*y0 + y, *x0, ' ', w);
	mvhline(*y0, *x0, ACS_HLINE, w);
	mvhline(*y0 + h - 1, *x0, ACS_HLINE, w);
	mvvline(*y0, *x0, ACS_VLINE, h);
	mvvline(*y0, *x0 + w - 1, ACS_VLINE, h);
	mvaddch(*y0, *x0, ACS_ULCORNER);
	mvaddch(*y0, *x0 + w - 1, ACS_URCORNER);
	mvaddch(*y0 + h - 1, *x0, ACS_LLCORNER);
	mvaddch(*y0 + h - 1, *x0 + w - 1, ACS_LRCORNER);
}

void
ui_message(struct ui *ui, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = error;
	ui->saved[0] = '\0';   /* a later word wins over a pending 已保存 */
}

void
ui_saved(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	char m[sizeof ui->saved];

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	if (!ui->commit_pending) {
		ui_message(ui, 0, "%s", m);
		return;
	}
	ui_message(ui, 0, "正在保存……");
	memcpy(ui->saved, m, sizeof m);
}

/* One legend item at x: the key bold, the label reversed; returns the
 * width used (0 when it does not fit before limit). */
static int
legend_item(int x, int limit, const char *key, const char *label)
{
	int kw = utf8_width(key), lw = utf8_width(label);

	if (x + kw + lw > limit)
		return 0;
	attron(A_BOLD);
	draw_text(LINES - 1, x, key, kw);
	attroff(A_BOLD);
	attron(A_REVERSE);
	draw_text(LINES - 1, x + kw, label, lw);
	attroff(A_REVERSE);
	return kw + lw + 1;
}

/* The bottom line from the screen's legend.  Esc返回 and, when the screen
 * has F-keys, the hint that Esc then a digit is that F-key (terminals that
 * keep F1/F11 for themselves) are kept at the right; the other items fill
 * what is left in their order. */
/* Does screen s take F-keys (its legend names one)?  Only then is Esc
 * then a digit an F-key there, hinted in the legend and waited for. */
static int
screen_has_fkeys(const struct screen *s)
{
	for (const enum request *r = s ? s->ops->legend : NULL; r && *r != REQ_NONE; r++)
		if (*r != REQ_BACK && request_key_name(*r)[0] == 'F')
			return 1;
	return 0;
}

static void
draw_legend(const struct screen *s)
{
	const char *hint = "", *hint_label = "";
	int x = 0, has_back = 0, reserve = 0;
	const enum request *legend = s->ops->legend_now ? s->ops->legend_now(s) : s->ops->legend;

	move(LINES - 1, 0);
	clrtoeol();
	for (const enum request *r = legend; r && *r != REQ_NONE; r++)
		if (*r == REQ_BACK)
			has_back = 1;
	if (screen_has_fkeys(s)) {
		hint = "Esc+数字";
		hint_label = "=F键";
	}
	if (has_back)
		reserve += utf8_width(request_key_name(REQ_BACK)) + utf8_width(request_label[REQ_BACK]) + 1;
	if (hint[0])
		reserve += utf8_width(hint) + utf8_width(hint_label);
	for (const enum request *r = legend; r && *r != REQ_NONE; r++) {
		int w;

		if (*r == REQ_BACK)
			continue;
		if ((w = legend_item(x, COLS - reserve, request_key_name(*r), request_label[*r])) == 0)
			break;
		x += w;
	}
	if (has_back)
		x += legend_item(x, COLS, request_key_name(REQ_BACK), request_label[REQ_BACK]);
	if (hint[0])
		legend_item(x, COLS, hint, hint_label);
}

void
path_fit(char *out, size_t n, const char *path, int room)
{
	const char *home = getenv("HOME"), *tail;
	size_t hl = home ? strlen(home) : 0;
	char shown[4096];

	if (hl > 1 && strncmp(path, home, hl) == 0 && path[hl] == '/')
		snprintf(shown, sizeof shown, "~%s", path + hl);
	else
		snprintf(shown, sizeof shown, "%s", path);
	tail = shown;
	if (utf8_width(shown) <= room) {
		snprintf(out, n, "%s", shown);
		return;
	}
	/* keep the end (the file's name), cut whole characters from the left */
	while (*tail && utf8_width(tail) > room - 1)
		do
			tail++;
		while ((*tail & 0xC0) == 0x80);
	snprintf(out, n, "…%s", tail);
}

void
ui_message_path(struct ui *ui, int error, const char *before, const char *path, const char *after)
{
	char shown[4096];

	snprintf(ui->last_path, sizeof ui->last_path, "%s", path);
	path_fit(shown, sizeof shown, path, COLS - utf8_width(before) - utf8_width(after) - 1);
	ui_message(ui, error, "%s%s%s", before, shown, after);
}

/* The status line; a message longer than the line takes the lines above
 * it (over the screen's last lines) rather than being cut. */
static void
draw_status(struct ui *ui)
{
	int n = draw_wrap(-1, 0, ui->status, COLS, 3);

	move(LINES - 2, 0);
	clrtoeol();
	if (ui->status_error)
		attron(A_BOLD);
	draw_wrap(LINES - 1 - n, 0, ui->status, COLS, 3);
	if (ui->status_error)
		attroff(A_BOLD);
}

void
ui_busy(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = 0;
	ui->saved[0] = '\0';
	draw_status(ui);
	refresh();
}

static FILE *keylog;
static struct timespec last_drawn, last_drawn_cpu;   /* when the screen last answered */
static long long usec_since(const struct timespec *t0);
static void ui_settle(struct ui *ui);

static void
draw_stack(struct screen *s)
{
	if (s == NULL)
		return;
	if (s->ops->popup)
		draw_stack(s->below);
	s->ops->draw(s);
}

static void
ui_draw(struct ui *ui)
{
	erase();
	ui->cursor_y = ui->cursor_x = -1;
	draw_stack(ui->top);
	draw_status(ui);
	draw_legend(ui->top);
	if (ui->cursor_y >= 0) {
		curs_set(1);
		move(ui->cursor_y, ui->cursor_x);
	} else
		curs_set(0);
	refresh();
	clock_gettime(CLOCK_MONOTONIC, &last_drawn);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &last_drawn_cpu);
	if (keylog != NULL && !ui->drawn) {
		struct timespec now;

		/* also the wall-clock time, so that the benchmark can add what
		 * came before main (exec, the dynamic loader) */
		clock_gettime(CLOCK_REALTIME, &now);
		/* and the CPU time since exec (loader included): independent of load */
		fprintf(keylog, "startup %lld %lld.%09ld %lld\n", usec_since(&ui->app->started), (long long)now.tv_sec,
		    now.tv_nsec, (long long)last_drawn_cpu.tv_sec * 1000000 + last_drawn_cpu.tv_nsec / 1000);
	}
	ui->drawn = 1;
	ui_settle(ui);
}

void
ui_begin(struct ui *ui)
{
	if (sqlite3_get_autocommit(ui->app->st->db))
		sqlite3_exec(ui->app->st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}

void
ui_commit_later(struct ui *ui, const char *label)
{
	if (sqlite3_get_autocommit(ui->app->st->db))
		return;   /* nothing open: already committed */
	ui->commit_pending = 1;
	snprintf(ui->commit_label, sizeof ui->commit_label, "%s", label ? label : "");
}

static int
key_waiting(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* The terminal went away (window closed, ssh cut, tmux killed) and the
 * hang-up did not end us (SIGHUP ignored, or sent to another process
 * group): every read then fails at once, and looping on it spun a core
 * for an hour.  Seen when a read fails and stdin reports the hang-up. */
static int tty_gone;

static int
terminal_hung_up(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* Work owed before the next key: creating the audit triggers once after
 * the first screen (audit_arm), and the pending COMMIT of a change.  Runs
 * after every redraw and before every read; the time a key already
 * waiting sat through is charged to that key in the benchmark log. */
static void
ui_settle(struct ui *ui)
{
	struct store *st = ui->app->st;
	struct timespec t0;
	int did = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!audit_armed(st) && !ui->arm_failed) {
		char *cause = NULL;

		did = 1;
		if (audit_arm(st, &cause) != JZG_OK) {
			/* said once; the store's guard still refuses every change */
			ui_message(ui, 1, "审计记录无法建立（%s），本次不能修改数据；请退出后重新启动", cause ? cause : "");
			free(cause);
			ui->arm_failed = 1;
		} else if (audit_notice(st) != NULL) {
			/* changes made outside jzg, found on opening (trust.h): the
			 * first line of what was found, the rest from jzg verify */
			const char *n = audit_notice(st);

			ui_message(ui, 1, "%.*s", (int)strcspn(n, "\n"), n);
		}
	}
	/* the rules engine (compiling every rule: ~30 M instructions) is not
	 * needed by the first screen; without it the client cannot work */
	if (ui->rules == NULL && ui->fatal == NULL) {
		char *cause = NULL;

		did = 1;
		if ((ui->rules = rules_new(st, &cause)) == NULL) {
			ui->fatal = xasprintf("校验规则无法编译：%s。请运行 “jzg forms check” 查看指标定义的问题。",
			    cause ? cause : "");
			free(cause);
			ui->quit = 1;
		}
	}
	if (ui->commit_pending) {
		long long us;

		ui->commit_pending = 0;
		did = 1;
		if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
			if (ui->saved[0] != '\0') {
				/* now, and only now, the words that say it is safe */
				snprintf(ui->status, sizeof ui->status, "%s", ui->saved);
				ui->saved[0] = '\0';
				ui->status_error = 0;
				draw_status(ui);
				if (ui->cursor_y >= 0)
					move(ui->cursor_y, ui->cursor_x);
				refresh();
			}
		} else {
			ui_message(ui, 1, "保存失败：〈%s〉没有存入数据文件——%s。处理后请重新输入这一项。", ui->commit_label,
			    store_errstr(sqlite3_extended_errcode(st->db)));
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			if (ui->top != NULL && ui->top->ops->resume != NULL)
				ui->top->ops->resume(ui->top);   /* show what the file holds */
			ui_draw(ui);
		}
		us = usec_since(&t0);
		if (keylog != NULL)
			fprintf(keylog, "commit %lld\n", us);
	}
	if (did && key_waiting())
		ui->owed_us += usec_since(&t0);
}

int
ui_push(struct ui *ui, const struct screen_ops *ops, void *arg)
{
	struct screen *s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->ui = ui;
	s->priv = ops->priv_size ? xcalloc(1, ops->priv_size) : NULL;
	s->below = ui->top;
	ui->top = s;
	if (ops->open != NULL && ops->open(s, arg) < 0) {
		ui->top = s->below;
		if (ops->done)
			ops->done(s);
		free(s->priv);
		free(s);
		return -1;
	}
	return 0;
}

void
ui_replace(struct ui *ui, const struct screen_ops *ops, sqlite3_int64 id)
{
	ui->replace_ops = ops;
	ui->replace_id = id;
}

static void
ui_pop(struct ui *ui)
{
	struct screen *s = ui->top;

	ui->top = s->below;
	if (s->ops->done)
		s->ops->done(s);
	free(s->priv);
	free(s);
	if (ui->top && ui->top->ops->resume)
		ui->top->ops->resume(ui->top);
}

/* Time spent blocked in ui_read during the current key (a prompt or a
 * confirmation inside a key waits for the user): not counted as handling.
 * handled_us sums the logged times of keys, so that a key that opens a
 * modal screen (the picker) is not charged again for the keys handled
 * inside it. */
static long long waited_us, handled_us, handled_cpu_us;
/* 1 while the main loop (ui_step) reads a key: only there may Esc then a
 * digit be an F-key; a prompt or a question reads its answer itself */
static int in_step;
static long long usec_since(const struct timespec *t0);

/* What follows an Esc.  Terminals that send F-keys this terminal type
 * does not describe (PuTTY's ESC [ 11~ under TERM=xterm) or keys with
 * modifiers reach us as Esc and the rest of the sequence: the rest comes
 * at once, and is read here so that it never counts as "back".  When
 * curses gave up on a known sequence because its bytes came apart (a
 * loaded machine, a slow link: more than ESCDELAY between them), the
 * sequence is still looked up here (key_defined) and is that key; an
 * unknown one is swallowed.  A digit right after Esc — Alt-digit, or Esc
 * then digit typed within ESC_DIGIT_MS as in Midnight Commander — is the
 * F-key of that number (0 = F10), for terminals that keep F1 and F11 for
 * themselves; while that digit may still come the status line says so.
 * Returns the get_wch result in *w (Esc itself when nothing followed);
 * ERR when a sequence was swallowed. */
enum { ESC_SEQ_MS = 60, ESC_DIGIT_MS = 700 };

static int
read_esc_sequence(wint_t intro, wint_t *w)
{
	char seq[32] = { 27, (char)intro };
	size_t n = 2;
	wint_t c;
	int rc, key;

	/* CSI: parameter and intermediate bytes, then one final byte
	 * (0x40–0x7e); SS3: one byte */
	while ((rc = get_wch(&c)) == OK && c < 0x80) {
		if (n + 1 < sizeof seq)
			seq[n++] = (char)c;
		if (intro == 'O' || c < 0x20 || c >= 0x40)
			break;
	}
	seq[n] = '\0';
	if (rc == OK && (key = key_defined(seq)) > 0) {
		*w = (wint_t)key;
		return KEY_CODE_YES;
	}
	return ERR;
}

static int
read_after_esc(wint_t *w, int digits)
{
	int delay = wgetdelay(stdscr), rc;
	wint_t n;
	struct timespec t0;

	/* the waits below are for the user or the terminal, not work: they
	 * count as waiting in the key log */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	timeout(ESC_SEQ_MS);
	rc = get_wch(&n);
	if (rc == ERR && digits) {
		/* Esc alone so far, on a screen with F-keys: a digit may follow
		 * (drawn over the status line; the next redraw restores it).
		 * Elsewhere (a prompt, the code picker) Esc acts at once. */
		attron(A_BOLD);
		draw_text(LINES - 2, 0, "Esc：接着按数字 1–9、0 即 F1–F10（不按即为 Esc）", COLS);
		attroff(A_BOLD);
		refresh();
		timeout(ESC_DIGIT_MS);
		rc = get_wch(&n);
	}
	waited_us += usec_since(&t0);
	/* a sequence whose rest came late is still one (no one types Esc [) */
	if (rc == OK && (n == '[' || n == 'O')) {
		timeout(ESC_SEQ_MS);
		rc = read_esc_sequence(n, w);
		timeout(delay);
		return rc;
	}
	timeout(delay);
	if (rc == OK && n >= '0' && n <= '9') {
		*w = (wint_t)KEY_F(n == '0' ? 10 : (int)(n - '0'));
		return KEY_CODE_YES;
	}
	if (rc == OK)
		unget_wch((wchar_t)n);
	else if (rc == KEY_CODE_YES)
		ungetch((int)n);
	*w = 27;
	return OK;
}

/* Read one key: returns the request, with the character when one was typed. */
static enum request
ui_read(struct ui *ui, wchar_t *ch, int *is_char)
{
	wint_t w;
	struct timespec t0;
	int rc;
	enum request r;

	ui_settle(ui);   /* never wait for a key with a change uncommitted */
	*ch = 0;
	*is_char = 0;
	if (tty_gone) {
		/* nobody to ask: every prompt and screen is left as by Esc, and
		 * the loop ends — what was typed is committed (ui_settle) */
		ui->quit = 1;
		return REQ_BACK;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = get_wch(&w);
	waited_us += usec_since(&t0);

	if (rc == ERR) {
		if (!terminal_hung_up())
			return REQ_NONE;   /* a poll found no key, or an unknown sequence */
		tty_gone = 1;
		ui->quit = 1;
		return REQ_BACK;
	}
	if (rc == OK && w == 27 && (rc = read_after_esc(&w, in_step && screen_has_fkeys(ui->top))) == ERR)
		return REQ_NONE;   /* an escape sequence no terminfo entry knows */
	if (rc == KEY_CODE_YES)
		return request_of_key((int)w, 1);
	r = request_of_key((int)w, 0);
	if (w >= 32 && w != 127) {
		*ch = (wchar_t)w;
		*is_char = 1;
	}
	return r;
}

int
ui_confirm(struct ui *ui, const char *question)
{
	wchar_t ch;
	int is_char;
	enum request r;

	ui_message(ui, 1, "%s（y 确认，其他键取消）", question);
	ui_draw(ui);
	r = ui_read(ui, &ch, &is_char);
	ui_message(ui, 0, "%s", "");
	(void)r;
	return is_char && (ch == L'y' || ch == L'Y');
}

wchar_t
ui_choose(struct ui *ui, const char *question)
{
	wchar_t ch;
	int is_char;

	ui_message(ui, 1, "%s", question);
	ui_draw(ui);
	ui_read(ui, &ch, &is_char);
	ui_message(ui, 0, "%s", "");
	return is_char ? ch : 0;
}

/* Tab in a path prompt: complete the file name (paths_complete); several
 * matches are listed on the status line. */
static void
prompt_complete(struct lineedit *le, char **shown)
{
	char *typed = lineedit_get(le), *list = NULL, *done;
	int n;

	done = paths_complete(typed, &n, &list);
	lineedit_set(le, done);
	free(*shown);
	*shown = n == 0 ? xstrdup("没有这样的文件或目录") : list;   /* list: NULL for one */
	free(done);
	free(typed);
}

static char *
prompt_loop(struct ui *ui, const char *prompt, const char *initial, int paths)
{
	struct lineedit le;
	int pw = utf8_width(prompt);
	char *out = NULL, *shown = NULL;
	/* the previous answer (last search, today's date) is shown selected:
	 * typing replaces it, Enter keeps it, ← → edit it */
	int selected = initial != NULL && *initial != '\0';

	lineedit_init(&le, COLS - pw - 2, paths ? 1000 : 100);
	lineedit_set(&le, initial);
	for (;;) {
		wchar_t vis[256], ch;
		int is_char;
		enum request r;

		ui_message(ui, 0, "%s", "");
		ui_draw(ui);
		if (shown != NULL)   /* the candidates, over the screen's last line */
			draw_text(LINES - 3, 0, shown, COLS);
		attron(A_BOLD);
		draw_text(LINES - 2, 0, prompt, pw);
		attroff(A_BOLD);
		lineedit_visible(&le, vis, 256);
		if (selected)
			attron(A_REVERSE);
		draw_wtext(LINES - 2, pw + 1, vis, selected ? lineedit_cursor_col(&le) : COLS - pw - 2);
		attroff(A_REVERSE);
		curs_set(1);
		move(LINES - 2, pw + 1 + lineedit_cursor_col(&le));
		refresh();
		r = ui_read(ui, &ch, &is_char);
		if (selected && (is_char ? r != REQ_ENTER : r == REQ_BS || r == REQ_DEL))
			lineedit_key(&le, LE_KILL_LINE);
		selected = 0;
		if (is_char && r != REQ_ENTER) {
			lineedit_insert(&le, ch);
			continue;
		}
		switch (r) {
		case REQ_ENTER: out = lineedit_get(&le); break;
		case REQ_BACK: break;
		case REQ_BS: lineedit_key(&le, LE_BACKSPACE); continue;
		case REQ_DEL: lineedit_key(&le, LE_DELETE); continue;
		case REQ_LEFT: lineedit_key(&le, LE_LEFT); continue;
		case REQ_RIGHT: lineedit_key(&le, LE_RIGHT); continue;
		case REQ_HOME: lineedit_key(&le, LE_HOME); continue;
		case REQ_END: lineedit_key(&le, LE_END); continue;
		case REQ_KILL: lineedit_key(&le, LE_KILL_LINE); continue;
		case REQ_NEXT: if (paths) prompt_complete(&le, &shown); continue;
		default: continue;
		}
		break;
	}
	free(shown);
	lineedit_free(&le);
	return out;
}

char *
ui_prompt(struct ui *ui, const char *prompt, const char *initial)
{
	return prompt_loop(ui, prompt, initial, 0);
}

char *
ui_prompt_path(struct ui *ui, const char *prompt, const char *initial)
{
	return prompt_loop(ui, prompt, initial, 1);
}

/* With JZG_KEYLOG=FILE the client writes, for the benchmark, the start-up
 * time to the first screen and then, per key, the time from reading it to
 * the screen being redrawn (microseconds), plus the settle time it waited
 * through when it arrived during one; and each commit's duration. */

static long long
usec_between(const struct timespec *t0, const struct timespec *t1)
{
	return (long long)(t1->tv_sec - t0->tv_sec) * 1000000 + (t1->tv_nsec - t0->tv_nsec) / 1000;
}

static long long
usec_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return usec_between(t0, &t1);
}

/* One key: read, dispatch to the top screen, act, redraw. */
static void
ui_step(struct ui *ui)
{
	wchar_t ch;
	int is_char;
	enum request r;
	enum ui_action act;
	struct timespec t0;
	long long w0, h0, hc0, owed;
	struct timespec c0, c1;
	int changes0;

	if (ui->top->ops->idle != NULL && ui->idle_pending) {
		/* background work between keys: poll, and do one step when idle */
		timeout(0);
		in_step = 1;
		r = ui_read(ui, &ch, &is_char);
		in_step = 0;
		timeout(-1);
		if (r == REQ_NONE) {
			struct timespec i0;

			clock_gettime(CLOCK_MONOTONIC, &i0);
			ui->idle_pending = ui->top->ops->idle(ui->top);
			ui_draw(ui);
			if (key_waiting())   /* a key came during the step: it waited */
				ui->owed_us += usec_since(&i0);
			return;
		}
	} else {
		in_step = 1;
		r = ui_read(ui, &ch, &is_char);
		in_step = 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	owed = ui->owed_us;
	ui->owed_us = 0;
	w0 = waited_us;   /* a modal screen inside this key waits for keys too */
	h0 = handled_us;
	hc0 = handled_cpu_us;
	changes0 = sqlite3_total_changes(ui->app->st->db);
	ui->idle_pending = 1;
	if (r == REQ_NONE)
		return;
	if (r == REQ_INTR) {
		/* ^C: raw() makes it a key; what was typed is already committed
		 * (ui_read settles first), so only the question remains */
		if (ui_confirm(ui, "退出 jzg？已输入的内容都已保存"))
			ui->quit = 1;
		else
			ui_draw(ui);
		return;
	}
	if (r == REQ_RESIZE) {
		if (ui->top->ops->key)
			ui->top->ops->key(ui->top, r, 0, 0);
		ui_draw(ui);
		return;
	}
	act = ui->top->ops->key(ui->top, r, ch, is_char);
	if (act == UI_QUIT)
		ui->quit = 1;
	else if (act == UI_POP)
		ui_pop(ui);
	if (ui->replace_ops != NULL) {
		const struct screen_ops *ops = ui->replace_ops;

		ui->replace_ops = NULL;
		ui_pop(ui);
		ui_push(ui, ops, &ui->replace_id);
	}
	if (ui->top != NULL && !ui->quit) {
		ui_draw(ui);
		long long us = usec_between(&t0, &last_drawn) - (waited_us - w0) - (handled_us - h0) + owed;

		handled_us += us;
		c1 = last_drawn_cpu;
		/* the CPU column (process CPU time) does not depend on what else
		 * the machine runs; like the wall column it leaves out the keys
		 * of a modal screen this key opened (each logged on its own) */
		long long cpu = usec_between(&c0, &c1) - (handled_cpu_us - hc0);

		handled_cpu_us += cpu;
		if (keylog != NULL)
			fprintf(keylog, "key %d %lld %d %lld\n", (int)r, us,
			    sqlite3_total_changes(ui->app->st->db) != changes0,   /* 1: changed data */
			    cpu);
	}
}

int
ui_modal(struct ui *ui, const struct screen_ops *ops, void *arg)
{
	struct screen *base = ui->top;

	if (ui_push(ui, ops, arg) < 0)
		return -1;
	ui_draw(ui);
	while (ui->top != base && ui->top != NULL && !ui->quit)
		ui_step(ui);
	/* quitting from inside: close the modal screen so its caller sees it done */
	while (ui->top != base && ui->top != NULL)
		ui_pop(ui);
	return 0;
}

static void
ui_restore(void)
{
	endwin();
}

/* After endwin: say why the client had to stop (Chinese), EXIT_FAIL; or
 * EXIT_CLEAN when nothing went wrong. */
static int
ui_fatal(struct ui *ui)
{
	if (ui->fatal == NULL)
		return EXIT_CLEAN;
	fprintf(stderr, "jzg: %s\n", ui->fatal);
	free(ui->fatal);
	ui->fatal = NULL;
	return EXIT_FAIL;
}

/* F-keys and Home/End as PuTTY and Xshell send them by default (the
 * "ESC [n~" and "Linux" keyboards) under TERM=xterm, whose terminfo
 * describes other sequences: added only where the terminal type leaves
 * the sequence unused. */
static void
define_terminal_keys(void)
{
	static const struct { const char *seq; int key; } extra[] = {
		{ "\033[11~", KEY_F(1) }, { "\033[12~", KEY_F(2) }, { "\033[13~", KEY_F(3) },
		{ "\033[14~", KEY_F(4) }, { "\033[[A", KEY_F(1) }, { "\033[[B", KEY_F(2) },
		{ "\033[[C", KEY_F(3) }, { "\033[[D", KEY_F(4) }, { "\033[[E", KEY_F(5) },
		{ "\033OP", KEY_F(1) }, { "\033OQ", KEY_F(2) }, { "\033OR", KEY_F(3) }, { "\033OS", KEY_F(4) },
		{ "\033[15~", KEY_F(5) }, { "\033[17~", KEY_F(6) }, { "\033[18~", KEY_F(7) },
		{ "\033[19~", KEY_F(8) }, { "\033[20~", KEY_F(9) }, { "\033[21~", KEY_F(10) },
		{ "\033[23~", KEY_F(11) }, { "\033[24~", KEY_F(12) },
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END }, { "\033[H", KEY_HOME }, { "\033[F", KEY_END },
		{ "\033OH", KEY_HOME }, { "\033OF", KEY_END }, { "\033[2~", KEY_IC }, { "\033[3~", KEY_DC },
		{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
	};

	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].key);
}

int
ui_can_start(void)
{
	const char *cs = nl_langinfo(CODESET);

	/* without a terminal, curses would read end-of-file for ever */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "jzg: 录入界面需要在终端中运行（标准输入或输出不是终端）。"
		    "在脚本中请使用命令，如 jzg check、jzg export（见 jzg --help）。\n");
		return EXIT_FAIL;
	}
	if (cs == NULL || strcmp(cs, "UTF-8") != 0) {
		fprintf(stderr, "jzg: 终端字符集不是 UTF-8（%s），无法正确显示中文。请设置 LANG=zh_CN.UTF-8 或 C.UTF-8 后再启动。\n"
		    "jzg: the terminal locale is not UTF-8 (%s); set LANG=zh_CN.UTF-8 or C.UTF-8 and start again.\n",
		    cs ? cs : "?", cs ? cs : "?");
		return EXIT_FAIL;
	}
	return 0;
}

/* Replay keys from $JZG_KEYS_LOG? No: keys come from the terminal only; the
 * benchmark drives the binary through tmux like a user. */
/* What the client's outputs removed of a killed run's temporary files
 * (outfile_sweep) goes on the status line, not onto the curses screen. */
static struct ui *notice_ui;

static void
ui_notice(const char *msg)
{
	if (notice_ui != NULL)
		ui_message(notice_ui, 0, "%s", msg);
}

int
ui_run(struct app *a)
{
	struct ui ui = { .app = a };
	sqlite3_stmt *q;
	sqlite3_int64 first[2];
	size_t n = 0;
	char *cause = NULL;

	/* which first screen: the wizard, the one school's staff, or the
	 * picker (not school_list: its staff counts are for the picker to draw) */
	if (store_prepare(a->st, "SELECT id FROM school ORDER BY code LIMIT 2", &q, &cause) != JZG_OK) {
		fprintf(stderr, "jzg: %s\n", cause);
		free(cause);
		return EXIT_FAIL;
	}
	while (n < 2 && sqlite3_step(q) == SQLITE_ROW)
		first[n++] = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	/* PuTTY and others draw the VT100 line set wrongly in UTF-8 mode:
	 * boxes in Unicode characters work everywhere */
	setenv("NCURSES_NO_UTF8_ACS", "1", 0);
	initscr();
	util_set_fatal_hook(ui_restore);
	notice_ui = &ui;
	outfile_set_notice(ui_notice);
	raw();            /* ^C, ^S and friends reach us as keys, not signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	define_terminal_keys();
	if (getenv("JZG_KEYLOG") != NULL && (keylog = fopen(getenv("JZG_KEYLOG"), "w")) != NULL)
		setvbuf(keylog, NULL, _IOLBF, 0);
	/* log-in (or creating the first 管理员) when the file has operators */
	if (ui_modal(&ui, &scr_login_ops, NULL) == 0 && (ui.fatal != NULL || ui.login_gave_up)) {
		endwin();
		outfile_set_notice(NULL);
		rules_free(ui.rules);
		return ui_fatal(&ui);
	}
	ui_push(&ui, &scr_schools_ops, NULL);
	if (n == 0)
		ui_push(&ui, &scr_wizard_ops, NULL);
	else if (n == 1)
		ui_push(&ui, &scr_staff_ops, &first[0]);
	ui_draw(&ui);
	ui.idle_pending = 1;
	while (ui.top != NULL && !ui.quit)
		ui_step(&ui);
	while (ui.top != NULL)
		ui_pop(&ui);
	ui_settle(&ui);   /* quitting commits what the last key changed */
	endwin();
	outfile_set_notice(NULL);   /* the ui is gone: stderr again */
	rules_free(ui.rules);
	if (ui.fatal != NULL)
		return ui_fatal(&ui);
	if (keylog != NULL) {
		/* peak memory, as the kernel counts it (VmHWM, kB) */
		FILE *f = fopen("/proc/self/status", "r");
		char line[128];

		while (f != NULL && fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "VmHWM:", 6) == 0)
				fprintf(keylog, "peak %ld\n", strtol(line + 6, NULL, 10));
		if (f != NULL)
			fclose(f);
		fclose(keylog);
	}
	keylog = NULL;
	return EXIT_CLEAN;
}
