/* lcc_compare and the PSNR / SNR / SI-SDR measures (DESIGN.md §8; the
 * definitions are in metrics.h).
 *
 * What lcc_compare fills, per modality (fields that do not apply are NAN):
 * - image: psnr over the gray or RGB samples (alpha ignored), psnr_y of
 *   BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B in double (= psnr for
 *   gray), ms_ssim (mean over the gray/RGB channels; NAN below 11 px).
 * - video: per-frame PSNR of Y, U, V and (6 Y + U + V) / 8, each averaged
 *   over frames; ms_ssim = mean per-frame MS-SSIM of Y. In the means a
 *   per-frame value counts at most LCC_METRICS_INF_CAP_DB (100 dB, as
 *   libvpx does), so an identical frame counts 100 dB; if every frame is
 *   identical in that plane the mean is +INFINITY. 4:0:0: psnr = psnr_y.
 * - audio: snr over all channels, si_sdr per channel (mean over channels).
 * - all: max_abs_error is the largest absolute difference over every
 *   sample, alpha included (so 0 means the data are identical), and
 *   samples the number of samples of one object (alpha included). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/metrics/metrics.h"
#include "libcodec/thread.h"

double lcc_psnr_from_mse(const double mse, const double peak)
{
    if (mse <= 0)
        return INFINITY;
    return 10.0 * log10(peak * peak / mse);
}

uint64_t lcc_sse_u16(const uint16_t *const a, const uint16_t *const b, const size_t n, const size_t step,
                     uint32_t *const max_abs)
{
    uint64_t sse = 0;
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const int32_t d = (int32_t)a[i * step] - (int32_t)b[i * step];
        const uint32_t ad = (uint32_t)(d < 0 ? -d : d);
        sse += (uint64_t)ad * ad;
        if (ad > m)
            m = ad;
    }
    if (max_abs)
        *max_abs = m;
    return sse;
}

/* Mean of n per-item values, each counted at most LCC_METRICS_INF_CAP_DB;
 * +INFINITY if all are +INFINITY. */
static double mean_capped(const double *const v, const size_t n)
{
    double sum = 0;
    int all_inf = 1;
    for (size_t i = 0; i < n; i++) {
        if (!isinf(v[i]) || v[i] < 0)
            all_inf = 0;
        sum += v[i] > LCC_METRICS_INF_CAP_DB ? LCC_METRICS_INF_CAP_DB : v[i];
    }
    return all_inf ? INFINITY : sum / (double)n;
}

/* ---- images ------------------------------------------------------------ */

static void compare_image(LccContext *const c, const LccImage *const a, const LccImage *const b,
                          LccQuality *const q, lcc_status *const err)
{
    const size_t pixels = (size_t)a->width * a->height;
    const uint32_t nch = a->channels, colors = nch >= 3 ? 3 : 1;
    const double peak = (double)((1u << a->bit_depth) - 1);

    uint32_t max_abs;
    lcc_sse_u16(a->data, b->data, pixels * nch, 1, &max_abs);
    q->max_abs_error = max_abs;
    q->samples = (uint64_t)pixels * nch;

    uint64_t sse = 0;
    for (uint32_t ch = 0; ch < colors; ch++)
        sse += lcc_sse_u16(a->data + ch, b->data + ch, pixels, nch, NULL);
    q->psnr = lcc_psnr_from_mse((double)sse / ((double)pixels * colors), peak);

    if (colors == 1) {
        q->psnr_y = q->psnr;
    } else {
        double sy = 0;
        for (size_t i = 0; i < pixels; i++) {
            const uint16_t *const p = a->data + i * nch, *const r = b->data + i * nch;
            const double ya = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            const double yb = 0.299 * r[0] + 0.587 * r[1] + 0.114 * r[2];
            sy += (ya - yb) * (ya - yb);
        }
        q->psnr_y = lcc_psnr_from_mse(sy / (double)pixels, peak);
    }
    *err = lcc_ms_ssim_image(c, a, b, &q->ms_ssim);
}

/* ---- video ------------------------------------------------------------- */

static int video_geometry_equal(const LccVideo *const a, const LccVideo *const b)
{
    return a->width == b->width && a->height == b->height && a->frames == b->frames &&
           a->bit_depth == b->bit_depth && a->chroma == b->chroma;
}

