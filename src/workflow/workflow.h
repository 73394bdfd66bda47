/* workflow.h — the review states of a person and the transitions between
 * them.  No curses.
 *
 *   draft (录入中) --submit--> submitted (待审核) --approve--> approved (已审核)
 *   approved --confirm--> signed (已签字确认)   [the signed sheet came back]
 *   submitted|approved --reject + reason--> draft      (退回, reviewer)
 *   approved|signed --unlock + reason--> draft          (解锁, 管理员 only)
 *
 * submit needs no errors and every warning explained (rules_check on the
 * person); approve and reject need a 审核员 or 管理员 who did not key or
 * change the person (separation of duties, from the audit trail); confirm
 * needs the signature of issue 6 to match the current data.  Approved and
 * signed people are locked by the audit triggers (audit.h).  Every
 * transition is a row of table review (who, when, from, to, reason). */
#ifndef JZG_WORKFLOW_H
#define JZG_WORKFLOW_H

#include <sqlite3.h>

#include "operator.h"
#include "rules.h"
#include "store.h"

enum wf_state { WF_DRAFT, WF_SUBMITTED, WF_APPROVED, WF_SIGNED, WF__COUNT };
enum wf_action { WF_SUBMIT, WF_APPROVE, WF_REJECT, WF_UNLOCK, WF_CONFIRM, WF_ACTION__COUNT };

/* Stored code (draft …) ↔ state; -1 for an unknown code. */
int workflow_state_parse(const char *code);
const char *workflow_state_code(enum wf_state s);
const char *workflow_state_label(enum wf_state s);      /* 录入中 … */
/* "submit" … → action, -1 if unknown; label 提交审核 …. */
int workflow_action_parse(const char *verb);
const char *workflow_action_label(enum wf_action a);

enum jzg_status workflow_state(struct store *st, sqlite3_int64 staff_id, enum wf_state *out,
    char **cause);

/* Apply action to staff_id as operator op (NULL only in a file without
 * operators, where review actions are refused: they need named people).
 * rules is needed for WF_SUBMIT (may be NULL otherwise).  reason is
 * required for reject and unlock.  Refusals return JZG_ERR_INVALID with a
 * Chinese cause saying what to do; nothing changes then. */
enum jzg_status workflow_apply(struct store *st, struct rules *rules, const struct operator *op,
    sqlite3_int64 staff_id, enum wf_action action, const char *reason, char **cause);

/* Why the person was last sent back (退回 or 解锁) while still in draft:
 * *reason, *by, *at (caller frees; all NULL when none). */
enum jzg_status workflow_last_return(struct store *st, sqlite3_int64 staff_id, char **reason,
    char **by, char **at, char **cause);

#endif
