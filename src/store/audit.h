/* audit.h — the audit trail: who changed what, when, through which path and
 * on behalf of which school.  No curses.
 *
 * The trail is written by SQLite triggers, not by the C code that changes
 * data, so that every path through jzg (client, import, merge, command
 * line) is caught the same way and none can forget it.  The triggers are
 * generated from the definitions (three per s_<set> table, since provinces
 * add fields) and created as TEMP triggers on every open for writing: they
 * call SQL functions registered per connection (audit_on, audit_who,
 * audit_path, audit_county) that read the session set by audit_set, and a
 * persistent trigger calling them would make the file unwritable for any
 * other SQLite program.  The trail itself (table audit) is persistent and
 * append-only (workflow_schema.h).
 *
 * The same triggers keep approved people locked (a change raises an error
 * unless a 管理员 unlocked the person first, workflow.h) and drop the
 * person's cached check result (check_cache, county.h). */
#ifndef JZG_AUDIT_H
#define JZG_AUDIT_H

#include <sqlite3.h>

#include "store.h"

/* Change paths recorded in audit.path. */
#define AUDIT_PATH_CLIENT "client"
#define AUDIT_PATH_IMPORT "import"
#define AUDIT_PATH_MERGE  "merge"
#define AUDIT_PATH_CLI    "cli"
#define AUDIT_PATH_DEMO   "demo"
#define AUDIT_PATH_CHECK  "check"   /* what jzg found on opening (trust.h) */
#define AUDIT_PATH_REKEY  "rekey"   /* a value decided in double-entry verification */

/* An audit_open flag beside the STORE_* ones (store.h): the client's.  The
 * triggers are created by audit_arm, after the first screen is drawn;
 * until then the store's guard refuses every change to the file, so
 * nothing can escape the trail. */
#define AUDIT_LATE 0x100

/* The one way a program opens a data file: store_open (same flags, same
 * causes; caller frees with store_close), then the audit functions
 * registered and, for writing, audit_prepare and audit_arm (not yet with
 * AUDIT_LATE).  A store opened with store_open alone stays guarded. */
enum jzg_status audit_open(const char *path, const struct defs *defs, unsigned flags,
    struct store **out, char **cause);

/* Who is acting from now on: operator name (NULL: a file without
 * operators), county = 1 when the operator belongs to no school (county
 * staff keying for schools: audit.behalf gets the person's school), and the
 * path (AUDIT_PATH_*).  Strings are copied. */
void audit_set(struct store *st, const char *actor, int county, const char *path);
/* What the opening found of changes made outside jzg (trust.h), for the
 * user: Chinese, one matter per line; NULL when nothing.  Valid while the
 * store is open. */
const char *audit_notice(const struct store *st);
/* The operator name set by audit_set, or NULL. */
const char *audit_actor(const struct store *st);
/* Change only the path (AUDIT_PATH_*, copied) and return the one it
 * replaces (a new string the caller gives back to audit_set_path and
 * then frees): verification records the values it decides as its own. */
char *audit_set_path(struct store *st, const char *path);
/* Turn the trail (and the lock) off for bulk synthetic data (demo) and on
 * again. */
void audit_enable(struct store *st, int on);

/* One row of the trail written by C code rather than a trigger (an
 * operator's change, a person re-keyed): who and how from audit_set, the
 * rest given (NULL/0: none).  Linked into the hash chain like every row
 * (trust.h); inside the caller's transaction.  Returns JZG_OK or a cause. */
struct audit_note {
	sqlite3_int64 staff_id;
	const char   *set_name;
	sqlite3_int64 row_id;
	const char   *op;          /* insert | update | delete */
	const char   *field, *old_value, *new_value;
};
enum jzg_status audit_write(struct store *st, const struct audit_note *n, char **cause);

