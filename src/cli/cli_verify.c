/* cli_verify.c — the verb verify (issue 18 item 4): the whole file checked
 * for changes made outside jzg (trust.h), each told in Chinese with what
 * was changed; exit 0 none, 1 some. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "cli_util.h"
#include "trust.h"

static void
verify_line(int finding, const char *text, void *arg)
{
	(void)arg;
	printf("%s：%s\n", finding ? "发现" : "说明", text);
}

static int
verify_exec(struct app *a, const struct cli_args *args)
{
	struct trust_result r;
	char *cause = NULL;

	(void)args;
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (trust_verify(a->st, "main", verify_line, NULL, &r, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法核对");
	if (r.findings > 200)
		printf("（以上只列出前 200 处）\n");
	if (r.findings == 0)
		printf("核对完毕：未发现在 jzg 之外对修改记录、审核、签字登记、操作员或数据的改动\n");
	else
		printf("核对完毕：发现 %d 处在 jzg 之外的改动\n", r.findings);
	return r.findings ? EXIT_FOUND : EXIT_CLEAN;
}

const struct cli_verb cli_verify = {
	.name = "verify", .usage = "verify",
	.help = "核对文件是否在 jzg 之外被改动：修改记录、审核、签字登记、操作员和每一项数据，逐条说明改了什么",
	.exec = verify_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_FILE,
};
