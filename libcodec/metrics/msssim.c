/* MS-SSIM (Wang, Simoncelli, Bovik 2003) as pytorch_msssim computes it;
 * the exact definition is in metrics.h.
 *
 * The Gaussian window is separable, so each scale is filtered in one pass
 * over the rows: a row is filtered horizontally into a ring of the last 11
 * filtered rows (for x, y, x^2, y^2, xy), and each new output row is the
 * vertical 11-tap sum over the ring. Cost about 110 multiply-adds per
 * sample per scale; memory O(width) besides the pyramid. The pyramid is
 * kept in float: averages of 4^k integers below 2^16 are exact in float up
 * to scale 4. Sums are in double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/metrics/metrics.h"
#include "libcodec/thread.h"

#define WIN LCC_MSSSIM_WINDOW
#define NMAPS 5 /* x, y, x^2, y^2, xy */

static const double msssim_weights[LCC_MSSSIM_MAX_SCALES] = { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 };

/* The 11-tap Gaussian, sigma 1.5, centred, normalised to sum 1. */
static void gaussian_window(double g[WIN])
{
    double sum = 0;
    for (int i = 0; i < WIN; i++) {
        const double d = i - WIN / 2;
        g[i] = exp(-(d * d) / (2 * 1.5 * 1.5));
        sum += g[i];
    }
    for (int i = 0; i < WIN; i++)
        g[i] /= sum;
}

static uint32_t half_size(const uint32_t n) { return n / 2 + (n & 1); }

int lcc_ms_ssim_scales(const uint32_t width, const uint32_t height)
{
    uint32_t w = width, h = height;
    int scales = 0;
    while (scales < LCC_MSSSIM_MAX_SCALES && w >= WIN && h >= WIN) {
        scales++;
        w = half_size(w);
        h = half_size(h);
    }
    return scales;
}

typedef struct SsimWork {
    double g[WIN];
    double *row[NMAPS];   /* one input row of x, y, x^2, y^2, xy (width) */
    double *ring[NMAPS];  /* WIN horizontally filtered rows each (WIN * (width - WIN + 1)) */
    double *vert[NMAPS];  /* one output row of each map (width - WIN + 1) */
    double *block;
} SsimWork;

static int work_alloc(SsimWork *const w, const uint32_t width)
{
    const size_t ow = width - WIN + 1;
    const size_t per_map = width + WIN * ow + ow;
    w->block = malloc(NMAPS * per_map * sizeof(double));
    if (!w->block)
        return -1;
    double *p = w->block;
    for (int m = 0; m < NMAPS; m++) {
        w->row[m] = p;
        p += width;
        w->ring[m] = p;
        p += WIN * ow;
        w->vert[m] = p;
        p += ow;
    }
    gaussian_window(w->g);
    return 0;
}

static void load_row(const LccPlane *const p, const uint32_t y, double *const out)
{
    const size_t base = (size_t)y * p->stride;
    if (p->u16) {
        const uint16_t *const s = p->u16 + base;
        for (uint32_t x = 0; x < p->width; x++)
            out[x] = s[(size_t)x * p->step];
    } else {
        const float *const s = p->f32 + base;
        for (uint32_t x = 0; x < p->width; x++)
            out[x] = s[(size_t)x * p->step];
    }
}

/* dst[x] = sum over k of g[k] * src[k][x], for x < n: the horizontal pass
 * (src[k] = row + k) and the vertical one (src[k] = filtered row k). Four
 * outputs at a time with the taps in order, which compilers turn into
 * vector code at -O2 (results do not depend on it). */
static void filter_taps(const double *const src[WIN], const double g[WIN], double *const restrict dst,
                        const size_t n)
{
    size_t x = 0;
    for (; x + 4 <= n; x += 4) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int k = 0; k < WIN; k++) {
            const double gk = g[k], *const s = src[k] + x;
            a0 += gk * s[0];
            a1 += gk * s[1];
            a2 += gk * s[2];
            a3 += gk * s[3];
        }
        dst[x] = a0;
        dst[x + 1] = a1;
        dst[x + 2] = a2;
        dst[x + 3] = a3;
    }
    for (; x < n; x++) {
        double a = 0;
        for (int k = 0; k < WIN; k++)
            a += g[k] * src[k][x];
        dst[x] = a;
    }
}

/* Mean SSIM and mean contrast-structure term of two planes of one scale
 * (both at least WIN x WIN). */
