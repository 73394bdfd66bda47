/* paths.c — see paths.h. */
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "util.h"

static int
is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Where leaf ("forms" or "data") may be, in the order looked at: beside
 * the binary (an installed package: /usr/bin/jzg → /usr/share/jzg), the
 * prefix compiled in, and in a developer build the source tree.  Writes at
 * most 3 new strings to c[] and returns how many. */
static int
candidates(const char *leaf, char *c[3])
{
	char exe[PATH_MAX];
	ssize_t n;
	int k = 0;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;

		exe[n] = '\0';
		for (int up = 0; up < 2 && (slash = strrchr(exe, '/')) != NULL; up++)
			*slash = '\0';   /* /usr/bin/jzg → /usr */
		c[k++] = xasprintf("%s/share/jzg/%s", exe, leaf);
	}
	c[k++] = xasprintf("%s/%s", JZG_DATA_DIR, leaf);
#ifdef JZG_SOURCE_DIR
	c[k++] = xasprintf("%s/%s", JZG_SOURCE_DIR, leaf);
#endif
	return k;
}

/* $env, else the first candidate that is a directory, else the first
 * candidate (so that a failure names the place the files belong). */
static char *
find_dir(const char *env, const char *leaf)
{
	const char *e = getenv(env);
	char *c[3], *found = NULL;
	int n;

	if (!str_empty(e))
		return xstrdup(e);
	n = candidates(leaf, c);
	for (int i = 0; i < n && found == NULL; i++)
		if (is_dir(c[i]))
			found = c[i];
	if (found == NULL)
		found = c[0];
	for (int i = 0; i < n; i++)
		if (c[i] != found)
			free(c[i]);
	return found;
}

char *
paths_missing(const char *forms, const char *data)
{
	const char *dir = forms != NULL && !is_dir(forms) ? forms : data != NULL && !is_dir(data) ? data : NULL;
	const char *leaf = dir == forms ? "forms" : "data", *env = dir == forms ? "JZG_FORMS" : "JZG_DATA";
	struct strbuf where = { 0 };
	char *c[3], *msg, *slash;
	int n;

	if (dir == NULL)
		return NULL;
	if (!str_empty(getenv(env)))
		return xasprintf("环境变量 %s 指定的目录 %s 不存在，无法读取指标定义；请改正或删除这个环境变量", env, dir);
	n = candidates(leaf, c);
	for (int i = 0; i < n; i++) {
		strbuf_addf(&where, "%s%s", i ? "、" : "", c[i]);
		free(c[i]);
	}
	slash = strrchr(dir, '/');
	msg = xasprintf("找不到指标定义目录 %s（已查找：%s）。指标定义 forms 和代码表 data 随 jzg 软件包安装在 %s；"
	    "请重新安装 jzg（离线安装包中的 install.sh，或 sudo dpkg -i jzg_*.deb），"
	    "或把 forms、data 两个目录复制到 %.*s，或用 --forms 目录 --data 目录 指定",
	    leaf, where.s, JZG_DATA_DIR, slash ? (int)(slash - dir + 1) : 0, dir);
	strbuf_free(&where);
	return msg;
}

char *
paths_forms_dir(void)
{
	return find_dir("JZG_FORMS", "forms");
}

char *
paths_data_dir(void)
{
	return find_dir("JZG_DATA", "data");
}

