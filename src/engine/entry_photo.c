/* entry_photo.c — a person's photo through the one write path (entry.h):
 * judged against the definitions' photo settings, then stored (photo.c)
 * with staff.updated stamped, inside a savepoint of the caller's
 * transaction. */
#include "entry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "photo.h"
#include "util.h"

static double
num(const struct defs *d, enum setting_key k, double dflt)
{
	const char *v = d->setting[k];

	return v && *v ? strtod(v, NULL) : dflt;
}

void
entry_photo_spec(const struct defs *d, struct photo_spec *sp)
{
	double dpi = num(d, SK_PHOTO_MIN_DPI, 150), fix = num(d, SK_PHOTO_FIX_DPI, 300);

	memset(sp, 0, sizeof *sp);
	sp->w_mm = 26;
	sp->h_mm = 32;
	if (d->setting[SK_PHOTO_MM] != NULL)
		sscanf(d->setting[SK_PHOTO_MM], "%lfx%lf", &sp->w_mm, &sp->h_mm);
	sp->tolerance = num(d, SK_PHOTO_RATIO_TOLERANCE, 0.03);
	sp->max_bytes = (size_t)num(d, SK_PHOTO_MAX_BYTES, 61440);
	sp->min_w = (int)lround(sp->w_mm / 25.4 * dpi);
	sp->min_h = (int)lround(sp->h_mm / 25.4 * dpi);
	sp->fix_dpi = (int)lround(fix);
	sp->fix_w = (int)lround(sp->w_mm / 25.4 * fix);
	sp->fix_h = (int)lround(sp->h_mm / 25.4 * fix);
}

enum jzg_status
entry_photo_judge(const struct photo_spec *sp, const unsigned char *buf, size_t len, struct jpeg_info *info,
    int *fixable, char **cause)
{
	struct jpeg_info in;
	enum jzg_status rc;
	double want = sp->w_mm / sp->h_mm, ratio;

	if (fixable != NULL)
		*fixable = 0;
	if ((rc = jpeg_probe(buf, len, &in, cause)) != JZG_OK)
		return rc;
	if (info != NULL)
		*info = in;
	ratio = (double)in.width / in.height;
	if (in.width < sp->min_w || in.height < sp->min_h) {
		/* a crop to the proportions can only make it smaller */
		return jzg_fail(cause, JZG_ERR_INVALID, "照片太小（%d×%d 像素，至少 %d×%d 像素）", in.width, in.height,
		    sp->min_w, sp->min_h);
	}
	if (fixable != NULL)
		*fixable = 1;
	if (len > sp->max_bytes)
		return jzg_fail(cause, JZG_ERR_INVALID, "照片太大（%.1f KB，应小于 %.0f KB）", len / 1024.0,
		    sp->max_bytes / 1024.0);
	if (fabs(ratio - want) / want > sp->tolerance)
		return jzg_fail(cause, JZG_ERR_INVALID, "照片比例不对（%d×%d 像素，宽:高应为 %g:%g）", in.width, in.height,
		    sp->w_mm, sp->h_mm);
	if (fixable != NULL)
		*fixable = 0;
	return jpeg_verify(buf, len, cause);
}

enum jzg_status
entry_photo_fix(const struct photo_spec *sp, const unsigned char *buf, size_t len, unsigned char **out,
    size_t *outlen, char **cause)
{
	enum jzg_status rc = jpeg_fix(buf, len, sp->fix_w, sp->fix_h, sp->fix_dpi, sp->max_bytes, out, outlen, NULL,
	    cause);

	if (rc == JZG_OK && (rc = entry_photo_judge(sp, *out, *outlen, NULL, NULL, cause)) != JZG_OK) {
		free(*out);
		*out = NULL;
		*outlen = 0;
	}
	return rc;
}

static enum jzg_status
photo_end(struct store *st, enum jzg_status rc)
{
	sqlite3_exec(st->db, rc != JZG_OK ? "ROLLBACK TO photo; RELEASE photo" : "RELEASE photo", NULL, NULL, NULL);
	return rc;
}

enum jzg_status
entry_photo_set(struct store *st, sqlite3_int64 staff_id, const unsigned char *buf, size_t len, int *changed,
    char **cause)
{
	struct photo_spec sp;
	struct jpeg_info in;
	enum jzg_status rc;
	int ch = 0;

	if (changed != NULL)
		*changed = 0;
	entry_photo_spec(st->defs, &sp);
	if ((rc = entry_photo_judge(&sp, buf, len, &in, NULL, cause)) != JZG_OK)
		return rc;
	if ((rc = store_exec(st, "SAVEPOINT photo", cause)) != JZG_OK)
		return rc;
	rc = photo_put(st, staff_id, buf, len, in.width, in.height, &ch, cause);
	if (rc == JZG_OK && ch)
		rc = entry_touch(st, staff_id, cause);
	if (rc == JZG_OK && changed != NULL)
		*changed = ch;
	return photo_end(st, rc);
}

enum jzg_status
entry_photo_remove(struct store *st, sqlite3_int64 staff_id, int *changed, char **cause)
{
	enum jzg_status rc;
	int ch = 0;

	if (changed != NULL)
		*changed = 0;
	if ((rc = store_exec(st, "SAVEPOINT photo", cause)) != JZG_OK)
		return rc;
	rc = photo_remove(st, staff_id, &ch, cause);
	if (rc == JZG_OK && ch)
		rc = entry_touch(st, staff_id, cause);
	if (rc == JZG_OK && changed != NULL)
		*changed = ch;
	return photo_end(st, rc);
}
