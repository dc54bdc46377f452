/* YUV4MPEG2 (.y4m), read and written natively.
 *
 * Stream header: "YUV4MPEG2" then space-separated tags up to '\n':
 * W<width> H<height> (required), F<num>:<den> (frame rate; F0:0 or absent =
 * unknown), C<colour space> (absent = 420jpeg), and I (interlacing), A
 * (aspect), X (extensions) and unknown tags, which are ignored: interlaced
 * frames are read as whole pictures. Colour spaces: 420jpeg, 420paldv,
 * 420mpeg2, 420 (all 8-bit 4:2:0: the names only label chroma siting), 422,
 * 444, mono, and 420pN, 422pN, 444pN, monoN for N = 9..16 bits, stored as
 * 16-bit little-endian samples (FFmpeg's convention). 411 and 444alpha give
 * LCC_ENOTSUP.
 *
 * Each frame is "FRAME" (optionally followed by ' ' and parameters, ignored)
 * and '\n', then the Y, Cb and Cr planes. A missing marker, a truncated frame
 * or a sample above 2^N - 1 is an error (LCC_EBADMSG). */
#include <stdlib.h>
#include <string.h>

#include "libcodec/io/io.h"

#define MAX_LINE 1024

/* Read a line up to '\n' (not stored). Returns 1 for a line, 0 for end of
 * stream before any byte, -1 for an unterminated or overlong line. */
static int read_line(LccIoSrc *const s, char *const buf, const size_t cap)
{
    size_t n = 0;
    for (;;) {
        uint8_t ch;
        if (lcc_io_src_read(s, &ch, 1) != 1)
            return n ? -1 : 0;
        if (ch == '\n')
            break;
        if (n + 1 >= cap)
            return -1;
        buf[n++] = (char)ch;
    }
    buf[n] = 0;
    return 1;
}

/* A decimal number of 1..10 digits that fits in uint32; -1 otherwise. */
static int64_t parse_u32(const char *p, const char **end)
{
    int64_t v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (++digits > 10 || v > UINT32_MAX)
            return -1;
    }
    *end = p;
    return digits ? v : -1;
}

static lcc_status parse_colour(LccContext *const c, const char *const name, const char *const cs,
                               LccVideo *const v)
{
    static const struct { const char *tag; LccChroma chroma; } eight[] = {
        { "420jpeg", LCC_CHROMA_420 }, { "420paldv", LCC_CHROMA_420 }, { "420mpeg2", LCC_CHROMA_420 },
        { "420", LCC_CHROMA_420 }, { "422", LCC_CHROMA_422 }, { "444", LCC_CHROMA_444 },
        { "mono", LCC_CHROMA_400 },
    };
    for (size_t i = 0; i < sizeof(eight) / sizeof(eight[0]); i++) {
        if (!strcmp(cs, eight[i].tag)) {
            v->chroma = eight[i].chroma;
            v->bit_depth = 8;
            return LCC_OK;
        }
    }
    static const struct { const char *prefix; LccChroma chroma; } deep[] = {
        { "420p", LCC_CHROMA_420 }, { "422p", LCC_CHROMA_422 }, { "444p", LCC_CHROMA_444 },
        { "mono", LCC_CHROMA_400 },
    };
    for (size_t i = 0; i < sizeof(deep) / sizeof(deep[0]); i++) {
        const size_t k = strlen(deep[i].prefix);
        if (strncmp(cs, deep[i].prefix, k))
            continue;
        const char *end;
        const int64_t bits = parse_u32(cs + k, &end);
        if (bits >= 9 && bits <= 16 && !*end) {
            v->chroma = deep[i].chroma;
            v->bit_depth = (uint32_t)bits;
            return LCC_OK;
        }
    }
    if (!strcmp(cs, "411") || !strncmp(cs, "444alpha", 8))
        return lcc_error(c, LCC_ENOTSUP, "%s: Y4M colour space C%s is not supported", name, cs);
    return lcc_error(c, LCC_EBADMSG, "%s: unknown Y4M colour space C%.32s", name, cs);
}

