/* JPEG through libjpeg(-turbo): gray and YCbCr/RGB files decode to 8-bit
 * gray or RGB. Every libjpeg warning about corrupt data (premature end,
 * bad Huffman code, extraneous bytes...) is an error here: a damaged file
 * is reported, not silently concealed. CMYK/YCCK and 12-bit precision give
 * LCC_ENOTSUP. Writing: baseline, quality 95, 4:2:0 for RGB (lossy). */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "libcodec/io/io.h"

/* More scans than any sane progressive file has; bounds decode time. */
#define MAX_SCANS 1000

typedef struct JpegErr {
    struct jpeg_error_mgr pub;
    jmp_buf jmp;
    lcc_status code;
    char msg[JMSG_LENGTH_MAX];
} JpegErr;

static void jpeg_error_exit_cb(j_common_ptr cinfo)
{
    JpegErr *const e = (JpegErr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    const int code = cinfo->err->msg_code;
    e->code = code == JERR_BAD_PRECISION || code == JERR_CONVERSION_NOTIMPL ? LCC_ENOTSUP
            : code == JERR_NO_BACKING_STORE ? LCC_ERANGE   /* over max_memory_to_use */
            : code == JERR_OUT_OF_MEMORY ? LCC_ENOMEM
            : LCC_EBADMSG;
    longjmp(e->jmp, 1);
}

static void jpeg_emit_message_cb(j_common_ptr cinfo, int level)
{
    if (level >= 0)
        return; /* trace messages */
    const int code = cinfo->err->msg_code;
    if (code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC)
        return; /* harmless metadata oddities */
    JpegErr *const e = (JpegErr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    e->code = LCC_EBADMSG;
    longjmp(e->jmp, 1);
}

static void jpeg_progress_cb(j_common_ptr cinfo)
{
    if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > MAX_SCANS) {
        JpegErr *const e = (JpegErr *)cinfo->err;
        snprintf(e->msg, sizeof(e->msg), "more than %d scans", MAX_SCANS);
        e->code = LCC_EBADMSG;
        longjmp(e->jmp, 1);
    }
}

lcc_status lcc_io_read_jpeg(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    struct jpeg_decompress_struct cinfo;
    JpegErr e;
    struct jpeg_progress_mgr progress;
    memset(&cinfo, 0, sizeof(cinfo));
    memset(&e, 0, sizeof(e));
    memset(&progress, 0, sizeof(progress));
    cinfo.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = jpeg_error_exit_cb;
    e.pub.emit_message = jpeg_emit_message_cb;
    uint8_t *volatile row = NULL;
    volatile lcc_status err = LCC_OK;
    if (setjmp(e.jmp)) {
        if (!err)
            err = lcc_error(c, e.code ? e.code : LCC_EBADMSG, "%s: %s JPEG: %s", s->name,
                            e.code == LCC_ENOTSUP ? "unsupported" : e.code == LCC_EBADMSG ? "damaged" : "cannot decode",
                            e.msg);
        goto done;
    }
    jpeg_create_decompress(&cinfo);
    progress.progress_monitor = jpeg_progress_cb;
    cinfo.progress = &progress;
    /* libjpeg's own allocations (progressive coefficient buffers) are
     * bounded by the pixel limit checked below; this caps the rest. */
    cinfo.mem->max_memory_to_use = 1024L << 20;
    if (s->f)
        jpeg_stdio_src(&cinfo, s->f);
    else
        jpeg_mem_src(&cinfo, s->buf, (unsigned long)s->size);
    jpeg_read_header(&cinfo, TRUE);
    int channels;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; channels = 1; break;
    case JCS_YCbCr:
    case JCS_RGB: cinfo.out_color_space = JCS_RGB; channels = 3; break;
    default:
        err = lcc_error(c, LCC_ENOTSUP, "%s: unsupported JPEG colour space (CMYK/YCCK or unknown, %d components)",
                        s->name, cinfo.num_components);
        goto done;
    }
    out->modality = LCC_MODALITY_IMAGE;
    out->image.width = cinfo.image_width;
    out->image.height = cinfo.image_height;
    out->image.channels = (uint32_t)channels;
    out->image.bit_depth = 8;
    /* Check before libjpeg allocates anything of the image's size. */
    if ((err = lcc_io_check(c, s->name, out)))
        goto done;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_width != out->image.width || cinfo.output_height != out->image.height ||
        cinfo.output_components != channels) {
        err = lcc_error(c, LCC_EINTERNAL, "%s: unexpected JPEG output geometry", s->name);
        goto done;
    }
    if ((err = lcc_io_alloc(c, s->name, out)))
        goto done;
    const size_t n = (size_t)out->image.width * (size_t)channels;
    row = malloc(n);
    if (!row) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
        goto done;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        uint16_t *const dst = out->image.data + (size_t)cinfo.output_scanline * n;
        JSAMPROW rows[1] = { row };
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
            err = lcc_error(c, LCC_EBADMSG, "%s: damaged JPEG: no scanline", s->name);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            dst[i] = row[i];
    }
    jpeg_finish_decompress(&cinfo);
done:
    free(row);
    jpeg_destroy_decompress(&cinfo);
    return err;
}

lcc_status lcc_io_write_jpeg(LccContext *const c, const char *const path, FILE *const f, const LccImage *const im)
{
    if (im->bit_depth > 8)
        return lcc_error(c, LCC_ENOTSUP, "%s: JPEG holds 8-bit samples only (image has %u bits; use .png)", path,
                         im->bit_depth);
    if (im->channels == 2 || im->channels == 4)
        return lcc_error(c, LCC_ENOTSUP, "%s: JPEG has no alpha channel (use .png)", path);
    const size_t total = (size_t)im->width * im->height * im->channels;
    for (size_t i = 0; i < total; i++)
        if (im->data[i] >> im->bit_depth)
            return lcc_error(c, LCC_EINVAL, "%s: sample %u exceeds %u-bit range", path, im->data[i], im->bit_depth);
    struct jpeg_compress_struct cinfo;
    JpegErr e;
    memset(&cinfo, 0, sizeof(cinfo));
    memset(&e, 0, sizeof(e));
    cinfo.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = jpeg_error_exit_cb;
    uint8_t *volatile row = NULL;
    volatile lcc_status err = LCC_OK;
    if (setjmp(e.jmp)) {
        if (!err)
            err = lcc_error(c, LCC_EIO, "%s: JPEG write failed: %s", path, e.msg);
        goto done;
    }
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = im->width;
    cinfo.image_height = im->height;
    cinfo.input_components = (int)im->channels;
    cinfo.in_color_space = im->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 95, TRUE);
    const size_t n = (size_t)im->width * im->channels;
    row = malloc(n);
    if (!row) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        const uint16_t *const src = im->data + (size_t)cinfo.next_scanline * n;
        for (size_t i = 0; i < n; i++)
            row[i] = (uint8_t)src[i];
        JSAMPROW rows[1] = { row };
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
done:
    free(row);
    jpeg_destroy_compress(&cinfo);
    return err;
}
