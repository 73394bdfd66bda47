/* rekey.h — double-entry verification (issue 20): a second person keys a
 * sample of people again from the paper forms; where the two keyings
 * differ, somebody decides which is right.  No curses.
 *
 * Marking: rekey_sample draws a share of a school's people, stratified by
 * who keyed them (rekey_keyer, from the audit trail), and a larger share
 * (forms/settings.tsv rekey_raised) of a keyer whose error rate so far is
 * above rekey_threshold errors per 1,000 fields; rekey_mark marks one
 * person.  Tables rekey and rekey_field (rekey_schema.h).
 *
 * Verifying: rekey_begin opens a marked person for a verifier, who must be
 * an operator and must not have keyed or changed the person
 * (audit_touched_by): the separation rule lives here, not in the screen.
 * The session lists the fields to key again, in the order of the form;
 * fields derived (read-only, or with a calculate expression), defaulted
 * (holding the template's default) or not relevant are not keyed again.
 * rekey_decide stores the second keying and the decision; a value changes
 * only when the decision says so, through entry_set (the one write path,
 * audited with path rekey), and the discrepancy and its decision go to the
 * audit trail (op rekey).  When every field has been keyed twice the
 * person is verified. */
#ifndef JZG_REKEY_H
#define JZG_REKEY_H

#include <sqlite3.h>
#include <stdint.h>

#include "entry.h"
#include "store.h"

/* Over rekey_field: 1 when the keying of the keyer (the first), resp. of
 * the verifier (the second), was judged wrong.  A re-keyed value (the
 * third) that matches neither counts against both. */
#define REKEY_KEYER_WRONG "(decision = 'second' OR (decision = 'rekey' AND final IS NOT first))"
#define REKEY_VERIFIER_WRONG "(decision = 'first' OR (decision = 'rekey' AND final IS NOT second))"

enum rekey_decision { REKEY_SAME, REKEY_FIRST, REKEY_SECOND, REKEY_REKEY };

/* Stored code of a decision ("same", "first", "second", "rekey"). */
const char *rekey_decision_code(enum rekey_decision d);

/* Who keyed person staff_id: the operator with the most changes of the
 * person's data in the audit trail (not merges, not verification); *out
 * is a new string, or NULL when the trail names nobody. */
enum jzg_status rekey_keyer(struct store *st, sqlite3_int64 staff_id, char **out, char **cause);

/* The mark of a person: 0 not marked, 1 marked and not yet verified,
 * 2 verified, 3 discrepancies of rekey compare to decide. */
int rekey_state(struct store *st, sqlite3_int64 staff_id);

/* Mark staff_id for verification (by the acting operator); *added 0 when
 * the person was marked already. */
enum jzg_status rekey_mark(struct store *st, sqlite3_int64 staff_id, int *added, char **cause);

/* One keyer's people in a sample. */
struct rekey_stratum {
	char  *keyer;        /* NULL: the trail names nobody */
	int    people;       /* of the school */
	int    marked;       /* marked now by this sample */
	int    before;       /* marked before */
	int    fields;       /* fields of theirs verified so far */
	int    errors;       /* of them judged wrong */
	int    raised;       /* error rate above the threshold */
	double percent;      /* the share drawn */
};

struct rekey_sample_result {
	struct rekey_stratum *s;
	size_t                n;
	int                   marked;
};

/* Mark percent % (0 < percent ≤ 100) of school_id's people, at least one
 * per keyer, rounded up; a keyer above the threshold gets rekey_raised %
 * when that is more.  People marked before count towards the share.  The
 * draw is a shuffle seeded by seed: the same seed on the same file marks
 * the same people.  All or nothing.  Free *out with
 * rekey_sample_result_free. */
enum jzg_status rekey_sample(struct store *st, sqlite3_int64 school_id, double percent, uint64_t seed,
    struct rekey_sample_result *out, char **cause);
void rekey_sample_result_free(struct rekey_sample_result *r);

/* Who last keyed field of record row of set (its last change in the
 * trail, else the record's insertion, else the person's keyer): a new
 * string or NULL. */
char *rekey_field_keyer(struct store *st, sqlite3_int64 staff_id, const char *set, sqlite3_int64 row,
    const char *field);

/* One field keyed twice: a row of rekey_field (source "verify", or
 * "compare:<file>"; a decision for the same field and source replaces the
 * one before), which the audit trigger writes to the trail unless the two
 * keyings agreed.  Values "" are stored as NULL. */
struct rekey_row {
	sqlite3_int64       staff_id, row;
	const char         *set, *field, *keyer, *verifier;
	const char         *first, *second, *final, *source;
	enum rekey_decision decision;
};

enum jzg_status rekey_record(struct store *st, const struct rekey_row *r, char **cause);

/* The discrepancy of rekey compare (source) on field of record row of set
 * decided: its rekey_open row removed (none is no error). */
enum jzg_status rekey_close(struct store *st, sqlite3_int64 staff_id, const char *set, sqlite3_int64 row,
    const char *field, const char *source, char **cause);

/* ----------------------------------------------------------- verifying */

/* Why a field is not keyed again. */
enum rekey_skip { RK_KEY, RK_DERIVED, RK_DEFAULTED, RK_IRRELEVANT };

/* One field of one record, in the order of the form. */
struct rekey_item {
	const struct set_def   *set;     /* of the person's template */
	sqlite3_int64           key;     /* staff_id, or the record's id */
	int                     rec;     /* 1-based record of a many-record set, 0 */
	const struct field_def *field;
	char                   *first;   /* the value stored now (owned) */
	char                   *keyer;   /* who keyed it (owned, may be NULL) */
	enum rekey_skip         skip;
	int                     done;    /* keyed twice already */
	/* a discrepancy of rekey compare to decide: the other file's value
	 * and "compare:<file>" (owned); NULL in verify mode */
	char                   *second, *source;
};

struct rekey_session {
	struct store      *st;
	struct entry      *e;
	sqlite3_int64      staff_id;
	char              *verifier;
	struct rekey_item *item;
	size_t             n;
};

/* Open marked person staff_id for the acting operator (audit_actor: the
 * verifier is whom the trail names).  Refused, with a Chinese cause and
 * nothing changed: no operator (a file without accounts), a person not
 * marked, or a verifier who keyed or changed the person.  A person with
 * discrepancies of rekey compare still open (rekey_open) opens with those
 * instead, each with the other file's value as the second keying (any
 * operator may decide them, as merge conflicts).  Free with rekey_end. */
enum jzg_status rekey_begin(struct store *st, sqlite3_int64 staff_id, struct rekey_session **out,
    char **cause);
void rekey_end(struct rekey_session *s);

/* Fields still to key (not skipped, not done). */
size_t rekey_left(const struct rekey_session *s);

/* What the store would keep of typed in item i (normalised as the form
 * normalises it); caller frees.  NULL for nothing typed. */
char *rekey_normalise(const struct rekey_session *s, size_t i, const char *typed);

/* Does second (normalised) differ from the first keying of item i? */
int rekey_differs(const struct rekey_session *s, size_t i, const char *second);

/* Store the second keying of item i (normalised) and the decision: SAME
 * only when they agree; FIRST keeps the stored value; SECOND stores second;
 * REKEY stores final (a third keying, normalised).  Values change through
 * entry_set with path rekey; a refused value (an approved person is
 * locked) changes nothing.  Then the values of the session are read again
 * (a value decided may make others relevant or not), and when nothing is
 * left the person is verified.  In the caller's transaction, if any. */
enum jzg_status rekey_decide(struct rekey_session *s, size_t i, const char *second, enum rekey_decision d,
    const char *final, char **cause);

#endif
