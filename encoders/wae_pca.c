/* PCA initialisation of the wavelet-ae transforms (wae_pca.h). */
#include <math.h>
#include <stdlib.h>

#include "encoders/wae_pca.h"

/* Eigenvectors of a symmetric n x n matrix (cyclic Jacobi). On return
 * vec's column j is the eigenvector of val[j], sorted by decreasing
 * eigenvalue. a is destroyed. */
static void jacobi_eigen(double *const a, const int n, double *const val, double *const vec)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            vec[i * n + j] = i == j;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
                off += a[p * n + q] * a[p * n + q];
        if (off < 1e-22)
            break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                const double apq = a[p * n + q];
                if (fabs(apq) < 1e-300)
                    continue;
                const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                const double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                const double cs = 1 / sqrt(t * t + 1), sn = t * cs;
                for (int k = 0; k < n; k++) {
                    const double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = cs * akp - sn * akq;
                    a[k * n + q] = sn * akp + cs * akq;
                }
                for (int k = 0; k < n; k++) {
                    const double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = cs * apk - sn * aqk;
                    a[q * n + k] = sn * apk + cs * aqk;
                }
                for (int k = 0; k < n; k++) {
                    const double vkp = vec[k * n + p], vkq = vec[k * n + q];
                    vec[k * n + p] = cs * vkp - sn * vkq;
                    vec[k * n + q] = sn * vkp + cs * vkq;
                }
            }
    }
    for (int i = 0; i < n; i++)
        val[i] = a[i * n + i];
    for (int i = 0; i < n; i++) { /* selection sort, descending */
        int best = i;
        for (int j = i + 1; j < n; j++)
            if (val[j] > val[best])
                best = j;
        if (best != i) {
            const double t = val[i];
            val[i] = val[best];
            val[best] = t;
            for (int k = 0; k < n; k++) {
                const double v = vec[k * n + i];
                vec[k * n + i] = vec[k * n + best];
                vec[k * n + best] = v;
            }
        }
    }
}

lcc_status wae_pca_begin(WaePca *const p, const int K)
{
    p->K = K;
    p->count = 0;
    p->cov = calloc((size_t)K * K, sizeof(double));
    p->mean = calloc((size_t)K, sizeof(double));
    p->val = calloc((size_t)K, sizeof(double));
    if (!p->cov || !p->mean || !p->val) {
        wae_pca_free(p);
        return LCC_ENOMEM;
    }
    return LCC_OK;
}

void wae_pca_add(WaePca *const p, const float *const X, const size_t hw)
{
    const int K = p->K;
    for (size_t i = 0; i < hw; i++)
        for (int a = 0; a < K; a++) {
            const double va = X[(size_t)a * hw + i];
            p->mean[a] += va;
            for (int b = a; b < K; b++)
                p->cov[a * K + b] += va * X[(size_t)b * hw + i];
        }
    p->count += (double)hw;
}

lcc_status wae_pca_finish(WaePca *const p, const int L, const float s, LccParam *const ana_w, LccParam *const ana_b,
                          LccParam *const syn_w, LccParam *const syn_b)
{
    const int K = p->K;
    double *const vec = malloc(sizeof(double) * K * K);
    if (!vec || !(p->count > 0)) {
        free(vec);
        return vec ? LCC_EINVAL : LCC_ENOMEM;
    }
    for (int a = 0; a < K; a++)
        p->mean[a] /= p->count;
    for (int a = 0; a < K; a++)
        for (int b = a; b < K; b++)
            p->cov[a * K + b] = p->cov[b * K + a] = p->cov[a * K + b] / p->count - p->mean[a] * p->mean[b];
    jacobi_eigen(p->cov, K, p->val, vec);
    for (int l = 0; l < L; l++) {
        double bias = 0;
        for (int k = 0; k < K; k++) {
            const double v = vec[k * K + l];
            ana_w->w[(size_t)l * K + k] = (float)(s * v);
            syn_w->w[(size_t)k * L + l] = (float)v;
            bias -= s * v * p->mean[k];
        }
        ana_b->w[l] = (float)bias;
    }
    for (int k = 0; k < K; k++)
        syn_b->w[k] = (float)p->mean[k];
    free(vec);
    return LCC_OK;
}

double wae_pca_kept(const WaePca *const p, const int n)
{
    double kept = 0, total = 0;
    for (int k = 0; k < p->K; k++) {
        total += p->val[k];
        if (k < n)
            kept += p->val[k];
    }
    return total > 0 ? kept / total : 0;
}

void wae_pca_free(WaePca *const p)
{
    free(p->cov);
    free(p->mean);
    free(p->val);
    p->cov = p->mean = p->val = NULL;
}
