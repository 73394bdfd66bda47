/* pinyin.c — initials look-up; the table itself is generated (pinyin_table.c). */
#include "pinyin.h"

uint32_t
pinyin_mask(wchar_t wc)
{
	if (wc >= L'a' && wc <= L'z')
		return 1u << (wc - L'a');
	if (wc >= L'A' && wc <= L'Z')
		return 1u << (wc - L'A');
	if ((uint32_t)wc >= PINYIN_CJK_FIRST && (uint32_t)wc <= PINYIN_CJK_LAST)
		return pinyin_cjk_mask[(uint32_t)wc - PINYIN_CJK_FIRST];
	return 0;
}
