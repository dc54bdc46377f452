/* The WAV header check before libsndfile (libcodec/io/wav_guard.c, issue
 * #10): the five fuzz_audio inputs on which libsndfile 1.2.0 looped
 * forever, hand-made damaged headers (each must fail quickly with
 * LCC_EBADMSG and say what is wrong) and valid variants (each must give
 * exactly its samples, from memory, from a file and through the streamed
 * reader of lcc encode).
 * Usage: test_wav_guard AUDIO_CORPUS_DIR (tests/fuzz/corpus/audio). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libcodec/io/io.h"
#include "libcodec/io/wav_guard.h"
#include "test.h"

static LccContext *ctx;
static char tmp[] = "/tmp/lcc-wav-guard-XXXXXX";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- building files --------------------------------------------------- */

typedef struct Buf {
    uint8_t *p;
    size_t n, cap;
    int be;             /* RIFX: big-endian fields */
} Buf;

static void put(Buf *const b, const void *const d, const size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put_u(Buf *const b, const uint32_t v, const int bytes)
{
    uint8_t x[4];
    for (int i = 0; i < bytes; i++)
        x[i] = (uint8_t)(b->be ? v >> 8 * (bytes - 1 - i) : v >> 8 * i);
    put(b, x, (size_t)bytes);
}

static void put_id(Buf *const b, const char *const id) { put(b, id, 4); }

/* A chunk with its pad byte. */
static void chunk(Buf *const b, const char *const id, const void *const d, const uint32_t n)
{
    put_id(b, id);
    put_u(b, n, 4);
    put(b, d, n);
    if (n & 1)
        put(b, "", 1);
}

static void riff(Buf *const b, const int be)
{
    memset(b, 0, sizeof(*b));
    b->be = be;
    put_id(b, be ? "RIFX" : "RIFF");
    put_u(b, 0, 4);     /* set by finish() */
    put_id(b, "WAVE");
}

static void finish(Buf *const b)
{
    const uint32_t n = (uint32_t)b->n - 8;
    for (int i = 0; i < 4; i++)
        b->p[4 + i] = (uint8_t)(b->be ? n >> 8 * (3 - i) : n >> 8 * i);
}

/* 'fmt ' for tag 1/3 (16 bytes) or EXTENSIBLE (40) with sub-format sub. */
static void fmt(Buf *const b, const uint32_t tag, const uint32_t ch, const uint32_t rate, const uint32_t bits,
                const uint32_t align, const uint32_t sub)
{
    Buf f = { .be = b->be };
    put_u(&f, tag, 2);
    put_u(&f, ch, 2);
    put_u(&f, rate, 4);
    put_u(&f, rate * align, 4);
    put_u(&f, align, 2);
    put_u(&f, bits, 2);
    if (tag == 0xfffe) {
        put_u(&f, 22, 2);
        put_u(&f, bits, 2);
        put_u(&f, 0, 4);
        put_u(&f, sub, 4);
        put(&f, "\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71", 12);
    }
    chunk(b, "fmt ", f.p, (uint32_t)f.n);
    free(f.p);
}

/* LIST INFO with an odd-sized member (and its pad byte). */
static void info_list(Buf *const b)
{
    Buf l = { .be = b->be };
    put_id(&l, "INFO");
    chunk(&l, "ISFT", "lavf", 5);
    chunk(&l, "INAM", "odd", 4);
    chunk(b, "LIST", l.p, (uint32_t)l.n);
    free(l.p);
}

static void pcm_fmt(Buf *const b, const uint32_t ch, const uint32_t bits)
{
    fmt(b, 1, ch, 8000, bits, ch * ((bits + 7) / 8), 0);
}

/* n samples of 'bits' bits (8: unsigned bytes), values want[] */
static void data_chunk(Buf *const b, const int32_t *const want, const size_t n, const uint32_t bits)
{
    Buf d = { .be = b->be };
    for (size_t i = 0; i < n; i++)
        put_u(&d, bits == 8 ? (uint32_t)(want[i] + 128) : (uint32_t)want[i], (int)bits / 8);
    chunk(b, "data", d.p, (uint32_t)d.n);
    free(d.p);
}

static void samples(int32_t *const v, const size_t n, const uint32_t bits)
{
    const int32_t amp = (int32_t)(((int64_t)1 << (bits - 1)) - 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (int32_t)((int64_t)amp * (int64_t)((i * 7919) % 2001 - 1000) / 1000);
    v[0] = -amp - 1;
}

/* ---- checks ------------------------------------------------------------- */

static int write_tmp(const char *const path, const Buf *const b)
{
    FILE *const f = fopen(path, "wb");
    if (!f)
        return -1;
    const int ok = fwrite(b->p, 1, b->n, f) == b->n;
    return fclose(f) || !ok ? -1 : 0;
}

/* b must be refused, quickly, with a message containing what (if not NULL),
 * from memory, by the detecting reader, from a file; the streamed reader
 * must hand it to the whole-file reader (LCC_EFORMAT, no message). */
static void expect_bad(const char *const name, const Buf *const b, const char *const what)
{
    LccMedia m = { 0 };
    lcc_clear_error(ctx);
    const double t0 = now();
    lcc_status err = lcc_io_read_audio_mem(ctx, b->p, b->n, &m);
    const double dt = now() - t0;
    const char *const msg = lcc_last_error(ctx);
    CHECK_MSG(err == LCC_EBADMSG && !m.audio.data, "%s: status %d (%s)", name, err, msg);
    CHECK_MSG(dt < 1.0, "%s: %.3f s", name, dt);
    CHECK_MSG(!what || strstr(msg, what), "%s: message \"%s\" does not say \"%s\"", name, msg, what);
    lcc_clear_error(ctx);
    err = lcc_io_read_mem(ctx, name, b->p, b->n, &m);
    CHECK_MSG(err == LCC_EBADMSG, "%s: lcc_io_read_mem status %d (%s)", name, err, lcc_last_error(ctx));
    char path[512];
    snprintf(path, sizeof(path), "%s/bad.wav", tmp);
    if (write_tmp(path, b)) {
        CHECK_MSG(0, "cannot write %s", path);
        return;
    }
    lcc_clear_error(ctx);
    err = lcc_media_read(ctx, path, &m);
    CHECK_MSG(err == LCC_EBADMSG && !m.audio.data, "%s: lcc_media_read status %d (%s)", name, err,
              lcc_last_error(ctx));
    lcc_clear_error(ctx);
    LccAudio g;
    LccAudioSource *src = (LccAudioSource *)1;
    err = lcc_io_audio_source_open(ctx, path, &g, &src);
    CHECK_MSG(err == LCC_EFORMAT && !src && !*lcc_last_error(ctx), "%s: source_open status %d (%s)", name, err,
              lcc_last_error(ctx));
    lcc_io_audio_source_close(&src);
}

/* b must read as ch channels of want[0..n/ch) at bits bits. */
static void expect_good(const char *const name, const Buf *const b, const uint32_t ch, const uint32_t bits,
                        const int32_t *const want, const size_t n)
{
    LccMedia m = { 0 };
    lcc_clear_error(ctx);
    lcc_status err = lcc_io_read_audio_mem(ctx, b->p, b->n, &m);
    CHECK_MSG(!err && m.audio.channels == ch && m.audio.bit_depth == bits && m.audio.frames * ch == n &&
              !memcmp(m.audio.data, want, n * sizeof(int32_t)), "%s: status %d (%s), %u ch, %u bits, %llu frames",
              name, err, lcc_last_error(ctx), m.audio.channels, m.audio.bit_depth,
              (unsigned long long)m.audio.frames);
    lcc_media_free(&m);
    char path[512];
    snprintf(path, sizeof(path), "%s/good.wav", tmp);
    if (write_tmp(path, b)) {
        CHECK_MSG(0, "cannot write %s", path);
        return;
    }
    err = lcc_media_read(ctx, path, &m);
    CHECK_MSG(!err && m.audio.frames * ch == n && !memcmp(m.audio.data, want, n * sizeof(int32_t)),
              "%s: lcc_media_read status %d (%s)", name, err, lcc_last_error(ctx));
    lcc_media_free(&m);
    LccAudio g;
    LccAudioSource *src = NULL;
    err = lcc_io_audio_source_open(ctx, path, &g, &src);
    int32_t *const got = malloc(n * sizeof(int32_t) + 1);
    if (!err && got && g.channels == ch && g.frames * ch == n)
        err = lcc_io_audio_source_read(ctx, src, got, g.frames);
    else if (!err)
        err = LCC_EINVAL;
    CHECK_MSG(!err && !memcmp(got, want, n * sizeof(int32_t)), "%s: streamed read status %d (%s)", name, err,
              lcc_last_error(ctx));
    free(got);
    lcc_io_audio_source_close(&src);
}

/* ---- the fuzz reproducers ------------------------------------------------ */

/* The five of the first campaign, all damaged WAV headers. */
static const char *const damaged_wavs[] = {
    "audio-hang-5b3575ff4da6", "audio-hang-6133fa19b527", "audio-hang-6429b187aa08",
    "audio-hang-b5375b9b417a", "audio-hang-c3574de0b29f",
};

/* Every audio-hang-* input must end in an error within a second; the
 * damaged WAV headers must be refused as such. */
static void test_reproducers(const char *const corpus)
{
    DIR *const d = opendir(corpus);
    CHECK_MSG(d != NULL, "cannot open %s", corpus);
    int found = 0, damaged = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "audio-hang-", 11))
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", corpus, e->d_name);
        uint8_t *buf = NULL;
        size_t n = 0;
        if (lcc_read_file(NULL, path, 1 << 20, &buf, &n)) {
            CHECK_MSG(0, "cannot read %s", path);
            continue;
        }
        found++;
        LccMedia m = { 0 };
        const double t0 = now();
        const lcc_status err = lcc_io_read_audio_mem(ctx, buf, n, &m);
        const double dt = now() - t0;
        CHECK_MSG(err && !m.audio.data && dt < 1.0, "%s: status %d in %.3f s", e->d_name, err, dt);
        int is_damaged = 0;
        for (size_t i = 0; i < sizeof(damaged_wavs) / sizeof(damaged_wavs[0]); i++)
            is_damaged |= !strcmp(e->d_name, damaged_wavs[i]);
        if (is_damaged) {
            damaged++;
            Buf b = { .p = buf, .n = n };
            expect_bad(e->d_name, &b, "damaged WAV file");
            /* The same behind an ID3v2 tag, which libsndfile skips. */
            Buf t = { 0 };
            put(&t, "ID3\x03\x00\x00\x00\x00\x00\x06" "abcdef", 16);
            put(&t, buf, n);
            expect_bad("ID3v2 + reproducer", &t, "damaged WAV file");
            free(t.p);
        }
        free(buf);
    }
    if (d)
        closedir(d);
    CHECK_MSG(damaged == 5 && found >= 7, "%d audio-hang-* inputs (%d damaged WAVs) in %s, 7 (5) expected", found,
              damaged, corpus);
}

