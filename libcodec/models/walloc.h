/* The wavelet-ae (WaLLoC) model graph, shared by its encoder, decoder and
 * trainer. Around it (in encoders/ and decoders/): the wavelet-packet
 * transform and the entropy model.
 *
 *   x (C planes) --WPT, J levels--> X (C*4^J bands at 1/2^J)
 *   analysis:  y = g_q * (A X + a)              A: 1x1 linear, L x C*4^J
 *   quantize:  y^ = round(y)                    (training: noise / STE)
 *   synthesis: X^ = S y' + s + D(y'),  y' = y^ / g_q
 *              S: 1x1 linear (initialised as A's pseudo-inverse),
 *              D: 1x1 -> residual 3x3 blocks -> 1x1 (last layer starts at 0)
 *   x^ = WPT^-1(X^)
 * g_q = exp(loggain[q]) is a per-channel gain of quality level q (one
 * network for every rate; Cui et al.'s gain units). The decoder's input
 * is scaled by the inverse gain exp(-loggain[q] + ilogadj[q]).
 *
 * Nonlinear analysis (ana_n = E > 0): y = g_q * (A X + a + an(X)), an:
 * 1x1 K->E, GELU, 3x3 E->E, GELU, 3x3 E->E, GELU, 1x1 E->L (the last layer
 * starts at 0, so a model grown from a linear-analysis one starts as it).
 * Only the encoder runs it ("an.*" in the weight file); decoders ignore it.
 *
 * Post-filter (post_n = F > 0): the decoded image x^ = WPT^-1(X^) (C
 * planes, full resolution, zero outside the image) becomes x^ + pf(x^),
 * pf: 3x3 C->F, leaky ReLU 1/8, 3x3 F->F, leaky ReLU 1/8, 3x3 F->C (the
 * last layer starts at 0, so a model grown from one without it starts as
 * that model). It is nonlinear processing at the pixels' resolution,
 * which D, at 1/2^J of it, lacks. Float, like D ("pf.*" in the weight
 * file); leaky ReLU, not GELU: erf at every pixel would cost more than the
 * convolutions.
 *
 * Parameters (names in the weight file): "ana.w" [L, K], "ana.b" [L],
 * "syn.w" [K, L], "syn.b" [K], "gain.log" [Q, L], "gain.ilog" [Q, L],
 * the decoder network D ("0.w", ...), and, for the trainer and the
 * exported entropy tables, "prior.<q>" [L, per-channel] (opaque here).
 *
 * Hyperprior models (hyper_m > 0; Balle et al. 2018 with Minnen's mean and
 * scale): y^ is coded with a Gaussian conditional whose mean and scale
 * come from side information z at 1/4 of the latent's resolution:
 *   hyper-analysis  z = ha(y): 3x3 L->N, 5x5/2 N->N, 5x5/2 N->M
 *   hyper-synthesis (mu, ln sigma) = hs(z^): 5x5/2^T M->N, 5x5/2^T N->N,
 *                   3x3 N->2L (leaky ReLU, slope 1/8, between layers)
 * z^ = round(z) is coded with the factorized priors ("prior.<q>" then has
 * M channels); y^ = mu + round(y - mu). The logarithm of the scale
 * trains far better than the scale (Adam's steps are additive, and the
 * scales of the channels span 1/10 to 100). hs runs on the integer path
 * (qnn.h) for coding, so mu and the scale index are bit-identical on every
 * machine: the weight file carries it as "hsq.*" in place of the float
 * "hs.*" parameters, which only the trainer keeps.
 *
 * Checkerboard context models (ctx_n > 0, He et al. 2021): the latent
 * positions (i + j even: anchors; odd: the rest) are coded in two passes.
 * Anchors use hs's (mu, ln sigma); the others add to them what the context
 * network cx sees of the anchors' coded residuals r = y^ - mu (integers;
 * 0 at the other positions):
 *   (d mu, d ln sigma) = cx(r): 5x5 L->C, 1x1 C->C, 1x1 C->2L
 * (leaky ReLU 1/8 between layers; the last layer starts at 0, so a model
 * initialised from a hyperprior model starts as that model). cx runs on
 * the integer path like hs ("cxq.*" in the weight file).
 *
 * Channel-slice context models (ctx_slices = S > 0; Minnen & Singh 2020's
 * channel context inside He et al. 2021's checkerboard, as in ELIC and
 * S2LIC): the L channels form S slices of P = L / S. The anchors are coded
 * first, slice after slice, then the other positions, slice after slice:
 * 2S passes; pass p codes slice p mod S, at the anchors if p < S. Before a
 * pass, slice k is known at the anchors if p >= S or k < p, and at the
 * other positions if p >= S and k < p - S. So every symbol sees at least
 * what the checkerboard model showed it (all anchors, for the second
 * half), and more: the earlier slices. A pass's means and log scales are
 * hs's plus cx's:
 *   input: S mask planes (plane k: 1 where slice k is known), then the L
 *          channels of e = y^ - mu_hs where known, 0 elsewhere (mu_hs:
 *          hs's mean; e is the residual r, plus cx's mean correction once
 *          the pass has one)
 *   (d mu, d ln sigma) = cx(input): 5x5 (S + L)->C, 1x1 C->C, 1x1 C->2L
 * Only the outputs of pass p's channels and positions are used; the
 * anchor passes skip the input channels of the slices not yet coded (zero:
 * skipping them changes no integer sum). A model can start from a
 * checkerboard model: its cx, with the weights of the new inputs at 0,
 * is that model's context for the second half. */
