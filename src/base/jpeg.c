/* jpeg.c — see jpeg.h. */
#include "jpeg.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>

#include "util.h"

/* libjpeg reports a fatal error by calling error_exit, which must not
 * return: we jump back to the caller.  Warnings (damaged or truncated
 * entropy data) are counted: libjpeg decodes on through them, we refuse. */
struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf               jump;
	int                   warnings;
	char                  msg[JMSG_LENGTH_MAX];
};

static void
jerr_exit(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;

	c->err->format_message(c, e->msg);
	longjmp(e->jump, 1);
}

static void
jerr_emit(j_common_ptr c, int level)
{
	struct jerr *e = (struct jerr *)c->err;

	if (level < 0 && e->warnings++ == 0)
		c->err->format_message(c, e->msg);
}

static void
jerr_init(struct jerr *e, struct jpeg_decompress_struct *d)
{
	memset(e, 0, sizeof *e);
	d->err = jpeg_std_error(&e->pub);
	e->pub.error_exit = jerr_exit;
	e->pub.emit_message = jerr_emit;
}

/* The name of a picture format that is not JPEG, from its magic bytes. */
static const char *
other_format(const unsigned char *b, size_t n)
{
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "PNG";
	if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
		return "GIF";
	if (n >= 2 && b[0] == 'B' && b[1] == 'M')
		return "BMP";
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "WebP";
	if (n >= 4 && (memcmp(b, "II*\0", 4) == 0 || memcmp(b, "MM\0*", 4) == 0))
		return "TIFF";
	if (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0)
		return "HEIC";
	return NULL;
}

/* Start decompressing buf up to its header; d and e are the caller's, e
 * set up by jerr_init before the caller's setjmp (jerr_init clears the
 * jump buffer, so it must not run after it). */
static enum jzg_status
open_header(struct jpeg_decompress_struct *d, struct jerr *e, const unsigned char *buf, size_t len,
    struct jpeg_info *out, char **cause)
{
	const char *other = other_format(buf, len);

	if (other != NULL)
		return jzg_fail(cause, JZG_ERR_FORMAT, "不是 JPEG 文件（是 %s 图片），请另存为 JPEG", other);
	if (len < 4 || buf[0] != 0xFF || buf[1] != 0xD8 || buf[2] != 0xFF)
		return jzg_fail(cause, JZG_ERR_FORMAT, "不是 JPEG 文件");
	(void)e;
	jpeg_create_decompress(d);
	/* a progressive file keeps every coefficient in memory: bounded */
	d->mem->max_memory_to_use = JPEG_MAX_MEMORY;
	jpeg_mem_src(d, buf, (unsigned long)len);
	if (jpeg_read_header(d, TRUE) != JPEG_HEADER_OK)
		return jzg_fail(cause, JZG_ERR_FORMAT, "JPEG 文件已损坏（没有图像）");
	if (d->image_width == 0 || d->image_height == 0)
		return jzg_fail(cause, JZG_ERR_FORMAT, "JPEG 文件已损坏（宽或高为 0）");
	if ((long)d->image_width * (long)d->image_height > JPEG_MAX_PIXELS)
		return jzg_fail(cause, JZG_ERR_INVALID, "图像过大（%u×%u 像素，最多 %ld 万像素），请先缩小",
		    d->image_width, d->image_height, JPEG_MAX_PIXELS / 10000);
	if (d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK)
		return jzg_fail(cause, JZG_ERR_FORMAT, "JPEG 为 CMYK 印刷色彩，请另存为 RGB 彩色 JPEG");
	if (out != NULL) {
		out->width = (int)d->image_width;
		out->height = (int)d->image_height;
		out->components = d->num_components == 1 ? 1 : 3;
	}
	return JZG_OK;
}

static enum jzg_status
damaged(struct jerr *e, char **cause)
{
	/* over JPEG_MAX_MEMORY libjpeg would spill to a backing store it has not */
	if (e->pub.msg_code == JERR_NO_BACKING_STORE || e->pub.msg_code == JERR_OUT_OF_MEMORY)
		return jzg_fail(cause, JZG_ERR_INVALID, "图像过大：处理它需要的内存超过 %ld MB，请先缩小", JPEG_MAX_MEMORY >> 20);
	/* libjpeg's own words (English) only as the detail */
	return jzg_fail(cause, JZG_ERR_FORMAT, "JPEG 文件已损坏或不完整（解码器：%s）", e->msg);
}

enum jzg_status
jpeg_probe(const unsigned char *buf, size_t len, struct jpeg_info *out, char **cause)
{
	struct jpeg_decompress_struct d;
	struct jerr e;
	enum jzg_status rc;

	memset(&d, 0, sizeof d);
	jerr_init(&e, &d);
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&d);
		return damaged(&e, cause);
	}
	rc = open_header(&d, &e, buf, len, out, cause);
	jpeg_destroy_decompress(&d);   /* nothing when it was never created */
	return rc;
}

