/* .lcc container reader and writer. */
#include <stdlib.h>
#include <string.h>

#include "libcodec/container.h"

static void put_geometry(LccBuf *const b, const LccMedia *const g)
{
    uint32_t w = 0, h = 0, ch = 0, rate = 0, fn = 0, fd = 0, depth = 0, chroma = 0;
    uint64_t frames = 0;
    switch (g->modality) {
    case LCC_MODALITY_IMAGE:
        w = g->image.width; h = g->image.height; ch = g->image.channels;
        frames = 1; depth = g->image.bit_depth;
        break;
    case LCC_MODALITY_AUDIO:
        ch = g->audio.channels; frames = g->audio.frames; rate = g->audio.sample_rate;
        depth = g->audio.bit_depth;
        break;
    case LCC_MODALITY_VIDEO:
        w = g->video.width; h = g->video.height; ch = g->video.chroma == LCC_CHROMA_400 ? 1 : 3;
        frames = g->video.frames; fn = g->video.fps_num; fd = g->video.fps_den;
        depth = g->video.bit_depth; chroma = g->video.chroma;
        break;
    default:
        break;
    }
    lcc_buf_u32(b, w);
    lcc_buf_u32(b, h);
    lcc_buf_u32(b, ch);
    lcc_buf_u64(b, frames);
    lcc_buf_u32(b, rate);
    lcc_buf_u32(b, fn);
    lcc_buf_u32(b, fd);
    lcc_buf_u8(b, (uint8_t)depth);
    lcc_buf_u8(b, (uint8_t)chroma);
    lcc_buf_u16(b, 0);
}

void lcc_container_begin(LccBuf *const out, const LccHeader *const h)
{
    const size_t start = out->size;
    lcc_buf_append(out, LCC_CONTAINER_MAGIC, 8);
    lcc_buf_u8(out, LCC_CONTAINER_MAJOR);
    lcc_buf_u8(out, LCC_CONTAINER_MINOR);
    lcc_buf_u8(out, (uint8_t)h->geometry.modality);
    lcc_buf_u8(out, h->profile_id);
    lcc_buf_append(out, h->model_id, 8);
    lcc_buf_u8(out, h->quality);
    lcc_buf_u8(out, 0);
    lcc_buf_u16(out, 0);
    put_geometry(out, &h->geometry);
    if (!out->failed)
        lcc_buf_u32(out, lcc_crc32(0, out->data + start, LCC_HEADER_SIZE - 4));
}

size_t lcc_container_chunk_open(LccBuf *const out, const char *const type)
{
    const size_t start = out->size;
    lcc_buf_append(out, type, 4);
    lcc_buf_u32(out, 0);
    return start;
}

void lcc_container_chunk_close(LccBuf *const out, const size_t start)
{
    if (out->failed)
        return;
    const size_t payload = out->size - start - 8;
    if (payload > UINT32_MAX) {
        out->failed = 1;
        return;
    }
    lcc_wl32(out->data + start + 4, (uint32_t)payload);
    uint32_t crc = lcc_crc32(0, out->data + start, 4);
    crc = lcc_crc32(crc, out->data + start + 8, payload);
    lcc_buf_u32(out, crc);
}

void lcc_container_chunk(LccBuf *const out, const char *const type, const void *const data, const size_t size)
{
    const size_t start = lcc_container_chunk_open(out, type);
    lcc_buf_append(out, data, size);
    lcc_container_chunk_close(out, start);
}

void lcc_container_end(LccBuf *const out)
{
    lcc_container_chunk(out, "LEND", NULL, 0);
}

/* ---- reader ------------------------------------------------------------ */

