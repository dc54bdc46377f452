/* Losses: MSE and the rate terms fed by entropy models. */
#include <math.h>

#include "libcodec/nn/nn.h"

double lcc_loss_mse(const LccTensor *const y, const LccTensor *const target, LccTensor *const dy, const float scale)
{
    const size_t n = lcc_tensor_size(y);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)y->d[i] - target->d[i];
        s += d * d;
    }
    if (dy) {
        const float k = 2.0f * scale / (float)n;
        for (size_t i = 0; i < n; i++)
            dy->d[i] = k * (y->d[i] - target->d[i]);
    }
    return n ? s / (double)n : 0.0;
}

#define LIKELIHOOD_FLOOR 1e-9
#define SCALE_FLOOR 0.11

double lcc_loss_rate_gaussian(const LccTensor *const y, const LccTensor *const mu, const LccTensor *const sigma,
                              LccTensor *const dy, LccTensor *const dmu, LccTensor *const dsigma, const float scale)
{
    const size_t n = lcc_tensor_size(y);
    const double inv_ln2 = 1.0 / log(2.0), inv_sqrt2 = 0.70710678118654752, inv_sqrt2pi = 0.39894228040143268;
    double bits = 0;
    for (size_t i = 0; i < n; i++) {
        const double m = mu ? mu->d[i] : 0.0;
        const double sraw = sigma->d[i];
        const double s = sraw > SCALE_FLOOR ? sraw : SCALE_FLOOR;
        /* use the lower tail for accuracy: |v| */
        const double v = fabs((double)y->d[i] - m), sign = (double)y->d[i] - m < 0 ? -1.0 : 1.0;
        const double a = (0.5 - v) / s, b = (-0.5 - v) / s;
        const double p = 0.5 * erfc(-a * inv_sqrt2) - 0.5 * erfc(-b * inv_sqrt2);
        const int floored = p < LIKELIHOOD_FLOOR;
        const double pc = floored ? LIKELIHOOD_FLOOR : p;
        bits -= log(pc) * inv_ln2;
        if (!(dy || dmu || dsigma))
            continue;
        if (floored) {
            /* far in the tail the likelihood is floored and has no useful
             * gradient: pull with the tail's asymptote instead,
             * -log2 p ~ v^2 / (2 s^2 ln 2) + log2 s, so that a mean or a
             * scale that went far astray comes back */
            const double dv = scale * inv_ln2 * v / (s * s);
            if (dy)
                dy->d[i] += (float)(dv * sign);
            if (dmu)
                dmu->d[i] -= (float)(dv * sign);
            const double ds = scale * inv_ln2 * (1.0 / s - v * v / (s * s * s));
            if (dsigma && (sraw > SCALE_FLOOR || ds < 0))
                dsigma->d[i] += (float)ds;
            continue;
        }
        const double pa = inv_sqrt2pi * exp(-0.5 * a * a), pb = inv_sqrt2pi * exp(-0.5 * b * b);
        /* dp/dv = (-pa + pb) / s; dp/ds = (-a pa + b pb) / s */
        const double dl = -inv_ln2 / pc * scale;
        const double dv = dl * (pb - pa) / s;
        if (dy)
            dy->d[i] += (float)(dv * sign);
        if (dmu)
            dmu->d[i] -= (float)(dv * sign);
        /* through the floor only where descent would raise the scale */
        const double ds = dl * (-a * pa + b * pb) / s;
        if (dsigma && (sraw > SCALE_FLOOR || ds < 0))
            dsigma->d[i] += (float)ds;
    }
    return bits;
}

double lcc_loss_rate(const LccTensor *const p, LccTensor *const dp, const float scale)
{
    const size_t n = lcc_tensor_size(p);
    const double inv_ln2 = 1.0 / log(2.0);
    double bits = 0;
    for (size_t i = 0; i < n; i++) {
        const double v = p->d[i] > LIKELIHOOD_FLOOR ? p->d[i] : LIKELIHOOD_FLOOR;
        bits -= log(v) * inv_ln2;
        if (dp && p->d[i] > LIKELIHOOD_FLOOR)
            dp->d[i] += (float)(-inv_ln2 / v * scale);
    }
    return bits;
}
