/* fuzz_xlsx.c — libFuzzer target (issue 18): the xlsx reader and import
 * into an in-memory store.  The input is the parts of a workbook, each
 * "NAME\nCONTENT", separated by "\n====\n" (tests/fuzz/seed_xlsx.py makes
 * seeds from the project's own exports); they are zipped (always a valid
 * ZIP, so that the mutations reach the XML) under the name the official
 * template has, and imported as `jzg import` does, rules and all.  A bad
 * workbook must be refused with findings, never crash, leak or hang; a
 * refused one must leave the store as it was. */
#include <minizip/zip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "defs.h"
#include "fuzz.h"
#include "import.h"
#include "rules.h"
#include "school.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct defs *defs;
static struct store *st;
static struct rules *rules;
static char *path;
static unsigned runs;

static void
fresh_store(void)
{
	char *cause = NULL;

	rules_free(rules);
	store_close(st);
	if (audit_open(":memory:", defs, STORE_CREATE, &st, &cause) != JZG_OK ||
	    school_add(st, "2143012345", "测试学校", "zxx", NULL, &cause) != JZG_OK ||
	    (rules = rules_new(st, &cause)) == NULL) {
		fprintf(stderr, "fuzz_xlsx: %s\n", cause ? cause : "");
		abort();
	}
}

static void
quiet(void *arg, const char *file, int kind, const char *text)
{
	(void)arg; (void)file; (void)kind; (void)text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct import_opts o = { 0 };
	struct import_result res = { 0 };
	char *cause = NULL;
	zipFile z;

	if (defs == NULL) {
		const char *tmp = getenv("TMPDIR");

		defs = fuzz_defs();
		path = xasprintf("%s/jzg_fuzz_%ld_2143012345_测试学校_%s.xlsx", tmp && *tmp ? tmp : "/tmp",
		    (long)getpid(), defs_template(defs, "zxx")->v[TC_TITLE]);
	}
	/* the audit trail grows with every import: a new store now and then */
	if (runs++ % 256 == 0)
		fresh_store();
	if ((z = zipOpen64(path, APPEND_STATUS_CREATE)) == NULL)
		abort();
	while (p < end) {
		const char *sep = memmem(p, (size_t)(end - p), "\n====\n", 6), *stop = sep ? sep : end;
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		zip_fileinfo zi = { 0 };

		if (nl != NULL && nl > p) {
			char *name = xstrndup(p, (size_t)(nl - p));

			if (zipOpenNewFileInZip64(z, name, &zi, NULL, 0, NULL, 0, NULL, 0, 0, 0) == ZIP_OK) {
				zipWriteInFileInZip(z, nl + 1, (unsigned)(stop - nl - 1));
				zipCloseFileInZip(z);
			}
			free(name);
		}
		p = sep ? sep + 6 : end;
	}
	zipClose(z, NULL);
	o.rules = rules;
	o.finding = quiet;
	o.max_part = 8u << 20;
	(void)import_path(st, path, &o, &res, &cause);
	free(cause);
	unlink(path);
	sqlite3_exec(st->db, "DELETE FROM staff", NULL, NULL, NULL);
	return 0;
}
