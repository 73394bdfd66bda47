/* cli_util.c — see cli_util.h. */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
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
 * '?' for an unknown option cannot be taken for an entry of the table. */
enum { OPT_VAL0 = 0x100 };

int
cli_opts(int argc, char **argv, int first, const char *verb, const struct cli_opt *opts, const char *usage)
{
	struct option *lo;
	size_t n = 0;
	int c;

	while (opts[n].name != NULL)
		n++;
	lo = xcalloc(n + 1, sizeof *lo);
	for (size_t i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].kind == CLI_FLAG ? no_argument : required_argument;
		lo[i].val = OPT_VAL0 + (int)i;
	}
	/* "jzg user" alone: getopt_long would read past argv's NULL */
	optind = first < argc ? first : argc;
	opterr = 0;   /* getopt's own messages are English; ours follow the loop */
	while ((c = getopt_long(argc, argv, "", lo, NULL)) >= OPT_VAL0) {
		const struct cli_opt *o = &opts[c - OPT_VAL0];
		const char **v = o->dst;

		if (o->kind == CLI_FLAG)
			*(int *)o->dst = 1;
		else if (o->kind == CLI_STR)
			*v = optarg;
		else {
			while (*v != NULL)
				v++;
			*v = optarg;
		}
	}
	free(lo);
	if (c == -1)
		return optind;
	if (verb == NULL)
		cli_fail("%s", usage);
	else if (usage == NULL)
		cli_fail("%s 不认识参数 %s", verb, argv[optind - 1]);
	else
		cli_fail("%s 不认识参数 %s（用法：%s）", verb, argv[optind - 1], usage);
	return -1;
}

int
cli_count(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}
