/* Media I/O: round trips of every format written, reads of files made by
 * other libraries, damaged and truncated inputs, limits, atomic writes.
 * Usage: test_io SAMPLES_DIR (datasets/samples). Files go to a fresh
 * temporary directory, removed at the end. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <png.h>

#include "libcodec/io/io.h"
#include "test.h"

static char dir[256];
static const char *samples;
static uint64_t seed;
static LccContext *ctx;

static const char *tpath(const char *const name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static const char *spath(const char *const name)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "%s/%s", samples, name);
    return buf;
}

static uint8_t *slurp(const char *const path, size_t *const n)
{
    uint8_t *buf;
    if (lcc_read_file(NULL, path, 64 << 20, &buf, n))
        return NULL;
    return buf;
}

static int spit(const char *const path, const void *const p, const size_t n)
{
    FILE *const f = fopen(path, "wb");
    if (!f)
        return -1;
    const int ok = fwrite(p, 1, n, f) == n;
    return fclose(f) || !ok ? -1 : 0;
}

/* Names in dir that start with ".", i.e. leftover temporary files. */
static int temp_files(void)
{
    DIR *const d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static lcc_status rd(const char *const path, LccMedia *const m)
{
    lcc_clear_error(ctx);
    return lcc_media_read(ctx, path, m);
}

static lcc_status wr(const char *const path, const LccMedia *const m)
{
    lcc_clear_error(ctx);
    return lcc_media_write(ctx, path, m);
}

static void make_image(LccMedia *const m, const uint32_t w, const uint32_t h, const uint32_t ch, const uint32_t bits)
{
    memset(m, 0, sizeof(*m));
    m->modality = LCC_MODALITY_IMAGE;
    m->image.width = w;
    m->image.height = h;
    m->image.channels = ch;
    m->image.bit_depth = bits;
    if (lcc_media_alloc(m, NULL))
        abort();
    for (uint64_t i = 0; i < lcc_media_samples(m); i++)
        m->image.data[i] = (uint16_t)(test_rand(&seed) & ((1u << bits) - 1));
    /* Extremes present in every image. */
    m->image.data[0] = 0;
    m->image.data[lcc_media_samples(m) - 1] = (uint16_t)((1u << bits) - 1);
}

static void make_video(LccMedia *const m, const uint32_t w, const uint32_t h, const uint32_t frames,
                       const LccChroma chroma, const uint32_t bits, const uint32_t fn, const uint32_t fd)
{
    memset(m, 0, sizeof(*m));
    m->modality = LCC_MODALITY_VIDEO;
    LccVideo *const v = &m->video;
    v->width = w;
    v->height = h;
    v->frames = frames;
    v->chroma = chroma;
    v->bit_depth = bits;
    v->fps_num = fn;
    v->fps_den = fd;
    if (lcc_media_alloc(m, NULL))
        abort();
    /* Smooth content plus noise, so lossless coders do real work. */
    const uint64_t n = lcc_media_samples(m);
    for (uint64_t i = 0; i < n; i++)
        v->data[i] = (uint16_t)(((i * 7 + (test_rand(&seed) & 15)) & ((1u << bits) - 1)));
    v->data[n - 1] = (uint16_t)((1u << bits) - 1);
}

static void make_audio(LccMedia *const m, const uint32_t ch, const uint64_t frames, const uint32_t bits,
                       const uint32_t rate)
{
    memset(m, 0, sizeof(*m));
    m->modality = LCC_MODALITY_AUDIO;
    m->audio.channels = ch;
    m->audio.frames = frames;
    m->audio.bit_depth = bits;
    m->audio.sample_rate = rate;
    if (lcc_media_alloc(m, NULL))
        abort();
    const int64_t amp = ((int64_t)1 << (bits - 1)) - 1;
    for (uint64_t i = 0; i < frames * ch; i++) {
        const double t = (double)(i / ch) / rate;
        const double x = 0.6 * sin(2 * M_PI * (220.0 + 110.0 * (i % ch)) * t);
        const int64_t noise = (int64_t)(test_rand(&seed) % 64) - 32;
        int64_t v = (int64_t)(x * (double)amp) + noise;
        v = v > amp ? amp : v < -amp - 1 ? -amp - 1 : v;
        m->audio.data[i] = (int32_t)v;
    }
    m->audio.data[0] = (int32_t)(-amp - 1);
    m->audio.data[frames * ch - 1] = (int32_t)amp;
}

/* PSNR between two sample arrays of n values, peak 2^bits - 1. */
static double psnr16(const uint16_t *const a, const uint16_t *const b, const uint64_t n, const uint32_t bits)
{
    double e = 0;
    for (uint64_t i = 0; i < n; i++)
        e += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    const double peak = (double)((1u << bits) - 1);
    return e ? 10 * log10(peak * peak * (double)n / e) : INFINITY;
}

/* Write, read back, compare. */
static void round_trip(const char *const name, const LccMedia *const m, const char *const what)
{
    LccMedia back = { 0 };
    lcc_status err = wr(tpath(name), m);
    CHECK_MSG(!err, "%s: write %s: %s", what, name, lcc_last_error(ctx));
    if (err)
        return;
    err = rd(tpath(name), &back);
    CHECK_MSG(!err, "%s: read %s: %s", what, name, lcc_last_error(ctx));
    CHECK_MSG(!err && lcc_media_equal(m, &back), "%s: %s differs after the round trip", what, name);
    lcc_media_free(&back);
}

/* ---- images ---------------------------------------------------------------- */

static void test_png_round_trips(void)
{
    static const uint32_t sizes[][2] = { { 1, 1 }, { 1, 9 }, { 9, 1 }, { 13, 5 }, { 64, 33 } };
    for (uint32_t ch = 1; ch <= 4; ch++)
        for (int d = 0; d < 2; d++)
            for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
                LccMedia m;
                char what[64];
                make_image(&m, sizes[s][0], sizes[s][1], ch, d ? 16 : 8);
                snprintf(what, sizeof(what), "png %ux%u ch%u %u-bit", sizes[s][0], sizes[s][1], ch, d ? 16 : 8);
                round_trip("rt.png", &m, what);
                lcc_media_free(&m);
            }
    /* bit_depth 10 is stored 16-bit, 4 is stored 8-bit: values unchanged. */
    for (int k = 0; k < 2; k++) {
        LccMedia m, back = { 0 };
        make_image(&m, 7, 3, 3, k ? 4 : 10);
        CHECK(!wr(tpath("d.png"), &m) && !rd(tpath("d.png"), &back));
        CHECK(back.image.bit_depth == (k ? 8u : 16u));
        CHECK(back.image.data && !memcmp(back.image.data, m.image.data, 7 * 3 * 3 * sizeof(uint16_t)));
        lcc_media_free(&back);
        /* A sample beyond bit_depth is refused. */
        m.image.data[5] = (uint16_t)(1u << m.image.bit_depth);
        CHECK(wr(tpath("bad.png"), &m) == LCC_EINVAL);
        CHECK(access(tpath("bad.png"), F_OK) != 0);
        lcc_media_free(&m);
    }
}

