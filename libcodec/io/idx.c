/* IDX (ubyte, 3 dimensions) reading and writing: see idx.h. */
#include <stdlib.h>
#include <string.h>

#include "libcodec/io/idx.h"
#include "libcodec/io/io.h"

static uint32_t rb32(const uint8_t *const p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wb32(uint8_t *const p, const uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int lcc_idx_probe(const uint8_t *const buf, const size_t size)
{
    return size >= LCC_IDX_HEADER && buf[0] == 0 && buf[1] == 0 && buf[2] == 0x08 && buf[3] == 3;
}

lcc_status lcc_idx_parse(LccContext *const c, const uint8_t *const buf, const size_t size, LccMedia *const out)
{
    memset(out, 0, sizeof(*out));
    if (!lcc_idx_probe(buf, size))
        return lcc_error(c, LCC_EFORMAT, "not a 3-dimensional unsigned-byte IDX file");
    const uint32_t n = rb32(buf + 4), rows = rb32(buf + 8), cols = rb32(buf + 12);
    if (!n || !rows || !cols)
        return lcc_error(c, LCC_EBADMSG, "IDX file with a zero dimension (%u x %u x %u)", n, rows, cols);
    uint64_t px, total;
    if (lcc_mul_overflow(rows, cols, &px) || lcc_mul_overflow(px, n, &total) || total != size - LCC_IDX_HEADER)
        return lcc_error(c, LCC_EBADMSG, "IDX header says %u x %u x %u bytes, the file has %zu after the header",
                         n, rows, cols, size - LCC_IDX_HEADER);
    LccMedia m = { 0 };
    m.modality = LCC_MODALITY_VIDEO;
    m.video.width = cols;
    m.video.height = rows;
    m.video.frames = n;
    m.video.bit_depth = 8;
    m.video.chroma = LCC_CHROMA_400;
    const lcc_status err = lcc_media_alloc(&m, lcc_limits(c));
    if (err)
        return lcc_error(c, err, "IDX file of %u images of %u x %u: %s", n, cols, rows,
                         err == LCC_ERANGE ? "beyond the limits" : "cannot allocate");
    const uint8_t *const p = buf + LCC_IDX_HEADER;
    for (uint64_t i = 0; i < total; i++)
        m.video.data[i] = p[i];
    *out = m;
    return LCC_OK;
}

lcc_status lcc_idx_read(LccContext *const c, const char *const path, LccMedia *const out)
{
    memset(out, 0, sizeof(*out));
    uint8_t *buf = NULL;
    size_t size = 0;
    lcc_status err = lcc_read_file(c, path, (size_t)1 << 34, &buf, &size);
    if (!err)
        err = lcc_idx_parse(c, buf, size, out);
    free(buf);
    return err;
}

lcc_status lcc_idx_read_src(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    memset(out, 0, sizeof(*out));
    const int64_t size = lcc_io_src_size(s);
    if (size < LCC_IDX_HEADER)
        return lcc_error(c, LCC_EFORMAT, "%s: not a 3-dimensional unsigned-byte IDX file", s->name);
    /* Bound the allocation by the limits before reading. */
    uint8_t head[LCC_IDX_HEADER];
    if (lcc_io_src_read(s, head, sizeof(head)) != sizeof(head) || !lcc_idx_probe(head, sizeof(head)))
        return lcc_error(c, LCC_EFORMAT, "%s: not a 3-dimensional unsigned-byte IDX file", s->name);
    const uint64_t max = lcc_limits(c)->max_samples;
    if ((uint64_t)size - LCC_IDX_HEADER > max)
        return lcc_error(c, LCC_ERANGE, "%s: IDX file of %lld bytes is beyond the limits", s->name, (long long)size);
    uint8_t *const buf = malloc((size_t)size);
    if (!buf)
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
    memcpy(buf, head, sizeof(head));
    const size_t rest = (size_t)size - LCC_IDX_HEADER;
    lcc_status err;
    if (lcc_io_src_read(s, buf + LCC_IDX_HEADER, rest) != rest)
        err = lcc_error(c, LCC_EIO, "%s: short read", s->name);
    else
        err = lcc_idx_parse(c, buf, (size_t)size, out);
    free(buf);
    return err;
}

int lcc_idx_path(const char *const path)
{
    const size_t n = strlen(path);
    return (n >= 10 && !strcmp(path + n - 10, "idx3-ubyte")) || lcc_has_ext(path, "idx");
}

int lcc_idx_writable(const LccMedia *const m)
{
    if (m->modality == LCC_MODALITY_VIDEO)
        return m->video.chroma == LCC_CHROMA_400 && m->video.bit_depth == 8 && m->video.frames >= 1;
    if (m->modality == LCC_MODALITY_IMAGE)
        return m->image.channels == 1 && m->image.bit_depth == 8;
    return 0;
}

lcc_status lcc_idx_serialize(LccContext *const c, const LccMedia *const m, LccBuf *const out)
{
    if (!lcc_idx_writable(m))
        return lcc_error(c, LCC_EINVAL, "IDX holds 8-bit gray images only");
    const int vid = m->modality == LCC_MODALITY_VIDEO;
    const uint32_t n = vid ? m->video.frames : 1;
    const uint32_t rows = vid ? m->video.height : m->image.height;
    const uint32_t cols = vid ? m->video.width : m->image.width;
    const uint16_t *const src = vid ? m->video.data : m->image.data;
    uint8_t hdr[LCC_IDX_HEADER] = { 0, 0, 0x08, 3 };
    wb32(hdr + 4, n);
    wb32(hdr + 8, rows);
    wb32(hdr + 12, cols);
    lcc_buf_append(out, hdr, sizeof(hdr));
    const uint64_t total = (uint64_t)n * rows * cols;
    uint8_t tmp[4096];
    for (uint64_t i = 0; i < total;) {
        size_t k = 0;
        while (k < sizeof(tmp) && i < total)
            tmp[k++] = (uint8_t)src[i++];
        lcc_buf_append(out, tmp, k);
    }
    return out->failed ? lcc_error(c, LCC_ENOMEM, "IDX: out of memory") : LCC_OK;
}

lcc_status lcc_idx_write(LccContext *const c, const char *const path, const LccMedia *const m)
{
    LccBuf b = { 0 };
    lcc_status err = lcc_idx_serialize(c, m, &b);
    if (!err)
        err = lcc_write_file_atomic(c, path, b.data, b.size);
    lcc_buf_free(&b);
    return err;
}
