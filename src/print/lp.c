/* lp.c — see lp.h. */
#include "lp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

#define LP_OUT_MAX 65536   /* more than any lpstat of a school's printers */

static const char no_cups[] =
	"本机没有安装打印服务 CUPS（找不到 %s 命令）：请在接打印机的电脑上安装（sudo apt-get install cups），"
	"或把 PDF 拷到能打印的电脑上打印";
static const char hung[] =
	"打印服务 CUPS 在 %d 秒内没有回应（%s）：请重新启动打印服务（sudo systemctl restart cups）或重新开机，再打印";
static const char not_running[] =
	"打印服务 CUPS 没有运行：请启动它（sudo systemctl start cups）或重新开机，再打印";

/* The environment with the C locale for CUPS's messages; the strings are
 * environ's own (free only the array). */
static char **
c_locale_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 2, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_", 3) != 0 && strncmp(environ[i], "LANG=", 5) != 0 &&
		    strncmp(environ[i], "LANGUAGE=", 9) != 0)
			env[k++] = environ[i];
	env[k++] = (char *)"LC_ALL=C";
	env[k] = NULL;
	return env;
}

/* How long lpstat and lp may take: a scheduler stuck on an unreachable
 * network printer makes them wait for ever, and the clerk's screen with
 * them.  JZG_LP_TIMEOUT (seconds) shortens it for the tests. */
static int
lp_timeout_s(void)
{
	const char *e = getenv("JZG_LP_TIMEOUT");
	int s = e != NULL ? atoi(e) : 0;

	return s > 0 ? s : 30;
}

static long long
ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Run argv[0] (found on PATH) with stdin from /dev/null; its stdout and
 * stderr together go to *out (caller frees, never NULL on success).
 * Returns 0 with the wait status in *status, or the errno of the start
 * (ENOENT: the command is not installed), or ETIMEDOUT when it had not
 * finished within lp_timeout_s() (it is killed). */
static int
run(char *const argv[], char **out, int *status)
{
	posix_spawn_file_actions_t fa;
	struct strbuf b = { 0 };
	char buf[512], **env;
	int fd[2], rc, open_fd = 1;
	ssize_t n;
	pid_t pid;
	long long deadline = ms_now() + 1000LL * lp_timeout_s();

	*out = NULL;
	*status = -1;   /* not a normal exit, should waitpid find no child */
	if (pipe2(fd, O_CLOEXEC) != 0)
		return errno;
	env = c_locale_env();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		return rc;
	}
	/* its output until it closes it, then its end, both by the deadline */
	for (;;) {
		long long left = deadline - ms_now();
		struct pollfd p = { .fd = fd[0], .events = POLLIN };
		pid_t w;

		if (!open_fd) {
			if ((w = waitpid(pid, status, WNOHANG)) == pid || (w < 0 && errno != EINTR))
				break;
		}
		if (left <= 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			close(fd[0]);
			strbuf_free(&b);
			return ETIMEDOUT;
		}
		if (!open_fd) {
			struct timespec nap = { 0, 20 * 1000000 };

			nanosleep(&nap, NULL);
			continue;
		}
		if (poll(&p, 1, (int)(left < 1000 ? left : 1000)) <= 0)
			continue;
		if ((n = read(fd[0], buf, sizeof buf)) > 0) {
			if (b.len < LP_OUT_MAX)
				strbuf_add(&b, buf, (size_t)n);
		} else if (n == 0 || errno != EINTR)
			open_fd = 0;
	}
	close(fd[0]);
	*out = b.s ? b.s : xstrdup("");
	return 0;
}

/* ---------------------------------------------------------------- printers */

static struct lp_printer *
find_printer(struct lp_printer *p, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(p[i].name) == len && strncmp(p[i].name, name, len) == 0)
			return &p[i];
	return NULL;
}

/* Read `lpstat -r -d -p -a`: the scheduler line, the default, a line per
 * printer ("printer NAME is idle.  …", "printer NAME disabled since … -"),
 * a line per printer on accepting ("NAME not accepting requests since … -");
 * a line ending in " -" is followed by a tab and the reason. */
