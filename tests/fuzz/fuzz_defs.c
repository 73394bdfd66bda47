/* fuzz_defs.c — libFuzzer target (issue 18): the definitions loader.  The
 * input is "PATH\nCONTENT": PATH one of the files of a copy of forms/ and
 * data/ (JZG_FUZZ_TREE, made by tests/fuzz/run.sh), CONTENT what that file
 * holds for this run; then the whole tree is loaded (defs_load, the
 * expression lint, the template's Excel layout) as `jzg forms check` does,
 * and the file is put back.  A bad file must give diagnostics, never a
 * crash, a leak or a stall. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "defs.h"
#include "diag.h"
#include "layout.h"
#include "lint.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct strbuf b = { 0 };
	char buf[8192];
	size_t k;

	if (f == NULL)
		return NULL;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&b, buf, k);
	fclose(f);
	*n = b.len;
	return b.s ? b.s : xstrdup("");
}

static void
spill(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *tree;
	const uint8_t *nl = memchr(data, '\n', size);
	char *rel = NULL, *path, *forms, *dir, *orig, *cause = NULL;
	size_t norig = 0;
	struct stat sb;
	struct diag d = { 0 };
	struct defs *defs = NULL;

	if (tree == NULL && (tree = getenv("JZG_FUZZ_TREE")) == NULL) {
		fprintf(stderr, "fuzz_defs: JZG_FUZZ_TREE (a copy of forms/ and data/) is not set\n");
		abort();
	}
	if (nl != NULL)
		rel = xstrndup((const char *)data, (size_t)(nl - data));
	if (rel == NULL || strstr(rel, "..") != NULL || (strncmp(rel, "forms/", 6) != 0 && strncmp(rel, "data/", 5) != 0)) {
		free(rel);
		rel = xstrdup("forms/sets/jbxx.tsv");
		nl = data - 1;
	}
	path = xasprintf("%s/%s", tree, rel);
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (orig = slurp(path, &norig)) == NULL) {
		free(path);
		free(rel);
		return 0;
	}
	spill(path, nl + 1, size - (size_t)(nl + 1 - data));
	forms = xasprintf("%s/forms", tree);
	dir = xasprintf("%s/data", tree);
	/* what loaded is kept even with problems (a linter goes on): freed either way */
	if (defs_load(forms, dir, &defs, &d, &cause) == JZG_OK) {
		struct layout *l = NULL;

		(void)lint_expressions(defs, &d);
		if (defs->ntpl > 0 && layout_get(defs, defs->tpl[0].v[TC_NAME], &l, &cause) == JZG_OK)
			layout_free(l);
	}
	defs_free(defs);
	free(cause);
	diag_free(&d);
	spill(path, orig, norig);
	free(orig);
	free(forms);
	free(dir);
	free(path);
	free(rel);
	return 0;
}
