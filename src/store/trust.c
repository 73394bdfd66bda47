/* trust.c — see trust.h: the chain's SQL functions and triggers, the
 * operators' keys, and the check on every open.  The walk itself is in
 * trust_verify.c. */
#include "trust.h"
#include "trust_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_schema.h"
#include "util.h"

/* The columns each link's digest covers, in order.  An operator's are all
 * of his row: a changed role, school, password hash, key or the disabled
 * flag all break the match with his last link. */
static const char *const table_cols[] = {
	[TRUST_AUDIT] = "id,at,actor,path,behalf,staff_id,set_name,row_id,op,field,old,new",
	[TRUST_REVIEW] = "id,staff_id,at,actor,from_state,to_state,reason",
	[TRUST_SIGNATURE] = "id,staff_id,code,signed_on,recorded",
	[TRUST_OPERATOR] = "id,name,role,pwhash,school_id,disabled,created,salt,pubkey",
};
static const char *const table_name[] = {
	[TRUST_AUDIT] = "audit", [TRUST_REVIEW] = "review", [TRUST_SIGNATURE] = "signature",
	[TRUST_OPERATOR] = "operator",
};

const char *trust_table_name(enum trust_table t) { return table_name[t]; }

char *
trust_cols(enum trust_table t, const char *prefix)
{
	struct strbuf b = { 0 };
	const char *p = table_cols[t];

	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		strbuf_addf(&b, "%s%s%.*s", b.len ? ", " : "", prefix, (int)n, p);
		p += n + (p[n] == ',');
	}
	return strbuf_take(&b);
}

/* ------------------------------------------------------------ SQL functions */

/* trust_dig(tbl, col, …): BLAKE2b-128 of the table number and each value
 * as a tag (0 NULL, 1 otherwise), a length and its text (a BLOB's bytes):
 * the same value reads the same however SQLite stores it. */
static void
fn_dig(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	crypto_generichash_state h;
	unsigned char out[TRUST_DIG], buf[1024];
	size_t used = 0;

	/* the bytes gathered in buf and hashed in few updates: one update per
	 * tag, length and value cost more than the hashing (a row has ~8) */
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	for (int i = 0; i < argc; i++) {
		unsigned char tag = sqlite3_value_type(argv[i]) != SQLITE_NULL;
		const unsigned char *v = NULL;
		int n = 0;

		if (tag) {
			v = sqlite3_value_type(argv[i]) == SQLITE_BLOB ? sqlite3_value_blob(argv[i]) :
			    sqlite3_value_text(argv[i]);
			n = sqlite3_value_bytes(argv[i]);
		}
		if (used + 5 > sizeof buf) {
			crypto_generichash_update(&h, buf, used);
			used = 0;
		}
		buf[used++] = tag;
		buf[used++] = (unsigned char)(n >> 24);
		buf[used++] = (unsigned char)(n >> 16);
		buf[used++] = (unsigned char)(n >> 8);
		buf[used++] = (unsigned char)n;
		if (n <= 0)
			continue;
		if (used + (size_t)n <= sizeof buf) {
			memcpy(buf + used, v, (size_t)n);
			used += (size_t)n;
		} else {
			crypto_generichash_update(&h, buf, used);
			crypto_generichash_update(&h, v, (unsigned long long)n);
			used = 0;
		}
	}
	crypto_generichash_update(&h, buf, used);
	crypto_generichash_final(&h, out, sizeof out);
	sqlite3_result_blob(c, out, sizeof out, SQLITE_TRANSIENT);
}

/* trust_link(dig): the new link's hash, over the last link's hash (read
 * from the file each time: a rolled back savepoint takes links with it). */
