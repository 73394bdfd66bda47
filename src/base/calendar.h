/* calendar.h — is this a real day?  The one Gregorian calendar check every
 * date reader uses (stored values, Excel cells, ID numbers, signature and
 * log dates), so that 1980-02-30 is refused everywhere or nowhere.  No
 * curses, no allocation.  Each caller keeps its own year bounds (a
 * signature after 1900, an ID number after 1850): those are policies, the
 * calendar is not. */
#ifndef JZG_CALENDAR_H
#define JZG_CALENDAR_H

#include <stddef.h>

/* Days in month m (1–12) of year y; 0 when m is out of range. */
int date_days_in_month(int y, int m);

/* 1 when y-m-d names a day (y ≥ 1, 1 ≤ m ≤ 12, 1 ≤ d ≤ days of that
 * month).  Whether y-m is a month: date_valid(y, m, 1). */
int date_valid(int y, int m, int d);

/* Read exactly n bytes of s as the stored form: "YYYY-MM-DD" (with_day) or
 * "YYYY-MM", digits and hyphens only.  1 and *y, *m, *d (1 for a month)
 * when it names a real day or month, else 0.  y, m, d may be NULL. */
int date_read(const char *s, size_t n, int with_day, int *y, int *m, int *d);

#endif
