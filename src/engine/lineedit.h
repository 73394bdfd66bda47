/* lineedit.h — a one-line editor for text that may be Chinese: a wchar_t
 * buffer, a cursor counted in characters, a window counted in display
 * columns, horizontal scrolling.  No curses: the screen asks it what to draw
 * (lineedit_visible) and where the cursor is (lineedit_cursor_col).
 *
 * Why not libform: ncurses 6.4's libform corrupts wide-character data in
 * fields that scroll and misplaces the cursor on End when a field holds a
 * double-width character (docs/design.md §client, tech.md §1). */
#ifndef JZG_LINEEDIT_H
#define JZG_LINEEDIT_H

#include <stddef.h>
#include <wchar.h>

struct lineedit {
	wchar_t *buf;        /* len characters, NUL-terminated; owned */
	size_t   len;
	size_t   cap;
	size_t   cur;        /* cursor, 0..len (characters) */
	size_t   scroll;     /* first visible character */
	int      width;      /* window width in columns (>= 2) */
	size_t   max_chars;  /* 0 = unlimited */
	int      changed;    /* edited since lineedit_set */
};

enum lineedit_key {
	LE_LEFT = 1, LE_RIGHT, LE_HOME, LE_END, LE_BACKSPACE, LE_DELETE,
	LE_KILL_LINE,      /* ^U: clear everything */
	LE_KILL_TO_END     /* ^K: from the cursor to the end */
};

void lineedit_init(struct lineedit *le, int width, size_t max_chars);
void lineedit_free(struct lineedit *le);
/* Replace the text (UTF-8; NULL = empty); cursor at the end. */
void lineedit_set(struct lineedit *le, const char *utf8);
/* The text as UTF-8 (caller frees). */
char *lineedit_get(const struct lineedit *le);
/* Insert one printable character; returns 0, or -1 when refused (not
 * printable, or the field is full). */
int lineedit_insert(struct lineedit *le, wchar_t wc);
/* An editing key; returns 0, or -1 when it did nothing. */
int lineedit_key(struct lineedit *le, enum lineedit_key k);
void lineedit_set_width(struct lineedit *le, int width);
/* Column of the cursor inside the window (0..width-1). */
int lineedit_cursor_col(const struct lineedit *le);
/* The visible part: at most le->width columns starting at le->scroll, written
 * into out (cap wide characters incl. NUL).  Returns the columns used. */
int lineedit_visible(const struct lineedit *le, wchar_t *out, size_t cap);

#endif
