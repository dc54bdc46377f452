/* Quality metrics: agreement with independent implementations on a real
 * image pair, and properties (identical inputs, known MSE, symmetry, scale
 * invariance, 6:1:1 video combination, geometry errors, tiny inputs).
 *
 * argv[1]: tests/metrics/data (the image pair).
 *
 * The pair: data/bsds12003_crop.png is the 256x256 crop at (120, 32) of
 * ../shared/datasets/train/bsds500/train/12003.jpg, data/bsds12003_crop_jpeg.png
 * is that crop compressed as JPEG and decoded:
 *   ffmpeg -i 12003.jpg -vf crop=256:256:120:32 -pix_fmt rgb24 -pred mixed -compression_level 9 ref.png
 *   ffmpeg -i ref.png -q:v 14 -pix_fmt yuvj420p test.jpg
 *   ffmpeg -i test.jpg -pix_fmt rgb24 -pred mixed -compression_level 9 test.png
 *
 * Reference values, computed once:
 * - PSNR (RGB): ffmpeg 5.1's psnr filter,
 *     ffmpeg -i bsds12003_crop.png -i bsds12003_crop_jpeg.png -lavfi psnr -f null -
 *   -> "average:28.691963"; on crops, e.g.
 *     ffmpeg -i A -i B -lavfi "[0:v]crop=201:177:13:29[a];[1:v]crop=201:177:13:29[b];[a][b]psnr" -f null -
 *   -> 28.221755 (201x177 at 13,29), 26.932283 (100x60 at 50,70), 27.704036
 *   (40x23 at 7,3).
 * - PSNR of BT.601 luma and MS-SSIM: tests/metrics/msssim_reference.py, an
 *   independent numpy/scipy implementation (non-separable 2-D window),
 *     /usr/bin/python3 tests/metrics/msssim_reference.py \
 *         tests/metrics/data/bsds12003_crop.png tests/metrics/data/bsds12003_crop_jpeg.png
 *   (its PSNR column equals ffmpeg's to the printed 6 decimals).
 * Tolerances: PSNR 0.01 dB (the task's bound; measured |d| < 1e-6),
 * MS-SSIM 1e-6 (measured |d| < 1e-9; the pyramid is exact in float and
 * only the summation order differs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libcodec/metrics/metrics.h"
#include "test.h"

#define PSNR_TOL 0.01
#define MSSSIM_TOL 1e-6

typedef struct RefRect {
    uint32_t x, y, w, h;
    int scales;
    double psnr, psnr_y, ms_ssim, ms_ssim_g;
} RefRect;

static const RefRect ref_rects[] = {
    { 0, 0, 256, 256, 5, 28.691963, 29.710727, 0.962140173, 0.977786571 },
    { 13, 29, 201, 177, 5, 28.221755, 29.188356, 0.972014750, 0.983007456 },
    { 50, 70, 100, 60, 3, 26.932283, 27.699248, 0.970082896, 0.978419798 },
    { 7, 3, 40, 23, 2, 27.704036, 29.310079, 0.978461827, 0.983710316 },
};

static uint64_t seed;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static LccMedia make_image(const uint32_t w, const uint32_t h, const uint32_t ch, const uint32_t depth)
{
    LccMedia m = { .modality = LCC_MODALITY_IMAGE, .image = { w, h, ch, depth, NULL } };
    if (lcc_media_alloc(&m, NULL)) {
        fprintf(stderr, "alloc failed\n");
        exit(1);
    }
    return m;
}

static LccMedia copy_media(const LccMedia *const src)
{
    LccMedia m = *src;
    m.image.data = NULL;
    m.audio.data = NULL;
    m.video.data = NULL;
    if (lcc_media_alloc(&m, NULL)) {
        fprintf(stderr, "alloc failed\n");
        exit(1);
    }
    const uint64_t n = lcc_media_samples(src);
    if (src->modality == LCC_MODALITY_AUDIO)
        memcpy(m.audio.data, src->audio.data, n * sizeof(int32_t));
    else if (src->modality == LCC_MODALITY_IMAGE)
        memcpy(m.image.data, src->image.data, n * sizeof(uint16_t));
    else
        memcpy(m.video.data, src->video.data, n * sizeof(uint16_t));
    return m;
}

static void fill_random(uint16_t *const d, const size_t n, const uint32_t max)
{
    for (size_t i = 0; i < n; i++)
        d[i] = (uint16_t)(test_rand(&seed) % (max + 1));
}

static LccMedia crop(const LccImage *const im, const RefRect *const r)
{
    LccMedia m = make_image(r->w, r->h, im->channels, im->bit_depth);
    for (uint32_t y = 0; y < r->h; y++)
        memcpy(m.image.data + (size_t)y * r->w * im->channels,
               im->data + ((size_t)(r->y + y) * im->width + r->x) * im->channels,
               (size_t)r->w * im->channels * sizeof(uint16_t));
    return m;
}

/* ---- agreement with the independent implementations -------------------- */

