/* lineedit.c — see lineedit.h.  All positions are characters; all widths
 * are columns from wcwidth (a Hanzi is 2, ASCII and "·" are 1). */
#include "lineedit.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "util.h"

static int
cw(wchar_t wc)
{
	int w = wcwidth(wc);

	return w < 0 ? 1 : w;
}

void
lineedit_init(struct lineedit *le, int width, size_t max_chars)
{
	memset(le, 0, sizeof *le);
	le->cap = 16;
	le->buf = xcalloc(le->cap, sizeof *le->buf);
	le->width = width < 2 ? 2 : width;
	le->max_chars = max_chars;
}

void
lineedit_free(struct lineedit *le)
{
	free(le->buf);
	le->buf = NULL;
	le->len = le->cap = le->cur = le->scroll = 0;
}

/* Keep the cursor inside the window: scroll so that the cursor's column,
 * plus the cell it occupies, fits in width. */
static void
fix_scroll(struct lineedit *le)
{
	int cols;

	if (le->cur < le->scroll)
		le->scroll = le->cur;
	for (;;) {
		cols = 0;
		for (size_t i = le->scroll; i < le->cur; i++)
			cols += cw(le->buf[i]);
		/* the cursor needs one column (two when it stands on a Hanzi) */
		if (cols + (le->cur < le->len ? cw(le->buf[le->cur]) : 1) <= le->width ||
		    le->scroll >= le->cur)
			break;
		le->scroll++;
	}
}

static void
reserve(struct lineedit *le, size_t n)
{
	if (n + 1 <= le->cap)
		return;
	while (le->cap < n + 1)
		le->cap *= 2;
	le->buf = xreallocarray(le->buf, le->cap, sizeof *le->buf);
}

void
lineedit_set(struct lineedit *le, const char *s)
{
	size_t n = s ? strlen(s) : 0, k;
	wchar_t wc;

	le->len = 0;
	while (n > 0) {
		if ((k = utf8_decode(s, n, &wc)) == 0) {
			k = 1;
			wc = 0xFFFD;   /* keep going: never drop what was stored */
		}
		reserve(le, le->len + 1);
		le->buf[le->len++] = wc;
		s += k;
		n -= k;
	}
	le->buf[le->len] = 0;
	le->cur = le->len;
	le->scroll = 0;
	le->changed = 0;
	fix_scroll(le);
}

char *
lineedit_get(const struct lineedit *le)
{
	struct strbuf b = { 0 };
	char enc[4];

	for (size_t i = 0; i < le->len; i++)
		strbuf_add(&b, enc, utf8_encode(le->buf[i], enc));
	return strbuf_take(&b);
}

int
lineedit_insert(struct lineedit *le, wchar_t wc)
{
	if (!iswprint((wint_t)wc) || wcwidth(wc) < 0)
		return -1;
	if (le->max_chars > 0 && le->len >= le->max_chars)
		return -1;
	reserve(le, le->len + 1);
	memmove(&le->buf[le->cur + 1], &le->buf[le->cur], (le->len - le->cur + 1) * sizeof *le->buf);
	le->buf[le->cur++] = wc;
	le->len++;
	le->changed = 1;
	fix_scroll(le);
	return 0;
}

int
lineedit_key(struct lineedit *le, enum lineedit_key k)
{
	switch (k) {
	case LE_LEFT:
		if (le->cur == 0)
			return -1;
		le->cur--;
		break;
	case LE_RIGHT:
		if (le->cur == le->len)
			return -1;
		le->cur++;
		break;
	case LE_HOME:
		le->cur = 0;
		break;
	case LE_END:
		le->cur = le->len;
		break;
	case LE_BACKSPACE:
		if (le->cur == 0)
			return -1;
		memmove(&le->buf[le->cur - 1], &le->buf[le->cur], (le->len - le->cur + 1) * sizeof *le->buf);
		le->cur--;
		le->len--;
		le->changed = 1;
		break;
	case LE_DELETE:
		if (le->cur == le->len)
			return -1;
		memmove(&le->buf[le->cur], &le->buf[le->cur + 1], (le->len - le->cur) * sizeof *le->buf);
		le->len--;
		le->changed = 1;
		break;
	case LE_KILL_LINE:
		le->len = le->cur = le->scroll = 0;
		le->buf[0] = 0;
		le->changed = 1;
		break;
	case LE_KILL_TO_END:
		le->len = le->cur;
		le->buf[le->len] = 0;
		le->changed = 1;
		break;
	default:
		return -1;
	}
	fix_scroll(le);
	return 0;
}

void
lineedit_set_width(struct lineedit *le, int width)
{
	le->width = width < 2 ? 2 : width;
	le->scroll = 0;
	fix_scroll(le);
}

int
lineedit_cursor_col(const struct lineedit *le)
{
	int cols = 0;

	for (size_t i = le->scroll; i < le->cur; i++)
		cols += cw(le->buf[i]);
	return cols;
}

int
lineedit_visible(const struct lineedit *le, wchar_t *out, size_t cap)
{
	int cols = 0;
	size_t n = 0;

	for (size_t i = le->scroll; i < le->len && n + 1 < cap; i++) {
		int w = cw(le->buf[i]);

		if (cols + w > le->width)
			break;   /* a Hanzi that would straddle the edge is not drawn */
		out[n++] = le->buf[i];
		cols += w;
	}
	if (cap > 0)
		out[n] = 0;
	return cols;
}
