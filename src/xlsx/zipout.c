/* zipout.c — see zipout.h. */
#include "zipout.h"

#include <errno.h>
#include <minizip/zip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "outfile.h"
#include "util.h"

struct zipout {
	zipFile  zf;
	char    *path, *tmp;
	int      y, m, d;
	int      failed;
};

enum jzg_status
zipout_open(const char *path, const char *date, struct zipout **out, char **cause)
{
	struct zipout *z = xcalloc(1, sizeof *z);

	*out = NULL;
	if (date == NULL || sscanf(date, "%d-%d-%d", &z->y, &z->m, &z->d) != 3) {
		z->y = 2013; z->m = 9; z->d = 1;
	}
	z->path = xstrdup(path);
	z->tmp = outfile_part(path);
	if ((z->zf = zipOpen64(z->tmp, APPEND_STATUS_CREATE)) == NULL) {
		enum jzg_status rc = jzg_fail(cause, JZG_ERR_IO, "无法创建 %s（请检查目录是否存在、是否可写）", path);

		free(z->path);
		free(z->tmp);
		free(z);
		return rc;
	}
	*out = z;
	return JZG_OK;
}

enum jzg_status
zipout_add(struct zipout *z, const char *name, const char *src, char **cause)
{
	zip_fileinfo zi = { 0 };
	FILE *fp = fopen(src, "rb");
	char *buf;
	size_t n;
	int rc;

	if (fp == NULL) {
		z->failed = 1;
		return jzg_fail(cause, JZG_ERR_IO, "无法读取 %s：%s", src, strerror(errno));
	}
	zi.tmz_date.tm_year = (unsigned)z->y;
	zi.tmz_date.tm_mon = (unsigned)z->m - 1;
	zi.tmz_date.tm_mday = (unsigned)z->d;
	/* flagBase 1<<11: the name is UTF-8, so Chinese names survive unzip
	 * tools.  Made on Unix (3) by version 2.0: Debian's unzip takes the
	 * names of MS-DOS archives as CP437 and mangles them whatever bit 11
	 * says; with it, the mode bits (a regular file, rw-r--r--) count. */
	zi.external_fa = 0100644UL << 16;
	rc = zipOpenNewFileInZip4_64(z->zf, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 0,
	    -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, NULL, 0, (3 << 8) | 20, 1 << 11, 1);
	buf = xmalloc(1 << 16);
	while (rc == ZIP_OK && (n = fread(buf, 1, 1 << 16, fp)) > 0)
		rc = zipWriteInFileInZip(z->zf, buf, (unsigned)n);
	if (ferror(fp))
		rc = ZIP_ERRNO;
	free(buf);
	fclose(fp);
	if (zipCloseFileInZip(z->zf) != ZIP_OK && rc == ZIP_OK)
		rc = ZIP_ERRNO;
	if (rc != ZIP_OK) {
		z->failed = 1;
		return jzg_fail(cause, JZG_ERR_IO, "写入 %s 失败（磁盘已满？）", z->path);
	}
	return JZG_OK;
}

enum jzg_status
zipout_close(struct zipout *z, int commit, char **cause)
{
	enum jzg_status rc = JZG_OK;

	if (zipClose(z->zf, NULL) != ZIP_OK && commit && !z->failed)
		rc = jzg_fail(cause, JZG_ERR_IO, "写入 %s 失败（磁盘已满？）", z->path);
	if (commit && !z->failed && rc == JZG_OK)
		rc = outfile_commit(z->tmp, z->path, cause);
	else
		unlink(z->tmp);
	free(z->path);
	free(z->tmp);
	free(z);
	return rc;
}
