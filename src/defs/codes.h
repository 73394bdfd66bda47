/* codes.h — the code tables of data/ (基础代码表): load, look up, search by
 * code digits, pinyin initials or Chinese.  No curses.
 *
 * A struct codes owns every table, row and string in it. */
#ifndef JZG_CODES_H
#define JZG_CODES_H

#include <stddef.h>

#include "diag.h"
#include "status.h"

struct code {
	char *code;    /* as written in the official template, e.g. "01" */
	char *name;    /* 汉族 */
	char *parent;  /* parent code in a tree table, or NULL */
	char *filter;  /* keys for choice_filter, or NULL */
	char *py;      /* pinyin initials pattern "[cz]z", or NULL */
	char *tag;     /* row reliability when it differs from the table's */
	int   pick;    /* may be chosen (0 = heading only) */
	int   excl;    /* exclusive in a multi-select */
	/* no longer in the current standard: kept so that stored values still
	 * read, hidden from pickers, reported by check (a warning) */
	int   obsolete;
	int   depth;   /* 0 for top-level rows */
	int   line;    /* line in the file */
};

struct code_table {
	char        *id;      /* MZ */
	char        *label;   /* 民族 */
	char        *source;
	char        *tag;
	char        *path;    /* data/codes/MZ.tsv */
	int          tree;
	int          line;    /* line in data/codes.tsv */
	struct code *row;     /* in file order */
	size_t       nrow;
	size_t       nobsolete;   /* rows marked obsolete */
	size_t      *sorted;  /* indexes of row sorted by code */
	size_t      *hash;    /* open addressing by code: row index + 1, 0 = free */
	size_t       nhash;   /* a power of two, at least twice nrow */
};

struct codes {
	struct code_table *tab;
	size_t             ntab;
};

/* Whether row c is offered for a new choice (pickers, drop-downs, the
 * blank form): selectable and not obsolete.  A stored obsolete code still
 * reads (codes_find finds it). */
static inline int code_offered(const struct code *c) { return c->pick && !c->obsolete; }

/* Load data/codes.tsv and every table it names from datadir.  Problems go to
 * d; fails only when the index cannot be read.  Caller frees: codes_free. */
enum jzg_status codes_load(const char *datadir, struct codes **out, struct diag *d, char **cause);
void codes_free(struct codes *c);

const struct code_table *codes_table(const struct codes *c, const char *id);
/* The row with this code, or NULL. */
const struct code *codes_find(const struct code_table *t, const char *code);

/* How well query matches row r (higher is better, 0 = no match): the code's
 * digits as a prefix, pinyin initials of the name, or Chinese in the name. */
int codes_match(const struct code *r, const char *query);

#endif