static lcc_status parse_header(LccContext *const c, const char *const name, char *const line, LccVideo *const v)
{
    if (strncmp(line, "YUV4MPEG2", 9) || (line[9] && line[9] != ' '))
        return lcc_error(c, LCC_EFORMAT, "%s: not a YUV4MPEG2 stream", name);
    int64_t w = -1, h = -1;
    v->chroma = LCC_CHROMA_420;
    v->bit_depth = 8;
    char *save = NULL;
    for (char *tok = strtok_r(line + 9, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        const char *end;
        switch (tok[0]) {
        case 'W':
        case 'H': {
            const int64_t x = parse_u32(tok + 1, &end);
            if (x <= 0 || *end)
                return lcc_error(c, LCC_EBADMSG, "%s: bad Y4M size tag '%.32s'", name, tok);
            *(tok[0] == 'W' ? &w : &h) = x;
            break;
        }
        case 'F': {
            const int64_t num = parse_u32(tok + 1, &end);
            const int64_t den = num >= 0 && *end == ':' ? parse_u32(end + 1, &end) : -1;
            if (den < 0 || *end || (num && !den))
                return lcc_error(c, LCC_EBADMSG, "%s: bad Y4M frame rate '%.32s'", name, tok);
            v->fps_num = num && den ? (uint32_t)num : 0;
            v->fps_den = num && den ? (uint32_t)den : 0;
            break;
        }
        case 'C': {
            const lcc_status err = parse_colour(c, name, tok + 1, v);
            if (err)
                return err;
            break;
        }
        default: /* I, A, X and unknown tags */
            break;
        }
    }
    if (w < 0 || h < 0)
        return lcc_error(c, LCC_EBADMSG, "%s: Y4M header without W or H", name);
    v->width = (uint32_t)w;
    v->height = (uint32_t)h;
    return LCC_OK;
}

lcc_status lcc_io_read_y4m(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    char line[MAX_LINE];
    const int r = read_line(s, line, sizeof(line));
    if (r <= 0)
        return lcc_error(c, r ? LCC_EBADMSG : LCC_EFORMAT, "%s: %s Y4M header", s->name,
                         r ? "unterminated or overlong" : "missing");
    LccVideo *const v = &out->video;
    out->modality = LCC_MODALITY_VIDEO;
    lcc_status err = parse_header(c, s->name, line, v);
    if (err)
        return err;
    /* Check one frame's geometry before allocating anything. */
    v->frames = 1;
    if ((err = lcc_io_check(c, s->name, out)))
        return err;
    v->frames = 0;
    const uint64_t fs = lcc_video_frame_samples(v);
    const size_t bps = v->bit_depth > 8 ? 2 : 1;
    uint8_t *const buf = malloc((size_t)fs * bps);
    if (!buf)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
    const unsigned maxval = (1u << v->bit_depth) - 1;
    LccVideoGrow g = { 0 };
    for (;;) {
        const int k = read_line(s, line, sizeof(line));
        if (!k)
            break;
        if (k < 0 || strncmp(line, "FRAME", 5) || (line[5] && line[5] != ' ')) {
            err = lcc_error(c, LCC_EBADMSG, "%s: bad or missing Y4M FRAME marker before frame %u", s->name,
                            v->frames);
            break;
        }
        if (lcc_io_src_read(s, buf, (size_t)fs * bps) != (size_t)fs * bps) {
            err = lcc_error(c, LCC_EBADMSG, "%s: truncated Y4M frame %u", s->name, v->frames);
            break;
        }
        uint16_t *const dst = lcc_io_video_next(c, s->name, v, &g, &err);
        if (!dst)
            break;
        if (bps == 1) {
            for (uint64_t i = 0; i < fs; i++)
                dst[i] = buf[i];
        } else {
            unsigned bad = 0;
            for (uint64_t i = 0; i < fs; i++) {
                dst[i] = lcc_rl16(buf + 2 * i);
                bad |= dst[i] > maxval;
            }
            if (bad) {
                err = lcc_error(c, LCC_EBADMSG, "%s: Y4M frame %u has a sample above %u bits", s->name, v->frames,
                                v->bit_depth);
                break;
            }
        }
        v->frames++;
    }
    free(buf);
    if (!err && !v->frames)
        err = lcc_error(c, LCC_EBADMSG, "%s: Y4M stream without frames", s->name);
    if (!err)
        lcc_io_video_finish(v);
    return err;
}

lcc_status lcc_io_write_y4m(LccContext *const c, const char *const path, FILE *const f, const LccVideo *const v)
{
    static const char *const names8[4] = { "mono", "420jpeg", "422", "444" };
    static const char *const prefix[4] = { "mono", "420p", "422p", "444p" };
    char cs[16];
    if (v->bit_depth == 8)
        snprintf(cs, sizeof(cs), "%s", names8[v->chroma]);
    else
        snprintf(cs, sizeof(cs), "%s%u", prefix[v->chroma], v->bit_depth);
    char fps[32] = "";
    if (v->fps_num && v->fps_den)
        snprintf(fps, sizeof(fps), " F%u:%u", v->fps_num, v->fps_den);
    if (fprintf(f, "YUV4MPEG2 W%u H%u%s Ip A1:1 C%s\n", v->width, v->height, fps, cs) < 0)
        return lcc_error(c, LCC_EIO, "%s: write failed", path);
    const uint64_t fs = lcc_video_frame_samples(v);
    const size_t bps = v->bit_depth > 8 ? 2 : 1;
    const unsigned maxval = (1u << v->bit_depth) - 1;
    uint8_t *const buf = malloc((size_t)fs * bps);
    if (!buf)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    lcc_status err = LCC_OK;
    for (uint32_t n = 0; n < v->frames && !err; n++) {
        const uint16_t *const src = v->data + n * fs;
        unsigned bad = 0;
        for (uint64_t i = 0; i < fs; i++) {
            bad |= src[i] > maxval;
            if (bps == 1)
                buf[i] = (uint8_t)src[i];
            else
                lcc_wl16(buf + 2 * i, src[i]);
        }
        if (bad)
            err = lcc_error(c, LCC_EINVAL, "%s: frame %u has a sample above %u bits", path, n, v->bit_depth);
        else if (fputs("FRAME\n", f) < 0 || fwrite(buf, 1, (size_t)fs * bps, f) != (size_t)fs * bps)
            err = lcc_error(c, LCC_EIO, "%s: write failed", path);
    }
    free(buf);
    return err;
}