static void
parse_lpstat(char *text, struct lp_printer **out, size_t *n, int *running)
{
	struct lp_printer *p = NULL, *last = NULL;
	char *def = NULL, *save = NULL;
	size_t cap = 0;

	*running = 1;
	for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strcspn(line, " ");
		char *reason = NULL;

		if (line[0] == '\t') {
			reason = str_trim(line);
			if (last != NULL && last->reason == NULL && strcmp(reason, "reason unknown") != 0)
				last->reason = xstrdup(reason);
			continue;
		}
		last = NULL;
		if (strcmp(line, "scheduler is not running") == 0)
			*running = 0;
		else if (strncmp(line, "system default destination: ", 28) == 0)
			def = line + 28;
		else if (strncmp(line, "printer ", 8) == 0) {
			line += 8;
			len = strcspn(line, " ");
			if ((last = find_printer(p, *n, line, len)) == NULL) {
				if (*n == cap) {
					cap = cap ? 2 * cap : 8;
					p = xreallocarray(p, cap, sizeof *p);
				}
				last = memset(&p[(*n)++], 0, sizeof *p);
				last->name = xstrndup(line, len);
			}
			last->paused = strstr(line + len, " disabled since ") != NULL;
		} else if (strstr(line + len, " not accepting requests since ") == line + len &&
		    (last = find_printer(p, *n, line, len)) != NULL)
			last->rejecting = 1;
	}
	if (def != NULL)
		for (size_t i = 0; i < *n; i++)
			p[i].is_default = strncmp(p[i].name, def, strcspn(def, "/ ")) == 0 &&
			    strlen(p[i].name) == strcspn(def, "/ ");
	*out = p;
}

enum jzg_status
lp_printers(struct lp_printer **out, size_t *n, char **cause)
{
	char *argv[] = { "lpstat", "-r", "-d", "-p", "-a", NULL }, *text;
	int rc, status = 0, running;

	*out = NULL;
	*n = 0;
	if ((rc = run(argv, &text, &status)) != 0)
		return rc == ENOENT ? jzg_fail(cause, JZG_ERR_NOTFOUND, no_cups, "lpstat") :
		    rc == ETIMEDOUT ? jzg_fail(cause, JZG_ERR_IO, hung, lp_timeout_s(), "lpstat") :
		    jzg_fail(cause, JZG_ERR_IO, "无法启动 lpstat（%s）", strerror(rc));
	parse_lpstat(text, out, n, &running);
	free(text);
	if (!running) {
		lp_printers_free(*out, *n);
		*out = NULL;
		*n = 0;
		return jzg_fail(cause, JZG_ERR_IO, "%s", not_running);
	}
	return JZG_OK;
}

void
lp_printers_free(struct lp_printer *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].reason);
	}
	free(p);
}

char *
lp_printer_state(const struct lp_printer *p)
{
	const char *what = p->paused ? "已暂停" : p->rejecting ? "不接受任务" : "空闲";

	if ((p->paused || p->rejecting) && p->reason != NULL)
		return xasprintf("%s（%s）", what, p->reason);
	return xstrdup(what);
}

/* ---------------------------------------------------------------- printing */

/* "。本机的打印机：A（默认）、B" — what the clerk can choose instead. */
static void
add_printer_list(struct strbuf *b)
{
	struct lp_printer *p;
	size_t n;

	if (lp_printers(&p, &n, NULL) != JZG_OK)
		return;
	if (n == 0)
		strbuf_adds(b, "。本机还没有设置任何打印机（在系统的“打印机”设置里添加）");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(b, "%s%s%s", i ? "、" : "。本机的打印机：", p[i].name, p[i].is_default ? "（默认）" : "");
	lp_printers_free(p, n);
}

/* What lp said (C locale), in Chinese with what to do. */
static char *
explain(const char *said, const char *printer)
{
	struct strbuf b = { 0 };
	const char *q;

	if (strstr(said, "No default destination") != NULL) {
		strbuf_adds(&b, "没有设置默认打印机：请指定打印机（命令行加 --printer 打印机名，jzg printers 列出打印机），"
		    "或在系统的“打印机”设置里把一台设为默认（lpoptions -d 打印机名）");
		add_printer_list(&b);
	} else if (strstr(said, "does not exist") != NULL || strstr(said, "nknown destination") != NULL ||
	    strstr(said, "nvalid destination") != NULL) {
		strbuf_addf(&b, "没有名为“%s”的打印机（名字要与系统里的一字不差）", printer ? printer : "");
		add_printer_list(&b);
	} else if (strstr(said, "not accepting jobs") != NULL) {
		char *name = (q = strchr(said, '"')) != NULL ? xstrndup(q + 1, strcspn(q + 1, "\"")) :
		    xstrdup(printer ? printer : "");

		strbuf_addf(&b, "打印机“%s”设为不接受打印任务：请在系统的“打印机”设置里让它接受任务"
		    "（或 sudo cupsaccept %s），再打印", name, name);
		free(name);
	} else if (strstr(said, "scheduler not responding") != NULL || strstr(said, "Unable to connect") != NULL ||
	    strstr(said, "Connection refused") != NULL)
		strbuf_adds(&b, not_running);
	else
		strbuf_addf(&b, "打印失败（lp：%s）", *said ? said : "没有说明原因");
	return b.s;
}

