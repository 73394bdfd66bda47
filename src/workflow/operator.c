/* operator.c — see operator.h. */
#include "operator.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "text.h"
#include "trust.h"
#include "util.h"

static const struct { const char *code, *label; } roles[] = {
	[ROLE_KEYER] = { "keyer", "录入员" },
	[ROLE_REVIEWER] = { "reviewer", "审核员" },
	[ROLE_ADMIN] = { "admin", "管理员" },
};

int
operator_role_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (str_eq(s, roles[i].code) || str_eq(s, roles[i].label))
			return i;
	return -1;
}

const char *operator_role_code(enum operator_role r) { return roles[r].code; }
const char *operator_role_label(enum operator_role r) { return roles[r].label; }

/* The minimum cost of Argon2id, for tests (operator.h). */
static int
pw_fast(void)
{
#ifdef JZG_TEST_HOOKS
	/* the tests make hundreds of operators; a real file never gets this */
	return str_eq(getenv("JZG_PWHASH_FAST"), "1");
#else
	return 0;
#endif
}

/* A new salt and the signing key pair of password (trust.h). */
static enum jzg_status
new_keys(const char *password, unsigned char salt[TRUST_SALT_BYTES], unsigned char pk[crypto_sign_PUBLICKEYBYTES],
    unsigned char sk[crypto_sign_SECRETKEYBYTES], char **cause)
{
	randombytes_buf(salt, TRUST_SALT_BYTES);
	return trust_keypair(password, salt, pw_fast(), pk, sk, cause);
}

