/* import.h — read filled templates (.xlsx written by xlsx_export, possibly
 * edited in Excel or WPS) back into the store.  No curses.
 *
 * A file imports whole or not at all (one transaction), unless keep_good:
 * then the people with any error are left as they were and everyone else
 * is imported.  People are matched by 身份证件号 (settings person_id)
 * within the school; the sets of a person in the file are replaced by what
 * the file holds, so importing the same file twice changes nothing.  People
 * in the store but not in the file are left alone.  A file of another
 * school or template is refused, naming both.
 *
 * A cell is read as the client reads what a clerk types: the type's
 * normaliser (normalize.h) runs first, so １９８０年9月, 19800905 or an ID
 * number with a lower-case x are stored as the client would store them,
 * each such change reported as a note.  Checked before writing: cell types (a date that is no date, an ID number
 * stored as a number), the keys (身份证件号 present, not twice, known on the
 * person sheet, same 姓名) and the mapping of code / code-name / name to a
 * code.  Every rule on the values (required, length, codes, constraints,
 * forms/checks.tsv) is the rules engine's: it runs over the written rows and
 * each finding is mapped back to its sheet, row and column. */
#ifndef JZG_IMPORT_H
#define JZG_IMPORT_H

#include <sqlite3.h>

#include "progress.h"
#include "store.h"

struct rules;

enum import_kind { IMPORT_ERROR, IMPORT_WARNING, IMPORT_NOTE };

struct import_opts {
	int                    keep_good;    /* import the good people, skip those with errors */
	const char            *school;       /* the file must belong to this 学校标识码, or NULL */
	unsigned long long     max_part;     /* decompressed-size cap per part; 0 = default */
	const struct progress *pg;           /* bytes of sheets read; may be NULL */
	/* The rules engine (rules.h) every imported row goes through after it
	 * is written, inside the file's transaction; NULL = import compiles
	 * its own.  Not owned. */
	struct rules          *rules;
	/* Each finding, formatted `工作表 〈X〉 第 N 行 第 M 列 〈指标〉：message` or a
	 * file-level message; file is the name the user knows; kind is enum
	 * import_kind (a note tells how a cell was normalised, in the words the
	 * client uses: “19800905”已写成“1980-09-05”). */
	void                 (*finding)(void *arg, const char *file, int kind, const char *text);
	void                  *finding_arg;
};

struct import_result {
	long   files;        /* files imported (whole or in part) */
	long   refused;      /* files refused */
	long   persons;      /* people imported */
	long   records;      /* rows of the other sets imported */
	long   skipped;      /* people skipped (keep_good) */
	long   errors, warnings;
	long   notes;        /* cells normalised as the client would (full-width digits, 19800905 …) */
};

/* Import path: one .xlsx, a directory of .xlsx files (name order), or a
 * .zip holding .xlsx files.  Returns JZG_OK when everything was imported,
 * JZG_ERR_INVALID when a file was refused or people were skipped (findings
 * went to o->finding), another status with a cause when a file could not
 * be read at all.  res (may be NULL) is added to. */
enum jzg_status import_path(struct store *st, const char *path, const struct import_opts *o,
    struct import_result *res, char **cause);

/* Import one .xlsx; name is the file name to check (学校标识码_学校名称_
 * 模板名称.xlsx) and to name in findings. */
enum jzg_status import_file(struct store *st, const char *path, const char *name,
    const struct import_opts *o, struct import_result *res, char **cause);

#endif