static void
fn_link(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct trust_ctx *x = sqlite3_user_data(c);
	unsigned char prev[TRUST_DIG] = { 0 }, out[TRUST_DIG];
	crypto_generichash_state h;

	/* trust_link(dig, 0) in one statement that links many rows (trust_bulk):
	 * the hash just made is kept with the constant argument for the next
	 * row — SQLite keeps such data for the statement's run — instead of
	 * read back from the table (2,600 instructions a link) */
	const unsigned char *kept = argc > 1 ? sqlite3_get_auxdata(c, 1) : NULL;

	if (kept != NULL)
		memcpy(prev, kept, TRUST_DIG);
	else if (x->last == NULL &&
	    sqlite3_prepare_v2(sqlite3_context_db_handle(c), "SELECT hash FROM main.chain ORDER BY seq DESC LIMIT 1", -1,
	    &x->last, NULL) != SQLITE_OK) {
		sqlite3_result_error(c, "无法读取防篡改记录", -1);
		return;
	}
	else {
		if (sqlite3_step(x->last) == SQLITE_ROW && sqlite3_column_bytes(x->last, 0) == TRUST_DIG)
			memcpy(prev, sqlite3_column_blob(x->last, 0), TRUST_DIG);
		sqlite3_reset(x->last);
	}
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	crypto_generichash_update(&h, prev, sizeof prev);
	if (sqlite3_value_bytes(argv[0]) > 0)
		crypto_generichash_update(&h, sqlite3_value_blob(argv[0]), (unsigned long long)sqlite3_value_bytes(argv[0]));
	crypto_generichash_final(&h, out, sizeof out);
	x->written++;
	sqlite3_result_blob(c, out, sizeof out, SQLITE_TRANSIENT);
	if (argc > 1) {
		unsigned char *keep = sqlite3_malloc(TRUST_DIG);

		if (keep != NULL) {
			memcpy(keep, out, TRUST_DIG);
			sqlite3_set_auxdata(c, 1, keep, sqlite3_free);
		}
	}
}

/* trust_sign(dig): the acting operator's signature, or NULL without a key. */
static void
fn_sign(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct trust_ctx *x = sqlite3_user_data(c);
	unsigned char sig[crypto_sign_BYTES];

	(void)argc;
	if (!x->has_key || sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
		sqlite3_result_null(c);
		return;
	}
	crypto_sign_detached(sig, NULL, sqlite3_value_blob(argv[0]), (unsigned long long)sqlite3_value_bytes(argv[0]), x->sk);
	sqlite3_result_blob(c, sig, sizeof sig, SQLITE_TRANSIENT);
}

/* trust_signer(): the signing operator's id, NULL for "the row itself" or no key. */
static void
fn_signer(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct trust_ctx *x = sqlite3_user_data(c);

	(void)argc; (void)argv;
	if (x->has_key && x->signer != 0)
		sqlite3_result_int64(c, x->signer);
	else
		sqlite3_result_null(c);
}

/* trust_aux(role, pubkey): what a verifier needs of an operator's past:
 * one byte of role (k, r, a) and his public key then. */
static void
fn_aux(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	unsigned char b[1 + crypto_sign_PUBLICKEYBYTES];
	const char *role = (const char *)sqlite3_value_text(argv[0]);
	size_t n = 1;

	(void)argc;
	b[0] = role ? (unsigned char)role[0] : '?';
	if (sqlite3_value_type(argv[1]) == SQLITE_BLOB && sqlite3_value_bytes(argv[1]) == crypto_sign_PUBLICKEYBYTES) {
		memcpy(b + 1, sqlite3_value_blob(argv[1]), crypto_sign_PUBLICKEYBYTES);
		n += crypto_sign_PUBLICKEYBYTES;
	}
	sqlite3_result_blob(c, b, (int)n, SQLITE_TRANSIENT);
}

static void save_head(struct store *st, sqlite3_int64 seq, const unsigned char *hash);

