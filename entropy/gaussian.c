/* Gaussian / Laplace conditionals: the frozen scale table, integer-only
 * table generation (SPEC §4.4-4.5), mean-scale helpers, and the float
 * likelihoods with their backward for training. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "entropy/gaussian.h"

/* round(65536 * 0.11 * (256 / 0.11)^(i / 63)), frozen. */
const uint32_t lcc_scale_table_q16[LCC_SCALE_COUNT] = {
    7209, 8153, 9221, 10428, 11793, 13338, 15084, 17060,
    19293, 21820, 24677, 27908, 31563, 35696, 40370, 45657,
    51635, 58397, 66043, 74691, 84472, 95533, 108043, 122191,
    138191, 156287, 176752, 199897, 226073, 255677, 289157, 327021,
    369843, 418272, 473044, 534987, 605042, 684270, 773872, 875208,
    989814, 1119426, 1266011, 1431791, 1619278, 1831317, 2071121, 2342327,
    2649047, 2995930, 3388236, 3831913, 4333688, 4901169, 5542960, 6268790,
    7089666, 8018032, 9067964, 10255381, 11598287, 13117040, 14834670, 16777216,
};

/* round(65536 ln(S_i / 65536)) of the table above (SPEC §4.4) */
const int32_t lcc_log_scale_table_q16[LCC_SCALE_COUNT] = {
    -144656, -136591, -128524, -120462, -112400, -104332, -96270, -88202,
    -80141, -72075, -64011, -55947, -47882, -39817, -31753, -23688,
    -15624, -7559, 505, 8569, 16634, 24699, 32763, 40828,
    48892, 56957, 65021, 73086, 81150, 89215, 97280, 105344,
    113409, 121473, 129538, 137602, 145667, 153731, 161796, 169860,
    177925, 185989, 194054, 202118, 210183, 218247, 226312, 234376,
    242441, 250505, 258570, 266635, 274699, 282764, 290828, 298893,
    306957, 315022, 323086, 331151, 339215, 347280, 355344, 363409,
};

uint32_t lcc_scale_to_q16(float s)
{
    if (s != s)
        return UINT32_MAX;
    if (s <= 0)
        return 0;
    const double v = (double)s * 65536.0 + 0.5;
    return v >= 4294967295.0 ? UINT32_MAX : (uint32_t)v;
}

/* ---- integer table generation (SPEC §4.5) ----------------------------- */

#define LOG2E_Q30 1549082005u   /* round(2^30 / ln 2) */
#define LN2_Q30 744261118u      /* round(2^30 * ln 2) */
#define A_MAX_Q24 ((uint64_t)40 << 24)

/* floor-ish 2^30 * e^(-a), a = a_q24 / 2^24 >= 0, integer only. */
static uint64_t exp_neg_q30(uint64_t a_q24)
{
    if (a_q24 >= A_MAX_Q24)
        return 0;
    const uint64_t b = (a_q24 * LOG2E_Q30) >> 30;        /* a / ln 2, Q24 */
    const unsigned n = (unsigned)(b >> 24);
    const uint64_t g = ((b & 0xffffff) * LN2_Q30) >> 24; /* frac * ln 2, Q30, < ln 2 */
    uint64_t r = 1ull << 30;
    for (unsigned i = 12; i >= 1; i--)                   /* e^-g by Horner */
        r = (1ull << 30) - ((g * r) >> 30) / i;
    return r >> n;
}

/* Weight of bin k (the interval [k - 1/2, k + 1/2]) for scale S (Q16):
 * the sum of 2^30 e^(-a(x)) over M midpoints x = k + (2j + 1 - M) / (2M). */
static uint64_t bin_weight(LccDist dist, uint32_t S, uint32_t M, int64_t k)
{
    uint64_t w = 0;
    const uint64_t ms = (uint64_t)M * S;
    for (uint32_t j = 0; j < M; j++) {
        const int64_t X = 2 * (int64_t)M * k + 2 * (int64_t)j + 1 - (int64_t)M;
        const uint64_t ax = (uint64_t)(X < 0 ? -X : X);
        uint64_t a;
        if (dist == LCC_DIST_GAUSSIAN) {
            /* a = x^2 / (2 sigma^2) = 2^29 (X / (M S))^2 */
            const uint64_t t = (ax << 26) / ms;
            a = t >= (1ull << 31) ? A_MAX_Q24 : 2 * t * t;
        } else {
            /* a = |x| / b = 2^15 |X| / (M S) */
            a = (ax << 39) / ms;
        }
        w += exp_neg_q30(a);
    }
    return w;
}