/* ---- hand-made damaged headers -------------------------------------------- */

static void test_damaged(void)
{
    int32_t v[64];
    samples(v, 64, 16);
    Buf b;

    riff(&b, 0); /* a LIST member larger than its LIST: the libsndfile hang */
    pcm_fmt(&b, 1, 16);
    put_id(&b, "LIST"), put_u(&b, 16, 4), put_id(&b, "INFO"), put_id(&b, "ISET"), put_u(&b, 0xfffffff8u, 4);
    put_id(&b, "abcd");
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("LIST member too large", &b, "LIST member 'ISET' at offset 48 declares 4294967288 bytes");
    free(b.p);

    riff(&b, 0); /* a chunk larger than the file */
    pcm_fmt(&b, 1, 16);
    put_id(&b, "JUNK"), put_u(&b, 0xfffffff0u, 4);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("chunk too large", &b, "chunk 'JUNK' at offset 36 declares 4294967280 bytes");
    free(b.p);

    riff(&b, 0); /* a LIST larger than the file */
    pcm_fmt(&b, 1, 16);
    put_id(&b, "LIST"), put_u(&b, 1000, 4), put_id(&b, "INFO");
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("LIST too large", &b, "declares 1000 bytes");
    free(b.p);

    riff(&b, 0); /* 12-byte 'fmt ' */
    put_id(&b, "fmt "), put_u(&b, 12, 4), put_u(&b, 1, 2), put_u(&b, 1, 2), put_u(&b, 8000, 4), put_u(&b, 16000, 4);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("short fmt", &b, "'fmt ' chunk of 12 bytes");
    free(b.p);

    riff(&b, 0); /* EXTENSIBLE in 18 bytes */
    put_id(&b, "fmt "), put_u(&b, 18, 4), put_u(&b, 0xfffe, 2), put_u(&b, 1, 2), put_u(&b, 8000, 4);
    put_u(&b, 16000, 4), put_u(&b, 2, 2), put_u(&b, 16, 2), put_u(&b, 0, 2);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("short EXTENSIBLE fmt", &b, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of 18 bytes");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 1, 0, 8000, 16, 2, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("0 channels", &b, "0 channels");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 1, 1, 0, 16, 2, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("0 Hz", &b, "sample rate of 0 Hz");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 1, 1, 0x80000000u, 16, 2, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("2^31 Hz", &b, "sample rate of 2147483648 Hz");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 1, 2, 8000, 16, 2, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("block align", &b, "block align 2 for 2 channels of 16 bits (4 expected)");
    free(b.p);

    riff(&b, 1); /* the same, big-endian */
    fmt(&b, 1, 2, 8000, 16, 6, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("RIFX block align", &b, "block align 6 for 2 channels of 16 bits (4 expected)");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 0xfffe, 2, 8000, 32, 4, 3);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("EXTENSIBLE float block align", &b, "block align 4 for 2 channels of 32 bits (8 expected)");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 3, 1, 8000, 32, 0, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("float block align 0", &b, "block align 0");
    free(b.p);

    riff(&b, 0);
    fmt(&b, 1, 1, 8000, 0, 2, 0);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("0 bits", &b, "0 bits per sample");
    free(b.p);

    riff(&b, 0);
    pcm_fmt(&b, 1, 16);
    chunk(&b, "abcd", v, 128), finish(&b);
    expect_bad("no data", &b, "no 'data' chunk");
    free(b.p);

    riff(&b, 0);
    data_chunk(&b, v, 64, 16);
    pcm_fmt(&b, 1, 16), finish(&b);
    expect_bad("data before fmt", &b, "'data' chunk at offset 12 before any 'fmt ' chunk");
    free(b.p);

    riff(&b, 0);
    pcm_fmt(&b, 1, 16);
    pcm_fmt(&b, 2, 16);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("two fmt", &b, "a second 'fmt ' chunk at offset 36");
    free(b.p);

    riff(&b, 0);
    pcm_fmt(&b, 1, 16);
    put(&b, "\x01\x02\x03\x04\x04\x00\x00\x00" "abcd", 12);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("garbage id", &b, "chunk at offset 36 without a valid id (01 02 03 04)");
    free(b.p);

    riff(&b, 0);
    pcm_fmt(&b, 1, 16);
    for (int i = 0; i < LCC_WAV_MAX_CHUNKS; i++)
        put_id(&b, "JUNK"), put_u(&b, 0, 4);
    data_chunk(&b, v, 64, 16), finish(&b);
    expect_bad("too many chunks", &b, "more than 65536 chunks");
    free(b.p);

    riff(&b, 0); /* samples cut short */
    pcm_fmt(&b, 1, 16);
    data_chunk(&b, v, 64, 16), finish(&b);
    b.n -= 20;
    expect_bad("truncated", &b, "truncated audio file: 20 bytes of samples missing");
    free(b.p);
    riff(&b, 1);
    pcm_fmt(&b, 1, 16);
    data_chunk(&b, v, 64, 16), finish(&b);
    b.n -= 30;
    expect_bad("RIFX truncated", &b, "truncated audio file: 30 bytes of samples missing");
    free(b.p);

    /* A 10-byte ID3v2 tag, then 2 bytes, then the LIST hang: libsndfile's
     * own tag skipping under virtual I/O used to land on the RIFF header
     * (offset 12), not where the tag ends (10), which the check missed. */
    riff(&b, 0);
    pcm_fmt(&b, 1, 16);
    put_id(&b, "LIST"), put_u(&b, 16, 4), put_id(&b, "INFO"), put_id(&b, "ISET"), put_u(&b, 0xfffffff8u, 4);
    put_id(&b, "abcd");
    data_chunk(&b, v, 64, 16), finish(&b);
    Buf t = { 0 };
    put(&t, "ID3\x04\x00\x80\x00\x00\x00\x00\x14\x00", 12);
    put(&t, b.p, b.n);
    LccMedia m = { 0 };
    lcc_clear_error(ctx);
    const double t0 = now();
    const lcc_status err = lcc_io_read_audio_mem(ctx, t.p, t.n, &m);
    CHECK_MSG(err && !m.audio.data && now() - t0 < 1.0, "10-byte ID3 tag + LIST hang: %d (%s)", err,
              lcc_last_error(ctx));
    free(t.p);
    free(b.p);

    Buf r = { 0 }; /* RF64 with a data size of 0xffffffff and no ds64 */
    put_id(&r, "RF64"), put_u(&r, 0xffffffffu, 4), put_id(&r, "WAVE");
    pcm_fmt(&r, 1, 16);
    put_id(&r, "data"), put_u(&r, 0xffffffffu, 4), put(&r, v, 128);
    expect_bad("RF64 without ds64", &r, "RF64 'data' chunk of unknown size without a 'ds64' chunk");
    free(r.p);

    memset(&r, 0, sizeof(r));
    put_id(&r, "RF64"), put_u(&r, 0xffffffffu, 4), put_id(&r, "WAVE");
    put_id(&r, "ds64"), put_u(&r, 20, 4), put(&r, v, 20);
    pcm_fmt(&r, 1, 16);
    put_id(&r, "data"), put_u(&r, 0xffffffffu, 4), put(&r, v, 128);
    expect_bad("RF64 short ds64", &r, "'ds64' chunk of 20 bytes (28 at least)");
    free(r.p);
}

/* ---- valid variants --------------------------------------------------- */

static void test_valid(void)
{
    enum { N = 1202 };
    int32_t v16[N], v8[N], v24[N], v32[N];
    samples(v16, N, 16);
    samples(v8, N, 8);
    samples(v24, N, 24);
    samples(v32, N, 32);
    Buf b;

    for (int be = 0; be <= 1; be++) {
        riff(&b, be); /* 16-bit, a LIST with odd members before the samples */
        pcm_fmt(&b, 2, 16);
        info_list(&b);
        data_chunk(&b, v16, N, 16), finish(&b);
        expect_good(be ? "RIFX s16 stereo" : "s16 stereo", &b, 2, 16, v16, N);
        free(b.p);
    }

    riff(&b, 0); /* odd u8 samples with a pad byte, chunks after them */
    pcm_fmt(&b, 1, 8);
    chunk(&b, "abcd", "xyz", 3);
    data_chunk(&b, v8, N - 1, 8);
    info_list(&b);
    put(&b, "trailing garbage", 16), finish(&b);
    expect_good("u8 odd + pad", &b, 1, 8, v8, N - 1);
    b.n -= 16 + 8 + 30 + 1; /* the same ending right after the samples, without the pad byte */
    finish(&b);
    expect_good("u8 odd, no pad at the end", &b, 1, 8, v8, N - 1);
    free(b.p);

    riff(&b, 0); /* 24-bit in EXTENSIBLE, 6 channels, JUNK first, zeroed LIST, cue */
    chunk(&b, "JUNK", v8, 28);
    fmt(&b, 0xfffe, 6, 48000, 24, 18, 1);
    uint8_t zeros[40] = { 0 };
    chunk(&b, "LIST", zeros, sizeof(zeros));
    chunk(&b, "cue ", zeros, 4);
    data_chunk(&b, v24, N - N % 6, 24), finish(&b);
    expect_good("s24 EXTENSIBLE 6 ch", &b, 6, 24, v24, N - N % 6);
    free(b.p);

    riff(&b, 0); /* 32-bit, 2 channels, ID3v1 trailer */
    pcm_fmt(&b, 2, 32);
    data_chunk(&b, v32, N, 32), finish(&b);
    put(&b, "TAGSong", 7);
    for (int i = 0; i < 121; i++)
        put(&b, "", 1);
    expect_good("s32 + ID3v1", &b, 2, 32, v32, N);
    free(b.p);

    riff(&b, 0); /* 8 channels of 16 bits */
    fmt(&b, 0xfffe, 8, 44100, 16, 16, 1);
    data_chunk(&b, v16, N - N % 8, 16), finish(&b);
    expect_good("s16 8 ch", &b, 8, 16, v16, N - N % 8);
    free(b.p);

    /* float (tag 3) and EXTENSIBLE float: x = k / 1024 -> 24 bits exactly */
    int32_t vf[N];
    for (int ext = 0; ext <= 1; ext++) {
        riff(&b, 0);
        if (ext)
            fmt(&b, 0xfffe, 2, 8000, 32, 8, 3);
        else
            fmt(&b, 3, 2, 8000, 32, 8, 0);
        Buf d = { 0 };
        for (int i = 0; i < N; i++) {
            const float x = (float)((i * 37) % 2048 - 1024) / 1024.0f;
            uint32_t u;
            memcpy(&u, &x, 4);
            put_u(&d, u, 4);
            vf[i] = (int32_t)(x * 8388608.0f);
            if (vf[i] > 8388607)
                vf[i] = 8388607;
        }
        chunk(&b, "PEAK", zeros, 24);
        chunk(&b, "data", d.p, (uint32_t)d.n), finish(&b);
        free(d.p);
        expect_good(ext ? "EXTENSIBLE float" : "float", &b, 2, 24, vf, N);
        free(b.p);
    }

    riff(&b, 0); /* libsndfile's repaired writer bug: PCM block align 0 */
    fmt(&b, 1, 1, 8000, 16, 0, 0);
    data_chunk(&b, v16, N, 16), finish(&b);
    expect_good("block align 0", &b, 1, 16, v16, N);
    /* ... never closed: RIFF size 8, data size 0 */
    b.p[4] = 8, b.p[5] = b.p[6] = b.p[7] = 0;
    memset(b.p + 40, 0, 4);
    expect_good("never closed", &b, 1, 16, v16, N);
    /* ... streamed: 0xffffffff sizes */
    memset(b.p + 4, 0xff, 4);
    memset(b.p + 40, 0xff, 4);
    expect_good("streamed", &b, 1, 16, v16, N);
    free(b.p);

    /* Streamed (0xffffffff) u8 samples of odd length up to the end of the
     * file, holding bytes that look like the LIST hang: libsndfile seeks
     * past the end for the pad byte, and when that failed it parsed the
     * samples as chunks (a fuzz_audio timeout). */
    riff(&b, 0);
    pcm_fmt(&b, 1, 8);
    put_id(&b, "data"), put_u(&b, 0xffffffffu, 4);
    static const uint8_t trap[] = "LIST\x10\x00\x00\x00INFOISET\xf8\xff\xff\xff" "abcd";
    int32_t vt[N];
    for (size_t i = 0; i < N - 1; i++) {
        const uint8_t x = i < 100 ? (uint8_t)(i * 3) : trap[i % (sizeof(trap) - 1)];
        put(&b, &x, 1);
        vt[i] = (int32_t)x - 128;
    }
    finish(&b);
    const double t0 = now();
    expect_good("streamed odd u8 with a LIST inside", &b, 1, 8, vt, N - 1);
    CHECK_MSG(now() - t0 < 2.0, "streamed odd u8: %.3f s", now() - t0);
    free(b.p);

    Buf t = { 0 }; /* behind an ID3v2 tag */
    riff(&b, 0);
    pcm_fmt(&b, 1, 16);
    data_chunk(&b, v16, N, 16), finish(&b);
    put(&t, "ID3\x04\x00\x00\x00\x00\x01\x00", 10); /* 128 bytes of tag */
    for (int i = 0; i < 128; i++)
        put(&t, "", 1);
    put(&t, b.p, b.n);
    expect_good("ID3v2 + s16", &t, 1, 16, v16, N);
    free(t.p);
    free(b.p);

    Buf r = { 0 }; /* RF64 with its ds64 */
    put_id(&r, "RF64"), put_u(&r, 0xffffffffu, 4), put_id(&r, "WAVE");
    put_id(&r, "ds64"), put_u(&r, 28, 4);
    uint8_t ds[28] = { 0 };
    lcc_wl64(ds + 8, (uint64_t)N * 2);
    lcc_wl64(ds + 16, N);
    put(&r, ds, 28);
    pcm_fmt(&r, 1, 16);
    put_id(&r, "data"), put_u(&r, 0xffffffffu, 4);
    for (int i = 0; i < N; i++)
        put_u(&r, (uint32_t)v16[i], 2);
    lcc_wl64(r.p + 20, r.n - 8);
    expect_good("RF64", &r, 1, 16, v16, N);
    free(r.p);

    riff(&b, 0); /* a 0-sample data chunk: read as before, "without samples" */
    pcm_fmt(&b, 1, 16);
    chunk(&b, "data", "", 0);
    info_list(&b), finish(&b);
    LccMedia m = { 0 };
    lcc_clear_error(ctx);
    const lcc_status err = lcc_io_read_audio_mem(ctx, b.p, b.n, &m);
    CHECK_MSG(err == LCC_EBADMSG && strstr(lcc_last_error(ctx), "without samples"), "0 samples: %d (%s)", err,
              lcc_last_error(ctx));
    free(b.p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_wav_guard AUDIO_CORPUS_DIR\n");
        return 2;
    }
    if (lcc_open(&ctx, NULL) || !mkdtemp(tmp)) {
        fprintf(stderr, "cannot set up\n");
        return 1;
    }
    test_reproducers(argv[1]);
    test_damaged();
    test_valid();
    char path[512];
    snprintf(path, sizeof(path), "%s/bad.wav", tmp);
    unlink(path);
    snprintf(path, sizeof(path), "%s/good.wav", tmp);
    unlink(path);
    rmdir(tmp);
    lcc_close(&ctx);
    return test_summary();
}
