/* Factorized prior: forward, backward, export to integer CDF tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/factorized.h"
#include "entropy/gaussian.h"   /* LCC_LIKELIHOOD_MIN */

#define MAXL LCC_FACT_MAX_LAYERS
#define MAXW LCC_FACT_MAX_WIDTH

/* Per-channel parameters after their reparameterisation. */
typedef struct Prepared {
    double h[MAXL][MAXW * MAXW];    /* softplus(Hraw), row-major [out][in] */
    double dh[MAXL][MAXW * MAXW];   /* sigmoid(Hraw) = d softplus */
    double b[MAXL][MAXW];
    double ta[MAXL][MAXW];          /* tanh(a) */
} Prepared;

/* Inputs v and pre-activations u of every layer for one evaluation. */
typedef struct Trace {
    double v[MAXL][MAXW];
    double th[MAXL][MAXW];  /* tanh(u) */
} Trace;

static double softplus(double x)
{
    return x > 30 ? x : log1p(exp(x));
}

/* tanh through expf (about 1e-6 relative); a series near 0. */
static double fast_tanh(double x)
{
    if (x > 9)
        return 1;
    if (x < -9)
        return -1;
    if (x > -0.04 && x < 0.04) {
        const double x2 = x * x;
        return x * (1 - x2 * (1.0 / 3 - x2 * (2.0 / 15)));
    }
    const double e = expf((float)(2 * x));
    return (e - 1) / (e + 1);
}

static double sigmoid(double x)
{
    return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

static void prepare(const LccFactorized *f, int c, Prepared *p)
{
    const float *w = f->params + (size_t)c * f->per_channel;
    for (int k = 0; k < f->nlayers; k++) {
        const int din = f->dims[k], dout = f->dims[k + 1];
        for (int i = 0; i < dout * din; i++) {
            p->h[k][i] = softplus(w[f->off_h[k] + i]);
            p->dh[k][i] = sigmoid(w[f->off_h[k] + i]);
        }
        for (int i = 0; i < dout; i++) {
            p->b[k][i] = w[f->off_b[k] + i];
            p->ta[k][i] = k < f->nlayers - 1 ? tanh(w[f->off_a[k] + i]) : 0;
        }
    }
}

static double forward(const LccFactorized *f, const Prepared *p, double x, Trace *tr)
{
    double v[MAXW], u[MAXW];
    v[0] = x;
    for (int k = 0; k < f->nlayers; k++) {
        const int din = f->dims[k], dout = f->dims[k + 1];
        for (int i = 0; i < dout; i++) {
            double s = p->b[k][i];
            for (int j = 0; j < din; j++)
                s += p->h[k][i * din + j] * v[j];
            u[i] = s;
        }
        if (tr)
            memcpy(tr->v[k], v, (size_t)din * sizeof(double));
        if (k == f->nlayers - 1)
            return u[0];
        for (int i = 0; i < dout; i++) {
            /* float accuracy is ample for a density, and several times faster */
            const double th = fast_tanh(u[i]);
            if (tr)
                tr->th[k][i] = th;
            v[i] = u[i] + p->ta[k][i] * th;
        }
    }
    return 0;
}

/* Backpropagate g = dL/dlogit through the trace: parameter gradients into
 * gw (this channel's slice of f->grads), returns dL/dx. */
static double backward(const LccFactorized *f, const Prepared *p, const Trace *tr, double g, float *gw)
{
    double gu[MAXW], gv[MAXW];
    gu[0] = g;
    for (int k = f->nlayers - 1; k >= 0; k--) {
        const int din = f->dims[k], dout = f->dims[k + 1];
        if (k < f->nlayers - 1) {
            /* gu currently holds dL/dv_out of layer k: through g_k */
            for (int i = 0; i < dout; i++) {
                const double th = tr->th[k][i], ta = p->ta[k][i];
                gw[f->off_a[k] + i] += (float)(gu[i] * th * (1 - ta * ta));
                gu[i] *= 1 + ta * (1 - th * th);
            }
        }
        for (int j = 0; j < din; j++)
            gv[j] = 0;
        for (int i = 0; i < dout; i++) {
            gw[f->off_b[k] + i] += (float)gu[i];
            for (int j = 0; j < din; j++) {
                gw[f->off_h[k] + i * din + j] += (float)(gu[i] * tr->v[k][j] * p->dh[k][i * din + j]);
                gv[j] += p->h[k][i * din + j] * gu[i];
            }
        }
        memcpy(gu, gv, (size_t)din * sizeof(double));
    }
    return gu[0];
}

lcc_status lcc_factorized_init(LccFactorized *f, int channels, const int *filters, int nfilters,
                               float init_scale, uint64_t seed)
{
    static const int paper[3] = {3, 3, 3};
    memset(f, 0, sizeof(*f));
    if (!filters && nfilters == 0) {
        filters = paper;
        nfilters = 3;
    }
    if (channels < 1 || channels > 65536 || nfilters < 0 || nfilters > MAXL - 1 || (!filters && nfilters) ||
        !(init_scale > 0))
        return LCC_EINVAL;
    f->channels = channels;
    f->nlayers = nfilters + 1;
    f->dims[0] = 1;
    f->dims[f->nlayers] = 1;
    for (int k = 0; k < nfilters; k++) {
        if (filters[k] < 1 || filters[k] > MAXW)
            return LCC_EINVAL;
        f->dims[k + 1] = filters[k];
    }
    size_t off = 0;
    for (int k = 0; k < f->nlayers; k++) {
        f->off_h[k] = off;
        off += (size_t)f->dims[k] * f->dims[k + 1];
        f->off_b[k] = off;
        off += (size_t)f->dims[k + 1];
        if (k < f->nlayers - 1) {
            f->off_a[k] = off;
            off += (size_t)f->dims[k + 1];
        }
    }
    f->per_channel = off;
    f->nparams = off * (size_t)channels;
    f->params = calloc(f->nparams, sizeof(float));
    f->grads = calloc(f->nparams, sizeof(float));
    if (!f->params || !f->grads) {
        lcc_factorized_free(f);
        return LCC_ENOMEM;
    }
    const double scale = pow(init_scale, 1.0 / f->nlayers);
    uint64_t s = seed ? seed : 1;
    for (int c = 0; c < channels; c++) {
        float *w = f->params + (size_t)c * f->per_channel;
        for (int k = 0; k < f->nlayers; k++) {
            const float hinit = (float)log(expm1(1 / scale / f->dims[k + 1]));
            for (int i = 0; i < f->dims[k] * f->dims[k + 1]; i++)
                w[f->off_h[k] + i] = hinit;
            for (int i = 0; i < f->dims[k + 1]; i++) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                w[f->off_b[k] + i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5);
            }
        }
    }
    return 0;
}

