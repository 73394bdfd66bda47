/* fuzz_common.c — see fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "defs.h"
#include "diag.h"
#include "paths.h"

struct defs *
fuzz_defs(void)
{
	struct diag d = { 0 };
	struct defs *defs = NULL;
	char *cause = NULL, *forms = paths_forms_dir(), *data = paths_data_dir();

	if (defs_load(forms, data, &defs, &d, &cause) != JZG_OK || d.n > 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "fuzz: the shipped definitions do not load: %s\n", cause ? cause : "");
		abort();
	}
	diag_free(&d);
	free(forms);
	free(data);
	return defs;
}
