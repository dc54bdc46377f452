/* Binary PGM (P5) and PPM (P6), read and written natively.
 * maxval may be 1..65535; samples are 1 byte below 256, else 2 bytes
 * big-endian (Netpbm). bit_depth = ceil(log2(maxval + 1)), so 255 -> 8,
 * 1023 -> 10, 65535 -> 16, and a file written with bit_depth b (maxval
 * 2^b - 1) reads back as b. Sample values are never rescaled; a sample
 * above maxval is an error. Only the first image of a file is read. */
#include <stdlib.h>
#include <string.h>

#include "libcodec/io/io.h"

typedef struct HeaderReader {
    LccIoSrc *s;
    int eof;
} HeaderReader;

static int next_char(HeaderReader *const h)
{
    uint8_t ch;
    if (lcc_io_src_read(h->s, &ch, 1) != 1) {
        h->eof = 1;
        return -1;
    }
    return ch;
}

static int pnm_space(const int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Skip whitespace and comments, then read a decimal number; the single
 * character after it is consumed and returned in *term. -1 on error. */
static int64_t header_number(HeaderReader *const h, int *const term)
{
    int ch = next_char(h);
    for (;;) {
        if (ch == '#') {
            int guard = 0;
            while (ch != '\n' && ch != '\r' && ch >= 0 && guard++ < 4096)
                ch = next_char(h);
            if (ch < 0 || guard >= 4096)
                return -1;
        } else if (pnm_space(ch)) {
            ch = next_char(h);
        } else {
            break;
        }
    }
    if (ch < '0' || ch > '9')
        return -1;
    int64_t v = 0;
    while (ch >= '0' && ch <= '9') {
        v = v * 10 + (ch - '0');
        if (v > 0x7fffffff)
            return -1;
        ch = next_char(h);
    }
    *term = ch;
    return v;
}

lcc_status lcc_io_read_pnm(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    uint8_t magic[2];
    if (lcc_io_src_read(s, magic, 2) != 2 || magic[0] != 'P' || (magic[1] != '5' && magic[1] != '6'))
        return lcc_error(c, LCC_EFORMAT, "%s: not a binary PGM/PPM file", s->name);
    HeaderReader h = { s, 0 };
    int t1, t2, t3;
    const int64_t w = header_number(&h, &t1);
    const int64_t ht = w >= 0 && pnm_space(t1) ? header_number(&h, &t2) : -1;
    const int64_t maxval = ht >= 0 && pnm_space(t2) ? header_number(&h, &t3) : -1;
    if (maxval < 0 || !pnm_space(t3))
        return lcc_error(c, LCC_EBADMSG, "%s: %s PGM/PPM header", s->name,
                         h.eof ? "truncated" : "malformed");
    if (!w || !ht)
        return lcc_error(c, LCC_EBADMSG, "%s: PGM/PPM with zero width or height", s->name);
    if (maxval < 1 || maxval > 65535)
        return lcc_error(c, LCC_EBADMSG, "%s: PGM/PPM maxval %lld outside 1..65535", s->name, (long long)maxval);
    uint32_t depth = 1;
    while (((int64_t)1 << depth) - 1 < maxval)
        depth++;
    out->modality = LCC_MODALITY_IMAGE;
    if (w > UINT32_MAX || ht > UINT32_MAX)
        return lcc_error(c, LCC_ERANGE, "%s: PGM/PPM size %lldx%lld exceeds the limits", s->name, (long long)w,
                         (long long)ht);
    out->image.width = (uint32_t)w;
    out->image.height = (uint32_t)ht;
    out->image.channels = magic[1] == '5' ? 1 : 3;
    out->image.bit_depth = depth;
    lcc_status err = lcc_io_alloc(c, s->name, out);
    if (err)
        return err;
    const size_t n = (size_t)out->image.width * out->image.channels;
    const size_t bps = maxval < 256 ? 1 : 2;
    uint8_t *const row = malloc(n * bps);
    if (!row)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
    for (uint32_t y = 0; y < out->image.height && !err; y++) {
        if (lcc_io_src_read(s, row, n * bps) != n * bps) {
            err = lcc_error(c, LCC_EBADMSG, "%s: truncated PGM/PPM data (row %u of %u)", s->name, y,
                            out->image.height);
            break;
        }
        uint16_t *const dst = out->image.data + (size_t)y * n;
        for (size_t i = 0; i < n; i++) {
            const unsigned v = bps == 1 ? row[i] : (unsigned)(row[2 * i] << 8 | row[2 * i + 1]);
            if (v > (unsigned)maxval) {
                err = lcc_error(c, LCC_EBADMSG, "%s: sample %u above maxval %lld", s->name, v, (long long)maxval);
                break;
            }
            dst[i] = (uint16_t)v;
        }
    }
    free(row);
    return err;
}

lcc_status lcc_io_write_pnm(LccContext *const c, const char *const path, FILE *const f, const LccImage *const im)
{
    if (im->channels != 1 && im->channels != 3)
        return lcc_error(c, LCC_ENOTSUP, "%s: PGM/PPM hold gray or RGB only, not %u channels (use .png)", path,
                         im->channels);
    if (lcc_has_ext(path, "pgm") && im->channels != 1)
        return lcc_error(c, LCC_EINVAL, "%s: .pgm is for gray images; use .ppm or .pnm for RGB", path);
    if (lcc_has_ext(path, "ppm") && im->channels != 3)
        return lcc_error(c, LCC_EINVAL, "%s: .ppm is for RGB images; use .pgm or .pnm for gray", path);
    const unsigned maxval = (1u << im->bit_depth) - 1;
    const size_t bps = maxval < 256 ? 1 : 2;
    const size_t n = (size_t)im->width * im->channels;
    uint8_t *const row = malloc(n * bps);
    if (!row)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    lcc_status err = LCC_OK;
    if (fprintf(f, "P%c\n%u %u\n%u\n", im->channels == 1 ? '5' : '6', im->width, im->height, maxval) < 0)
        err = lcc_error(c, LCC_EIO, "%s: write failed", path);
    for (uint32_t y = 0; y < im->height && !err; y++) {
        const uint16_t *const src = im->data + (size_t)y * n;
        for (size_t i = 0; i < n; i++) {
            if (src[i] > maxval) {
                err = lcc_error(c, LCC_EINVAL, "%s: sample %u exceeds %u-bit range", path, src[i], im->bit_depth);
                break;
            }
            if (bps == 1) {
                row[i] = (uint8_t)src[i];
            } else {
                row[2 * i] = (uint8_t)(src[i] >> 8);
                row[2 * i + 1] = (uint8_t)src[i];
            }
        }
        if (!err && fwrite(row, 1, n * bps, f) != n * bps)
            err = lcc_error(c, LCC_EIO, "%s: write failed", path);
    }
    free(row);
    return err;
}
