/* Encoder-side latent refinement for the wavelet-ae hyperprior and context
 * models (Campos et al. 2019, "Content adaptive optimization for neural
 * image compression"; Yang et al. 2020): a few Adam steps on the latent y
 * of the image being coded, minimising the model's own objective
 * bits + lambda_q 255^2 MSE, with the decoder unchanged. The side
 * information z^ (so hs's means and scales) stays that of the unrefined
 * latent: hs is in the weight file only as the integer network, which has
 * no gradient. The steps follow the objective with the rounding replaced
 * by SGA's soft rounding (Yang et al. 2020, its deterministic form), whose
 * temperature falls from 1/2 to 1/20 over the steps: the decoder and the
 * Gaussian rate see mu + soft(y - mu). (Straight-through rounding made the
 * objective worse from the first step here.) Context models recompute
 * the non-anchors' parameters from the current anchors at every step (no
 * gradient through cx either). Every fourth step and the last measure the
 * true objective (the entropy coder's exact cost of the symbols and the
 * decoded image's MSE); the best latent measured is kept, so the result is
 * never worse than the unrefined one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/walloc_refine.h"
#include "entropy/entropy.h"
#include "entropy/gaussian.h"

/* Soft rounding of SGA (Yang et al. 2020, deterministic form): a residual
 * v = f + r (f = floor v) becomes f + p, p = the weight of rounding up,
 * 1 / (1 + exp((atanh(1 - r) - atanh(r)) / tau)), which is round(v) as
 * tau -> 0; returns dp/dv. */
static float soft_round(const float v, const float tau, float *const out)
{
    const float f = floorf(v);
    float r = v - f;
    r = r < 1e-4f ? 1e-4f : r > 1 - 1e-4f ? 1 - 1e-4f : r;
    const float a = (atanhf(1 - r) - atanhf(r)) / tau;
    const float p = a > 40 ? 0 : a < -40 ? 1 : 1 / (1 + expf(a));
    *out = f + p;
    return p * (1 - p) / tau * (1 / (1 - r * r) + 1 / (1 - (1 - r) * (1 - r)));
}

/* The decode of y^ (arena) into x_hat and lambda 255^2 MSE per pixel;
 * training keeps what the backward pass needs. */
static lcc_status decode_mse(const WallocRefine *const r, const LccTensor *const yq, const int training,
                             LccTensor *const Xh, float *const x_hat, double *const dist)
{
    const lcc_status err = walloc_synthesis(r->nn, r->net, yq, r->q, Xh, training);
    if (err)
        return err;
    if (wavelet_inverse(r->spec, Xh->d, x_hat, r->ws))
        return LCC_EINTERNAL;
    LccTensor xt = { x_hat, 1, 3, r->spec->height, r->spec->width };
    const lcc_status perr = walloc_post(r->nn, r->net, &xt, training);
    if (perr)
        return perr;
    const size_t nx = 3 * (size_t)r->spec->width * r->spec->height;
    double se = 0;
    for (size_t i = 0; i < nx; i++) {
        const float e = x_hat[i] - r->x[i];
        se += (double)e * e;
    }
    *dist = r->lambda * 255.0 * 255.0 * se / (double)nx;
    return LCC_OK;
}

lcc_status walloc_rdo_init(WallocRdo *const rd, const LccCdfBank *const gbank, const float *const kw)
{
    size_t total = 0;
    for (uint32_t i = 0; i < gbank->count; i++)
        total += gbank->t[i].nsym;
    rd->gbank = gbank;
    rd->kw = kw;
    rd->start = malloc(sizeof(uint32_t) * gbank->count);
    rd->bits = malloc(sizeof(float) * (total ? total : 1));
    if (!rd->start || !rd->bits) {
        walloc_rdo_free(rd);
        return LCC_ENOMEM;
    }
    uint32_t at = 0;
    for (uint32_t i = 0; i < gbank->count; i++) {
        const LccCdf *const t = &gbank->t[i];
        rd->start[i] = at;
        for (uint32_t s = 0; s + 1 < t->nsym; s++)
            rd->bits[at + s] = (float)lcc_cdf_cost_bits(t, t->offset + (int32_t)s);
        at += t->nsym;
    }
    return LCC_OK;
}

void walloc_rdo_free(WallocRdo *const rd)
{
    free(rd->start);
    free(rd->bits);
    rd->start = NULL;
    rd->bits = NULL;
}

/* The cost in bits of value v under table i of the bank. */
static double rdo_bits(const WallocRdo *const rd, const uint16_t i, const int32_t v)
{
    const LccCdf *const t = &rd->gbank->t[i];
    const int64_t s = (int64_t)v - t->offset;
    return s >= 0 && s + 1 < (int64_t)t->nsym ? rd->bits[rd->start[i] + (uint32_t)s] : lcc_cdf_cost_bits(t, v);
}