/* PNG layouts our writer never produces, made with libpng directly:
 * palette + tRNS, 2-bit gray, Adam7-interlaced 8- and 16-bit RGB. */
typedef struct PngMem {
    uint8_t *p;
    size_t n, cap;
} PngMem;

static void png_mem_write(png_structp png, png_bytep data, size_t n)
{
    PngMem *const m = png_get_io_ptr(png);
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->p = realloc(m->p, m->cap);
        if (!m->p)
            abort();
    }
    memcpy(m->p + m->n, data, n);
    m->n += n;
}

static void png_mem_flush(png_structp png)
{
    (void)png;
}

static PngMem libpng_encode(const uint32_t w, const uint32_t h, const int depth, const int color,
                            const int interlace, const uint8_t *const rows)
{
    PngMem mem = { 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        abort();
    png_set_write_fn(png, &mem, png_mem_write, png_mem_flush);
    png_set_IHDR(png, info, w, h, depth, color, interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[4] = { { 0, 0, 0 }, { 255, 0, 0 }, { 0, 255, 0 }, { 10, 20, 30 } };
        png_byte trans[2] = { 0, 128 };
        png_set_PLTE(png, info, pal, 4);
        png_set_tRNS(png, info, trans, 2, NULL);
    }
    png_write_info(png, info);
    const size_t rowbytes = png_get_rowbytes(png, info);
    const int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (uint32_t y = 0; y < h; y++)
            png_write_row(png, rows + y * rowbytes);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return mem;
}

static void test_png_other_layouts(void)
{
    LccMedia m = { 0 };
    /* Palette with tRNS: entries 0 and 1 have alpha 0 and 128, others 255. */
    const uint8_t pal_rows[3 * 5] = { 0, 1, 2, 3, 0, 3, 2, 1, 0, 1, 2, 2, 2, 3, 3 };
    PngMem p = libpng_encode(5, 3, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, pal_rows);
    CHECK(!lcc_io_read_png_mem(ctx, p.p, p.n, &m));
    CHECK(m.image.channels == 4 && m.image.bit_depth == 8 && m.image.width == 5);
    if (m.image.data) {
        static const uint8_t rgba[4][4] = { { 0, 0, 0, 0 }, { 255, 0, 0, 128 }, { 0, 255, 0, 255 },
                                            { 10, 20, 30, 255 } };
        int ok = 1;
        for (int i = 0; i < 15; i++)
            for (int k = 0; k < 4; k++)
                ok &= m.image.data[i * 4 + k] == rgba[pal_rows[i]][k];
        CHECK(ok);
        /* Through libavcodec (PAL8 frames): the same image, exactly. */
        LccMedia av = { 0 };
        CHECK_MSG(!lcc_io_read_av_mem(ctx, p.p, p.n, &av) && lcc_media_equal(&av, &m), "palette PNG via libav: %s",
                  lcc_last_error(ctx));
        lcc_media_free(&av);
    }
    lcc_media_free(&m);
    free(p.p);
    /* 2-bit gray, 6 pixels per row: 0..3 expand to 0, 85, 170, 255. */
    const uint8_t g2[2 * 2] = { 0x1b, 0xe0, 0xe4, 0x10 }; /* 0 1 2 3 3 2 | 3 2 1 0 0 1 */
    p = libpng_encode(6, 2, 2, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, g2);
    CHECK(!lcc_io_read_png_mem(ctx, p.p, p.n, &m));
    if (m.image.data) {
        static const uint16_t want[12] = { 0, 85, 170, 255, 255, 170, 255, 170, 85, 0, 0, 85 };
        CHECK(m.image.channels == 1 && m.image.bit_depth == 8 && !memcmp(m.image.data, want, sizeof(want)));
    }
    lcc_media_free(&m);
    free(p.p);
    /* Interlaced 8- and 16-bit RGB, odd size. */
    for (int d16 = 0; d16 < 2; d16++) {
        const uint32_t w = 11, h = 7;
        const size_t rb = (size_t)w * 3 * (d16 ? 2 : 1);
        uint8_t *const rows = malloc(rb * h);
        for (size_t i = 0; i < rb * h; i++)
            rows[i] = (uint8_t)test_rand(&seed);
        p = libpng_encode(w, h, d16 ? 16 : 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7, rows);
        CHECK(!lcc_io_read_png_mem(ctx, p.p, p.n, &m));
        int ok = m.image.data && m.image.bit_depth == (d16 ? 16u : 8u);
        for (size_t i = 0; ok && i < (size_t)w * h * 3; i++)
            ok = m.image.data[i] == (d16 ? (uint16_t)(rows[2 * i] << 8 | rows[2 * i + 1]) : rows[i]);
        CHECK_MSG(ok, "interlaced %d-bit PNG", d16 ? 16 : 8);
        lcc_media_free(&m);
        free(p.p);
        free(rows);
    }
}

static void test_pnm(void)
{
    for (uint32_t ch = 1; ch <= 3; ch += 2)
        for (uint32_t bits = 8; bits <= 16; bits += 2) {
            LccMedia m;
            char what[64];
            make_image(&m, 17, 3, ch, bits);
            snprintf(what, sizeof(what), "pnm ch%u %u-bit", ch, bits);
            round_trip(ch == 1 ? "rt.pgm" : "rt.ppm", &m, what);
            round_trip("rt.pnm", &m, what);
            lcc_media_free(&m);
        }
    /* Comments, odd whitespace and maxval 1000 (-> 10 bits). */
    static const char hdr[] = "P5 # comment\n#another\n 3\t2\r\n1000\n";
    uint8_t buf[sizeof(hdr) - 1 + 12];
    memcpy(buf, hdr, sizeof(hdr) - 1);
    static const uint16_t vals[6] = { 0, 1, 999, 1000, 256, 3 };
    for (int i = 0; i < 6; i++) {
        buf[sizeof(hdr) - 1 + 2 * i] = (uint8_t)(vals[i] >> 8);
        buf[sizeof(hdr) - 1 + 2 * i + 1] = (uint8_t)vals[i];
    }
    LccMedia m = { 0 };
    CHECK(!lcc_io_read_pnm_mem(ctx, buf, sizeof(buf), &m));
    CHECK(m.image.data && m.image.bit_depth == 10 && m.image.width == 3 && !memcmp(m.image.data, vals, sizeof(vals)));
    lcc_media_free(&m);
    /* A sample above maxval, a truncated body, a bad maxval. */
    buf[sizeof(hdr) - 1 + 6] = 0x03;
    buf[sizeof(hdr) - 1 + 7] = 0xe9; /* 1001 */
    CHECK(lcc_io_read_pnm_mem(ctx, buf, sizeof(buf), &m) == LCC_EBADMSG);
    CHECK(lcc_io_read_pnm_mem(ctx, buf, sizeof(buf) - 1, &m) == LCC_EBADMSG);
    CHECK(!m.image.data);
    static const char bad[] = "P6\n2 2\n70000\n";
    CHECK(lcc_io_read_pnm_mem(ctx, (const uint8_t *)bad, sizeof(bad) - 1, &m) == LCC_EBADMSG);
    static const char huge[] = "P6\n60000 60000\n255\n";
    CHECK(lcc_io_read_pnm_mem(ctx, (const uint8_t *)huge, sizeof(huge) - 1, &m) == LCC_ERANGE);
    static const char ascii[] = "P3\n1 1\n255\n1 2 3\n";
    CHECK(lcc_io_read_mem(ctx, "ascii.ppm", (const uint8_t *)ascii, sizeof(ascii) - 1, &m) == LCC_ENOTSUP);
    /* Alpha cannot go to PPM; RGB cannot go to .pgm. */
    make_image(&m, 2, 2, 4, 8);
    CHECK(wr(tpath("a.ppm"), &m) == LCC_ENOTSUP);
    lcc_media_free(&m);
    make_image(&m, 2, 2, 3, 8);
    CHECK(wr(tpath("a.pgm"), &m) == LCC_EINVAL);
    lcc_media_free(&m);
}

/* Decode with libjpeg directly (the plain path) and compare. */
static void test_jpeg(void)
{
    size_t n;
    uint8_t *const buf = slurp(spath("photo.jpg"), &n);
    CHECK_MSG(buf != NULL, "cannot read %s", spath("photo.jpg"));
    if (!buf)
        return;
    LccMedia m = { 0 };
    CHECK_MSG(!rd(spath("photo.jpg"), &m), "%s", lcc_last_error(ctx));
    CHECK(m.modality == LCC_MODALITY_IMAGE && m.image.channels == 3 && m.image.bit_depth == 8);
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, buf, (unsigned long)n);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    CHECK(m.image.width == cinfo.output_width && m.image.height == cinfo.output_height);
    int same = m.image.data && m.image.width == cinfo.output_width && m.image.height == cinfo.output_height;
    uint8_t *const row = malloc((size_t)cinfo.output_width * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
        const size_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = { row };
        jpeg_read_scanlines(&cinfo, rows, 1);
        for (size_t i = 0; same && i < (size_t)cinfo.output_width * 3; i++)
            same = m.image.data[y * cinfo.output_width * 3 + i] == row[i];
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    CHECK_MSG(same, "photo.jpg decodes differently from plain libjpeg");
    lcc_media_free(&m);

    /* Truncated: premature end is an error, not a concealed image. */
    for (size_t cut = 2; cut < n; cut += n / 7 + 1) {
        const lcc_status err = lcc_io_read_jpeg_mem(ctx, buf, cut, &m);
        CHECK_MSG(err == LCC_EBADMSG && !m.image.data, "JPEG cut at %zu: %d", cut, err);
    }
    lcc_media_free(&m);
    /* Corrupt entropy-coded data. */
    uint8_t *const bad = malloc(n);
    memcpy(bad, buf, n);
    bad[n / 2] = 0xff; /* an EOI marker inside the entropy-coded data */
    bad[n / 2 + 1] = 0xd9;
    lcc_clear_error(ctx);
    const lcc_status err = lcc_io_read_jpeg_mem(ctx, bad, n, &m);
    CHECK_MSG(err == LCC_EBADMSG, "corrupt JPEG: %d %s", err, lcc_last_error(ctx));
    CHECK(strstr(lcc_last_error(ctx), "JPEG") != NULL);
    lcc_media_free(&m);
    free(bad);
    free(buf);

    /* Write + read: lossy but close. */
    LccMedia img;
    make_image(&img, 33, 17, 3, 8);
    for (uint64_t i = 0; i < lcc_media_samples(&img); i++)
        img.image.data[i] = (uint16_t)((i / 3 % 33) * 6 + (i % 3) * 20);
    CHECK(!wr(tpath("w.jpg"), &img) && !rd(tpath("w.jpg"), &m));
    if (m.image.data && m.image.width == 33 && m.image.height == 17) {
        const double p = psnr16(img.image.data, m.image.data, lcc_media_samples(&m), 8);
        CHECK_MSG(p > 30, "JPEG round trip PSNR %.2f", p);
    } else {
        CHECK(0);
    }
    lcc_media_free(&m);
    lcc_media_free(&img);
}

static void test_samples(void)
{
    static const struct { const char *name; LccModality mod; } s[] = {
        { "image.png", LCC_MODALITY_IMAGE }, { "image16.png", LCC_MODALITY_IMAGE }, { "gray.png", LCC_MODALITY_IMAGE },
        { "stereo.flac", LCC_MODALITY_AUDIO }, { "mono.wav", LCC_MODALITY_AUDIO }, { "clip.y4m", LCC_MODALITY_VIDEO },
        { "clip.mp4", LCC_MODALITY_VIDEO },
    };
    LccMedia m[7];
    memset(m, 0, sizeof(m));
    for (size_t i = 0; i < 7; i++) {
        const lcc_status err = rd(spath(s[i].name), &m[i]);
        CHECK_MSG(!err && m[i].modality == s[i].mod, "%s: %d %s", s[i].name, err, lcc_last_error(ctx));
    }
    CHECK(m[0].image.width == 256 && m[0].image.channels == 3 && m[0].image.bit_depth == 8);
    CHECK(m[1].image.bit_depth == 16 && m[2].image.channels == 1);
    CHECK(m[3].audio.channels == 2 && m[3].audio.bit_depth == 16 && m[3].audio.sample_rate == 44100);
    CHECK(m[4].audio.channels == 1 && m[4].audio.frames == 44100);
    CHECK(m[5].video.frames == 8 && m[5].video.width == 176 && m[5].video.chroma == LCC_CHROMA_420);
    CHECK(m[5].video.fps_num == 30000 && m[5].video.fps_den == 1001);
    /* The H.264 clip decodes to the same geometry, close to the source. */
    CHECK(m[6].video.frames == 8 && m[6].video.width == 176 && m[6].video.height == 144 &&
          m[6].video.chroma == LCC_CHROMA_420 && m[6].video.bit_depth == 8);
    if (m[5].video.data && m[6].video.data && m[6].video.frames == 8 && m[6].video.width == 176) {
        const double p = psnr16(m[5].video.data, m[6].video.data, lcc_media_samples(&m[5]), 8);
        CHECK_MSG(p > 30 && p < 60, "clip.mp4 PSNR %.2f", p);
    }
    /* Samples round-trip through our writers. */
    round_trip("s.png", &m[0], "image.png");
    round_trip("s16.png", &m[1], "image16.png");
    round_trip("s.ppm", &m[0], "image.png as ppm");
    round_trip("s.flac", &m[3], "stereo.flac");
    round_trip("s.wav", &m[4], "mono.wav");
    round_trip("s.y4m", &m[5], "clip.y4m");
    round_trip("s.mkv", &m[5], "clip.y4m as FFV1");
    /* Lossy MP4 (libx264) if this libavcodec has it. */
    LccMedia h = { 0 };
    lcc_status err = wr(tpath("s.mp4"), &m[5]);
    CHECK_MSG(!err || err == LCC_ENOTSUP, "write s.mp4: %s", lcc_last_error(ctx));
    if (!err) {
        CHECK_MSG(!rd(tpath("s.mp4"), &h), "%s", lcc_last_error(ctx));
        CHECK(h.video.frames == 8 && h.video.width == 176 && h.video.chroma == LCC_CHROMA_420 &&
              h.video.fps_num * 1001ull == h.video.fps_den * 30000ull);
        if (h.video.data && h.video.frames == 8 && h.video.width == 176) {
            const double p = psnr16(m[5].video.data, h.video.data, lcc_media_samples(&h), 8);
            CHECK_MSG(p > 35, "mp4 round trip PSNR %.2f", p);
        }
        lcc_media_free(&h);
    }
    /* Memory reads agree with file reads. */
    size_t n;
    uint8_t *const buf = slurp(spath("stereo.flac"), &n);
    LccMedia mm = { 0 };
    CHECK(buf && !lcc_io_read_audio_mem(ctx, buf, n, &mm) && lcc_media_equal(&mm, &m[3]));
    lcc_media_free(&mm);
    /* FLAC with an unknown length (STREAMINFO total samples 0, as a
     * streamed encoder writes it) reads the same. */
    if (buf && n > 26 && !memcmp(buf, "fLaC", 4)) {
        buf[21] &= 0xf0;
        memset(buf + 22, 0, 4);
        CHECK_MSG(!lcc_io_read_audio_mem(ctx, buf, n, &mm) && lcc_media_equal(&mm, &m[3]), "streamed FLAC: %s",
                  lcc_last_error(ctx));
        lcc_media_free(&mm);
    }
    free(buf);
    for (size_t i = 0; i < 7; i++)
        lcc_media_free(&m[i]);
}

/* ---- video -------------------------------------------------------------- */

static void test_y4m(void)
{
    static const LccChroma chromas[4] = { LCC_CHROMA_420, LCC_CHROMA_422, LCC_CHROMA_444, LCC_CHROMA_400 };
    static const uint32_t depths[3] = { 8, 10, 16 };
    for (int c = 0; c < 4; c++)
        for (int d = 0; d < 3; d++) {
            LccMedia m;
            char what[64];
            make_video(&m, 17, 9, 3, chromas[c], depths[d], d ? 25 : 30000, d ? 1 : 1001);
            snprintf(what, sizeof(what), "y4m chroma %d %u-bit", chromas[c], depths[d]);
            round_trip("rt.y4m", &m, what);
            lcc_media_free(&m);
        }
    LccMedia m;
    make_video(&m, 1, 1, 1, LCC_CHROMA_420, 8, 0, 0); /* 1x1, unknown rate */
    round_trip("one.y4m", &m, "y4m 1x1");
    lcc_media_free(&m);

    /* Header variants of the shared clips and of FFmpeg. */
    static const char *const headers[] = {
        "YUV4MPEG2 W4 H2 F30000:1001 Ip A128:117 C420jpeg XYSCSS=420JPEG\n",
        "YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED\n",
        "YUV4MPEG2 W4 H2 F25:1\n",
        "YUV4MPEG2 C420paldv W4 H2 Q7 F25:1 It\n",
    };
    uint8_t buf[256];
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        size_t n = strlen(headers[i]);
        memcpy(buf, headers[i], n);
        for (int f = 0; f < 2; f++) {
            const char *const fr = f ? "FRAME Ixyz\n" : "FRAME\n";
            memcpy(buf + n, fr, strlen(fr));
            n += strlen(fr);
            for (int k = 0; k < 12; k++)
                buf[n++] = (uint8_t)(k * 20 + f);
        }
        LccMedia v = { 0 };
        const lcc_status err = lcc_io_read_y4m_mem(ctx, buf, n, &v);
        CHECK_MSG(!err && v.video.frames == 2 && v.video.chroma == LCC_CHROMA_420 && v.video.data[12] == 1 &&
                  v.video.data[11] == 220, "header %zu: %s", i, lcc_last_error(ctx));
        /* Every truncation is an error; so is a damaged FRAME marker. */
        for (size_t cut = 1; cut < n; cut++) {
            LccMedia t = { 0 };
            const lcc_status e = lcc_io_read_y4m_mem(ctx, buf, cut, &t);
            const int at_boundary = cut == strlen(headers[i]) + 6 + 12; /* a whole first frame */
            CHECK_MSG(at_boundary ? !e && t.video.frames == 1 : e == LCC_EBADMSG || e == LCC_EFORMAT,
                      "header %zu cut %zu: %d", i, cut, e);
            lcc_media_free(&t);
        }
        lcc_media_free(&v);
        buf[strlen(headers[i]) + 2] = 'X'; /* "FRXME" */
        CHECK(lcc_io_read_y4m_mem(ctx, buf, n, &v) == LCC_EBADMSG && !v.video.data);
        lcc_media_free(&v);
    }
    static const char *const bad[] = {
        "YUV4MPEG2 W0 H2\nFRAME\n", "YUV4MPEG2 W4\nFRAME\n", "YUV4MPEG2 W4 H2 F25:0\n", "YUV4MPEG2 W4 H2 C999\n",
        "YUV4MPEG2 W99999999999 H2\n", "YUV4MPEG2 W4 H2 C420p17\n", "YUV4MPEG2 W4 H-2\n", "YUV4MPEG2 W4 H2",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        LccMedia v = { 0 };
        const lcc_status err = lcc_io_read_y4m_mem(ctx, (const uint8_t *)bad[i], strlen(bad[i]), &v);
        CHECK_MSG(err == LCC_EBADMSG, "bad header %zu: %d", i, err);
    }
    static const char unsup[] = "YUV4MPEG2 W4 H2 C411\n";
    CHECK(lcc_io_read_y4m_mem(ctx, (const uint8_t *)unsup, strlen(unsup), &m) == LCC_ENOTSUP);
    /* 10-bit sample above 1023. */
    make_video(&m, 4, 2, 1, LCC_CHROMA_444, 10, 25, 1);
    CHECK(!wr(tpath("ten.y4m"), &m));
    size_t n;
    uint8_t *const ten = slurp(tpath("ten.y4m"), &n);
    LccMedia v = { 0 };
    CHECK(ten && !lcc_io_read_y4m_mem(ctx, ten, n, &v) && lcc_media_equal(&m, &v));
    lcc_media_free(&v);
    if (ten) {
        ten[n - 1] = 0x04;
        CHECK(lcc_io_read_y4m_mem(ctx, ten, n, &v) == LCC_EBADMSG);
        free(ten);
    }
    lcc_media_free(&m);
}

