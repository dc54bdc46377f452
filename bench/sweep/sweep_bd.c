/* Bjontegaard deltas with pchip interpolation (DESIGN.md §8).
 *
 * BD-rate: for each curve, log(rate) as a function of quality through a
 * monotone piecewise cubic Hermite interpolant; the difference of their
 * integrals over the common quality range, divided by its width, is the
 * mean log-rate difference d, and BD-rate = (e^d - 1) * 100 %. BD-quality
 * swaps the axes (quality as a function of log-rate). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/sweep/sweep.h"

/* Fritsch-Carlson slopes at the knots (scipy PchipInterpolator rules). */
static double sign_of(const double v) { return (v > 0) - (v < 0); }

static double end_slope(const double h0, const double h1, const double m0, const double m1)
{
    double d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if (sign_of(d) != sign_of(m0))
        d = 0;
    else if (sign_of(m0) != sign_of(m1) && fabs(d) > fabs(3 * m0))
        d = 3 * m0;
    return d;
}

static void pchip_slopes(const double *const x, const double *const y, const int n, double *const d)
{
    if (n == 2) {
        d[0] = d[1] = (y[1] - y[0]) / (x[1] - x[0]);
        return;
    }
    for (int k = 1; k < n - 1; k++) {
        const double h0 = x[k] - x[k - 1], h1 = x[k + 1] - x[k];
        const double m0 = (y[k] - y[k - 1]) / h0, m1 = (y[k + 1] - y[k]) / h1;
        if (m0 * m1 <= 0) {
            d[k] = 0;
        } else {
            const double w1 = 2 * h1 + h0, w2 = h1 + 2 * h0;
            d[k] = (w1 + w2) / (w1 / m0 + w2 / m1);
        }
    }
    d[0] = end_slope(x[1] - x[0], x[2] - x[1], (y[1] - y[0]) / (x[1] - x[0]), (y[2] - y[1]) / (x[2] - x[1]));
    d[n - 1] = end_slope(x[n - 1] - x[n - 2], x[n - 2] - x[n - 3], (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]),
                         (y[n - 2] - y[n - 3]) / (x[n - 2] - x[n - 3]));
}

/* Antiderivative (in t, from 0) of the Hermite cubic on one interval. */
static double hermite_prim(const double t, const double y0, const double y1, const double hd0, const double hd1)
{
    const double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
    return y0 * (t4 / 2 - t3 + t) + hd0 * (t4 / 4 - 2 * t3 / 3 + t2 / 2) + y1 * (-t4 / 2 + t3) +
           hd1 * (t4 / 4 - t3 / 3);
}

static double hermite_val(const double t, const double y0, const double y1, const double hd0, const double hd1)
{
    const double t2 = t * t, t3 = t2 * t;
    return y0 * (2 * t3 - 3 * t2 + 1) + hd0 * (t3 - 2 * t2 + t) + y1 * (-2 * t3 + 3 * t2) + hd1 * (t3 - t2);
}

double sweep_pchip_integral(const double *const x, const double *const y, const int n, const double lo,
                            const double hi)
{
    double d[SWEEP_MAX_POINTS];
    if (n < 2 || n > SWEEP_MAX_POINTS || !(hi > lo))
        return 0;
    pchip_slopes(x, y, n, d);
    double sum = 0;
    for (int k = 0; k < n - 1; k++) {
        const double a = fmax(lo, x[k]), b = fmin(hi, x[k + 1]);
        if (!(b > a))
            continue;
        const double h = x[k + 1] - x[k];
        const double ta = (a - x[k]) / h, tb = (b - x[k]) / h;
        sum += h * (hermite_prim(tb, y[k], y[k + 1], h * d[k], h * d[k + 1]) -
                    hermite_prim(ta, y[k], y[k + 1], h * d[k], h * d[k + 1]));
    }
    return sum;
}

double sweep_pchip_eval(const double *const x, const double *const y, const int n, double t)
{
    double d[SWEEP_MAX_POINTS];
    if (n < 1 || n > SWEEP_MAX_POINTS)
        return NAN;
    if (n == 1)
        return y[0];
    pchip_slopes(x, y, n, d);
    t = fmin(fmax(t, x[0]), x[n - 1]);
    int k = 0;
    while (k < n - 2 && t > x[k + 1])
        k++;
    const double h = x[k + 1] - x[k];
    return hermite_val((t - x[k]) / h, y[k], y[k + 1], h * d[k], h * d[k + 1]);
}

typedef struct XY {
    double x, y;
} XY;

