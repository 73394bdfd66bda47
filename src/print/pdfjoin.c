/* pdfjoin.c — see pdfjoin.h. */
#include "pdfjoin.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "util.h"

/* A part, read: where its objects are and which ones hold the structure. */
struct part {
	const unsigned char *d;
	size_t               len;
	size_t               nobj;      /* the xref's size: objects 1 … nobj - 1 */
	size_t              *off;       /* where object i starts … */
	size_t              *end;       /* … and ends (the next object or the xref) */
	size_t               xref;
	size_t               root, info, pages;   /* catalog, document information, page tree */
	size_t              *kid;       /* the pages, in order */
	size_t               nkid;
	size_t              *map;       /* number of object i in the joined file; 0: left out */
};

/* The writer: what has gone out so far, and the first write error. */
struct out {
	FILE  *fp;
	size_t pos;
	int    err;
};

static void
put(struct out *o, const void *s, size_t n)
{
	if (n > 0 && fwrite(s, 1, n, o->fp) != n && o->err == 0)
		o->err = errno ? errno : EIO;
	o->pos += n;
}

static void
putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
putf(struct out *o, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	put(o, buf, n > 0 ? (size_t)n : 0);
}

/* ---------------------------------------------------------------- reading */

static const unsigned char *
find(const unsigned char *from, const unsigned char *to, const char *what)
{
	return from < to ? memmem(from, (size_t)(to - from), what, strlen(what)) : NULL;
}

/* A number after optional white space at *s (< e); *s moves past it. */
static int
number(const unsigned char **s, const unsigned char *e, size_t *v)
{
	const unsigned char *p = *s;

	while (p < e && isspace(*p))
		p++;
	if (p == e || !isdigit(*p))
		return -1;
	for (*v = 0; p < e && isdigit(*p); p++)
		*v = *v * 10 + (size_t)(*p - '0');
	*s = p;
	return 0;
}

/* The number after key (e.g. "/Root") in [s, e), for "/Root 12 0 R". */
static int
key_number(const unsigned char *s, const unsigned char *e, const char *key, size_t *v)
{
	const unsigned char *k = find(s, e, key);

	if (k == NULL)
		return -1;
	k += strlen(key);
	return number(&k, e, v);
}

