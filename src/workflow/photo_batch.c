/* photo_batch.c — see photo_batch.h. */
#include "photo_batch.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <minizip/unzip.h>

#include "entry.h"
#include "outfile.h"
#include "photo.h"
#include "school.h"
#include "util.h"
#include "zipout.h"

/* ------------------------------------------------------------ matching */

struct key { char *k; sqlite3_int64 staff; };

struct people {
	struct key   *by[3];     /* 身份证件号, 教职工号, 姓名 */
	size_t        n[3];
	sqlite3_int64 *ids;      /* every person, with their label */
	char        **label;     /* "姓名 身份证件号" */
	size_t        nid;
};

static const char *const key_label[3] = { "身份证件号", "教职工号", "姓名" };

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct key *)a)->k, ((const struct key *)b)->k);
}

static void
people_free(struct people *p)
{
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < p->n[k]; i++)
			free(p->by[k][i].k);
		free(p->by[k]);
	}
	for (size_t i = 0; i < p->nid; i++)
		free(p->label[i]);
	free(p->label);
	free(p->ids);
}

/* Everyone in the scope (school_id 0: the whole file). */
static enum jzg_status
people_load(struct store *st, sqlite3_int64 school_id, struct people *p, char **cause)
{
	const struct defs *d = st->defs;
	char *sql = xasprintf("SELECT s.id, p.\"%s\", p.\"%s\", p.\"%s\" FROM staff s LEFT JOIN \"s_%s\" p ON p.staff_id = "
	    "s.id WHERE ?1 = 0 OR s.school_id = ?1 ORDER BY s.id", d->setting[SK_PERSON_ID], d->setting[SK_PERSON_NO],
	    d->setting[SK_PERSON_NAME], d->setting[SK_PERSON_SET]);
	size_t cap = 0;
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, sql, &q, cause);

	free(sql);
	memset(p, 0, sizeof *p);
	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, school_id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *v[3];

		if (p->nid == cap) {
			cap = cap ? 2 * cap : 256;
			p->ids = xrealloc(p->ids, cap * sizeof *p->ids);
			p->label = xrealloc(p->label, cap * sizeof *p->label);
			for (int k = 0; k < 3; k++)
				p->by[k] = xrealloc(p->by[k], cap * sizeof *p->by[k]);
		}
		for (int k = 0; k < 3; k++)
			v[k] = (const char *)sqlite3_column_text(q, k + 1);
		p->ids[p->nid] = sqlite3_column_int64(q, 0);
		p->label[p->nid] = xasprintf("%s %s", v[2] ? v[2] : "", v[0] ? v[0] : "");
		for (int k = 0; k < 3; k++)
			if (!str_empty(v[k])) {
				p->by[k][p->n[k]].k = xstrdup(v[k]);
				p->by[k][p->n[k]++].staff = p->ids[p->nid];
			}
		p->nid++;
	}
	sqlite3_finalize(q);
	for (int k = 0; k < 3; k++)
		if (p->n[k])
			xqsort(p->by[k], p->n[k], sizeof *p->by[k], key_cmp);
	return JZG_OK;
}

/* The person whose key k is s: their id, 0 when none, -1 when several. */
static sqlite3_int64
people_find(const struct people *p, int k, const char *s)
{
	struct key want = { (char *)s, 0 }, *hit;
	size_t i;

	if (p->n[k] == 0 || (hit = bsearch(&want, p->by[k], p->n[k], sizeof want, key_cmp)) == NULL)
		return 0;
	i = (size_t)(hit - p->by[k]);
	while (i > 0 && strcmp(p->by[k][i - 1].k, s) == 0)
		i--;
	if (i + 1 < p->n[k] && strcmp(p->by[k][i + 1].k, s) == 0 && p->by[k][i + 1].staff != p->by[k][i].staff)
		return -1;
	return p->by[k][i].staff;
}

static const char *
people_label(const struct people *p, sqlite3_int64 staff)
{
	size_t lo = 0, hi = p->nid;

	while (lo < hi) {   /* ids are in order */
		size_t m = (lo + hi) / 2;

		if (p->ids[m] < staff)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < p->nid && p->ids[lo] == staff ? p->label[lo] : "";
}

/* ------------------------------------------------------------ the files */

struct item {
	char          *name;      /* as in the folder or ZIP */
	sqlite3_int64  staff;     /* 0: not to be read */
	char          *why;       /* unmatched or duplicate: the reason */
	unz64_file_pos zpos;
	/* filled by a worker */
	int            done, fixed;
	unsigned char *data;
	size_t         len;
	char          *err;
};

struct run {
	struct store          *st;
	const char            *dir;     /* NULL for a ZIP */
	unzFile                z;
	struct item           *it;
	size_t                 n;
	struct photo_spec      sp;
	int                    fix;
	int                    alone;        /* no worker thread could be started: the writer reads */
	size_t                 next, used;   /* next to take; consumed by the writer */
	pthread_mutex_t        mu, zmu;
	pthread_cond_t         cv;
};

/* Files in flight at most: bounds memory whatever the folder holds. */
#define WINDOW 8

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name, ((const struct item *)b)->name);
}

