/* trust.h — tamper evidence (issue 18 item 4; threat model in
 * docs/trust.md).  No curses.
 *
 * Every row of the trail (audit), the review history (review), the
 * returned sheets (signature) and every version of an operator row is
 * linked into one hash chain (table chain, trust_schema.h): its digest
 * (BLAKE2b-128 of its columns) and the digest of the previous link with
 * it.  The links are written by TEMP triggers that audit_arm creates with
 * the trail's (so nothing jzg writes escapes them) and checked:
 *   - on every open (trust_open, from audit_open): the persistent guards
 *     (re-created when dropped), the links added since the last verified
 *     head, rows with no link, every operator row against its last link —
 *     a handful of queries, within the start-up budget;
 *   - in full by `jzg verify` and for each school file at `merge`
 *     (trust_verify): besides the above, signatures, people marked
 *     approved without a signed approval, and each value against the
 *     trail (a value changed outside jzg is named with both values).
 * Approvals and operator changes are signed with Ed25519: the acting
 * operator's key is derived from his password at log-in (Argon2id → seed →
 * crypto_sign_seed_keypair, operator.c), so a clerk with the file and
 * sqlite3 but not a 审核员's or 管理员's password cannot forge them. */
#ifndef JZG_TRUST_H
#define JZG_TRUST_H

#include <sodium.h>

#include "store.h"
#include "util.h"

enum trust_table { TRUST_AUDIT = 1, TRUST_REVIEW, TRUST_SIGNATURE, TRUST_OPERATOR };

#define TRUST_SALT_BYTES 16

/* Register the chain's SQL functions on st (audit_open does). */
enum jzg_status trust_attach(struct store *st, char **cause);
/* The TEMP triggers that link every new row, appended to b (audit_arm). */
void trust_trigger_sql(struct strbuf *b);
/* Bulk writes inside one transaction (audit_bulk_begin/end: merge).  on 0:
 * the link triggers of the trail, reviews and signatures are dropped and
 * their last row ids noted; on 1: every row written since is linked, table
 * by table in id order, one statement each, and the triggers come back.
 * The links are those the triggers would have written (signed likewise),
 * in another order; a trigger per row cost ~10,000 instructions beyond the
 * hashing, a sixth of a first merge (docs/benchmarks.md, issue 21). */
enum jzg_status trust_bulk(struct store *st, int on, char **cause);
/* Between trust_bulk 0 and 1: link the rows written so far, the triggers
 * staying dropped (audit_bulk_link: a commit in the middle of a bulk). */
enum jzg_status trust_bulk_link(struct store *st, char **cause);

/* On open for writing, before the triggers are armed: re-create dropped
 * guards, link the rows of a file just migrated to schema 7 (said once),
 * check what was added since the last verified head.  *notice (caller
 * frees) gets what the user must be told, Chinese, one line per matter,
 * or NULL.  Fails only when the file cannot be written. */
enum jzg_status trust_open(struct store *st, char **notice, char **cause);

/* The signing key of the operator acting from now on (operator_login,
 * operator_add): signer is his operator id, or 0 for "the operator row
 * being inserted" (the first 管理员 signs his own row).  sk NULL: none. */
void trust_set_key(struct store *st, sqlite3_int64 signer, const unsigned char *sk);
/* The key pair of password with salt (Argon2id, the cost of the password
 * hash).  Returns JZG_OK or JZG_ERR_NOMEM with a cause. */
enum jzg_status trust_keypair(const char *password, const unsigned char salt[TRUST_SALT_BYTES], int fast,
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], unsigned char sk[crypto_sign_SECRETKEYBYTES], char **cause);
/* Does operator id's row match its last link and is that link's public
 * key pk?  0 yes; else a Chinese cause (the row was changed outside jzg). */
int trust_operator_intact(struct store *st, sqlite3_int64 id, char **cause);

/* One finding or note of trust_verify: Chinese, one line. */
typedef void (*trust_cb)(int finding, const char *text, void *arg);
struct trust_result { int findings, notes; };

/* Check schema ("main", or an attached school file) in full; each finding
 * (something changed outside jzg) and note (what could not be checked) to
 * cb.  Returns JZG_OK unless the file cannot be read. */
enum jzg_status trust_verify(struct store *st, const char *schema, trust_cb cb, void *arg,
    struct trust_result *res, char **cause);
/* At merge, inside its transaction: verify the attached school file sch
 * and compare its chain with the anchor kept from the school's last merge
 * (a different link at the anchored position: history rewritten); then
 * keep its head as the new anchor.  A finding refuses the file
 * (JZG_ERR_INVALID, the first finding and their number in *cause). */
enum jzg_status trust_merge_check(struct store *st, const char *sch, const char *path, char **cause);

#endif
