/* ui_workflow.h — the client screens of issue 7 that other screens open:
 * the county progress board and the audit history.  (The log-in, which
 * ui_run opens, is declared in ui.h with the other screens ui.c opens.)
 * UI only. */
#ifndef JZG_UI_WORKFLOW_H
#define JZG_UI_WORKFLOW_H

#include "ui.h"

/* County progress board; arg unused.  Enter opens the school's staff list
 * (scr_staff_ops), F6 changes the sort, idle time checks the people not
 * yet checked, school by school. */
extern const struct screen_ops scr_board_ops;

/* ^N on the school list or the board: ask for the school's 应有 (the
 * headcount of its annual report) and store it through county_set_expected
 * (audited); current is shown selected, 0 = not known. */
void ui_set_expected(struct ui *ui, const char *code, int current);

/* The hint on the status line for a school whose 应有 is not filled. */
#define UI_EXPECTED_HINT "应有人数未填：按 ^N 填写年报中的教职工数，录入率才能算出"

/* The audit history of one field, popup; arg: struct history_arg *. */
extern const struct screen_ops scr_history_ops;

struct history_arg {
	sqlite3_int64 staff_id;
	const char   *set_name;   /* s_<set> name without s_, or NULL: every set */
	const char   *field;      /* field name, or NULL: the whole person */
	const char   *label;      /* shown in the title (姓名 指标), may be NULL */
};

#endif