static lcc_status check_video_pair(LccContext *const c, const LccVideo *const ref, const LccVideo *const test,
                                   const uint32_t frame)
{
    if (!video_geometry_equal(ref, test))
        return lcc_error(c, LCC_EINVAL, "video geometries differ: %ux%u %u frames %u-bit chroma %d vs "
                         "%ux%u %u frames %u-bit chroma %d", ref->width, ref->height, ref->frames,
                         ref->bit_depth, (int)ref->chroma, test->width, test->height, test->frames,
                         test->bit_depth, (int)test->chroma);
    const LccMedia m = { .modality = LCC_MODALITY_VIDEO, .video = *ref };
    const LccLimits any = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
    if (lcc_media_check(&m, &any) || !ref->data || !test->data)
        return lcc_error(c, LCC_EINVAL, "invalid video (%ux%u, %u frames, %u-bit, chroma %d)", ref->width,
                         ref->height, ref->frames, ref->bit_depth, (int)ref->chroma);
    if (frame >= ref->frames)
        return lcc_error(c, LCC_EINVAL, "frame %u out of range (%u frames)", frame, ref->frames);
    return LCC_OK;
}

/* Planes of one frame: offsets and sizes. */
static int frame_planes(const LccVideo *const v, size_t off[3], uint32_t w[3], uint32_t h[3])
{
    uint32_t cw, ch;
    lcc_video_chroma_size(v, &cw, &ch);
    w[0] = v->width;
    h[0] = v->height;
    w[1] = w[2] = cw;
    h[1] = h[2] = ch;
    off[0] = 0;
    off[1] = (size_t)v->width * v->height;
    off[2] = off[1] + (size_t)cw * ch;
    return v->chroma == LCC_CHROMA_400 ? 1 : 3;
}

static void frame_psnr(const LccVideo *const ref, const LccVideo *const test, const uint32_t frame,
                       LccFrameQuality *const q)
{
    const size_t base = (size_t)(lcc_video_frame_samples(ref) * frame);
    const double peak = (double)((1u << ref->bit_depth) - 1);
    size_t off[3];
    uint32_t w[3], h[3];
    const int nplanes = frame_planes(ref, off, w, h);
    double psnr[3] = { NAN, NAN, NAN };
    q->max_abs_error = 0;
    q->mse[0] = q->mse[1] = q->mse[2] = 0;
    for (int p = 0; p < nplanes; p++) {
        const size_t n = (size_t)w[p] * h[p];
        uint32_t m;
        const uint64_t sse = lcc_sse_u16(ref->data + base + off[p], test->data + base + off[p], n, 1, &m);
        q->mse[p] = (double)sse / (double)n;
        psnr[p] = lcc_psnr_from_mse(q->mse[p], peak);
        if (m > q->max_abs_error)
            q->max_abs_error = m;
    }
    q->psnr_y = psnr[0];
    q->psnr_u = psnr[1];
    q->psnr_v = psnr[2];
    if (nplanes == 1) {
        q->psnr_yuv = psnr[0];
    } else if (isinf(psnr[0]) && isinf(psnr[1]) && isinf(psnr[2])) {
        q->psnr_yuv = INFINITY;
    } else {
        double capped[3];
        for (int p = 0; p < 3; p++)
            capped[p] = psnr[p] > LCC_METRICS_INF_CAP_DB ? LCC_METRICS_INF_CAP_DB : psnr[p];
        q->psnr_yuv = (6 * capped[0] + capped[1] + capped[2]) / 8;
    }
}

lcc_status lcc_video_frame_quality(LccContext *const c, const LccVideo *const ref, const LccVideo *const test,
                                   const uint32_t frame, const int with_ms_ssim, LccFrameQuality *const q)
{
    q->psnr_y = q->psnr_u = q->psnr_v = q->psnr_yuv = q->ms_ssim_y = NAN;
    const lcc_status err = check_video_pair(c, ref, test, frame);
    if (err)
        return err;
    frame_psnr(ref, test, frame, q);
    if (!with_ms_ssim)
        return LCC_OK;
    const size_t base = (size_t)(lcc_video_frame_samples(ref) * frame);
    const LccPlane a = { .u16 = ref->data + base, .width = ref->width, .height = ref->height,
                         .stride = ref->width, .step = 1 };
    LccPlane b = a;
    b.u16 = test->data + base;
    return lcc_ms_ssim_plane(c, &a, &b, (double)((1u << ref->bit_depth) - 1), &q->ms_ssim_y);
}

