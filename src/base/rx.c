/* rx.c — see rx.h.
 *
 * glibc's regexec in a UTF-8 locale costs some 20,000 instructions a call,
 * and every person's ID number is matched three times by the checks —
 * about two seconds over 100,000 persons.  Patterns of the simple shape
 * the definitions use, '^' (ASCII literal | [ASCII class]) with {n}, {n,m},
 * +, * or ? … '$', are matched here byte by byte; as every atom matches
 * ASCII only, a multibyte character fails both ways alike.  A negated
 * class of ASCII ([^@ ], the e-mail pattern) matches any byte outside it:
 * allowed only with + or * and before an ASCII atom or the end, where its
 * run of bytes ends on a character boundary, so it takes whole characters
 * as regexec does; a subject that is not valid UTF-8 goes to regexec.
 * Anything else (groups, alternation …) goes to regexec unchanged. */
#include "rx.h"

#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define RX_MAX 16

struct rx_item {
	unsigned char set[32];   /* bitmap of the bytes this atom matches (neg: does not) */
	int           neg;       /* [^…] */
	int           lo, hi;    /* repetitions; hi < 0 = no limit */
};

struct rx {
	int            fast;
	int            neg;      /* some item is negated: re is compiled too */
	struct rx_item item[RX_MAX];
	int            n;
	regex_t        re;   /* when !fast */
};

static int
rx_plain(int c)
{
	return c > 32 && c < 127 && strchr("^$.[]()|*+?{}\\", c) == NULL;
}

/* Parse pat into x->item; 0 when it is not of the simple shape. */
static int
rx_parse(const char *pat, struct rx *x)
{
	const char *p = pat;

	if (*p++ != '^')
		return 0;
	while (*p != '$') {
		struct rx_item *it;

		if (*p == '\0' || x->n == RX_MAX)
			return 0;
		it = &x->item[x->n++];
		memset(it, 0, sizeof *it);
		if (*p == '[') {
			p++;
			if (*p == '^') {
				it->neg = 1;
				p++;
			}
			if (*p == ']' || *p == '^')
				return 0;
			while (*p != ']') {
				int a = (unsigned char)*p, b = a;

				if (a == '\0' || a == '[' || a == '\\' || a < 32 || a > 126)
					return 0;
				if (p[1] == '-' && p[2] != ']') {
					b = (unsigned char)p[2];
					if (b == '[' || b == '\\' || b < 32 || b > 126 || b < a)
						return 0;
					p += 2;
				}
				for (int c = a; c <= b; c++)
					it->set[c >> 3] |= (unsigned char)(1u << (c & 7));
				p++;
			}
			p++;
		} else if (*p == '\\' && p[1] != '\0' && strchr(".^$[]()|*+?{}\\", p[1]) != NULL) {
			it->set[(unsigned char)p[1] >> 3] |= (unsigned char)(1u << (p[1] & 7));
			p += 2;
		} else if (rx_plain((unsigned char)*p)) {
			it->set[(unsigned char)*p >> 3] |= (unsigned char)(1u << (*p & 7));
			p++;
		} else
			return 0;
		it->lo = it->hi = 1;
		if (*p == '+' || *p == '*' || *p == '?') {
			it->lo = *p == '+' ? 1 : 0;
			it->hi = *p == '?' ? 1 : -1;
			p++;
		} else if (*p == '{') {
			char *end;

			if (!isdigit((unsigned char)p[1]))
				return 0;
			it->lo = (int)strtol(p + 1, &end, 10);
			if (it->lo > 255)
				return 0;
			it->hi = it->lo;
			if (*end == ',') {
				const char *q = end + 1;

				if (!isdigit((unsigned char)*q))
					return 0;   /* {n,} and the like: regexec */
				it->hi = (int)strtol(q, &end, 10);
				if (it->hi < it->lo || it->hi > 255)
					return 0;
			}
			if (*end != '}')
				return 0;
			p = end + 1;
		}
	}
	for (int i = 0; i < x->n; i++)
		if (x->item[i].neg) {
			if (x->item[i].hi >= 0 || x->item[i].lo > 1 || (i + 1 < x->n && x->item[i + 1].neg))
				return 0;
			x->neg = 1;
		}
	return p[1] == '\0';
}

static int
rx_match_at(const struct rx *x, int i, const unsigned char *s)
{
	const struct rx_item *it;
	int k = 0;

	if (i == x->n)
		return *s == '\0';
	it = &x->item[i];
	while ((it->hi < 0 || k < it->hi) && s[k] != '\0' &&
	    ((it->set[s[k] >> 3] & (1u << (s[k] & 7))) != 0) != it->neg)
		k++;
	for (; k >= it->lo; k--)
		if (rx_match_at(x, i + 1, s + k))
			return 1;
	return 0;
}

/* Compiled patterns, kept for the life of the process (the definitions
 * hold a handful): SQLite's auxdata lasts one run of a statement, and one
 * person's check runs each statement once, so regcomp would run per person
 * and pattern.  Shared by threads (glibc's regexec locks a shared regex_t
 * itself). */
static struct rx_cache {
	pthread_mutex_t mu;
	struct rx_entry {
		char      *pat;
		struct rx *x;
	}              *e;
	size_t          n;
} rx_cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0 };

const struct rx *
rx_get(const char *pat)
{
	struct rx_cache *rc = &rx_cache;
	struct rx *x = NULL;

	pthread_mutex_lock(&rc->mu);
	for (size_t i = 0; i < rc->n && x == NULL; i++)
		if (strcmp(rc->e[i].pat, pat) == 0)
			x = rc->e[i].x;
	if (x == NULL) {
		x = xcalloc(1, sizeof *x);
		x->fast = rx_parse(pat, x);
		if ((!x->fast || x->neg) && regcomp(&x->re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
			free(x);
			x = NULL;
		} else {
			rc->e = xreallocarray(rc->e, rc->n + 1, sizeof *rc->e);
			rc->e[rc->n].pat = xstrdup(pat);
			rc->e[rc->n++].x = x;
		}
	}
	pthread_mutex_unlock(&rc->mu);
	return x;
}

int
rx_matches(const struct rx *x, const char *s)
{
	if (x->fast && x->neg && !utf8_valid(s))   /* regexec reads characters */
		return regexec(&x->re, s, 0, NULL, 0) == 0;
	return x->fast ? rx_match_at(x, 0, (const unsigned char *)s) : regexec(&x->re, s, 0, NULL, 0) == 0;
}
