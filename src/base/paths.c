/* paths.c — see paths.h. */
#include "paths.h"

#include <errno.h>
#include <limits.h>
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

static char *
find_dir(const char *env, const char *leaf)
{
	const char *e = getenv(env);
	char exe[PATH_MAX];
	ssize_t n;
	char *p;

	if (!str_empty(e))
		return xstrdup(e);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			p = xasprintf("%s/../share/jzg/%s", exe, leaf);
			if (is_dir(p))
				return p;
			free(p);
		}
	}
	p = xasprintf("%s/%s", JZG_DATA_DIR, leaf);
	if (is_dir(p))
		return p;
	free(p);
	return xasprintf("%s/%s", JZG_SOURCE_DIR, leaf);
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

static int
mkdir_p(const char *path)
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
	if (mkdir_p(dir) != 0) {
		jzg_fail(cause, JZG_ERR_IO, "无法创建目录 %s：%s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	db = xasprintf("%s/jzg.db", dir);
	free(dir);
	return db;
}
