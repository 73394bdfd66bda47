/* ui_workflow.h — the client screens of issue 7, declared here so that
 * ui.h stays the lead's: the log-in (and "create the first 管理员" on a
 * file without operators) and the county progress board.  UI only. */
#ifndef JZG_UI_WORKFLOW_H
#define JZG_UI_WORKFLOW_H

#include "operator.h"
#include "ui.h"

/* Log-in; arg unused.  Open it with ui_modal before the first screen:
 * it refuses to open (returns -1) when nobody needs to log in (someone is
 * already logged in with --user).  On a file without operators it offers
 * to create the first 管理员; Esc there goes on without accounts (single
 * user).  Afterwards ui_workflow_may_continue() says whether the client
 * may go on (0: the user gave up; quit). */
extern const struct screen_ops scr_login_ops;
/* County progress board; arg unused.  Enter opens the school's staff list
 * (scr_staff_ops), F6 changes the sort, idle time checks the people not
 * yet checked, school by school. */
extern const struct screen_ops scr_board_ops;

/* The audit history of one field, popup; arg: struct history_arg *. */
extern const struct screen_ops scr_history_ops;

struct history_arg {
	sqlite3_int64 staff_id;
	const char   *set_name;   /* s_<set> name without s_, or NULL: every set */
	const char   *field;      /* field name, or NULL: the whole person */
	const char   *label;      /* shown in the title (姓名 指标), may be NULL */
};

int ui_workflow_may_continue(void);
/* The operator logged in through scr_login (or --user), or NULL. */
const struct operator *ui_workflow_operator(void);
/* Forget the operator of scr_login (at the end of ui_run). */
void ui_workflow_logout(void);

#endif