static lcc_status parse_geometry(LccContext *const c, LccReader *const r, LccMedia *const g)
{
    const uint32_t w = lcc_reader_u32(r), h = lcc_reader_u32(r), ch = lcc_reader_u32(r);
    const uint64_t frames = lcc_reader_u64(r);
    const uint32_t rate = lcc_reader_u32(r), fn = lcc_reader_u32(r), fd = lcc_reader_u32(r);
    const uint8_t depth = lcc_reader_u8(r), chroma = lcc_reader_u8(r);
    const uint16_t reserved = lcc_reader_u16(r);
    if (reserved)
        return lcc_error(c, LCC_EBADMSG, "header: reserved geometry field is %u, not 0", reserved);
    switch (g->modality) {
    case LCC_MODALITY_IMAGE:
        if (frames != 1 || rate || fn || fd || chroma)
            return lcc_error(c, LCC_EBADMSG, "header: image geometry has video/audio fields set");
        g->image = (LccImage){ w, h, ch, depth, NULL };
        break;
    case LCC_MODALITY_AUDIO:
        if (w || h || fn || fd || chroma)
            return lcc_error(c, LCC_EBADMSG, "header: audio geometry has image fields set");
        g->audio = (LccAudio){ ch, rate, frames, depth, NULL };
        break;
    case LCC_MODALITY_VIDEO:
        if (rate || chroma > LCC_CHROMA_444 || ch != (chroma == LCC_CHROMA_400 ? 1u : 3u))
            return lcc_error(c, LCC_EBADMSG, "header: invalid video chroma format %u with %u channels",
                             chroma, ch);
        if (frames > UINT32_MAX || (!fn) != (!fd))
            return lcc_error(c, LCC_EBADMSG, "header: invalid video frame count or rate");
        g->video = (LccVideo){ w, h, (uint32_t)frames, depth, (LccChroma)chroma, fn, fd, NULL };
        break;
    default:
        return lcc_error(c, LCC_EBADMSG, "header: unknown modality %d", (int)g->modality);
    }
    const lcc_status err = lcc_media_check(g, lcc_limits(c));
    if (err == LCC_ERANGE)
        return lcc_error(c, LCC_ERANGE, "header: %s geometry exceeds the size limits", lcc_modality_name(g->modality));
    if (err)
        return lcc_error(c, LCC_EBADMSG, "header: invalid %s geometry", lcc_modality_name(g->modality));
    return LCC_OK;
}

static int valid_type(const uint8_t *const t)
{
    for (int i = 0; i < 4; i++)
        if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9')))
            return 0;
    return 1;
}

