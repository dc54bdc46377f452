/* Encoder-side latent refinement of the wavelet-ae hyperprior and context
 * models (encoders/walloc_refine.c). */
#ifndef LCC_ENCODERS_WALLOC_REFINE_H
#define LCC_ENCODERS_WALLOC_REFINE_H

#include "entropy/cdf.h"
#include "libcodec/models/walloc.h"
#include "wavelet/wavelet.h"

typedef struct WallocRefine {
    WallocNet *net;             /* a hyperprior model (with or without context) */
    LccNn *nn;                  /* its arena is reset by every step */
    const WaveletSpec *spec;    /* the image's transform (3 planes) */
    void *ws;                   /* its workspace */
    const float *x;             /* the image: 3 planes in [-1/2, 1/2] */
    int q;                      /* quality index, 0-based */
    float lambda;               /* the quality's rate-distortion trade-off */
    float lr;                   /* Adam's first step size (latent units) */
    int mh, mw;                 /* latent size */
    const float *mu;            /* hs's means, L x mh x mw */
    const int32_t *logscale;    /* hs's log scales, at frac fractional bits */
    int frac;
    const LccCdfBank *gbank;    /* the Gaussian tables */
    const struct WallocRdo *rd; /* the rounding of the symbols (NULL: nearest) */
} WallocRefine;

/* Rate-distortion rounding: the Gaussian tables and, per latent channel,
 * the distortion in bits of a unit error of a symbol (lambda 255^2 times
 * the squared error it makes in the image, per pixel and plane). */
/* The scale of the distortion estimate that the held-out photos favoured:
 * on 12 BSDS500 test photos (not Kodak), with wavelet-ae-image-cb2.lccw,
 * BD-rate against nearest rounding -0.65%, -1.32%, -1.47%, -1.37%, -1.13%
 * at 2, 3, 4.5, 6.5, 10 (1: +2.5%, worse). The estimate leaves out D and
 * what a symbol changes in the context of the others; rounding as if a
 * unit error cost 4.5 times more keeps the choices to those that pay. */
#define WALLOC_RDOQ_BETA 4.5

struct WallocRdo {
    const LccCdfBank *gbank;
    const float *kw;
    uint32_t *start;            /* per table: its first entry of bits */
    float *bits;                /* the cost of every regular value of every table */
};
typedef struct WallocRdo WallocRdo;
/* The cost tables of gbank (kw is kept, not copied). */
lcc_status walloc_rdo_init(WallocRdo *rd, const LccCdfBank *gbank, const float *kw);
void walloc_rdo_free(WallocRdo *rd);

/* The symbols of the latent y (L x h x w) as the stream codes them, from
 * hs's means mu and log scales (at *frac fractional bits); with a context
 * model the anchors' symbols first give the others' mean and scale (mu,
 * logscale and *frac updated in place, as the decoder will have them).
 * Then the table index of every symbol. */
lcc_status walloc_code_latent(LccNn *nn, const WallocNet *net, const float *y, int h, int w, float *mu,
                              int32_t *logscale, int *frac, int32_t *sym, uint16_t *index, const WallocRdo *rd);

/* iters Adam steps on y (L x mh x mw, the unrounded latent, changed in
 * place into the best one found). *gain (may be NULL) receives the
 * objective's relative decrease. */
lcc_status walloc_refine(const WallocRefine *r, float *y, int iters, double *gain);

#endif /* LCC_ENCODERS_WALLOC_REFINE_H */