lcc_status lcc_video_frame_psnr(const LccVideo *const ref, const LccVideo *const test, const uint32_t frame,
                                double out[3])
{
    LccFrameQuality q;
    out[0] = out[1] = out[2] = NAN;
    const lcc_status err = lcc_video_frame_quality(NULL, ref, test, frame, 0, &q);
    if (err)
        return err;
    out[0] = q.psnr_y;
    out[1] = q.psnr_u;
    out[2] = q.psnr_v;
    return LCC_OK;
}

typedef struct VideoJob {
    const LccVideo *ref, *test;
    uint32_t first;           /* frame of task 0 */
    LccFrameQuality *fq;      /* one per frame */
    lcc_status *err;          /* one per frame */
} VideoJob;

static void video_frame_task(void *const arg, const int task, const int thread)
{
    VideoJob *const j = arg;
    const uint32_t f = j->first + (uint32_t)task;
    j->err[f] = lcc_video_frame_quality(NULL, j->ref, j->test, f, 1, &j->fq[f]);
}

/* Frames are measured in parallel (in batches, so that progress is
 * reported from the calling thread) and averaged in frame order. */
static lcc_status compare_video(LccContext *const c, const LccVideo *const a, const LccVideo *const b,
                                LccQuality *const q)
{
    const uint32_t n = a->frames;
    LccFrameQuality *const fq = malloc((size_t)n * sizeof(*fq));
    lcc_status *const ferr = malloc((size_t)n * sizeof(*ferr));
    double *const v = malloc((size_t)n * 4 * sizeof(double));
    lcc_status err = LCC_OK;
    if (!fq || !ferr || !v) {
        err = lcc_error(c, LCC_ENOMEM, "compare: out of memory (%u frames)", n);
        goto end;
    }
    LccThreadPool *pool = lcc_metrics_pool(c, (int)(n < 64 ? n : 64));
    const uint32_t batch = 4 * (uint32_t)lcc_pool_threads(pool);
    VideoJob job = { .ref = a, .test = b, .fq = fq, .err = ferr };
    for (uint32_t f = 0; f < n && !err; f += batch) {
        const uint32_t count = n - f < batch ? n - f : batch;
        job.first = f;
        lcc_pool_run(pool, (int)count, video_frame_task, &job);
        for (uint32_t k = f; k < f + count && !err; k++)
            if (ferr[k])
                err = lcc_error(c, ferr[k], "compare: frame %u: out of memory", k);
        lcc_progress(c, (double)(f + count) / n);
    }
    lcc_pool_free(&pool);
    if (err)
        goto end;
    double *const y = v, *const u = v + n, *const vv = v + 2 * (size_t)n, *const yuv = v + 3 * (size_t)n;
    double max_abs = 0, ssim = 0;
    for (uint32_t f = 0; f < n; f++) {
        y[f] = fq[f].psnr_y;
        u[f] = fq[f].psnr_u;
        vv[f] = fq[f].psnr_v;
        yuv[f] = fq[f].psnr_yuv;
        ssim += fq[f].ms_ssim_y;
        if (fq[f].max_abs_error > max_abs)
            max_abs = fq[f].max_abs_error;
    }
    q->psnr_y = mean_capped(y, n);
    q->psnr = mean_capped(yuv, n);
    if (a->chroma != LCC_CHROMA_400) {
        q->psnr_u = mean_capped(u, n);
        q->psnr_v = mean_capped(vv, n);
    }
    q->ms_ssim = ssim / n;
    q->max_abs_error = max_abs;
    q->samples = lcc_video_frame_samples(a) * n;
end:
    free(fq);
    free(ferr);
    free(v);
    return err;
}

/* ---- audio ------------------------------------------------------------- */

/* Sums of many terms: partial sums of BLOCK terms are added to the total,
 * which keeps the rounding error near that of pairwise summation. */
#define BLOCK 4096

