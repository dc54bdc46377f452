/* Factorized prior ("entropy bottleneck", Ballé et al. 2018, sec. 6.1 and
 * appendix 6.1 of "Variational image compression with a scale
 * hyperprior"): one learned univariate density per channel, defined by
 * its cumulative c(x) = sigmoid(f_K(... f_1(x))) with
 *     f_k(v) = g_k(H_k v + b_k),  g_k(u) = u + tanh(a_k) * tanh(u)  (k < K),
 *     f_K(v) = H_K v + b_K        (the logit of the cumulative),
 * H_k = softplus(Hraw_k) (so c is monotone), a_k through tanh.
 * Filters (3, 3, 3) give dims 1 -> 3 -> 3 -> 3 -> 1 as in the paper.
 *
 * Training: the likelihood of a noisy latent y~ is c(y~ + 1/2) - c(y~ - 1/2)
 * (computed as CompressAI does, on the side of the median where it does not
 * cancel), bounded below by 1e-9; backward gives the gradients w.r.t. the
 * input and (accumulated) w.r.t. all parameters.
 * Coding: symbols are round(y) (lcc_meanscale_quantize with mu = NULL);
 * lcc_factorized_export evaluates the density once (float, encoder/export
 * side) and freezes one integer CDF table per channel; the tables ship as
 * data (lcc_cdf_bank_write) and the decoder never evaluates the network.
 * Channel c of an NCHW latent is coded with bank table c
 * (lcc_rans_enc_put_array / lcc_rans_dec_get_array per channel plane). */
#ifndef LCC_ENTROPY_FACTORIZED_H
#define LCC_ENTROPY_FACTORIZED_H

#include <stddef.h>
#include <stdint.h>

#include "entropy/cdf.h"

#define LCC_FACT_MAX_LAYERS 8   /* nfilters + 1 */
#define LCC_FACT_MAX_WIDTH 16

typedef struct LccFactorized {
    int channels;
    int nlayers;                            /* K = nfilters + 1 */
    int dims[LCC_FACT_MAX_LAYERS + 1];      /* 1, filters..., 1 */
    size_t off_h[LCC_FACT_MAX_LAYERS];      /* per-channel offsets into the parameters */
    size_t off_b[LCC_FACT_MAX_LAYERS];
    size_t off_a[LCC_FACT_MAX_LAYERS];      /* layers 0..K-2 */
    size_t per_channel;                     /* parameters per channel */
    size_t nparams;                         /* channels * per_channel */
    float *params;                          /* channel-major; Hraw, b, a per layer */
    float *grads;                           /* same layout; backward accumulates */
} LccFactorized;

/* filters: hidden widths (1..LCC_FACT_MAX_WIDTH each, 0..7 of them; NULL,
 * 0 for the paper's (3, 3, 3)). init_scale as in the paper's code (10):
 * Hraw = log(expm1(1 / scale^(1/K) / dims[k+1])), b ~ U(-1/2, 1/2) from
 * seed, a = 0. */
lcc_status lcc_factorized_init(LccFactorized *f, int channels, const int *filters, int nfilters,
                               float init_scale, uint64_t seed);
void lcc_factorized_free(LccFactorized *f);   /* accepts a zeroed or freed one */
void lcc_factorized_zero_grad(LccFactorized *f);

/* The logit of c_c(x) (channel c), in double. */
double lcc_factorized_logit(const LccFactorized *f, int c, double x);

/* x and lik are (batch, channels, spatial) contiguous (NCHW with
 * spatial = H * W). */
void lcc_factorized_likelihood(const LccFactorized *f, const float *x, size_t batch, size_t spatial,
                               float *lik);
/* Given dlik = dL/dlik, accumulate dL/dparams into f->grads and write
 * dL/dx to dx (may be NULL). */
void lcc_factorized_backward(LccFactorized *f, const float *x, size_t batch, size_t spatial,
                             const float *dlik, float *dx);

/* One table per channel at the given precision. The support of channel c
 * is the integers from round(q_lo) to round(q_hi), where c(q_lo) =
 * tail_mass / 2 and c(q_hi) = 1 - tail_mass / 2 (found by bisection),
 * capped to 2^(precision-1) - 1 symbols centred on the median; the
 * escape's weight is the mass outside. */
lcc_status lcc_factorized_export(const LccFactorized *f, unsigned precision, double tail_mass,
                                 LccCdfBank *out);

#endif /* LCC_ENTROPY_FACTORIZED_H */