static lcc_status parse(LccContext *const c, const uint8_t *const buf, const size_t size, LccContainer *const out,
                        const int tolerant)
{
    memset(out, 0, sizeof(*out));
    if (size < 8 || memcmp(buf, LCC_CONTAINER_MAGIC, 8))
        return lcc_error(c, LCC_EFORMAT, "not an .lcc file (bad magic)");
    if (size < LCC_HEADER_SIZE)
        return lcc_error(c, LCC_EBADMSG, "truncated header (%zu of %d bytes)", size, LCC_HEADER_SIZE);
    LccReader r;
    lcc_reader_init(&r, buf + 8, LCC_HEADER_SIZE - 8);
    LccHeader *const h = &out->header;
    h->major = lcc_reader_u8(&r);
    h->minor = lcc_reader_u8(&r);
    if (h->major != LCC_CONTAINER_MAJOR)
        return lcc_error(c, LCC_ENOTSUP, "container version %u.%u is not supported (this build reads %u.x)",
                         h->major, h->minor, LCC_CONTAINER_MAJOR);
    const uint32_t crc = lcc_rl32(buf + LCC_HEADER_SIZE - 4);
    if (crc != lcc_crc32(0, buf, LCC_HEADER_SIZE - 4))
        return lcc_error(c, LCC_EBADMSG, "header CRC mismatch");
    h->geometry.modality = (LccModality)lcc_reader_u8(&r);
    h->profile_id = lcc_reader_u8(&r);
    memcpy(h->model_id, lcc_reader_take(&r, 8), 8);
    h->quality = lcc_reader_u8(&r);
    const uint8_t flags = lcc_reader_u8(&r);
    const uint16_t reserved = lcc_reader_u16(&r);
    if (flags || reserved)
        return lcc_error(c, LCC_EBADMSG, "header: reserved fields are not 0");
    lcc_status err = parse_geometry(c, &r, &h->geometry);
    if (err)
        return err;

    /* Chunks: count first (bounded), then record. */
    unsigned n = 0;
    size_t pos = LCC_HEADER_SIZE;
    int ended = 0;
    while (!ended) {
        if (size - pos < LCC_CHUNK_OVERHEAD)
            return lcc_error(c, LCC_EBADMSG, "truncated: chunk %u header at byte %zu is cut off (no LEND)", n, pos);
        const uint8_t *const t = buf + pos;
        const uint32_t len = lcc_rl32(t + 4);
        if (!valid_type(t))
            return lcc_error(c, LCC_EBADMSG, "chunk %u at byte %zu: invalid type", n, pos);
        if (len > size - pos - LCC_CHUNK_OVERHEAD)
            return lcc_error(c, LCC_EBADMSG, "truncated: chunk '%.4s' declares %u bytes, %zu remain", (const char *)t,
                             len, size - pos - LCC_CHUNK_OVERHEAD);
        uint32_t ccrc = lcc_crc32(0, t, 4);
        ccrc = lcc_crc32(ccrc, t + 8, len);
        const int lend = !memcmp(t, "LEND", 4);
        if (ccrc != lcc_rl32(t + 8 + len)) {
            if (!tolerant || lend)
                return lcc_error(c, LCC_EBADMSG, "chunk '%.4s' at byte %zu: CRC mismatch", (const char *)t, pos);
            out->num_damaged++;
        }
        if (lend) {
            if (len)
                return lcc_error(c, LCC_EBADMSG, "LEND chunk is not empty");
            ended = 1;
        } else if (++n > LCC_MAX_CHUNKS) {
            return lcc_error(c, LCC_ERANGE, "more than %u chunks", LCC_MAX_CHUNKS);
        }
        pos += LCC_CHUNK_OVERHEAD + len;
    }
    if (pos != size)
        return lcc_error(c, LCC_EBADMSG, "%zu bytes of garbage after the LEND chunk", size - pos);

    out->chunks = calloc(n ? n : 1, sizeof(*out->chunks));
    if (!out->chunks)
        return lcc_error(c, LCC_ENOMEM, "out of memory");
    pos = LCC_HEADER_SIZE;
    for (unsigned i = 0; i < n; i++) {
        LccChunk *const k = &out->chunks[i];
        memcpy(k->type, buf + pos, 4);
        k->size = lcc_rl32(buf + pos + 4);
        k->data = buf + pos + 8;
        k->offset = pos;
        if (out->num_damaged) {   /* which ones (the first pass only counted them) */
            const uint32_t ccrc = lcc_crc32(0, buf + pos, 4);
            k->damaged = lcc_crc32(ccrc, k->data, k->size) != lcc_rl32(k->data + k->size);
        }
        pos += LCC_CHUNK_OVERHEAD + k->size;
    }
    out->num_chunks = n;
    return LCC_OK;
}

lcc_status lcc_container_parse(LccContext *const c, const uint8_t *const buf, const size_t size,
                               LccContainer *const out)
{
    return parse(c, buf, size, out, 0);
}

lcc_status lcc_container_parse_tolerant(LccContext *const c, const uint8_t *const buf, const size_t size,
                                        LccContainer *const out)
{
    return parse(c, buf, size, out, 1);
}

lcc_status lcc_container_intact(LccContext *const c, const LccContainer *const ct, const char *const spare)
{
    for (unsigned i = 0; i < ct->num_chunks; i++) {
        const LccChunk *const k = &ct->chunks[i];
        if (k->damaged && !(spare && !memcmp(k->type, spare, 4)))
            return lcc_error(c, LCC_EBADMSG, "chunk '%.4s' at byte %zu: CRC mismatch", k->type, k->offset);
    }
    return LCC_OK;
}

void lcc_container_free(LccContainer *const ct)
{
    if (!ct)
        return;
    free(ct->chunks);
    memset(ct, 0, sizeof(*ct));
}

const LccChunk *lcc_container_next(const LccContainer *const ct, const LccChunk *const prev)
{
    for (const LccChunk *k = prev + 1; k < ct->chunks + ct->num_chunks; k++)
        if (!memcmp(k->type, prev->type, 4))
            return k;
    return NULL;
}

const LccChunk *lcc_container_find(const LccContainer *const ct, const char *const type)
{
    for (unsigned i = 0; i < ct->num_chunks; i++)
        if (!memcmp(ct->chunks[i].type, type, 4))
            return &ct->chunks[i];
    return NULL;
}
