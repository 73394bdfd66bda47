/* app.h — what a command needs: the definitions and (optionally) the store.
 * Shared by the command-line verbs (cli.c) and the client (ui.c). */
#ifndef JZG_APP_H
#define JZG_APP_H

#include <time.h>

#include "defs.h"
#include "store.h"

struct operator;
struct cli_args;

struct app {
	const char   *db_path;    /* --db, or NULL for the default */
	const char   *forms_dir;  /* --forms, or NULL */
	const char   *data_dir;   /* --data, or NULL */
	char         *db_owned;   /* the default path when --db was not given */
	struct timespec started;  /* process start, for the start-up figure */
	int           skip_lint;  /* the client: rules_new compiles what it needs */
	struct defs  *defs;
	struct store *st;
	/* Who is acting (the audit trail, the review workflow): one context,
	 * filled by the command line (--user, cli_session.c) or by the
	 * client's log-in screen (scr_login.c), read by every verb and screen. */
	const char      *user;    /* --user NAME, or NULL */
	const char      *verb;    /* the verb running; NULL: the client */
	struct operator *op;      /* logged in; NULL: a file without operators, or not yet; owned */
	struct cli_args *args;    /* the verb's arguments, checked by cli_gate at log-in; NULL: the client */
};

/* Exit statuses of every verb. */
enum { EXIT_CLEAN = 0, EXIT_FOUND = 1, EXIT_FAIL = 2 };

/* Load and check the definitions; on failure print why (Chinese) and
 * return -1. */
int app_load_defs(struct app *a);
/* Open the store through audit_open with its flags (STORE_CREATE,
 * AUDIT_LATE for the client) and log in; prints why on failure. */
int app_open_store(struct app *a, unsigned flags);
/* Close the store, free the definitions and log out. */
void app_done(struct app *a);

/* The full-screen client.  Returns an exit status. */
int ui_run(struct app *a);
/* Whether the client can start here (a terminal on stdin and stdout, a
 * UTF-8 locale): 0, or says why in Chinese and returns EXIT_FAIL.  Called
 * before the data file is opened, so that a refusal creates no file. */
int ui_can_start(void);

#endif
