/* The shared wavelet-ae analysis/synthesis graph (wae.h). */
#include <math.h>

#include "libcodec/models/wae.h"

/* Y_n = W X_n + b for every item n (1x1 convolution). */
static void linear_forward(LccNn *const nn, const LccParam *const w, const LccParam *const b, const LccTensor *const x,
                           LccTensor *const y)
{
    const int M = y->c, K = x->c, HW = x->h * x->w;
    for (int n = 0; n < x->n; n++) {
        float *const yn = y->d + (size_t)n * M * HW;
        for (int i = 0; i < M; i++)
            for (int p = 0; p < HW; p++)
                yn[(size_t)i * HW + p] = b->w[i];
        lcc_sgemm(&nn->gemm, 0, 0, M, HW, K, 1.0f, w->w, K, x->d + (size_t)n * K * HW, HW, 1.0f, yn, HW);
    }
}

/* dW += dY X^T, db += sum dY, dX = W^T dY (dx may be NULL). */
static void linear_backward(LccNn *const nn, LccParam *const w, LccParam *const b, const LccTensor *const x,
                            const LccTensor *const dy, LccTensor *const dx)
{
    const int M = dy->c, K = x->c, HW = x->h * x->w;
    for (int n = 0; n < x->n; n++) {
        const float *const dyn = dy->d + (size_t)n * M * HW;
        const float *const xn = x->d + (size_t)n * K * HW;
        lcc_sgemm(&nn->gemm, 0, 1, M, K, HW, 1.0f, dyn, HW, xn, HW, 1.0f, w->g, K);
        for (int i = 0; i < M; i++) {
            double s = 0;
            for (int p = 0; p < HW; p++)
                s += dyn[(size_t)i * HW + p];
            b->g[i] += (float)s;
        }
        if (dx)
            lcc_sgemm(&nn->gemm, 1, 0, K, HW, M, 1.0f, w->w, K, dyn, HW, 0.0f, dx->d + (size_t)n * K * HW, HW);
    }
}

static int check_shape(const LccTensor *const t, const int c)
{
    return t->n >= 1 && t->c == c && t->h >= 1 && t->w >= 1 && t->d;
}

lcc_status wae_analysis(LccNn *const nn, WaeGraph *const m, const LccTensor *const X, const int q,
                           LccTensor *const y)
{
    const int L = m->latent;
    if (!check_shape(X, m->bands) || q < 0 || q >= m->qualities)
        return LCC_EINVAL;
    *y = lcc_nn_tensor(nn, X->n, L, X->h, X->w);
    if (!y->d)
        return LCC_ENOMEM;
    linear_forward(nn, m->ana_w, m->ana_b, X, y);
    const size_t HW = (size_t)X->h * X->w;
    for (int n = 0; n < X->n; n++)
        for (int l = 0; l < L; l++) {
            const float g = expf(m->loggain->w[(size_t)q * L + l]);
            float *const p = y->d + ((size_t)n * L + l) * HW;
            for (size_t i = 0; i < HW; i++)
                p[i] *= g;
        }
    return LCC_OK;
}

lcc_status wae_analysis_backward(LccNn *const nn, WaeGraph *const m, const LccTensor *const X,
                                    const LccTensor *const y, const int q, const LccTensor *const dy,
                                    LccTensor *const d0out)
{
    const int L = m->latent;
    const size_t HW = (size_t)X->h * X->w;
    LccTensor d0 = lcc_nn_tensor(nn, dy->n, L, dy->h, dy->w);
    if (!d0.d)
        return LCC_ENOMEM;
    /* y = g * y0: dloggain = sum dy * y (dg/dlog = g), dy0 = dy * g. */
    for (int n = 0; n < X->n; n++)
        for (int l = 0; l < L; l++) {
            const float g = expf(m->loggain->w[(size_t)q * L + l]);
            const size_t o = ((size_t)n * L + l) * HW;
            double s = 0;
            for (size_t i = 0; i < HW; i++) {
                s += (double)dy->d[o + i] * y->d[o + i];
                d0.d[o + i] = dy->d[o + i] * g;
            }
            m->loggain->g[(size_t)q * L + l] += (float)s;
        }
    linear_backward(nn, m->ana_w, m->ana_b, X, &d0, NULL);
    if (d0out)
        *d0out = d0;
    return LCC_OK;
}

lcc_status wae_synthesis(LccNn *const nn, WaeGraph *const m, const LccTensor *const yq, const int q,
                            LccTensor *const Xh, const int training)
{
    const int L = m->latent;
    if (!check_shape(yq, L) || q < 0 || q >= m->qualities)
        return LCC_EINVAL;
    const size_t HW = (size_t)yq->h * yq->w;
    LccTensor ys = lcc_nn_tensor(nn, yq->n, L, yq->h, yq->w);
    if (!ys.d)
        return LCC_ENOMEM;
    for (int n = 0; n < yq->n; n++)
        for (int l = 0; l < L; l++) {
            const float g = expf(m->ilog->w[(size_t)q * L + l]);
            const size_t o = ((size_t)n * L + l) * HW;
            for (size_t i = 0; i < HW; i++)
                ys.d[o + i] = yq->d[o + i] * g;
        }
    LccTensor deep;
    lcc_status err = lcc_seq_forward(nn, m->deep, &ys, &deep, training);
    if (err)
        return err;
    *Xh = lcc_nn_tensor(nn, yq->n, m->bands, yq->h, yq->w);
    if (!Xh->d)
        return LCC_ENOMEM;
    linear_forward(nn, m->syn_w, m->syn_b, &ys, Xh);
    const size_t n = lcc_tensor_size(Xh);
    for (size_t i = 0; i < n; i++)
        Xh->d[i] += deep.d[i];
    m->ys = ys;
    return LCC_OK;
}

lcc_status wae_synthesis_backward(LccNn *const nn, WaeGraph *const m, const LccTensor *const yq, const int q,
                                     const LccTensor *const dXh, LccTensor *const dyq)
{
    const int L = m->latent;
    const size_t HW = (size_t)yq->h * yq->w;
    LccTensor dys_lin = lcc_nn_tensor(nn, yq->n, L, yq->h, yq->w), dys_deep;
    if (!dys_lin.d)
        return LCC_ENOMEM;
    linear_backward(nn, m->syn_w, m->syn_b, &m->ys, dXh, &dys_lin);
    lcc_status err = lcc_seq_backward(nn, m->deep, dXh, &dys_deep);
    if (err)
        return err;
    *dyq = lcc_nn_tensor(nn, yq->n, L, yq->h, yq->w);
    if (!dyq->d)
        return LCC_ENOMEM;
    /* ys = yq * gi: dilog = sum dys * ys, dyq = dys * gi. */
    for (int n = 0; n < yq->n; n++)
        for (int l = 0; l < L; l++) {
            const float g = expf(m->ilog->w[(size_t)q * L + l]);
            const size_t o = ((size_t)n * L + l) * HW;
            double s = 0;
            for (size_t i = 0; i < HW; i++) {
                const float d = dys_lin.d[o + i] + dys_deep.d[o + i];
                s += (double)d * m->ys.d[o + i];
                dyq->d[o + i] = d * g;
            }
            m->ilog->g[(size_t)q * L + l] += (float)s;
        }
    return LCC_OK;
}