#ifndef LCC_MODELS_WALLOC_H
#define LCC_MODELS_WALLOC_H

#include "libcodec/nn/nn.h"
#include "libcodec/nn/qnn.h"

#define WALLOC_MAX_QUALITIES 16

typedef struct WallocConfig {
    int channels;       /* image planes coded (3: RGB) */
    int levels;         /* J */
    int latent;         /* L */
    int hidden;         /* width of D */
    int blocks;         /* residual blocks of D */
    int qualities;      /* Q */
    int prior_params;   /* parameters per channel of one factorized prior (0: none) */
    int hyper_n;        /* hyperprior width N (0: factorized-prior model) */
    int hyper_m;        /* hyperprior latent channels M (0: none) */
    int ctx_n;          /* checkerboard context network width C (0: none) */
    int ctx_slices;     /* channel slices S of the context (0: checkerboard only) */
    int ana_n;          /* width E of the nonlinear analysis an (0: linear analysis) */
    int post_n;         /* width F of the full-resolution post-filter pf (0: none) */
} WallocConfig;

typedef struct WallocNet {
    WallocConfig cfg;
    int bands;                      /* K = channels * 4^levels */
    LccNet net;                     /* root = D; owns every parameter */
    LccParam *ana_w, *ana_b, *syn_w, *syn_b, *loggain, *ilog;
    LccParam *prior[WALLOC_MAX_QUALITIES];
    LccTensor ys;                   /* last training synthesis: y^ * inverse gain */
    LccSeq *ha, *hs, *cx;           /* hyperprior and context networks (float; hs, cx:
                                       trainer only) */
    LccSeq *an;                     /* nonlinear analysis (encoder side), or NULL */
    LccSeq *pf;                     /* post-filter (decoder side), or NULL */
    LccQNet hsq, cxq;               /* integer hs and cx of a loaded model */
} WallocNet;

/* The shipped image models: RGB, J = 3 (192 bands at 1/8 resolution),
 * 64 latent channels, D of width 96 with 2 residual blocks; factorized
 * prior (syntax 1, 8 levels) and hyperprior N = 64, M = 32 (syntax 2, 10
 * levels: two lower rates, then the factorized model's 8; the encoder's
 * default when installed). */
#define WALLOC_QUALITIES 8
#define WALLOC_HP_QUALITIES 10
#define WALLOC_IMAGE_MODEL_FILE "wavelet-ae-image.lccw"
#define WALLOC_IMAGE_HP_MODEL_FILE "wavelet-ae-image-hp.lccw"
#define WALLOC_IMAGE_CB_MODEL_FILE "wavelet-ae-image-cb.lccw"
/* The second checkerboard model (same syntax 3 and decoder graph; its
 * encoder adds the nonlinear analysis an). */
#define WALLOC_IMAGE_CB2_MODEL_FILE "wavelet-ae-image-cb2.lccw"
/* The third (same syntax 3): cb2's graph plus the decoder's post-filter
 * pf (post_n = 16). */
#define WALLOC_IMAGE_CB3_MODEL_FILE "wavelet-ae-image-cb3.lccw"
/* The fourth (same syntax 3 and graph as cb3, trained longer). */
#define WALLOC_IMAGE_CB4_MODEL_FILE "wavelet-ae-image-cb4.lccw"
#define WALLOC_IMAGE_CS_MODEL_FILE "wavelet-ae-image-cs.lccw"
extern const WallocConfig walloc_image_config;
extern const WallocConfig walloc_image_hp_config;
extern const WallocConfig walloc_image_cb_config;
extern const WallocConfig walloc_image_cs_config;
/* The rate-distortion trade-offs the shipped models were trained with, by
 * quality index (loss = bpp + lambda 255^2 MSE): factorized; hyperprior
 * and context models. */