static int
skipped_name(const char *base)
{
	return base[0] == '\0' || base[0] == '.';
}

static enum jzg_status
list_dir(const char *path, struct item **it, size_t *n, char **cause)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t cap = 0;

	if (d == NULL)
		return jzg_fail(cause, JZG_ERR_IO, "无法打开目录 %s：%s", path, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char *full;
		struct stat sb;

		if (skipped_name(e->d_name))
			continue;
		full = xasprintf("%s/%s", path, e->d_name);
		if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				*it = xrealloc(*it, cap * sizeof **it);
			}
			memset(&(*it)[*n], 0, sizeof **it);
			(*it)[(*n)++].name = xstrdup(e->d_name);
		}
		free(full);
	}
	closedir(d);
	if (*n)
		xqsort(*it, *n, sizeof **it, item_cmp);
	return JZG_OK;
}

static enum jzg_status
list_zip(unzFile z, struct item **it, size_t *n)
{
	size_t cap = 0;

	for (int k = unzGoToFirstFile(z); k == UNZ_OK; k = unzGoToNextFile(z)) {
		unz_file_info64 info;
		char entry[1024];
		const char *base;

		if (unzGetCurrentFileInfo64(z, &info, entry, sizeof entry, NULL, 0, NULL, 0) != UNZ_OK)
			return JZG_ERR_FORMAT;
		base = strrchr(entry, '/') ? strrchr(entry, '/') + 1 : entry;
		if (skipped_name(base) || strncmp(entry, "__MACOSX/", 9) == 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*it = xrealloc(*it, cap * sizeof **it);
		}
		memset(&(*it)[*n], 0, sizeof **it);
		(*it)[*n].name = xstrdup(base);
		unzGetFilePos64(z, &(*it)[*n].zpos);
		(*n)++;
	}
	return JZG_OK;
}