/* Raw RGB24 frames in NUT, written directly with libavformat. */
static int write_rgb_nut(const char *const path, const int w, const int h, const int frames,
                         const uint8_t *const rgb)
{
    AVFormatContext *oc = NULL;
    if (avformat_alloc_output_context2(&oc, NULL, "nut", path) < 0 || !oc)
        return -1;
    int ok = 0;
    AVStream *const st = avformat_new_stream(oc, NULL);
    AVPacket *pkt = av_packet_alloc();
    if (st && pkt) {
        st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
        st->codecpar->codec_id = AV_CODEC_ID_RAWVIDEO;
        st->codecpar->codec_tag = avcodec_pix_fmt_to_codec_tag(AV_PIX_FMT_RGB24);
        st->codecpar->format = AV_PIX_FMT_RGB24;
        st->codecpar->width = w;
        st->codecpar->height = h;
        st->time_base = (AVRational){ 1, 25 };
        ok = avio_open(&oc->pb, path, AVIO_FLAG_WRITE) >= 0 && avformat_write_header(oc, NULL) >= 0;
        for (int f = 0; ok && f < frames; f++) {
            ok = av_new_packet(pkt, w * h * 3) >= 0;
            if (ok) {
                memcpy(pkt->data, rgb + (size_t)f * w * h * 3, (size_t)w * h * 3);
                pkt->pts = pkt->dts = f;
                pkt->flags |= AV_PKT_FLAG_KEY;
                ok = av_write_frame(oc, pkt) >= 0;
                av_packet_unref(pkt);
            }
        }
        ok = ok && av_write_trailer(oc) >= 0;
        avio_closep(&oc->pb);
    }
    av_packet_free(&pkt);
    avformat_free_context(oc);
    return ok ? 0 : -1;
}

