/* Quality metrics (DESIGN.md §8): PSNR, MS-SSIM, SNR, SI-SDR.
 *
 * lcc_compare() (lcc.h) is the public entry point; this internal header
 * gives the building blocks to the rest of the library (encoders' rate
 * control, the sweep, per-frame video reports).
 *
 * Conventions shared by every function here:
 * - PSNR = 10 log10(peak^2 / MSE), peak = 2^bit_depth - 1. MSE 0 gives
 *   +INFINITY. Squared integer differences are summed exactly in uint64.
 * - MS-SSIM follows pytorch_msssim (the implementation CompressAI reports
 *   with): 11-tap Gaussian window, sigma 1.5, normalised to sum 1, applied
 *   separably with no padding ("valid": a W x H plane gives a
 *   (W-10) x (H-10) map); K1 = 0.01, K2 = 0.03, data range = peak; 5 scales
 *   with weights 0.0448, 0.2856, 0.3001, 0.2363, 0.1333; between scales a
 *   2x2 average pool that, along a dimension of odd size, pads one zero on
 *   each side and counts it in the average (PyTorch avg_pool2d with
 *   padding = size % 2, count_include_pad); the contrast-structure terms of
 *   scales 1..4 and the SSIM of scale 5 are clipped at 0 (ReLU) before
 *   they are raised to their weights. Multi-channel images: MS-SSIM per
 *   channel, then the mean over channels.
 * - Small planes: pytorch_msssim refuses planes whose short side is
 *   <= 160. Here the number of scales is the largest L <= 5 such that the
 *   plane at scale L is still at least 11 samples on each side (161 px for
 *   5 scales, 81 for 4, 41 for 3, 21 for 2, 11 for 1); the first L weights
 *   are used, renormalised to sum 1. Planes smaller than 11 on either side
 *   have no MS-SSIM: the result is NAN (never a read out of bounds).
 *   Values from fewer than 5 scales are not comparable with 5-scale ones.
 */
#ifndef LCC_METRICS_H
#define LCC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/internal.h"

#define LCC_MSSSIM_WINDOW 11
#define LCC_MSSSIM_MAX_SCALES 5

/* The value a PSNR/SNR of +INFINITY (an identical frame, plane or audio
 * channel) counts as when it is averaged with finite values (video frames,
 * audio channels), as x264 and libvpx do. When every averaged value is
 * infinite, the mean is +INFINITY. */
#define LCC_METRICS_INF_CAP_DB 100.0

/* 10 log10(peak^2 / mse); +INFINITY for mse == 0. */
double lcc_psnr_from_mse(double mse, double peak);

/* Exact sum of squared differences and the largest absolute difference of
 * n samples taken every `step` samples from a and b. */
uint64_t lcc_sse_u16(const uint16_t *a, const uint16_t *b, size_t n, size_t step, uint32_t *max_abs);

/* A plane of samples: sample (x, y) is data[y * stride + x * step]. One of
 * u16/f32 is set. Float planes hold values on the same scale as the peak
 * (e.g. 0..255 for 8-bit), not 0..1. */
typedef struct LccPlane {
    const uint16_t *u16;
    const float *f32;
    uint32_t width, height;
    size_t stride;    /* samples between rows */
    size_t step;      /* samples between columns (channels of an interleaved image) */
} LccPlane;

/* Number of scales MS-SSIM uses for a w x h plane (see above), 0 if the
 * plane is too small to have an MS-SSIM. */
int lcc_ms_ssim_scales(uint32_t width, uint32_t height);

/* MS-SSIM of two planes of the same size with data range `peak`. *out is
 * NAN if the plane is too small. LCC_EINVAL if the sizes differ, LCC_ENOMEM.
 * Memory: 0.63 floats per sample (the pyramid) plus 70 doubles per column.
 * Runs on the calling thread; c may be NULL (no message). */
lcc_status lcc_ms_ssim_plane(LccContext *c, const LccPlane *ref, const LccPlane *test, double peak,
                             double *out);

/* A pool of at most `tasks` threads as the settings of c ask (threads, 0 =
 * all cores), or NULL (run on the caller) for one thread or on failure.
 * Free with lcc_pool_free. */
struct LccThreadPool;
struct LccThreadPool *lcc_metrics_pool(const LccContext *c, int tasks);

/* MS-SSIM of images with channels interleaved (1..4, alpha ignored as in
 * lcc_compare): the mean of the per-channel values over the gray or RGB
 * channels. */
lcc_status lcc_ms_ssim_image(LccContext *c, const LccImage *ref, const LccImage *test, double *out);

/* Quality of one video frame. PSNR values are uncapped (+INFINITY for an
 * identical plane); U and V are NAN for LCC_CHROMA_400, where psnr_yuv is
 * psnr_y. psnr_yuv = (6 Y + U + V) / 8 over the values capped at
 * LCC_METRICS_INF_CAP_DB, +INFINITY if the three planes are identical. */
typedef struct LccFrameQuality {
    double psnr_y, psnr_u, psnr_v;
    double psnr_yuv;
    double ms_ssim_y;       /* NAN unless requested (and for tiny frames) */
    double mse[3];          /* Y, U, V (U, V 0 for 4:0:0) */
    uint32_t max_abs_error; /* over the three planes */
} LccFrameQuality;

/* Per-frame PSNR of Y, U, V (out[0..2], uncapped, NAN for absent chroma)
 * of frame `frame` of two videos of the same geometry. LCC_EINVAL on a
 * geometry mismatch or a frame out of range. */
lcc_status lcc_video_frame_psnr(const LccVideo *ref, const LccVideo *test, uint32_t frame, double out[3]);

/* Everything of one frame; with_ms_ssim = 0 skips the (slower) MS-SSIM. */
lcc_status lcc_video_frame_quality(LccContext *c, const LccVideo *ref, const LccVideo *test, uint32_t frame,
                                   int with_ms_ssim, LccFrameQuality *q);

/* lcc_compare_frame (per-frame quality through the public types) is
 * declared in include/lcc/lcc.h. */

/* SNR and SI-SDR (dB) of interleaved audio. SNR over all channels:
 * 10 log10(sum ref^2 / sum (ref - test)^2). SI-SDR per channel on
 * zero-mean signals, averaged over the channels whose reference is not
 * constant (an identical channel counts LCC_METRICS_INF_CAP_DB unless all
 * are identical: +INFINITY); NAN if every reference channel is constant
 * and the signals differ. A test channel with no component along its
 * reference (e.g. constant) has SI-SDR -INFINITY, and so has the mean.
 * SNR is +INFINITY for identical signals, -INFINITY for a silent
 * reference and a non-silent difference. */
lcc_status lcc_audio_snr(LccContext *c, const LccAudio *ref, const LccAudio *test, double *snr,
                         double *si_sdr);

#endif /* LCC_METRICS_H */
