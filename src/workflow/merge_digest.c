/* merge_digest.c — see merge_digest.h. */
#include "merge_digest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Feed every value of every row of sql (each with its type and length, so
 * that no two different results feed the same bytes).  Returns the
 * SQLite result. */
static int
hash_rows(crypto_generichash_state *h, sqlite3 *db, const char *sql)
{
	struct strbuf b = { 0 };
	sqlite3_stmt *q;
	int r;

	if ((r = sqlite3_prepare_v2(db, sql, -1, &q, NULL)) != SQLITE_OK)
		return r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW)
		for (int c = 0; c < sqlite3_column_count(q); c++) {
			const char *v = (const char *)sqlite3_column_text(q, c);
			unsigned len = (unsigned)sqlite3_column_bytes(q, c);

			strbuf_addc(&b, (char)sqlite3_column_type(q, c));
			strbuf_add(&b, (const char *)&len, sizeof len);
			if (v != NULL)
				strbuf_add(&b, v, len);
		}
	sqlite3_finalize(q);
	if (b.len)
		crypto_generichash_update(h, (const unsigned char *)b.s, b.len);
	strbuf_free(&b);
	return r == SQLITE_DONE ? SQLITE_OK : r;
}

static char *
hex_of(crypto_generichash_state *h)
{
	unsigned char d[crypto_generichash_BYTES];
	char *out = xmalloc(2 * sizeof d + 1);

	crypto_generichash_final(h, d, sizeof d);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return out;
}

/* The source's digest (new hex string), NULL when it cannot be read. */
static char *
source_digest(struct store *st, const char *sch, const char *path)
{
	crypto_generichash_state h;
	unsigned char head[100];
	struct stat sb;
	struct strbuf b = { 0 };
	FILE *fp = fopen(path, "rb");
	sqlite3_stmt *q;
	char *sql;
	int ok;

	if (fp == NULL)
		return NULL;
	ok = fread(head, 1, sizeof head, fp) == sizeof head && fstat(fileno(fp), &sb) == 0;
	fclose(fp);
	if (!ok)
		return NULL;
	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	crypto_generichash_update(&h, head, sizeof head);
	crypto_generichash_update(&h, (const unsigned char *)&sb.st_size, sizeof sb.st_size);
	/* the largest rowid of each table a change through jzg writes to */
	sql = sqlite3_mprintf("SELECT name FROM %s.sqlite_master WHERE type = 'table' AND (name GLOB 's_*' OR name IN "
	    "('audit', 'explanation', 'signature', 'review', 'photo')) ORDER BY name", sch);
	ok = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK;
	sqlite3_free(sql);
	if (!ok)
		return NULL;
	strbuf_adds(&b, "SELECT 0");
	while (sqlite3_step(q) == SQLITE_ROW) {
		char *one = sqlite3_mprintf(", (SELECT max(rowid) FROM %s.\"%w\")", sch, (const char *)sqlite3_column_text(q, 0));

		strbuf_adds(&b, one);
		sqlite3_free(one);
	}
	sqlite3_finalize(q);
	/* and the last link of its hash chain (trust.h): two copies of a file,
	 * each changed once as much, have the same header and rowids */
	sql = sqlite3_mprintf(", (SELECT hash FROM %s.chain ORDER BY seq DESC LIMIT 1)", sch);
	strbuf_adds(&b, sql);
	sqlite3_free(sql);
	ok = hash_rows(&h, st->db, b.s) == SQLITE_OK;
	strbuf_free(&b);
	sql = xasprintf("SELECT id, code, name, template, expected_staff FROM %s.school ORDER BY id", sch);
	ok = ok && hash_rows(&h, st->db, sql) == SQLITE_OK;
	free(sql);
	sql = xasprintf("SELECT id, school_id, state, updated FROM %s.staff ORDER BY id", sch);
	ok = ok && hash_rows(&h, st->db, sql) == SQLITE_OK;
	free(sql);
	return ok ? hex_of(&h) : NULL;   /* the state holds no memory of its own */
}

/* Our side's digest: the schools of the source's codes and their people,
 * each with the id of their latest trail row. */
static char *
ours_digest(struct store *st, const char *sch)
{
	crypto_generichash_state h;
	/* sch is merge.c's own "srcN" */
	char *sql = xasprintf("SELECT ms.id, ms.code, ms.name, ms.template, ms.expected_staff FROM main.school ms "
	    "JOIN %1$s.school ss ON ss.code = ms.code ORDER BY ms.id;"
	    "SELECT s.id, s.school_id, s.state, s.updated, (SELECT max(a.id) FROM main.audit a WHERE a.staff_id = s.id) "
	    "FROM main.staff s WHERE s.school_id IN (SELECT ms.id FROM main.school ms JOIN %1$s.school ss "
	    "ON ss.code = ms.code) ORDER BY s.school_id, s.id", sch);
	char *second = strchr(sql, ';') + 1;
	int ok;

	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	second[-1] = '\0';
	ok = hash_rows(&h, st->db, sql) == SQLITE_OK && hash_rows(&h, st->db, second) == SQLITE_OK;
	free(sql);
	return ok ? hex_of(&h) : NULL;   /* the state holds no memory of its own */
}

int
merge_digest_same(struct store *st, const char *sch, const char *path, char **key, char **now)
{
	char *src, *ours = NULL, *was = NULL, *sql;
	sqlite3_stmt *q;
	int same;

	*key = *now = NULL;
	sql = xasprintf("SELECT 'merge_digest ' || group_concat(code, ' ') FROM (SELECT code FROM %s.school "
	    "ORDER BY code)", sch);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_type(q, 0) != SQLITE_NULL)
		*key = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	free(sql);
	if (*key == NULL || (src = source_digest(st, sch, path)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM main.meta WHERE key = ?1", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, *key, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_TEXT)
			was = xstrdup((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	/* our side is read only when the file is the one recorded */
	same = was != NULL && strncmp(was, src, strlen(src)) == 0 && was[strlen(src)] == ' ' &&
	    (ours = ours_digest(st, sch)) != NULL && strcmp(was + strlen(src) + 1, ours) == 0;
	*now = src;
	free(ours);
	free(was);
	return same;
}

enum jzg_status
merge_digest_record(struct store *st, const char *sch, const char *key, const char *src, char **cause)
{
	char *ours = src != NULL ? ours_digest(st, sch) : NULL, *value;
	sqlite3_stmt *q;
	enum jzg_status rc;

	if (ours == NULL)
		return JZG_OK;   /* not recorded: the next merge of the file is a full one */
	value = xasprintf("%s %s", src, ours);
	free(ours);
	if ((rc = store_prepare(st, "INSERT OR REPLACE INTO main.meta(key, value) VALUES(?1, ?2)", &q, cause)) == JZG_OK) {
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = jzg_fail(cause, JZG_ERR_DB, "记录合并摘要失败：%s", sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
	}
	free(value);
	return rc;
}

int
merge_digest_people(struct store *st, const char *sch)
{
	char *sql = xasprintf("SELECT count(*) FROM %1$s.staff s JOIN %1$s.school ss ON ss.id = s.school_id", sch);
	int n = 0;

	store_int(st->db, sql, &n);
	free(sql);
	return n;
}
