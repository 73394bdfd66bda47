/* zipout.h — write a ZIP of files (minizip's zip.h): the county's upload of
 * many schools of one template.  Names are stored as UTF-8 (flag bit 11),
 * times are fixed to the given date, so the same files give the same ZIP.
 * Written to a temporary file and renamed into place by zipout_close.
 * No curses. */
#ifndef JZG_ZIPOUT_H
#define JZG_ZIPOUT_H

#include "status.h"

struct zipout;

/* Start a ZIP that will become path; date is YYYY-MM-DD (entry times).
 * Caller ends it with zipout_close. */
enum jzg_status zipout_open(const char *path, const char *date, struct zipout **out, char **cause);
/* Add the file src under name (UTF-8). */
enum jzg_status zipout_add(struct zipout *z, const char *name, const char *src, char **cause);
/* Finish: with commit, rename into place; otherwise (or on any failure)
 * remove the temporary file.  Frees z. */
enum jzg_status zipout_close(struct zipout *z, int commit, char **cause);

#endif
