/* PNG through libpng. Reading expands palette, gray below 8 bits and tRNS
 * to 8-bit samples (tRNS becomes alpha); 16-bit files stay 16-bit. Writing
 * stores bit_depth <= 8 as 8-bit PNG and anything deeper as 16-bit, the
 * sample values unchanged (no sBIT, no rescaling). */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/io/io.h"

typedef struct PngErr {
    char msg[256];
} PngErr;

static void png_error_cb(png_structp png, png_const_charp msg)
{
    PngErr *const e = png_get_error_ptr(png);
    snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void png_read_cb(png_structp png, png_bytep data, size_t n)
{
    LccIoSrc *const s = png_get_io_ptr(png);
    if (lcc_io_src_read(s, data, n) != n)
        png_error(png, "unexpected end of file");
}

/* Samples of one row between the PNG byte layout and uint16. */
static void unpack_row(uint16_t *const dst, const uint8_t *const src, const size_t n, const int depth)
{
    if (depth == 16) {
        for (size_t i = 0; i < n; i++)
            dst[i] = (uint16_t)(src[2 * i] << 8 | src[2 * i + 1]);
    } else {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
    }
}

static void pack_row(uint8_t *const dst, const uint16_t *const src, const size_t n, const int depth)
{
    if (depth == 16) {
        for (size_t i = 0; i < n; i++) {
            dst[2 * i] = (uint8_t)(src[i] >> 8);
            dst[2 * i + 1] = (uint8_t)src[i];
        }
    } else {
        for (size_t i = 0; i < n; i++)
            dst[i] = (uint8_t)src[i];
    }
}

lcc_status lcc_io_read_png(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    PngErr e = { { 0 } };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &e, png_error_cb, png_warning_cb);
    if (!png)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
    }
    uint8_t *volatile row = NULL;
    volatile lcc_status err = LCC_OK;
    if (setjmp(png_jmpbuf(png))) {
        if (!err)
            err = lcc_error(c, LCC_EBADMSG, "%s: damaged PNG: %s", s->name, e.msg);
        goto done;
    }
    const LccLimits *const l = lcc_limits(c);
    const uint32_t maxdim = l->max_dimension < 0x7fffffff ? (uint32_t)l->max_dimension : 0x7fffffff;
    png_set_user_limits(png, maxdim, maxdim);
    png_set_chunk_cache_max(png, 1000);
    png_set_chunk_malloc_max(png, 8u << 20);
    png_set_read_fn(png, s, png_read_cb);
    png_read_info(png, info);

    png_uint_32 w, h;
    int depth, color, interlace;
    png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    if (color == PNG_COLOR_TYPE_PALETTE || depth < 8 || png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_expand(png);
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int channels = png_get_channels(png, info);
    depth = png_get_bit_depth(png, info);
    if (channels < 1 || channels > 4 || (depth != 8 && depth != 16)) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: unsupported PNG layout (%d channels, %d bits)", s->name, channels,
                        depth);
        goto done;
    }
    out->modality = LCC_MODALITY_IMAGE;
    out->image.width = w;
    out->image.height = h;
    out->image.channels = (uint32_t)channels;
    out->image.bit_depth = (uint32_t)depth;
    if ((err = lcc_io_alloc(c, s->name, out)))
        goto done;
    const size_t n = (size_t)w * (size_t)channels;
    const size_t rowbytes = png_get_rowbytes(png, info);
    if (rowbytes != n * (size_t)(depth / 8)) {
        err = lcc_error(c, LCC_EINTERNAL, "%s: unexpected PNG row size", s->name);
        goto done;
    }
    row = malloc(rowbytes);
    if (!row) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
        goto done;
    }
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < h; y++) {
            uint16_t *const dst = out->image.data + (size_t)y * n;
            /* Interlaced passes combine into the row's earlier contents. */
            if (passes > 1)
                pack_row(row, dst, n, depth);
            png_read_row(png, row, NULL);
            unpack_row(dst, row, n, depth);
        }
    }
    png_read_end(png, NULL);
done:
    free(row);
    png_destroy_read_struct(&png, &info, NULL);
    return err;
}

lcc_status lcc_io_write_png(LccContext *const c, const char *const path, FILE *const f, const LccImage *const im)
{
    const size_t n = (size_t)im->width * im->channels;
    const uint32_t maxval = (1u << im->bit_depth) - 1;
    const size_t total = n * im->height;
    for (size_t i = 0; i < total; i++)
        if (im->data[i] > maxval)
            return lcc_error(c, LCC_EINVAL, "%s: sample %u exceeds %u-bit range", path, im->data[i], im->bit_depth);
    static const int color_types[4] = { PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                        PNG_COLOR_TYPE_RGB_ALPHA };
    const int depth = im->bit_depth <= 8 ? 8 : 16;
    PngErr e = { { 0 } };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, png_error_cb, png_warning_cb);
    if (!png)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    }
    uint8_t *volatile row = NULL;
    volatile lcc_status err = LCC_OK;
    if (setjmp(png_jmpbuf(png))) {
        if (!err)
            err = lcc_error(c, LCC_EIO, "%s: PNG write failed: %s", path, e.msg);
        goto done;
    }
    row = malloc(n * (size_t)(depth / 8));
    if (!row) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, im->width, im->height, depth, color_types[im->channels - 1], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < im->height; y++) {
        pack_row(row, im->data + (size_t)y * n, n, depth);
        png_write_row(png, row);
    }
    png_write_end(png, info);
done:
    free(row);
    png_destroy_write_struct(&png, &info);
    return err;
}