enum jzg_status
jpeg_verify(const unsigned char *buf, size_t len, char **cause)
{
	struct jpeg_decompress_struct d;
	struct jerr e;
	enum jzg_status rc;
	JSAMPARRAY row = NULL;

	memset(&d, 0, sizeof d);
	jerr_init(&e, &d);
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&d);
		return damaged(&e, cause);
	}
	if ((rc = open_header(&d, &e, buf, len, NULL, cause)) != JZG_OK) {
		jpeg_destroy_decompress(&d);
		return rc;
	}
	d.scale_num = 1;
	d.scale_denom = 8;
	d.dct_method = JDCT_IFAST;
	d.do_fancy_upsampling = FALSE;
	jpeg_start_decompress(&d);
	row = (*d.mem->alloc_sarray)((j_common_ptr)&d, JPOOL_IMAGE, d.output_width * (JDIMENSION)d.output_components, 1);
	while (d.output_scanline < d.output_height && e.warnings == 0)
		jpeg_read_scanlines(&d, row, 1);
	if (e.warnings == 0)
		jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	return e.warnings ? damaged(&e, cause) : JZG_OK;
}

/* The proportions w:h cut about the centre of an image of iw × ih:
 * *cx, *cy, *cw, *ch. */
static void
centre_crop(int iw, int ih, int w, int h, int *cx, int *cy, int *cw, int *ch)
{
	if ((long)iw * h > (long)ih * w) {            /* too wide */
		*ch = ih;
		*cw = (int)(((long)ih * w + h / 2) / h);
	} else {
		*cw = iw;
		*ch = (int)(((long)iw * h + w / 2) / w);
	}
	if (*cw < 1) *cw = 1;
	if (*ch < 1) *ch = 1;
	*cx = (iw - *cw) / 2;
	*cy = (ih - *ch) / 2;
}

/* Box-filter the region (cx, cy, cw, ch) of the n-channel image src
 * (stride sw) down to dst of w × h (3 channels; grey is repeated). */
static void
scale_box(const unsigned char *src, int sw, int n, int cx, int cy, int cw, int ch, unsigned char *dst, int w, int h)
{
	for (int oy = 0; oy < h; oy++) {
		int y0 = cy + (int)((long)oy * ch / h), y1 = cy + (int)((long)(oy + 1) * ch / h);

		if (y1 <= y0) y1 = y0 + 1;
		for (int ox = 0; ox < w; ox++) {
			int x0 = cx + (int)((long)ox * cw / w), x1 = cx + (int)((long)(ox + 1) * cw / w);
			unsigned long sum[3] = { 0, 0, 0 }, cnt;

			if (x1 <= x0) x1 = x0 + 1;
			cnt = (unsigned long)(y1 - y0) * (unsigned long)(x1 - x0);
			for (int y = y0; y < y1; y++) {
				const unsigned char *p = src + ((size_t)y * (size_t)sw + (size_t)x0) * (size_t)n;

				for (int x = x0; x < x1; x++, p += n)
					for (int k = 0; k < 3; k++)
						sum[k] += p[n == 1 ? 0 : k];
			}
			for (int k = 0; k < 3; k++)
				dst[((size_t)oy * (size_t)w + (size_t)ox) * 3 + (size_t)k] = (unsigned char)((sum[k] + cnt / 2) / cnt);
		}
	}
}

/* Encode the w × h RGB image at quality q with dpi in its JFIF header. */
static int
encode(const unsigned char *rgb, int w, int h, int dpi, int q, unsigned char **out, unsigned long *outlen)
{
	struct jpeg_compress_struct c;
	struct jerr e;

	memset(&c, 0, sizeof c);
	memset(&e, 0, sizeof e);
	c.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = jerr_exit;
	if (setjmp(e.jump)) {
		jpeg_destroy_compress(&c);
		return -1;
	}
	jpeg_create_compress(&c);
	*out = NULL;
	*outlen = 0;
	jpeg_mem_dest(&c, out, outlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, q, TRUE);
	c.optimize_coding = TRUE;
	c.density_unit = 1;   /* dots per inch */
	c.X_density = c.Y_density = (UINT16)dpi;
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW r = (JSAMPROW)(rgb + (size_t)c.next_scanline * (size_t)w * 3);

		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return 0;
}