static void
ctx_done(struct store *st)
{
	struct trust_ctx *x = st->trust;
	sqlite3_stmt *q;

	if (x == NULL)
		return;
	/* Links this connection made since the check on open, and none from
	 * elsewhere between them: they need no check on the next open (a
	 * large import would otherwise be walked by the next start-up). */
	if (x->verified >= 0 && x->written > 0 && sqlite3_get_autocommit(st->db) &&
	    sqlite3_prepare_v2(st->db, "SELECT seq, hash FROM main.chain ORDER BY seq DESC LIMIT 1", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) == x->verified + x->written &&
		    sqlite3_column_bytes(q, 1) == TRUST_DIG)
			save_head(st, sqlite3_column_int64(q, 0), sqlite3_column_blob(q, 1));
		sqlite3_finalize(q);
	}
	sqlite3_finalize(x->last);
	sodium_memzero(x->sk, sizeof x->sk);
	free(x);
	st->trust = NULL;
}

enum jzg_status
trust_attach(struct store *st, char **cause)
{
	static const struct { const char *name; int n, flags; void (*fn)(sqlite3_context *, int, sqlite3_value **); } f[] = {
		{ "trust_dig", -1, SQLITE_DETERMINISTIC, fn_dig }, { "trust_link", 1, 0, fn_link },
		{ "trust_link", 2, 0, fn_link },
		{ "trust_sign", 1, 0, fn_sign }, { "trust_signer", 0, 0, fn_signer },
		{ "trust_aux", 2, SQLITE_DETERMINISTIC, fn_aux },
	};
	struct trust_ctx *x;
	int rc;

	if (sodium_init() < 0)
		return jzg_fail(cause, JZG_ERR_NOMEM, "无法初始化密码库（libsodium）");
	x = xcalloc(1, sizeof *x);
	x->verified = -1;
	st->trust = x;
	st->trust_done = ctx_done;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if ((rc = sqlite3_create_function(st->db, f[i].name, f[i].n, SQLITE_UTF8 | f[i].flags, x, f[i].fn, NULL,
		    NULL)) != SQLITE_OK)
			return jzg_fail(cause, JZG_ERR_DB, "注册防篡改函数失败：%s", sqlite3_errstr(rc));
	return JZG_OK;
}

/* ------------------------------------------------------------ triggers */

/* INSERT of one link for the row new of table t (also after an UPDATE of
 * an operator).  Signed when a key is set: every review and operator row. */
static void
add_link(struct strbuf *b, enum trust_table t, const char *when)
{
	char *cols = trust_cols(t, "new.");
	int signs = t == TRUST_REVIEW || t == TRUST_OPERATOR;

	strbuf_addf(b, "CREATE TEMP TRIGGER \"trust_%s_%s\" AFTER %s ON main.\"%s\" BEGIN "
	    "INSERT INTO chain(tbl, row_id, dig, hash, aux, signer, sig) SELECT %d, new.id, d, trust_link(d), %s, %s, %s "
	    "FROM (SELECT trust_dig(%d, %s) AS d); END;", table_name[t], when[0] == 'I' ? "i" : "u", when, table_name[t],
	    (int)t, t == TRUST_OPERATOR ? "trust_aux(new.role, new.pubkey)" : "NULL",
	    !signs ? "NULL" : t == TRUST_OPERATOR ? "coalesce(trust_signer(), new.id)" : "trust_signer()",
	    signs ? "trust_sign(d)" : "NULL", (int)t, cols);
	free(cols);
}

/* The last row id of each bulk-linked table, noted in x->mark. */
static enum jzg_status
bulk_mark(struct store *st, struct trust_ctx *x, char **cause)
{
	for (int t = TRUST_AUDIT; t <= TRUST_SIGNATURE; t++) {
		char *sql = xasprintf("SELECT ifnull(max(id), 0) FROM main.\"%s\"", table_name[t]);
		sqlite3_stmt *q;
		int ok = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW;

		if (ok)
			x->mark[t] = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		free(sql);
		if (!ok)
			return jzg_fail(cause, JZG_ERR_DB, "读取防篡改记录失败：%s", sqlite3_errmsg(st->db));
	}
	return JZG_OK;
}

/* The statements that link every row of table t after its mark, in id
 * order as link_existing: each link's hash takes the one before. */
