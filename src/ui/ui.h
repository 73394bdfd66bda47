/* ui.h — the generic layer of the client: the screen stack, the one event
 * loop, and the drawing primitives.  Screens are tables of operations
 * (struct screen_ops) run by ui_loop (tig's view_ops, tmux's window_mode).
 * Only ui*.c and scr_*.c include curses. */
#ifndef JZG_UI_H
#define JZG_UI_H

#include <curses.h>
#include <sqlite3.h>
#include <wchar.h>

#include "app.h"
#include "request.h"

struct lp_printer;
struct rules;
struct screen;

/* What a screen's key handler asks the loop to do. */
enum ui_action { UI_STAY, UI_POP, UI_QUIT };

struct screen_ops {
	const char          *name;
	size_t               priv_size;  /* allocated and zeroed by ui_push */
	const enum request  *legend;     /* bottom line, REQ_NONE-terminated */
	/* the bottom line when it depends on the screen's state (the person's
	 * 去年 key only with a baseline); NULL: legend */
	const enum request *(*legend_now)(const struct screen *s);
	int                  popup;      /* draw the screen below first */
	/* arg is passed through from ui_push; return -1 to refuse to open */
	int                (*open)(struct screen *s, void *arg);
	void               (*draw)(struct screen *s);
	/* is_char: ch is a typed character (req is REQ_CHAR or a key that also
	 * types, such as '/' or space) */
	enum ui_action     (*key)(struct screen *s, enum request req, wchar_t ch, int is_char);
	/* the screen below this one popped back to it */
	void               (*resume)(struct screen *s);
	/* work to do while no key is waiting (checking the visible people);
	 * one small step per call, return 1 while more remains */
	int                (*idle)(struct screen *s);
	void               (*done)(struct screen *s);
};

struct ui {
	struct app     *app;
	struct rules   *rules;        /* compiled right after the first screen (ui_settle) */
	struct screen  *top;
	char            status[512];  /* message for the status line */
	int             status_error;
	int             cursor_y, cursor_x;  /* where the terminal cursor goes; -1 hides it */
	int             quit;
	int             idle_pending;          /* the top screen may have idle work */
	int             drawn;                 /* the first screen is up */
	const struct screen_ops *replace_ops;  /* set by ui_replace: swap the top screen */
	sqlite3_int64   replace_id;
	int             commit_pending;        /* ui_commit_later: COMMIT after the redraw */
	char            commit_label[128];
	char            saved[512];            /* ui_saved: shown once the COMMIT has returned */
	long long       owed_us;               /* settle time a waiting key sat through (keylog) */
	char           *fatal;                 /* why the client must stop (printed after endwin) */
	int             arm_failed;            /* audit_arm failed: the file stays read-only */
	int             login_gave_up;         /* the log-in screen was left without logging in: quit */
	char            last_path[4096];       /* the file last written (ui_message_path), whole, for F1 */
};

struct screen {
	const struct screen_ops *ops;
	struct ui               *ui;
	struct screen           *below;
	void                    *priv;
};

/* Push a screen; returns 0, or -1 when its open refused. */
int ui_push(struct ui *ui, const struct screen_ops *ops, void *arg);

/* Push a screen and run the loop until it is popped again (the code
 * picker: the caller wants its answer).  Returns -1 if it did not open. */
int ui_modal(struct ui *ui, const struct screen_ops *ops, void *arg);

/* Replace the top screen by ops (opened with &id) once the current key is
 * handled — the wizard becomes the new school's staff list. */
void ui_replace(struct ui *ui, const struct screen_ops *ops, sqlite3_int64 id);

/* Changes made while handling a key are committed after the screen has
 * answered it and before the next key is read (ui_settle in ui.c): the
 * sync to disk (11–20 ms with a rollback journal and synchronous=FULL)
 * follows the redraw instead of delaying it, and no key is ever read, no
 * prompt ever waits, while a change is uncommitted.  ui_begin opens the
 * transaction when none is open (a change earlier in the same key shares
 * it); ui_commit_later asks for the COMMIT; label names the change in the
 * message if the commit fails (the screen is then reloaded from the file). */
void ui_begin(struct ui *ui);
void ui_commit_later(struct ui *ui, const char *label);

/* A status line message that says a change is safe ("已保存：姓名",
 * "已新增一条…记录"): while its COMMIT is pending the line says 正在保存……
 * and the message replaces it only when the COMMIT has returned (ui_settle),
 * so that a kill or power cut can never lose what the screen called saved
 * (issue 18).  Shown at once when nothing is pending; a message set after
 * it (the field's own finding) takes its place. */
