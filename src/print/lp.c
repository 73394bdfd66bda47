/* lp.c — see lp.h. */
#include "lp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

enum jzg_status
lp_print(const char *path, char **msg, char **cause)
{
	char *abs = realpath(path, NULL), *out;
	posix_spawn_file_actions_t fa;
	struct strbuf b = { 0 };
	char buf[512];
	int fd[2], rc, status = 0;
	ssize_t n;
	pid_t pid;

	*msg = NULL;
	if (abs == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到要打印的文件 %s", path);
	if (pipe2(fd, O_CLOEXEC) != 0) {
		free(abs);
		return jzg_fail(cause, JZG_ERR_IO, "无法启动打印（%s）。PDF 已保存在 %s", strerror(errno), path);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
	{
		/* An absolute path, so a file name starting with "-" is not an option. */
		char *argv[] = { "lp", "-o", "media=A4", abs, NULL };

		rc = posix_spawnp(&pid, "lp", &fa, NULL, argv, environ);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		free(abs);
		if (rc == ENOENT)
			return jzg_fail(cause, JZG_ERR_NOTFOUND,
			    "本机没有打印服务（找不到 CUPS 的 lp 命令，可用 sudo apt-get install cups-client 安装）。"
			    "PDF 已保存在 %s，可拷到其他电脑打印", path);
		return jzg_fail(cause, JZG_ERR_IO, "无法启动 lp（%s）。PDF 已保存在 %s，可拷到其他电脑打印",
		    strerror(rc), path);
	}
	while ((n = read(fd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && b.len < 4096)
			strbuf_add(&b, buf, (size_t)n);
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(abs);
	out = b.s ? str_trim(b.s) : "";
	for (char *c = out; *c != '\0'; c++)
		if (*c == '\n')
			*c = ' ';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		jzg_fail(cause, JZG_ERR_IO, "打印失败（lp：%s）。PDF 已保存在 %s，可拷到其他电脑打印",
		    *out ? out : "没有可用的打印机", path);
		strbuf_free(&b);
		return JZG_ERR_IO;
	}
	*msg = xasprintf("已送往打印机（%s）：%s", *out ? out : "lp", path);
	strbuf_free(&b);
	return JZG_OK;
}
