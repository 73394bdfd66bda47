/* text.h — the one judgement of whether a text may enter jzg: every path
 * by which text arrives (command line, client, import, merge) and every
 * writer of a file that must open in Excel asks it.  No curses.
 *
 * Refused: invalid UTF-8; control characters (C0 — TAB, LF, CR, ESC … —,
 * DEL and C1), which break the TSV of listings, reach the terminal raw and
 * make an xlsx that Excel cannot open; U+FFFE and U+FFFF, which XML cannot
 * hold.  A name (TEXT_NAME) must also have something besides spaces. */
#ifndef JZG_TEXT_H
#define JZG_TEXT_H

#include <stddef.h>

enum { TEXT_ANY = 0, TEXT_NAME = 1 };

/* NULL when s (NUL-terminated) may be stored, else why not, in Chinese,
 * to follow what it is about: "学校名称" + "含有制表符".  Static storage. */
const char *text_fault(const char *s, int flags);
/* The same over n bytes, which may hold a NUL (a value from SQLite). */
const char *text_fault_n(const char *s, size_t n, int flags);

#endif