static void test_ffv1(void)
{
    static const struct { LccChroma chroma; uint32_t bits, w, h, fn, fd; } cases[] = {
        { LCC_CHROMA_420, 8, 16, 8, 25, 1 },     { LCC_CHROMA_420, 8, 17, 9, 30000, 1001 },
        { LCC_CHROMA_444, 10, 9, 5, 24, 1 },     { LCC_CHROMA_422, 8, 10, 6, 50, 1 },
        { LCC_CHROMA_400, 8, 7, 3, 25, 1 },      { LCC_CHROMA_420, 10, 8, 8, 25, 1 },
        { LCC_CHROMA_444, 16, 4, 4, 25, 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        LccMedia m;
        char what[64];
        make_video(&m, cases[i].w, cases[i].h, 3, cases[i].chroma, cases[i].bits, cases[i].fn, cases[i].fd);
        snprintf(what, sizeof(what), "ffv1 case %zu", i);
        round_trip("rt.mkv", &m, what);
        lcc_media_free(&m);
    }
    LccMedia m;
    make_video(&m, 5, 3, 1, LCC_CHROMA_420, 8, 25, 1); /* a single odd-sized frame */
    round_trip("one.mkv", &m, "ffv1 single frame");
    round_trip("one.nut", &m, "ffv1 in nut");
    /* Truncated Matroska: an error, never a crash. */
    size_t n;
    uint8_t *const buf = slurp(tpath("one.mkv"), &n);
    for (size_t cut = 0; buf && cut < n; cut += n / 9 + 1) {
        LccMedia t = { 0 };
        const lcc_status err = lcc_io_read_av_mem(ctx, buf, cut, &t);
        /* Success only if the cut took nothing but trailing index data. */
        CHECK_MSG(err == LCC_EBADMSG || err == LCC_EFORMAT || (!err && lcc_media_equal(&t, &m)),
                  "mkv cut at %zu of %zu: %d", cut, n, err);
        lcc_media_free(&t);
    }
    free(buf);
    lcc_media_free(&m);
    /* The swscale path: raw RGB video (written here with libavformat);
     * gray RGB gives BT.601 limited-range luma 16 + 219 v / 255 and
     * neutral chroma. */
    uint8_t rgb[2 * 6 * 4 * 3];
    for (size_t i = 0; i < sizeof(rgb); i++)
        rgb[i] = (uint8_t)((i % 72) / 3 * 10);
    CHECK(!write_rgb_nut(tpath("rgb.nut"), 6, 4, 2, rgb));
    CHECK_MSG(!rd(tpath("rgb.nut"), &m), "%s", lcc_last_error(ctx));
    CHECK(m.modality == LCC_MODALITY_VIDEO && m.video.chroma == LCC_CHROMA_444 && m.video.bit_depth == 8 &&
          m.video.frames == 2 && m.video.width == 6 && m.video.height == 4);
    int ok = m.video.data != NULL && m.video.frames == 2 && m.video.width == 6;
    for (int i = 0; ok && i < 48; i++) {
        const double y = 16 + 219.0 * (i % 24 * 10) / 255;
        const uint16_t *const f = m.video.data + (i / 24) * 72;
        ok = fabs(f[i % 24] - y) <= 1 && abs(f[24 + i % 24] - 128) <= 1 && abs(f[48 + i % 24] - 128) <= 1;
    }
    CHECK_MSG(ok, "RGB -> YUV 4:4:4 conversion");
    lcc_media_free(&m);
    /* A single picture through libavcodec (here PNG, which lcc_media_read
     * would take natively) is an image, samples unchanged. */
    LccMedia img;
    for (int d16 = 0; d16 < 2; d16++) {
        make_image(&img, 6, 5, 4, d16 ? 16 : 8);
        CHECK(!wr(tpath("rgb.png"), &img));
        uint8_t *const png = slurp(tpath("rgb.png"), &n);
        CHECK_MSG(png && !lcc_io_read_av_mem(ctx, png, n, &m), "%s", lcc_last_error(ctx));
        CHECK_MSG(lcc_media_equal(&m, &img), "PNG through libavcodec, %d-bit", d16 ? 16 : 8);
        free(png);
        lcc_media_free(&m);
        lcc_media_free(&img);
    }
}

/* ---- audio ------------------------------------------------------------------ */

static void test_audio(void)
{
    static const struct { const char *name; uint32_t ch, bits, rate; } cases[] = {
        { "a.wav", 1, 16, 44100 }, { "a.wav", 2, 16, 48000 }, { "a.wav", 1, 24, 8000 }, { "a.wav", 2, 24, 96000 },
        { "a.wav", 6, 16, 48000 }, { "a.wav", 6, 24, 44100 }, { "a.wav", 2, 8, 22050 }, { "a.wav", 3, 32, 44100 },
        { "a.flac", 1, 16, 44100 }, { "a.flac", 2, 24, 48000 }, { "a.flac", 6, 16, 32000 }, { "a.flac", 2, 8, 8000 },
        { "a.aiff", 2, 24, 44100 }, { "a.caf", 1, 16, 44100 }, { "a.w64", 2, 32, 44100 }, { "a.au", 1, 16, 8000 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        LccMedia m;
        char what[64];
        make_audio(&m, cases[i].ch, 1000 + 37 * i, cases[i].bits, cases[i].rate);
        snprintf(what, sizeof(what), "%s %u ch %u-bit", cases[i].name, cases[i].ch, cases[i].bits);
        round_trip(cases[i].name, &m, what);
        lcc_media_free(&m);
    }
    /* 12-bit audio goes to a 16-bit container with the values unchanged. */
    LccMedia m, back = { 0 };
    make_audio(&m, 2, 500, 12, 44100);
    CHECK(!wr(tpath("b.flac"), &m) && !rd(tpath("b.flac"), &back));
    CHECK(back.audio.bit_depth == 16 && back.audio.data &&
          !memcmp(back.audio.data, m.audio.data, 1000 * sizeof(int32_t)));
    lcc_media_free(&back);
    lcc_media_free(&m);
    /* FLAC has no 32-bit: refused with no file left behind. */
    make_audio(&m, 1, 100, 32, 44100);
    CHECK(wr(tpath("c.flac"), &m) == LCC_ENOTSUP && access(tpath("c.flac"), F_OK) != 0);
    lcc_media_free(&m);
    /* Vorbis: lossy, decoded as 24-bit; the tone survives. */
    make_audio(&m, 2, 44100 / 2, 16, 44100);
    CHECK_MSG(!wr(tpath("a.ogg"), &m), "%s", lcc_last_error(ctx));
    CHECK_MSG(!rd(tpath("a.ogg"), &back), "%s", lcc_last_error(ctx));
    CHECK(back.audio.bit_depth == 24 && back.audio.channels == 2 && back.audio.sample_rate == 44100 &&
          back.audio.frames == m.audio.frames);
    if (back.audio.data && back.audio.frames == m.audio.frames) {
        double e = 0, s = 0;
        for (uint64_t i = 0; i < m.audio.frames * 2; i++) {
            const double ref = m.audio.data[i] * 256.0, d = back.audio.data[i] - ref;
            e += d * d;
            s += ref * ref;
        }
        CHECK_MSG(10 * log10(s / e) > 10, "vorbis SNR %.1f dB", 10 * log10(s / e));
    }
    lcc_media_free(&back);
    /* Truncated and corrupt WAV / FLAC. */
    CHECK(!wr(tpath("t.wav"), &m) && !wr(tpath("t.flac"), &m));
    lcc_media_free(&m);
    for (int k = 0; k < 2; k++) {
        size_t n;
        uint8_t *const buf = slurp(tpath(k ? "t.flac" : "t.wav"), &n);
        if (!buf)
            continue;
        for (size_t cut = 1; cut < n; cut += n / 11 + 1) {
            lcc_clear_error(ctx);
            const lcc_status err = lcc_io_read_audio_mem(ctx, buf, cut, &back);
            CHECK_MSG(err == LCC_EBADMSG || err == LCC_EFORMAT, "%s cut at %zu: %d %s", k ? "flac" : "wav", cut, err,
                      lcc_last_error(ctx));
            CHECK(!back.audio.data);
            lcc_media_free(&back);
        }
        if (k) {
            for (size_t i = n / 2; i < n / 2 + 64; i++)
                buf[i] ^= 0x5a;
            const lcc_status err = lcc_io_read_audio_mem(ctx, buf, n, &back);
            CHECK_MSG(err == LCC_EBADMSG, "corrupt flac: %d %s", err, lcc_last_error(ctx));
            lcc_media_free(&back);
        }
        free(buf);
    }
}

/* A 32-bit float WAV built byte by byte: samples become 24-bit PCM,
 * x * 2^23 rounded and clipped. */
static void test_float_wav(void)
{
    static const float x[7] = { 0.5f, -1.0f, 1.5f, -2.0f, 0.3f, 1e-7f, -0.75f };
    static const int32_t want[7] = { 4194304, -8388608, 8388607, -8388608, 2516582, 1, -6291456 };
    uint8_t wav[44 + sizeof(x)];
    memcpy(wav, "RIFF", 4);
    lcc_wl32(wav + 4, (uint32_t)(sizeof(wav) - 8));
    memcpy(wav + 8, "WAVEfmt ", 8);
    lcc_wl32(wav + 16, 16);
    lcc_wl16(wav + 20, 3); /* WAVE_FORMAT_IEEE_FLOAT */
    lcc_wl16(wav + 22, 1);
    lcc_wl32(wav + 24, 8000);
    lcc_wl32(wav + 28, 8000 * 4);
    lcc_wl16(wav + 32, 4);
    lcc_wl16(wav + 34, 32);
    memcpy(wav + 36, "data", 4);
    lcc_wl32(wav + 40, sizeof(x));
    for (int i = 0; i < 7; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        lcc_wl32(wav + 44 + 4 * i, u);
    }
    LccMedia m = { 0 };
    lcc_clear_error(ctx);
    CHECK_MSG(!lcc_io_read_mem(ctx, "float.wav", wav, sizeof(wav), &m), "%s", lcc_last_error(ctx));
    CHECK(m.modality == LCC_MODALITY_AUDIO && m.audio.bit_depth == 24 && m.audio.frames == 7);
    CHECK(m.audio.data && !memcmp(m.audio.data, want, sizeof(want)));
    lcc_media_free(&m);
    /* The data chunk cut short: truncated, not quietly shorter. */
    CHECK(lcc_io_read_mem(ctx, "float.wav", wav, sizeof(wav) - 4, &m) == LCC_EBADMSG && !m.audio.data);
}

/* ---- errors, limits, atomicity ---------------------------------------------------- */

static void put_be32(uint8_t *const p, const uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_limits(void)
{
    LccMedia m = { 0 };
    /* A PNG header announcing 60000 x 60000 RGBA 16-bit: LCC_ERANGE before
     * any allocation of that size (it would be 28 GB). */
    uint8_t png[8 + 25 + 12] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    put_be32(png + 8, 13);
    memcpy(png + 12, "IHDR", 4);
    put_be32(png + 16, 60000);
    put_be32(png + 20, 60000);
    png[24] = 16;
    png[25] = 6;
    put_be32(png + 29, lcc_crc32(0, png + 12, 17));
    put_be32(png + 33, 0);
    memcpy(png + 37, "IDAT", 4);
    put_be32(png + 41, lcc_crc32(0, png + 37, 4));
    CHECK(lcc_io_read_png_mem(ctx, png, sizeof(png), &m) == LCC_ERANGE && !m.image.data);
    /* Same with a context whose limits are small. */
    LccSettings s;
    lcc_default_settings(&s);
    s.limits.max_pixels = 100;
    s.limits.max_frames = 2;
    s.limits.max_samples = 1000;
    LccContext *small;
    CHECK(!lcc_open(&small, &s));
    put_be32(png + 16, 11);
    put_be32(png + 20, 10);
    put_be32(png + 29, lcc_crc32(0, png + 12, 17));
    CHECK(lcc_io_read_png_mem(small, png, sizeof(png), &m) == LCC_ERANGE);
    CHECK(strstr(lcc_last_error(small), "limit") != NULL);
    static const char y4m[] = "YUV4MPEG2 W65000 H65000 F25:1\nFRAME\n";
    CHECK(lcc_io_read_y4m_mem(ctx, (const uint8_t *)y4m, strlen(y4m), &m) == LCC_ERANGE);
    /* Frame count over max_frames while reading. */
    LccMedia v;
    make_video(&v, 4, 4, 3, LCC_CHROMA_420, 8, 25, 1);
    CHECK(!wr(tpath("three.y4m"), &v));
    lcc_clear_error(small);
    CHECK(lcc_media_read(small, tpath("three.y4m"), &m) == LCC_ERANGE && !m.video.data);
    CHECK(!wr(tpath("three.mkv"), &v));
    CHECK(lcc_media_read(small, tpath("three.mkv"), &m) == LCC_ERANGE && !m.video.data);
    lcc_media_free(&v);
    /* Audio over max_samples. */
    make_audio(&v, 2, 501, 16, 8000);
    CHECK(!wr(tpath("long.wav"), &v));
    CHECK(lcc_media_read(small, tpath("long.wav"), &m) == LCC_ERANGE && !m.audio.data);
    lcc_media_free(&v);
    lcc_close(&small);
}

static void test_errors_and_atomic(void)
{
    LccMedia m = { 0 }, img;
    CHECK(rd(tpath("missing.png"), &m) == LCC_ENOENT);
    CHECK(strstr(lcc_last_error(ctx), "missing.png") != NULL);
    CHECK(spit(tpath("empty"), "", 0) == 0 && rd(tpath("empty"), &m) == LCC_EFORMAT);
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(test_rand(&seed) & 0x7f);
    CHECK(spit(tpath("junk.bin"), junk, sizeof(junk)) == 0);
    const lcc_status jerr = rd(tpath("junk.bin"), &m);
    CHECK_MSG(jerr == LCC_EFORMAT, "junk: %d %s", jerr, lcc_last_error(ctx));
    CHECK(rd(dir, &m) == LCC_EIO);

    make_image(&img, 5, 4, 3, 8);
    /* Content decides the format, not the name. */
    CHECK(!wr(tpath("x.png"), &img) && rename(tpath("x.png"), tpath("x.wav")) == 0);
    CHECK(!rd(tpath("x.wav"), &m) && lcc_media_equal(&m, &img));
    lcc_media_free(&m);
    /* Unknown extension, wrong modality. */
    CHECK(wr(tpath("x.xyz"), &img) == LCC_EINVAL && strstr(lcc_last_error(ctx), ".png") != NULL);
    CHECK(wr(tpath("x.flac"), &img) == LCC_EINVAL);
    CHECK(wr(tpath("noext"), &img) == LCC_EINVAL);
    /* Truncated PNG: every cut fails cleanly. */
    size_t n;
    uint8_t *const buf = slurp(tpath("x.wav"), &n);
    for (size_t cut = 0; buf && cut < n; cut++) {
        const lcc_status err = lcc_io_read_png_mem(ctx, buf, cut, &m);
        CHECK_MSG(err == LCC_EBADMSG && !m.image.data, "png cut at %zu: %d", cut, err);
    }
    /* A flipped bit in IDAT: CRC error. */
    if (buf) {
        buf[n - 20] ^= 0x10;
        CHECK(lcc_io_read_png_mem(ctx, buf, n, &m) == LCC_EBADMSG);
        free(buf);
    }

    /* Atomic writes: a failing write leaves the existing file as it was
     * and no temporary file behind. */
    static const char keep[] = "precious";
    CHECK(spit(tpath("keep.png"), keep, sizeof(keep)) == 0);
    img.image.data[3] = 300; /* beyond 8 bits: the PNG writer fails */
    CHECK(wr(tpath("keep.png"), &img) == LCC_EINVAL);
    CHECK(spit(tpath("keep.flac"), keep, sizeof(keep)) == 0);
    LccMedia a;
    make_audio(&a, 1, 10, 32, 8000);
    CHECK(wr(tpath("keep.flac"), &a) == LCC_ENOTSUP);
    a.audio.bit_depth = 16; /* samples now out of range: fails inside the writer */
    CHECK(wr(tpath("keep.flac"), &a) == LCC_EINVAL);
    lcc_media_free(&a);
    CHECK(spit(tpath("keep.mp4"), keep, sizeof(keep)) == 0);
    LccMedia v;
    make_video(&v, 8, 8, 1, LCC_CHROMA_444, 12, 25, 1); /* no lossy mp4 encoder takes this here */
    const lcc_status verr = wr(tpath("keep.mp4"), &v);
    lcc_media_free(&v);
    if (verr)
        CHECK(verr == LCC_ENOTSUP || verr == LCC_EIO);
    static const char *const kept[] = { "keep.png", "keep.flac", "keep.mp4" };
    for (int i = 0; i < (verr ? 3 : 2); i++) {
        uint8_t *const k = slurp(tpath(kept[i]), &n);
        CHECK_MSG(k && n == sizeof(keep) && !memcmp(k, keep, n), "%s was changed", kept[i]);
        free(k);
    }
    CHECK_MSG(temp_files() == 0, "%d temporary files left", temp_files());
    /* Missing directory. */
    img.image.data[3] = 3;
    CHECK(wr(tpath("no/such/dir.png"), &img) == LCC_ENOENT);
    /* Success replaces the file. */
    CHECK(!wr(tpath("keep.png"), &img) && !rd(tpath("keep.png"), &m) && lcc_media_equal(&m, &img));
    lcc_media_free(&m);
    lcc_media_free(&img);
}

static void cleanup(void)
{
    DIR *const d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        unlink(tpath(e->d_name));
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    samples = argc > 1 ? argv[1] : "datasets/samples";
    seed = test_seed();
    snprintf(dir, sizeof(dir), "/tmp/lcc_test_io.XXXXXX");
    if (!mkdtemp(dir) || lcc_open(&ctx, NULL))
        return 1;
    test_png_round_trips();
    test_png_other_layouts();
    test_pnm();
    test_jpeg();
    test_samples();
    test_y4m();
    test_ffv1();
    test_audio();
    test_float_wav();
    test_limits();
    test_errors_and_atomic();
    lcc_close(&ctx);
    cleanup();
    return test_summary();
}
