/* outfile.c — see outfile.h. */
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void (*notice)(const char *);

void
outfile_set_notice(void (*fn)(const char *msg))
{
	notice = fn;
}

static const char *
tmp_root(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && *t == '/' ? t : "/tmp";
}

/* The pid a temporary name carries, or 0: ".NAME.<pid>.part" (and the
 * "-journal" SQLite kept beside one) or "jzg_WHAT_<pid>_XXXXXX". */
static long
pid_of(const char *name)
{
	const char *p, *e;
	size_t n = strlen(name);

	if (name[0] == '.' && ((n > 5 && strcmp(name + n - 5, ".part") == 0 && (e = name + n - 5)) ||
	    (n > 13 && strcmp(name + n - 13, ".part-journal") == 0 && (e = name + n - 13)))) {
		for (p = e; p > name + 1 && p[-1] >= '0' && p[-1] <= '9'; p--)
			;
		return p < e && p[-1] == '.' ? strtol(p, NULL, 10) : 0;
	}
	if (strncmp(name, "jzg_", 4) == 0 && (p = strchr(name + 4, '_')) != NULL) {
		long pid = strtol(p + 1, (char **)&e, 10);

		return e > p + 1 && *e == '_' ? pid : 0;
	}
	return 0;
}

static int
running(long pid)
{
	return pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

void
outfile_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				char *p = xasprintf("%s/%s", dir, e->d_name);

				unlink(p);
				free(p);
			}
		closedir(d);
	}
	rmdir(dir);
}

int
outfile_sweep(const char *dir)
{
	const char *where = dir ? dir : tmp_root();
	DIR *d = opendir(where);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		long pid = pid_of(e->d_name);
		struct stat sb;
		char *p;

		/* in $TMPDIR only our own directories; beside outputs only our files */
		if (pid <= 0 || running(pid) || (dir == NULL) != (e->d_name[0] == 'j'))
			continue;
		p = xasprintf("%s/%s", where, e->d_name);
		if (lstat(p, &sb) == 0 && sb.st_uid == getuid() &&
		    (S_ISDIR(sb.st_mode) ? (outfile_rmtree(p), access(p, F_OK) != 0) : unlink(p) == 0)) {
			char *m = xasprintf("已删除上次中断留下的临时文件 %s", p);

			if (notice != NULL)
				notice(m);
			else
				fprintf(stderr, "jzg: %s\n", m);
			free(m);
			n++;
		}
		free(p);
	}
	closedir(d);
	return n;
}

char *
outfile_part(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	char *tmp = xasprintf("%s/.%s.%ld.part", slash == path ? "" : dir, slash ? slash + 1 : path, (long)getpid());
	static char *swept;   /* once per directory in a row: photo export writes thousands */

	if (!str_eq(swept, dir)) {
		outfile_sweep(slash == path ? "/" : dir);
		free(swept);
		swept = dir;
	} else
		free(dir);
	return tmp;
}

/* fsync path (a directory when dir) */
static int
sync_path(const char *path, int dir)
{
	int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	/* some file systems (vfat on a stick, tmpfs) refuse a directory fsync */
	return dir ? 0 : r;
}

enum jzg_status
outfile_commit(const char *tmp, const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (sync_path(tmp, 0) != 0) {
		int e = errno;

		unlink(tmp);
		return jzg_fail(cause, JZG_ERR_IO, "写入 %s 失败：%s（磁盘已满或 U 盘已拔出？）", path,
		    e == ENOSPC ? "磁盘已满" : strerror(e));
	}
	if (rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return jzg_fail(cause, JZG_ERR_IO, "无法生成 %s：%s", path, strerror(e));
	}
	dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	sync_path(dir, 1);
	free(dir);
	return JZG_OK;
}

enum jzg_status
outfile_tmpdir(const char *what, char **dir, char **cause)
{
	outfile_sweep(NULL);
	*dir = xasprintf("%s/jzg_%s_%ld_XXXXXX", tmp_root(), what, (long)getpid());
	if (mkdtemp(*dir) == NULL) {
		enum jzg_status rc = jzg_fail(cause, JZG_ERR_IO, "无法在 %s 中创建临时目录：%s（请检查 TMPDIR 和磁盘空间）",
		    tmp_root(), strerror(errno));

		free(*dir);
		*dir = NULL;
		return rc;
	}
	return JZG_OK;
}

enum jzg_status
outfile_copy(const char *from, const char *to, char **cause)
{
	int in = open(from, O_RDONLY), out = -1, e = 0;
	char *buf = xmalloc(1 << 16);
	ssize_t n = 0;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (in < 0 || out < 0)
		e = errno;
	while (e == 0 && (n = read(in, buf, 1 << 16)) > 0)
		if (write(out, buf, (size_t)n) != n)
			e = errno ? errno : ENOSPC;
	if (e == 0 && n < 0)
		e = errno;
	if (e == 0 && fsync(out) != 0)
		e = errno;
	if (out >= 0 && close(out) != 0 && e == 0)
		e = errno;
	if (in >= 0)
		close(in);
	free(buf);
	if (e != 0) {
		if (out >= 0)
			unlink(to);
		return jzg_fail(cause, JZG_ERR_IO, "写入 %s 失败：%s", to, e == ENOSPC ? "磁盘已满" : strerror(e));
	}
	return JZG_OK;
}