/* An entry of the ZIP, read whole (at most JPEG_MAX_FILE). */
static enum jzg_status
zip_read(struct run *r, struct item *t, unsigned char **buf, size_t *len, char **cause)
{
	unz_file_info64 info;
	enum jzg_status rc = JZG_OK;
	int k;

	pthread_mutex_lock(&r->zmu);
	if (unzGoToFilePos64(r->z, &t->zpos) != UNZ_OK ||
	    unzGetCurrentFileInfo64(r->z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		rc = jzg_fail(cause, JZG_ERR_FORMAT, "ZIP 已损坏，无法读出此文件");
	else if (info.uncompressed_size > JPEG_MAX_FILE)
		rc = jzg_fail(cause, JZG_ERR_INVALID, "文件过大（%.1f MB，最多 %u MB）",
		    (double)info.uncompressed_size / (1 << 20), JPEG_MAX_FILE >> 20);
	else if (unzOpenCurrentFile(r->z) != UNZ_OK)
		rc = jzg_fail(cause, JZG_ERR_FORMAT, "ZIP 已损坏，无法解压此文件");
	else {
		*buf = xmalloc((size_t)info.uncompressed_size + 1);
		k = unzReadCurrentFile(r->z, *buf, (unsigned)info.uncompressed_size);
		if (unzCloseCurrentFile(r->z) != UNZ_OK || k != (int)info.uncompressed_size) {
			free(*buf);
			*buf = NULL;
			rc = jzg_fail(cause, JZG_ERR_FORMAT, "ZIP 已损坏，无法解压此文件");
		} else
			*len = (size_t)k;
	}
	pthread_mutex_unlock(&r->zmu);
	return rc;
}

/* Read, judge and (with fix) repair file t: t->data or t->err. */
static void
process(struct run *r, struct item *t)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char *cause = NULL;
	enum jzg_status rc;
	int fixable = 0;

	if (r->dir != NULL) {
		char *full = xasprintf("%s/%s", r->dir, t->name);

		rc = jpeg_read_file(full, &buf, &len, &cause);
		free(full);
	} else
		rc = zip_read(r, t, &buf, &len, &cause);
	if (rc == JZG_OK && (rc = entry_photo_judge(&r->sp, buf, len, NULL, &fixable, &cause)) != JZG_OK &&
	    r->fix && fixable) {
		unsigned char *out = NULL;
		size_t outlen = 0;

		free(cause);
		cause = NULL;
		if ((rc = entry_photo_fix(&r->sp, buf, len, &out, &outlen, &cause)) == JZG_OK) {
			free(buf);
			buf = out;
			len = outlen;
			t->fixed = 1;
		}
	}
	if (rc == JZG_OK) {
		t->data = buf;
		t->len = len;
	} else {
		free(buf);
		t->err = cause ? cause : xstrdup(jzg_strstatus(rc));
	}
}

static void *
worker(void *arg)
{
	struct run *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		size_t i;

		while (r->next < r->n && r->it[r->next].staff <= 0)
			r->next++;
		while (r->next < r->n && r->next >= r->used + WINDOW)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->next >= r->n)
			break;
		i = r->next++;
		pthread_mutex_unlock(&r->mu);
		process(r, &r->it[i]);
		pthread_mutex_lock(&r->mu);
		r->it[i].done = 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Match every file to a person; a second file of the same person is
 * refused (which one was meant cannot be told). */
static void
match_all(struct item *it, size_t n, const struct people *p)
{
	for (size_t i = 0; i < n; i++) {
		char *copy = xstrdup(it[i].name), *dot = strrchr(copy, '.'), *stem;
		int amb = -1;

		if (dot != NULL && dot != copy)
			*dot = '\0';
		stem = str_trim(copy);
		for (int k = 0; k < 3 && it[i].staff == 0; k++) {
			char *s = xstrdup(stem);

			if (k == 0)
				for (char *c = s; *c; c++)
					if (*c == 'x')
						*c = 'X';
			it[i].staff = people_find(p, k, s);
			if (it[i].staff < 0) {
				if (amb < 0)
					amb = k;
				it[i].staff = 0;
			}
			free(s);
		}
		if (it[i].staff == 0)
			it[i].why = amb >= 0 ? xasprintf("有多人的%s是“%s”，请改用身份证件号命名", key_label[amb], stem) :
			    xasprintf("没有身份证件号、教职工号或姓名为“%s”的人员", stem);
		for (size_t j = 0; j < i && it[i].staff > 0; j++)
			if (it[j].staff == it[i].staff) {
				it[i].why = xasprintf("与 %s 是同一人的照片，请只保留一个", it[j].name);
				it[i].staff = -1;   /* matched, but not read */
			}
		free(copy);
	}
}

static void
tell(const struct photo_batch_opts *o, enum photo_outcome k, const char *file, const char *person, const char *text)
{
	if (o->line != NULL)
		o->line(k, file, person, text, o->arg);
}

/* Store the files in order as the workers finish them. */
static enum jzg_status
write_all(struct run *r, const struct people *p, const struct photo_batch_opts *o, struct photo_batch_result *res,
    char **cause)
{
	enum jzg_status rc = JZG_OK;

	for (size_t i = 0; i < r->n; i++) {
		struct item *t = &r->it[i];
		const char *who = t->staff ? people_label(p, t->staff > 0 ? t->staff : 0) : NULL;

		if (t->staff > 0 && r->alone)
			process(r, t);
		else if (t->staff > 0) {
			pthread_mutex_lock(&r->mu);
			while (!t->done)
				pthread_cond_wait(&r->cv, &r->mu);
			pthread_mutex_unlock(&r->mu);
		}
		if (t->staff == 0) {
			res->unmatched++;
			tell(o, PHOTO_UNMATCHED, t->name, NULL, t->why);
		} else if (t->staff < 0) {
			res->refused++;
			tell(o, PHOTO_REFUSED, t->name, NULL, t->why);
		} else if (t->err != NULL) {
			res->refused++;
			tell(o, PHOTO_REFUSED, t->name, who, t->err);
		} else if (rc == JZG_OK) {
			char *c2 = NULL;
			int changed = 0;
			enum jzg_status s = entry_photo_set(r->st, t->staff, t->data, t->len, &changed, &c2);

			if (s == JZG_ERR_DB && strstr(c2 ? c2 : "", "锁定") == NULL) {
				rc = s;                    /* the store failed: the run ends */
				*cause = c2;
				c2 = NULL;
			} else if (s != JZG_OK) {
				res->refused++;
				tell(o, PHOTO_REFUSED, t->name, who, c2 ? c2 : jzg_strstatus(s));
			} else {
				char *text = xasprintf("%s%zu 字节", t->fixed ? "已裁剪压缩为 " : changed ? "" : "与已有照片相同，",
				    t->len);

				res->stored += changed;
				res->same += !changed;
				res->fixed += t->fixed;
				tell(o, t->fixed ? PHOTO_FIXED : PHOTO_STORED, t->name, who, text);
				free(text);
			}
			free(c2);
		}
		free(t->data);
		t->data = NULL;
		pthread_mutex_lock(&r->mu);
		r->used = i + 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
	return rc;
}

enum jzg_status
photo_batch_import(struct store *st, const char *path, const struct photo_batch_opts *o,
    struct photo_batch_result *res, char **cause)
{
	struct run r = { .st = st, .fix = o->fix };
	struct people p = { 0 };
	struct stat sb;
	sqlite3_int64 sid = 0;
	enum jzg_status rc;
	pthread_t th[2];
	int nth = o->threads > 0 && o->threads < 2 ? o->threads : 2, started = 0;

	memset(res, 0, sizeof *res);
	if (stat(path, &sb) != 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到 %s", path);
	if (o->school != NULL) {
		if ((rc = school_find(st, o->school, &sid, cause)) != JZG_OK)
			return rc;
		if (sid == 0)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有学校标识码为 %s 的学校", o->school);
	}
	if (S_ISDIR(sb.st_mode)) {
		r.dir = path;
		rc = list_dir(path, &r.it, &r.n, cause);
	} else if ((r.z = unzOpen64(path)) == NULL)
		return jzg_fail(cause, JZG_ERR_FORMAT, "%s 不是目录，也不是 ZIP 文件（或 ZIP 已损坏）", path);
	else if ((rc = list_zip(r.z, &r.it, &r.n)) != JZG_OK)
		jzg_fail(cause, rc, "%s 已损坏（ZIP 目录无法读出）", path);
	if (rc == JZG_OK && r.n == 0)
		rc = jzg_fail(cause, JZG_ERR_NOTFOUND, "%s 中没有文件", path);
	if (rc == JZG_OK)
		rc = people_load(st, sid, &p, cause);
	if (rc != JZG_OK)
		goto done;
	match_all(r.it, r.n, &p);
	entry_photo_spec(st->defs, &r.sp);
	if ((rc = store_exec(st, "BEGIN IMMEDIATE", cause)) != JZG_OK)
		goto done;
	pthread_mutex_init(&r.mu, NULL);
	pthread_mutex_init(&r.zmu, NULL);
	pthread_cond_init(&r.cv, NULL);
	for (int i = 0; i < nth; i++)
		if (pthread_create(&th[started], NULL, worker, &r) == 0)
			started++;
	r.alone = started == 0;   /* no thread to be had: the writer reads each file itself */
	rc = write_all(&r, &p, o, res, cause);
	pthread_mutex_lock(&r.mu);
	r.used = r.n;        /* the writer stopped: let the workers run out */
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.zmu);
	pthread_mutex_destroy(&r.mu);
	if (rc == JZG_OK && (res->refused || res->unmatched) && !o->keep_good) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		res->stored = res->fixed = res->same = 0;
		rc = JZG_ERR_INVALID;
	} else if (rc == JZG_OK) {
		if ((rc = store_exec(st, "COMMIT", cause)) != JZG_OK)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		else if (res->refused || res->unmatched)
			rc = JZG_ERR_INVALID;
	} else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
done:
	for (size_t i = 0; i < r.n; i++) {
		free(r.it[i].name);
		free(r.it[i].why);
		free(r.it[i].data);
		free(r.it[i].err);
	}
	free(r.it);
	people_free(&p);
	if (r.z != NULL)
		unzClose(r.z);
	return rc;
}

/* ------------------------------------------------------------ export */

/* A file name from a value: what a file system refuses becomes "_". */
static char *
file_name(const char *v)
{
	char *s = xstrdup(v);

	for (char *c = s; *c; c++)
		if (strchr("/\\:*?\"<>|", *c) != NULL || (unsigned char)*c < 0x20)
			*c = '_';
	return s;
}

static enum jzg_status
write_photo(const char *path, const unsigned char *data, size_t len, char **cause)
{
	char *tmp = outfile_part(path);
	FILE *f = fopen(tmp, "wb");
	int ok = f != NULL && fwrite(data, 1, len, f) == len;
	enum jzg_status rc;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	if (!ok) {
		int e = errno;

		unlink(tmp);
		free(tmp);
		return jzg_fail(cause, JZG_ERR_IO, "无法写出 %s：%s", path, strerror(e));
	}
	rc = outfile_commit(tmp, path, cause);
	free(tmp);
	return rc;
}

enum jzg_status
photo_batch_export(struct store *st, const char *code, const char *dir, photo_line_cb line, void *arg, int *n,
    char **zip, char **cause)
{
	const struct defs *d = st->defs;
	sqlite3_int64 sid = 0;
	struct zipout *z = NULL;
	enum jzg_status rc;
	sqlite3_stmt *q = NULL;
	char *sql, *zpath = NULL, *sname = NULL;
	struct strbuf names = { 0 };

	*n = 0;
	*zip = NULL;
	if ((rc = school_find(st, code, &sid, cause)) != JZG_OK)
		return rc;
	if (sid == 0)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有学校标识码为 %s 的学校", code);
	{
		sqlite3_stmt *s;

		if (store_prepare(st, "SELECT name FROM school WHERE id = ?", &s, cause) != JZG_OK)
			return JZG_ERR_DB;
		sqlite3_bind_int64(s, 1, sid);
		if (sqlite3_step(s) == SQLITE_ROW)
			sname = xstrdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	{
		/* photo_zip_name: {code} and {name} replaced */
		const char *pat = d->setting[SK_PHOTO_ZIP_NAME] ? d->setting[SK_PHOTO_ZIP_NAME] : "{code}.zip";
		struct strbuf b = { 0 };

		strbuf_addf(&b, "%s/", dir);
		for (const char *c = pat; *c; ) {
			if (strncmp(c, "{code}", 6) == 0) {
				strbuf_adds(&b, code);
				c += 6;
			} else if (strncmp(c, "{name}", 6) == 0) {
				char *fn = file_name(sname ? sname : "");

				strbuf_adds(&b, fn);
				free(fn);
				c += 6;
			} else
				strbuf_addf(&b, "%c", *c++);
		}
		zpath = strbuf_take(&b);
	}
	sql = xasprintf("SELECT f.data, p.\"%s\", p.\"%s\" FROM staff s JOIN photo f ON f.staff_id = s.id LEFT JOIN "
	    "\"s_%s\" p ON p.staff_id = s.id WHERE s.school_id = ? ORDER BY s.id", d->setting[SK_PHOTO_FILE_FIELD],
	    d->setting[SK_PERSON_NAME], d->setting[SK_PERSON_SET]);
	rc = store_prepare(st, sql, &q, cause);
	free(sql);
	if (rc != JZG_OK)
		goto done;
	sqlite3_bind_int64(q, 1, sid);
	while (rc == JZG_OK && sqlite3_step(q) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 1), *who = (const char *)sqlite3_column_text(q, 2);
		char *base, *full, *key;

		if (str_empty(v)) {
			if (line != NULL)
				line(PHOTO_REFUSED, "", who, "没有身份证件号，照片无法命名，未导出", arg);
			continue;
		}
		base = file_name(v);
		full = xasprintf("%s/%s.jpg", dir, base);
		key = xasprintf("|%s.jpg|", base);
		if (names.s != NULL && strstr(names.s, key) != NULL) {
			if (line != NULL)
				line(PHOTO_REFUSED, full, who, "与本校另一人的身份证件号相同，未导出", arg);
		} else if ((rc = write_photo(full, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0), cause)) ==
		    JZG_OK) {
			if (z == NULL) {
				char day[16];
				time_t now = time(NULL);

				strftime(day, sizeof day, "%Y-%m-%d", localtime(&now));
				rc = zipout_open(zpath, day, &z, cause);
			}
			if (rc == JZG_OK) {
				char *zn = xasprintf("%s.jpg", base);

				rc = zipout_add(z, zn, full, cause);
				free(zn);
			}
			strbuf_adds(&names, key);
			(*n)++;
			if (line != NULL && rc == JZG_OK)
				line(PHOTO_STORED, full, who, NULL, arg);
		}
		free(key);
		free(full);
		free(base);
	}
done:
	sqlite3_finalize(q);
	if (z != NULL) {
		enum jzg_status zc = zipout_close(z, rc == JZG_OK, rc == JZG_OK ? cause : NULL);

		if (rc == JZG_OK && (rc = zc) == JZG_OK) {
			*zip = zpath;
			zpath = NULL;
		}
	}
	strbuf_free(&names);
	free(zpath);
	free(sname);
	return rc;
}
