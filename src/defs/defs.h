/* defs.h — the indicator system: information sets, indicators (fields),
 * templates and checks, read from forms/ and the code tables of data/
 * (format: docs/forms-format.md).  No curses.
 *
 * Every definition keeps its raw cells (column-indexed strings, X-macro
 * tables below) so that template overlays and copies are generic; the typed
 * view (type, table, flags) is derived once after loading.  A struct defs
 * owns everything reachable from it. */
#ifndef JZG_DEFS_H
#define JZG_DEFS_H

#include <stddef.h>

#include "codes.h"
#include "diag.h"
#include "fieldtype.h"
#include "status.h"

#define FIELD_COLUMNS(_) \
	_(FC_NAME, "name") _(FC_LABEL, "label") _(FC_TYPE, "type") \
	_(FC_REQUIRED, "required") _(FC_RELEVANT, "relevant") \
	_(FC_CONSTRAINT, "constraint") _(FC_CONSTRAINT_MESSAGE, "constraint_message") \
	_(FC_CALCULATE, "calculate") _(FC_DEFAULT, "default") _(FC_HINT, "hint") \
	_(FC_CHOICE_FILTER, "choice_filter") _(FC_LENGTH, "length") \
	_(FC_MIN, "min") _(FC_MAX, "max") _(FC_READONLY, "readonly") \
	_(FC_INDEX, "index") _(FC_DEMO, "demo") _(FC_NO, "no") \
	_(FC_SOURCE, "source") _(FC_TAG, "tag") _(FC_NOTE, "note")

#define SET_COLUMNS(_) \
	_(SC_NAME, "name") _(SC_LABEL, "label") _(SC_RECORDS, "records") \
	_(SC_GROUP, "group") _(SC_ORDER_BY, "order_by") _(SC_KEY, "key") _(SC_FILLED_BY, "filled_by") \
	_(SC_HINT, "hint") _(SC_REQUIRED, "required") _(SC_REQUIRED_TAG, "required_tag") \
	_(SC_SOURCE, "source") _(SC_TAG, "tag") _(SC_NOTE, "note")

#define TEMPLATE_COLUMNS(_) \
	_(TC_NAME, "name") _(TC_LABEL, "label") _(TC_TITLE, "title") \
	_(TC_SCHOOL_CLASSES, "school_classes") _(TC_SOURCE, "source") \
	_(TC_TAG, "tag") _(TC_NOTE, "note")

#define CHECK_COLUMNS(_) \
	_(CC_NAME, "name") _(CC_SET, "set") _(CC_FIELD, "field") \
	_(CC_SEVERITY, "severity") _(CC_TEMPLATES, "templates") \
	_(CC_CONSTRAINT, "constraint") _(CC_MESSAGE, "message") \
	_(CC_SOURCE, "source") _(CC_TAG, "tag") _(CC_NOTE, "note")

#define SETTING_KEYS(_) \
	_(SK_PERSON_SET, "person_set") _(SK_PERSON_NAME, "person_name") \
	_(SK_PERSON_IDTYPE, "person_idtype") _(SK_PERSON_ID, "person_id") \
	_(SK_PERSON_NO, "person_no") _(SK_PERSON_BIRTH, "person_birth") \
	_(SK_PERSON_STATUS, "person_status") _(SK_SCHOOL_CLASS_TABLE, "school_class_table") \
	_(SK_PROVINCE_TABLE, "province_table") _(SK_SCHOOL_TYPE_TABLE, "school_type_table") \
	_(SK_PHOTO_FILE_FIELD, "photo_file_field") _(SK_PHOTO_ZIP_NAME, "photo_zip_name") \
	_(SK_PHOTO_MM, "photo_mm") _(SK_PHOTO_MIN_DPI, "photo_min_dpi") \
	_(SK_PHOTO_MAX_BYTES, "photo_max_bytes") _(SK_PHOTO_FIX_DPI, "photo_fix_dpi") \
	_(SK_PHOTO_RATIO_TOLERANCE, "photo_ratio_tolerance") _(SK_FORMS_VERSION, "forms_version") \
	_(SK_REKEY_THRESHOLD, "rekey_threshold") _(SK_REKEY_RAISED, "rekey_raised")

#define DEFS_ENUM(e, s) e,
enum field_col { FIELD_COLUMNS(DEFS_ENUM) FC__COUNT };
enum set_col { SET_COLUMNS(DEFS_ENUM) SC__COUNT };
enum template_col { TEMPLATE_COLUMNS(DEFS_ENUM) TC__COUNT };
enum check_col { CHECK_COLUMNS(DEFS_ENUM) CC__COUNT };
enum setting_key { SETTING_KEYS(DEFS_ENUM) SK__COUNT };
#undef DEFS_ENUM

extern const char *const field_col_name[FC__COUNT];
extern const char *const setting_key_name[SK__COUNT];

enum field_req { REQ_NO, REQ_YES, REQ_EXPR };

struct defs;

