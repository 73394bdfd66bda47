/* pinyin.c — initials look-up; the table itself is generated (pinyin_table.c). */
#include "pinyin.h"

#include <ctype.h>
#include <string.h>

#include "util.h"

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

int
pinyin_match(const char *name, const char *query)
{
	uint32_t m[128];
	size_t n = 0, ql = strlen(query), len = strlen(name), k;
	wchar_t wc;

	if (ql == 0 || ql > 64)
		return 0;
	for (size_t i = 0; i < ql; i++)
		if (!isalpha((unsigned char)query[i]))
			return 0;
	while (len > 0 && n < 128 && (k = utf8_decode(name, len, &wc)) > 0) {
		uint32_t mask = pinyin_mask(wc);

		if (mask != 0)
			m[n++] = mask;
		name += k;
		len -= k;
	}
	for (size_t j = 0; j + ql <= n; j++) {
		size_t i;

		for (i = 0; i < ql; i++)
			if (!(m[j + i] & pinyin_mask((wchar_t)(unsigned char)query[i])))
				break;
		if (i == ql)
			return 1;
	}
	return 0;
}