/* Opening for writing is two steps, so that the client can draw its first
 * screen before paying for the triggers (docs/client.md §6): audit_open
 * repairs what development builds left and, when the definitions changed
 * since the last open (a new trigger fingerprint), drops the cached check
 * results (it writes nothing otherwise); audit_arm creates the TEMP
 * triggers on this connection and lifts the store's guard.  Idempotent. */
enum jzg_status audit_arm(struct store *st, char **cause);
/* Are the triggers on this connection (audit_arm done)? */
int audit_armed(const struct store *st);

/* Bulk copy without the INSERT triggers (merge's new people, who bring
 * their own trail): audit_enable(st, 0) alone still runs every trigger's
 * program once per row, a quarter of a merge's time, so begin drops them
 * and end creates them again (both cost a parse of every trigger: once per
 * transaction, not per file).  Only inside a transaction (begin refuses
 * otherwise): a rollback then brings the triggers back with the data.
 * UPDATE and DELETE triggers stay. */
enum jzg_status audit_bulk_begin(struct store *st, char **cause);
enum jzg_status audit_bulk_end(struct store *st, char **cause);
/* Inside a bulk: link what it wrote so far into the hash chain (what end
 * does) and leave the triggers dropped, so that the transaction can
 * commit and the next one go on without them: merge's batches, which
 * parse the ~30 triggers once a run, not once a batch.  Whoever commits
 * so must call begin and end once more before the connection writes
 * anything else (merge_files does, in a transaction of its own). */
enum jzg_status audit_bulk_link(struct store *st, char **cause);

/* One row of the trail, as the log shows it.  Strings valid during the
 * callback only. */
struct audit_row {
	sqlite3_int64 id;
	const char   *at;        /* YYYY-MM-DD HH:MM:SS, local time */
	const char   *actor;     /* NULL: no operator */
	const char   *path;
	const char   *behalf;    /* school code when county staff acted, else NULL */
	sqlite3_int64 staff_id;
	const char   *person;    /* name and 身份证件号 now, NULL when deleted */
	const char   *set_name;  /* s_<set> name, "staff", "explanation", "signature", or NULL */
	sqlite3_int64 row_id;
	const char   *op;        /* insert | update | delete */
	const char   *field;
	const char   *old_value;
	const char   *new_value;
};

typedef int (*audit_cb)(const struct audit_row *r, void *arg);

/* Which rows audit_log reads; every member 0/NULL = no narrowing. */
struct audit_filter {
	sqlite3_int64 staff_id;   /* one person */
	sqlite3_int64 school_id;  /* the people of one school (rows of no person left out) */
	const char   *since;      /* YYYY-MM-DD: on or after */
	const char   *set_name;
	const char   *field;      /* one field's history */
};

/* The rows f selects, oldest first.  The callback returns non-zero to
 * stop. */
enum jzg_status audit_log(struct store *st, const struct audit_filter *f, audit_cb cb, void *arg,
    char **cause);

/* Did actor key or change person staff_id (other than review transitions,
 * merges and double-entry verification: its discrepancies and the values
 * decided for them, path rekey)?  The
 * separation rule of workflow.c and of rekey.c. */
enum jzg_status audit_touched_by(struct store *st, sqlite3_int64 staff_id, const char *actor,
    int *yes, char **cause);

/* Chinese label of a path ("录入界面", "导入", "合并", "命令行", "演示数据",
 * "二次录入核对"). */
const char *audit_path_label(const char *path);

/* What a row of op "rekey" says (a discrepancy of double-entry
 * verification and its decision, rekey.h): "二次录入核对：第一次 A，第二次 B，
 * 判定 …".  Returns a new string; the caller frees it. */
char *audit_rekey_text(const struct audit_row *r);

/* What an insert row says, in Chinese: "新增", "新增（合并自 FILE）" for a
 * merge, "新增（校验码 CODE）" for a signed sheet, "新增 RULE：REASON" for an
 * explanation.  Returns a new string; the caller frees it. */
char *audit_insert_text(const struct audit_row *r);

#endif
