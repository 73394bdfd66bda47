/* cli_session.h — who is acting on the command line: `--user NAME`, the
 * password from JZG_PASSWORD or asked on the terminal without echo, and the
 * audit path of the verb (import, merge, demo, cli; the client is
 * "client").  A file without operators needs no login. */
#ifndef JZG_CLI_SESSION_H
#define JZG_CLI_SESSION_H

#include "app.h"
#include "operator.h"

/* After the store is open: log a->user in (a->op; or refuse with a
 * Chinese message) and set the audit session for a->verb.  Returns 0 or
 * -1. */
int cli_session_login(struct app *a);
/* Read a password: env var first, else the terminal without echo; NULL on
 * failure (caller frees). */
char *cli_read_password(const char *env, const char *prompt);

#endif
