/* fieldtype.h — what each type of indicator is: one row per type of the
 * `type` column of forms/sets/SET.tsv (docs/forms-format.md §3).  No curses.
 *
 * Every place that treats a value by its type reads the row instead of
 * switching on the type: the definitions (type names, min/max/default),
 * the store (column affinity), typed input (normalise), the checks (is the
 * stored value of its type, and what to say when not), the screens (help),
 * the paper form, the sheet, the workbook (cell form both ways, hints) and
 * the demo generator.  Adding a type is one row in fieldtype.c plus its
 * enum value below; the rows are static and never freed.  Knows nothing
 * of the definitions (defs.h includes it). */
#ifndef JZG_FIELDTYPE_H
#define JZG_FIELDTYPE_H

/* The types, in the order of the table's rows. */
enum field_type {
	FT_TEXT, FT_INTEGER, FT_DECIMAL, FT_DATE, FT_MONTH, FT_YEAR,
	FT_SELECT_ONE, FT_SELECT_MULTIPLE
};

struct fieldtype {
	const char      *name;       /* in forms/sets; a coded type is followed by its code table */
	enum field_type  type;       /* the row's index in the table */
	int              coded;      /* 0; 1: one code of a table; 2: several codes, space separated */
	const char      *affinity;   /* the store column's SQL affinity */
	/* Numbers: stored with this many decimal places at most (0: a whole
	 * number); -1: not a number.  Numbers take min/max, compare as numbers
	 * in expressions, and their own bounds lo..hi (lo > hi: none). */
	int              places;
	long             lo, hi;
	/* Dates: the stored form, "YYYY-MM-DD" or "YYYY-MM"; NULL otherwise.
	 * A date takes min/max in that form, is written to the workbook in the
	 * template's form for it (layout_form), and an Excel number in its cell
	 * is a date serial. */
	const char      *pattern;
	int              number_cell;/* the workbook writes it as a number cell (two decimals when places > 0) */
	int              cell_width; /* its column's width in the workbook, unless the date form, codes or length say */
	const char      *label;      /* the help screen: 文字, 日期 YYYY-MM-DD … */
	const char      *cell_hint;  /* the workbook's 填表说明 (%s: the date form, code style or separator) */
	const char      *blank;      /* the answer cell of the blank paper form (coded: the boxes) */
	const char      *not_stored; /* the checks' finding when a stored value is not of the type */
	const char      *not_cell;   /* import's message for a cell that is not (%1$s: text, %2$s: form) */
	int              demo_lo, demo_hi; /* the demo's default range for numbers (hi < 0: this year) */
	/* What a clerk typed, in the form the store keeps (full-width digits,
	 * 1980年9月, 19800905, 1,234.50 …); text that cannot be read comes back
	 * as typed, cleaned of stray spaces, so that the checks say what is
	 * wrong — nothing typed is thrown away.  Caller frees. */
	char          *(*normalise)(const char *typed);
	/* Is s (not NULL, not empty) a stored value of the type?  For a coded
	 * type the code table decides; the row says 1. */
	int            (*valid)(const char *s);
};

/* The row of type t (fieldtype_of(f) in defs.h: the row of field f). */
const struct fieldtype *fieldtype(enum field_type t);

/* Read a `type` cell: the row, and in *table_id the code table it names
 * (a pointer into spelling, or a static string for a shorthand such as
 * yesno = select_one SF; NULL for an uncoded type).  NULL when unknown. */
const struct fieldtype *fieldtype_parse(const char *spelling, const char **table_id);

/* Every spelling, for a message: "text integer … select_multiple 表".
 * Caller frees. */
char *fieldtype_names(void);

#endif
