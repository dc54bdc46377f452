/* Container and `stored` profile: round trips for every modality, and
 * damaged streams (truncated, bit-flipped, oversized, inconsistent) that
 * must give a specific error, never a crash. */
#include <string.h>

#include "libcodec/container.h"
#include "libcodec/internal.h"
#include "test.h"

static const LccEncodeParams *stored_params(void)
{
    static LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = "stored";
    return &p;
}

static void fill_random(LccMedia *const m, uint64_t *const seed)
{
    const uint64_t n = lcc_media_samples(m);
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t r = test_rand(seed);
        switch (m->modality) {
        case LCC_MODALITY_IMAGE: m->image.data[i] = (uint16_t)(r & ((1u << m->image.bit_depth) - 1)); break;
        case LCC_MODALITY_VIDEO: m->video.data[i] = (uint16_t)(r & ((1u << m->video.bit_depth) - 1)); break;
        default: {
            const unsigned d = m->audio.bit_depth;
            const int64_t half = (int64_t)1 << (d - 1);
            m->audio.data[i] = (int32_t)((int64_t)(r % (uint64_t)(2 * half)) - half);
        }
        }
    }
}

static void roundtrip(LccContext *const c, LccMedia *const m, uint64_t *const seed, const char *const what)
{
    CHECK_MSG(!lcc_media_alloc(m, NULL), "%s: alloc", what);
    fill_random(m, seed);
    uint8_t *buf = NULL;
    size_t size = 0;
    lcc_status err = lcc_encode(c, m, stored_params(), &buf, &size);
    CHECK_MSG(!err, "%s: encode: %s", what, lcc_last_error(c));
    LccMedia d = { 0 };
    err = lcc_decode(c, buf, size, &d);
    CHECK_MSG(!err, "%s: decode: %s", what, lcc_last_error(c));
    CHECK_MSG(lcc_media_equal(m, &d), "%s: not bit-exact", what);
    LccStreamInfo info;
    CHECK(!lcc_stream_info(c, buf, size, &info));
    CHECK(info.profile_name && !strcmp(info.profile_name, "stored"));
    CHECK(info.modality == m->modality);
    lcc_media_free(&d);
    free(buf);
    lcc_media_free(m);
}

static void test_roundtrips(LccContext *const c, uint64_t *const seed)
{
    static const uint32_t sizes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 13, 5 }, { 64, 48 } };
    for (unsigned s = 0; s < 5; s++)
        for (unsigned ch = 1; ch <= 4; ch++)
            for (unsigned depth = 1; depth <= 16; depth += 7) {
                LccMedia m = { .modality = LCC_MODALITY_IMAGE };
                m.image = (LccImage){ sizes[s][0], sizes[s][1], ch, depth, NULL };
                roundtrip(c, &m, seed, "image");
            }
    static const unsigned depths[] = { 8, 16, 24, 32 };
    for (unsigned k = 0; k < 4; k++)
        for (unsigned ch = 1; ch <= 6; ch += 5) {
            LccMedia m = { .modality = LCC_MODALITY_AUDIO };
            m.audio = (LccAudio){ ch, 44100, 1 + 997 * k, depths[k], NULL };
            roundtrip(c, &m, seed, "audio");
        }
    for (unsigned chroma = 0; chroma <= 3; chroma++) {
        LccMedia m = { .modality = LCC_MODALITY_VIDEO };
        m.video = (LccVideo){ 17, 9, 3, chroma & 1 ? 10 : 8, (LccChroma)chroma, 25, 1, NULL };
        roundtrip(c, &m, seed, "video");
    }
}

/* A small valid stream to damage. */
static void make_stream(LccBuf *const out)
{
    LccMedia m = { .modality = LCC_MODALITY_IMAGE };
    m.image = (LccImage){ 5, 3, 3, 8, NULL };
    if (lcc_media_alloc(&m, NULL))
        return;
    for (uint64_t i = 0; i < lcc_media_samples(&m); i++)
        m.image.data[i] = (uint16_t)(i * 37 & 255);
    uint8_t *buf;
    size_t size;
    if (!lcc_encode(NULL, &m, stored_params(), &buf, &size)) {
        lcc_buf_append(out, buf, size);
        free(buf);
    }
    lcc_media_free(&m);
}