static void ssim_scale(const LccPlane *const a, const LccPlane *const b, const double c1, const double c2,
                       SsimWork *const w, double *const ssim, double *const cs)
{
    const uint32_t width = a->width, height = a->height;
    const size_t ow = width - WIN + 1, oh = height - WIN + 1;
    const double *const g = w->g;
    double ssim_sum = 0, cs_sum = 0;
    for (uint32_t y = 0; y < height; y++) {
        double *const rx = w->row[0], *const ry = w->row[1];
        load_row(a, y, rx);
        load_row(b, y, ry);
        for (uint32_t x = 0; x < width; x++) {
            w->row[2][x] = rx[x] * rx[x];
            w->row[3][x] = ry[x] * ry[x];
            w->row[4][x] = rx[x] * ry[x];
        }
        const size_t slot = (size_t)(y % WIN) * ow;
        for (int m = 0; m < NMAPS; m++) {
            const double *src[WIN];
            for (int k = 0; k < WIN; k++)
                src[k] = w->row[m] + k;
            filter_taps(src, g, w->ring[m] + slot, ow);
        }
        if (y < WIN - 1)
            continue;
        /* Output row y - WIN + 1 uses the filtered rows y - WIN + 1 .. y. */
        const uint32_t first = y - WIN + 1;
        for (int m = 0; m < NMAPS; m++) {
            const double *src[WIN];
            for (int k = 0; k < WIN; k++)
                src[k] = w->ring[m] + (size_t)((first + k) % WIN) * ow;
            filter_taps(src, g, w->vert[m], ow);
        }
        double row_ssim = 0, row_cs = 0;
        for (size_t x = 0; x < ow; x++) {
            const double mu1 = w->vert[0][x], mu2 = w->vert[1][x];
            const double mu1_sq = mu1 * mu1, mu2_sq = mu2 * mu2, mu12 = mu1 * mu2;
            const double s1 = w->vert[2][x] - mu1_sq;
            const double s2 = w->vert[3][x] - mu2_sq;
            const double s12 = w->vert[4][x] - mu12;
            const double cs_v = (2 * s12 + c2) / (s1 + s2 + c2);
            row_cs += cs_v;
            row_ssim += (2 * mu12 + c1) / (mu1_sq + mu2_sq + c1) * cs_v;
        }
        ssim_sum += row_ssim;
        cs_sum += row_cs;
    }
    *ssim = ssim_sum / ((double)ow * (double)oh);
    *cs = cs_sum / ((double)ow * (double)oh);
}

/* 2x2 average pool of p into dst (half_size(w) x half_size(h) floats).
 * Along an odd dimension the pool starts one sample before the plane and
 * the missing sample counts as 0 (avg_pool2d, padding = size % 2). */
static void downsample(const LccPlane *const p, float *const dst, double *const r0, double *const r1)
{
    const uint32_t w = p->width, h = p->height;
    const uint32_t dw = half_size(w), dh = half_size(h);
    const uint32_t px = w & 1, py = h & 1;
    for (uint32_t oy = 0; oy < dh; oy++) {
        /* Input rows 2 oy - py and 2 oy - py + 1; -1 is the zero padding. */
        const int64_t y0 = 2 * (int64_t)oy - py;
        if (y0 < 0)
            memset(r0, 0, w * sizeof(double));
        else
            load_row(p, (uint32_t)y0, r0);
        load_row(p, (uint32_t)(y0 + 1), r1);
        float *const out = dst + (size_t)oy * dw;
        for (uint32_t ox = 0; ox < dw; ox++) {
            const int64_t x0 = 2 * (int64_t)ox - px;
            double s = r0[x0 + 1] + r1[x0 + 1];
            if (x0 >= 0)
                s += r0[x0] + r1[x0];
            out[ox] = (float)(s * 0.25);
        }
    }
}