static void test_reference_pair(LccContext *const c, const char *const dir)
{
    char pa[1024], pb[1024];
    snprintf(pa, sizeof(pa), "%s/bsds12003_crop.png", dir);
    snprintf(pb, sizeof(pb), "%s/bsds12003_crop_jpeg.png", dir);
    LccMedia a = { 0 }, b = { 0 };
    lcc_status err = lcc_media_read(c, pa, &a);
    CHECK_MSG(!err, "read %s: %s", pa, lcc_last_error(c));
    if (!err) {
        err = lcc_media_read(c, pb, &b);
        CHECK_MSG(!err, "read %s: %s", pb, lcc_last_error(c));
    }
    if (err) {
        lcc_media_free(&a);
        return;
    }
    CHECK(a.modality == LCC_MODALITY_IMAGE && a.image.width == 256 && a.image.height == 256 &&
          a.image.channels == 3 && a.image.bit_depth == 8);
    double max_dpsnr = 0, max_dssim = 0;
    for (size_t i = 0; i < sizeof(ref_rects) / sizeof(ref_rects[0]); i++) {
        const RefRect *const r = &ref_rects[i];
        LccMedia ca = crop(&a.image, r), cb = crop(&b.image, r);
        LccQuality q;
        CHECK(!lcc_compare(c, &ca, &cb, &q));
        CHECK(lcc_ms_ssim_scales(r->w, r->h) == r->scales);
        const double dp = fabs(q.psnr - r->psnr), dy = fabs(q.psnr_y - r->psnr_y);
        const double ds = fabs(q.ms_ssim - r->ms_ssim);
        printf("%ux%u at %u,%u: PSNR %.6f (ffmpeg %.6f, d %.1e)  PSNR-Y %.6f (ref %.6f, d %.1e)  "
               "MS-SSIM %.9f (ref %.9f, d %.1e)\n", r->w, r->h, r->x, r->y, q.psnr, r->psnr, dp, q.psnr_y,
               r->psnr_y, dy, q.ms_ssim, r->ms_ssim, ds);
        CHECK_MSG(dp < PSNR_TOL, "psnr %.6f vs %.6f", q.psnr, r->psnr);
        CHECK_MSG(dy < PSNR_TOL, "psnr_y %.6f vs %.6f", q.psnr_y, r->psnr_y);
        CHECK_MSG(ds < MSSSIM_TOL, "ms_ssim %.9f vs %.9f", q.ms_ssim, r->ms_ssim);
        CHECK(q.samples == (uint64_t)r->w * r->h * 3 && q.max_abs_error > 0);
        CHECK(isnan(q.psnr_u) && isnan(q.psnr_v) && isnan(q.snr) && isnan(q.si_sdr));
        max_dpsnr = fmax(max_dpsnr, fmax(dp, dy));
        max_dssim = fmax(max_dssim, ds);

        /* The G channel as a 4:0:0 video frame: MS-SSIM of Y = MS-SSIM(G). */
        LccMedia va = { .modality = LCC_MODALITY_VIDEO,
                        .video = { r->w, r->h, 1, 8, LCC_CHROMA_400, 25, 1, NULL } };
        LccMedia vb = va;
        CHECK(!lcc_media_alloc(&va, NULL) && !lcc_media_alloc(&vb, NULL));
        if (va.video.data && vb.video.data) {
            for (size_t p = 0; p < (size_t)r->w * r->h; p++) {
                va.video.data[p] = ca.image.data[p * 3 + 1];
                vb.video.data[p] = cb.image.data[p * 3 + 1];
            }
            LccQuality vq;
            CHECK(!lcc_compare(c, &va, &vb, &vq));
            const double dg = fabs(vq.ms_ssim - r->ms_ssim_g);
            CHECK_MSG(dg < MSSSIM_TOL, "ms_ssim(G) %.9f vs %.9f", vq.ms_ssim, r->ms_ssim_g);
            max_dssim = fmax(max_dssim, dg);
            CHECK(vq.psnr == vq.psnr_y && isnan(vq.psnr_u) && isnan(vq.psnr_v));
        }
        lcc_media_free(&va);
        lcc_media_free(&vb);

        /* Symmetry on real data. */
        LccQuality qs;
        CHECK(!lcc_compare(c, &cb, &ca, &qs));
        CHECK(fabs(qs.ms_ssim - q.ms_ssim) < 1e-12 && qs.psnr == q.psnr && qs.psnr_y == q.psnr_y);
        lcc_media_free(&ca);
        lcc_media_free(&cb);
    }
    printf("largest difference: PSNR %.2e dB, MS-SSIM %.2e\n", max_dpsnr, max_dssim);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

/* Video: data/testsrc2_71x45.y4m (4 frames 4:2:0, odd size) and a noisy
 * copy with different noise per plane:
 *   ffmpeg -f lavfi -i testsrc2=size=72x46:rate=25 -frames:v 4 -vf "crop=71:45:0:0:exact=1" \
 *       -pix_fmt yuv420p testsrc2_71x45.y4m
 *   ffmpeg -i testsrc2_71x45.y4m -vf "noise=c0s=12:c1s=30:c2s=6:allf=t" -pix_fmt yuv420p \
 *       testsrc2_71x45_noise.y4m
 * Per-frame PSNR from ffmpeg's psnr filter, one frame k at a time:
 *   ffmpeg -i testsrc2_71x45.y4m -i testsrc2_71x45_noise.y4m \
 *       -lavfi "[0:v]select=eq(n\,k)[a];[1:v]select=eq(n\,k)[b];[a][b]psnr" -f null -
 * The means and the 6:1:1 combination were then computed from those
 * printed values (Y 31.866140, U 23.779857, V 38.456333, YUV 31.679129;
 * chroma planes are 36x23, rounded up as in ffmpeg). */
static const double ffmpeg_frames[4][3] = {
    { 32.041160, 23.944389, 38.419771 },
    { 31.793022, 23.317330, 38.464852 },
    { 31.826254, 23.932343, 38.438311 },
    { 31.804124, 23.925367, 38.502400 },
};

static void test_reference_video(LccContext *const c, const char *const dir)
{
    char pa[1024], pb[1024];
    snprintf(pa, sizeof(pa), "%s/testsrc2_71x45.y4m", dir);
    snprintf(pb, sizeof(pb), "%s/testsrc2_71x45_noise.y4m", dir);
    LccMedia a = { 0 }, b = { 0 };
    lcc_status err = lcc_media_read(c, pa, &a);
    CHECK_MSG(!err, "read %s: %s", pa, lcc_last_error(c));
    if (!err) {
        err = lcc_media_read(c, pb, &b);
        CHECK_MSG(!err, "read %s: %s", pb, lcc_last_error(c));
    }
    if (err) {
        lcc_media_free(&a);
        return;
    }
    CHECK(a.modality == LCC_MODALITY_VIDEO && a.video.width == 71 && a.video.height == 45 &&
          a.video.frames == 4 && a.video.chroma == LCC_CHROMA_420 && a.video.bit_depth == 8);
    double maxd = 0;
    for (uint32_t f = 0; f < 4; f++) {
        double out[3];
        CHECK(!lcc_video_frame_psnr(&a.video, &b.video, f, out));
        for (int p = 0; p < 3; p++) {
            const double d = fabs(out[p] - ffmpeg_frames[f][p]);
            CHECK_MSG(d < PSNR_TOL, "frame %u plane %d: %.6f vs ffmpeg %.6f", f, p, out[p], ffmpeg_frames[f][p]);
            maxd = fmax(maxd, d);
        }
    }
    LccQuality q;
    CHECK(!lcc_compare(c, &a, &b, &q));
    const double e[4] = { 31.866140, 23.779857, 38.456333, 31.679129 };
    const double got[4] = { q.psnr_y, q.psnr_u, q.psnr_v, q.psnr };
    for (int i = 0; i < 4; i++) {
        CHECK_MSG(fabs(got[i] - e[i]) < PSNR_TOL, "mean %d: %.6f vs %.6f", i, got[i], e[i]);
        maxd = fmax(maxd, fabs(got[i] - e[i]));
    }
    printf("video 71x45 4:2:0: Y %.6f U %.6f V %.6f YUV %.6f MS-SSIM(Y) %.6f; largest difference from "
           "ffmpeg %.1e dB\n", q.psnr_y, q.psnr_u, q.psnr_v, q.psnr, q.ms_ssim, maxd);
    CHECK(q.ms_ssim > 0 && q.ms_ssim < 1 && q.samples == 4 * (71 * 45 + 2 * 36 * 23));
    lcc_media_free(&a);
    lcc_media_free(&b);
}

/* ---- image properties -------------------------------------------------- */

static void test_image_properties(LccContext *const c)
{
    /* Identical. */
    LccMedia a = make_image(200, 170, 3, 8);
    fill_random(a.image.data, 200 * 170 * 3, 254);
    LccMedia b = copy_media(&a);
    LccQuality q;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(isinf(q.psnr) && q.psnr > 0 && isinf(q.psnr_y) && q.psnr_y > 0);
    CHECK(q.ms_ssim == 1.0 && q.max_abs_error == 0 && q.samples == 200 * 170 * 3);

    /* Constant offset of 1: MSE 1, PSNR = 20 log10(255); luma moves by 1 too. */
    for (size_t i = 0; i < 200 * 170 * 3; i++)
        b.image.data[i] = a.image.data[i] + 1;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK_MSG(fabs(q.psnr - 20 * log10(255.0)) < 1e-12, "%.15f", q.psnr);
    CHECK_MSG(fabs(q.psnr_y - 20 * log10(255.0)) < 1e-9, "%.15f", q.psnr_y);
    CHECK(q.max_abs_error == 1);
    CHECK(q.ms_ssim > 0.99 && q.ms_ssim < 1);

    /* Half the samples off by 2, the others exact: MSE 2. */
    for (size_t i = 0; i < 200 * 170 * 3; i++)
        b.image.data[i] = (uint16_t)(a.image.data[i] + (i & 1 ? 2 : 0));
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(fabs(q.psnr - 10 * log10(255.0 * 255.0 / 2)) < 1e-12);
    CHECK(q.max_abs_error == 2);

    /* MS-SSIM symmetric, in (0, 1], and falls as noise grows. */
    double prev = 1.0;
    for (int amp = 4; amp <= 64; amp *= 4) {
        for (size_t i = 0; i < 200 * 170 * 3; i++) {
            const int v = a.image.data[i] + (int)(test_rand(&seed) % (2 * amp + 1)) - amp;
            b.image.data[i] = (uint16_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
        LccQuality r;
        CHECK(!lcc_compare(c, &a, &b, &q));
        CHECK(!lcc_compare(c, &b, &a, &r));
        CHECK(fabs(q.ms_ssim - r.ms_ssim) < 1e-12 && q.psnr == r.psnr);
        CHECK_MSG(q.ms_ssim > 0 && q.ms_ssim < prev, "noise %d: ms_ssim %f (previous %f)", amp, q.ms_ssim,
                  prev);
        prev = q.ms_ssim;
    }
    /* Unrelated images: MS-SSIM near 0 but never negative. */
    fill_random(b.image.data, 200 * 170 * 3, 255);
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK_MSG(q.ms_ssim >= 0 && q.ms_ssim < 0.2, "ms_ssim %f", q.ms_ssim);
    lcc_media_free(&a);
    lcc_media_free(&b);

    /* 16-bit: peak 65535. */
    a = make_image(170, 180, 3, 16);
    fill_random(a.image.data, 170 * 180 * 3, 65534);
    b = copy_media(&a);
    for (size_t i = 0; i < 170 * 180 * 3; i++)
        b.image.data[i]++;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(fabs(q.psnr - 20 * log10(65535.0)) < 1e-12);
    CHECK(q.ms_ssim > 0.999999 && q.ms_ssim < 1);
    lcc_media_free(&a);
    lcc_media_free(&b);

    /* Gray: psnr_y = psnr. Gray + alpha: alpha ignored by PSNR/MS-SSIM but
     * seen by max_abs_error. */
    a = make_image(64, 64, 2, 8);
    fill_random(a.image.data, 64 * 64 * 2, 255);
    b = copy_media(&a);
    for (size_t i = 0; i < 64 * 64; i++) {
        b.image.data[2 * i] = (uint16_t)(a.image.data[2 * i] ^ (i % 3 == 0));
        b.image.data[2 * i + 1] = (uint16_t)(255 - a.image.data[2 * i + 1]);
    }
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(q.psnr == q.psnr_y && isfinite(q.psnr));
    uint64_t sse = 0;
    for (size_t i = 0; i < 64 * 64; i++) {
        const int d = a.image.data[2 * i] - b.image.data[2 * i];
        sse += (uint64_t)(d * d);
    }
    CHECK(fabs(q.psnr - 10 * log10(255.0 * 255.0 * 64 * 64 / (double)sse)) < 1e-12);
    CHECK(q.max_abs_error > 1 && q.samples == 64 * 64 * 2);
    for (size_t i = 0; i < 64 * 64; i++)
        b.image.data[2 * i] = a.image.data[2 * i];
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(isinf(q.psnr) && q.ms_ssim == 1.0 && q.max_abs_error > 0);
    lcc_media_free(&a);
    lcc_media_free(&b);

    /* RGBA: the same PSNR as the RGB part alone. */
    LccMedia rgba = make_image(40, 30, 4, 8), rgba2 = make_image(40, 30, 4, 8);
    LccMedia rgb = make_image(40, 30, 3, 8), rgb2 = make_image(40, 30, 3, 8);
    fill_random(rgba.image.data, 40 * 30 * 4, 255);
    fill_random(rgba2.image.data, 40 * 30 * 4, 255);
    for (size_t i = 0; i < 40 * 30; i++)
        for (int k = 0; k < 3; k++) {
            rgb.image.data[i * 3 + k] = rgba.image.data[i * 4 + k];
            rgb2.image.data[i * 3 + k] = rgba2.image.data[i * 4 + k];
        }
    LccQuality q4, q3;
    CHECK(!lcc_compare(c, &rgba, &rgba2, &q4));
    CHECK(!lcc_compare(c, &rgb, &rgb2, &q3));
    CHECK(q4.psnr == q3.psnr && q4.psnr_y == q3.psnr_y && q4.ms_ssim == q3.ms_ssim);
    lcc_media_free(&rgba);
    lcc_media_free(&rgba2);
    lcc_media_free(&rgb);
    lcc_media_free(&rgb2);
}

static void test_scales_and_tiny(LccContext *const c)
{
    CHECK(lcc_ms_ssim_scales(161, 161) == 5);
    CHECK(lcc_ms_ssim_scales(160, 1000) == 4);
    CHECK(lcc_ms_ssim_scales(81, 81) == 4);
    CHECK(lcc_ms_ssim_scales(80, 80) == 3);
    CHECK(lcc_ms_ssim_scales(41, 500) == 3);
    CHECK(lcc_ms_ssim_scales(21, 21) == 2);
    CHECK(lcc_ms_ssim_scales(11, 11) == 1);
    CHECK(lcc_ms_ssim_scales(10, 4000) == 0);
    CHECK(lcc_ms_ssim_scales(1, 1) == 0);

    static const uint32_t sizes[][2] = { { 1, 1 }, { 3, 5 }, { 5, 3 }, { 10, 200 }, { 200, 10 }, { 11, 11 },
                                         { 12, 11 }, { 21, 22 }, { 23, 161 } };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const uint32_t w = sizes[i][0], h = sizes[i][1];
        for (uint32_t ch = 1; ch <= 4; ch++) {
            LccMedia a = make_image(w, h, ch, 8), b = make_image(w, h, ch, 8);
            fill_random(a.image.data, (size_t)w * h * ch, 255);
            fill_random(b.image.data, (size_t)w * h * ch, 255);
            LccQuality q;
            CHECK(!lcc_compare(c, &a, &b, &q));
            CHECK(isfinite(q.psnr) || a.image.data[0] == b.image.data[0]);
            if (lcc_ms_ssim_scales(w, h))
                CHECK_MSG(q.ms_ssim >= 0 && q.ms_ssim <= 1, "%ux%u: %f", w, h, q.ms_ssim);
            else
                CHECK(isnan(q.ms_ssim));
            lcc_media_free(&a);
            lcc_media_free(&b);
        }
    }
    /* Identical 11x11: one scale, exactly 1. */
    LccMedia a = make_image(11, 11, 1, 8);
    fill_random(a.image.data, 121, 255);
    LccMedia b = copy_media(&a);
    LccQuality q;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(q.ms_ssim == 1.0 && isinf(q.psnr));
    lcc_media_free(&a);
    lcc_media_free(&b);

    /* The float-plane entry point gives the same value as u16. */
    a = make_image(97, 83, 1, 10);
    fill_random(a.image.data, 97 * 83, 1023);
    b = copy_media(&a);
    for (size_t i = 0; i < 97 * 83; i++)
        b.image.data[i] = (uint16_t)(b.image.data[i] / 8 * 8);
    float *const fa = malloc(97 * 83 * sizeof(float)), *const fb = malloc(97 * 83 * sizeof(float));
    for (size_t i = 0; i < 97 * 83; i++) {
        fa[i] = a.image.data[i];
        fb[i] = b.image.data[i];
    }
    const LccPlane pa = { .u16 = a.image.data, .width = 97, .height = 83, .stride = 97, .step = 1 };
    const LccPlane pb = { .u16 = b.image.data, .width = 97, .height = 83, .stride = 97, .step = 1 };
    const LccPlane pfa = { .f32 = fa, .width = 97, .height = 83, .stride = 97, .step = 1 };
    const LccPlane pfb = { .f32 = fb, .width = 97, .height = 83, .stride = 97, .step = 1 };
    double v16, v32;
    CHECK(!lcc_ms_ssim_plane(c, &pa, &pb, 1023, &v16));
    CHECK(!lcc_ms_ssim_plane(c, &pfa, &pfb, 1023, &v32));
    CHECK(v16 == v32 && v16 > 0 && v16 < 1);
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(q.ms_ssim == v16);
    free(fa);
    free(fb);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

/* ---- video ------------------------------------------------------------- */

static double psnr8(const double mse) { return 10 * log10(255.0 * 255.0 / mse); }

static void test_video(LccContext *const c)
{
    LccMedia a = { .modality = LCC_MODALITY_VIDEO, .video = { 64, 48, 3, 8, LCC_CHROMA_420, 25, 1, NULL } };
    CHECK(!lcc_media_alloc(&a, NULL));
    const size_t fs = (size_t)lcc_video_frame_samples(&a.video), ys = 64 * 48, cs = 32 * 24;
    CHECK(fs == ys + 2 * cs);
    fill_random(a.video.data, fs * 3, 250);
    LccMedia b = copy_media(&a);
    LccQuality q;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(isinf(q.psnr) && isinf(q.psnr_y) && isinf(q.psnr_u) && isinf(q.psnr_v) && q.ms_ssim == 1.0);
    CHECK(q.max_abs_error == 0 && q.samples == fs * 3 && isnan(q.snr) && isnan(q.si_sdr));

    /* Per-plane offsets give per-plane MSEs: frame 0 Y+1 U+2 V=; frame 1
     * Y+2 U+1 V+1; frame 2 identical. */
    static const int off[3][3] = { { 1, 2, 0 }, { 2, 1, 1 }, { 0, 0, 0 } };
    for (int f = 0; f < 3; f++) {
        uint16_t *const d = b.video.data + f * fs;
        for (size_t i = 0; i < ys; i++)
            d[i] = (uint16_t)(d[i] + off[f][0]);
        for (size_t i = 0; i < cs; i++) {
            d[ys + i] = (uint16_t)(d[ys + i] + off[f][1]);
            d[ys + cs + i] = (uint16_t)(d[ys + cs + i] + off[f][2]);
        }
    }
    double fy[3], fu[3], fv[3], fyuv[3];
    for (int f = 0; f < 3; f++) {
        double e[3];
        for (int p = 0; p < 3; p++)
            e[p] = off[f][p] ? psnr8(off[f][p] * off[f][p]) : INFINITY;
        double out[3];
        CHECK(!lcc_video_frame_psnr(&a.video, &b.video, (uint32_t)f, out));
        for (int p = 0; p < 3; p++)
            CHECK_MSG(out[p] == e[p] || fabs(out[p] - e[p]) < 1e-12, "frame %d plane %d: %f vs %f", f, p,
                      out[p], e[p]);
        fy[f] = fmin(e[0], 100);
        fu[f] = fmin(e[1], 100);
        fv[f] = fmin(e[2], 100);
        fyuv[f] = (6 * fy[f] + fu[f] + fv[f]) / 8;
        LccFrameQuality fq;
        CHECK(!lcc_video_frame_quality(c, &a.video, &b.video, (uint32_t)f, 1, &fq));
        if (f == 2)
            CHECK(isinf(fq.psnr_yuv) && fq.ms_ssim_y == 1.0);
        else
            CHECK(fabs(fq.psnr_yuv - fyuv[f]) < 1e-12 && fq.ms_ssim_y < 1);
    }
    CHECK(!lcc_compare(c, &a, &b, &q));
    const double ey = (fy[0] + fy[1] + fy[2]) / 3, eu = (fu[0] + fu[1] + fu[2]) / 3;
    const double ev = (fv[0] + fv[1] + fv[2]) / 3;
    const double eyuv = (fyuv[0] + fyuv[1] + 100) / 3;
    CHECK_MSG(fabs(q.psnr_y - ey) < 1e-12, "%f vs %f", q.psnr_y, ey);
    CHECK(fabs(q.psnr_u - eu) < 1e-12 && fabs(q.psnr_v - ev) < 1e-12);
    CHECK_MSG(fabs(q.psnr - eyuv) < 1e-12, "%f vs %f", q.psnr, eyuv);
    CHECK(fabs(q.psnr_y - (psnr8(1) + psnr8(4) + 100) / 3) < 1e-12);
    CHECK(q.max_abs_error == 2 && q.ms_ssim > 0.9 && q.ms_ssim < 1);

    /* Errors: frame out of range, geometry mismatch. */
    double out[3];
    CHECK(lcc_video_frame_psnr(&a.video, &b.video, 3, out) == LCC_EINVAL && isnan(out[0]));
    b.video.chroma = LCC_CHROMA_444;
    lcc_clear_error(c);
    CHECK(lcc_compare(c, &a, &b, &q) == LCC_EINVAL && *lcc_last_error(c) && isnan(q.psnr));
    b.video.chroma = LCC_CHROMA_420;
    b.video.frames = 2;
    CHECK(lcc_compare(c, &a, &b, &q) == LCC_EINVAL);
    b.video.frames = 3;
    lcc_media_free(&a);
    lcc_media_free(&b);

    /* 4:0:0 10-bit: psnr = psnr_y, no chroma. */
    a = (LccMedia){ .modality = LCC_MODALITY_VIDEO, .video = { 33, 17, 2, 10, LCC_CHROMA_400, 0, 0, NULL } };
    CHECK(!lcc_media_alloc(&a, NULL));
    fill_random(a.video.data, 33 * 17 * 2, 1022);
    b = copy_media(&a);
    b.video.data[5]++;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(q.psnr == q.psnr_y && isnan(q.psnr_u) && isnan(q.psnr_v) && isnan(q.ms_ssim) == 0);
    const double p0 = 10 * log10(1023.0 * 1023.0 * 33 * 17);
    CHECK_MSG(fabs(q.psnr_y - (p0 + 100) / 2) < 1e-9, "%f", q.psnr_y);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

/* ---- audio ------------------------------------------------------------- */

static LccMedia make_audio(const uint32_t ch, const uint64_t frames, const uint32_t depth)
{
    LccMedia m = { .modality = LCC_MODALITY_AUDIO, .audio = { ch, 48000, frames, depth, NULL } };
    if (lcc_media_alloc(&m, NULL)) {
        fprintf(stderr, "alloc failed\n");
        exit(1);
    }
    return m;
}

/* The signals of tests/metrics/sisdr_reference.py (independent numpy
 * SNR / SI-SDR; `/usr/bin/python3 tests/metrics/sisdr_reference.py` prints
 * snr=1.595383720 si_sdr=43.504174415 (channels 41.013252360 45.995096469)).
 * Tolerance 1e-6 dB. */
static void test_reference_audio(LccContext *const c)
{
    const uint64_t n = 20000;
    LccMedia a = make_audio(2, n, 16), b = make_audio(2, n, 16);
    for (int64_t i = 0; i < (int64_t)n; i++) {
        const int64_t r0 = (i * 7919) % 20001 - 10000, r1 = (i * 104729) % 30011 - 15005;
        a.audio.data[2 * i] = (int32_t)r0;
        a.audio.data[2 * i + 1] = (int32_t)r1;
        b.audio.data[2 * i] = (int32_t)(r0 + (i * 31) % 41 - 20 + (i % 1000 < 500 ? 100 : 0));
        b.audio.data[2 * i + 1] = (int32_t)(2 * r1 + (i * 17) % 301 - 150 + 7);
    }
    LccQuality q;
    CHECK(!lcc_compare(c, &a, &b, &q));
    printf("audio: SNR %.9f (numpy 1.595383720)  SI-SDR %.9f (numpy 43.504174415)\n", q.snr, q.si_sdr);
    CHECK_MSG(fabs(q.snr - 1.595383720) < 1e-6, "snr %.9f", q.snr);
    CHECK_MSG(fabs(q.si_sdr - 43.504174415) < 1e-6, "si-sdr %.9f", q.si_sdr);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

static void test_audio(LccContext *const c)
{
    const uint64_t n = 48000;
    /* Channel 0: square wave +-1000 and noise +-10 orthogonal to it (period
     * 4 patterns) -> SNR and SI-SDR exactly 40 dB. Channel 1: identical. */
    LccMedia a = make_audio(2, n, 16);
    for (uint64_t i = 0; i < n; i++) {
        a.audio.data[2 * i] = (i & 1) ? -1000 : 1000;
        a.audio.data[2 * i + 1] = (int32_t)(test_rand(&seed) % 20001) - 10000;
    }
    LccMedia b = copy_media(&a);
    LccQuality q;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK(isinf(q.snr) && q.snr > 0 && isinf(q.si_sdr) && q.si_sdr > 0 && q.max_abs_error == 0);
    CHECK(q.samples == 2 * n && isnan(q.psnr) && isnan(q.psnr_y) && isnan(q.ms_ssim) && isnan(q.psnr_u));

    for (uint64_t i = 0; i < n; i++)
        b.audio.data[2 * i] += (i & 2) ? -10 : 10;
    double snr, si;
    LccMedia mono_a = make_audio(1, n, 16), mono_b = make_audio(1, n, 16);
    for (uint64_t i = 0; i < n; i++) {
        mono_a.audio.data[i] = a.audio.data[2 * i];
        mono_b.audio.data[i] = b.audio.data[2 * i];
    }
    CHECK(!lcc_audio_snr(c, &mono_a.audio, &mono_b.audio, &snr, &si));
    CHECK_MSG(fabs(snr - 40) < 1e-9 && fabs(si - 40) < 1e-9, "snr %f si-sdr %f", snr, si);
    /* Stereo: SNR over both channels; SI-SDR mean of 40 and the identical
     * channel counted as 100. */
    CHECK(!lcc_compare(c, &a, &b, &q));
    double e1 = 0;
    for (uint64_t i = 0; i < n; i++)
        e1 += (double)a.audio.data[2 * i + 1] * a.audio.data[2 * i + 1];
    const double esnr = 10 * log10((1e6 * n + e1) / (100.0 * n));
    CHECK_MSG(fabs(q.snr - esnr) < 1e-9, "snr %f vs %f", q.snr, esnr);
    CHECK_MSG(fabs(q.si_sdr - 70) < 1e-9, "si-sdr %f", q.si_sdr);
    CHECK(q.max_abs_error == 10);

    /* SI-SDR is invariant to scaling and to a DC offset of the test signal;
     * SNR is not. Random noise this time. */
    for (uint64_t i = 0; i < n; i++)
        mono_b.audio.data[i] = mono_a.audio.data[i] + (int32_t)(test_rand(&seed) % 201) - 100;
    double snr1, si1, snr3, si3;
    CHECK(!lcc_audio_snr(c, &mono_a.audio, &mono_b.audio, &snr1, &si1));
    LccMedia scaled = copy_media(&mono_b);
    for (uint64_t i = 0; i < n; i++)
        scaled.audio.data[i] = 3 * mono_b.audio.data[i] + 77;
    CHECK(!lcc_audio_snr(c, &mono_a.audio, &scaled.audio, &snr3, &si3));
    CHECK_MSG(fabs(si1 - si3) < 1e-9, "si-sdr %.12f vs %.12f", si1, si3);
    CHECK(si1 > 20 && si1 < 40 && snr3 < 0);
    /* SNR of the known noise level: uniform in [-100, 100], variance 3400. */
    CHECK_MSG(fabs(snr1 - 10 * log10(1e6 / 3400.0)) < 0.2, "snr %f", snr1);

    /* A silent reference channel is left out of SI-SDR; a silent test
     * channel gives -inf. */
    for (uint64_t i = 0; i < n; i++)
        a.audio.data[2 * i + 1] = 0;
    memcpy(b.audio.data, a.audio.data, 2 * n * sizeof(int32_t));
    for (uint64_t i = 0; i < n; i++)
        b.audio.data[2 * i] += (i & 2) ? -10 : 10;
    b.audio.data[1] = 3;
    CHECK(!lcc_compare(c, &a, &b, &q));
    CHECK_MSG(fabs(q.si_sdr - 40) < 1e-9, "%f", q.si_sdr);
    memset(mono_b.audio.data, 0, n * sizeof(int32_t));
    CHECK(!lcc_audio_snr(c, &mono_a.audio, &mono_b.audio, &snr, &si));
    CHECK(snr == 0 && isinf(si) && si < 0);

    /* 32-bit extremes: no overflow in the difference. */
    LccMedia x = make_audio(1, 4, 32), y = make_audio(1, 4, 32);
    x.audio.data[0] = INT32_MIN;
    y.audio.data[0] = INT32_MAX;
    x.audio.data[1] = 5;
    CHECK(!lcc_compare(c, &x, &y, &q));
    CHECK(q.max_abs_error == 4294967295.0 && isfinite(q.snr) && isfinite(q.si_sdr));

    /* Geometry mismatch. */
    y.audio.sample_rate = 44100;
    lcc_clear_error(c);
    CHECK(lcc_compare(c, &x, &y, &q) == LCC_EINVAL && *lcc_last_error(c) && isnan(q.snr));
    CHECK(lcc_compare(c, &a, &x, &q) == LCC_EINVAL);
    lcc_media_free(&x);
    lcc_media_free(&y);
    lcc_media_free(&scaled);
    lcc_media_free(&mono_a);
    lcc_media_free(&mono_b);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

static void test_errors(LccContext *const c)
{
    LccMedia a = make_image(20, 20, 3, 8), b = make_image(20, 21, 3, 8);
    LccQuality q;
    lcc_clear_error(c);
    CHECK(lcc_compare(c, &a, &b, &q) == LCC_EINVAL);
    CHECK(strstr(lcc_last_error(c), "20x20") != NULL);
    CHECK(isnan(q.psnr) && isnan(q.ms_ssim) && q.samples == 0);
    lcc_media_free(&b);
    b = make_image(20, 20, 4, 8);
    CHECK(lcc_compare(c, &a, &b, &q) == LCC_EINVAL);
    lcc_media_free(&b);
    b = make_image(20, 20, 3, 10);
    CHECK(lcc_compare(c, &a, &b, &q) == LCC_EINVAL);
    lcc_media_free(&b);
    LccMedia au = make_audio(3, 20, 16);
    CHECK(lcc_compare(c, &a, &au, &q) == LCC_EINVAL);
    lcc_media_free(&au);
    b = make_image(20, 20, 3, 8);
    uint16_t *const keep = b.image.data;
    b.image.data = NULL;
    CHECK(lcc_compare(c, &a, &b, &q) == LCC_EINVAL);
    b.image.data = keep;
    CHECK(lcc_compare(NULL, &a, &b, &q) == LCC_OK);
    CHECK(lcc_compare(NULL, &a, NULL, &q) == LCC_EINVAL);
    CHECK(lcc_compare(NULL, &a, &b, NULL) == LCC_EINVAL);
    const LccMedia none = { 0 };
    CHECK(lcc_compare(NULL, &none, &none, &q) == LCC_EINVAL);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

/* Results do not depend on the thread count (frames and channels are
 * measured in parallel, and summed in order). */
static void test_threads(void)
{
    LccMedia v = { .modality = LCC_MODALITY_VIDEO, .video = { 48, 40, 11, 8, LCC_CHROMA_422, 25, 1, NULL } };
    CHECK(!lcc_media_alloc(&v, NULL));
    const size_t n = (size_t)lcc_media_samples(&v);
    fill_random(v.video.data, n, 255);
    LccMedia w = copy_media(&v);
    for (size_t i = 0; i < n; i += 3)
        w.video.data[i] = (uint16_t)(w.video.data[i] + 1 + (i % 5));
    memcpy(w.video.data + 4 * n / 11, v.video.data + 4 * n / 11, n / 11 * sizeof(uint16_t));
    LccMedia im = make_image(300, 250, 3, 8);
    fill_random(im.image.data, 300 * 250 * 3, 255);
    LccMedia im2 = copy_media(&im);
    for (size_t i = 0; i < 300 * 250 * 3; i += 2)
        im2.image.data[i] = (uint16_t)(im2.image.data[i] / 4 * 4);
    LccQuality qv[3], qi[3];
    for (int t = 0; t < 3; t++) {
        LccSettings s;
        lcc_default_settings(&s);
        s.threads = t + 1;
        LccContext *c;
        CHECK(!lcc_open(&c, &s));
        CHECK(!lcc_compare(c, &v, &w, &qv[t]));
        CHECK(!lcc_compare(c, &im, &im2, &qi[t]));
        lcc_close(&c);
    }
    for (int t = 1; t < 3; t++) {
        CHECK(!memcmp(&qv[t], &qv[0], sizeof(qv[0])));
        CHECK(!memcmp(&qi[t], &qi[0], sizeof(qi[0])));
    }
    CHECK(isfinite(qv[0].psnr) && qv[0].ms_ssim > 0 && qv[0].ms_ssim < 1);
    /* The mean equals the mean of the per-frame values. */
    double sy = 0, sssim = 0;
    for (uint32_t f = 0; f < 11; f++) {
        LccFrameQuality fq;
        CHECK(!lcc_video_frame_quality(NULL, &v.video, &w.video, f, 1, &fq));
        sy += fmin(fq.psnr_y, 100);
        sssim += fq.ms_ssim_y;
    }
    CHECK(fabs(qv[0].psnr_y - sy / 11) < 1e-12 && fabs(qv[0].ms_ssim - sssim / 11) < 1e-15);
    /* lcc_compare_frame: the same per-frame values through LccQuality; the
     * identical frame 4 has infinite PSNR. */
    for (uint32_t f = 0; f < 11; f++) {
        LccFrameQuality fq;
        LccQuality fq2;
        CHECK(!lcc_video_frame_quality(NULL, &v.video, &w.video, f, 1, &fq));
        CHECK(!lcc_compare_frame(NULL, &v, &w, f, &fq2));
        CHECK(fq2.psnr_y == fq.psnr_y && fq2.psnr_u == fq.psnr_u && fq2.psnr_v == fq.psnr_v &&
              fq2.psnr == fq.psnr_yuv && fq2.ms_ssim == fq.ms_ssim_y && fq2.max_abs_error == fq.max_abs_error);
        CHECK(fq2.samples == n / 11 && isnan(fq2.snr));
        CHECK(f == 4 ? isinf(fq2.psnr) && fq2.ms_ssim == 1.0 : isfinite(fq2.psnr));
    }
    LccQuality bad;
    CHECK(lcc_compare_frame(NULL, &v, &w, 11, &bad) == LCC_EINVAL && isnan(bad.psnr));
    CHECK(lcc_compare_frame(NULL, &im, &im2, 1, &bad) == LCC_EINVAL);
    CHECK(lcc_compare_frame(NULL, &im, &im2, 0, &bad) == LCC_OK && !memcmp(&bad, &qi[0], sizeof(bad)));
    CHECK(lcc_compare_frame(NULL, &v, &im, 0, &bad) == LCC_EINVAL);
    lcc_media_free(&v);
    lcc_media_free(&w);
    lcc_media_free(&im);
    lcc_media_free(&im2);
}

static void test_speed(LccContext *const c)
{
    /* Kodak-sized MS-SSIM; the median of 3 runs is printed (the target is
     * well under 0.5 s in a release build; not checked, the test also runs
     * under sanitizers). */
    LccMedia a = make_image(768, 512, 3, 8);
    fill_random(a.image.data, 768 * 512 * 3, 255);
    LccMedia b = copy_media(&a);
    for (size_t i = 0; i < 768 * 512 * 3; i += 7)
        b.image.data[i] = (uint16_t)(255 - b.image.data[i]);
    double t[3];
    LccQuality q;
    for (int r = 0; r < 3; r++) {
        const double t0 = now();
        CHECK(!lcc_compare(c, &a, &b, &q));
        t[r] = now() - t0;
    }
    const double lo = fmin(t[0], fmin(t[1], t[2])), hi = fmax(t[0], fmax(t[1], t[2]));
    printf("lcc_compare 768x512 RGB (PSNR + MS-SSIM): median %.3f s\n", t[0] + t[1] + t[2] - lo - hi);
    lcc_media_free(&a);
    lcc_media_free(&b);
}

int main(const int argc, char **const argv)
{
    seed = test_seed();
    LccContext *c;
    if (lcc_open(&c, NULL)) {
        fprintf(stderr, "lcc_open failed\n");
        return 1;
    }
    if (argc > 1) {
        test_reference_pair(c, argv[1]);
        test_reference_video(c, argv[1]);
    } else
        CHECK_MSG(0, "usage: test_metrics DATA_DIR");
    test_image_properties(c);
    test_scales_and_tiny(c);
    test_video(c);
    test_audio(c);
    test_reference_audio(c);
    test_errors(c);
    test_threads();
    test_speed(c);
    lcc_close(&c);
    return test_summary();
}
