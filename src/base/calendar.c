/* calendar.c — see calendar.h. */
#include "calendar.h"

int
date_days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

int
date_valid(int y, int m, int d)
{
	if (y < 1 || m < 1 || m > 12)
		return 0;
	return d >= 1 && d <= date_days_in_month(y, m);
}

/* n digits at s, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
date_read(const char *s, size_t n, int with_day, int *y, int *m, int *d)
{
	int yy, mm, dd = 1;

	if (s == NULL || n != (with_day ? 10u : 7u) || s[4] != '-' ||
	    (yy = digits(s, 4)) < 0 || (mm = digits(s + 5, 2)) < 0)
		return 0;
	if (with_day && (s[7] != '-' || (dd = digits(s + 8, 2)) < 0))
		return 0;
	if (!date_valid(yy, mm, dd))
		return 0;
	if (y) *y = yy;
	if (m) *m = mm;
	if (d) *d = dd;
	return 1;
}
