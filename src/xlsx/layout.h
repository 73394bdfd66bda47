/* layout.h — how a template's workbook looks (forms/export.tsv, format in
 * docs/forms-format.md §5): the coded-cell style, date forms, sheet naming,
 * header rows, input rows, 填表说明; and the conversion of one stored value
 * to the text of its cell and back.  Used by the Excel export and import,
 * so that what is written is exactly what is read.  No curses.
 *
 * The definitions do not hold the layouts: export and import read the one
 * they need (layout_get), `jzg forms check` checks the file (layout_check). */
#ifndef JZG_LAYOUT_H
#define JZG_LAYOUT_H

#include <stddef.h>

#include "diag.h"
#include "status.h"

struct defs;
struct field_def;
struct fieldtype;
struct set_def;
struct template_def;

enum layout_code_style { LCS_CODE, LCS_CODE_NAME, LCS_NAME };
enum layout_sheet_name { LSN_LABEL, LSN_NUMBER_LABEL };

#define LAYOUT_COLUMNS(_) \
	_(LC_TEMPLATE, "template") _(LC_CODE_STYLE, "code_style") \
	_(LC_CODE_SEP, "code_sep") _(LC_MULTI_SEP, "multi_sep") \
	_(LC_DATE_FORM, "date_form") _(LC_MONTH_FORM, "month_form") \
	_(LC_SHEET_NAME, "sheet_name") _(LC_HEADER_ROWS, "header_rows") \
	_(LC_REQUIRED_MARK, "required_mark") _(LC_INPUT_ROWS, "input_rows") \
	_(LC_GUIDE, "guide") _(LC_GUIDE_SHEET, "guide_sheet") \
	_(LC_CODE_SHEET, "code_sheet") _(LC_NOTE, "note")

#define LAYOUT_ENUM(e, s) e,
enum layout_col { LAYOUT_COLUMNS(LAYOUT_ENUM) LC__COUNT };
#undef LAYOUT_ENUM

struct layout {
	char                   *template;     /* template name (zxx …) */
	enum layout_code_style  code_style;   /* default code-name */
	char                   *code_sep;     /* between code and name: "-" */
	char                   *multi_sep;    /* between items of a select_multiple: ";" */
	char                   *date_form;    /* YYYY, MM, DD and literal characters: "YYYY-MM-DD" */
	char                   *month_form;   /* "YYYY-MM" */
	enum layout_sheet_name  sheet_name;
	int                     header_rows;  /* 1: labels; 2: a title row above them */
	char                   *required_mark;/* prefixed to labels of required fields: "*" */
	int                     input_rows;   /* empty text-formatted rows below the data */
	int                     guide;        /* write the 填表说明 sheet */
	char                   *guide_sheet;  /* 填表说明 */
	char                   *code_sheet;   /* 代码表 (hidden) */
	int                     line;         /* in export.tsv, 0 for built-in defaults */
};

/* Check forms/export.tsv (a missing file means defaults for every
 * template) against defs; problems go to d as file:line. */
void layout_check(const struct defs *defs, struct diag *d);

/* The layout of a template, read from forms/export.tsv (built-in defaults
 * when it has no row).  A problem anywhere in export.tsv refuses with
 * JZG_ERR_DEFS and a cause that sends the user to `jzg forms check`.
 * Caller frees *out with layout_free and *cause with free. */
enum jzg_status layout_get(const struct defs *defs, const char *template_name, struct layout **out,
    char **cause);
void layout_free(struct layout *l);

/* Sheet name of set number k (0-based, official order) of a template:
 * ≤ 31 characters, without []:*?/\.  Caller frees. */
char *layout_sheet_name(const struct layout *l, const struct set_def *s, size_t k);
/* Header label of field f: the required mark when f is always required. */
char *layout_header(const struct layout *l, const struct field_def *f);

/* The template's form for a date type (date_form, month_form), NULL for
 * types that are no date; owned by l. */
const char *layout_form(const struct layout *l, const struct fieldtype *ft);

/* The cell text of a stored value (NULL when empty).  Caller frees. */
char *layout_cell_text(const struct layout *l, const struct field_def *f, const char *stored);

/* Parse the text of a cell into the stored form.  Accepts the layout's
 * form and, being lenient with what clerks type, the stored form, a code,
 * "code-name" or a name for coded fields.  Only the form is checked (a
 * date, a number, a known code or name): length, headings that cannot be
 * chosen and every other rule are the rules engine's (rules.h).  Returns 0 and *stored (caller
 * frees; NULL for an empty cell), or -1 and *msg (Chinese, caller frees). */
int layout_parse_cell(const struct layout *l, const struct field_def *f, const char *text,
    char **stored, char **msg);

/* Convert a spreadsheet date serial (1900 system) to YYYY-MM-DD; -1 when
 * out of range. */
int layout_serial_date(double serial, char out[11]);

#endif