static void
bulk_link_sql(struct strbuf *b, const struct trust_ctx *x, int t)
{
	char *cols = trust_cols((enum trust_table)t, "");

	strbuf_addf(b, "INSERT INTO main.chain(tbl, row_id, dig, hash, aux, signer, sig) SELECT %d, id, d, "
	    "trust_link(d, 0), NULL, %s, %s FROM (SELECT id, trust_dig(%d, %s) AS d FROM main.\"%s\" WHERE id > %lld "
	    "ORDER BY id);", t, t == TRUST_REVIEW ? "trust_signer()" : "NULL",
	    t == TRUST_REVIEW ? "trust_sign(d)" : "NULL", t, cols, table_name[t], (long long)x->mark[t]);
	free(cols);
}

enum jzg_status
trust_bulk(struct store *st, int on, char **cause)
{
	struct trust_ctx *x = st->trust;
	struct strbuf b = { 0 };
	enum jzg_status rc;

	if (x == NULL)
		return JZG_OK;
	if (!on && (rc = bulk_mark(st, x, cause)) != JZG_OK)
		return rc;
	for (int t = TRUST_AUDIT; t <= TRUST_SIGNATURE; t++)
		if (!on)
			strbuf_addf(&b, "DROP TRIGGER IF EXISTS temp.\"trust_%s_i\";", table_name[t]);
		else {
			bulk_link_sql(&b, x, t);
			add_link(&b, (enum trust_table)t, "INSERT");
		}
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	return rc;
}

enum jzg_status
trust_bulk_link(struct store *st, char **cause)
{
	struct trust_ctx *x = st->trust;
	struct strbuf b = { 0 };
	enum jzg_status rc;

	if (x == NULL)
		return JZG_OK;
	for (int t = TRUST_AUDIT; t <= TRUST_SIGNATURE; t++)
		bulk_link_sql(&b, x, t);
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	return rc == JZG_OK ? bulk_mark(st, x, cause) : rc;
}

void
trust_trigger_sql(struct strbuf *b)
{
	for (int t = TRUST_AUDIT; t <= TRUST_OPERATOR; t++)
		add_link(b, (enum trust_table)t, "INSERT");
	add_link(b, TRUST_OPERATOR, "UPDATE");
}

/* ------------------------------------------------------------ keys */

void
trust_set_key(struct store *st, sqlite3_int64 signer, const unsigned char *sk)
{
	struct trust_ctx *x = st->trust;

	if (x == NULL)
		return;
	x->signer = signer;
	x->has_key = sk != NULL;
	if (sk != NULL)
		memcpy(x->sk, sk, sizeof x->sk);
	else
		sodium_memzero(x->sk, sizeof x->sk);
}

