/* sheet.h — 教师信息确认表: the sheet each person checks and signs, drawn
 * from the definitions and the person's data (pview).  No curses.
 *
 * Per person: a header on every page (学校名称, 学校标识码, template, print
 * date, name, ID number, check code), every set of the person's template
 * (one-record sets as label/value grids, many-record sets as tables whose
 * header repeats on continuation pages), and the signature block (教师本人,
 * 学校信息管理员, 学校负责人 with date lines, 单位（公章） box), which never
 * stands alone on a page: it is kept with the last rows of the last set.
 * Pages are numbered 第 x 页 共 y 页 per person (each person is laid out
 * twice: once to count pages, once to draw).  In a batch every person
 * starts on a new page. */
#ifndef JZG_SHEET_H
#define JZG_SHEET_H

#include <sqlite3.h>
#include <stddef.h>

#include "progress.h"
#include "store.h"

struct sheet_result {
	int people;
	int pages;    /* of the document, blank back pages included */
	int stale;    /* people whose signed sheet is out of date */
};

struct sheet_opts {
	int                    duplex;  /* for two-sided printing: a person with an odd page count gets a
	                                 * blank back page (此页空白), so the next starts on a new sheet */
	const struct progress *prog;    /* people done of n; NULL = quiet */
};

/* Print the sheets of the n people staff[] (in that order) into one PDF at
 * path (temp file + rename: on any failure nothing is left at path).  opt
 * and res may be NULL.  Fails with a Chinese cause (missing font → names
 * fonts-noto-cjk). */
enum jzg_status sheet_print(struct store *st, const sqlite3_int64 *staff, size_t n, const char *path,
    const struct sheet_opts *opt, struct sheet_result *res, char **cause);

#endif
