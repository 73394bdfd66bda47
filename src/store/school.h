/* school.h — schools in the file: the 学校标识码 rule, add, list.  No curses. */
#ifndef JZG_SCHOOL_H
#define JZG_SCHOOL_H

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"

struct school_row {
	sqlite3_int64 id;
	char         *code;      /* 学校标识码 */
	char         *name;
	char         *template;  /* template name (zxx …) */
	int           staff;     /* people entered */
	int           expected;  /* 年报 headcount, 0 = unknown */
};

/* Check a 学校标识码: 10 digits, known 学校类别码 (digits 1–2) and 省级
 * 行政区划代码 (3–4), from the code tables named in forms/settings.tsv.
 * When tpl is not NULL the class must also be one the template allows. */
enum jzg_status school_code_check(const struct defs *defs, const char *code,
    const struct template_def *tpl, char **cause);

/* Add a school; *id gets its row id.  Refuses a bad code, an unknown
 * template, an empty name and a code already in the file. */
enum jzg_status school_add(struct store *st, const char *code, const char *name,
    const char *tpl, sqlite3_int64 *id, char **cause);

/* Find a school by 学校标识码 (id 0 when absent). */
enum jzg_status school_find(struct store *st, const char *code, sqlite3_int64 *id, char **cause);

/* Every school, by code.  Caller frees with school_list_free. */
enum jzg_status school_list(struct store *st, struct school_row **rows, size_t *n, char **cause);
void school_list_free(struct school_row *rows, size_t n);

#endif
