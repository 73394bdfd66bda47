/* util.h — allocation that never returns NULL, a growable string, UTF-8 and
 * display-width helpers.  No curses.
 *
 * Out of memory is the one failure we do not try to survive: xmalloc and
 * friends print a Chinese message and exit(70) after running the registered
 * fatal hook (the UI uses it to restore the terminal). */
#ifndef JZG_UTIL_H
#define JZG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <wchar.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
/* qsort that accepts an empty or one-element array, whose pointer may be
 * NULL (qsort(NULL, 0, …) is undefined; UBSan stops the sanitizer build:
 * an empty list is an ordinary case for every caller). */
void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
char *xstrdup(const char *s);             /* s may be NULL: returns NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Called before exiting on a fatal error (terminal restore). */
void util_set_fatal_hook(void (*hook)(void));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Growable NUL-terminated byte string. */
struct strbuf {
	char   *s;   /* always NUL-terminated once anything was added */
	size_t  len;
	size_t  cap;
};
void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
void strbuf_addc(struct strbuf *b, char c);
void strbuf_addpad(struct strbuf *b, const char *s, int width);  /* s, then spaces to width columns */
void strbuf_addf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *strbuf_take(struct strbuf *b);      /* caller frees; b is reset */
void strbuf_free(struct strbuf *b);

int str_empty(const char *s);             /* NULL or "" */
int str_eq(const char *a, const char *b); /* NULL-safe equality */
char *str_trim(char *s);                  /* in place, ASCII white space */
/* *out = s as a decimal integer in lo..hi; -1 (nothing said) if it is not one. */
int str_count(const char *s, long lo, long hi, long *out);

/* Decode one UTF-8 character at s (n bytes available).  Returns its length
 * and stores the code point in *wc, or returns 0 on an invalid sequence. */
size_t utf8_decode(const char *s, size_t n, wchar_t *wc);
size_t utf8_encode(wchar_t wc, char out[4]);
int utf8_valid(const char *s);
size_t utf8_chars(const char *s);         /* number of characters */
int utf8_width(const char *s);            /* display columns (wcwidth), -1 if unprintable */

/* Send file descriptor 2 to /dev/null until stderr_restore: around the
 * calls of a library that prints English lines ("[ERROR]…", libxlsxwriter
 * on a full disk) where jzg says what happened in Chinese.  Returns 0,
 * or -1 (then nothing changed); give it to stderr_restore.  Nested and
 * overlapping hushes (two threads) restore fd 2 when the last ends. */
int stderr_hush(void);
void stderr_restore(int saved);

#endif
