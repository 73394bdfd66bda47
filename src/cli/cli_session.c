/* cli_session.c — see cli_session.h. */
#include "cli_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit.h"
#include "util.h"

char *
cli_read_password(const char *env, const char *prompt)
{
	const char *e = env ? getenv(env) : NULL;
	struct termios old, quiet;
	char buf[512];
	FILE *tty;
	int echo_off;

	if (e != NULL)
		return xstrdup(e);
	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return NULL;
	fputs(prompt, tty);
	fflush(tty);
	echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof buf, tty) == NULL)
		buf[0] = '\0';
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static const char *
verb_path(const char *verb_name)
{
	if (verb_name == NULL)
		return AUDIT_PATH_CLIENT;
	if (strcmp(verb_name, "import") == 0 || strcmp(verb_name, "photo import") == 0)
		return AUDIT_PATH_IMPORT;
	if (strcmp(verb_name, "merge") == 0)
		return AUDIT_PATH_MERGE;
	if (strcmp(verb_name, "demo") == 0)
		return AUDIT_PATH_DEMO;
	return AUDIT_PATH_CLI;
}

int
cli_session_login(struct app *a)
{
	char *cause = NULL, *pw;
	int n;

	if (operator_count(a->st, &n, &cause) != JZG_OK) {
		fprintf(stderr, "jzg: %s\n", cause);
		free(cause);
		return -1;
	}
	/* Synthetic data is not keyed by anyone: no trail, no lock. */
	if (a->verb != NULL && strcmp(a->verb, "demo") == 0)
		audit_enable(a->st, 0);
	if (n == 0) {
		if (a->user != NULL) {
			fprintf(stderr, "jzg: 此文件还没有操作员，不需要 --user；如需分工录入和审核，请先用 jzg --db 文件 user add --name 用户名 --role 管理员 创建管理员\n");
			return -1;
		}
		audit_set(a->st, NULL, 0, verb_path(a->verb));
		return 0;
	}
	if (a->user == NULL) {
		if (a->verb == NULL)   /* the client asks on its login screen */
			return audit_set(a->st, NULL, 0, verb_path(a->verb)), 0;
		fprintf(stderr, "jzg: 此文件已设置操作员，请用 --user 用户名 登录（密码取自环境变量 JZG_PASSWORD，未设置时在终端输入）\n");
		return -1;
	}
	if ((pw = cli_read_password("JZG_PASSWORD", "密码：")) == NULL) {
		fprintf(stderr, "jzg: 无法读取密码：请设置环境变量 JZG_PASSWORD 或在终端中运行\n");
		return -1;
	}
	operator_free(a->op);
	a->op = NULL;
	if (operator_login(a->st, a->user, pw, &a->op, &cause) != JZG_OK) {
		fprintf(stderr, "jzg: %s\n", cause);
		free(cause);
		free(pw);
		return -1;
	}
	free(pw);
	audit_set(a->st, a->op->name, a->op->school_id == 0, verb_path(a->verb));
	return 0;
}
