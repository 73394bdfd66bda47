/* signature.h — the check code that ties a signed paper sheet to the data,
 * and the record of sheets returned signed.  No curses.
 *
 * The code is 8 characters (Crockford base32 of the first 40 bits of the
 * SHA-256, libsodium) over the person's data exactly as the sheet prints it
 * (pview: set titles, field labels, display values, record order).  When
 * the clerk marks a sheet returned signed, the code is stored (table
 * signature, one row per signing).  The state is then computed, never
 * stored: the person's current code equals the last signed code → signed;
 * differs → stale (已签字后修改，需重新打印签字).  A change undone brings the
 * data back to what the paper says, so the state is "signed" again. */
#ifndef JZG_SIGNATURE_H
#define JZG_SIGNATURE_H

#include <sqlite3.h>

#include "pview.h"
#include "store.h"

#define SIGNATURE_CODE_LEN 8

enum signature_state {
	SIGNATURE_NONE,     /* never returned signed */
	SIGNATURE_SIGNED,   /* the data are what the signed sheet shows */
	SIGNATURE_STALE     /* changed after signing: print and sign again */
};

/* The last signing of a person. */
struct signature_rec {
	char code[SIGNATURE_CODE_LEN + 1];   /* "" when never signed */
	char signed_on[11];                  /* YYYY-MM-DD */
};

/* Check code of a person's printed data into out. */
void signature_code(const struct pview *pv, char out[SIGNATURE_CODE_LEN + 1]);

/* Current check code of person staff_id (loads the person). */
enum jzg_status signature_current(struct store *st, sqlite3_int64 staff_id,
    char out[SIGNATURE_CODE_LEN + 1], char **cause);

/* The last signing of staff_id into *rec (code "" when none). */
enum jzg_status signature_last(struct store *st, sqlite3_int64 staff_id, struct signature_rec *rec,
    char **cause);

/* none | signed | stale for a person.  Cheap when never signed (one
 * query); otherwise the person's data are read and hashed. */
enum jzg_status signature_state(struct store *st, sqlite3_int64 staff_id,
    enum signature_state *state, char **cause);
/* The same, for a person already loaded (batch printing, lists). */
enum signature_state signature_state_of(const struct pview *pv, const struct signature_rec *rec);

/* Chinese text of a state: 未签字 / 已签字 / 已签字后修改，需重新打印签字. */
const char *signature_state_text(enum signature_state s);

/* Record that the sheet of staff_id came back signed on date (YYYY-MM-DD,
 * not in the future).  When paper_code is not NULL it is the code printed
 * on the signed sheet, and it must equal the current code: otherwise the
 * data changed after printing and the sheet is refused (JZG_ERR_INVALID).
 * *code_out (may be NULL) gets the code recorded. */
enum jzg_status signature_mark(struct store *st, sqlite3_int64 staff_id, const char *date,
    const char *paper_code, char code_out[SIGNATURE_CODE_LEN + 1], char **cause);

#endif
