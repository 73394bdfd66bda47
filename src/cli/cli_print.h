/* cli_print.h — the verbs `print sheet`, `print form` and `sign` (issue 6),
 * kept out of cli.c so that the verb table is the only shared line. */
#ifndef JZG_CLI_PRINT_H
#define JZG_CLI_PRINT_H

#include "app.h"

int verb_print(struct app *a, int argc, char **argv);
int verb_sign(struct app *a, int argc, char **argv);

#endif