/* After lp queued the job on dest: is that printer paused?  Then the job
 * waits and nothing comes out — say so, and why when CUPS knows. */
static int
paused(const char *dest, char **reason)
{
	char *argv[] = { "lpstat", "-p", (char *)dest, NULL }, *text;
	struct lp_printer *p = NULL;
	size_t n = 0;
	int status = 0, running, r = 0;

	*reason = NULL;
	if (run(argv, &text, &status) != 0)
		return 0;
	parse_lpstat(text, &p, &n, &running);
	free(text);
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, dest) == 0 && p[i].paused) {
			r = 1;
			*reason = p[i].reason ? xstrdup(p[i].reason) : NULL;
		}
	lp_printers_free(p, n);
	return r;
}

enum jzg_status
lp_print(const char *path, struct lp_job *job, char **cause)
{
	char *abs = realpath(path, NULL), *out = NULL, *argv[16], copies[16], *said;
	int rc, status = 0, k = 0;
	const char *rid;

	job->msg = NULL;
	job->paused = 0;
	if (abs == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到要打印的文件 %s", path);
	argv[k++] = "lp";
	if (job->printer != NULL) {
		argv[k++] = "-d";
		argv[k++] = (char *)job->printer;
	}
	if (job->copies > 1) {
		snprintf(copies, sizeof copies, "%d", job->copies);
		argv[k++] = "-n";
		argv[k++] = copies;
		argv[k++] = "-o";
		argv[k++] = "collate=true";     /* whole sheets in order, not page 1 × n, page 2 × n */
	}
	argv[k++] = "-o";
	argv[k++] = "media=A4";
	if (job->duplex) {
		argv[k++] = "-o";
		argv[k++] = "sides=two-sided-long-edge";
	}
	argv[k++] = abs;   /* absolute, so a file name starting with "-" is not an option */
	argv[k] = NULL;
	if ((rc = run(argv, &out, &status)) != 0) {
		free(abs);
		if (rc == ENOENT) {
			char *why = xasprintf(no_cups, "lp");

			jzg_fail(cause, JZG_ERR_NOTFOUND, "%s。PDF 已保存在 %s", why, path);
			free(why);
			return JZG_ERR_NOTFOUND;
		}
		if (rc == ETIMEDOUT) {
			char *why = xasprintf(hung, lp_timeout_s(), "lp");

			jzg_fail(cause, JZG_ERR_IO, "%s。PDF 已保存在 %s；打印机上可能已有这份作业，重打前请先看一看", why, path);
			free(why);
			return JZG_ERR_IO;
		}
		return jzg_fail(cause, JZG_ERR_IO, "无法启动 lp（%s）。PDF 已保存在 %s，可拷到其他电脑打印",
		    strerror(rc), path);
	}
	free(abs);
	said = str_trim(out);
	for (char *c = said; *c != '\0'; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *why = explain(said, job->printer);

		jzg_fail(cause, JZG_ERR_IO, "%s。PDF 已保存在 %s，可拷到其他电脑打印", why, path);
		free(why);
		free(out);
		return JZG_ERR_IO;
	}
	/* "request id is NAME-42 (1 file(s))": the queue is NAME */
	if ((rid = strstr(said, "request id is ")) != NULL) {
		char *id = xstrndup(rid + 14, strcspn(rid + 14, " ")), *dash = strrchr(id, '-'), *reason = NULL;
		char *dest = xstrndup(id, dash ? (size_t)(dash - id) : strlen(id));

		if ((job->paused = paused(dest, &reason)))
			job->msg = xasprintf("已送往打印机“%s”（任务 %s），但这台打印机已暂停%s%s%s：任务在排队，"
			    "恢复前不会打印。请检查打印机的电源、纸张和连接线，再在系统的“打印机”设置里恢复它"
			    "（或 sudo cupsenable %s）。PDF：%s", dest, id, reason ? "（" : "", reason ? reason : "",
			    reason ? "）" : "", dest, path);
		else
			job->msg = xasprintf("已送往打印机“%s”（任务 %s%s%s%s%s）：%s", dest, id,
			    job->copies > 1 ? "，" : "", job->copies > 1 ? copies : "", job->copies > 1 ? " 份" : "",
			    job->duplex ? "，双面" : "", path);
		free(reason);
		free(dest);
		free(id);
	} else
		job->msg = xasprintf("已送往打印机（%s）：%s", *said ? said : "lp", path);
	free(out);
	return JZG_OK;
}
