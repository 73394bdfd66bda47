/* operator.h — local operator accounts: name, role (录入员 keyer, 审核员
 * reviewer, 管理员 admin), password hashed with libsodium's crypto_pwhash
 * (Argon2id), an optional home school (NULL: county staff), disabled flag.
 * No curses.
 *
 * A file without operators is a single-user file: nobody logs in and the
 * audit trail names nobody.  Once the first 管理员 exists every session
 * logs in.  Hashing is deliberately slow (OPSLIMIT/MEMLIMIT_INTERACTIVE,
 * ~0.1 s, 64 MiB); tests set JZG_PWHASH_FAST=1 to use the minimum
 * parameters — never set it for real files. */
#ifndef JZG_OPERATOR_H
#define JZG_OPERATOR_H

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"

enum operator_role { ROLE_KEYER, ROLE_REVIEWER, ROLE_ADMIN };

struct operator {
	sqlite3_int64      id;
	char              *name;
	enum operator_role role;
	sqlite3_int64      school_id;    /* 0: county staff */
	char              *school_code;  /* NULL for county staff */
	int                disabled;
};

#define OPERATOR_MIN_PASSWORD 6   /* characters */

/* "keyer"/"录入员", "reviewer"/"审核员", "admin"/"管理员" → role; -1 if unknown. */
int operator_role_parse(const char *s);
const char *operator_role_code(enum operator_role r);   /* keyer … */
const char *operator_role_label(enum operator_role r);  /* 录入员 … */

/* Number of operators not disabled. */
enum jzg_status operator_count(struct store *st, int *n, char **cause);

/* A file whose user chose to work without accounts (Esc at the first
 * 管理员 prompt) is not asked again at every start: the choice is kept in
 * the file (meta single_user) until the first 管理员 is created. */
int operator_single_user(struct store *st);
enum jzg_status operator_single_user_set(struct store *st, char **cause);

/* Add an operator.  school_code NULL = county staff.  The first operator of
 * a file must be a 管理员.  Refuses an empty or taken name, a password
 * shorter than OPERATOR_MIN_PASSWORD characters, an unknown school. */
enum jzg_status operator_add(struct store *st, const char *name, enum operator_role role,
    const char *password, const char *school_code, char **cause);

/* Check name and password; *out gets the operator (caller frees with
 * operator_free).  The same message for an unknown name and a wrong
 * password; a disabled account is refused. */
enum jzg_status operator_login(struct store *st, const char *name, const char *password,
    struct operator **out, char **cause);

enum jzg_status operator_passwd(struct store *st, const char *name, const char *password,
    char **cause);

/* Disable an account (kept: the audit trail names it).  The last active
 * 管理员 cannot be disabled. */
enum jzg_status operator_disable(struct store *st, const char *name, char **cause);

/* Every operator, by name.  Caller frees with operator_list_free. */
enum jzg_status operator_list(struct store *st, struct operator **out, size_t *n, char **cause);
void operator_list_free(struct operator *ops, size_t n);
void operator_free(struct operator *op);

#endif
