/* request.c — the key table.  Changing a binding here changes the legend
 * and the help screen with it. */
#include "request.h"

#include <curses.h>

const char *const request_label[REQ__COUNT] = {
	[REQ_NONE] = "",
#define REQ_LABEL(r, label, help) [r] = label,
	REQUEST_INFO(REQ_LABEL)
#undef REQ_LABEL
};

const char *const request_help[REQ__COUNT] = {
	[REQ_NONE] = "",
#define REQ_HELPTEXT(r, label, help) [r] = help,
	REQUEST_INFO(REQ_HELPTEXT)
#undef REQ_HELPTEXT
};

const struct keybinding keymap[] = {
	{ KEY_F(1), "F1", REQ_HELP },
	{ KEY_F(1), "Esc 1", REQ_HELP },
	{ KEY_F(2), "F2", REQ_PICK },
	{ KEY_F(2), "Esc 2", REQ_PICK },
	{ KEY_F(3), "F3", REQ_ADD },
	{ KEY_F(3), "Esc 3", REQ_ADD },
	{ KEY_IC, "Ins", REQ_ADD },
	{ KEY_F(4), "F4", REQ_REPEAT },
	{ KEY_F(4), "Esc 4", REQ_REPEAT },
	{ KEY_F(5), "F5", REQ_SEARCH },
	{ KEY_F(5), "Esc 5", REQ_SEARCH },
	{ '/', "/", REQ_SEARCH },
	{ KEY_F(6), "F6", REQ_FILTER },
	{ KEY_F(6), "Esc 6", REQ_FILTER },
	{ KEY_F(7), "F7", REQ_SORT },
	{ KEY_F(7), "Esc 7", REQ_SORT },
	{ KEY_F(8), "F8", REQ_DELETE },
	{ KEY_F(8), "Esc 8", REQ_DELETE },
	{ KEY_F(9), "F9", REQ_CHECK },
	{ KEY_F(9), "Esc 9", REQ_CHECK },
	{ KEY_F(10), "F10", REQ_QUIT },
	{ KEY_F(10), "Esc 0", REQ_QUIT },
	{ KEY_F(11), "F11", REQ_PRINT },
	{ 16, "^P", REQ_PRINT },
	{ KEY_F(12), "F12", REQ_SIGN },
	{ 20, "^T", REQ_SIGN },
	{ 23, "^W", REQ_REVIEW },
	{ 2, "^B", REQ_BOARD },
	{ 24, "^X", REQ_EXPORT },
	{ 7, "^G", REQ_HISTORY },
	{ 3, "^C", REQ_INTR },
	{ 15, "^O", REQ_PHOTO },
	{ 14, "^N", REQ_EXPECT },
	{ 11, "^K", REQ_ACCOUNT },
	{ 18, "^R", REQ_REKEY },
	{ 25, "^Y", REQ_PRIOR },
	{ '1', "1", REQ_FIRST },
	{ '2', "2", REQ_SECOND },
	{ '3', "3", REQ_AGAIN },
	{ 27, "Esc", REQ_BACK },
	{ '\n', "Enter", REQ_ENTER },
	{ '\r', "Enter", REQ_ENTER },
	{ KEY_ENTER, "Enter", REQ_ENTER },
	{ '\t', "Tab", REQ_NEXT },
	{ KEY_BTAB, "Shift-Tab", REQ_PREV },
	{ KEY_UP, "↑", REQ_UP },
	{ KEY_DOWN, "↓", REQ_DOWN },
	{ KEY_LEFT, "←", REQ_LEFT },
	{ KEY_RIGHT, "→", REQ_RIGHT },
	{ KEY_PPAGE, "PgUp", REQ_PGUP },
	{ KEY_NPAGE, "PgDn", REQ_PGDN },
	{ KEY_HOME, "Home", REQ_HOME },
	{ 1, "^A", REQ_HOME },
	{ KEY_END, "End", REQ_END },
	{ 5, "^E", REQ_END },
	{ KEY_BACKSPACE, "Backspace", REQ_BS },
	{ 127, "Backspace", REQ_BS },
	{ 8, "Backspace", REQ_BS },
	{ KEY_DC, "Del", REQ_DEL },
	{ 21, "^U", REQ_KILL },
	{ ' ', "空格", REQ_TOGGLE },
	{ KEY_RESIZE, "", REQ_RESIZE },
	{ 0, NULL, REQ_NONE }
};

enum request
request_of_key(int key, int is_key_code)
{
	for (const struct keybinding *b = keymap; b->name != NULL; b++) {
		/* characters bound as keys (/, space) are only requests when they
		 * arrive as such; screens that take text see them as REQ_CHAR */
		if (b->key != key)
			continue;
		if (is_key_code || key < 32 || key == 127)
			return b->req;
		return b->req == REQ_SEARCH || b->req == REQ_TOGGLE ? b->req : REQ_CHAR;
	}
	return is_key_code ? REQ_NONE : REQ_CHAR;
}

enum request
request_of_char(int ch, const enum request *want)
{
	for (const struct keybinding *b = keymap; b->name != NULL; b++)
		if (b->key == ch)
			for (const enum request *w = want; *w != REQ_NONE; w++)
				if (*w == b->req)
					return b->req;
	return REQ_NONE;
}

const char *
request_key_name(enum request r)
{
	for (const struct keybinding *b = keymap; b->name != NULL; b++)
		if (b->req == r)
			return b->name;
	return "";
}