static enum jzg_status
pw_hash(const char *password, char out[crypto_pwhash_STRBYTES], char **cause)
{
	int fast = pw_fast();

	if (sodium_init() < 0)
		return jzg_fail(cause, JZG_ERR_NOMEM, "无法初始化密码库（libsodium）");
	if (crypto_pwhash_str(out, password, strlen(password),
	    fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return jzg_fail(cause, JZG_ERR_NOMEM, "计算密码散列时内存不足");
	return JZG_OK;
}

static enum jzg_status
check_password(const char *password, char **cause)
{
	if (password == NULL || utf8_chars(password) < OPERATOR_MIN_PASSWORD)
		return jzg_fail(cause, JZG_ERR_INVALID, "密码至少需要 %d 个字符", OPERATOR_MIN_PASSWORD);
	return JZG_OK;
}

/* Operator changes go into the audit trail too (set "operator"). */
static void
log_change(struct store *st, sqlite3_int64 id, const char *op, const char *field, const char *val)
{
	audit_write(st, &(struct audit_note){ .set_name = "operator", .row_id = id, .op = op, .field = field,
	    .new_value = val }, NULL);
}

int
operator_single_user(struct store *st)
{
	sqlite3_stmt *q;
	int yes = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM meta WHERE key = 'single_user'", -1, &q, NULL) != SQLITE_OK)
		return 0;
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

enum jzg_status
operator_single_user_set(struct store *st, char **cause)
{
	if (sqlite3_exec(st->db, "INSERT OR REPLACE INTO meta VALUES('single_user', datetime('now','localtime'))",
	    NULL, NULL, NULL) != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "无法保存单人使用的选择：%s", sqlite3_errmsg(st->db));
	return JZG_OK;
}

enum jzg_status
operator_count(struct store *st, int *n, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, "SELECT count(*) FROM operator WHERE disabled = 0", &q, cause);

	*n = 0;
	if (rc != JZG_OK)
		return rc;
	if (sqlite3_step(q) == SQLITE_ROW)
		*n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return JZG_OK;
}

enum jzg_status
operator_add(struct store *st, const char *name, enum operator_role role, const char *password,
    const char *school_code, char **cause)
{
	char hash[crypto_pwhash_STRBYTES];
	unsigned char salt[TRUST_SALT_BYTES], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	sqlite3_stmt *q;
	sqlite3_int64 sid = 0;
	enum jzg_status rc;
	int n, r;

	if (text_fault(name, TEXT_NAME) != NULL || strchr(name, ' ') != NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "用户名不能为空，也不能含空格");
	if ((rc = check_password(password, cause)) != JZG_OK)
		return rc;
	if ((rc = operator_count(st, &n, cause)) != JZG_OK)
		return rc;
	if (n == 0 && role != ROLE_ADMIN)
		return jzg_fail(cause, JZG_ERR_INVALID, "文件中还没有操作员：第一个操作员必须是管理员（--role 管理员）");
	if (school_code != NULL) {
		if ((rc = store_prepare(st, "SELECT id FROM school WHERE code = ?1", &q, cause)) != JZG_OK)
			return rc;
		sqlite3_bind_text(q, 1, school_code, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			sid = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		if (sid == 0)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有学校标识码为 %s 的学校", school_code);
	}
	if ((rc = pw_hash(password, hash, cause)) != JZG_OK || (rc = new_keys(password, salt, pk, sk, cause)) != JZG_OK)
		return rc;
	if ((rc = store_prepare(st, "INSERT INTO operator(name, role, pwhash, school_id, salt, pubkey) "
	    "VALUES(?1,?2,?3,?4,?5,?6)", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, roles[role].code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
	if (sid)
		sqlite3_bind_int64(q, 4, sid);
	sqlite3_bind_blob(q, 5, salt, sizeof salt, SQLITE_STATIC);
	sqlite3_bind_blob(q, 6, pk, sizeof pk, SQLITE_STATIC);
	/* the first 管理员 signs his own row: nobody else is there to */
	if (n == 0)
		trust_set_key(st, 0, sk);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (n == 0)
		trust_set_key(st, 0, NULL);
	sodium_memzero(sk, sizeof sk);
	if (r == SQLITE_CONSTRAINT_UNIQUE)
		return jzg_fail(cause, JZG_ERR_EXISTS, "用户名 %s 已存在，请换一个", name);
	if (r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "无法保存操作员：%s", store_errstr(r));
	log_change(st, sqlite3_last_insert_rowid(st->db), "insert", "role", roles[role].code);
	return JZG_OK;
}

static void
row_to_op(sqlite3_stmt *q, struct operator *op)
{
	op->id = sqlite3_column_int64(q, 0);
	op->name = xstrdup((const char *)sqlite3_column_text(q, 1));
	op->role = (enum operator_role)operator_role_parse((const char *)sqlite3_column_text(q, 2));
	op->school_id = sqlite3_column_int64(q, 3);
	op->school_code = xstrdup((const char *)sqlite3_column_text(q, 4));
	op->disabled = sqlite3_column_int(q, 5);
}

#define OP_COLUMNS "o.id, o.name, o.role, ifnull(o.school_id, 0), s.code, o.disabled, o.pwhash, o.salt " \
	"FROM operator o LEFT JOIN school s ON s.id = o.school_id"

enum jzg_status
operator_login(struct store *st, const char *name, const char *password, struct operator **out,
    char **cause)
{
	unsigned char salt[TRUST_SALT_BYTES], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	sqlite3_stmt *q;
	enum jzg_status rc;
	int ok = 0, has_salt = 0;

	*out = NULL;
	if (sodium_init() < 0)
		return jzg_fail(cause, JZG_ERR_NOMEM, "无法初始化密码库（libsodium）");
	if ((rc = store_prepare(st, "SELECT " OP_COLUMNS " WHERE o.name = ?1", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && password != NULL &&
	    crypto_pwhash_str_verify((const char *)sqlite3_column_text(q, 6), password, strlen(password)) == 0) {
		ok = 1;
		*out = xcalloc(1, sizeof **out);
		row_to_op(q, *out);
		if ((has_salt = sqlite3_column_bytes(q, 7) == TRUST_SALT_BYTES))
			memcpy(salt, sqlite3_column_blob(q, 7), TRUST_SALT_BYTES);
	}
	sqlite3_finalize(q);
	if (!ok)
		return jzg_fail(cause, JZG_ERR_INVALID, "用户名或密码不正确，请重新输入");
	if ((*out)->disabled) {
		rc = jzg_fail(cause, JZG_ERR_INVALID, "账号 %s 已停用，请联系管理员", name);
		goto refuse;
	}
	/* his row as jzg last wrote it: a 录入员 made 管理员 by hand gets nothing */
	if (trust_operator_intact(st, (*out)->id, cause) != 0) {
		rc = JZG_ERR_INVALID;
		goto refuse;
	}
	/* his signing key; an operator made before schema 6 gets one now */
	if (!has_salt)
		rc = new_keys(password, salt, pk, sk, cause);
	else
		rc = trust_keypair(password, salt, pw_fast(), pk, sk, cause);
	if (rc != JZG_OK)
		goto refuse;
	trust_set_key(st, (*out)->id, sk);
	sodium_memzero(sk, sizeof sk);
	if (!has_salt && (rc = store_prepare(st, "UPDATE operator SET salt = ?2, pubkey = ?3 WHERE id = ?1", &q, cause)) == JZG_OK) {
		sqlite3_bind_int64(q, 1, (*out)->id);
		sqlite3_bind_blob(q, 2, salt, sizeof salt, SQLITE_STATIC);
		sqlite3_bind_blob(q, 3, pk, sizeof pk, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "无法保存签名密钥：%s", store_errstr(sqlite3_errcode(st->db)));
		sqlite3_finalize(q);
	}
	if (rc == JZG_OK)
		return JZG_OK;
	trust_set_key(st, 0, NULL);
refuse:
	operator_free(*out);
	*out = NULL;
	return rc;
}

/* Step and finalize q, an UPDATE of the operator name. */
static enum jzg_status
step_update(struct store *st, sqlite3_stmt *q, const char *name, char **cause)
{
	int r = sqlite3_step(q);

	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "无法修改操作员：%s", store_errstr(r));
	if (sqlite3_changes(st->db) == 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "没有名为 %s 的操作员（用 jzg user list 查看）", name);
	return JZG_OK;
}

static enum jzg_status
update_one(struct store *st, const char *sql, const char *name, const char *arg, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, sql, &q, cause);

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (arg != NULL)
		sqlite3_bind_text(q, 2, arg, -1, SQLITE_STATIC);
	return step_update(st, q, name, cause);
}

static sqlite3_int64
op_id(struct store *st, const char *name)
{
	sqlite3_stmt *q;
	sqlite3_int64 id = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT id FROM operator WHERE name = ?1", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}

enum jzg_status
operator_passwd(struct store *st, const char *name, const char *password, char **cause)
{
	char hash[crypto_pwhash_STRBYTES];
	unsigned char salt[TRUST_SALT_BYTES], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	sqlite3_stmt *q;
	enum jzg_status rc;

	if ((rc = check_password(password, cause)) != JZG_OK || (rc = pw_hash(password, hash, cause)) != JZG_OK ||
	    (rc = new_keys(password, salt, pk, sk, cause)) != JZG_OK)
		return rc;
	/* a new password is a new key: signed by the one acting (himself, with
	 * his old key, or a 管理员) */
	if ((rc = store_prepare(st, "UPDATE operator SET pwhash = ?2, salt = ?3, pubkey = ?4 WHERE name = ?1", &q,
	    cause)) != JZG_OK) {
		sodium_memzero(sk, sizeof sk);
		return rc;
	}
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, salt, sizeof salt, SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, pk, sizeof pk, SQLITE_STATIC);
	if ((rc = step_update(st, q, name, cause)) == JZG_OK && str_eq(audit_actor(st), name))
		trust_set_key(st, op_id(st, name), sk);   /* he signs with his new key from now on */
	sodium_memzero(sk, sizeof sk);
	if (rc != JZG_OK)
		return rc;
	log_change(st, op_id(st, name), "update", "password", "（已修改）");
	return JZG_OK;
}

enum jzg_status
operator_disable(struct store *st, const char *name, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	int last = 0;

	if ((rc = store_prepare(st, "SELECT role = 'admin' AND disabled = 0 AND (SELECT count(*) FROM operator "
	    "WHERE role = 'admin' AND disabled = 0) = 1 FROM operator WHERE name = ?1", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		last = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (last)
		return jzg_fail(cause, JZG_ERR_INVALID, "%s 是唯一的管理员，不能停用；请先添加另一名管理员", name);
	if ((rc = update_one(st, "UPDATE operator SET disabled = 1 WHERE name = ?1", name, NULL, cause)) != JZG_OK)
		return rc;
	log_change(st, op_id(st, name), "update", "disabled", "1");
	return JZG_OK;
}

enum jzg_status
operator_list(struct store *st, struct operator **out, size_t *n, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if ((rc = store_prepare(st, "SELECT " OP_COLUMNS " ORDER BY o.name", &q, cause)) != JZG_OK)
		return rc;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (*n == cap)
			*out = xreallocarray(*out, cap = cap ? 2 * cap : 8, sizeof **out);
		row_to_op(q, &(*out)[(*n)++]);
	}
	sqlite3_finalize(q);
	return JZG_OK;
}

void
operator_list_free(struct operator *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ops[i].name);
		free(ops[i].school_code);
	}
	free(ops);
}

void
operator_free(struct operator *op)
{
	if (op != NULL)
		operator_list_free(op, 1);
}