static double channel_si_sdr(const int32_t *const s, const int32_t *const t, const uint64_t frames,
                             const uint32_t step, int *const defined)
{
    int64_t sum_s = 0, sum_t = 0;
    for (uint64_t i = 0; i < frames; i++) {
        sum_s += s[i * step];
        sum_t += t[i * step];
    }
    const double ms = (double)sum_s / (double)frames, mt = (double)sum_t / (double)frames;
    double es = 0, dot = 0;
    for (uint64_t i = 0; i < frames;) {
        double pes = 0, pdot = 0;
        const uint64_t end = frames - i > BLOCK ? i + BLOCK : frames;
        for (; i < end; i++) {
            const double x = s[i * step] - ms, y = t[i * step] - mt;
            pes += x * x;
            pdot += x * y;
        }
        es += pes;
        dot += pdot;
    }
    *defined = es > 0;
    if (!*defined)
        return NAN;
    const double alpha = dot / es;
    double en = 0;
    for (uint64_t i = 0; i < frames;) {
        double pen = 0;
        const uint64_t end = frames - i > BLOCK ? i + BLOCK : frames;
        for (; i < end; i++) {
            const double x = s[i * step] - ms, y = t[i * step] - mt;
            const double e = y - alpha * x;
            pen += e * e;
        }
        en += pen;
    }
    /* A test channel with no component along the reference (a constant one
     * included) has no signal: -inf, even if its noise is 0 too. */
    const double et = alpha * alpha * es;
    if (et <= 0)
        return -INFINITY;
    return en > 0 ? 10.0 * log10(et / en) : INFINITY;
}

lcc_status lcc_audio_snr(LccContext *const c, const LccAudio *const a, const LccAudio *const b,
                         double *const snr, double *const si_sdr)
{
    *snr = *si_sdr = NAN;
    if (a->channels != b->channels || a->frames != b->frames || a->bit_depth != b->bit_depth ||
        a->sample_rate != b->sample_rate)
        return lcc_error(c, LCC_EINVAL, "audio geometries differ: %u ch %llu frames %u-bit %u Hz vs "
                         "%u ch %llu frames %u-bit %u Hz", a->channels, (unsigned long long)a->frames,
                         a->bit_depth, a->sample_rate, b->channels, (unsigned long long)b->frames,
                         b->bit_depth, b->sample_rate);
    const LccMedia m = { .modality = LCC_MODALITY_AUDIO, .audio = *a };
    const LccLimits any = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
    if (lcc_media_check(&m, &any) || !a->data || !b->data)
        return lcc_error(c, LCC_EINVAL, "invalid audio (%u ch, %llu frames, %u-bit)", a->channels,
                         (unsigned long long)a->frames, a->bit_depth);
    const uint64_t n = a->frames * a->channels;
    double sig = 0, noise = 0;
    for (uint64_t i = 0; i < n;) {
        double ps = 0, pn = 0;
        const uint64_t end = n - i > BLOCK ? i + BLOCK : n;
        for (; i < end; i++) {
            const double x = a->data[i], d = (double)((int64_t)a->data[i] - b->data[i]);
            ps += x * x;
            pn += d * d;
        }
        sig += ps;
        noise += pn;
    }
    if (noise <= 0)
        *snr = INFINITY;
    else
        *snr = sig > 0 ? 10.0 * log10(sig / noise) : -INFINITY;

    double v[LCC_MAX_AUDIO_CHANNELS];
    size_t nv = 0;
    for (uint32_t ch = 0; ch < a->channels; ch++) {
        int defined;
        const double x = channel_si_sdr(a->data + ch, b->data + ch, a->frames, a->channels, &defined);
        if (defined)
            v[nv++] = x;
    }
    if (nv)
        *si_sdr = mean_capped(v, nv);
    else
        *si_sdr = noise <= 0 ? INFINITY : NAN;
    return LCC_OK;
}

/* ---- entry point ------------------------------------------------------- */

static lcc_status check_image_pair(LccContext *const c, const LccImage *const a, const LccImage *const b)
{
    if (a->width != b->width || a->height != b->height || a->channels != b->channels ||
        a->bit_depth != b->bit_depth)
        return lcc_error(c, LCC_EINVAL, "image geometries differ: %ux%u, %u channels, %u-bit vs %ux%u, "
                         "%u channels, %u-bit", a->width, a->height, a->channels, a->bit_depth, b->width,
                         b->height, b->channels, b->bit_depth);
    const LccMedia m = { .modality = LCC_MODALITY_IMAGE, .image = *a };
    const LccLimits any = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
    if (lcc_media_check(&m, &any) || !a->data || !b->data)
        return lcc_error(c, LCC_EINVAL, "invalid image (%ux%u, %u channels, %u-bit)", a->width, a->height,
                         a->channels, a->bit_depth);
    return LCC_OK;
}