static void test_damage(LccContext *const c)
{
    LccBuf s = { 0 };
    make_stream(&s);
    CHECK(s.size > LCC_HEADER_SIZE);
    LccMedia d = { 0 };
    /* Every truncation fails cleanly. */
    int bad = 0;
    for (size_t n = 0; n < s.size; n++) {
        lcc_clear_error(c);
        const lcc_status err = lcc_decode(c, s.data, n, &d);
        bad += !(err == LCC_EBADMSG || err == LCC_EFORMAT) || d.image.data || !*lcc_last_error(c);
    }
    CHECK_MSG(!bad, "%d truncations were not rejected with a message", bad);
    /* Every single-bit flip is caught (CRC over header and chunks). */
    bad = 0;
    for (size_t i = 0; i < s.size * 8; i++) {
        s.data[i / 8] ^= (uint8_t)(1u << (i % 8));
        const lcc_status err = lcc_decode(c, s.data, s.size, &d);
        bad += err == LCC_OK;
        lcc_media_free(&d);
        s.data[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    CHECK_MSG(!bad, "%d bit flips decoded without error", bad);
    /* Trailing garbage. */
    LccBuf t = { 0 };
    lcc_buf_append(&t, s.data, s.size);
    lcc_buf_u8(&t, 0);
    CHECK(lcc_decode(c, t.data, t.size, &d) == LCC_EBADMSG);
    lcc_buf_free(&t);
    lcc_buf_free(&s);
}

/* Streams with valid CRCs but inconsistent content. */
static lcc_status decode_built(LccContext *const c, const LccHeader *const h, const char *const type,
                               const void *const data, const size_t size)
{
    LccBuf b = { 0 };
    lcc_container_begin(&b, h);
    if (type)
        lcc_container_chunk(&b, type, data, size);
    lcc_container_end(&b);
    LccMedia d = { 0 };
    lcc_clear_error(c);
    const lcc_status err = lcc_decode(c, b.data, b.size, &d);
    lcc_media_free(&d);
    lcc_buf_free(&b);
    return err;
}

static void test_semantic(LccContext *const c)
{
    LccHeader h = { .profile_id = LCC_PROFILE_STORED };
    h.geometry.modality = LCC_MODALITY_IMAGE;
    h.geometry.image = (LccImage){ 2, 2, 1, 8, NULL };
    const uint8_t px[4] = { 1, 2, 3, 4 };
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_OK);
    CHECK(decode_built(c, &h, "SAMP", px, 3) == LCC_EBADMSG);   /* missing samples */
    CHECK(decode_built(c, &h, NULL, NULL, 0) == LCC_EBADMSG);   /* no payload */
    LccBuf b = { 0 };                                           /* unknown chunk skipped */
    lcc_container_begin(&b, &h);
    lcc_container_chunk(&b, "zzzz", "hello", 5);
    lcc_container_chunk(&b, "SAMP", px, 4);
    lcc_container_end(&b);
    LccMedia d = { 0 };
    CHECK(lcc_decode(c, b.data, b.size, &d) == LCC_OK);
    lcc_media_free(&d);
    lcc_buf_free(&b);
    /* Out-of-range samples for the bit depth. */
    h.geometry.image.bit_depth = 2;
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_EBADMSG);
    /* Oversized dimensions: rejected before any allocation. */
    h.geometry.image = (LccImage){ 100000, 100000, 3, 8, NULL };
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_ERANGE);
    h.geometry.image = (LccImage){ 60000, 60000, 4, 16, NULL };
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_ERANGE);
    h.geometry.image = (LccImage){ 0, 5, 3, 8, NULL };
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_EBADMSG);
    h.geometry.modality = LCC_MODALITY_AUDIO;
    h.geometry.audio = (LccAudio){ 2, 48000, UINT64_MAX / 2, 16, NULL };
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_ERANGE);
    h.geometry.modality = LCC_MODALITY_VIDEO;
    h.geometry.video = (LccVideo){ 16, 16, 4000000000u, 8, LCC_CHROMA_420, 25, 1, NULL };
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_ERANGE);
    /* Unknown profile and modality. */
    h.geometry.modality = LCC_MODALITY_IMAGE;
    h.geometry.image = (LccImage){ 2, 2, 1, 8, NULL };
    h.profile_id = 200;
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_ENOTSUP);
    CHECK(strstr(lcc_last_error(c), "unknown profile"));
    h.profile_id = LCC_PROFILE_STORED;
    h.geometry.modality = (LccModality)9;
    CHECK(decode_built(c, &h, "SAMP", px, 4) == LCC_EBADMSG);
}

static void test_limits(void)
{
    LccSettings s;
    lcc_default_settings(&s);
    s.limits.max_pixels = 100;
    LccContext *c;
    CHECK(!lcc_open(&c, &s));
    LccMedia m = { .modality = LCC_MODALITY_IMAGE };
    m.image = (LccImage){ 11, 10, 1, 8, NULL };
    CHECK(!lcc_media_alloc(&m, NULL));
    uint8_t *buf;
    size_t size;
    CHECK(!lcc_encode(NULL, &m, stored_params(), &buf, &size));
    LccMedia d = { 0 };
    CHECK(lcc_decode(c, buf, size, &d) == LCC_ERANGE);
    free(buf);
    CHECK(lcc_encode(c, &m, stored_params(), &buf, &size) == LCC_ERANGE);
    free(buf);
    lcc_media_free(&m);
    lcc_close(&c);
    CHECK(c == NULL);
    lcc_close(&c); /* NULL is a no-op */
}

int main(void)
{
    uint64_t seed = test_seed();
    LccContext *c;
    CHECK(!lcc_open(&c, NULL));
    test_roundtrips(c, &seed);
    test_damage(c);
    test_semantic(c);
    test_limits();
    CHECK(lcc_crc32(0, "123456789", 9) == 0xcbf43926u);
    lcc_close(&c);
    return test_summary();
}
