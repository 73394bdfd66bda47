/* jpeg.h — JPEG files as a person's photo needs them (issue 16): the size
 * read from the header alone, a whole decode to prove the data intact, and
 * the fix (centre crop, scale, re-encode under a byte budget).  Over
 * libjpeg-turbo (libjpeg62-turbo, docs/photo.md says why).  No curses; no
 * indicator: the proportions and limits come from the caller.
 *
 * Memory is bounded before any pixel is decoded: the header's dimensions
 * are checked against JPEG_MAX_PIXELS, and libjpeg is given at most
 * JPEG_MAX_MEMORY (a progressive file buffers all its coefficients). */
#ifndef JZG_JPEG_H
#define JZG_JPEG_H

#include <stddef.h>

#include "status.h"

#define JPEG_MAX_FILE   (40u << 20)     /* bytes read from a file at most */
#define JPEG_MAX_PIXELS 64000000L        /* width × height; a 20,000² scan is refused */
#define JPEG_MAX_MEMORY (96L << 20)      /* what libjpeg may allocate per decode */

struct jpeg_info {
	int width, height;
	int components;   /* 1 grey, 3 colour */
};

/* The dimensions of buf from its header only (no pixel decoded).  Refuses,
 * with a Chinese cause: not a JPEG (a PNG, GIF, BMP or WebP is named),
 * a damaged header, CMYK colour, more than JPEG_MAX_PIXELS. */
enum jzg_status jpeg_probe(const unsigned char *buf, size_t len, struct jpeg_info *out, char **cause);

/* Decode buf whole (at 1/8 scale: every coefficient is still read) and
 * refuse it when libjpeg finds the data damaged or cut short. */
enum jzg_status jpeg_verify(const unsigned char *buf, size_t len, char **cause);

/* The fix: crop buf about its centre to the proportions w:h, scale it to
 * w × h pixels (or to the crop itself when that is smaller), and encode
 * it as a baseline JFIF with dpi in its header, at the best quality that
 * fits max_bytes.  *out gets a new buffer (caller frees), *outlen its
 * length, *info its dimensions.  The decode uses libjpeg's DCT-domain
 * scaling (1/8 … 8/8), so a 12-megapixel photo is decoded at a quarter of
 * its width. */
enum jzg_status jpeg_fix(const unsigned char *buf, size_t len, int w, int h, int dpi, size_t max_bytes,
    unsigned char **out, size_t *outlen, struct jpeg_info *info, char **cause);

/* Read a whole file of at most JPEG_MAX_FILE bytes: *buf (caller frees),
 * *len.  A bigger file is refused before it is read. */
enum jzg_status jpeg_read_file(const char *path, unsigned char **buf, size_t *len, char **cause);

#endif
