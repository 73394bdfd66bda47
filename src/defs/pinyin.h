/* pinyin.h — pinyin initials of Hanzi, for searching code tables and names by
 * initials ("hz" finds 汉族).  No curses.
 *
 * The table is generated at development time by tools/gen_pinyin.py from
 * Unihan_Readings (kMandarin ∪ kXHC1983) and committed as src/pinyin_table.c,
 * so building needs no unicode-data package. */
#ifndef JZG_PINYIN_H
#define JZG_PINYIN_H

#include <stdint.h>
#include <wchar.h>

#define PINYIN_CJK_FIRST 0x3400u /* CJK Extension A … */
#define PINYIN_CJK_LAST  0x9FFFu /* … through the end of the URO */

/* Bit i set = the character has a reading starting with 'a' + i. */
extern const uint32_t pinyin_cjk_mask[PINYIN_CJK_LAST - PINYIN_CJK_FIRST + 1];

/* Mask of possible initials of wc: a Hanzi's readings, an ASCII letter itself
 * (either case); 0 for anything else (digits and punctuation are not letters). */
uint32_t pinyin_mask(wchar_t wc);

/* Does query (ASCII letters, e.g. "zs") match the initials of consecutive
 * characters of the UTF-8 text name, anywhere in it?  Empty query: no. */
int pinyin_match(const char *name, const char *query);

#endif
