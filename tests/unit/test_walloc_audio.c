/* wavelet-ae audio: the model graph's backward passes against central
 * finite differences, and codec round trips with the shipped model: 1
 * sample, odd lengths, 8 channels, 24-bit, 48 kHz, several chunks; a
 * rejected sample rate and an empty signal; a damaged or missing chunk
 * loses only its own samples; thread-count independence of the decode. */
#include <math.h>
#include <string.h>

#include "libcodec/container.h"
#include "libcodec/dsp/cpu.h"
#include "libcodec/models/walloc_audio.h"
#include "test.h"

static LccNn nn;
static uint64_t seed;

static float frnd(void)
{
    return (float)((double)(test_rand(&seed) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static double chain_loss(WaudioNet *const m, const LccTensor *const X, const float *const r, const int q)
{
    lcc_nn_reset(&nn);
    LccTensor y, Xh;
    if (waudio_analysis(&nn, m, X, q, &y) || waudio_synthesis(&nn, m, &y, q, &Xh, 1))
        return NAN;
    double s = 0;
    for (size_t i = 0; i < lcc_tensor_size(&Xh); i++)
        s += (double)r[i] * Xh.d[i];
    return s;
}

static void gradient_check(void)
{
    const WaudioConfig cfg = { 2, 3, 4, 1, 2, 0 };
    WaudioNet m;
    CHECK(!waudio_init(&m, &cfg, 7));
    const int K = m.bands, T = 6, q = 1;
    LccParams *const P = &m.net.params;
    for (int i = 0; i < P->n; i++)
        for (size_t k = 0; k < P->p[i]->size; k++)
            P->p[i]->w[k] = 0.5f * frnd();
    float xd[4 * 6], r[4 * 6];
    for (int i = 0; i < K * T; i++) {
        xd[i] = 2 * frnd();
        r[i] = frnd();
    }
    const LccTensor X = { xd, 1, K, 1, T };
    lcc_params_zero_grad(P);
    lcc_nn_reset(&nn);
    LccTensor y, Xh, dy;
    CHECK(!waudio_analysis(&nn, &m, &X, q, &y));
    CHECK(!waudio_synthesis(&nn, &m, &y, q, &Xh, 1));
    LccTensor dXh = lcc_nn_tensor(&nn, 1, K, 1, T);
    memcpy(dXh.d, r, sizeof(r));
    CHECK(!waudio_synthesis_backward(&nn, &m, &y, q, &dXh, &dy));
    CHECK(!waudio_analysis_backward(&nn, &m, &X, &y, q, &dy));
    double worst = 0;
    for (int i = 0; i < P->n; i++) {
        LccParam *const p = P->p[i];
        double num2 = 0, diff2 = 0, ana2 = 0;
        for (size_t k = 0; k < p->size; k++) {
            const float v = p->w[k], e = 1e-2f;
            p->w[k] = v + e;
            const double lp = chain_loss(&m, &X, r, q);
            p->w[k] = v - e;
            const double lm = chain_loss(&m, &X, r, q);
            p->w[k] = v;
            const double num = (lp - lm) / (2.0 * e), ana = p->g[k];
            num2 += num * num;
            ana2 += ana * ana;
            diff2 += (num - ana) * (num - ana);
        }
        const double den = sqrt(num2 > ana2 ? num2 : ana2);
        const double rel = den < 1e-9 ? sqrt(diff2) : sqrt(diff2) / den;
        if (rel > worst)
            worst = rel;
        CHECK_MSG(rel < 1e-2, "parameter %s: relative gradient error %.2e", p->name, rel);
    }
    printf("wavelet-ae audio graph: worst relative gradient error %.2e\n", worst);
    waudio_free(&m);
}

/* Music-like test signal: a few partials with vibrato and a little noise,
 * about -12 dBFS, different per channel. */
static void make_audio(LccMedia *const m, const uint32_t ch, const uint32_t rate, const uint64_t frames,
                       const uint32_t depth)
{
    memset(m, 0, sizeof(*m));
    m->modality = LCC_MODALITY_AUDIO;
    m->audio = (LccAudio){ ch, rate, frames, depth, NULL };
    CHECK(!lcc_media_alloc(m, NULL));
    const double fs = (double)(1u << (depth - 1));
    for (uint64_t t = 0; t < frames; t++)
        for (uint32_t k = 0; k < ch; k++) {
            const double s = (double)t / rate, f = 220.0 * (1 + 0.5 * k);
            const double v = 0.15 * sin(2 * M_PI * f * s + 3 * sin(2 * M_PI * 5 * s)) +
                             0.08 * sin(2 * M_PI * 2.01 * f * s) + 0.03 * sin(2 * M_PI * 3.5 * f * s + k) +
                             0.002 * frnd();
            m->audio.data[t * ch + k] = (int32_t)lrint(v * fs);
        }
}

static double snr_db(const LccMedia *const a, const LccMedia *const b, const uint64_t from, const uint64_t to)
{
    const uint32_t ch = a->audio.channels;
    double s = 0, e = 0;
    for (uint64_t i = from * ch; i < to * ch; i++) {
        const double d = (double)a->audio.data[i] - b->audio.data[i];
        s += (double)a->audio.data[i] * a->audio.data[i];
        e += d * d;
    }
    return 10 * log10((s + 1e-9) / (e + 1e-9));
}

static lcc_status encode(LccContext *const c, const LccMedia *const m, const int q, uint8_t **buf, size_t *size)
{
    LccEncodeParams p;
    lcc_default_encode_params(&p);
    p.profile = "wavelet-ae";
    p.quality = q;
    return lcc_encode(c, m, &p, buf, size);
}

static void roundtrip(LccContext *const c, const uint32_t ch, const uint32_t rate, const uint64_t frames,
                      const uint32_t depth, const int q, const double min_snr)
{
    LccMedia m;
    make_audio(&m, ch, rate, frames, depth);
    uint8_t *buf = NULL;
    size_t size = 0;
    lcc_status err = encode(c, &m, q, &buf, &size);
    CHECK_MSG(!err, "%u ch %u Hz %llu frames %u-bit q%d: encode: %s", ch, rate, (unsigned long long)frames, depth,
              q, lcc_last_error(c));
    LccMedia d = { 0 };
    if (!err)
        err = lcc_decode(c, buf, size, &d);
    CHECK_MSG(!err, "%u ch %llu frames: decode: %s", ch, (unsigned long long)frames, lcc_last_error(c));
    if (!err) {
        CHECK(d.modality == LCC_MODALITY_AUDIO && d.audio.channels == ch && d.audio.sample_rate == rate &&
              d.audio.frames == frames && d.audio.bit_depth == depth);
        const double snr = snr_db(&m, &d, 0, frames);
        printf("%u ch %u Hz %llu frames %u-bit q%d: %zu bytes, SNR %.2f dB\n", ch, rate, (unsigned long long)frames,
               depth, q, size, snr);
        if (frames >= 4096)
            CHECK_MSG(snr >= min_snr, "SNR %.2f < %.2f", snr, min_snr);
        LccSettings s;
        lcc_default_settings(&s);
        s.threads = 1;
        LccContext *c1;
        LccMedia d1 = { 0 };
        CHECK(!lcc_open(&c1, &s));
        CHECK(!lcc_decode(c1, buf, size, &d1) && lcc_media_equal(&d, &d1));
        lcc_media_free(&d1);
        lcc_close(&c1);
    }
    lcc_media_free(&d);
    lcc_media_free(&m);
    free(buf);
}

/* Offset of the n-th chunk of the given type (after the 64-byte header),
 * or 0. */
static size_t find_chunk(const uint8_t *const b, const size_t size, const char *const type, int n)
{
    size_t pos = LCC_HEADER_SIZE;
    while (pos + LCC_CHUNK_OVERHEAD <= size) {
        const uint32_t len = (uint32_t)b[pos + 4] | (uint32_t)b[pos + 5] << 8 | (uint32_t)b[pos + 6] << 16 |
                             (uint32_t)b[pos + 7] << 24;
        if (!memcmp(b + pos, type, 4) && n-- == 0)
            return pos;
        pos += LCC_CHUNK_OVERHEAD + len;
    }
    return 0;
}

static uint32_t chunk_len(const uint8_t *const p)
{
    return (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
}

/* Chunk 1 of 3 damaged (payload garbled: CRC failing, then CRC made
 * valid again) or removed: the samples that chunk 1 does not touch decode
 * as before. */
static void chunk_damage(LccContext *const c)
{
    const uint32_t S = WAUDIO_SEGMENT_FRAMES << 8, O = WAUDIO_OVERLAP;
    const uint64_t frames = 2 * (uint64_t)S + 50000;
    LccMedia m, ref = { 0 }, d = { 0 };
    make_audio(&m, 2, 44100, frames, 16);
    uint8_t *buf = NULL;
    size_t size = 0;
    CHECK(!encode(c, &m, 4, &buf, &size));
    CHECK(!lcc_decode(c, buf, size, &ref));
    const size_t k1 = buf ? find_chunk(buf, size, "ACHK", 1) : 0;
    CHECK(k1 && find_chunk(buf, size, "ACHK", 2) && !find_chunk(buf, size, "ACHK", 3));
    if (k1 && ref.audio.data) {
        const uint32_t len = chunk_len(buf + k1);
        /* a failing CRC: the chunk is concealed, with a warning */
        buf[k1 + 8 + len / 2] ^= 0x10;
        lcc_status err = lcc_decode(c, buf, size, &d);
        CHECK_MSG(!err, "chunk with a bad CRC: %s", lcc_last_error(c));
        CHECK_MSG(strstr(lcc_last_warning(c), "1 damaged chunk") != NULL, "warning '%s'", lcc_last_warning(c));
        if (!err) {
            int silent = 1;
            for (uint64_t i = 2 * ((uint64_t)S + O); i < 2 * (2 * (uint64_t)S - O); i++)
                silent &= d.audio.data[i] == 0;
            CHECK_MSG(silent, "a chunk with a bad CRC is concealed by silence");
            CHECK(!memcmp(d.audio.data, ref.audio.data, sizeof(int32_t) * 2 * (S - O)));
        }
        lcc_media_free(&d);
        buf[k1 + 8 + len / 2] ^= 0x10;
        CHECK(!lcc_decode(c, buf, size, &d) && !*lcc_last_warning(c));
        lcc_media_free(&d);
        for (uint32_t i = 8; i < len; i += 7)   /* after the chunk index */
            buf[k1 + 8 + i] ^= 0x5a;
        uint32_t crc = lcc_crc32(0, buf + k1, 4);
        crc = lcc_crc32(crc, buf + k1 + 8, len);
        for (int i = 0; i < 4; i++)
            buf[k1 + 8 + len + i] = (uint8_t)(crc >> (8 * i));
        err = lcc_decode(c, buf, size, &d);
        CHECK_MSG(!err, "damaged chunk: %s", lcc_last_error(c));
        if (!err) {
            /* chunk 1 covers [S - O, 2S + O) */
            CHECK(!memcmp(d.audio.data, ref.audio.data, sizeof(int32_t) * 2 * (S - O)));
            CHECK(!memcmp(d.audio.data + 2 * (2 * (uint64_t)S + O), ref.audio.data + 2 * (2 * (uint64_t)S + O),
                          sizeof(int32_t) * 2 * (frames - 2 * S - O)));
            printf("damaged chunk 1: SNR of its segment %.2f dB (the rest unchanged)\n",
                   snr_db(&m, &d, S + O, 2 * S - O));
        }
        lcc_media_free(&d);
        /* remove chunk 1 */
        const size_t cut = LCC_CHUNK_OVERHEAD + len;
        memmove(buf + k1, buf + k1 + cut, size - k1 - cut);
        CHECK(!lcc_decode(c, buf, size - cut, &d));
        if (d.audio.data) {
            CHECK(!memcmp(d.audio.data, ref.audio.data, sizeof(int32_t) * 2 * (S - O)));
            int silent = 1;
            for (uint64_t i = 2 * ((uint64_t)S + O); i < 2 * (2 * (uint64_t)S - O); i++)
                silent &= d.audio.data[i] == 0;
            CHECK_MSG(silent, "a missing chunk is concealed by silence");
        }
        lcc_media_free(&d);
    }
    lcc_media_free(&ref);
    lcc_media_free(&m);
    free(buf);
}

/* Stereo (WAEA version 2): a nearly mono pair is coded as mid/side, a
 * wide one as left/right; both decode to their source, and M/S costs
 * fewer bytes than coding the same pair as two independent channels. */
static void stereo_modes(LccContext *const c)
{
    LccMedia m;
    make_audio(&m, 2, 44100, 30000, 16);   /* channels at 220 and 330 Hz: wide */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) /* right = left + a little */
            for (uint64_t t = 0; t < m.audio.frames; t++)
                m.audio.data[2 * t + 1] = m.audio.data[2 * t] + (int32_t)(t % 7) - 3;
        uint8_t *buf = NULL;
        size_t size = 0;
        LccMedia d = { 0 };
        CHECK(!encode(c, &m, 6, &buf, &size));
        const size_t k0 = buf ? find_chunk(buf, size, "ACHK", 0) : 0;
        CHECK_MSG(k0 && chunk_len(buf + k0) > 5 && buf[k0 + 12] == pass, "pass %d: stereo mode %d", pass,
                  k0 ? buf[k0 + 12] : -1);
        CHECK(buf && !lcc_decode(c, buf, size, &d));
        if (d.audio.data) {
            const double snr = snr_db(&m, &d, 0, m.audio.frames);
            printf("stereo mode %d: %zu bytes, SNR %.2f dB\n", pass, size, snr);
            CHECK_MSG(snr > 10, "stereo mode %d: SNR %.2f dB", pass, snr);
        }
        if (pass == 1 && buf) { /* the pair as two channels of a 3-channel file: no M/S */
            LccMedia three;
            make_audio(&three, 3, 44100, m.audio.frames, 16);
            for (uint64_t t = 0; t < m.audio.frames; t++) {
                three.audio.data[3 * t] = m.audio.data[2 * t];
                three.audio.data[3 * t + 1] = m.audio.data[2 * t + 1];
                three.audio.data[3 * t + 2] = 0;
            }
            uint8_t *b3 = NULL;
            size_t n3 = 0;
            CHECK(!encode(c, &three, 6, &b3, &n3));
            printf("the same pair without M/S (3 channels, one silent): %zu bytes\n", n3);
            CHECK_MSG(n3 > size, "M/S (%zu bytes) is not smaller than L/R (%zu)", size, n3);
            free(b3);
            lcc_media_free(&three);
        }
        lcc_media_free(&d);
        free(buf);
    }
    lcc_media_free(&m);
}

static void rejections(LccContext *const c)
{
    LccMedia m;
    make_audio(&m, 1, 22050, 1000, 16);
    uint8_t *buf = NULL;
    size_t size = 0;
    const lcc_status err = encode(c, &m, 4, &buf, &size);
    CHECK_MSG(err == LCC_ENOTSUP && strstr(lcc_last_error(c), "22050"), "22.05 kHz: %d %s", err,
              lcc_last_error(c));
    printf("22050 Hz: %s\n", lcc_last_error(c));
    free(buf);
    m.audio.frames = 0;     /* an empty signal: rejected before any profile */
    buf = NULL;
    CHECK(encode(c, &m, 4, &buf, &size) != LCC_OK && !buf);
    lcc_media_free(&m);
}

int main(void)
{
    seed = test_seed();
    if (lcc_nn_init(&nn, NULL, 1, lcc_cpu_flags()))
        return 1;
    gradient_check();
    LccSettings s;
    lcc_default_settings(&s);
    s.threads = 2;
    LccContext *c;
    CHECK(!lcc_open(&c, &s));
    roundtrip(c, 1, 44100, 1, 16, 4, 0);
    roundtrip(c, 1, 44100, 255, 16, 8, 0);
    roundtrip(c, 2, 44100, 257, 16, 1, 0);
    roundtrip(c, 2, 44100, 20000, 24, 8, 20);
    roundtrip(c, 8, 48000, 3000, 16, 6, 0);
    roundtrip(c, 2, 48000, 700000, 16, 4, 15);
    roundtrip(c, 1, 44100, 44100, 16, 1, 8);
    chunk_damage(c);
    stereo_modes(c);
    rejections(c);
    lcc_close(&c);
    lcc_nn_uninit(&nn);
    return test_summary();
}
