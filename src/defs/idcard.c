/* idcard.c — see idcard.h. */
#include "idcard.h"

#include <ctype.h>
#include <string.h>

#include "calendar.h"
#include "util.h"

static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };

char
idcard_check_char(const char *first17)
{
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weight[i];
	return "10X98765432"[sum % 11];
}

static int
real_date(int y, int m, int d)
{
	return y >= 1850 && date_valid(y, m, d);
}

int
idcard_birth(const char *id, char out[11])
{
	size_t n = strlen(id);
	int y, m, d;
	const char *p;

	for (size_t i = 0; i < (n == 18 ? 17 : n); i++)
		if (!isdigit((unsigned char)id[i]))
			return 0;
	if (n == 18) {
		p = id + 6;
		y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		p += 4;
	} else if (n == 15) {
		p = id + 6;
		y = 1900 + (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
	} else
		return 0;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	d = (p[2] - '0') * 10 + (p[3] - '0');
	if (!real_date(y, m, d))
		return 0;
	/* by hand: a whole-file check asks this of every person, and
	 * snprintf was most of the cost */
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 1;
}

int
idcard_sex(const char *id)
{
	size_t n = strlen(id);
	char c;

	if (n == 18)
		c = id[16];
	else if (n == 15)
		c = id[14];
	else
		return 0;
	if (!isdigit((unsigned char)c))
		return 0;
	return (c - '0') % 2 ? 1 : 2;
}

enum idcard_result
idcard_validate(const char *id, const char *today)
{
	size_t n = strlen(id);
	char birth[11];

	if (n == 15) {
		for (size_t i = 0; i < 15; i++)
			if (!isdigit((unsigned char)id[i]))
				return IDCARD_BAD_CHAR;
		return idcard_birth(id, birth) ? IDCARD_OLD15 : IDCARD_BAD_DATE;
	}
	if (n != 18)
		return IDCARD_BAD_LENGTH;
	for (size_t i = 0; i < 17; i++)
		if (!isdigit((unsigned char)id[i]))
			return IDCARD_BAD_CHAR;
	if (!isdigit((unsigned char)id[17]) && id[17] != 'X')
		return IDCARD_BAD_CHAR;
	if (!idcard_birth(id, birth) || (today != NULL && strcmp(birth, today) > 0))
		return IDCARD_BAD_DATE;
	if (idcard_check_char(id) != id[17])
		return IDCARD_BAD_CHECK;
	return IDCARD_OK;
}

char *
idcard_normalise(const char *s)
{
	struct strbuf b = { 0 };
	size_t n = strlen(s), k;
	wchar_t wc;

	while (n > 0) {
		if ((k = utf8_decode(s, n, &wc)) == 0) {
			k = 1;   /* keep a stray byte as it is; validation will flag it */
			strbuf_addc(&b, *s);
		} else {
			char enc[4];

			if (wc >= 0xFF01 && wc <= 0xFF5E)
				wc -= 0xFEE0;        /* full-width ASCII */
			if (wc == 'x')
				wc = 'X';
			if (wc != ' ' && wc != 0x3000 && wc != '\t')
				strbuf_add(&b, enc, utf8_encode(wc, enc));
		}
		s += k;
		n -= k;
	}
	return strbuf_take(&b);
}

char *
idcard_mask(const char *id)
{
	size_t n = id ? utf8_chars(id) : 0;
	struct strbuf b = { 0 };
	const char *p = id;

	for (size_t i = 0; i < n; i++) {
		size_t k = 1;

		while (p[k] && ((unsigned char)p[k] & 0xC0) == 0x80)
			k++;
		if (i + 4 < n)
			strbuf_addc(&b, '*');
		else
			strbuf_add(&b, p, k);
		p += k;
	}
	return strbuf_take(&b);
}
