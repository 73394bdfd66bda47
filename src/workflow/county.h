/* county.h — a county file holds many schools: the progress board (per
 * school: expected headcount from the 年报, staff entered, 录入率, complete
 * and 完整率, submitted, approved, signed, stale signatures), with the sort
 * orders of the provincial notices.  No curses.
 *
 * The board must open in well under a second for 500 schools and 100,000
 * people, so it never runs the rules itself: it reads table check_cache
 * (errors and unexplained warnings per person, kept by county_refresh and
 * by submit, dropped by the audit triggers whenever a person's data or
 * explanations change).  People without a cached result count as "not yet
 * checked"; county_refresh fills them school by school (the board screen
 * does it in its idle time, `jzg stats` before printing). */
#ifndef JZG_COUNTY_H
#define JZG_COUNTY_H

#include <sqlite3.h>
#include <stddef.h>

#include "rules.h"
#include "store.h"

struct board_row {
	sqlite3_int64 school_id;
	char         *code;
	char         *name;
	char         *template;
	int           expected;    /* 0: not entered */
	int           entered;
	int           new_week;    /* entered in the last 7 days (staff.created) */
	int           checked;     /* people with a cached check result */
	int           complete;    /* no error, no unexplained warning */
	int           submitted, approved, signed_, stale;
	double        entry_rate;  /* entered / expected, -1 when expected unknown */
	double        done_rate;   /* complete / entered, -1 when nobody entered */
	double        update_rate; /* 更新率 since the baseline (changes.h), -1 when none or not computed */
	/* double-entry verification (rekey.h): people verified, fields keyed
	 * twice, the keyers' errors among them */
	int           verified, rekey_fields, rekey_errors;
	double        verify_rate; /* verified / entered, -1 when nobody entered */
	double        error_rate;  /* rekey_errors per 1,000 rekey_fields, -1 when none */
};

enum board_sort {
	BOARD_SORT_NOTICE,   /* no staff first, then lowest 录入率, then code (provincial notices) */
	BOARD_SORT_CODE,
	BOARD_SORT_ENTRY,    /* 录入率 ascending */
	BOARD_SORT_DONE,     /* 完整率 ascending */
	BOARD_SORT__COUNT
};

const char *board_sort_label(enum board_sort s);

/* The board: one row per school, sorted; *total (may be NULL) gets the
 * column sums (code "合计").  Caller frees with board_free. */
enum jzg_status county_board(struct store *st, enum board_sort sort, struct board_row **rows,
    size_t *n, struct board_row *total, char **cause);
void board_sort_rows(struct board_row *rows, size_t n, enum board_sort sort);
void board_free(struct board_row *rows, size_t n);
void board_row_clear(struct board_row *r);

/* Run the rules over the people of school_id and cache each person's
 * errors, unexplained warnings and signature state (issue 6). */
enum jzg_status county_refresh_school(struct store *st, struct rules *r, sqlite3_int64 school_id,
    char **cause);
/* The next school with people lacking a cached result (0: none). */
enum jzg_status county_next_stale(struct store *st, sqlite3_int64 *school_id, char **cause);

/* Set the expected headcount (年报) of a school; n 0 clears it.  The change
 * is audited (set_name school, field expected_staff, old and new). */
enum jzg_status county_set_expected(struct store *st, const char *code, int n, char **cause);

#endif