/* Rate-distortion rounding of the symbols at offsets pos[0..np) (all n if
 * pos is NULL; then, with anchors >= 0, only the anchors (1) or the other
 * positions (0) of the checkerboard): of the two integers around y - mu,
 * the one of the smaller bits + kw[channel] * (y - mu - r)^2 (ties: the
 * nearest, as set). */
static void quantize_rd(const WallocRdo *const rd, const float *const y, const float *const mu,
                        const uint16_t *const index, const size_t *const pos, const size_t np, const int w,
                        const size_t plane, const int anchors, int32_t *const sym)
{
    for (size_t k = 0; k < np; k++) {
        const size_t o = pos ? pos[k] : k;
        if (anchors >= 0 && walloc_is_anchor_at(o, plane, w) != anchors)
            continue;
        const double v = (double)y[o] - (double)mu[o], f = floor(v);
        if (!(f > -1e6 && f < 1e6))
            continue;
        const double kw = rd->kw[o / plane];
        const double c0 = rdo_bits(rd, index[o], (int32_t)f) + kw * (v - f) * (v - f);
        const double c1 = rdo_bits(rd, index[o], (int32_t)f + 1) + kw * (f + 1 - v) * (f + 1 - v);
        if (c0 != c1)
            sym[o] = (int32_t)f + (c1 < c0);
    }
}

lcc_status walloc_code_latent(LccNn *const nn, const WallocNet *const net, const float *const y, const int h,
                              const int w, float *const mu, int32_t *const logscale, int *const frac,
                              int32_t *const sym, uint16_t *const index, const WallocRdo *const rd)
{
    const size_t n = (size_t)net->cfg.latent * h * w, plane = (size_t)h * w;
    if (net->cfg.ctx_slices) {
        /* pass by pass: each pass's means need the values coded before it */
        float *const yhat = malloc(sizeof(float) * n * 2), *const mu_hs = yhat + n;
        size_t *const pos = malloc(sizeof(size_t) * n);
        lcc_status err = yhat && pos ? walloc_context_begin(net, logscale, n, frac) : LCC_ENOMEM;
        if (!err)
            memcpy(mu_hs, mu, sizeof(float) * n);
        for (int p = 0; p < walloc_passes(&net->cfg) && !err; p++) {
            lcc_nn_reset(nn); /* each pass's scratch only */
            if ((err = walloc_context_pass(nn, net, yhat, mu_hs, h, w, p, mu, logscale, *frac)))
                break;
            const size_t np = walloc_pass_positions(&net->cfg, h, w, p, pos);
            for (size_t k = 0; k < np; k++)
                lcc_meanscale_quantize(y + pos[k], mu + pos[k], 1, sym + pos[k]);
            if (rd) {
                for (size_t k = 0; k < np; k++)
                    lcc_log_scale_indexes(logscale + pos[k], 1, (unsigned)*frac, index + pos[k]);
                quantize_rd(rd, y, mu, index, pos, np, w, plane, -1, sym);
            }
            for (size_t k = 0; k < np; k++)
                lcc_meanscale_dequantize(sym + pos[k], mu + pos[k], 1, yhat + pos[k]);
        }
        free(yhat);
        free(pos);
        if (!err && !rd) /* (the rounding indexed each pass's positions) */
            lcc_log_scale_indexes(logscale, n, (unsigned)*frac, index);
        return err;
    }
    lcc_meanscale_quantize(y, mu, n, sym);
    if (rd || !net->cfg.ctx_n) /* (with context, the others are indexed again below) */
        lcc_log_scale_indexes(logscale, n, (unsigned)*frac, index);
    if (rd) /* the anchors' (or, without context, every) symbol */
        quantize_rd(rd, y, mu, index, NULL, n, w, plane, net->cfg.ctx_n ? 1 : -1, sym);
    if (net->cfg.ctx_n) {
        const lcc_status err = walloc_context_params(nn, net, sym, h, w, mu, logscale, frac);
        if (err)
            return err;
        /* the others, under their new means and scales (the anchors keep
         * theirs, and their symbols) */
        for (size_t i = 0; i < n; i++)
            if (!walloc_is_anchor_at(i, plane, w))
                lcc_meanscale_quantize(y + i, mu + i, 1, sym + i);
        lcc_log_scale_indexes(logscale, n, (unsigned)*frac, index);
        if (rd)
            quantize_rd(rd, y, mu, index, NULL, n, w, plane, 0, sym);
    }
    return LCC_OK;
}

