/* fuzz_value.c — libFuzzer target (issue 18): value normalisation and ID
 * parsing, as the client and import meet what a clerk typed.  The first
 * byte picks a field of the shipped definitions, the rest is the text:
 * text_fault, normalize_value, entry_normalise (the ID rules for the
 * person's 身份证件号), layout_parse_cell in the template's layout and
 * idcard_* are run on it.  Nothing may crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "entry.h"
#include "fuzz.h"
#include "idcard.h"
#include "layout.h"
#include "normalize.h"
#include "text.h"
#include "util.h"

static struct defs *defs;
static struct layout *lay;
static const struct field_def **field;
static const struct set_def **owner;
static size_t nfield;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct field_def *f;
	char *s, *v, *stored = NULL, *msg = NULL, out[11];

	if (defs == NULL) {
		char *cause = NULL;

		defs = fuzz_defs();
		if (layout_get(defs, "zxx", &lay, &cause) != JZG_OK)
			abort();
		for (size_t i = 0; i < defs->nall; i++)
			for (size_t j = 0; j < defs->all[i].nfield; j++) {
				field = xreallocarray(field, nfield + 1, sizeof *field);
				owner = xreallocarray(owner, nfield + 1, sizeof *owner);
				field[nfield] = &defs->all[i].field[j];
				owner[nfield++] = &defs->all[i];
			}
	}
	if (size < 1)
		return 0;
	f = field[data[0] % nfield];
	s = xstrndup((const char *)data + 1, size - 1);   /* up to a NUL, as C strings are */
	(void)text_fault(s, TEXT_NAME);
	(void)text_fault_n((const char *)data + 1, size - 1, TEXT_ANY);
	free(normalize_value(f, s, data[0] & 0x80));
	free(entry_normalise(defs, owner[data[0] % nfield], f, s));
	if (layout_parse_cell(lay, f, s, &stored, &msg) == 0 && stored != NULL) {
		char *back = layout_cell_text(lay, f, stored);

		free(back);
	}
	free(stored);
	free(msg);
	if ((v = idcard_normalise(s)) != NULL) {
		(void)idcard_validate(v, "2026-11-22");
		(void)idcard_birth(v, out);
		(void)idcard_sex(v);
		free(idcard_mask(v));
		free(v);
	}
	free(s);
	return 0;
}
