/* cli_session.h — who is acting on the command line: `--user NAME`, the
 * password from JZG_PASSWORD or asked on the terminal without echo, and the
 * audit path of the verb (import, merge, demo, cli; the client is
 * "client").  A file without operators needs no login. */
#ifndef JZG_CLI_SESSION_H
#define JZG_CLI_SESSION_H

#include "app.h"
#include "operator.h"

void cli_session_user(const char *name);     /* --user */
void cli_session_verb(const char *verb);     /* NULL: the client */
/* After the store is open: log in (or refuse with a Chinese message) and
 * set the audit session.  Returns 0 or -1. */
int cli_session_login(struct app *a);
/* The operator logged in, or NULL (file without operators, or not yet). */
const struct operator *cli_session_operator(void);
/* Read a password: env var first, else the terminal without echo; NULL on
 * failure (caller frees). */
char *cli_read_password(const char *env, const char *prompt);
void cli_session_done(void);

#endif