extern const float walloc_lambdas[WALLOC_QUALITIES];
extern const float walloc_hp_lambdas[WALLOC_HP_QUALITIES];
/* Fractional bits of hs's and cx's outputs in context models. */
#define WALLOC_MAX_FRAC 15
/* Hyperprior geometry: z is at 1/4 of the latent's resolution. */
#define WALLOC_HYPER_DOWN 4

/* Build the graph with freshly initialised parameters (seeded). */
lcc_status walloc_init(WallocNet *m, const WallocConfig *cfg, uint64_t seed);
void walloc_free(WallocNet *m);

/* Analysis of a batch: X [n, K, h, w] -> y [n, L, h, w] (arena), with the
 * gain of quality q applied; training keeps what backward needs. */
lcc_status walloc_analysis(LccNn *nn, WallocNet *m, const LccTensor *X, int q, LccTensor *y, int training);
/* Gradients of the analysis given dy (accumulates into the parameters);
 * X and y are the forward's input and output. */
lcc_status walloc_analysis_backward(LccNn *nn, WallocNet *m, const LccTensor *X, const LccTensor *y, int q,
                                    const LccTensor *dy);
/* Synthesis: y^ [n, L, h, w] (quantized values) -> X^ [n, K, h, w]
 * (arena). training keeps what backward needs. */
lcc_status walloc_synthesis(LccNn *nn, WallocNet *m, const LccTensor *yq, int q, LccTensor *Xh, int training);
/* Backward of the last training synthesis: dXh -> parameter gradients and
 * d(loss)/d(y^) into *dyq (arena). */
lcc_status walloc_synthesis_backward(LccNn *nn, WallocNet *m, const LccTensor *yq, int q, const LccTensor *dXh,
                                     LccTensor *dyq);
/* The post-filter on decoded images x [n, C, H, W]: x += pf(x) in place
 * (nothing without one); training keeps what backward needs. */
lcc_status walloc_post(LccNn *nn, WallocNet *m, LccTensor *x, int training);
/* The same for one decoded image of C planes of w x h floats (in place),
 * in strips of `rows` output rows (0: a default) so that its memory is
 * bounded by the strips', not the image's; bit-identical to walloc_post.
 * It resets nn's arena (the caller keeps nothing there). */
lcc_status walloc_post_image(LccNn *nn, WallocNet *m, float *x, int w, int h, int rows);
/* Its backward after a training walloc_post: dx, d(loss)/d(output),
 * becomes d(loss)/d(input) in place; the parameter gradients accumulate. */
lcc_status walloc_post_backward(LccNn *nn, WallocNet *m, LccTensor *dx);

/* Hyperprior: z = ha(y) (float; the encoder's side) for y [n, L, h, w]
 * -> [n, M, ceil(h/4), ceil(w/4)]; training keeps what backward needs. */
lcc_status walloc_hyper_analysis(LccNn *nn, WallocNet *m, const LccTensor *y, LccTensor *z, int training);
/* Mean and scale of y^ from z^ with the integer hs (encoder and decoder):
 * z^ [M, zh, zw] integers (saturated to the network's input range), output
 * [L, h, w]: mu (floats, exact multiples of 2^-f) and ln sigma in fixed
 * point, logscale / 2^frac (for lcc_log_scale_index_fixed, gaussian.h). */
lcc_status walloc_hyper_params(LccNn *nn, const WallocNet *m, const int32_t *zq, int zh, int zw, int h, int w,
                               float *mu, int32_t *logscale, int *frac);

/* Checkerboard models: the anchors' symbols r (L x h x w; only anchor
 * positions are read) through the integer cx update the means and log
 * scales of every non-anchor position: mu (floats, as from
 * walloc_hyper_params) += cx's mean output, and logscale / 2^frac +=
 * its log-scale output, every logscale then at the new *frac = max(frac,
 * cx's fractional bits) (integer sums, SPEC.md §3.2; the loader keeps both
 * networks' output bits in 0..15, so the sums fit in int32). */
lcc_status walloc_context_params(LccNn *nn, const WallocNet *m, const int32_t *r, int h, int w, float *mu,
                                 int32_t *logscale, int *frac);
/* Anchor (1) or not (0): the first pass of the checkerboard. */
static inline int walloc_is_anchor(int i, int j)
{
    return !((i + j) & 1);
}
/* The same for offset o of a latent of planes of `plane` = h * w values. */
static inline int walloc_is_anchor_at(size_t o, size_t plane, int w)
{
    const size_t p = o % plane;
    return walloc_is_anchor((int)(p / (size_t)w), (int)(p % (size_t)w));
}
/* The stream syntax of a model's streams (SPEC.md §3.2): 1 factorized, 2
 * hyperprior, 3 checkerboard, 4 channel slices. */
