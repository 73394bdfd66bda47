/* rules_int.h — what the files of the rules engine share (rules.c,
 * rules_static.c, rules_compile.c, rules_person.c, rules_prior.c,
 * rules_run.c, rules_kind.c, rules_sched.c), each of which includes rules.h first; not
 * for callers of rules.h.  (It does not include rules.h itself: rules.c
 * includes it, and modules must not include each other.)  No curses. */
#ifndef JZG_RULES_INT_H
#define JZG_RULES_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "store.h"
#include "util.h"

struct finding;

/* The kinds of rule, in the order a field's rules are compiled and its
 * value checked; one row each in rule_kinds[] (rules_kind.c). */
enum rule_kind {
	RK_DERIVED, RK_RELEVANT, RK_REQUIRED, RK_FORMAT, RK_LENGTH, RK_RANGE, RK_CODE,
	RK_MULTI_CODE, RK_MULTI_EXCL, RK_MULTI_FORM, RK_OBSOLETE, RK_CHOICE, RK_CONSTRAINT, RK_CHECK, RK_RECORDS,
	RK__COUNT
};

struct rule {
	char                   *name;
	enum rule_kind          kind;
	const struct field_def *field;
	int                     warning;
	const char             *text;   /* constraint_message / checks message; not owned */
	char                   *extra;  /* derived: label of the source set; choice: labels the filter reads */
	char                   *calc;   /* derived: calculate in ROW form */
	/* records: the template's set the person has no record in (the rule
	 * is a column of the person set's statement, which reads every person) */
	const struct set_def   *target;
	int                     col;    /* result column, or -1 when checked by rules_static */
};

/* SM_SCAN: a whole-file check of a group of many-record rsets in one
 * scan (select_scan); SM_SLICE: a whole school's persons with ids from
 * rules.slice_lo to slice_hi (rules_check on one thread, in slices); the
 * other modes run one rset's select. */
enum scope_mode { SM_ALL, SM_SCHOOL, SM_STAFF, SM_RECORD, SM_SCAN, SM_SLICE, SM__COUNT };

/* Connections a check runs on: 0 is the store's own; 1 is a second,
 * read-only one opened for the length of a whole-file or whole-school check
 * so that a second thread can run half of the sets (rules_check). */
#define NCONN 2

/* Result columns before the rules: the row's rset index (see select_scan),
 * staff id, key, seq, rules_static(). */
#define RS_FIXED 5

struct rset {
	const struct template_def *tpl;
	const struct set_def      *set;
	struct rule               *rule;
	size_t                     nrule;
	struct sfield             *sf;       /* fields with static rules, in rules_static argument order */
	size_t                     nsf;
	char                     **expr;     /* relevant/required expressions, arguments 1… of rules_static */
	size_t                     nexpr;
	unsigned char             *badfmt;   /* per row: field index had an RKF_MOOTS finding */
	char                      *select;   /* up to and including the template filter */
	char                      *select_record;   /* many-record sets: the same, for SM_RECORD */
	char                      *select_bulk;     /* select with person look-ups preloaded, or NULL */
	/* Many-record sets, whole file: one scan of the table in storage
	 * order for every template whose rules of this set compile alike
	 * (the group of rsets led by rs[leader]); rules_rset() tells each
	 * row's rset from its person's template.  Reaching the rows through
	 * each template's schools and staff costs an index look-up per
	 * person and a seek per row. */
	char                      *select_scan;     /* leader only */
	size_t                     leader;
	int                       *by_tpl;          /* leader: rset index per template, -1 = not checked */
	int                        scan;            /* this check runs the group in one scan (plan_scans) */
	sqlite3_stmt              *stmt[NCONN][SM__COUNT];   /* by connection (see struct runner) */
	sqlite3_stmt              *rownum[NCONN];
	size_t                     weight;   /* rough cost, to start the dearest sets first */
	size_t                     run_weight;   /* this check: weight, or its group's for a leader */
	int                        ncol;     /* result columns of rules (after RS_FIXED) */
};

