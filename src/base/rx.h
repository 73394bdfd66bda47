/* rx.h — the one regular-expression matcher behind SQL's REGEXP
 * (sqlfn.c): POSIX extended syntax, matched as regexec does (a search,
 * anchored only by ^ and $), with a byte-by-byte fast path for the simple
 * anchored patterns the definitions use.  No SQLite, no curses. */
#ifndef JZG_RX_H
#define JZG_RX_H

struct rx;

/* The compiled pattern pat, or NULL when pat is not a valid extended
 * regular expression.  Compiled once and kept for the life of the process
 * (owned here, never freed by the caller); safe to call from any thread. */
const struct rx *rx_get(const char *pat);

/* Whether s matches x, as regexec(x, s) == 0 would say. */
int rx_matches(const struct rx *x, const char *s);

#endif