lcc_status walloc_refine(const WallocRefine *const r, float *const y, const int iters, double *const gain)
{
    WallocNet *const net = r->net;
    LccNn *const nn = r->nn;
    const int L = net->cfg.latent, h = r->mh, w = r->mw;
    const size_t n = (size_t)L * h * w, npx = (size_t)r->spec->width * r->spec->height;
    const size_t nx = 3 * npx;
    float *const buf = malloc(sizeof(float) * n * 6);
    int32_t *const sym = malloc(sizeof(int32_t) * n), *const ls = malloc(sizeof(int32_t) * n);
    uint16_t *const index = malloc(sizeof(uint16_t) * n);
    float *const x_hat = malloc(sizeof(float) * nx);
    if (!buf || !sym || !ls || !index || !x_hat) {
        free(buf);
        free(sym);
        free(ls);
        free(index);
        free(x_hat);
        return LCC_ENOMEM;
    }
    float *const mu = buf, *const sg = buf + n, *const best = buf + 2 * n, *const m1 = buf + 3 * n;
    float *const m2 = buf + 4 * n, *const dsoft = buf + 5 * n;
    memset(m1, 0, sizeof(float) * 2 * n);
    const float lambda = r->lambda * 255.0f * 255.0f, b1 = 0.9f, b2 = 0.999f;
    double first = 0, best_j = INFINITY;
    lcc_status err = LCC_OK;
    for (int t = 0; t <= iters && !err; t++) {
        lcc_nn_reset(nn);
        /* parameters and symbols of the current latent, as coded */
        int frac = r->frac;
        memcpy(mu, r->mu, sizeof(float) * n);
        memcpy(ls, r->logscale, sizeof(int32_t) * n);
        if ((err = walloc_code_latent(nn, net, y, h, w, mu, ls, &frac, sym, index, r->rd)))
            break;
        LccTensor yq = lcc_nn_tensor(nn, 1, L, h, w), Xh, dyq;
        if (!yq.d) {
            err = LCC_ENOMEM;
            break;
        }
        /* the true objective (exact code length, decoded image) now and
         * then, and at the end */
        if (t % 4 == 0 || t == iters) {
            const LccEntropyParams ep = { r->gbank, index, NULL, n };
            const double bits = lcc_entropy_cost_bits(&ep, sym);
            double dist;
            for (size_t i = 0; i < n; i++)
                yq.d[i] = mu[i] + (float)sym[i];
            if ((err = decode_mse(r, &yq, 0, &Xh, x_hat, &dist)))
                break;
            const double J = bits / (double)npx + dist;
            if (t == 0)
                first = J;
            if (J < best_j) {
                best_j = J;
                memcpy(best, y, sizeof(float) * n);
            }
        }
        if (t == iters)
            break;
        /* a step on the soft-rounded objective, the temperature falling
         * from 1/2 to 1/20 */
        const float tau = 0.5f * powf(0.1f, (float)t / (float)(iters > 1 ? iters - 1 : 1));
        for (size_t i = 0; i < n; i++) {
            float v;
            dsoft[i] = soft_round(y[i] - mu[i], tau, &v);
            yq.d[i] = mu[i] + v;
        }
        double dist;
        if ((err = decode_mse(r, &yq, 1, &Xh, x_hat, &dist)))
            break;
        for (size_t i = 0; i < nx; i++)
            x_hat[i] = 2.0f * lambda * (x_hat[i] - r->x[i]) / (float)nx; /* d(loss)/d(x_hat) */
        LccTensor dxt = { x_hat, 1, 3, r->spec->height, r->spec->width };
        if ((err = walloc_post_backward(nn, net, &dxt)))
            break;
        LccTensor dXh = lcc_nn_tensor(nn, 1, net->bands, h, w);
        if (!dXh.d || wavelet_inverse_adjoint(r->spec, x_hat, dXh.d, r->ws)) {
            err = dXh.d ? LCC_EINTERNAL : LCC_ENOMEM;
            break;
        }
        if ((err = walloc_synthesis_backward(nn, net, &yq, r->q, &dXh, &dyq)))
            break;
        const float unit = ldexpf(1.0f, -frac);
        for (size_t i = 0; i < n; i++)
            sg[i] = expf((float)ls[i] * unit);
        LccTensor mt = { mu, 1, L, h, w }, st = { sg, 1, L, h, w };
        lcc_loss_rate_gaussian(&yq, &mt, &st, &dyq, NULL, NULL, (float)(1.0 / (double)npx));
        /* Adam on y, the step size falling linearly to a tenth */
        const float lr = r->lr * (1.0f - 0.9f * (float)t / (float)iters);
        const float c1 = 1.0f - powf(b1, (float)(t + 1)), c2 = 1.0f - powf(b2, (float)(t + 1));
        for (size_t i = 0; i < n; i++) {
            const float g = dyq.d[i] * dsoft[i];
            m1[i] = b1 * m1[i] + (1 - b1) * g;
            m2[i] = b2 * m2[i] + (1 - b2) * g * g;
            y[i] -= lr * (m1[i] / c1) / (sqrtf(m2[i] / c2) + 1e-8f);
        }
    }
    if (!err) {
        memcpy(y, best, sizeof(float) * n);
        if (gain)
            *gain = first > 0 ? 1.0 - best_j / first : 0;
    }
    lcc_nn_reset(nn);
    free(buf);
    free(sym);
    free(ls);
    free(index);
    free(x_hat);
    return err;
}
