/* xlsx_export_many.c — the workbooks of several schools on both cores
 * (xlsx_export_schools, issue 21).
 *
 * A school's export is two steps of about 40 % and 60 % of its time: write
 * (read the school, write every sheet into libxlsxwriter's temporary
 * files; needs a connection) and close (zip those files into the .xlsx;
 * needs none).  Two workers take steps from one list: a write while fewer
 * than MAX_WRITTEN workbooks wait to be zipped, else the oldest waiting
 * close.  Five equal schools then take 2.65 school-times instead of 5
 * (whole schools per worker would take 3), and a county's 500 schools keep
 * at most a few workbooks' temporary files open.  Each workbook is still
 * written by one thread in the sequential order, so its bytes are the
 * same. */
#include "xlsx_export.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Written workbooks waiting for their close, at most (each holds a
 * temporary file per sheet). */
#define MAX_WRITTEN 2

enum step { ST_PENDING, ST_WRITING, ST_WRITTEN, ST_CLOSING, ST_DONE };

struct many {
	struct store          *st0;      /* the caller's */
	const sqlite3_int64   *ids;
	size_t                 n, next, done, written;
	const char            *dir;
	struct xlsx_book     **book;
	enum step             *step;
	char                 **paths, **causes;
	enum jzg_status       *rc;
	/* progress: each school's share in thousandths, summed for pg */
	const struct progress *pg;
	unsigned              *milli;
	unsigned long long     milli_sum;
	pthread_mutex_t        mu;
	pthread_cond_t         cv;
};

/* One school's progress, as a share of all schools. */
struct share {
	struct many *m;
	size_t       i;
};

static void
share_report(void *arg, unsigned long long done, unsigned long long total)
{
	struct share *s = arg;
	struct many *m = s->m;
	unsigned now = total ? (unsigned)(done * 1000 / total) : 1000;

	pthread_mutex_lock(&m->mu);
	if (now > m->milli[s->i]) {
		m->milli_sum += now - m->milli[s->i];
		m->milli[s->i] = now;
		progress_report(m->pg, m->milli_sum, 1000ULL * m->n);
	}
	pthread_mutex_unlock(&m->mu);
}

struct worker {
	struct many  *m;
	struct store *st;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct many *m = w->m;

	pthread_mutex_lock(&m->mu);
	while (m->done < m->n) {
		size_t i = m->n;

		if (m->next < m->n && m->written < MAX_WRITTEN) {
			struct share sh = { m, m->next };
			struct progress pg = { share_report, &sh };
			struct xlsx_book *b = NULL;
			char *cause = NULL;
			enum jzg_status rc;

			i = m->next++;
			m->step[i] = ST_WRITING;
			pthread_mutex_unlock(&m->mu);
			rc = xlsx_book_write(w->st, m->ids[i], m->dir, m->pg ? &pg : NULL, &b, &cause);
			pthread_mutex_lock(&m->mu);
			if (rc == JZG_OK) {
				m->book[i] = b;
				m->step[i] = ST_WRITTEN;
				m->written++;
			} else {
				m->rc[i] = rc;
				m->causes[i] = cause;
				m->step[i] = ST_DONE;
				m->done++;
			}
			pthread_cond_broadcast(&m->cv);
			continue;
		}
		for (size_t k = 0; k < m->n && i == m->n; k++)
			if (m->step[k] == ST_WRITTEN)
				i = k;
		if (i < m->n) {
			struct xlsx_book *b = m->book[i];
			char *path = NULL, *cause = NULL;
			enum jzg_status rc;

			m->step[i] = ST_CLOSING;
			m->book[i] = NULL;
			m->written--;
			pthread_mutex_unlock(&m->mu);
			rc = xlsx_book_close(b, &path, &cause);
			pthread_mutex_lock(&m->mu);
			m->rc[i] = rc;
			m->paths[i] = path;
			m->causes[i] = cause;
			m->step[i] = ST_DONE;
			m->done++;
			pthread_cond_broadcast(&m->cv);
			continue;
		}
		/* the other worker is writing: its workbook's close comes next */
		pthread_cond_wait(&m->cv, &m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	/* bench/xlsx.sh: each thread's CPU time, whose larger is the wall
	 * time on two free cores (a shared machine's wall time is not) */
	if (getenv("JZG_EXPORT_TIMES") != NULL) {
		struct timespec t;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		fprintf(stderr, "导出线程 %s：CPU %.2f s\n", w->st == m->st0 ? "1" : "2", t.tv_sec + t.tv_nsec / 1e9);
	}
	return NULL;
}

/* Two threads unless told otherwise (JZG_EXPORT_THREADS=1: measuring,
 * comparing), one core, one school, a file a second connection cannot
 * open as the first sees it (in memory; a transaction open). */
static int
threads_for(struct store *st, size_t n)
{
	const char *env = getenv("JZG_EXPORT_THREADS");
	long t = env != NULL && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	if (t < 2 || n < 2 || st->path == NULL || *st->path == '\0' || strcmp(st->path, ":memory:") == 0 ||
	    strncmp(st->path, "file:", 5) == 0 || !sqlite3_get_autocommit(st->db))
		return 1;
	return 2;
}

enum jzg_status
xlsx_export_schools(struct store *st, const sqlite3_int64 *ids, size_t n, const char *dir,
    const struct progress *pg, char **paths, char **causes)
{
	struct many m = { .st0 = st, .ids = ids, .n = n, .dir = dir, .paths = paths, .causes = causes, .pg = pg };
	struct worker w[2] = { { &m, st }, { &m, NULL } };
	struct store *st2 = NULL;
	pthread_t th;
	int two = 0;
	enum jzg_status rc = JZG_OK;

	for (size_t i = 0; i < n; i++)
		paths[i] = causes[i] = NULL;
	if (n == 0)
		return JZG_OK;
	m.book = xcalloc(n, sizeof *m.book);
	m.step = xcalloc(n, sizeof *m.step);
	m.rc = xcalloc(n, sizeof *m.rc);
	m.milli = xcalloc(n, sizeof *m.milli);
	pthread_mutex_init(&m.mu, NULL);
	pthread_cond_init(&m.cv, NULL);
	if (threads_for(st, n) > 1) {
		char *why = NULL;

		/* no second connection: one thread does it all */
		if (store_open(st->path, st->defs, STORE_READONLY, &st2, &why) == JZG_OK) {
			w[1].st = st2;
			two = pthread_create(&th, NULL, work, &w[1]) == 0;
		}
		free(why);
	}
	work(&w[0]);
	if (two)
		pthread_join(th, NULL);
	store_close(st2);
	pthread_cond_destroy(&m.cv);
	pthread_mutex_destroy(&m.mu);
	for (size_t i = 0; i < n && rc == JZG_OK; i++)
		rc = m.rc[i];
	free(m.book);
	free(m.step);
	free(m.rc);
	free(m.milli);
	return rc;
}
