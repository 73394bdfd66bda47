/* audit.c — see audit.h. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "trust.h"
#include "util.h"

struct audit_ctx {
	char *actor;
	char *path;
	int   county;
	int   on;
	int   armed;  /* triggers exist on this connection */
	char *notice; /* what trust_open found on this open, or NULL */
};

static void
fn_on(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct audit_ctx *x = sqlite3_user_data(c);

	(void)argc; (void)argv;
	sqlite3_result_int(c, x->on);
}

static void
fn_who(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct audit_ctx *x = sqlite3_user_data(c);

	(void)argc; (void)argv;
	if (x->actor != NULL)
		sqlite3_result_text(c, x->actor, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(c);
}

static void
fn_path(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct audit_ctx *x = sqlite3_user_data(c);

	(void)argc; (void)argv;
	sqlite3_result_text(c, x->path, -1, SQLITE_TRANSIENT);
}

static void
fn_county(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct audit_ctx *x = sqlite3_user_data(c);

	(void)argc; (void)argv;
	sqlite3_result_int(c, x->county);
}

static void
ctx_free(void *p)
{
	struct audit_ctx *x = p;

	free(x->actor);
	free(x->path);
	free(x->notice);
	free(x);
}

/* Register the audit functions on st->db and hang the session context on
 * st->audit (freed with the connection). */
static enum jzg_status
audit_attach(struct store *st, char **cause)
{
	struct audit_ctx *x = xcalloc(1, sizeof *x);
	int rc;

	x->path = xstrdup(AUDIT_PATH_CLIENT);
	x->on = 1;
	/* Only the first registration owns the context (xDestroy runs once,
	 * when the connection closes). */
	rc = sqlite3_create_function_v2(st->db, "audit_on", 0, SQLITE_UTF8, x, fn_on, NULL, NULL, ctx_free);
	if (rc != SQLITE_OK) {
		ctx_free(x);
		return jzg_fail(cause, JZG_ERR_DB, "注册审计函数失败：%s", sqlite3_errstr(rc));
	}
	st->audit = x;
	if ((rc = sqlite3_create_function(st->db, "audit_who", 0, SQLITE_UTF8, x, fn_who, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_create_function(st->db, "audit_path", 0, SQLITE_UTF8, x, fn_path, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_create_function(st->db, "audit_county", 0, SQLITE_UTF8, x, fn_county, NULL, NULL)) != SQLITE_OK)
		return jzg_fail(cause, JZG_ERR_DB, "注册审计函数失败：%s", sqlite3_errstr(rc));
	return trust_attach(st, cause);
}

void
audit_set(struct store *st, const char *actor, int county, const char *path)
{
	struct audit_ctx *x = st->audit;

	if (x == NULL)
		return;
	free(x->actor);
	free(x->path);
	x->actor = xstrdup(actor);
	x->path = xstrdup(path ? path : AUDIT_PATH_CLIENT);
	x->county = county;
}

const char *
audit_notice(const struct store *st)
{
	const struct audit_ctx *x = st->audit;

	return x ? x->notice : NULL;
}

const char *
audit_actor(const struct store *st)
{
	const struct audit_ctx *x = st->audit;

	return x ? x->actor : NULL;
}

char *
audit_set_path(struct store *st, const char *path)
{
	struct audit_ctx *x = st->audit;
	char *old;

	if (x == NULL)
		return NULL;
	old = x->path;
	x->path = xstrdup(path ? path : AUDIT_PATH_CLIENT);
	return old;
}

void
audit_enable(struct store *st, int on)
{
	struct audit_ctx *x = st->audit;

	if (x != NULL)
		x->on = on;
}

const char *
audit_path_label(const char *path)
{
	static const struct { const char *path, *label; } l[] = {
		{ AUDIT_PATH_CLIENT, "录入界面" }, { AUDIT_PATH_IMPORT, "导入" },
		{ AUDIT_PATH_MERGE, "合并" }, { AUDIT_PATH_CLI, "命令行" }, { AUDIT_PATH_DEMO, "演示数据" },
		{ AUDIT_PATH_CHECK, "打开时检查" },
		{ AUDIT_PATH_REKEY, "二次录入核对" },
	};

	for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
		if (str_eq(path, l[i].path))
			return l[i].label;
	return path ? path : "";
}

char *
audit_rekey_text(const struct audit_row *r)
{
	return xasprintf("二次录入核对：第一次 %s，%s", r->old_value ? r->old_value : "（空）",
	    r->new_value ? r->new_value : "");
}

char *
audit_insert_text(const struct audit_row *r)
{
	if (r->field == NULL || r->new_value == NULL)
		return xstrdup("新增");
	if (str_eq(r->set_name, "staff") && str_eq(r->field, "file"))   /* merge.c */
		return xasprintf("新增（合并自 %s）", r->new_value);
	if (str_eq(r->set_name, "signature") && str_eq(r->field, "code"))
		return xasprintf("新增（校验码 %s）", r->new_value);
	if (str_eq(r->set_name, "photo"))
		return xasprintf("新增 照片：%s", r->new_value);
	return xasprintf("新增 %s：%s", r->field, r->new_value);
}

/* ------------------------------------------------------------ triggers */

#define LOCK_MESSAGE "此人已审核，数据已锁定；如需修改，请由管理员解锁（jzg unlock --staff 身份证件号 --reason 理由）"

/* Who and how, for the INSERT … SELECT of every trigger; p is "new" or
 * "old" (the row that names the person). */
static void
add_actor_cols(struct strbuf *b, const char *p)
{
	strbuf_addf(b, "audit_who(), audit_path(), CASE WHEN audit_county() THEN (SELECT sc.code FROM staff sf "
	    "JOIN school sc ON sc.id = sf.school_id WHERE sf.id = %s.staff_id) END", p);
}

static void
add_lock(struct strbuf *b, const char *p, const char *extra)
{
	strbuf_addf(b, "SELECT RAISE(ABORT, '" LOCK_MESSAGE "') FROM staff WHERE id = %s.staff_id "
	    "AND state IN ('approved','signed')%s;", p, extra ? extra : "");
}

/* The changed fields of one UPDATE as rows (f, o, n). */
static void
add_changes(struct strbuf *b, const struct set_def *s)
{
	strbuf_adds(b, "(");
	for (size_t j = 0; j < s->nfield; j++) {
		const char *n = s->field[j].v[FC_NAME];

		strbuf_addf(b, "%sSELECT '%s'%s, old.\"%s\"%s, new.\"%s\"%s", j ? " UNION ALL " : "", n,
		    j ? "" : " AS f", n, j ? "" : " AS o", n, j ? "" : " AS n");
	}
	strbuf_adds(b, ")");
}

/* The three triggers of one s_<set> table, as (name, sql) pairs. */
static void
set_triggers(const struct set_def *s, char *name[3], char *sql[3])
{
	const char *set = s->v[SC_NAME];
	const char *key = s->many ? "id" : "staff_id";
	struct strbuf b = { 0 }, ch = { 0 };

	add_changes(&ch, s);

	name[0] = xasprintf("audit_s_%s_i", set);
	strbuf_addf(&b, "CREATE TEMP TRIGGER \"%s\" AFTER INSERT ON \"s_%s\" WHEN audit_on() BEGIN ", name[0], set);
	add_lock(&b, "new", NULL);
	/* the values the row was made with (a JSON object in new): jzg verify
	 * replays the trail and names any value changed outside jzg (trust.h) */
	strbuf_adds(&b, "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,new) SELECT ");
	add_actor_cols(&b, "new");
	strbuf_addf(&b, ", new.staff_id, '%s', new.%s, 'insert', ", set, key);
	/* a function takes at most 127 arguments: 60 fields per object, the
	 * objects joined by json_patch */
	for (size_t j = 60; j < s->nfield; j += 60)
		strbuf_adds(&b, "json_patch(");
	for (size_t j = 0; j < s->nfield; j++)
		strbuf_addf(&b, "%s'%s', new.\"%s\"", j == 0 ? "json_object(" : j % 60 != 0 ? ", " :
		    j == 60 ? "), json_object(" : ")), json_object(", s->field[j].v[FC_NAME], s->field[j].v[FC_NAME]);
	if (s->nfield > 60)
		strbuf_adds(&b, ")");
	strbuf_adds(&b, s->nfield ? ");" : "NULL;");
	strbuf_adds(&b, "DELETE FROM check_cache WHERE staff_id = new.staff_id; END");
	sql[0] = strbuf_take(&b);

	name[1] = xasprintf("audit_s_%s_u", set);
	strbuf_addf(&b, "CREATE TEMP TRIGGER \"%s\" AFTER UPDATE ON \"s_%s\" WHEN audit_on() BEGIN ", name[1], set);
	{
		/* an UPDATE that changes nothing (recalculating a derived value
		 * to the same) passes a locked record; an OR chain parses in a
		 * fraction of the time of the changes subquery (the client
		 * creates these triggers on every start) */
		struct strbuf any = { 0 };

		strbuf_adds(&any, " AND (");
		for (size_t j = 0; j < s->nfield; j++)
			strbuf_addf(&any, "%sold.\"%s\" IS NOT new.\"%s\"", j ? " OR " : "", s->field[j].v[FC_NAME],
			    s->field[j].v[FC_NAME]);
		strbuf_adds(&any, ")");
		add_lock(&b, "new", any.s);
		strbuf_free(&any);
	}
	strbuf_adds(&b, "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old,new) SELECT ");
	add_actor_cols(&b, "new");
	strbuf_addf(&b, ", new.staff_id, '%s', new.%s, 'update', f, o, n FROM %s WHERE o IS NOT n;"
	    "DELETE FROM check_cache WHERE staff_id = new.staff_id; END", set, key, ch.s);
	sql[1] = strbuf_take(&b);

	name[2] = xasprintf("audit_s_%s_d", set);
	strbuf_addf(&b, "CREATE TEMP TRIGGER \"%s\" AFTER DELETE ON \"s_%s\" WHEN audit_on() BEGIN ", name[2], set);
	add_lock(&b, "old", NULL);
	strbuf_adds(&b, "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op) SELECT ");
	add_actor_cols(&b, "old");
	strbuf_addf(&b, ", old.staff_id, '%s', old.%s, 'delete';"
	    "DELETE FROM check_cache WHERE staff_id = old.staff_id; END", set, key);
	sql[2] = strbuf_take(&b);
	strbuf_free(&ch);
}

/* The photo triggers' parts (p: "new" or "old"): the lock of an approved
 * person, who and how, and what the trail keeps of a photo ("<SHA-256>
 * 12345 字节 307×378"). */
#define PHOTO_LOCK(p) "SELECT RAISE(ABORT, '" LOCK_MESSAGE "') FROM staff WHERE id = " p ".staff_id " \
	"AND state IN ('approved','signed');"
#define PHOTO_WHO(p) "audit_who(), audit_path(), CASE WHEN audit_county() THEN (SELECT sc.code FROM staff sf " \
	"JOIN school sc ON sc.id = sf.school_id WHERE sf.id = " p ".staff_id) END"
#define PHOTO_DESC(p) p ".hash || ' ' || " p ".bytes || ' 字节 ' || " p ".width || '×' || " p ".height"

/* What a discrepancy of double-entry verification says in the trail's new
 * column (op 'rekey', old = the first keying): the second keying and the
 * decision. */
#define REKEY_DESC "'第二次 ' || ifnull(new.second, '（空）') || '，判定：' || CASE new.decision " \
	"WHEN 'first' THEN '第一次正确' WHEN 'second' THEN '第二次正确' " \
	"ELSE '重新录入为 ' || ifnull(new.final, '（空）') END || CASE WHEN new.source <> 'verify' " \
	"THEN '（比对 ' || substr(new.source, 9) || '）' ELSE '' END"

/* Triggers on the fixed tables (staff, explanation, signature, photo,
 * rekey_field). */
static const char *const fixed_trigger[][2] = {
	{ "audit_staff_i", "CREATE TEMP TRIGGER \"audit_staff_i\" AFTER INSERT ON staff WHEN audit_on() BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op) SELECT audit_who(), audit_path(), "
	    "CASE WHEN audit_county() THEN (SELECT code FROM school WHERE id = new.school_id) END, "
	    "new.id, 'staff', new.id, 'insert'; END" },
	{ "audit_staff_d", "CREATE TEMP TRIGGER \"audit_staff_d\" BEFORE DELETE ON staff WHEN audit_on() BEGIN "
	    "SELECT RAISE(ABORT, '" LOCK_MESSAGE "') WHERE old.state IN ('approved','signed');"
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op) SELECT audit_who(), audit_path(), "
	    "CASE WHEN audit_county() THEN (SELECT code FROM school WHERE id = old.school_id) END, "
	    "old.id, 'staff', old.id, 'delete'; END" },
	{ "audit_staff_u", "CREATE TEMP TRIGGER \"audit_staff_u\" AFTER UPDATE OF state, school_id ON staff "
	    "WHEN audit_on() BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old,new) SELECT audit_who(), "
	    "audit_path(), CASE WHEN audit_county() THEN (SELECT code FROM school WHERE id = new.school_id) END, "
	    "new.id, 'staff', new.id, 'update', f, o, n FROM (SELECT 'state' AS f, old.state AS o, new.state AS n "
	    "UNION ALL SELECT 'school_id', old.school_id, new.school_id) WHERE o IS NOT n; END" },
	{ "audit_explanation_i", "CREATE TEMP TRIGGER \"audit_explanation_i\" AFTER INSERT ON explanation "
	    "WHEN audit_on() BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,new) SELECT audit_who(), "
	    "audit_path(), NULL, new.staff_id, 'explanation', new.row_key, 'insert', new.rule, new.reason;"
	    "DELETE FROM check_cache WHERE staff_id = new.staff_id; END" },
	{ "audit_explanation_u", "CREATE TEMP TRIGGER \"audit_explanation_u\" AFTER UPDATE ON explanation "
	    "WHEN audit_on() BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old,new) SELECT audit_who(), "
	    "audit_path(), NULL, new.staff_id, 'explanation', new.row_key, 'update', new.rule, old.reason, "
	    "new.reason; DELETE FROM check_cache WHERE staff_id = new.staff_id; END" },
	{ "audit_explanation_d", "CREATE TEMP TRIGGER \"audit_explanation_d\" AFTER DELETE ON explanation "
	    "WHEN audit_on() BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old) SELECT audit_who(), "
	    "audit_path(), NULL, old.staff_id, 'explanation', old.row_key, 'delete', old.rule, old.reason;"
	    "DELETE FROM check_cache WHERE staff_id = old.staff_id; END" },
	{ "audit_signature_i", "CREATE TEMP TRIGGER \"audit_signature_i\" AFTER INSERT ON signature "
	    "WHEN audit_on() BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,new) SELECT audit_who(), "
	    "audit_path(), NULL, new.staff_id, 'signature', new.id, 'insert', 'code', new.code; END" },
	/* the photo: its hash, size and pixels, never its bytes (photo.h) */
	{ "audit_photo_i", "CREATE TEMP TRIGGER \"audit_photo_i\" AFTER INSERT ON photo WHEN audit_on() BEGIN "
	    PHOTO_LOCK("new") "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,new) SELECT "
	    PHOTO_WHO("new") ", new.staff_id, 'photo', new.staff_id, 'insert', 'hash', " PHOTO_DESC("new") ";"
	    "DELETE FROM check_cache WHERE staff_id = new.staff_id; END" },
	{ "audit_photo_u", "CREATE TEMP TRIGGER \"audit_photo_u\" AFTER UPDATE ON photo WHEN audit_on() BEGIN "
	    PHOTO_LOCK("new") "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old,new) SELECT "
	    PHOTO_WHO("new") ", new.staff_id, 'photo', new.staff_id, 'update', 'hash', " PHOTO_DESC("old") ", "
	    PHOTO_DESC("new") " WHERE old.hash IS NOT new.hash;"
	    "DELETE FROM check_cache WHERE staff_id = new.staff_id; END" },
	{ "audit_photo_d", "CREATE TEMP TRIGGER \"audit_photo_d\" AFTER DELETE ON photo WHEN audit_on() BEGIN "
	    PHOTO_LOCK("old") "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old) SELECT "
	    PHOTO_WHO("old") ", old.staff_id, 'photo', old.staff_id, 'delete', 'hash', " PHOTO_DESC("old") ";"
	    "DELETE FROM check_cache WHERE staff_id = old.staff_id; END" },
	/* a discrepancy of double-entry verification and its decision, under
	 * the field it concerns (its history shows it); fields keyed the same
	 * twice are only counted (rekey_field) */
	{ "audit_rekey_field_i", "CREATE TEMP TRIGGER \"audit_rekey_field_i\" AFTER INSERT ON rekey_field "
	    "WHEN audit_on() AND new.decision <> 'same' BEGIN "
	    "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old,new) SELECT "
	    PHOTO_WHO("new") ", new.staff_id, new.set_name, new.row_id, 'rekey', new.field, new.first, "
	    REKEY_DESC "; END" },
};

/* Bump when the generated trigger text changes meaning. */
#define AUDIT_TRIGGER_VERSION 4ull

static void
add_drop(struct strbuf *drop, const char *names, const char *name)
{
	char *key = xasprintf("|%s|", name);

	if (strstr(names, key) != NULL)
		strbuf_addf(drop, "DROP TRIGGER main.\"%s\";", name);
	free(key);
}

/* The CREATE TEMP TRIGGER statements of st's definitions into b and, into
 * drop (when not NULL), DROPs of the persistent triggers of the same names
 * that exist (names, "|name|…|", from the file's schema). */
static void
trigger_sql(const struct store *st, struct strbuf *b, struct strbuf *drop, const char *names)
{
	for (size_t i = 0; i < sizeof fixed_trigger / sizeof fixed_trigger[0]; i++) {
		strbuf_addf(b, "%s;", fixed_trigger[i][1]);
		if (drop != NULL)
			add_drop(drop, names, fixed_trigger[i][0]);
	}
	for (size_t i = 0; i < st->defs->nall; i++) {
		char *name[3], *tsql[3];

		set_triggers(&st->defs->all[i], name, tsql);
		for (int k = 0; k < 3; k++) {
			strbuf_addf(b, "%s;", tsql[k]);
			if (drop != NULL)
				add_drop(drop, names, name[k]);
			free(name[k]);
			free(tsql[k]);
		}
	}
}

/* Repairs and the check cache's fingerprint (see audit_arm in audit.h). */
static enum jzg_status
audit_prepare(struct store *st, char **cause)
{
	struct strbuf b = { 0 }, fix = { 0 };
	enum jzg_status rc = JZG_OK;
	char fp[17];
	sqlite3_stmt *q;
	int same = 0, has_sig;

	/* The digest of the definitions, with the trigger text's version: a
	 * change of either may change check results. */
	snprintf(fp, sizeof fp, "%016llx", defs_digest(st->defs) ^ AUDIT_TRIGGER_VERSION);
	/* Persistent triggers of the same names were written by a development
	 * build; they would fire twice and lock out every other SQLite tool.
	 * (The file's own persistent triggers, such as the audit table's
	 * append-only guard, have other names.) */
	if (sqlite3_prepare_v2(st->db, "SELECT '|' || group_concat(name, '|') || '|' FROM sqlite_schema "
	    "WHERE type = 'trigger'", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
			trigger_sql(st, &b, &fix, (const char *)sqlite3_column_text(q, 0));
			strbuf_free(&b);
		}
		sqlite3_finalize(q);
	}
	/* check_cache is only a cache: a file written by a development build of
	 * schema 4 without its last column gets it rebuilt. */
	if (store_int(st->db, "SELECT count(*) FROM pragma_table_info('check_cache') WHERE name = 'sig'", &has_sig) ==
	    SQLITE_OK && !has_sig)
		strbuf_adds(&fix, "DROP TABLE IF EXISTS check_cache;CREATE TABLE check_cache("
		    "staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,"
		    "errors INTEGER NOT NULL, warnings INTEGER NOT NULL, sig INTEGER NOT NULL DEFAULT 0);");
	if (sqlite3_prepare_v2(st->db, "SELECT value = ? FROM meta WHERE key = 'check_cache_defs'", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(q, 1, fp, -1, SQLITE_STATIC);
		same = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	/* Nothing to repair and the same definitions as last time: no write, so
	 * opening a file never costs a sync to disk. */
	if (fix.s == NULL && same)
		return JZG_OK;
	{
		/* When the definitions change, the cached check results may no
		 * longer hold. */
		char *sql = xasprintf("BEGIN IMMEDIATE;%sDELETE FROM check_cache WHERE (SELECT value FROM meta WHERE key = "
		    "'check_cache_defs') IS NOT '%s';INSERT OR REPLACE INTO meta VALUES('check_cache_defs', '%s');COMMIT;",
		    fix.s ? fix.s : "", fp, fp);

		rc = store_exec(st, sql, cause);
		if (rc != JZG_OK)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		free(sql);
	}
	strbuf_free(&fix);
	return rc;
}

enum jzg_status
audit_arm(struct store *st, char **cause)
{
	struct audit_ctx *x = st->audit;
	struct strbuf b = { 0 };
	enum jzg_status rc;

	if (x->armed)
		return JZG_OK;
	/* the guard would refuse the INSERTs inside the triggers' bodies too */
	store_guard(st, 0);
	trigger_sql(st, &b, NULL, NULL);
	trust_trigger_sql(&b);
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	if (rc != JZG_OK)
		store_guard(st, 1);
	else
		x->armed = 1;
	return rc;
}

int
audit_armed(const struct store *st)
{
	const struct audit_ctx *x = st->audit;

	return x != NULL && x->armed;
}

enum jzg_status
audit_open(const char *path, const struct defs *defs, unsigned flags, struct store **out,
    char **cause)
{
	struct store *st;
	enum jzg_status s;

	*out = NULL;
	if ((s = store_open(path, defs, flags & ~(unsigned)AUDIT_LATE, &st, cause)) != JZG_OK)
		return s;
	if ((s = audit_attach(st, cause)) == JZG_OK && !(flags & STORE_READONLY)) {
		store_guard(st, 0);
		s = audit_prepare(st, cause);
		/* values keyed with older definitions (forms/renames.tsv), before
		 * anything reads them; a file that cannot be migrated is refused */
		if (s == JZG_OK)
			s = migrate_file(st, cause);
		if (s == JZG_OK)
			s = trust_open(st, &((struct audit_ctx *)st->audit)->notice, cause);
		store_guard(st, 1);
		if (s == JZG_OK && !(flags & AUDIT_LATE))
			s = audit_arm(st, cause);
	}
	if (s != JZG_OK) {
		store_close(st);
		return s;
	}
	*out = st;
	return JZG_OK;
}

/* The INSERT triggers, dropped (on = 0) or created again (on = 1). */
static enum jzg_status
insert_triggers(struct store *st, int on, char **cause)
{
	struct strbuf b = { 0 };
	enum jzg_status rc;

	for (size_t i = 0; i < sizeof fixed_trigger / sizeof fixed_trigger[0]; i++) {
		const char *name = fixed_trigger[i][0];

		if (strcmp(name + strlen(name) - 2, "_i") != 0)
			continue;
		if (on)
			strbuf_addf(&b, "%s;", fixed_trigger[i][1]);
		else
			strbuf_addf(&b, "DROP TRIGGER IF EXISTS temp.\"%s\";", name);
	}
	for (size_t i = 0; i < st->defs->nall; i++) {
		char *name[3], *tsql[3];

		set_triggers(&st->defs->all[i], name, tsql);
		if (on)
			strbuf_addf(&b, "%s;", tsql[0]);
		else
			strbuf_addf(&b, "DROP TRIGGER IF EXISTS temp.\"%s\";", name[0]);
		for (int k = 0; k < 3; k++) {
			free(name[k]);
			free(tsql[k]);
		}
	}
	rc = store_exec(st, b.s, cause);
	strbuf_free(&b);
	/* the chain's links of the rows written meanwhile, then its triggers */
	if (rc == JZG_OK && audit_armed(st))
		rc = trust_bulk(st, on, cause);
	return rc;
}

enum jzg_status
audit_bulk_begin(struct store *st, char **cause)
{
	if (sqlite3_get_autocommit(st->db))
		return jzg_fail(cause, JZG_ERR_DB, "内部错误：批量写入须在事务中进行（审计触发器）");
	return insert_triggers(st, 0, cause);
}

enum jzg_status
audit_bulk_end(struct store *st, char **cause)
{
	return insert_triggers(st, 1, cause);
}

enum jzg_status
audit_bulk_link(struct store *st, char **cause)
{
	return audit_armed(st) ? trust_bulk_link(st, cause) : JZG_OK;
}

enum jzg_status
audit_write(struct store *st, const struct audit_note *n, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;
	int r;

	if ((rc = store_prepare(st, "INSERT INTO audit(actor,path,behalf,staff_id,set_name,row_id,op,field,old,new) "
	    "VALUES(audit_who(), audit_path(), CASE WHEN audit_county() THEN (SELECT sc.code FROM staff sf JOIN school sc "
	    "ON sc.id = sf.school_id WHERE sf.id = ?1) END, ?1, ?2, ?3, ?4, ?5, ?6, ?7)", &q, cause)) != JZG_OK)
		return rc;
	if (n->staff_id != 0)
		sqlite3_bind_int64(q, 1, n->staff_id);
	sqlite3_bind_text(q, 2, n->set_name, -1, SQLITE_STATIC);
	if (n->row_id != 0)
		sqlite3_bind_int64(q, 3, n->row_id);
	sqlite3_bind_text(q, 4, n->op, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, n->field, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, n->old_value, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, n->new_value, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? JZG_OK : jzg_fail(cause, JZG_ERR_DB, "无法写入修改记录：%s", store_errstr(r));
}

/* ------------------------------------------------------------ reading */

enum jzg_status
audit_log(struct store *st, const struct audit_filter *f, audit_cb cb, void *arg, char **cause)
{
	sqlite3_int64 staff_id = f->staff_id;
	const char *since = f->since, *set_name = f->set_name, *field = f->field;
	const struct defs *d = st->defs;
	struct strbuf b = { 0 };
	sqlite3_stmt *q;
	enum jzg_status rc;
	int r;

	/* Only the filters given are in the statement: "?1 = 0 OR staff_id =
	 * ?1" would make SQLite scan the whole trail -- about one row per
	 * value ever keyed, hundreds per person -- where the client's field
	 * history asks for one person (audit_staff). */
	strbuf_addf(&b, "SELECT a.id, a.at, a.actor, a.path, a.behalf, a.staff_id, "
	    "(SELECT p.\"%s\" || ' ' || ifnull(p.\"%s\", '') FROM \"s_%s\" p WHERE p.staff_id = a.staff_id), "
	    "a.set_name, a.row_id, a.op, a.field, a.old, a.new FROM audit a WHERE 1",
	    d->setting[SK_PERSON_NAME], d->setting[SK_PERSON_ID], d->setting[SK_PERSON_SET]);
	if (staff_id != 0)
		strbuf_adds(&b, " AND a.staff_id = ?1");
	if (since != NULL)
		strbuf_adds(&b, " AND a.at >= ?2");
	if (set_name != NULL)
		strbuf_adds(&b, " AND a.set_name = ?3");
	if (field != NULL)
		strbuf_adds(&b, " AND a.field = ?4");
	if (f->school_id != 0)
		strbuf_adds(&b, " AND a.staff_id IN (SELECT id FROM staff WHERE school_id = ?5)");
	strbuf_adds(&b, " ORDER BY a.id");
	rc = store_prepare(st, b.s, &q, cause);
	strbuf_free(&b);
	if (rc != JZG_OK)
		return rc;
	if (staff_id != 0)
		sqlite3_bind_int64(q, 1, staff_id);
	if (since != NULL)
		sqlite3_bind_text(q, 2, since, -1, SQLITE_STATIC);
	if (set_name != NULL)
		sqlite3_bind_text(q, 3, set_name, -1, SQLITE_STATIC);
	if (field != NULL)
		sqlite3_bind_text(q, 4, field, -1, SQLITE_STATIC);
	if (f->school_id != 0)
		sqlite3_bind_int64(q, 5, f->school_id);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct audit_row a = {
			.id = sqlite3_column_int64(q, 0),
			.at = (const char *)sqlite3_column_text(q, 1),
			.actor = (const char *)sqlite3_column_text(q, 2),
			.path = (const char *)sqlite3_column_text(q, 3),
			.behalf = (const char *)sqlite3_column_text(q, 4),
			.staff_id = sqlite3_column_int64(q, 5),
			.person = (const char *)sqlite3_column_text(q, 6),
			.set_name = (const char *)sqlite3_column_text(q, 7),
			.row_id = sqlite3_column_int64(q, 8),
			.op = (const char *)sqlite3_column_text(q, 9),
			.field = (const char *)sqlite3_column_text(q, 10),
			.old_value = (const char *)sqlite3_column_text(q, 11),
			.new_value = (const char *)sqlite3_column_text(q, 12),
		};

		if (cb(&a, arg))
			break;
	}
	sqlite3_finalize(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "读取审计记录失败：%s", store_errstr(r));
	return JZG_OK;
}

enum jzg_status
audit_touched_by(struct store *st, sqlite3_int64 staff_id, const char *actor, int *yes, char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;

	*yes = 0;
	if (actor == NULL)
		return JZG_OK;
	/* Keyed = created the person, or any data or explanation change; state
	 * transitions, signatures, merges (carrying a school's data into the
	 * county file) and double-entry verification (a discrepancy, or the
	 * value decided for it) are not keying. */
	rc = store_prepare(st, "SELECT EXISTS (SELECT 1 FROM audit WHERE staff_id = ?1 AND actor = ?2 "
	    "AND path NOT IN ('merge', 'rekey') AND set_name <> 'signature' AND op <> 'rekey' "
	    "AND (set_name <> 'staff' OR op = 'insert'))", &q, cause);
	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	sqlite3_bind_text(q, 2, actor, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		*yes = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return JZG_OK;
}
