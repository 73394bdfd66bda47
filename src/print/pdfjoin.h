/* pdfjoin.h — one PDF file from several PDFs that cairo wrote: the pages of
 * the first, then of the second …; everything else of each (fonts, pictures,
 * page contents) is copied byte for byte, only object numbers change.  This
 * is how a batch of confirmation sheets is written on two threads (sheet.c):
 * cairo's PDF surface (two thirds of a batch's time: replaying each page,
 * formatting numbers, deflate) can only be used by one thread, so each thread
 * writes one part of the people into a PDF of its own.  No curses.
 *
 * Only what cairo 1.16 writes is read: a classic xref table, one /Pages node
 * whose /Kids are all the pages, no object or xref streams.  A part not like
 * that fails with a message instead of giving a broken file.  The first
 * part's catalog and document information (title, dates) are the file's. */
#ifndef JZG_PDFJOIN_H
#define JZG_PDFJOIN_H

#include <stddef.h>

#include "status.h"

struct pdfjoin_part {
	const unsigned char *data;   /* a whole PDF; not owned */
	size_t               len;
};

/* Write the parts, joined, to path (temp file + rename: on any failure
 * nothing is left at path and the cause, in Chinese, says why). */
enum jzg_status pdfjoin_save(const char *path, const struct pdfjoin_part *part, size_t n, char **cause);

#endif