/* A value of the person's own row in a one-record set that a rule reads
 * through a sub-query, `(SELECT E FROM s_Y WHERE staff_id = cur.staff_id)`:
 * the date of birth or of first employment that most date rules of most
 * sets compare with.  A whole-file check asks for it some 3.6 million
 * times (every date of every record), each a look-up of the person's row;
 * loaded once per check instead (rules_person_load) and read by rules_person(k,
 * staff id).
 *
 * The same for a value a person's many records give, the source of a
 * derived field (最高学历 from 学习经历, 现任岗位 from 岗位聘任):
 * `(SELECT E FROM s_Y WHERE staff_id = cur.staff_id [AND W] ORDER BY O
 * LIMIT 1)` is the first row of one scan `WHERE W ORDER BY staff_id, O`,
 * and `(… [AND W] HAVING H)` one row of `WHERE W GROUP BY staff_id HAVING
 * H`.  Asked person by person, each is an index look-up and a sort of the
 * person's rows, about 1.8 µs; eight of them were a quarter of a
 * whole-file check.  Rows that tie on all of O are read in the same order
 * (the staff_id index, then rowid) either way. */
struct person_col {
	char          *set;     /* Y */
	char          *expr;    /* E */
	char          *where;   /* W, or NULL */
	char          *tail;    /* after the WHERE: " ORDER BY staff_id[, O]" or the GROUP BY */
	int            first;   /* ORDER BY … LIMIT 1: keep each person's first row only */
	/* `EXISTS (SELECT 1 FROM s_Y WHERE staff_id = staff.id)` (set-level
	 * completeness, compile_records): 1 or 0, from a bit per staff id
	 * (has[id - id[0]]) filled by one scan of s_Y's staff_id index */
	int            exists;
	unsigned char *has;
	/* last year's values (rules_prior.c), loaded by rules_prior_load:
	 * PC_PRIOR_ROW the id of the person's row in b_<set>, PC_PRIOR_MISSING
	 * ${prior_missing.<set>} when above 0; 0 = a look-up of this year's */
	int            prior;
	sqlite3_int64 *id;      /* staff ids, ascending */
	struct pval {
		union {
			sqlite3_int64 i;
			double        d;
			size_t        off;   /* text or blob: offset in text */
		}             u;
		int           type;    /* SQLITE_* */
		int           len;
	}             *v;
	size_t         n;
	struct strbuf  text;
	/* ids are rowids, nearly dense: the index + 1 of each id from id[0]
	 * on, 0 = none; NULL when they are too sparse (then bisect id) */
	uint32_t      *slot;
	sqlite3_int64  nslot;
};

enum { PC_PRIOR_ROW = 1, PC_PRIOR_MISSING };

/* The codes of the last multi-select list rules_multi_nth was asked about
 * on a connection: the list's codes of table t that may be chosen, as row
 * indexes, distinct and ascending (table order).  The statement asks for
 * several per stored value (each position, then again in the filter), so
 * the list is read once. */
#define MULTI_MEMO_CODES 64
struct multi_memo {
	sqlite3_int64 t;
	char          list[256];   /* "" = nothing kept */
	size_t        n;
	size_t        row[MULTI_MEMO_CODES];
};

struct rules {
	struct store      *st;
	struct rset       *rs;
	size_t             nrs;
	signed char       *tpl_of;    /* whole-file check: template index by staff id, -1 = none */
	sqlite3_int64      ntpl_of;
	sqlite3_stmt      *explained[NCONN];
	struct person_col *pc;
	size_t             npc;
	sqlite3_int64      slice_lo, slice_hi;   /* SM_SLICE: the persons in scope */
	const unsigned char *pc_only;            /* non-NULL: load only the look-ups k with pc_only[k] */
	struct multi_memo  memo[NCONN];          /* by connection: the store's, the second thread's */
};

/* The rules that need no expression (required = yes without relevant,
 * format, length, range, code, multi-select) are checked by one C function,
 * rules_static(set, v1, v2, …), called by SQLite once per row with the
 * values of the fields that have such rules.  Doing them in C is what keeps
 * a row cheap: date() and a sub-query per code cost a microsecond each, and
 * a file of 100,000 persons has about 4 million rows. */
