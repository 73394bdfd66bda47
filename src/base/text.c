/* text.c — see text.h. */
#include "text.h"

#include <string.h>

#include "util.h"

const char *
text_fault_n(const char *s, size_t n, int flags)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	int blank = 1;

	/* the common case first, in a tight loop (merge judges every text it
	 * copies): printable ASCII, and the 3-byte sequences of most CJK
	 * (U+1000–U+CFFF: no surrogate, no overlong form, nothing to refuse).
	 * A name also needs to know whether all was blank: the loop below. */
	if (!(flags & TEXT_NAME))
		while (p < end) {
			if ((unsigned)*p - 0x20u < 0x5Fu)
				p++;
			else if ((unsigned)*p - 0xE1u < 12u && end - p >= 3 && (p[1] & 0xC0) == 0x80 &&
			    (p[2] & 0xC0) == 0x80)
				p += 3;
			else
				break;
		}
	while (p < end) {
		wchar_t wc;
		size_t k;

		/* the common case, printable ASCII, without the decoder */
		if (*p >= 0x20 && *p < 0x7F) {
			blank &= *p == ' ';
			p++;
			continue;
		}
		if (*p == '\t')
			return "含有制表符（Tab）";
		if (*p == '\n' || *p == '\r')
			return "含有换行符";
		if (*p == 0x1B)
			return "含有 Esc 控制字符";
		if (*p < 0x20 || *p == 0x7F)
			return "含有控制字符";
		/* a well-formed sequence checked in place (no decoder call: merge
		 * judges every text it copies); anything odd goes to utf8_decode */
		if (*p >= 0xE1 && *p <= 0xEC && end - p >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
			blank &= p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80;   /* U+3000 */
			p += 3;   /* most of CJK: U+1000–U+CFFF, nothing to refuse */
			continue;
		}
		if ((k = utf8_decode((const char *)p, (size_t)(end - p), &wc)) == 0)
			return "含有无效的字符编码（不是 UTF-8 文本）";
		if (wc >= 0x80 && wc <= 0x9F)
			return "含有控制字符";
		if (wc == 0xFFFE || wc == 0xFFFF)
			return "含有无法保存的字符（U+FFFE 或 U+FFFF）";
		blank = 0;
		p += k;
	}
	if ((flags & TEXT_NAME) && blank)
		return "不能为空，也不能只有空格";
	return NULL;
}

const char *
text_fault(const char *s, int flags)
{
	return text_fault_n(s ? s : "", s ? strlen(s) : 0, flags);
}