static int
by_offset(const void *a, const void *b, void *ctx)
{
	const size_t *off = ctx, x = off[*(const size_t *)a], y = off[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

/* Read the structure of part p (data, len).  Returns NULL or what is wrong. */
static const char *
read_part(struct part *p)
{
	const unsigned char *d = p->d, *e = d + p->len, *s, *t;
	size_t first, v, *order;

	/* "startxref N" near the end, the xref table at N */
	if ((s = find(p->len > 64 ? e - 64 : d, e, "startxref")) == NULL)
		return "没有 startxref";
	s += 9;
	if (number(&s, e, &p->xref) != 0 || p->xref >= p->len || (s = d + p->xref, find(s, s + 4, "xref") != s))
		return "找不到交叉引用表";
	s += 4;
	if (number(&s, e, &first) != 0 || first != 0 || number(&s, e, &p->nobj) != 0 || p->nobj < 2 ||
	    p->nobj > p->len / 20)
		return "交叉引用表不是一段";
	p->off = xcalloc(p->nobj, sizeof *p->off);
	p->end = xcalloc(p->nobj, sizeof *p->end);
	for (size_t i = 0; i < p->nobj; i++) {
		size_t gen;

		if (number(&s, e, &p->off[i]) != 0 || number(&s, e, &gen) != 0)
			return "交叉引用表不完整";
		while (s < e && *s == ' ')
			s++;
		if (s == e || *s != (i == 0 ? 'f' : 'n') || (i > 0 && p->off[i] >= p->xref))
			return "交叉引用表中有空缺的对象";
		s++;
	}
	if ((t = find(s, e, "trailer")) == NULL || key_number(t, e, "/Root", &p->root) != 0 || p->root >= p->nobj)
		return "没有 trailer 或 /Root";
	if (key_number(t, e, "/Info", &p->info) != 0 || p->info >= p->nobj)
		p->info = 0;
	/* where each object ends: where the next one in the file starts */
	order = xcalloc(p->nobj - 1, sizeof *order);
	for (size_t i = 1; i < p->nobj; i++)
		order[i - 1] = i;
	qsort_r(order, p->nobj - 1, sizeof *order, by_offset, p->off);
	for (size_t k = 0; k + 1 < p->nobj; k++)
		p->end[order[k]] = k + 2 < p->nobj ? p->off[order[k + 1]] : p->xref;
	free(order);
	for (size_t i = 1; i < p->nobj; i++) {
		char head[32];

		snprintf(head, sizeof head, "%zu 0 obj", i);
		if (p->end[i] <= p->off[i] || find(d + p->off[i], d + p->end[i], head) != d + p->off[i])
			return "对象的位置与交叉引用表不符";
	}
	if (key_number(d + p->off[p->root], d + p->end[p->root], "/Pages", &p->pages) != 0 || p->pages == 0 ||
	    p->pages >= p->nobj || p->pages == p->root || p->pages == p->info)
		return "目录中没有 /Pages";
	s = d + p->off[p->pages];
	t = d + p->end[p->pages];
	if (find(s, t, "/Type /Pages") == NULL || (s = find(s, t, "/Kids")) == NULL || (s = find(s, t, "[")) == NULL)
		return "页面树不是一层";
	p->kid = xcalloc(p->nobj, sizeof *p->kid);
	for (s++; number(&s, t, &v) == 0; p->nkid++) {
		size_t gen;

		if (v == 0 || v >= p->nobj || number(&s, t, &gen) != 0 || gen != 0 || (s = find(s, t, "R")) == NULL ||
		    p->nkid == p->nobj)
			return "页面列表不可读";
		p->kid[p->nkid] = v;
		s++;
		if (find(d + p->off[v], d + p->end[v], "/Type /Pages") != NULL)
			return "页面树不是一层";
	}
	if (key_number(d + p->off[p->pages], t, "/Count", &v) != 0 || v != p->nkid || p->nkid == 0)
		return "页面数与页面列表不符";
	return NULL;
}

/* ---------------------------------------------------------------- writing */

static int
delimiter(unsigned char c)
{
	return isspace(c) || strchr("()<>[]{}/%", c) != NULL;
}

/* Copy the dictionary part [s, e) of an object of p with every reference
 * "N 0 R" renumbered.  Strings and comments are copied as they are. */
static const char *
copy_refs(struct out *o, const struct part *p, const unsigned char *s, const unsigned char *e)
{
	const unsigned char *run = s, *b = s;

	while (s < e) {
		if (*s == '(') {            /* literal string: nested parentheses, \ escapes */
			int depth = 0;

			for (; s < e; s++) {
				if (*s == '\\')
					s++;
				else if (*s == '(')
					depth++;
				else if (*s == ')' && --depth == 0)
					break;
			}
			s++;
		} else if (*s == '%') {     /* comment: to the end of the line */
			while (s < e && *s != '\n')
				s++;
		} else if (*s == '<' && s + 1 < e && s[1] == '<') {   /* dictionary */
			s += 2;
		} else if (*s == '<') {     /* hex string */
			while (s < e && *s != '>')
				s++;
			s++;
		} else if (isdigit(*s) && (s == b || delimiter(s[-1]))) {
			const unsigned char *q = s;
			size_t v;

			(void)number(&q, e, &v);
			if (q + 4 <= e && memcmp(q, " 0 R", 4) == 0 && (q + 4 == e || delimiter(q[4]))) {
				if (v == 0 || v >= p->nobj || p->map[v] == 0)
					return "引用了不存在或不复制的对象";
				put(o, run, (size_t)(s - run));
				putf(o, "%zu 0 R", p->map[v]);
				s = run = q + 4;
			} else
				s = q;
		} else
			s++;
	}
	put(o, run, (size_t)(e - run));
	return NULL;
}

/* Object i of p under its new number: the dictionary with references
 * renumbered, the stream (if any) byte for byte. */
static const char *
copy_object(struct out *o, const struct part *p, size_t i)
{
	const unsigned char *s = p->d + p->off[i], *e = p->d + p->end[i], *body, *st;
	const char *bad;

	body = find(s, e, "obj") + 3;
	for (st = body; (st = find(st, e, "stream")) != NULL; st += 6)
		if (st > body && (st[-1] == '\n' || st[-1] == '\r' || st[-1] == '>' || st[-1] == ' '))
			break;
	putf(o, "%zu 0 obj", p->map[i]);
	if ((bad = copy_refs(o, p, body, st ? st : e)) != NULL)
		return bad;
	if (st != NULL)
		put(o, st, (size_t)(e - st));
	return NULL;
}

static const char *
write_joined(struct out *o, struct part *part, size_t n)
{
	struct part *p0 = &part[0];
	size_t total = p0->nobj, *at, nkid = 0, first = p0->xref;
	const char *bad = NULL;

	/* numbers: the first part keeps its own; the others follow it, without
	 * their catalog, information and page tree (their pages join the
	 * first part's tree) */
	for (size_t k = 0; k < n; k++) {
		struct part *p = &part[k];

		p->map = xcalloc(p->nobj, sizeof *p->map);
		for (size_t i = 1; i < p->nobj; i++)
			p->map[i] = k == 0 ? i : i == p->root || i == p->info ? 0 : i == p->pages ? p0->pages : total++;
		nkid += p->nkid;
	}
	at = xcalloc(total, sizeof *at);
	for (size_t i = 1; i < p0->nobj; i++)
		first = p0->off[i] < first ? p0->off[i] : first;
	put(o, p0->d, first);   /* %PDF-1.5 and the binary comment */
	for (size_t k = 0; k < n && bad == NULL; k++) {
		struct part *p = &part[k];

		for (size_t i = 1; i < p->nobj && bad == NULL; i++) {
			if (p->map[i] == 0 || i == p->pages || (k == 0 && (i == p->root || i == p->info)))
				continue;
			at[p->map[i]] = o->pos;
			if (k == 0)
				put(o, p->d + p->off[i], p->end[i] - p->off[i]);
			else
				bad = copy_object(o, p, i);
		}
	}
	if (bad == NULL) {
		at[p0->pages] = o->pos;
		putf(o, "%zu 0 obj\n<< /Type /Pages\n   /Kids [", p0->pages);
		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; j < part[k].nkid; j++)
				putf(o, " %zu 0 R", part[k].map[part[k].kid[j]]);
		putf(o, " ]\n   /Count %zu\n>>\nendobj\n", nkid);
		for (size_t i = 1; i < p0->nobj; i++)
			if (i == p0->root || i == p0->info) {
				at[i] = o->pos;
				put(o, p0->d + p0->off[i], p0->end[i] - p0->off[i]);
			}
		first = o->pos;
		putf(o, "xref\n0 %zu\n0000000000 65535 f \n", total);
		for (size_t i = 1; i < total; i++)
			putf(o, "%010zu 00000 n \n", at[i]);
		putf(o, "trailer\n<< /Size %zu\n   /Root %zu 0 R\n", total, p0->root);
		if (p0->info != 0)
			putf(o, "   /Info %zu 0 R\n", p0->info);
		putf(o, ">>\nstartxref\n%zu\n%%%%EOF\n", first);
	}
	free(at);
	return bad;
}

static void
part_free(struct part *p)
{
	free(p->off);
	free(p->end);
	free(p->kid);
	free(p->map);
}

enum jzg_status
pdfjoin_save(const char *path, const struct pdfjoin_part *in, size_t n, char **cause)
{
	struct part *part = xcalloc(n ? n : 1, sizeof *part);
	struct out o = { 0 };
	char *tmp = NULL;
	const char *bad = NULL;
	enum jzg_status rc = JZG_OK;
	int fd;

	for (size_t k = 0; k < n && bad == NULL; k++) {
		part[k].d = in[k].data;
		part[k].len = in[k].len;
		if ((bad = read_part(&part[k])) != NULL)
			rc = jzg_fail(cause, JZG_ERR_FORMAT, "无法合并确认表：第 %zu 部分的 PDF 读不懂（%s），所以没有生成 %s。"
			    "请用 JZG_SHEET_THREADS=1 重新打印，并报告这个问题", k + 1, bad, path);
	}
	if (n == 0)
		rc = jzg_fail(cause, JZG_ERR_INVALID, "没有要合并的 PDF");
	if (rc != JZG_OK)
		goto done;
	tmp = outfile_part(path);
	unlink(tmp);   /* our pid's: a file of a run before a reboot */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0 || (o.fp = fdopen(fd, "wb")) == NULL) {
		int e = errno;

		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		rc = jzg_fail(cause, JZG_ERR_IO, "无法在 %s 所在的目录中写文件：%s（请检查目录是否存在、是否有写权限）",
		    path, strerror(e));
		goto done;
	}
	if ((bad = write_joined(&o, part, n)) != NULL)
		rc = jzg_fail(cause, JZG_ERR_FORMAT, "无法合并确认表的各部分（%s），所以没有生成 %s。"
		    "请用 JZG_SHEET_THREADS=1 重新打印，并报告这个问题", bad, path);
	else if (o.err == 0 && (fflush(o.fp) != 0 || fsync(fileno(o.fp)) != 0))
		o.err = errno;
	if (fclose(o.fp) != 0 && o.err == 0)
		o.err = errno;
	if (rc == JZG_OK && o.err != 0)
		rc = jzg_fail(cause, JZG_ERR_IO, "写 PDF 失败：%s。%s 没有生成，请清理磁盘空间或换一个位置后重试",
		    o.err == ENOSPC ? "磁盘已满" : strerror(o.err), path);
	if (rc != JZG_OK)
		unlink(tmp);
	else
		rc = outfile_commit(tmp, path, cause);
done:
	for (size_t k = 0; k < n; k++)
		part_free(&part[k]);
	free(part);
	free(tmp);
	return rc;
}