struct sfield {
	const struct field_def *f;
	int                     field_index;
	int                     rule[RK__COUNT];    /* index in rset.rule of the field's rule of each kind, -1 = none */
	/* the kinds it has that check a value, in table order: those that see
	 * empty values (RKF_EMPTY) and those that see the others */
	unsigned char           check_empty[RK__COUNT], check[RK__COUNT];
	int                     nempty, ncheck;
	int                     rel_arg, req_arg;   /* argument holding relevant / required, -1 = always */
	double                  lo, hi;             /* numeric range */
	int                     has_lo, has_hi;
};

/* A field being compiled (compile_field in rules_compile.c), as a rule
 * kind's compile hook sees it. */
struct fcomp {
	struct rules           *r;
	struct rset            *rs;
	struct strbuf          *cols;   /* the select's result columns so far */
	const struct field_def *f;
	const char             *col;    /* cur."NAME" */
	const char             *has;    /* the SQL for "has a value" */
	struct sfield          *sf;     /* its static rules */
	char                  **cause;
};

/* A value rules_static() checks, as a rule kind's check hook sees it. */
struct sval {
	sqlite3_value  *v;
	sqlite3_value **argv;   /* rules_static's arguments (relevant, required) */
	const char     *s;      /* its text, once asked for (sval_text) */
};

/* A finding to put in words, as a rule kind's message hook sees it. */
struct rmsg {
	sqlite3             *db;       /* the connection the row was read on */
	const struct rset   *rs;
	const struct rule   *ru;
	const char          *detail;   /* the result column's text or rules_emit's detail; "" when none */
	sqlite3_int64        key;      /* the row: staff id (one-record set) or record id */
};

/* One row per rule kind.  A new kind is a row here and its hooks in
 * rules_kind.c (docs/design.md "How to add a rule kind"). */
struct rule_kind_def {
	const char *name;   /* the <kind> of a field rule's id <kind>:<FIELD>; NULL: rules keep their own name */
	int         flags;  /* RKF_* */
	/* Give field c->f this kind of rule when its definition calls for
	 * one: a static rule (rules_add_static, then check is called from
	 * rules_static()) or a result column (rules_add_sql).  1 added, 0 the
	 * field has none, -1 failed with *c->cause set.  NULL: compiled
	 * elsewhere (RK_CHECK, from forms/checks.tsv, by compile_set). */
	int       (*compile)(struct fcomp *c, enum rule_kind k);
	/* A static rule: check the value, appending findings with rules_emit.
	 * 1 when it was found wrong in a way that makes its later rules moot. */
	int       (*check)(const struct sfield *sf, struct sval *v, struct strbuf *out);
	/* Append the finding's Chinese message to b. */
	void      (*message)(const struct rmsg *m, struct strbuf *b);
	const char *says;   /* without a message hook: the message, always the same */
};

#define RKF_ALONE  1   /* when the field has it, the field gets no other rule (derived) */
#define RKF_EMPTY  2   /* its check sees the empty values, and only those (required) */
#define RKF_MOOTS  4   /* its finding in a row makes the field's RKF_MOOTED rules moot (relevant, format) */
#define RKF_MOOTED 8   /* not reported when the field had an RKF_MOOTS finding in the row (constraint) */
#define RKF_WARN   16  /* a warning, not an error (derived) */

extern const struct rule_kind_def rule_kinds[RK__COUNT];

/* A finding held until the check is over (parallel runs: the callback is
 * the caller's, so it is only ever called from the caller's thread). */
struct held {
	const struct rset *rs;
	const struct rule *ru;
	sqlite3_int64      staff_id, key;
	int                row;
	char              *message, *explained;
};

struct held_list {
	struct held *h;
	size_t       n, cap;
};

/* One thread's side of a check: its connection and what to do with a
 * finding — hand it to cb at once, or keep it in hold. */