static lcc_status build_one(LccCdf *t, LccDist dist, uint32_t S, unsigned precision)
{
    const uint32_t zk = dist == LCC_DIST_GAUSSIAN ? 4 : 10;     /* support */
    const uint32_t zfar = dist == LCC_DIST_GAUSSIAN ? 8 : 25;   /* escape mass */
    const uint32_t M = S < 65536 ? 64 : 16;
    uint64_t K = ((uint64_t)zk * S + 65535) >> 16;
    const uint64_t Kfar = (((uint64_t)zfar * S + 65535) >> 16) + 1;
    const uint64_t kcap = precision >= 2 ? ((1ull << (precision - 1)) - 2) >> 1 : 0;
    if (K > kcap)
        K = kcap;
    const uint32_t nreg = (uint32_t)(2 * K + 1);
    uint64_t *w = malloc((size_t)nreg * sizeof(*w));
    if (!w)
        return LCC_ENOMEM;
    for (uint64_t k = 0; k <= K; k++)
        w[K + k] = w[K - k] = bin_weight(dist, S, M, (int64_t)k);
    uint64_t esc = 0;
    for (uint64_t k = K + 1; k <= Kfar; k++)
        esc += 2 * bin_weight(dist, S, M, (int64_t)k);
    const lcc_status st = lcc_cdf_from_weights(t, w, nreg, esc, -(int32_t)K, precision);
    free(w);
    return st;
}

lcc_status lcc_scale_bank_build(LccCdfBank *b, LccDist dist, unsigned precision)
{
    if ((dist != LCC_DIST_GAUSSIAN && dist != LCC_DIST_LAPLACE) || precision < 1 ||
        precision > LCC_CDF_MAX_PRECISION)
        return LCC_EINVAL;
    lcc_status st = lcc_cdf_bank_alloc(b, LCC_SCALE_COUNT);
    for (unsigned i = 0; !st && i < LCC_SCALE_COUNT; i++)
        st = build_one(&b->t[i], dist, lcc_scale_table_q16[i], precision);
    if (st)
        lcc_cdf_bank_free(b);
    return st;
}

void lcc_log_scale_indexes(const int32_t *const v, const size_t n, const unsigned frac_bits, uint16_t *const index)
{
    const int32_t *const T = lcc_log_scale_table_q16;
    const int last = LCC_SCALE_COUNT - 1;
    const int64_t one = (int64_t)1 << frac_bits;   /* frac_bits <= 40, |T| < 2^20: no overflow */
    const double unit = ldexp(1.0, -(int)frac_bits), t0 = T[0] / 65536.0;
    const double per = last / ((T[last] - T[0]) / 65536.0);
    for (size_t i = 0; i < n; i++) {
        const int64_t lhs = (int64_t)v[i] * 65536;
        const double g = ceil(((double)v[i] * unit - t0) * per);
        int k = g < 0 ? 0 : g > last ? last : (int)g;
        while (k > 0 && (int64_t)T[k - 1] * one >= lhs)
            k--;
        while (k < last && (int64_t)T[k] * one < lhs)
            k++;
        index[i] = (uint16_t)k;
    }
}

static LccCdfBank gaussian_bank;
static int gaussian_ok;
static pthread_mutex_t gaussian_lock = PTHREAD_MUTEX_INITIALIZER;

const LccCdfBank *lcc_gaussian_bank(void)
{
    pthread_mutex_lock(&gaussian_lock);
    if (!gaussian_ok) /* tried again after a failure */
        gaussian_ok = !lcc_scale_bank_build(&gaussian_bank, LCC_DIST_GAUSSIAN, LCC_CDF_DEFAULT_PRECISION);
    pthread_mutex_unlock(&gaussian_lock);
    return gaussian_ok ? &gaussian_bank : NULL;
}

/* ---- mean-scale -------------------------------------------------------- */