enum jzg_status
trust_keypair(const char *password, const unsigned char salt[TRUST_SALT_BYTES], int fast,
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], unsigned char sk[crypto_sign_SECRETKEYBYTES], char **cause)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	int rc;

	if (sodium_init() < 0)
		return jzg_fail(cause, JZG_ERR_NOMEM, "无法初始化密码库（libsodium）");
	/* crypto_pwhash_SALTBYTES is 16, the salt stored with the operator */
	if (crypto_pwhash(seed, sizeof seed, password, strlen(password), salt,
	    fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return jzg_fail(cause, JZG_ERR_NOMEM, "计算签名密钥时内存不足");
	rc = crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return rc == 0 ? JZG_OK : jzg_fail(cause, JZG_ERR_NOMEM, "无法生成签名密钥");
}

int
trust_operator_intact(struct store *st, sqlite3_int64 id, char **cause)
{
	char *cols = trust_cols(TRUST_OPERATOR, "o."), *sql;
	sqlite3_stmt *q;
	int ok = -1;

	/* a file made before schema 7 links its operators at migration */
	sql = xasprintf("SELECT trust_dig(4, %s) = c.dig, o.name FROM operator o JOIN chain c ON c.tbl = 4 AND c.row_id = o.id "
	    "WHERE o.id = ?1 AND c.seq = (SELECT max(seq) FROM chain WHERE tbl = 4 AND row_id = ?1)", cols);
	free(cols);
	if (store_prepare(st, sql, &q, NULL) == JZG_OK) {
		sqlite3_bind_int64(q, 1, id);
		if (sqlite3_step(q) == SQLITE_ROW) {
			ok = sqlite3_column_int(q, 0) ? 0 : -1;
			if (ok < 0)
				jzg_fail(cause, JZG_ERR_INVALID, "账号 %s 的记录在 jzg 之外被改动（角色、学校或密码），已拒绝登录；"
				    "请管理员运行 jzg --db 文件 verify 查看", sqlite3_column_text(q, 1));
		} else if (store_int(st->db, "SELECT count(*) FROM meta WHERE key = 'trust_unchained'", &ok) == SQLITE_OK && ok)
			ok = 0;   /* one school of a file of several: no chain came with it */
		else {
			ok = -1;
			jzg_fail(cause, JZG_ERR_INVALID, "账号不是由 jzg 创建的（没有防篡改记录），已拒绝登录；请管理员运行 jzg verify 查看");
		}
		sqlite3_finalize(q);
	}
	free(sql);
	return ok;
}

/* ------------------------------------------------------------ on open */

/* Link every row of a file just migrated to schema 7, table by table in
 * id order; those links are unsigned (nobody's key was known). */
static enum jzg_status
link_existing(struct store *st, long *n, char **cause)
{
	enum jzg_status rc = JZG_OK;

	for (int t = TRUST_AUDIT; t <= TRUST_OPERATOR && rc == JZG_OK; t++) {
		char *cols = trust_cols((enum trust_table)t, ""), *sql;

		/* signer 0: linked at migration (trust_verify tells these apart) */
		sql = xasprintf("INSERT INTO main.chain(tbl, row_id, dig, hash, aux, signer) SELECT %d, id, d, trust_link(d), aux, 0 FROM "
		    "(SELECT id, trust_dig(%d, %s) AS d, %s AS aux FROM main.\"%s\" ORDER BY id)", t, t, cols,
		    t == TRUST_OPERATOR ? "trust_aux(role, pubkey)" : "NULL", table_name[t]);
		rc = store_exec(st, sql, cause);
		*n += sqlite3_changes(st->db);
		free(sql);
		free(cols);
	}
	return rc;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int
unhex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Keep text in the trail as an alarm row (set "trust"), once, with its
 * link written here: the triggers are not armed yet. */
static void
alarm(struct store *st, const char *text)
{
	char *cols = trust_cols(TRUST_AUDIT, ""), *sql;
	sqlite3_stmt *q;
	int have = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM audit WHERE staff_id IS NULL AND set_name = 'trust' AND new = ?1",
	    -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			have = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	if (!have) {
		char *t = sqlite3_mprintf("%Q", text);

		sql = xasprintf("BEGIN IMMEDIATE;INSERT INTO audit(path, set_name, op, new) VALUES('check', 'trust', 'alarm', %s);"
		    "INSERT INTO chain(tbl, row_id, dig, hash) SELECT 1, id, d, trust_link(d) FROM (SELECT id, trust_dig(1, %s) "
		    "AS d FROM audit WHERE id = last_insert_rowid());COMMIT", t, cols);
		sqlite3_free(t);
		if (store_exec(st, sql, NULL) != JZG_OK)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		free(sql);
	}
	free(cols);
}

static void
save_head(struct store *st, sqlite3_int64 seq, const unsigned char *hash)
{
	char h[2 * TRUST_DIG + 1], *sql;

	hex(hash, TRUST_DIG, h);
	sql = xasprintf("INSERT OR REPLACE INTO main.meta VALUES('trust_head', '%lld %s')", (long long)seq, h);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	free(sql);
}

struct notice_acc { struct strbuf b; int findings; };

static void
open_cb(int finding, const char *text, void *arg)
{
	struct notice_acc *n = arg;

	if (!finding)
		return;
	if (n->findings++ == 0)
		strbuf_addf(&n->b, "%s%s", n->b.len ? "\n" : "", text);
}

enum jzg_status
trust_open(struct store *st, char **notice, char **cause)
{
	struct notice_acc acc = { { 0 }, 0 };
	struct trust_result res = { 0, 0 };
	struct trust_walk_out out = { 0, { 0 }, 0 };
	unsigned char head[TRUST_DIG] = { 0 };
	sqlite3_int64 from = 0;
	sqlite3_stmt *q;
	enum jzg_status rc = JZG_OK;
	struct strbuf fix = { 0 };
	int guards = 0, built = 0, salt = 0;
	long linked = 0;

	*notice = NULL;
	/* the persistent guards: dropped outside jzg, they come back */
	store_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN ('audit_no_update', "
	    "'audit_no_delete', 'chain_no_update', 'chain_no_delete')", &guards);
	store_int(st->db, "SELECT count(*) FROM pragma_table_info('operator') WHERE name = 'salt'", &salt);
	if (!salt)
		strbuf_adds(&fix, TRUST_OPERATOR_COLUMNS);
	if (guards < TRUST_GUARD_COUNT) {
		strbuf_adds(&fix, TRUST_GUARDS);
		strbuf_addf(&acc.b, "审计记录的保护触发器有 %d 个被删除（在 jzg 之外），已重建；记录可能被改动，请运行 jzg verify 检查",
		    TRUST_GUARD_COUNT - guards);
	}
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'trust_head'", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(q, 0);
			long long s;

			built = 1;
			if (v != NULL && sscanf(v, "%lld", &s) == 1 && strchr(v, ' ') && unhex(strchr(v, ' ') + 1, head, TRUST_DIG) == 0)
				from = s;
		}
		sqlite3_finalize(q);
	}
	if (fix.s != NULL || !built) {
		rc = store_exec(st, "BEGIN IMMEDIATE", cause);
		if (rc == JZG_OK && fix.s != NULL)
			rc = store_exec(st, fix.s, cause);
		/* only a file that was below schema 7 when this open began: a
		 * chain emptied by hand is not rebuilt over what it protected */
		if (rc == JZG_OK && !built && st->opened_version < 7 && (rc = link_existing(st, &linked, cause)) == JZG_OK &&
		    linked > 0)
			strbuf_addf(&acc.b, "%s已为文件中的 %ld 条修改、审核、签字和操作员记录建立防篡改散列链（只此一次）；此前的审核没有签名",
			    acc.b.len ? "\n" : "", linked);
		if (rc == JZG_OK && !built)
			rc = store_exec(st, "INSERT OR REPLACE INTO meta VALUES('trust_head', '0')", cause);
		if (rc == JZG_OK)
			rc = store_exec(st, "COMMIT", cause);
		else
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	strbuf_free(&fix);
	if (rc != JZG_OK) {
		strbuf_free(&acc.b);
		return rc;
	}
	rc = trust_walk(st, "main", from, from ? head : NULL, 0, open_cb, &acc, &res, &out, cause);
	if (rc == JZG_OK && res.findings > 0)
		strbuf_addf(&acc.b, "（共 %d 处）：文件在 jzg 之外被改动，请运行 jzg --db %s verify 查看全部", res.findings, st->path);
	/* what was found stays in the trail, linked: the county sees it at
	 * merge even after the guards are back (trust_merge_check) */
	if (rc == JZG_OK && (res.findings > 0 || guards < TRUST_GUARD_COUNT))
		alarm(st, acc.b.s);
	/* Remember how far the chain holds: what jzg itself linked is saved
	 * when the store closes (ctx_done); links from elsewhere (another
	 * build, a crash) are saved here once there are 200 (a link costs
	 * about 19,000 instructions to check, saving costs a write).  Never
	 * past a finding: it is told on every open. */
	if (rc == JZG_OK && res.findings == 0) {
		((struct trust_ctx *)st->trust)->verified = out.head_seq;
		((struct trust_ctx *)st->trust)->written = 0;
		if (out.links > 200)
			save_head(st, out.head_seq, out.head_hash);
	}
	if (acc.b.len > 0)
		*notice = strbuf_take(&acc.b);
	strbuf_free(&acc.b);
	return rc;
}