void lcc_factorized_free(LccFactorized *f)
{
    if (!f)
        return;
    free(f->params);
    free(f->grads);
    memset(f, 0, sizeof(*f));
}

void lcc_factorized_zero_grad(LccFactorized *f)
{
    memset(f->grads, 0, f->nparams * sizeof(float));
}

double lcc_factorized_logit(const LccFactorized *f, int c, double x)
{
    Prepared p;
    prepare(f, c, &p);
    return forward(f, &p, x, NULL);
}

/* Likelihood from the two logits, on the side where it does not cancel. */
static double lik_from_logits(double lo, double hi, double *dlo, double *dhi)
{
    const double s = lo + hi > 0 ? -1.0 : 1.0;
    const double a = sigmoid(s * hi), b = sigmoid(s * lo);
    const double d = a - b, sg = d >= 0 ? 1.0 : -1.0;
    if (dhi)
        *dhi = sg * s * a * (1 - a);
    if (dlo)
        *dlo = -sg * s * b * (1 - b);
    return fabs(d);
}

void lcc_factorized_likelihood(const LccFactorized *f, const float *x, size_t batch, size_t spatial,
                               float *lik)
{
    Prepared p;
    for (int c = 0; c < f->channels; c++) {
        prepare(f, c, &p);
        for (size_t n = 0; n < batch; n++) {
            const size_t base = (n * (size_t)f->channels + (size_t)c) * spatial;
            for (size_t i = 0; i < spatial; i++) {
                const double xv = x[base + i];
                const double q = lik_from_logits(forward(f, &p, xv - 0.5, NULL), forward(f, &p, xv + 0.5, NULL),
                                                 NULL, NULL);
                lik[base + i] = q > LCC_LIKELIHOOD_MIN ? (float)q : LCC_LIKELIHOOD_MIN;
            }
        }
    }
}

