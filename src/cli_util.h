/* cli_util.h — what every command-line verb file shares: one-line Chinese
 * errors on stderr with the exit status of a failure.  No curses. */
#ifndef JZG_CLI_UTIL_H
#define JZG_CLI_UTIL_H

/* Print "jzg: <message>" on stderr; returns EXIT_FAIL (2). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print cause (or fallback when NULL), free cause; returns EXIT_FAIL. */
int cli_fail_cause(char *cause, const char *fallback);

#endif
