/* test_store.c — the SQLite file: identity, refusal of foreign, damaged and
 * newer files, schema migration when definitions change, schools. */
#include "helpers.h"

#include <sys/stat.h>

#include "migrate.h"
#include "record.h"
#include "school.h"

static struct defs *defs;
static char dir[] = "/tmp/jzg_store_XXXXXX";

static int
setup(void **state)
{
	(void)state;
	defs = load_shipped_defs();
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	defs_free(defs);
	rm_tree(dir);
	return 0;
}

static char *
tmp(const char *leaf)
{
	return xasprintf("%s/%s", dir, leaf);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *buf = xmalloc(1 << 20);

	assert_non_null(fp);
	*n = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

static void
fresh_file(void **state)
{
	char *path = tmp("fresh.db"), *cause = NULL;
	struct store *st;

	(void)state;
	assert_int_equal(audit_open(path, defs, 0, &st, &cause), JZG_ERR_NOTFOUND);
	free(cause);
	cause = NULL;
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(q_int(st, "PRAGMA application_id"), STORE_APPLICATION_ID);
	assert_int_equal(q_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(q_int(st, "PRAGMA synchronous"), 2);     /* FULL */
	assert_int_equal(q_int(st, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'delete'"), 1);
	assert_int_equal(q_int(st, "PRAGMA foreign_keys"), 1);
	/* a table per set, a column per field of the union */
	for (size_t i = 0; i < defs->nall; i++) {
		char *sql = xasprintf("SELECT count(*) FROM pragma_table_info('s_%s')", defs->all[i].v[SC_NAME]);

		assert_int_equal(q_int(st, sql), (long long)defs->all[i].nfield + (defs->all[i].many ? 3 : 1));
		free(sql);
	}
	store_close(st);
	free(path);
}

/* The header's file change counter (bytes 24..27) moves with every commit. */
static unsigned
change_counter(const char *path)
{
	size_t n;
	char *b = slurp(path, &n);
	unsigned c;

	assert_true(n >= 100);
	c = (unsigned)(unsigned char)b[24] << 24 | (unsigned)(unsigned char)b[25] << 16 |
	    (unsigned)(unsigned char)b[26] << 8 | (unsigned char)b[27];
	free(b);
	return c;
}

/* Opening a file that is up to date commits nothing: no sync to disk at
 * start-up (a fresh copy of a large file would otherwise be flushed whole). */
static void
open_writes_nothing(void **state)
{
	char *path = tmp("quiet.db"), *cause = NULL;
	struct store *st;
	unsigned c0;

	(void)state;
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	store_close(st);
	c0 = change_counter(path);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(audit_open(path, defs, i ? AUDIT_LATE : 0, &st, &cause), JZG_OK);
		assert_int_equal(audit_arm(st, &cause), JZG_OK);
		store_close(st);
		assert_int_equal(change_counter(path), c0);
	}
	free(path);
}

/* A new file, checked by CHECK; then the file as an earlier jzg made it
 * (OLD_SQL run by plain SQLite) opened again, checked by AFTER. */
static void
new_then_old(const char *name, void (*check)(struct store *), const char *old_sql, void (*after)(struct store *))
{
	char *path = tmp(name), *cause = NULL;
	struct store *st;
	sqlite3 *db;

	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	check(st);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, old_sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(audit_open(path, defs, 0, &st, &cause), JZG_OK);
	after(st);
	store_close(st);
	free(path);
}

static void pages_16k(struct store *st) { assert_int_equal(q_int(st, "PRAGMA page_size"), 16384); }
static void pages_4k(struct store *st) { assert_int_equal(q_int(st, "PRAGMA page_size"), 4096); }

/* A new file gets 16 KiB pages (a county file's merges split far fewer
 * index pages); an existing file keeps its own. */
static void
page_size_of_new_files(void **state)
{
	(void)state;
	new_then_old("pages.db", pages_16k, "PRAGMA page_size = 4096; VACUUM", pages_4k);
}

static void
no_audit_at(struct store *st)
{
	assert_int_equal(q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_at'"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_staff'"), 1);
}

/* The audit trail's index on its time (audit_at, files of the first
 * schema 4) is gone from new files and dropped from old ones on open: no
 * query used it and a county's merges paid for it. */
static void
no_audit_time_index(void **state)
{
	(void)state;
	new_then_old("auditat.db", no_audit_at, "CREATE INDEX audit_at ON audit(at)", no_audit_at);
}

/* Can a change reach the file, and does it land in the trail? */
static int
insert_staff(struct store *st)
{
	return sqlite3_exec(st->db, "INSERT INTO staff(school_id) VALUES(1)", NULL, NULL, NULL);
}

/* Every way of opening a file for writing ends armed: audit_open (the CLI
 * verbs through app_open_store, pack's new file, every test and bench) and
 * audit_open + audit_arm (the client).  A path that opened with store_open
 * alone cannot write outside the trail: its store stays guarded.  Read-only
 * opens need no trail.  With AUDIT_LATE (the client) nothing reaches the
 * file until audit_arm, so nothing escapes the trail. */
static void
every_open_is_armed(void **state)
{
	static const unsigned flags[] = { 0, STORE_CREATE, AUDIT_LATE, STORE_CREATE | AUDIT_LATE };
	char *path = tmp("armed.db"), *cause = NULL;
	struct store *st;
	sqlite3_int64 sid;

	(void)state;
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &sid, &cause), JZG_OK);
	store_close(st);
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		long long before;

		assert_int_equal(audit_open(path, defs, flags[i], &st, &cause), JZG_OK);
		if (flags[i] & AUDIT_LATE) {
			assert_false(audit_armed(st));
			assert_int_equal(insert_staff(st), SQLITE_AUTH);
			/* reading and the temp tables work meanwhile */
			assert_true(q_int(st, "SELECT count(*) FROM temp.code") > 0);
			assert_int_equal(audit_arm(st, &cause), JZG_OK);
			assert_int_equal(audit_arm(st, &cause), JZG_OK);   /* idempotent */
		}
		assert_true(audit_armed(st));
		before = q_int(st, "SELECT count(*) FROM audit");
		assert_int_equal(insert_staff(st), SQLITE_OK);
		assert_true(q_int(st, "SELECT count(*) FROM audit") > before);
		store_close(st);
	}
	/* store_open alone: reads work, every change is refused */
	assert_int_equal(store_open(path, defs, 0, &st, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM staff"), 4);
	assert_int_equal(insert_staff(st), SQLITE_AUTH);
	assert_int_equal(sqlite3_exec(st->db, "DELETE FROM staff", NULL, NULL, NULL), SQLITE_AUTH);
	assert_int_equal(q_int(st, "SELECT count(*) FROM staff"), 4);
	store_close(st);
	assert_int_equal(audit_open(path, defs, STORE_READONLY, &st, &cause), JZG_OK);
	assert_false(audit_armed(st));
	assert_int_not_equal(insert_staff(st), SQLITE_OK);
	store_close(st);
	free(path);
}

/* store_cached: the same SQL gives the same statement, reset and unbound;
 * more distinct statements than slots evict the oldest, and the store
 * finalizes them all when closed (ASan/LSan check that). */
static void
statement_cache(void **state)
{
	char *path = tmp("cache.db"), *cause = NULL;
	struct store *st;
	sqlite3_stmt *a, *b;

	(void)state;
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(store_cached(st, "SELECT ?1 + 1", &a, &cause), JZG_OK);
	sqlite3_bind_int(a, 1, 41);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);
	assert_int_equal(store_cached(st, "SELECT ?1 + 1", &b, &cause), JZG_OK);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);        /* reset, binding cleared */
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
	sqlite3_reset(b);
	for (int i = 0; i < 100; i++) {
		char *sql = xasprintf("SELECT %d", i);
		sqlite3_stmt *c;

		assert_int_equal(store_cached(st, sql, &c, &cause), JZG_OK);
		assert_int_equal(sqlite3_step(c), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(c, 0), i);
		sqlite3_reset(c);
		free(sql);
	}
	assert_int_equal(store_cached(st, "SELECT * FROM no_such_table", &a, &cause), JZG_ERR_DB);
	assert_non_null(cause);
	free(cause);
	store_close(st);
	free(path);
}

/* The digest that keeps cached check results honest changes with any
 * definition a province may edit, and only then. */
static void
digest_follows_definitions(void **state)
{
	unsigned long long d0 = defs_digest(defs), d1;
	struct set_def *s = &defs->all[0];
	char *saved = s->field[0].v[FC_CONSTRAINT];

	(void)state;
	assert_true(d0 == defs_digest(defs));
	s->field[0].v[FC_CONSTRAINT] = (char *)"length(.) > 1";
	d1 = defs_digest(defs);
	s->field[0].v[FC_CONSTRAINT] = saved;
	assert_true(d1 != d0);
	assert_true(defs_digest(defs) == d0);
}

static void
schools(void **state)
{
	char *path = tmp("schools.db"), *cause = NULL;
	struct store *st;
	sqlite3_int64 id = 0, staff = 0;

	(void)state;
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &id, &cause), JZG_OK);
	assert_true(id > 0);
