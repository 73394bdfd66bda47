/* merge.h — schools' files (from `jzg pack` or a school's own client)
 * merged into the county file.  No curses.
 *
 * Each source is attached read-only and identified first (SQLite header,
 * application_id, user_version): a file of another program,
 * a damaged file or one of a newer (or older, not yet upgraded) version is
 * refused and nothing changes; so is one keyed with other definitions
 * (meta forms_version): opening it once migrates it (migrate.h).  People are matched by school code and
 * 身份证件号 (姓名 when the number is empty).  New people are added with
 * every set, explanations, signatures and review history; identical
 * people are skipped; people changed on both sides are
 * conflicts, reported field by field and left as they are unless take is
 * MERGE_TAKE_THEIRS (then the source's values replace ours, audited with
 * path merge; approved people stay locked).
 *
 * Damage is found while the rows are read (SQLITE_CORRUPT), which rolls
 * the file back; a whole-file quick_check per source would cost more than
 * the merge itself (docs/workflow.md §Benchmark).
 *
 * The audit trail: a new person gets one row of ours (path merge, op
 * insert, field 'file', new = the file's name) — not one row per record,
 * which would double the merge's cost, and not the source file's own
 * trail, which stays in that file (hundreds of rows per person keyed).
 * Values taken with MERGE_TAKE_THEIRS go through the triggers, field by
 * field. */
#ifndef JZG_MERGE_H
#define JZG_MERGE_H

#include <sqlite3.h>

#include "store.h"

enum merge_take { MERGE_TAKE_NONE, MERGE_TAKE_MINE, MERGE_TAKE_THEIRS };

struct merge_result {
	int schools_added;
	int added, same, conflicts, replaced;
};

/* One differing field of a conflicting person.  Strings valid during the
 * callback only. */
struct merge_conflict {
	const char *person;      /* 姓名 身份证件号 */
	const char *set_label;
	int         row;         /* 1-based record of a many-record set, 0 otherwise */
	const char *field_label; /* NULL: the number of records differs */
	const char *mine, *theirs;
};

typedef void (*merge_conflict_cb)(const struct merge_conflict *c, void *arg);

/* The outcome of file i (path) of merge_files: rc JZG_OK and r, or a
 * failure and its cause (r NULL).  Called once per file, in order, as soon
 * as the file is merged into the batch's open transaction or refused.  If
 * that transaction is then lost (the commit fails: disk full, I/O error),
 * called a second time for each file it had merged, with the failure, the
 * same r and a cause saying the merge was undone. */
typedef void (*merge_done_cb)(int i, const char *path, enum jzg_status rc, const struct merge_result *r,
    const char *cause, void *arg);

struct merge_hooks {
	merge_conflict_cb conflict;  /* may be NULL */
	merge_done_cb     done;
	void             *arg;       /* for both */
};

/* Merge n files.  Up to SQLite's attach limit (10) files share one
 * transaction: a refused, damaged or failing file changes nothing and the
 * others still merge (the batch is rolled back and merged again without
 * it; each file's hook is told once).  A power cut
 * loses at most the batch being merged (the journal rolls it back); the
 * batches before it stay, and merging the same files again skips what
 * is already there.  Returns JZG_OK when every file merged, else the
 * status of a failed file. */
enum jzg_status merge_files(struct store *st, int n, char *const path[], enum merge_take take,
    const struct merge_hooks *h);

/* Attach the jzg file at path read-only as schema sch, after checking
 * what it is: another program's file, a damaged one, or one of another
 * schema version is refused (and detached) with a Chinese cause ending in
 * undone ("未合并任何数据").  Also rekey compare's way in. */
enum jzg_status merge_attach(struct store *st, const char *path, const char *sch, const char *undone,
    char **cause);

/* Merge one file (merge_files of one). */
enum jzg_status merge_file(struct store *st, const char *path, enum merge_take take,
    merge_conflict_cb cb, void *arg, struct merge_result *res, char **cause);

#endif
