/* cli_util.c — see cli_util.h. */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("jzg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int
cli_fail_cause(char *cause, const char *fallback)
{
	cli_fail("%s", cause ? cause : fallback);
	free(cause);
	return EXIT_FAIL;
}

/* getopt_long returns an option's val: above any character, so that its
 * '?' and ':' cannot be taken for an entry of the table. */
enum { OPT_VAL0 = 0x100 };

static void
usage_line(const struct cli_verb *v, FILE *fp)
{
	fprintf(fp, "jzg %s%s", v->needs_db ? "--db 文件 " : "", v->usage);
}

int
cli_usage(const struct cli_args *a)
{
	fputs("jzg: 用法：", stderr);
	usage_line(a->verb, stderr);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

void
cli_verb_print(const struct cli_verb *v, FILE *fp)
{
	fprintf(fp, "  jzg [--db 数据文件] %s\n      %s\n", v->usage, v->help);
}

int
cli_args_parse(const struct cli_verb *v, int argc, char **argv, struct cli_args *out)
{
	struct option *lo;
	size_t n = 0, *k;
	int c;

	while (v->opts != NULL && v->opts[n].name != NULL)
		n++;
	out->verb = v;
	out->val = xcalloc(n + 1, sizeof *out->val);
	k = xcalloc(n + 1, sizeof *k);
	lo = xcalloc(n + 2, sizeof *lo);
	for (size_t i = 0; i < n; i++) {
		out->val[i] = xcalloc((size_t)argc + 1, sizeof **out->val);
		lo[i].name = v->opts[i].name;
		lo[i].has_arg = v->opts[i].kind == CLI_FLAG ? no_argument : required_argument;
		lo[i].val = OPT_VAL0 + (int)i;
	}
	lo[n].name = "help";       /* every verb: jzg VERB --help */
	lo[n].val = 'h';
	optind = 0;                /* a fresh scan of this argv, options and arguments in any order */
	opterr = 0;                /* getopt's own messages are English; ours follow the loop */
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) >= OPT_VAL0) {
		size_t i = (size_t)(c - OPT_VAL0);

		/* a flag or a single value keeps one slot: the last one given */
		if (v->opts[i].kind != CLI_STRS && k[i] > 0)
			k[i] = 0;
		out->val[i][k[i]++] = v->opts[i].kind == CLI_FLAG ? "" : optarg;
	}
	free(lo);
	free(k);
	out->argc = argc - optind;
	out->argv = argv + optind;
	if (c == 'h')
		return 1;
	if (c != -1) {
		fprintf(stderr, "jzg: %s 不认识参数 %s（用法：", v->name, argv[optind - 1]);
		usage_line(v, stderr);
		fputs("）\n", stderr);
		return -1;
	}
	if (v->max_args >= 0 && out->argc > v->max_args) {
		cli_usage(out);
		return -1;
	}
	return 0;
}

void
cli_args_free(struct cli_args *a)
{
	for (size_t i = 0; a->val != NULL && a->val[i] != NULL; i++)
		free(a->val[i]);
	free(a->val);
	a->val = NULL;
}

const char *
cli_arg(const struct cli_args *a, int opt)
{
	const char **v = a->val[opt];
	const char *last = NULL;

	while (*v != NULL)
		last = *v++;
	return last;
}

int
cli_flag(const struct cli_args *a, int opt)
{
	return a->val[opt][0] != NULL;
}

const char **
cli_args_all(const struct cli_args *a, int opt)
{
	return a->val[opt];
}