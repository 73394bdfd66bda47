/* cli_util.h — what every command-line verb file shares: one-line Chinese
 * errors on stderr with the exit status of a failure, and one option
 * parser for all verbs.  No curses. */
#ifndef JZG_CLI_UTIL_H
#define JZG_CLI_UTIL_H

/* Print "jzg: <message>" on stderr; returns EXIT_FAIL (2). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print cause (or fallback when NULL), free cause; returns EXIT_FAIL. */
int cli_fail_cause(char *cause, const char *fallback);

/* One option of a verb, --name, and where its value goes; a verb checks
 * the values (numbers, choices) after parsing. */
struct cli_opt {
	const char *name;
	enum {
		CLI_FLAG,   /* int *dst set to 1 */
		CLI_STR,    /* const char **dst = the value; the last one given wins */
		CLI_STRS    /* appended to the NULL-terminated const char *dst[] the caller sized argc + 1 */
	} kind;
	void       *dst;
};

/* Parse the options of argv[first..] by opts (ended by a NULL name) with
 * getopt_long, which also moves the positional arguments after them;
 * returns the index of the first positional argument.  Nothing to free:
 * the values stored point into argv.  An unknown option or one without
 * its value: says "<verb> 不认识参数 <arg>", followed by "（用法：<usage>）"
 * when usage is not NULL (just usage when verb is NULL), returns -1. */
int cli_opts(int argc, char **argv, int first, const char *verb, const struct cli_opt *opts, const char *usage);

/* *out = s as a decimal integer in lo..hi; -1 (nothing said) if it is not one. */
int cli_count(const char *s, long lo, long hi, long *out);

#endif