void lcc_factorized_backward(LccFactorized *f, const float *x, size_t batch, size_t spatial,
                             const float *dlik, float *dx)
{
    Prepared p;
    Trace tlo, thi;
    for (int c = 0; c < f->channels; c++) {
        prepare(f, c, &p);
        float *gw = f->grads + (size_t)c * f->per_channel;
        for (size_t n = 0; n < batch; n++) {
            const size_t base = (n * (size_t)f->channels + (size_t)c) * spatial;
            for (size_t i = 0; i < spatial; i++) {
                const double xv = x[base + i];
                const double lo = forward(f, &p, xv - 0.5, &tlo), hi = forward(f, &p, xv + 0.5, &thi);
                double dlo, dhi;
                const double q = lik_from_logits(lo, hi, &dlo, &dhi);
                double g = dlik[base + i];
                if (q < LCC_LIKELIHOOD_MIN && g > 0)   /* lower bound: pass upward pushes only */
                    g = 0;
                double gx = 0;
                if (g != 0) {
                    gx = backward(f, &p, &tlo, g * dlo, gw);
                    gx += backward(f, &p, &thi, g * dhi, gw);
                }
                if (dx)
                    dx[base + i] = (float)gx;
            }
        }
    }
}

/* x with logit(x) = target, by bisection on [-2^20, 2^20] (the logit is
 * nondecreasing in x). */
static double solve_logit(const LccFactorized *f, const Prepared *p, double target)
{
    double lo = -1048576.0, hi = 1048576.0;
    for (int it = 0; it < 80; it++) {
        const double mid = 0.5 * (lo + hi);
        if (forward(f, p, mid, NULL) < target)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

lcc_status lcc_factorized_export(const LccFactorized *f, unsigned precision, double tail_mass,
                                 LccCdfBank *out)
{
    if (precision < 2 || precision > LCC_CDF_MAX_PRECISION || !(tail_mass > 0 && tail_mass < 0.5))
        return LCC_EINVAL;
    lcc_status st = lcc_cdf_bank_alloc(out, (uint32_t)f->channels);
    if (st)
        return st;
    const int64_t cap = ((int64_t)1 << (precision - 1)) - 1;   /* regular symbols at most */
    const double t = log((tail_mass / 2) / (1 - tail_mass / 2));
    uint64_t *w = NULL;
    Prepared p;
    for (int c = 0; c < f->channels && !st; c++) {
        prepare(f, c, &p);
        const double med = solve_logit(f, &p, 0.0);
        int64_t lo = (int64_t)floor(solve_logit(f, &p, t) + 0.5);
        int64_t hi = (int64_t)floor(solve_logit(f, &p, -t) + 0.5);
        const int64_t m = (int64_t)floor(med + 0.5);
        if (lo > m)
            lo = m;
        if (hi < m)
            hi = m;
        if (hi - lo + 1 > cap) {   /* too wide for the precision: centre on the median */
            lo = m - (cap - 1) / 2;
            hi = lo + cap - 1;
        }
        const uint32_t nreg = (uint32_t)(hi - lo + 1);
        uint64_t *nw = realloc(w, (size_t)nreg * sizeof(*w));
        if (!nw) {
            st = LCC_ENOMEM;
            break;
        }
        w = nw;
        double inside = 0;
        for (uint32_t k = 0; k < nreg; k++) {
            const double xv = (double)(lo + (int64_t)k);
            const double q = lik_from_logits(forward(f, &p, xv - 0.5, NULL), forward(f, &p, xv + 0.5, NULL),
                                             NULL, NULL);
            if (q >= 0 && q <= 1) {
                w[k] = (uint64_t)llround(q * 0x1p40);
                inside += q;
            } else {   /* NaN from degenerate parameters */
                w[k] = 0;
            }
        }
        const double tail = inside < 1 ? 1 - inside : 0;
        st = lcc_cdf_from_weights(&out->t[c], w, nreg, (uint64_t)llround(tail * 0x1p40), (int32_t)lo, precision);
    }
    free(w);
    if (st)
        lcc_cdf_bank_free(out);
    return st;
}