struct field_def {
	char                    *v[FC__COUNT]; /* raw cells; NULL when empty */
	const char              *file;         /* owned by defs */
	int                      line;
	/* derived by defs_load */
	enum field_type          type;
	const char              *table_id;     /* points into v[FC_TYPE] */
	const struct code_table *table;        /* for coded types */
	enum field_req           required;
	int                      length;       /* 0 = no limit */
	int                      readonly;
	int                      index;
};

struct set_def {
	char             *v[SC__COUNT];
	const char       *file;
	int               line;
	int               many;     /* records: many */
	/* required: a person must have at least one record here (yes, or
	 * when the expression over the person set's record holds) */
	enum field_req    required;
	struct field_def *field;    /* in order */
	size_t            nfield;
	const struct defs *defs;    /* the definitions it belongs to (other sets, for expressions); NULL in a bare test set */
};

struct template_def {
	char           *v[TC__COUNT];
	int             line;
	struct set_def *set;        /* resolved sets of this template */
	size_t          nset;
};

struct check_def {
	char *v[CC__COUNT];
	int   line;
	int   warning;              /* severity: warning */
};

/* One row of forms/renames.tsv: what changed between two versions of the
 * definitions (docs/forms-format.md §renames).  Applied to a file keyed
 * with an older version when it is opened (store.c), and to a baseline
 * taken from one (baseline.c). */
enum rename_kind { RN_FIELD, RN_CODE, RN_SPLIT };

struct rename_def {
	int               version;  /* the definitions version that made the change */
	enum rename_kind  kind;
	char             *set;      /* a set name */
	char             *field;    /* RN_CODE, RN_SPLIT: the field (this version's name) */
	char             *old;      /* the old field name, or the old code */
	char             *new;      /* the new field name, the new code, or new codes separated by | */
	int               line;
};

struct defs {
	char                *formsdir;
	char                *datadir;
	struct codes        *codes;
	char                *setting[SK__COUNT];
	struct set_def      *base;  /* shared sets, official order */
	size_t               nbase;
	struct set_def      *all;   /* union of every template's fields: the store schema */
	size_t               nall;
	struct template_def *tpl;
	size_t               ntpl;
	struct check_def    *check;
	size_t               ncheck;
	int                  version;   /* settings forms_version (a year) */
	struct rename_def   *rename;    /* forms/renames.tsv, in file order */
	size_t               nrename;
	char               **file;  /* interned file names */
	size_t               nfile;
};

/* Load forms/ (formsdir) and data/ (datadir).  Every problem found is added
 * to d (file:line: message); the return value is JZG_ERR_DEFS when d holds
 * any, JZG_OK otherwise, or another status with a cause when a required file
 * cannot be read.  *out is set whenever something was loaded (even with
 * problems), so a linter can go on; caller frees with defs_free. */
enum jzg_status defs_load(const char *formsdir, const char *datadir, struct defs **out,
    struct diag *d, char **cause);
void defs_free(struct defs *defs);

/* The field of code rename r (RN_CODE or RN_SPLIT) when it is a
 * multi-select one (several codes in one value, separated by spaces),
 * else NULL: its code is then one among the others.  Points into defs. */
const struct field_def *rename_multi_field(const struct defs *defs, const struct rename_def *r);

/* A 64-bit FNV-1a digest of everything the checks and the schema are made
 * of (every set, field, template, check, setting and code): it changes
 * when a province edits forms/ or data/, so results cached in a file
 * under older definitions are dropped (audit_prepare). */
unsigned long long defs_digest(const struct defs *defs);

const struct template_def *defs_template(const struct defs *defs, const char *name);
const struct set_def *defs_set(const struct set_def *sets, size_t n, const char *name);
const struct field_def *set_field(const struct set_def *s, const char *name);
/* Index of a field in s, or -1. */
int set_field_index(const struct set_def *s, const char *name);
/* The fields of s's natural key (forms/sets.tsv column key: field names
 * separated by spaces, e.g. 学习经历 by 入学年月 and 获得学历), as indexes
 * into s->field in key order; a name s lacks (a template dropped it) is
 * skipped.  Returns how many (0: no key, records are matched in entry
 * order); *idx gets a new array the caller frees, or NULL. */
size_t set_key_fields(const struct set_def *s, int **idx);
/* The SQL that gives a record's natural key from the row named alias
 * (e.g. "cur"): its key fields' values as text joined by char(31), an
 * empty value as ''; '' for a set without a key.  Every user of keys (the
 * baseline's stored key, prior-year rules, recmatch_stream's statements)
 * computes it with this one expression, so both sides of a comparison
 * agree.  Returns a new string (caller frees). */
char *set_key_sql(const struct set_def *s, const char *alias);
/* The person set of a template (settings: person_set). */
const struct set_def *template_person_set(const struct defs *defs, const struct template_def *t);

/* Accessors that read well at call sites. */
static inline const char *fdef(const struct field_def *f, enum field_col c) { return f->v[c]; }
static inline const char *sdef(const struct set_def *s, enum set_col c) { return s->v[c]; }
/* The row of f's type in the field-type table (fieldtype.h). */
static inline const struct fieldtype *fieldtype_of(const struct field_def *f) { return fieldtype(f->type); }

#endif