struct runner {
	struct rules     *r;
	int               conn;          /* index into rset.stmt, rules.explained */
	sqlite3          *db;
	int               any_explained; /* explanation holds a row: worth looking up */
	int               stop;
	int             (*cb)(const struct finding *, void *);   /* a rules_cb (rules.h) */
	void             *arg;
	struct held_list *hold;          /* non-NULL: keep findings here instead */
};

/* rules.c */
int rules_register_functions(struct rules *r, sqlite3 *db);
char *rules_template_of(struct rules *r, const char *sql, sqlite3_int64 id);   /* caller frees */
char *rules_staff_template(struct rules *r, sqlite3_int64 staff_id);             /* caller frees */

/* rules_static.c */
void rules_fn_static(sqlite3_context *c, int argc, sqlite3_value **argv);
void rules_emit(struct strbuf *b, int rule, const char *detail);
int rules_format_holds(const struct field_def *f, sqlite3_value *v);

/* Whether argument arg of rules_static holds (-1: no such argument, true).
 * Inline, as sval_text: the check hooks call them for every stored value. */
static inline int
rules_truth(sqlite3_value **argv, int arg)
{
	return arg < 0 || (sqlite3_value_type(argv[arg]) != SQLITE_NULL && sqlite3_value_double(argv[arg]) != 0);
}

/* v's text, converted once. */
static inline const char *
sval_text(struct sval *v)
{
	if (v->s == NULL)
		v->s = (const char *)sqlite3_value_text(v->v);
	return v->s;
}

/* rules_compile.c */
int rules_add_static(struct fcomp *c, enum rule_kind k);
struct rule *rules_add_sql(struct fcomp *c, enum rule_kind k, const char *text, char *sql);
int rules_static_arg(struct rset *rs, char *e);
enum jzg_status rules_compile_set(struct rules *r, struct rset *rs, char **cause);
void rules_group_scans(struct rules *r);
void rules_fn_today(sqlite3_context *c, int argc, sqlite3_value **argv);
void rules_fn_code_pick(sqlite3_context *c, int argc, sqlite3_value **argv);
void rules_fn_code_filter(sqlite3_context *c, int argc, sqlite3_value **argv);
void rules_fn_multi_nth(sqlite3_context *c, int argc, sqlite3_value **argv);

/* rules_person.c */
const char *rules_sql_scan(const char *p, const char *end, const char *kw);
char *rules_person_rewrite(struct rules *r, const char *sql);   /* caller frees; NULL: nothing to rewrite */
enum jzg_status rules_person_load_some(struct rules *r, sqlite3 *db, enum scope_mode m, sqlite3_int64 id,
    size_t k0, size_t step_k, char **cause);
enum jzg_status rules_person_load(struct rules *r, enum scope_mode m, sqlite3_int64 id, char **cause);
void rules_person_unload(struct rules *r);
void rules_person_uses(const struct rules *r, const char *sql, unsigned char *uses);
void rules_fn_person(sqlite3_context *c, int argc, sqlite3_value **argv);
int rules_person_prior(struct rules *r, const char *set, int kind);
void rules_person_index_ids(struct person_col *pc);

/* rules_prior.c */
char *rules_prior_columns(char *sql, const struct set_def *own, int *joined);   /* takes sql */
char *rules_prior_join(const struct set_def *s);                                  /* caller frees */
char *rules_prior_bulk(struct rules *r, const struct set_def *s, const char *sql); /* caller frees; NULL: none */
enum jzg_status rules_prior_load(struct rules *r, struct person_col *pc, sqlite3 *db, enum scope_mode m,
    sqlite3_int64 id, char **cause);
void rules_fn_baseline(sqlite3_context *c, int argc, sqlite3_value **argv);

/* rules_run.c */
extern const char rules_explained_sql[];
enum jzg_status rules_run(struct runner *ru, struct rset *rs0, enum scope_mode m, sqlite3_int64 arg1, char **cause);
int rules_any_explained(sqlite3 *db);
void rules_finding_of(const struct rset *rs, const struct rule *rule, struct finding *fd);

/* rules_sched.c */
void rules_fn_rset(sqlite3_context *c, int argc, sqlite3_value **argv);

#endif