#define REFUSE(code, name, tpl, want) do { \
		assert_int_equal(school_add(st, code, name, tpl, NULL, &cause), JZG_ERR_INVALID); \
		if (strstr(cause, want) == NULL) fprintf(stderr, "%s\n", cause); \
		assert_non_null(strstr(cause, want)); free(cause); cause = NULL; } while (0)
	REFUSE("214301234", "甲", "zxx", "10 位");
	REFUSE("21430123A5", "甲", "zxx", "数字");
	REFUSE("9943012345", "甲", "zxx", "学校类别码");
	REFUSE("2199012345", "甲", "zxx", "省级行政区划代码");
	REFUSE("1143012345", "甲", "zxx", "不使用中小学模板");
	REFUSE("2143012346", "甲", "xyz", "未知的模板");
	REFUSE("2143012346", "", "zxx", "不能为空");
	REFUSE("2143012346", "甲/乙", "zxx", "不能含有");
	assert_int_equal(school_add(st, "2143012345", "重复", "zxx", NULL, &cause), JZG_ERR_EXISTS);
	free(cause);
	cause = NULL;
	/* a new person gets the template's defaults */
	assert_int_equal(record_new_staff(st, id, defs_template(defs, "zxx"), &staff, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE GJDQM = '156'"), 1);
	store_close(st);
	free(path);
}

static void
refuses_foreign_damaged_newer(void **state)
{
	char *text = tmp("notes.xlsx"), *other = tmp("other.db"), *newer = tmp("newer.db");
	char *cause = NULL, *before, *after;
	size_t nb, na;
	struct store *st;
	FILE *fp;
	sqlite3 *db;

	(void)state;
	fp = fopen(text, "w");
	fputs("PK\x03\x04 this is a spreadsheet, not a database", fp);
	fclose(fp);
	before = slurp(text, &nb);
	assert_int_equal(audit_open(text, defs, STORE_CREATE, &st, &cause), JZG_ERR_FOREIGN);
	assert_non_null(strstr(cause, "不是 jzg 数据文件"));
	free(cause);
	cause = NULL;
	after = slurp(text, &na);
	assert_int_equal(nb, na);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);

	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(audit_open(other, defs, STORE_CREATE, &st, &cause), JZG_ERR_FOREIGN);
	assert_non_null(strstr(cause, "其他程序"));
	free(cause);
	cause = NULL;

	assert_int_equal(audit_open(newer, defs, STORE_CREATE, &st, &cause), JZG_OK);
	store_exec(st, "PRAGMA user_version = 99", NULL);
	store_close(st);
	before = slurp(newer, &nb);
	assert_int_equal(audit_open(newer, defs, 0, &st, &cause), JZG_ERR_NEWER);
	assert_non_null(strstr(cause, "更新版本"));
	free(cause);
	after = slurp(newer, &na);
	assert_int_equal(nb, na);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);

	/* a truncated (damaged) database */
	{
		char *damaged = tmp("damaged.db");
		char *buf = slurp(newer, &nb);

		cause = NULL;
		fp = fopen(damaged, "wb");
		fwrite(buf, 1, 100, fp);          /* header only, no pages */
		for (int i = 0; i < 4000; i++)
			fputc(0xA5, fp);
		fclose(fp);
		free(buf);
		assert_int_not_equal(audit_open(damaged, defs, 0, &st, &cause), JZG_OK);
		assert_non_null(cause);
		free(cause);
		free(damaged);
	}
	free(text);
	free(other);
	free(newer);
}