enum jzg_status
jpeg_fix(const unsigned char *buf, size_t len, int w, int h, int dpi, size_t max_bytes,
    unsigned char **out, size_t *outlen, struct jpeg_info *info, char **cause)
{
	struct jpeg_decompress_struct d;
	struct jerr e;
	struct jpeg_info in;
	enum jzg_status rc;
	unsigned char *volatile img = NULL;
	unsigned char *rgb = NULL;
	int cx, cy, cw, ch, m, ow, oh;

	*out = NULL;
	*outlen = 0;
	memset(&d, 0, sizeof d);
	jerr_init(&e, &d);
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&d);
		free(img);
		return damaged(&e, cause);
	}
	if ((rc = open_header(&d, &e, buf, len, &in, cause)) != JZG_OK) {
		jpeg_destroy_decompress(&d);
		return rc;
	}
	centre_crop(in.width, in.height, w, h, &cx, &cy, &cw, &ch);
	ow = cw < w ? cw : w;
	oh = ow == w ? h : (int)(((long)ow * h + w / 2) / w);
	/* the least DCT scale m/8 whose crop still covers ow × oh */
	for (m = 1; m < 8; m++)
		if ((long)cw * m / 8 >= ow && (long)ch * m / 8 >= oh)
			break;
	d.scale_num = (unsigned)m;
	d.scale_denom = 8;
	d.out_color_space = in.components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	/* the box filter below averages several pixels into one: the fast
	 * integer IDCT and plain upsampling lose nothing visible */
	d.dct_method = JDCT_IFAST;
	d.do_fancy_upsampling = FALSE;
	jpeg_start_decompress(&d);
	{
		int sw = (int)d.output_width, sh = (int)d.output_height, n = d.output_components;
		/* the crop in the scaled image */
		int scx = (int)((long)cx * sw / in.width), scy = (int)((long)cy * sh / in.height);
		int scw = (int)((long)cw * sw / in.width), sch = (int)((long)ch * sh / in.height);
		JDIMENSION xoff, xw;

		if (scw < 1) scw = 1;
		if (sch < 1) sch = 1;
		if (scx + scw > sw) scw = sw - scx;
		if (scy + sch > sh) sch = sh - scy;
		/* columns and rows outside the crop are not colour-converted
		 * (libjpeg-turbo widens the columns to whole iMCUs) */
		xoff = (JDIMENSION)scx;
		xw = (JDIMENSION)scw;
		jpeg_crop_scanline(&d, &xoff, &xw);
		scx -= (int)xoff;
		sw = (int)d.output_width;
		img = xmalloc((size_t)sw * (size_t)sch * (size_t)n + 1);
		if (scy > 0)
			jpeg_skip_scanlines(&d, (JDIMENSION)scy);
		if ((int)d.output_scanline != scy)
			sch = 0;   /* cannot happen with libjpeg-turbo 2: nothing kept, refused below */
		while ((int)d.output_scanline < scy + sch && e.warnings == 0) {
			JSAMPROW r = img + (size_t)((int)d.output_scanline - scy) * (size_t)sw * (size_t)n;

			jpeg_read_scanlines(&d, &r, 1);
		}
		if (e.warnings != 0 || sch == 0) {
			jpeg_destroy_decompress(&d);
			free(img);
			if (e.warnings == 0)
				snprintf(e.msg, sizeof e.msg, "无法跳过裁掉的行");
			return damaged(&e, cause);
		}
		jpeg_abort_decompress(&d);
		jpeg_destroy_decompress(&d);
		rgb = xmalloc((size_t)ow * (size_t)oh * 3);
		scale_box(img, sw, n, scx, 0, scw, sch, rgb, ow, oh);
		free(img);
	}
	for (int q = 92; q >= 30; q -= 4) {
		unsigned char *o = NULL;
		unsigned long ol = 0;

		if (encode(rgb, ow, oh, dpi, q, &o, &ol) != 0) {
			free(o);
			free(rgb);
			return jzg_fail(cause, JZG_ERR_NOMEM, "JPEG 编码失败");
		}
		if (ol <= max_bytes) {
			*out = xmalloc(ol);
			memcpy(*out, o, ol);
			free(o);
			*outlen = ol;
			free(rgb);
			if (info != NULL) {
				info->width = ow;
				info->height = oh;
				info->components = 3;
			}
			return JZG_OK;
		}
		free(o);
	}
	free(rgb);
	return jzg_fail(cause, JZG_ERR_INVALID, "无法把照片压缩到 %zu 字节以内", max_bytes);
}

enum jzg_status
jpeg_read_file(const char *path, unsigned char **buf, size_t *len, char **cause)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return jzg_fail(cause, JZG_ERR_IO, "无法读取：%s", strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return jzg_fail(cause, JZG_ERR_IO, "不是普通文件");
	}
	if ((unsigned long long)sb.st_size > JPEG_MAX_FILE) {
		close(fd);
		return jzg_fail(cause, JZG_ERR_INVALID, "文件过大（%.1f MB，最多 %u MB）",
		    (double)sb.st_size / (1 << 20), JPEG_MAX_FILE >> 20);
	}
	*buf = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		ssize_t k = read(fd, *buf + got, (size_t)sb.st_size - got);

		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)k;
	}
	close(fd);
	if (got != (size_t)sb.st_size) {
		free(*buf);
		*buf = NULL;
		return jzg_fail(cause, JZG_ERR_IO, "读取不完整");
	}
	*len = got;
	return JZG_OK;
}