static int cmp_xy(const void *const a, const void *const b)
{
    const XY *const p = a, *const q = b;
    return (p->x > q->x) - (p->x < q->x);
}

/* Keep the usable points as (x, y), sorted by x, equal x merged (mean y).
 * rate_is_x selects x = log(rate), y = quality, else the reverse. */
static int prepare(const double *const rate, const double *const q, const int n, const int rate_is_x,
                   double *const x, double *const y)
{
    XY p[SWEEP_MAX_POINTS];
    int m = 0;
    for (int i = 0; i < n && i < SWEEP_MAX_POINTS; i++) {
        if (!isfinite(rate[i]) || !(rate[i] > 0) || !isfinite(q[i]))
            continue;
        const double lr = log(rate[i]);
        p[m].x = rate_is_x ? lr : q[i];
        p[m].y = rate_is_x ? q[i] : lr;
        m++;
    }
    qsort(p, (size_t)m, sizeof(*p), cmp_xy);
    int k = 0;
    for (int i = 0; i < m;) {
        int j = i;
        double s = 0;
        while (j < m && p[j].x == p[i].x)
            s += p[j++].y;
        x[k] = p[i].x;
        y[k] = s / (j - i);
        k++;
        i = j;
    }
    return k;
}

static int bd(const double *const ra, const double *const qa, const int na, const double *const rb,
              const double *const qb, const int nb, const int rate_is_x, double *const out, const char **const why)
{
    double xa[SWEEP_MAX_POINTS], ya[SWEEP_MAX_POINTS], xb[SWEEP_MAX_POINTS], yb[SWEEP_MAX_POINTS];
    static const char *const none = "";
    *why = none;
    *out = NAN;
    const int ma = prepare(ra, qa, na, rate_is_x, xa, ya);
    const int mb = prepare(rb, qb, nb, rate_is_x, xb, yb);
    if (ma < 2 || mb < 2) {
        int lossless = 0;
        for (int i = 0; i < na; i++)
            lossless |= isinf(qa[i]) && qa[i] > 0;
        for (int i = 0; i < nb; i++)
            lossless |= isinf(qb[i]) && qb[i] > 0;
        *why = lossless && (ma < 2 || mb < 2) ? "lossless: infinite quality"
               : (ma == 1 || mb == 1)         ? "single point (a curve needs 2 or more distinct points)"
                                              : "fewer than 2 usable points";
        return -1;
    }
    const double lo = fmax(xa[0], xb[0]), hi = fmin(xa[ma - 1], xb[mb - 1]);
    if (!(hi > lo)) {
        *why = rate_is_x ? "no overlap in rate" : "no overlap in quality";
        return -1;
    }
    const double ia = sweep_pchip_integral(xa, ya, ma, lo, hi);
    const double ib = sweep_pchip_integral(xb, yb, mb, lo, hi);
    const double diff = (ib - ia) / (hi - lo);
    *out = rate_is_x ? diff : (exp(diff) - 1) * 100;
    return 0;
}

int sweep_bd_rate(const double *const ra, const double *const qa, const int na, const double *const rb,
                  const double *const qb, const int nb, double *const out, const char **const why)
{
    return bd(ra, qa, na, rb, qb, nb, 0, out, why);
}

int sweep_bd_quality(const double *const ra, const double *const qa, const int na, const double *const rb,
                     const double *const qb, const int nb, double *const out, const char **const why)
{
    return bd(ra, qa, na, rb, qb, nb, 1, out, why);
}

double sweep_msssim_db(const double v)
{
    if (!isfinite(v))
        return NAN;
    if (v >= 1)
        return INFINITY;
    return -10 * log10(1 - v);
}

const char *sweep_metric_key(const LccModality mod, const int m)
{
    switch (mod) {
    case LCC_MODALITY_IMAGE:
        return m == SWEEP_M_PSNR ? "psnr-rgb" : m == SWEEP_M_PSNR_Y ? "psnr-y" : m == SWEEP_M_MSSSIM ? "ms-ssim-rgb" : NULL;
    case LCC_MODALITY_VIDEO:
        return m == SWEEP_M_PSNR ? "psnr-yuv" : m == SWEEP_M_PSNR_Y ? "psnr-y" : m == SWEEP_M_MSSSIM ? "ms-ssim-y" : NULL;
    case LCC_MODALITY_AUDIO:
        return m == SWEEP_M_SNR ? "snr" : m == SWEEP_M_SISDR ? "si-sdr" : NULL;
    default:
        return NULL;
    }
}

const char *sweep_rate_key(const LccModality mod) { return mod == LCC_MODALITY_AUDIO ? "kbps" : "bpp"; }
