/* photo_batch.h — photos in and out by the folder or ZIP (issue 16):
 * `jzg photo import` and `jzg photo export`.  No curses.
 *
 * Import matches each file to a person by its name without extension:
 * the 身份证件号 first, then the 教职工号, then the 姓名, each only when
 * one person in the scope (the school given, else the whole file) has it.
 * Every photo goes through entry_photo_set (the one write path).  With
 * fix, a file whose only faults are its size in bytes or its proportions
 * is cropped, scaled and re-encoded (entry_photo_fix) first; a good file
 * is stored as it is.  One transaction: a refused or unmatched file keeps
 * the whole run out unless keep_good.  The files are read, judged and
 * fixed on up to two threads; the store is written by the caller's. */
#ifndef JZG_PHOTO_BATCH_H
#define JZG_PHOTO_BATCH_H

#include "store.h"

enum photo_outcome {
	PHOTO_STORED,     /* matched and stored (or already the same) */
	PHOTO_FIXED,      /* matched, fixed, stored */
	PHOTO_REFUSED,    /* matched but not a usable photo: text says why */
	PHOTO_UNMATCHED   /* no one person has that name: text says why */
};

/* One line of the report, in the order of the files.  person is "姓名
 * 身份证件号" (NULL when unmatched).  Strings valid during the call only. */
typedef void (*photo_line_cb)(enum photo_outcome k, const char *file, const char *person, const char *text,
    void *arg);

struct photo_batch_opts {
	const char   *school;     /* 学校标识码, or NULL */
	int           fix, keep_good;
	int           threads;    /* 0: two */
	photo_line_cb line;
	void         *arg;
};

struct photo_batch_result {
	int stored, fixed, same, refused, unmatched;
};

/* Import the photos of directory or ZIP path.  JZG_OK when every file was
 * stored; JZG_ERR_INVALID when some were refused or unmatched (then
 * nothing was stored, unless keep_good); another status with *cause when
 * the run could not be done (nothing stored). */
enum jzg_status photo_batch_import(struct store *st, const char *path, const struct photo_batch_opts *o,
    struct photo_batch_result *r, char **cause);

/* Write the photos of school code into dir, each named by the person's
 * photo_file_field value (forms/settings.tsv) and ".jpg", and all of them
 * into one ZIP named by photo_zip_name; *n gets their number, *zip the
 * ZIP's path (new, caller frees; NULL when there is no photo).  People
 * without that value are told by line (PHOTO_REFUSED) and left out. */
enum jzg_status photo_batch_export(struct store *st, const char *code, const char *dir, photo_line_cb line,
    void *arg, int *n, char **zip, char **cause);

#endif
