/* PCA initialisation of the wavelet-ae analysis and synthesis (image and
 * audio trainers): band statistics from sample transforms, then the PCA
 * codec A = s V_L^T, a = -A mean, S = V_L, syn.b = mean (V: eigenvectors
 * of the band covariance by decreasing eigenvalue). */
#ifndef LCC_ENCODERS_WAE_PCA_H
#define LCC_ENCODERS_WAE_PCA_H

#include <stddef.h>

#include "libcodec/nn/nn.h"

typedef struct WaePca {
    int K;              /* bands */
    double *cov, *mean; /* upper triangle and sum while accumulating */
    double count;
    double *val;        /* K eigenvalues, decreasing, after wae_pca_finish */
} WaePca;

lcc_status wae_pca_begin(WaePca *p, int K);
/* Add the band vectors of X (K planes of hw coefficients). */
void wae_pca_add(WaePca *p, const float *X, size_t hw);
/* Write the PCA codec into the L-latent graph's weights (ana_w [L][K],
 * ana_b [L], syn_w [K][L], syn_b [K]) with analysis scale s. */
lcc_status wae_pca_finish(WaePca *p, int L, float s, LccParam *ana_w, LccParam *ana_b, LccParam *syn_w,
                          LccParam *syn_b);
/* The share of the variance in the first n components. */
double wae_pca_kept(const WaePca *p, int n);
void wae_pca_free(WaePca *p);

#endif /* LCC_ENCODERS_WAE_PCA_H */