lcc_status lcc_ms_ssim_plane(LccContext *const c, const LccPlane *const ref, const LccPlane *const test,
                             const double peak, double *const out)
{
    *out = NAN;
    if (ref->width != test->width || ref->height != test->height)
        return lcc_error(c, LCC_EINVAL, "MS-SSIM: plane sizes differ (%ux%u vs %ux%u)", ref->width,
                         ref->height, test->width, test->height);
    if ((!ref->u16 && !ref->f32) || (!test->u16 && !test->f32))
        return lcc_error(c, LCC_EINVAL, "MS-SSIM: plane without data");
    const int scales = lcc_ms_ssim_scales(ref->width, ref->height);
    if (!scales)
        return LCC_OK;

    double weights[LCC_MSSSIM_MAX_SCALES], wsum = 0;
    for (int i = 0; i < scales; i++)
        wsum += msssim_weights[i];
    for (int i = 0; i < scales; i++)
        weights[i] = msssim_weights[i] / wsum;

    /* Pyramid: scales 1, 3 in buffer 0, scales 2, 4 in buffer 1 (per
     * plane); two rows of doubles for the pool. */
    const uint32_t w1 = half_size(ref->width), h1 = half_size(ref->height);
    const uint32_t w2 = half_size(w1), h2 = half_size(h1);
    const size_t n1 = scales > 1 ? (size_t)w1 * h1 : 0, n2 = scales > 2 ? (size_t)w2 * h2 : 0;
    SsimWork work = { .block = NULL };
    float *const pyr = malloc((2 * (n1 + n2) + 1) * sizeof(float));
    double *const rows = malloc(2 * (size_t)ref->width * sizeof(double));
    if (!pyr || !rows || work_alloc(&work, ref->width)) {
        free(work.block);
        free(pyr);
        free(rows);
        return lcc_error(c, LCC_ENOMEM, "MS-SSIM: out of memory (%ux%u plane)", ref->width, ref->height);
    }
    float *const buf[2][2] = { { pyr, pyr + n1 }, { pyr + 2 * n1, pyr + 2 * n1 + n2 } };

    const double c1 = (0.01 * peak) * (0.01 * peak), c2 = (0.03 * peak) * (0.03 * peak);
    LccPlane a = *ref, b = *test;
    double result = 1.0;
    for (int s = 0; s < scales; s++) {
        double ssim, cs;
        ssim_scale(&a, &b, c1, c2, &work, &ssim, &cs);
        if (s == scales - 1) {
            result *= pow(ssim > 0 ? ssim : 0, weights[s]);
            break;
        }
        result *= pow(cs > 0 ? cs : 0, weights[s]);
        float *const da = buf[s & 1][0], *const db = buf[s & 1][1];
        downsample(&a, da, rows, rows + ref->width);
        downsample(&b, db, rows, rows + ref->width);
        const uint32_t nw = half_size(a.width), nh = half_size(a.height);
        a = (LccPlane){ .f32 = da, .width = nw, .height = nh, .stride = nw, .step = 1 };
        b = (LccPlane){ .f32 = db, .width = nw, .height = nh, .stride = nw, .step = 1 };
    }
    free(work.block);
    free(pyr);
    free(rows);
    *out = result;
    return LCC_OK;
}

LccThreadPool *lcc_metrics_pool(const LccContext *const c, const int tasks)
{
    const int want = c ? c->settings.threads : 0;
    int n = want > 0 ? want : lcc_default_threads();
    if (n > tasks)
        n = tasks;
    LccThreadPool *p = NULL;
    if (n > 1 && lcc_pool_create(&p, n))
        p = NULL; /* no pool: the caller's thread does all the work */
    return p;
}

typedef struct ImageJob {
    const LccImage *ref, *test;
    double peak;
    double value[3];
    lcc_status err[3];
} ImageJob;

static void image_channel_task(void *const arg, const int ch, const int thread)
{
    ImageJob *const j = arg;
    const LccImage *const ref = j->ref;
    const LccPlane pa = { .u16 = ref->data + ch, .width = ref->width, .height = ref->height,
                          .stride = (size_t)ref->width * ref->channels, .step = ref->channels };
    LccPlane pb = pa;
    pb.u16 = j->test->data + ch;
    j->err[ch] = lcc_ms_ssim_plane(NULL, &pa, &pb, j->peak, &j->value[ch]);
}

lcc_status lcc_ms_ssim_image(LccContext *const c, const LccImage *const ref, const LccImage *const test,
                             double *const out)
{
    *out = NAN;
    if (ref->width != test->width || ref->height != test->height || ref->channels != test->channels ||
        ref->bit_depth != test->bit_depth || ref->channels < 1 || ref->channels > 4 || ref->bit_depth < 1 ||
        ref->bit_depth > 16)
        return lcc_error(c, LCC_EINVAL, "MS-SSIM: image geometries differ or are invalid");
    ImageJob job = { .ref = ref, .test = test, .peak = (double)((1u << ref->bit_depth) - 1) };
    const int colors = ref->channels >= 3 ? 3 : 1;
    /* Channels in parallel for images worth it (results do not depend on
     * the thread count: each channel is computed alone, summed in order). */
    LccThreadPool *pool = (uint64_t)ref->width * ref->height >= 65536 ? lcc_metrics_pool(c, colors) : NULL;
    lcc_pool_run(pool, colors, image_channel_task, &job);
    lcc_pool_free(&pool);
    double sum = 0;
    for (int ch = 0; ch < colors; ch++) {
        if (job.err[ch])
            return lcc_error(c, job.err[ch], "MS-SSIM: out of memory (%ux%u image)", ref->width, ref->height);
        sum += job.value[ch];
    }
    *out = sum / colors;
    return LCC_OK;
}