lcc_status lcc_compare(LccContext *const c, const LccMedia *const ref, const LccMedia *const test,
                       LccQuality *const q)
{
    if (!q)
        return lcc_error(c, LCC_EINVAL, "compare: no output");
    *q = (LccQuality){ .psnr = NAN, .psnr_y = NAN, .psnr_u = NAN, .psnr_v = NAN, .ms_ssim = NAN,
                       .snr = NAN, .si_sdr = NAN, .max_abs_error = NAN, .samples = 0 };
    if (!ref || !test)
        return lcc_error(c, LCC_EINVAL, "compare: missing input");
    if (ref->modality != test->modality)
        return lcc_error(c, LCC_EINVAL, "compare: %s against %s", lcc_modality_name(ref->modality),
                         lcc_modality_name(test->modality));
    lcc_status err = LCC_OK;
    switch (ref->modality) {
    case LCC_MODALITY_IMAGE:
        if (!(err = check_image_pair(c, &ref->image, &test->image)))
            compare_image(c, &ref->image, &test->image, q, &err);
        break;
    case LCC_MODALITY_VIDEO:
        if (!(err = check_video_pair(c, &ref->video, &test->video, 0)))
            err = compare_video(c, &ref->video, &test->video, q);
        break;
    case LCC_MODALITY_AUDIO: {
        const LccAudio *const a = &ref->audio, *const b = &test->audio;
        if ((err = lcc_audio_snr(c, a, b, &q->snr, &q->si_sdr)))
            break;
        const uint64_t n = a->frames * a->channels;
        int64_t m = 0;
        for (uint64_t i = 0; i < n; i++) {
            const int64_t d = (int64_t)a->data[i] - b->data[i];
            const int64_t ad = d < 0 ? -d : d;
            if (ad > m)
                m = ad;
        }
        q->max_abs_error = (double)m;
        q->samples = n;
        break;
    }
    default:
        err = lcc_error(c, LCC_EINVAL, "compare: no media (modality %d)", (int)ref->modality);
        break;
    }
    if (err) {
        const LccQuality none = { .psnr = NAN, .psnr_y = NAN, .psnr_u = NAN, .psnr_v = NAN, .ms_ssim = NAN,
                                  .snr = NAN, .si_sdr = NAN, .max_abs_error = NAN, .samples = 0 };
        *q = none;
    }
    return err;
}

lcc_status lcc_compare_frame(LccContext *const c, const LccMedia *const ref, const LccMedia *const test,
                             const uint32_t frame, LccQuality *const q)
{
    if (!q)
        return lcc_error(c, LCC_EINVAL, "compare: no output");
    if (ref && test && ref->modality == LCC_MODALITY_IMAGE && test->modality == LCC_MODALITY_IMAGE && !frame)
        return lcc_compare(c, ref, test, q);
    *q = (LccQuality){ .psnr = NAN, .psnr_y = NAN, .psnr_u = NAN, .psnr_v = NAN, .ms_ssim = NAN,
                       .snr = NAN, .si_sdr = NAN, .max_abs_error = NAN, .samples = 0 };
    if (ref && ref->modality == LCC_MODALITY_IMAGE)
        return lcc_error(c, LCC_EINVAL, "compare: frame %u of an image", frame);
    if (!ref || !test || ref->modality != LCC_MODALITY_VIDEO || test->modality != LCC_MODALITY_VIDEO)
        return lcc_error(c, LCC_EINVAL, "compare: per-frame quality needs two videos (or images)");
    LccFrameQuality fq;
    const lcc_status err = lcc_video_frame_quality(c, &ref->video, &test->video, frame, 1, &fq);
    if (err)
        return err;
    q->psnr = fq.psnr_yuv;
    q->psnr_y = fq.psnr_y;
    q->psnr_u = fq.psnr_u;
    q->psnr_v = fq.psnr_v;
    q->ms_ssim = fq.ms_ssim_y;
    q->max_abs_error = fq.max_abs_error;
    q->samples = lcc_video_frame_samples(&ref->video);
    return LCC_OK;
}