/* Write a copy of forms/ into dir/leaf; with add, append an indicator
 * SJHM2 to sets/lxfs.tsv laid out by that file's own header. */
static char *
forms_copy(const char *leaf, int add)
{
	char *forms = paths_forms_dir(), *dst = tmp(leaf), *cmd, *lx, line[4096];
	FILE *fp;

	cmd = xasprintf("rm -rf '%s' && cp -r '%s' '%s'", dst, forms, dst);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	if (add) {
		struct strbuf row = { 0 };
		char *save = NULL, *tok;
		int first = 1;

		lx = xasprintf("%s/sets/lxfs.tsv", dst);
		fp = fopen(lx, "r");
		while (fgets(line, sizeof line, fp) != NULL && line[0] == '#')
			;
		fclose(fp);
		line[strcspn(line, "\r\n")] = '\0';
		for (tok = strtok_r(line, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save)) {
			if (!first)
				strbuf_addc(&row, '\t');
			first = 0;
			strbuf_adds(&row, strcmp(tok, "name") == 0 ? "SJHM2" : strcmp(tok, "label") == 0 ? "备用手机号" :
			    strcmp(tok, "type") == 0 ? "text" : strcmp(tok, "source") == 0 ? "province" :
			    strcmp(tok, "tag") == 0 ? "UNCERTAIN" : "");
		}
		strbuf_addc(&row, '\n');
		fp = fopen(lx, "a");
		fputs(row.s, fp);
		fclose(fp);
		strbuf_free(&row);
		free(lx);
	}
	free(forms);
	return dst;
}

