/* baseline.h — last year's data as the baseline of the yearly 核对更新: a
 * read-only snapshot of every person's values, one per school, kept in the
 * file beside this year's data (tables in baseline_schema.h).  No curses.
 *
 * Taken from a jzg file (a school's file, a county file or a pack; this
 * very file too, to freeze it before the year's updates begin) or from
 * filled official templates (.xlsx, a folder or a ZIP), which are read by
 * the importer into a temporary file first.  A bad source is refused and
 * the file is left unchanged: everything is one transaction.
 *
 * Last year's people are linked to this year's (b_staff.staff_id) by
 * 身份证件号 (settings person_id) within the school, and those whose number
 * changed by 姓名 and 出生日期 (person_name, person_birth) among the people
 * not linked by number: a changed number or a changed birth date shows as
 * a change of one person, not as one gone and one added. */
#ifndef JZG_BASELINE_H
#define JZG_BASELINE_H

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"

struct baseline_opts {
	const char *school;   /* take this 学校标识码 only; NULL: every school of the source */
	const char *label;    /* e.g. "2025年"; NULL: "上年" */
	/* A template source's import findings (import.h's finding): NULL = none */
	void      (*finding)(void *arg, const char *file, int kind, const char *text);
	void       *finding_arg;
};

struct baseline_result {
	int  schools;        /* baselines set */
	long people;         /* last year's people kept */
	long linked;         /* of them, found in this year's data */
	int  absent;         /* schools of the source not (yet) in this file */
};

/* Set (or replace) the baseline of each school of source.  Returns JZG_OK,
 * or a failure with a Chinese cause and the file unchanged. */
enum jzg_status baseline_set(struct store *st, const char *source, const struct baseline_opts *o,
    struct baseline_result *r, char **cause);

/* Drop the baseline of school (NULL: the file's only baseline; with
 * several, a cause asks which).  *dropped gets the school code (caller
 * frees). */
enum jzg_status baseline_drop(struct store *st, const char *school, char **dropped, char **cause);

struct baseline_row {
	char *school_code, *school_name;   /* name "" when the school is not in the file */
	char *label, *source, *created;
	long  people, linked;
};

/* Every baseline of the file, by school code.  Caller frees with
 * baseline_list_free. */
enum jzg_status baseline_list(struct store *st, struct baseline_row **rows, size_t *n, char **cause);
void baseline_list_free(struct baseline_row *rows, size_t n);

/* Link last year's people of school (NULL: every baseline) to this year's
 * again: people keyed, deleted or renumbered since.  Runs in the caller's
 * transaction or its own.  Called by baseline_set and before changes and
 * check read the baseline. */
enum jzg_status baseline_link(struct store *st, const char *school, char **cause);

/* How many baselines the file holds (0 also for an older file without the
 * tables). */
int baseline_count(struct store *st);

#endif
