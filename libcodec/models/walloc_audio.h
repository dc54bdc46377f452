/* The wavelet-ae (WaLLoC) audio model graph, shared by its encoder, decoder
 * and trainer. One mono model; every audio channel goes through it on its
 * own (models/MODELS.md says why).
 *
 *   x (one channel, floats in [-1, 1)) --1D WPT, J levels--> X (2^J bands at 1/2^J)
 *   analysis:  y = g_q * (A X + a)              A: 1x1 linear, L x 2^J
 *   quantize:  y^ = round(y)                    (training: noise / STE)
 *   synthesis: X^ = S y' + s + D(y'),  y' = y^ * exp(ilog_q)
 *              S: 1x1 linear, D: 1x1 -> residual blocks of two k=3
 *              convolutions along time -> 1x1 (last layer starts at 0)
 *   x^ = WPT^-1(X^)
 * Tensors are [n, channels, 1, frames] (NCW as NCHW with H = 1).
 *
 * Parameters (names in the weight file): "ana.w" [L, K], "ana.b" [L],
 * "syn.w" [K, L], "syn.b" [K], "gain.log" [Q, L], "gain.ilog" [Q, L], the
 * decoder network D ("0.w", ...), "prior.<q>" [L, per-channel] (training
 * only), and "cdf.<q>" (int8: the integer CDF bank of quality q). */
#ifndef LCC_MODELS_WALLOC_AUDIO_H
#define LCC_MODELS_WALLOC_AUDIO_H

#include <math.h>

#include "libcodec/nn/nn.h"

#define WAUDIO_MAX_QUALITIES 16
#define WAUDIO_QUALITIES 8
#define WAUDIO_MODEL_FILE "wavelet-ae-audio.lccw"
#define WAUDIO_CONFIG_FIELDS 6

typedef struct WaudioConfig {
    int levels;         /* J (bands K = 2^J) */
    int latent;         /* L */
    int hidden;         /* width of D */
    int blocks;         /* residual blocks of D */
    int qualities;      /* Q */
    int prior_params;   /* parameters per latent channel of one prior (0: none) */
} WaudioConfig;

typedef struct WaudioNet {
    WaudioConfig cfg;
    int bands;                      /* K = 2^levels */
    LccNet net;                     /* root = D; owns every parameter */
    LccParam *ana_w, *ana_b, *syn_w, *syn_b, *loggain, *ilog;
    LccParam *prior[WAUDIO_MAX_QUALITIES];
    LccTensor ys;                   /* last synthesis input (y^ * inverse gain) */
} WaudioNet;

/* The shipped model: J = 8 (256 bands), 256 latent channels (critically sampled: see models/MODELS.md), D of width 96
 * with 2 residual blocks, 8 quality levels. */
extern const WaudioConfig waudio_default_config;

lcc_status waudio_init(WaudioNet *m, const WaudioConfig *cfg, uint64_t seed);
void waudio_free(WaudioNet *m);

/* X [n, K, 1, T] -> y [n, L, 1, T] (arena), gains of quality q applied. */
lcc_status waudio_analysis(LccNn *nn, WaudioNet *m, const LccTensor *X, int q, LccTensor *y);
lcc_status waudio_analysis_backward(LccNn *nn, WaudioNet *m, const LccTensor *X, const LccTensor *y, int q,
                                    const LccTensor *dy);
/* y^ [n, L, 1, T] -> X^ [n, K, 1, T] (arena). */
lcc_status waudio_synthesis(LccNn *nn, WaudioNet *m, const LccTensor *yq, int q, LccTensor *Xh, int training);
lcc_status waudio_synthesis_backward(LccNn *nn, WaudioNet *m, const LccTensor *yq, int q, const LccTensor *dXh,
                                     LccTensor *dyq);

/* Add "config" (int32 [6]: levels, latent, hidden, blocks, qualities,
 * prior_params) and every parameter to w. */
void waudio_write(const WaudioNet *m, LccwWriter *w);
/* Build m from a weight file (validated); cdf[q], cdf_size[q] are slices
 * of data. LCC_EMODEL with the reason on mismatch. */
lcc_status waudio_load(LccContext *c, WaudioNet *m, const uint8_t *data, size_t size, uint8_t id[32],
                       const uint8_t **cdf, size_t *cdf_size);

/* Framing of an audio stream (SPEC.md §3.3), S = segment, O = overlap:
 * chunk k (k = 0 .. ceil((frames + O) / S) - 1) codes, on its own (its own
 * transform and rANS stream), the samples [max(0, kS - O), E_k) with
 * E_k = min((k + 1) S + O, frames + WAUDIO_TAIL), samples past the end of
 * the signal being zeros. The decoder takes chunk k alone on
 * [kS + O, (k + 1) S - O) and cross-fades chunks k - 1 and k linearly on
 * [kS - O, kS + O). Zeros past the end (rather than a symmetric edge) make
 * a stream cut anywhere code like the same samples followed by silence,
 * which is what a streaming filter (the LADSPA plugin) sees when it is
 * flushed: the two give the same samples. */
#define WAUDIO_SEGMENT_FRAMES 1024      /* latent frames per segment (5.9 s at 44.1 kHz) */
#define WAUDIO_OVERLAP 1024             /* samples on each side of a segment boundary */
#define WAUDIO_SQRT_HALF 0.70710678f     /* stereo mid/side (SPEC.md §3.3) */
#define WAUDIO_TAIL 8192                /* zeros coded past the end (>= 2 * overlap) */
#define WAUDIO_MAX_SEGMENT (1u << 22)

static inline uint64_t waudio_chunk_count(const uint64_t frames, const uint32_t segment, const uint32_t overlap)
{
    return (frames + overlap + segment - 1) / segment;
}

/* Coded samples [*s0, *s1) of chunk k (those >= frames are zeros). */
static inline void waudio_chunk_range(const uint64_t frames, const uint32_t segment, const uint32_t overlap,
                                      const uint64_t k, uint64_t *const s0, uint64_t *const s1)
{
    const uint64_t a = k * segment, b = a + segment + overlap, e = frames + WAUDIO_TAIL;
    *s0 = a > overlap ? a - overlap : 0;
    *s1 = b < e ? b : e;
}

/* Symbols of the analysis output (round, clamped to +-1e6). */
static inline int32_t waudio_symbol(const float v)
{
    const float r = roundf(v);
    return (int32_t)(r > 1e6f ? 1e6f : r < -1e6f ? -1e6f : r);
}

/* Stereo mode of a chunk, x = 2 planes of n samples (SPEC.md §3.3): 1
 * (mid/side) when the side carries under 5% of the mid's energy — nearly
 * mono content, where M/S codes the pair in fewer bits — else 0 (left/
 * right: on wider images M/S won little or lost at high rates). */
int waudio_stereo_mode(const float *x, int n);
/* (l, r) -> ((l + r) h, (l - r) h), h = WAUDIO_SQRT_HALF, in place: an
 * orthonormal map, its own inverse (so also mid/side -> left/right). */
void waudio_mid_side(float *x, int n);

#endif /* LCC_MODELS_WALLOC_AUDIO_H */