void lcc_meanscale_quantize(const float *y, const float *mu, size_t n, int32_t *sym)
{
    for (size_t i = 0; i < n; i++) {
        const double v = (double)y[i] - (mu ? (double)mu[i] : 0.0);
        double r = v < 0 ? -floor(-v + 0.5) : floor(v + 0.5);
        if (!(r >= INT32_MIN))   /* also NaN */
            r = v != v ? 0 : INT32_MIN;
        if (r > INT32_MAX)
            r = INT32_MAX;
        sym[i] = (int32_t)r;
    }
}

void lcc_meanscale_dequantize(const int32_t *sym, const float *mu, size_t n, float *yhat)
{
    for (size_t i = 0; i < n; i++)
        yhat[i] = (float)((double)sym[i] + (mu ? (double)mu[i] : 0.0));
}

/* ---- training likelihoods ---------------------------------------------- */

static double std_cdf(double z)
{
    return 0.5 * erfc(-z * 0.70710678118654752440);
}

static double std_pdf(double z)
{
    return 0.39894228040143267794 * exp(-0.5 * z * z);
}

/* p and dp/du, dp/ds for u = |y - mu| >= 0 and scale s. */
static double lik_u(LccDist dist, double u, double s, double *dpdu, double *dpds)
{
    if (dist == LCC_DIST_GAUSSIAN) {
        const double z1 = (0.5 - u) / s, z2 = (-0.5 - u) / s;
        const double f1 = std_pdf(z1), f2 = std_pdf(z2);
        if (dpdu)
            *dpdu = (-f1 + f2) / s;
        if (dpds)
            *dpds = (-z1 * f1 + z2 * f2) / s;
        return std_cdf(z1) - std_cdf(z2);
    }
    /* Laplace(0, s): mass of [u - 1/2, u + 1/2] */
    const double eb = exp(-(u + 0.5) / s);
    if (u >= 0.5) {
        const double ea = exp(-(u - 0.5) / s);
        if (dpdu)
            *dpdu = 0.5 * (-ea + eb) / s;
        if (dpds)
            *dpds = 0.5 * (ea * (u - 0.5) - eb * (u + 0.5)) / (s * s);
        return 0.5 * (ea - eb);
    }
    const double ea = exp(-(0.5 - u) / s);
    if (dpdu)
        *dpdu = 0.5 * (-ea + eb) / s;
    if (dpds)
        *dpds = -0.5 * (ea * (0.5 - u) + eb * (u + 0.5)) / (s * s);
    return 1.0 - 0.5 * (ea + eb);
}

void lcc_conditional_likelihood(LccDist dist, const float *y, const float *mu, const float *scale,
                                size_t n, float *lik)
{
    for (size_t i = 0; i < n; i++) {
        const double v = (double)y[i] - (mu ? mu[i] : 0.0);
        const double s = scale[i] > LCC_SCALE_MIN ? scale[i] : LCC_SCALE_MIN;
        const double p = lik_u(dist, fabs(v), s, NULL, NULL);
        lik[i] = p > LCC_LIKELIHOOD_MIN ? (float)p : LCC_LIKELIHOOD_MIN;
    }
}

void lcc_conditional_backward(LccDist dist, const float *y, const float *mu, const float *scale,
                              size_t n, const float *dlik, float *dy, float *dmu, float *dscale)
{
    for (size_t i = 0; i < n; i++) {
        const double v = (double)y[i] - (mu ? mu[i] : 0.0);
        const int clamped_s = !(scale[i] > LCC_SCALE_MIN);
        const double s = clamped_s ? LCC_SCALE_MIN : scale[i];
        double dpdu, dpds;
        const double p = lik_u(dist, fabs(v), s, &dpdu, &dpds);
        /* lower bounds pass the gradient only where it pushes upwards */
        double g = dlik[i];
        if (p < LCC_LIKELIHOOD_MIN && g > 0)
            g = 0;
        const double gy = g * dpdu * (v < 0 ? -1.0 : v > 0 ? 1.0 : 0.0);
        double gs = g * dpds;
        if (clamped_s && gs > 0)
            gs = 0;
        if (dy)
            dy[i] = (float)gy;
        if (dmu)
            dmu[i] = (float)-gy;
        if (dscale)
            dscale[i] = (float)gs;
    }
}