void ui_saved(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A message naming a file written: before, the path with $HOME as ~ and
 * shortened from the left with … so that the message fits the line, then
 * after.  The whole path is kept for the help screen (F1) to show. */
void ui_message_path(struct ui *ui, int error, const char *before, const char *path, const char *after);
/* path for a room of room columns into out (n bytes): $HOME as ~, and
 * shortened from the left with … when it does not fit. */
void path_fit(char *out, size_t n, const char *path, int room);

/* Status line (bottom-but-one) message, Chinese; error shows it bold. */
void ui_message(struct ui *ui, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A status line message drawn at once, not at the next redraw: before work
 * of a second or more within one key (有变化 over 20,000 people, a sheet),
 * so that the clerk sees the key was taken.  The next message replaces it. */
void ui_busy(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A value as the form shows it: codes with their names ("1 男"); a new
 * string (caller frees), "" for NULL. */
char *ui_value_text(const struct field_def *f, const char *v);

/* Drawing: UTF-8 text at y,x padded to width columns; text that does not
 * fit is cut and ends in …. */
void draw_text(int y, int x, const char *s, int width);
void draw_wtext(int y, int x, const wchar_t *s, int width);
/* s over lines of width columns from y,x, broken between whole characters
 * (never before a closing punctuation mark); at most maxlines (0: no
 * limit; the last line ends in … when text remains).  Returns the lines
 * used; with y < 0 only counts them. */
int draw_wrap(int y, int x, const char *s, int width, int maxlines);
void draw_title(const char *s);
/* A framed box (popup) of h×w centred; returns its top-left. */
void draw_box(int h, int w, int *y0, int *x0);
/* Ask y/n on the status line; returns 1 for y. */
int ui_confirm(struct ui *ui, const char *question);
/* Ask on the status line and return the character typed (0 for a key). */
wchar_t ui_choose(struct ui *ui, const char *question);
/* Read a line of text on the status line (search); returns a new string or NULL on Esc. */
char *ui_prompt(struct ui *ui, const char *prompt, const char *initial);
/* ui_prompt of a file path: Tab completes it (paths_complete), listing the
 * candidates on the status line when there are several. */
char *ui_prompt_path(struct ui *ui, const char *prompt, const char *initial);

/* Screens. */
extern const struct screen_ops scr_schools_ops;   /* school picker; arg unused */
extern const struct screen_ops scr_wizard_ops;    /* first run / add school; arg unused */
extern const struct screen_ops scr_staff_ops;     /* staff list; arg: sqlite3_int64 *school_id */
extern const struct screen_ops scr_person_ops;    /* one person; arg: struct person_arg * */
extern const struct screen_ops scr_picker_ops;    /* code picker; arg: struct picker_arg * */
extern const struct screen_ops scr_help_ops;      /* help; arg: const struct field_def * or NULL */
extern const struct screen_ops scr_report_ops;    /* check report; arg: struct report_arg * */
/* Verify mode (double-entry verification, scr_rekey.c); arg: struct
 * person_arg * (school and staff).  Refuses to open, saying why on the
 * status line, when rekey_begin refuses the operator. */
extern const struct screen_ops scr_rekey_ops;
/* Log-in; arg NULL at start-up, non-NULL from ^K.  Open it with ui_modal
 * before the first screen: it refuses to open (returns -1) when somebody
 * is already logged in (app->op, --user), or at start-up on a file whose
 * user chose single use before.  On a file without operators it offers to
 * create the first 管理员; Esc there goes on without accounts (single user,
 * not asked again).  It sets app->op, or ui->login_gave_up when the client
 * must quit. */
extern const struct screen_ops scr_printer_ops;   /* choose a printer; arg: struct printer_arg * */
extern const struct screen_ops scr_login_ops;

struct printer_arg {
	const struct lp_printer *p;   /* the printers (lp_printers) */
	size_t                   n;
	int                      chosen;   /* in: the one under the cursor first; out: the one picked, -1 = none */
};

struct person_arg {
	sqlite3_int64 school_id;
	sqlite3_int64 staff_id;
	const char   *set_name;   /* open at this set (NULL: the first) */
	sqlite3_int64 key;        /* and this record (0: none) */
	const char   *field;      /* and this field (NULL: none) */
};

struct picker_arg {
	const struct field_def *field;
	const char             *query;     /* typed so far (may be NULL) */
	const char             *current;   /* current value (codes, space-separated) */
	const char             *filter_sql;/* extra SQL condition on temp.code c, or NULL */
	char                   *result;    /* set on Enter: new value (caller frees) */
	int                     chosen;    /* also when the query alone chose a code: the
	                                    * picker then does not open (ui_modal -1) */
};

struct report_arg {
	sqlite3_int64 school_id;  /* 0 = all */
	sqlite3_int64 staff_id;   /* 0 = all */
};

#endif
