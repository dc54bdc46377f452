/* The graph that the wavelet-ae image and audio models share (WaLLoC):
 * analysis = a 1x1 linear map of the wavelet bands times a per-quality
 * gain; synthesis = the latent times a per-quality inverse gain, then a
 * 1x1 linear map plus a deep network D. With their backward passes. The
 * models (walloc.h, walloc_audio.h) own the parameters and hand a view. */
#ifndef LCC_MODELS_WAE_H
#define LCC_MODELS_WAE_H

#include "libcodec/nn/nn.h"

typedef struct WaeGraph {
    int bands, latent, qualities;
    LccParam *ana_w, *ana_b, *syn_w, *syn_b, *loggain, *ilog;
    LccSeq *deep;           /* D */
    LccTensor ys;           /* the last synthesis input (y^ * inverse gain), for its backward */
} WaeGraph;

/* X [n, bands, h, w] -> y [n, latent, h, w] (arena) at quality q (0-based). */
lcc_status wae_analysis(LccNn *nn, WaeGraph *m, const LccTensor *X, int q, LccTensor *y);
/* Gradients of the analysis given dy (accumulated into the parameters);
 * d(loss)/d(A X + a), the gradient before the gain, into *d0 if not NULL
 * (arena). */
lcc_status wae_analysis_backward(LccNn *nn, WaeGraph *m, const LccTensor *X, const LccTensor *y, int q,
                                 const LccTensor *dy, LccTensor *d0);
/* yq [n, latent, h, w] -> Xh [n, bands, h, w]; sets m->ys. */
lcc_status wae_synthesis(LccNn *nn, WaeGraph *m, const LccTensor *yq, int q, LccTensor *Xh, int training);
/* Gradients of the synthesis (m->ys from its forward) given dXh; dyq out. */
lcc_status wae_synthesis_backward(LccNn *nn, WaeGraph *m, const LccTensor *yq, int q, const LccTensor *dXh,
                                  LccTensor *dyq);

#endif /* LCC_MODELS_WAE_H */