static void
migration_keeps_data(void **state)
{
	char *path = tmp("migrate.db"), *cause = NULL, *data = paths_data_dir();
	char *forms2 = forms_copy("forms2", 1);
	struct defs *defs2 = NULL;
	struct diag d = { 0 };
	struct store *st;
	sqlite3_int64 sid, staff;

	(void)state;
	assert_int_equal(defs_load(forms2, data, &defs2, &d, &cause), JZG_OK);
	diag_free(&d);
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "甲校", "zxx", &sid, &cause), JZG_OK);
	assert_int_equal(record_new_staff(st, sid, defs_template(defs, "zxx"), &staff, &cause), JZG_OK);
	store_exec(st, "UPDATE s_jbxx SET XM = '张三'", NULL);
	assert_int_equal(q_int(st, "SELECT count(*) FROM pragma_table_info('s_lxfs') WHERE name = 'SJHM2'"), 0);
	store_close(st);

	/* a province adds an indicator: the column appears, data stays */
	assert_int_equal(audit_open(path, defs2, 0, &st, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM pragma_table_info('s_lxfs') WHERE name = 'SJHM2'"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE XM = '张三'"), 1);
	store_exec(st, "INSERT INTO s_lxfs(staff_id, SJHM2) VALUES(1, '13800000000')", NULL);
	store_close(st);

	/* and removes it again: nothing is dropped */
	assert_int_equal(audit_open(path, defs, 0, &st, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_lxfs WHERE SJHM2 = '13800000000'"), 1);
	store_close(st);
	defs_free(defs2);
	free(forms2);
	free(data);
	free(path);
}

/* A code replaced or split in a multi-select field (codes separated by
 * spaces): the code among the others is rewritten, the value kept in the
 * stored form (table order, each code once); a split one is refused. */
static void
multi_select_code_renames(void **state)
{
	char *path = tmp("multi.db"), *cause = NULL, *v;
	struct rename_def rn[] = {
		{ .version = 2026, .kind = RN_CODE, .set = "jbxx", .field = "ZZMMM", .old = "99", .new = "01" },
		{ .version = 2026, .kind = RN_SPLIT, .set = "jbxx", .field = "ZZMMM", .old = "98", .new = "04|05" },
	};
	struct rename_def *keep = defs->rename;
	size_t nkeep = defs->nrename;
	const struct field_def *f = shipped_field(defs, "jbxx", "ZZMMM");
	struct store *st;
	sqlite3_int64 sid, staff;

	(void)state;
	assert_ptr_equal(rename_multi_field(defs, &rn[0]), f);
	assert_null(rename_multi_field(defs, &(struct rename_def){ .kind = RN_CODE, .set = "jbxx", .field = "XBM" }));
	v = migrate_recode_multi(f, "03 99 05", "99", "01");
	assert_string_equal(v, "01 03 05");
	free(v);
	v = migrate_recode_multi(f, "99 01", "99", "01");
	assert_string_equal(v, "01");
	free(v);
	v = migrate_recode_multi(f, "199 05", "99", "01");   /* another code that ends the same */
	assert_string_equal(v, "05 199");
	free(v);

	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "甲校", "zxx", &sid, &cause), JZG_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(record_new_staff(st, sid, defs_template(defs, "zxx"), &staff, &cause), JZG_OK);
	assert_int_equal(store_exec(st, "UPDATE s_jbxx SET ZZMMM = CASE staff_id WHEN 1 THEN '03 99 05' WHEN 2 THEN '99'"
	    " WHEN 3 THEN '13' ELSE '199' END", &cause), JZG_OK);
	defs->rename = rn;
	defs->nrename = 1;
	assert_int_equal(store_exec(st, "BEGIN", &cause), JZG_OK);
	assert_int_equal(migrate_values(st, "s_", 2025, 1, NULL, &cause), JZG_OK);
	assert_int_equal(store_exec(st, "COMMIT", &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE staff_id = 1 AND ZZMMM = '01 03 05'"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE staff_id = 2 AND ZZMMM = '01'"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE staff_id = 3 AND ZZMMM = '13'"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE staff_id = 4 AND ZZMMM = '199'"), 1);
	/* not for a file keyed with this version already */
	assert_int_equal(store_exec(st, "UPDATE s_jbxx SET ZZMMM = '99' WHERE staff_id = 2", &cause), JZG_OK);
	assert_int_equal(migrate_values(st, "s_", 2026, 1, NULL, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE ZZMMM = '99'"), 1);

	/* a split code among others: refused, saying which */
	defs->rename = rn + 1;
	assert_int_equal(store_exec(st, "UPDATE s_jbxx SET ZZMMM = '01 98' WHERE staff_id = 2", &cause), JZG_OK);
	assert_int_equal(store_check_splits(st, "s_", 2025, NULL, &cause), JZG_ERR_INVALID);
	assert_non_null(strstr(cause, "有 1 个值是代码 “98”"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_exec(st, "UPDATE s_jbxx SET ZZMMM = '198' WHERE staff_id = 2", &cause), JZG_OK);
	assert_int_equal(store_check_splits(st, "s_", 2025, NULL, &cause), JZG_OK);
	defs->rename = keep;
	defs->nrename = nkeep;
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fresh_file),
		cmocka_unit_test(open_writes_nothing),
		cmocka_unit_test(page_size_of_new_files),
		cmocka_unit_test(no_audit_time_index),
		cmocka_unit_test(every_open_is_armed),
		cmocka_unit_test(statement_cache),
		cmocka_unit_test(digest_follows_definitions),
		cmocka_unit_test(schools),
		cmocka_unit_test(refuses_foreign_damaged_newer),
		cmocka_unit_test(migration_keeps_data),
		cmocka_unit_test(multi_select_code_renames),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
