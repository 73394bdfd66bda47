/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void
util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("jzg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("内存不足（申请 %zu 字节失败）", n);
	return p;
}

void
xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("内存不足");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("内存不足（申请 %zu 字节失败）", n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("内存不足");
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		fatal("格式化字符串失败");
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* Room for n more bytes and the terminating NUL. */
static void
strbuf_grow(struct strbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
}

void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	strbuf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_addc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

/* Padding by display columns, not bytes: printf's %-8s would pad a
 * Chinese name by its bytes (three per character). */
void
strbuf_addpad(struct strbuf *b, const char *s, int width)
{
	int w = utf8_width(s);

	strbuf_adds(b, s);
	for (; w >= 0 && w < width; w++)
		strbuf_addc(b, ' ');
}

/* Formats straight into the buffer's spare room (once more after growing
 * when it did not fit): the generated SQL of the audit triggers and the
 * schema is built from thousands of these. */
void
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("格式化字符串失败");
	if ((size_t)n >= room) {
		strbuf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

char *
strbuf_take(struct strbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
strbuf_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

int
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}


int
str_count(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

char *
str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

size_t
utf8_decode(const char *str, size_t n, wchar_t *wc)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*wc = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		c = s[0] & 0x1F; len = 2;
	} else if ((s[0] & 0xF0) == 0xE0) {
		c = s[0] & 0x0F; len = 3;
	} else if ((s[0] & 0xF8) == 0xF0) {
		c = s[0] & 0x07; len = 4;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* reject overlong forms, surrogates and out-of-range values */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0;
	*wc = (wchar_t)c;
	return len;
}

size_t
utf8_encode(wchar_t wc, char out[4])
{
	uint32_t c = (uint32_t)wc;

	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	} else if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

int
utf8_valid(const char *s)
{
	size_t n = strlen(s), k;
	wchar_t wc;

	while (n > 0) {
		if ((k = utf8_decode(s, n, &wc)) == 0)
			return 0;
		s += k;
		n -= k;
	}
	return 1;
}

size_t
utf8_chars(const char *s)
{
	size_t count = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			count++;
	return count;
}

int
utf8_width(const char *s)
{
	size_t n = strlen(s), k;
	wchar_t wc;
	int w = 0, cw;

	while (n > 0) {
		if ((k = utf8_decode(s, n, &wc)) == 0)
			return -1;
		cw = wcwidth(wc);
		if (cw < 0)
			return -1;
		w += cw;
		s += k;
		n -= k;
	}
	return w;
}

/* Hushes nest, also across threads (two exports at once): the first
 * sends fd 2 away, the last gives it back. */
static pthread_mutex_t hush_mu = PTHREAD_MUTEX_INITIALIZER;
static int hush_depth, hush_saved = -1;

int
stderr_hush(void)
{
	int null, ok = 1;

	pthread_mutex_lock(&hush_mu);
	if (hush_depth == 0) {
		fflush(stderr);
		if ((hush_saved = dup(2)) < 0)
			ok = 0;
		else if ((null = open("/dev/null", O_WRONLY)) < 0 || dup2(null, 2) < 0) {
			if (null >= 0)
				close(null);
			close(hush_saved);
			hush_saved = -1;
			ok = 0;
		} else
			close(null);
	}
	if (ok)
		hush_depth++;
	pthread_mutex_unlock(&hush_mu);
	return ok ? 0 : -1;
}

void
stderr_restore(int saved)
{
	if (saved < 0)
		return;
	pthread_mutex_lock(&hush_mu);
	if (--hush_depth == 0) {
		fflush(stderr);
		dup2(hush_saved, 2);
		close(hush_saved);
		hush_saved = -1;
	}
	pthread_mutex_unlock(&hush_mu);
}
