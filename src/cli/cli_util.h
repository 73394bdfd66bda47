/* cli_util.h — what every command-line verb shares: the verb entry (its
 * name, usage, help, options and code in one place, tmux's cmd_entry),
 * the parsed arguments it runs with, and one-line Chinese errors on stderr
 * with the exit status of a failure.  No curses.
 *
 * Adding a verb: write its exec function and its `const struct cli_verb`
 * beside it, declare the entry below and add it to verbs[] in cli.c; its
 * usage then shows in `jzg --help` and `jzg VERB --help`, and its options
 * are parsed (getopt_long) before exec runs. */
#ifndef JZG_CLI_UTIL_H
#define JZG_CLI_UTIL_H

#include <stdio.h>

#include "app.h"
#include "operator.h"

/* Print "jzg: <message>" on stderr; returns EXIT_FAIL (2). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print cause (or fallback when NULL), free cause; returns EXIT_FAIL. */
int cli_fail_cause(char *cause, const char *fallback);

/* What an option's (or the positional arguments') values name, for the
 * role and scope check (cli_gate.c): a school bound operator may name only
 * his own school, people of it and operators of it. */
enum cli_target {
	CLI_T_NONE,
	CLI_T_SCHOOL,     /* 学校标识码 */
	CLI_T_PERSON,     /* 身份证件号 of a person in the file */
	CLI_T_OPERATOR,   /* an operator's name */
	CLI_T_ALL         /* a flag meaning every school (export --all) */
};

/* One option of a verb, --name. */
struct cli_opt {
	const char *name;
	enum {
		CLI_FLAG,   /* no value */
		CLI_STR,    /* one value; the last one given wins */
		CLI_STRS    /* a value each time it is given, all kept */
	} kind;
	enum cli_target target;
};

/* Who may run a verb on a file with operators: a mask of roles, and the
 * scope.  A file without operators is one person's: nobody logs in and
 * every verb runs. */
#define CLI_KEYER    (1u << ROLE_KEYER)
#define CLI_REVIEWER (1u << ROLE_REVIEWER)
#define CLI_ADMIN    (1u << ROLE_ADMIN)
#define CLI_ANYONE   (CLI_KEYER | CLI_REVIEWER | CLI_ADMIN)
enum cli_scope {
	CLI_NOFILE,   /* opens no data file: no log-in, no check */
	CLI_SCHOOL,   /* one school's people: a school bound operator names only his school, its people and
	               * operators (the targets); naming none means his school */
	CLI_COUNTY,   /* across schools or the file itself: county operators only */
	CLI_FILE      /* reads what is not one school's data (operators, school names): anyone logged in */
};

struct cli_verb;

/* What a verb's exec gets: its entry, the values of its options (by the
 * index of the option in the entry's table; read them with cli_arg,
 * cli_flag, cli_args_all) and the positional arguments, which may have
 * come before, between or after the options.  Owned by the dispatcher;
 * the strings point into the process's argv. */
struct cli_args {
	const struct cli_verb *verb;
	const char          ***val;   /* val[i]: values of option i in order, NULL-terminated */
	int                    argc;  /* positional arguments */
	char                 **argv;
};

const char *cli_arg(const struct cli_args *a, int opt);        /* last value, or NULL */
int cli_flag(const struct cli_args *a, int opt);               /* given at all */
const char **cli_args_all(const struct cli_args *a, int opt);  /* every value; NULL-terminated */
/* "jzg: 用法：jzg [--db 文件] <usage>" for a verb given the wrong
 * arguments; returns EXIT_FAIL. */
int cli_usage(const struct cli_args *a);

/* One verb (or verb and sub-verb: "school add"), as `jzg --help` lists it. */
struct cli_verb {
	const char           *name;      /* "check"; "school add" is matched word by word */
	const char           *usage;     /* the command line after jzg [--db 文件], name first */
	const char           *help;      /* one line, Chinese */
	const struct cli_opt *opts;      /* ended by a NULL name; NULL: none */
	int                   max_args;  /* positional arguments allowed; -1: any number */
	int                   needs_db;  /* works on a data file: usage shows --db 文件 */
	int                 (*exec)(struct app *a, const struct cli_args *args);
	unsigned              roles;     /* CLI_KEYER …; 0: only on a file without operators */
	enum cli_scope        scope;
	enum cli_target       args_target;  /* what the positional arguments name */
};

/* After log-in (app_open_store): may a->op run args->verb on these
 * targets?  0, or -1 after saying "无权操作：…" (Chinese, one line).  A
 * school bound operator who named no school gets his own in the verb's
 * school option.  The one check of roles and scope (cli_gate.c). */
int cli_gate(struct app *a, struct cli_args *args);
/* The verb × role × scope table of verbs[0..n) in Markdown (docs/workflow.md). */
void cli_gate_table(const struct cli_verb *const *verbs, size_t n, FILE *fp);

/* Parse argv[1..argc) (argv[0] is the verb's last word) by v's options
 * with getopt_long into *out (free with cli_args_free).  Returns 0; 1 when
 * --help / -h was given (nothing else checked); -1 after saying "<verb>
 * 不认识参数 <arg>（用法：…）" or the usage for too many arguments. */
int cli_args_parse(const struct cli_verb *v, int argc, char **argv, struct cli_args *out);
void cli_args_free(struct cli_args *a);
/* The usage lines of v ("  jzg [--db 数据文件] <usage>\n      <help>\n") on fp. */
void cli_verb_print(const struct cli_verb *v, FILE *fp);

/* The verbs, each defined beside its code; cli.c lists them in order. */
extern const struct cli_verb cli_school_add, cli_school_list, cli_demo, cli_check, cli_explain,
    cli_forms_check, cli_forms_report;                                /* cli.c */
extern const struct cli_verb cli_export, cli_import;                  /* cli_xlsx.c */
extern const struct cli_verb cli_photo_import, cli_photo_export;      /* cli_photo.c */
extern const struct cli_verb cli_print_sheet, cli_print_form, cli_printers, cli_sign;   /* cli_print.c */
extern const struct cli_verb cli_user_add, cli_user_list, cli_user_passwd, cli_user_disable,
    cli_submit, cli_approve, cli_reject, cli_unlock, cli_confirm, cli_log, cli_stats, cli_weekly,
    cli_expect, cli_pack, cli_merge;                                  /* cli_workflow.c */
extern const struct cli_verb cli_baseline_set, cli_baseline_list, cli_baseline_drop, cli_changes;  /* cli_yearly.c */
extern const struct cli_verb cli_verify;                              /* cli_verify.c */
extern const struct cli_verb cli_rekey_start, cli_rekey_report, cli_rekey_compare;                          /* cli_rekey.c */

#endif
