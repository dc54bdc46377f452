/* WAV-family header check and the view libsndfile reads: see wav_guard.h.
 *
 * Layouts (RIFF little-endian, RIFX big-endian, RF64 little-endian):
 *   "RIFF"|"RIFX"|"RF64", u32 size, "WAVE", then chunks: 4-byte id, u32
 *   length L, L bytes, one pad byte if L is odd. RF64 puts the real sizes
 *   in a 'ds64' chunk (u64 RIFF size, u64 data size, u64 sample count,
 *   u32 table length, 12-byte table entries) and 0xffffffff in the 32-bit
 *   fields. A LIST chunk holds a 4-byte list type, then members laid out
 *   like chunks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libcodec/io/wav_guard.h"

typedef struct Wav {
    LccContext *c;
    LccIoSrc *s;
    int64_t size;       /* of the file */
    int be;             /* RIFX */
    unsigned chunks;    /* chunks and LIST members seen */
} Wav;

static uint32_t rd16(const Wav *const w, const uint8_t *const p)
{
    return w->be ? (uint32_t)p[0] << 8 | p[1] : lcc_rl16(p);
}

static uint32_t rd32(const Wav *const w, const uint8_t *const p)
{
    return w->be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : lcc_rl32(p);
}

static void wr32(const Wav *const w, uint8_t *const p, const uint32_t v)
{
    if (!w->be) {
        lcc_wl32(p, v);
        return;
    }
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static lcc_status bad(const Wav *const w, const char *const fmt, ...) LCC_PRINTF(2, 3);
static lcc_status bad(const Wav *const w, const char *const fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return lcc_error(w->c, LCC_EBADMSG, "%s: damaged WAV file: %s", w->s->name, msg);
}

/* n bytes at off, which the caller knows to be inside the file. */
static lcc_status read_at(const Wav *const w, const int64_t off, uint8_t *const dst, const size_t n)
{
    if (lcc_io_src_seek(w->s, off, SEEK_SET) || lcc_io_src_read(w->s, dst, n) != n)
        return lcc_error(w->c, LCC_EIO, "%s: read error", w->s->name);
    return LCC_OK;
}

/* A chunk id as libsndfile accepts one: four printable ASCII bytes. */
static int is_id(const uint8_t *const p)
{
    for (int i = 0; i < 4; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return 0;
    return 1;
}

/* An id for messages: 'LIST', or its bytes in hex. */
static const char *id_str(const uint8_t *const p, char out[16])
{
    if (is_id(p))
        snprintf(out, 16, "'%c%c%c%c'", p[0], p[1], p[2], p[3]);
    else
        snprintf(out, 16, "%02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
    return out;
}

static lcc_status count_chunk(Wav *const w)
{
    if (++w->chunks > LCC_WAV_MAX_CHUNKS)
        return bad(w, "more than %d chunks before the samples", LCC_WAV_MAX_CHUNKS);
    return LCC_OK;
}

static lcc_status check_fmt(const Wav *const w, const int64_t body, const uint32_t len)
{
    if (len < 16)
        return bad(w, "'fmt ' chunk of %u bytes (16 at least)", len);
    if (len > LCC_WAV_MAX_FMT)
        return bad(w, "'fmt ' chunk of %u bytes (%d at most)", len, LCC_WAV_MAX_FMT);
    uint8_t f[40] = { 0 };
    lcc_status err = read_at(w, body, f, len < sizeof(f) ? len : sizeof(f));
    if (err)
        return err;
    const uint32_t tag = rd16(w, f), ch = rd16(w, f + 2), rate = rd32(w, f + 4);
    const uint32_t align = rd16(w, f + 12), bits = rd16(w, f + 14);
    if (!ch)
        return bad(w, "'fmt ' chunk with 0 channels");
    if (!rate || rate > INT32_MAX)
        return bad(w, "'fmt ' chunk with a sample rate of %u Hz", rate);
    /* Integer PCM and float: tag 1 or 3, or WAVE_FORMAT_EXTENSIBLE with a
     * sub-format GUID starting with 1 or 3 (the KSDATAFORMAT and ambisonic
     * B-format ones). Compressed formats have block aligns of their own,
     * which libsndfile checks. */
    int pcm = tag == 1 || tag == 3;
    if (tag == 0xfffe) {
        if (len < 40)
            return bad(w, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of %u bytes (40 at least)", len);
        const uint32_t valid = rd16(w, f + 18), sub = rd32(w, f + 24);
        pcm = sub == 1 || sub == 3;
        if (pcm && valid > bits)
            return bad(w, "%u valid bits in %u-bit samples", valid, bits);
    }
    if (pcm) {
        if (!bits)
            return bad(w, "'fmt ' chunk with 0 bits per sample");
        const uint32_t want = ch * ((bits + 7) / 8);
        /* Two writer bugs libsndfile repairs, for tag 1 only: a block
         * align of 0, and 24-bit samples in 4-byte containers (ALSA's
         * arecord) announced as 24-bit with a block align of 4 x channels. */
        const int repaired = tag == 1 && (!align || (bits == 24 && align == 4 * ch));
        if (align != want && !repaired)
            return bad(w, "block align %u for %u channel%s of %u bits (%u expected)", align, ch,
                       ch == 1 ? "" : "s", bits, want);
    }
    return LCC_OK;
}

/* The members of a LIST (after its 4-byte type) must fit in it. Four zero
 * bytes where a member id should be end the list: recorders reserve space
 * in LIST chunks that way (libsndfile stops there too). Fewer than 8 bytes
 * left at the end are padding. */
static lcc_status check_list(Wav *const w, const int64_t body, const uint32_t len)
{
    const int64_t end = body + len;
    for (int64_t p = body + 4; end - p >= 8;) {
        lcc_status err = count_chunk(w);
        uint8_t m[8];
        if (err || (err = read_at(w, p, m, 8)))
            return err;
        if (!lcc_rl32(m))
            break;
        const uint32_t n = rd32(w, m + 4);
        if (n > end - p - 8) {
            char id[16];
            return bad(w, "LIST member %s at offset %lld declares %u bytes, %lld left in its LIST", id_str(m, id),
                       (long long)p, n, (long long)(end - p - 8));
        }
        p += 8 + (int64_t)n + (n & 1);
    }
    return LCC_OK;
}

/* Skip ID3v2 tags as libsndfile does (guess_file_type, id3_skip): "ID3",
 * major version 2..4, a 28-bit size after 10 header bytes; a tag is
 * skipped if something follows it. Returns the offset of what follows. */
static lcc_status skip_id3(const Wav *const w, int64_t *const off)
{
    *off = 0;
    for (int k = 0; w->size - *off >= 10; k++) {
        uint8_t h[10];
        const lcc_status err = read_at(w, *off, h, 10);
        if (err)
            return err;
        if (memcmp(h, "ID3", 3) || h[3] < 2 || h[3] > 4)
            break;
        const int64_t len = 10 + ((int64_t)(h[6] & 0x7f) << 21 | (h[7] & 0x7f) << 14 | (h[8] & 0x7f) << 7 |
                                  (h[9] & 0x7f));
        if (*off + len >= w->size)
            break;
        if (k == LCC_WAV_MAX_ID3)
            return bad(w, "more than %d ID3v2 tags before the audio", LCC_WAV_MAX_ID3);
        *off += len;
    }
    return LCC_OK;
}

lcc_status lcc_wav_guard(LccContext *const c, LccIoSrc *const s, LccWavView *const v)
{
    memset(v, 0, sizeof(*v));
    Wav w = { .c = c, .s = s, .size = lcc_io_src_size(s) };
    lcc_status err = LCC_OK;
    int64_t start;
    uint8_t h[12];
    if (w.size <= 0)
        goto done; /* size unknown (a pipe) or nothing: libsndfile reads s as it is */
    if ((err = skip_id3(&w, &start)))
        goto done;
    if (w.size - start < 12 || (err = read_at(&w, start, h, 12)))
        goto other;
    const int rf64 = !memcmp(h, "RF64", 4);
    if ((memcmp(h, "RIFF", 4) && memcmp(h, "RIFX", 4) && !rf64) || memcmp(h + 8, "WAVE", 4))
        goto other;
    w.be = !memcmp(h, "RIFX", 4);
    uint32_t riff = rd32(&w, h + 4);

    /* The chunks before the samples. */
    int64_t pos = start + 12, fmt_pos = -1;
    uint32_t fmt_len = 0, len = 0;
    int ds64 = 0;
    uint64_t ds64_riff = 0, ds64_data = 0, ds64_frames = 0;
    uint8_t ck[8];
    char id[16];
    for (;;) {
        if (w.size - pos < 8) {
            err = bad(&w, "no '%s' chunk", fmt_pos < 0 ? "fmt " : "data");
            goto done;
        }
        if ((err = count_chunk(&w)) || (err = read_at(&w, pos, ck, 8)))
            goto done;
        len = rd32(&w, ck + 4);
        const int64_t body = pos + 8, left = w.size - body;
        if (!is_id(ck)) {
            err = bad(&w, "chunk at offset %lld without a valid id (%s)", (long long)pos, id_str(ck, id));
            goto done;
        }
        if (!memcmp(ck, "data", 4))
            break;
        if (len > left) {
            err = bad(&w, "chunk %s at offset %lld declares %u bytes, %lld left in the file", id_str(ck, id),
                      (long long)pos, len, (long long)left);
            goto done;
        }
        if (!memcmp(ck, "fmt ", 4)) {
            if (fmt_pos >= 0) {
                err = bad(&w, "a second 'fmt ' chunk at offset %lld", (long long)pos);
                goto done;
            }
            if ((err = check_fmt(&w, body, len)))
                goto done;
            fmt_pos = pos;
            fmt_len = len;
        } else if (!memcmp(ck, "LIST", 4)) {
            if ((err = check_list(&w, body, len)))
                goto done;
        } else if (rf64 && !memcmp(ck, "ds64", 4)) {
            uint8_t d[28];
            if (ds64) {
                err = bad(&w, "a second 'ds64' chunk at offset %lld", (long long)pos);
                goto done;
            }
            if (len < 28) {
                err = bad(&w, "'ds64' chunk of %u bytes (28 at least)", len);
                goto done;
            }
            if ((err = read_at(&w, body, d, 28)))
                goto done;
            ds64_riff = lcc_rl64(d);
            ds64_data = lcc_rl64(d + 8);
            ds64_frames = lcc_rl64(d + 16);
            if (28 + 12 * (uint64_t)lcc_rl32(d + 24) > len) {
                err = bad(&w, "'ds64' table of %u entries in a chunk of %u bytes", lcc_rl32(d + 24), len);
                goto done;
            }
            ds64 = 1;
        }
        pos = body + len + (len & 1);
    }
    if (fmt_pos < 0) {
        err = bad(&w, "'data' chunk at offset %lld before any 'fmt ' chunk", (long long)pos);
        goto done;
    }

    /* The samples, as libsndfile finds them (wav.c, rf64.c): RF64 takes
     * the 'ds64' data size; 0xffffffff in a RIFF (a streamed file), or a
     * 0 data size with a RIFF size of 8 (a file never closed), mean "to
     * the end of the file". */
    const int64_t data = pos + 8, left = w.size - data;
    if (rf64 && !ds64 && len == 0xffffffffu) {
        err = bad(&w, "RF64 'data' chunk of unknown size without a 'ds64' chunk");
        goto done;
    }
    uint64_t n = rf64 && ds64 ? ds64_data : len;
    const int open_ended = (!len && (rf64 && ds64 ? ds64_riff : riff) == 8 && w.size > 44) ||
                           (!rf64 && len == 0xffffffffu);
    if (open_ended)
        n = (uint64_t)left;
    if (n > (uint64_t)left) {
        err = lcc_error(c, LCC_EBADMSG, "%s: truncated audio file: %llu bytes of samples missing", s->name,
                        (unsigned long long)(n - (uint64_t)left));
        goto done;
    }

    /* The view. libsndfile skips the pad byte after odd samples like the
     * pad of any chunk, so it is kept if the file has it. */
    uint8_t *const hd = v->head;
    uint32_t hl;
    const int64_t fmt_size = 8 + (int64_t)fmt_len + (fmt_len & 1);
    const int64_t tail = (int64_t)n + ((n & 1) && (int64_t)n < left);
    if (rf64) {
        hl = 48;
        v->size = hl + fmt_size + 8 + tail;
        memcpy(hd, "RF64\xff\xff\xff\xffWAVEds64", 16);
        lcc_wl32(hd + 16, 28);
        lcc_wl64(hd + 20, (uint64_t)v->size - 8);
        lcc_wl64(hd + 28, n);
        lcc_wl64(hd + 36, ds64_frames);
        lcc_wl32(hd + 44, 0);
        memcpy(hd + hl, "data\xff\xff\xff\xff", 8);
    } else {
        hl = 12;
        v->size = hl + fmt_size + 8 + tail;
        memcpy(hd, w.be ? "RIFXsizeWAVE" : "RIFFsizeWAVE", 12);
        memcpy(hd + hl, "data", 4);
        if (n > 0xffffffffu) {
            /* Longer than 32 bits can say (only a file of unknown length):
             * libsndfile's rule for a file never closed reads to the end. */
            wr32(&w, hd + 4, 8);
            wr32(&w, hd + hl + 4, 0);
        } else {
            wr32(&w, hd + 4, v->size - 8 > 0xffffffffll ? 0xffffffffu : (uint32_t)(v->size - 8));
            wr32(&w, hd + hl + 4, (uint32_t)n);
        }
    }
    v->part[0] = (LccWavPart){ .size = hl, .off = 0, .in_head = 1 };
    v->part[1] = (LccWavPart){ .size = fmt_size, .off = fmt_pos };
    v->part[2] = (LccWavPart){ .size = 8, .off = hl, .in_head = 1 };
    v->part[3] = (LccWavPart){ .size = tail, .off = data };
    goto done;
other:
    /* Not a WAVE file: libsndfile's (or nobody's), as it is but for the
     * ID3v2 tags before it. libsndfile skips those itself, but with
     * virtual I/O its positions are then off (by the tags, or by 2 after
     * a 10-byte tag), which let a damaged WAV past this check. */
    if (!err) {
        v->size = w.size - start;
        v->part[0] = (LccWavPart){ .size = v->size, .off = start };
    }
done:
    if (err)
        memset(v, 0, sizeof(*v));
    lcc_io_src_seek(s, 0, SEEK_SET);
    return err;
}

size_t lcc_wav_view_read(const LccWavView *const v, LccIoSrc *const s, int64_t pos, void *const dst,
                         const size_t n)
{
    uint8_t *const d = dst;
    size_t done = 0;
    int64_t start = 0;
    for (int i = 0; i < 4 && done < n; i++) {
        const LccWavPart *const p = &v->part[i];
        const int64_t end = start + p->size;
        if (pos >= start && pos < end) {
            const size_t want = (uint64_t)(end - pos) < n - done ? (size_t)(end - pos) : n - done;
            const int64_t at = p->off + (pos - start);
            if (p->in_head) {
                memcpy(d + done, v->head + at, want);
            } else {
                if (lcc_io_src_seek(s, at, SEEK_SET))
                    return done;
                const size_t got = lcc_io_src_read(s, d + done, want);
                if (got != want)
                    return done + got;
            }
            done += want;
            pos += (int64_t)want;
        }
        start = end;
    }
    return done;
}