int
paths_mkdir(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* XDG_DOCUMENTS_DIR="$HOME/文档" from user-dirs.dirs, $HOME expanded; or NULL. */
static char *
xdg_documents(const char *home)
{
	const char *cfg = getenv("XDG_CONFIG_HOME");
	char *file = !str_empty(cfg) ? xasprintf("%s/user-dirs.dirs", cfg) : xasprintf("%s/.config/user-dirs.dirs", home);
	FILE *f = fopen(file, "r");
	char line[1024], *dir = NULL;

	free(file);
	while (f != NULL && dir == NULL && fgets(line, sizeof line, f) != NULL) {
		char *v, *end;

		if (strncmp(line, "XDG_DOCUMENTS_DIR=\"", 19) != 0 || (end = strrchr(line + 19, '"')) == NULL)
			continue;
		*end = '\0';
		v = line + 19;
		dir = strncmp(v, "$HOME", 5) == 0 ? xasprintf("%s%s", home, v + 5) : v[0] == '/' ? xstrdup(v) : NULL;
	}
	if (f != NULL)
		fclose(f);
	return dir;
}

char *
paths_output_dir(const char *school_code, const char *school_name, char **cause)
{
	const char *home = getenv("HOME");
	char *docs, *dir, *name;

	if (str_empty(home)) {
		jzg_fail(cause, JZG_ERR_NOTFOUND, "未设置 HOME，不知道把文件存在哪里");
		return NULL;
	}
	if ((docs = xdg_documents(home)) == NULL) {
		docs = xasprintf("%s/文档", home);
		if (!is_dir(docs)) {
			free(docs);
			docs = xasprintf("%s/Documents", home);
		}
	}
	/* a school name with "/" must not make a sub-folder */
	name = xstrdup(school_name ? school_name : "");
	for (char *c = name; *c; c++)
		if (*c == '/')
			*c = '_';
	dir = xasprintf("%s/jzg/%s_%s", docs, school_code, name);
	free(docs);
	free(name);
	if (paths_mkdir(dir) != 0) {
		jzg_fail(cause, JZG_ERR_IO, "无法创建目录 %s：%s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

char *
paths_default_db(char **cause)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *dir, *db;

	if (!str_empty(xdg))
		dir = xasprintf("%s/jzg", xdg);
	else if (!str_empty(home))
		dir = xasprintf("%s/.local/share/jzg", home);
	else {
		jzg_fail(cause, JZG_ERR_NOTFOUND, "未设置 HOME 或 XDG_DATA_HOME，请用 --db 指定数据文件");
		return NULL;
	}
	if (paths_mkdir(dir) != 0) {
		jzg_fail(cause, JZG_ERR_IO, "无法创建目录 %s：%s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	db = xasprintf("%s/jzg.db", dir);
	free(dir);
	return db;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
paths_complete(const char *typed, int *nmatch, char **list)
{
	const char *home = getenv("HOME"), *slash;
	char *full, *dir, *base, *common = NULL, **names = NULL, *out;
	size_t n = 0, cap = 0, keep;
	DIR *d;
	struct dirent *e;

	*nmatch = 0;
	if (list != NULL)
		*list = NULL;
	full = typed[0] == '~' && typed[1] == '/' && home ? xasprintf("%s%s", home, typed + 1) : xstrdup(typed);
	slash = strrchr(full, '/');
	dir = slash ? (slash == full ? xstrdup("/") : xstrndup(full, (size_t)(slash - full))) : xstrdup(".");
	base = xstrdup(slash ? slash + 1 : full);
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, base, strlen(base)) != 0 || (e->d_name[0] == '.' && base[0] != '.') ||
			    strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				names = xrealloc(names, cap * sizeof *names);
			}
			names[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	if (n == 0) {
		free(full);
		free(dir);
		free(base);
		return xstrdup(typed);
	}
	xqsort(names, n, sizeof *names, name_cmp);
	/* the longest prefix they share, cut at a whole UTF-8 character */
	keep = strlen(names[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;

		while (k < keep && names[i][k] == names[0][k])
			k++;
		keep = k;
	}
	while (keep > 0 && ((unsigned char)names[0][keep] & 0xC0) == 0x80)
		keep--;
	common = xstrndup(names[0], keep);
	/* typed keeps its own spelling (~/), only the completed part is added */
	out = xasprintf("%s%s", typed, common + strlen(base));
	if (n == 1) {
		char *path = xasprintf("%s/%s", dir, names[0]);
		struct stat sb;

		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			char *o2 = xasprintf("%s/", out);

			free(out);
			out = o2;
		}
		free(path);
	} else if (list != NULL) {
		struct strbuf b = { 0 };

		for (size_t i = 0; i < n && i < 20; i++)
			strbuf_addf(&b, "%s%s", i ? "  " : "", names[i]);
		if (n > 20)
			strbuf_addf(&b, "  …（共 %zu 个）", n);
		*list = strbuf_take(&b);
	}
	*nmatch = (int)n;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(common);
	free(full);
	free(dir);
	free(base);
	return out;
}