static inline int walloc_syntax(const WallocConfig *const cfg)
{
    return cfg->ctx_slices ? 4 : cfg->ctx_n ? 3 : cfg->hyper_m ? 2 : 1;
}
/* Coding passes of the latent: 1 (factorized and hyperprior models), 2
 * (checkerboard), 2 S (channel slices). */
static inline int walloc_passes(const WallocConfig *const cfg)
{
    return cfg->ctx_slices ? 2 * cfg->ctx_slices : cfg->ctx_n ? 2 : 1;
}
/* Offsets of pass p's positions in the L x h x w latent of a context
 * model (slice p mod S; the anchors if p < S, else the others; S = 1 for
 * checkerboard models), in coding order (channel, row, column), into pos
 * (room for L * h * w); returns their count. */
size_t walloc_pass_positions(const WallocConfig *cfg, int h, int w, int pass, size_t *pos);

/* Channel-slice models: raise the log scales (n values at *frac
 * fractional bits) to the precision of the sums with cx's output, *frac =
 * max(*frac, cx's fractional bits), before the passes add to them. */
lcc_status walloc_context_begin(const WallocNet *m, int32_t *logscale, size_t n, int *frac);
/* Channel-slice models: is slice k known at an anchor (anchor = 1) or
 * other position before pass p? */
static inline int walloc_slice_known(const WallocConfig *const cfg, const int pass, const int k, const int anchor)
{
    const int S = cfg->ctx_slices;
    return anchor ? pass >= S || k < pass : pass >= S && k < pass - S;
}
/* Channel-slice models, pass p: cx on e = yhat - mu_hs (L x h x w each;
 * read only where the passes before p coded them; mu_hs: hs's means) adds
 * to mu and logscale (at frac, from walloc_context_begin) at pass p's
 * positions (SPEC.md §3.2). */
lcc_status walloc_context_pass(LccNn *nn, const WallocNet *m, const float *yhat, const float *mu_hs, int h, int w,
                               int pass, float *mu, int32_t *logscale, int frac);

/* Weight files (*.lccw): "config" (int32 [13]: channels, levels, latent,
 * hidden, blocks, qualities, prior_params, hyper_n, hyper_m, ctx_n,
 * ctx_slices, ana_n, post_n; files of factorized models may have the first
 * 7 only, of hyperprior models without context the first 9, of
 * checkerboard models the first 10, of models with a linear analysis the
 * first 11, of models without a post-filter the first 12), every parameter (float32; for hyperprior
 * models without "hs.*" and "cx.*" and with the integer "hsq.*" and
 * "cxq.*" instead), and "cdf.<q>" (int8, the serialised integer CDF bank
 * of quality q, opaque here: entropy/cdf.h reads it). */
#define WALLOC_CONFIG_FIELDS 13

/* Add the config and every parameter of m to w; hsq and cxq (hyperprior
 * and context models) are the quantized hs and cx written in place of
 * their float parameters. */
void walloc_write(const WallocNet *m, const LccQNet *hsq, const LccQNet *cxq, LccwWriter *w);
/* Build m from a weight file (validated: sha256, names, shapes); the
 * entropy tables' bytes are returned as slices of data (which must
 * outlive their use): cdf[q], cdf_size[q] for q < m->cfg.qualities.
 * id receives the model id. LCC_EMODEL with the reason on mismatch. */
lcc_status walloc_load(LccContext *c, WallocNet *m, const uint8_t *data, size_t size, uint8_t id[32],
                       const uint8_t **cdf, size_t *cdf_size);

/* An installed model, loaded: the weight file (the entropy tables are
 * slices of it), the network and the model id. */
typedef struct WallocModel {
    uint8_t *file;
    size_t size;
    WallocNet net;
    uint8_t id[32];
    const uint8_t *cdf[WALLOC_MAX_QUALITIES];
    size_t cdf_size[WALLOC_MAX_QUALITIES];
    int cached; /* owned by the context's model cache */
} WallocModel;

/* The model installed as file `name`, or (name NULL) the one whose id
 * starts with the 8 bytes id. Loaded once per context and kept until
 * lcc_close (with c NULL, for this call only). The network is shared by
 * the calls on c: use it, do not change it. Release with
 * walloc_model_release. */
lcc_status walloc_model_open(LccContext *c, const char *name, const uint8_t *id, WallocModel **out);
void walloc_model_release(WallocModel *m);

#endif /* LCC_MODELS_WALLOC_H */
