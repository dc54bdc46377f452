/* Bjontegaard deltas: pchip against hand-computed integrals, BD-rate and
 * BD-PSNR on curves with closed-form answers, the degenerate cases, and a
 * published pair (CompressAI's Kodak results: bmshj2018-hyperprior against
 * BPG 4:4:4), checked against an independent implementation. */
#include <math.h>
#include <string.h>

#include "bench/sweep/sweep.h"
#include "test.h"

static int near(const double a, const double b, const double tol) { return fabs(a - b) <= tol; }

static void test_pchip(void)
{
    /* two points: a straight line */
    const double x2[] = { 0, 1 }, y2[] = { 0, 2 };
    CHECK(near(sweep_pchip_integral(x2, y2, 2, 0, 1), 1, 1e-12));
    CHECK(near(sweep_pchip_integral(x2, y2, 2, 0.25, 0.75), 0.5, 1e-12));
    /* (0,0) (1,1) (2,4): slopes by hand d = 0, 1.5, 4 (interior: weighted
     * harmonic mean 6 / (3/1 + 3/3); ends: three-point formula, the left one
     * clamped to 0 because it has the wrong sign). Segment integrals
     * h (y0 + y1) / 2 + h^2 (d0 - d1) / 12 = 0.375 and 2.291666..., total 8/3. */
    const double x3[] = { 0, 1, 2 }, y3[] = { 0, 1, 4 };
    CHECK(near(sweep_pchip_integral(x3, y3, 3, 0, 1), 0.375, 1e-12));
    CHECK(near(sweep_pchip_integral(x3, y3, 3, 1, 2), 2.5 - 2.5 / 12, 1e-12));
    CHECK(near(sweep_pchip_integral(x3, y3, 3, 0, 2), 8.0 / 3, 1e-12));
    /* value at 0.5: h01 y1 + h11 h d1 = 0.5 - 0.125 * 1.5 */
    CHECK(near(sweep_pchip_eval(x3, y3, 3, 0.5), 0.3125, 1e-12));
    CHECK(near(sweep_pchip_eval(x3, y3, 3, 1), 1, 1e-12));
    CHECK(near(sweep_pchip_eval(x3, y3, 3, 2), 4, 1e-12));
    /* monotone data gives a monotone interpolant (no overshoot) */
    const double xs[] = { 0, 1, 2, 3, 4 }, ys[] = { 0, 0.1, 5, 5.1, 5.2 };
    double prev = -1;
    int mono = 1;
    for (int i = 0; i <= 400; i++) {
        const double v = sweep_pchip_eval(xs, ys, 5, i / 100.0);
        mono &= v >= prev - 1e-12 && v <= 5.2 + 1e-12;
        prev = v;
    }
    CHECK(mono);
}

static void test_closed_forms(void)
{
    const char *why;
    double v;
    /* same quality, rates x 0.9 at every point: exactly -10 %, whatever the
     * interpolation; quality +0.5 dB at the same rates: exactly +0.5 dB */
    const double ra[] = { 0.12, 0.25, 0.51, 0.95, 1.7 }, qa[] = { 27.1, 29.8, 32.9, 36.0, 39.4 };
    double rb[5], qb[5];
    for (int i = 0; i < 5; i++) {
        rb[i] = ra[i] * 0.9;
        qb[i] = qa[i] + 0.5;
    }
    CHECK(!sweep_bd_rate(ra, qa, 5, rb, qa, 5, &v, &why) && near(v, -10, 1e-9));
    CHECK(!sweep_bd_rate(rb, qa, 5, ra, qa, 5, &v, &why) && near(v, 100.0 / 9, 1e-9));
    CHECK(!sweep_bd_quality(ra, qa, 5, ra, qb, 5, &v, &why) && near(v, 0.5, 1e-9));
    CHECK(!sweep_bd_quality(ra, qa, 5, ra, qa, 5, &v, &why) && near(v, 0, 1e-12));
    /* two-point curves, by hand: ln r linear in PSNR, a: ln 4 per 10 dB, b:
     * ln 2 per 10 dB, mean difference -ln 2 / 2 -> 1/sqrt(2) - 1; BD-PSNR
     * over ln r in [0, ln 2]: mean of 10 x / (2 ln 2) = 2.5 dB */
    const double r1[] = { 1, 4 }, r2[] = { 1, 2 }, p[] = { 30, 40 };
    CHECK(!sweep_bd_rate(r1, p, 2, r2, p, 2, &v, &why) && near(v, (1 / sqrt(2) - 1) * 100, 1e-9));
    CHECK(!sweep_bd_quality(r1, p, 2, r2, p, 2, &v, &why) && near(v, 2.5, 1e-9));
    /* the order of the points does not matter */
    const double r1r[] = { 4, 1 }, pr[] = { 40, 30 };
    CHECK(!sweep_bd_rate(r1r, pr, 2, r2, p, 2, &v, &why) && near(v, (1 / sqrt(2) - 1) * 100, 1e-9));
}

static void test_degenerate(void)
{
    const char *why = NULL;
    double v = 0;
    const double r1[] = { 24.1 }, q1[] = { INFINITY };
    const double r2[] = { 0.2, 0.5, 1.0 }, q2[] = { 28, 31, 34 };
    CHECK(sweep_bd_rate(r1, q1, 1, r2, q2, 3, &v, &why) == -1 && isnan(v));
    CHECK(why && strstr(why, "lossless"));
    const double qn[] = { NAN, NAN };
    CHECK(sweep_bd_rate(r2, qn, 2, r2, q2, 3, &v, &why) == -1 && strstr(why, "fewer than 2 usable points"));
    const double q1f[] = { 60 };
    CHECK(sweep_bd_rate(r1, q1f, 1, r2, q2, 3, &v, &why) == -1 && strstr(why, "single point"));
    /* no overlap in quality */
    const double r3[] = { 2, 4 }, q3[] = { 40, 45 };
    CHECK(sweep_bd_rate(r2, q2, 3, r3, q3, 2, &v, &why) == -1 && strstr(why, "no overlap"));
    /* no overlap in rate */
    const double r4[] = { 5, 8 }, q4[] = { 30, 33 };
    CHECK(sweep_bd_quality(r2, q2, 3, r4, q4, 2, &v, &why) == -1 && strstr(why, "no overlap"));
    /* zero or negative rates and NaN are ignored, not fatal */
    const double r5[] = { 0, 0.2, NAN, 0.5, 1.0 }, q5[] = { 10, 28, 30, 31, 34 };
    CHECK(!sweep_bd_rate(r2, q2, 3, r5, q5, 5, &v, &why) && near(v, 0, 1e-9));
    /* duplicate qualities are merged instead of dividing by zero */
    const double r6[] = { 0.2, 0.21, 0.5, 1.0 }, q6[] = { 28, 28, 31, 34 };
    CHECK(!sweep_bd_rate(r2, q2, 3, r6, q6, 4, &v, &why) && isfinite(v));
    CHECK(sweep_msssim_db(0.99) > 19.99 && sweep_msssim_db(0.99) < 20.01);
    CHECK(isinf(sweep_msssim_db(1.0)));
}

static void test_published_pair(void)
{
    /* ../shared/anchors/compressai-kodak/compressai-bmshj2018-hyperprior_mse_cpu.json
     * and bpg_444_x265_ycbcr.json (CompressAI commit 869a9f5d) */
    const double h_bpp[] = { 0.13129340277777776, 0.20889282226562503, 0.3198581271701389, 0.47835625542534727,
                             0.6686842176649304, 0.9388258192274304, 1.2591722276475694, 1.6602240668402775 };
    const double h_psnr[] = { 27.58153679333392, 29.19669412138477, 30.972168705499175, 32.838191117040694,
                              34.5262427611008, 36.74336461762285, 38.58385584443213, 40.55687370015212 };
    const double h_ms[] = { 0.9173671156167984, 0.9420618464549383, 0.9610564212004343, 0.9748740047216415,
                            0.9835608204205831, 0.9892508039871851, 0.9928662578264872, 0.9954901412129402 };
    const double b_bpp[] = { 0.06776767306857638, 0.1610234578450521, 0.35155402289496523, 0.6846966213650174,
                             1.1996654934353295, 1.9297120836046002, 3.0578757392035594, 4.703142801920573 };
    const double b_psnr[] = { 26.19512806390954, 28.68154930675666, 31.5946565907943, 34.857473813062924,
                              38.259886899666974, 41.47887283561703, 44.70311031066196, 47.63251604714922 };
    const double b_ms[] = { 0.8685900047421455, 0.9242047940691313, 0.9611444820960363, 0.9807986840605736,
                            0.9904666990041733, 0.9949331854780515, 0.9975460593899091, 0.9988023291031519 };
    const char *why;
    double v;
    /* Independent check: a separate Python implementation of the same
     * definition (pchip slopes, Simpson integration instead of the closed
     * form) gives +3.929617 %, -0.184383 dB and -12.581568 % (MS-SSIM dB). */
    CHECK(!sweep_bd_rate(b_bpp, b_psnr, 8, h_bpp, h_psnr, 8, &v, &why));
    printf("bmshj2018-hyperprior vs BPG 4:4:4, Kodak: BD-rate %+.6f %%\n", v);
    CHECK(near(v, 3.929617, 2e-5));
    CHECK(!sweep_bd_quality(b_bpp, b_psnr, 8, h_bpp, h_psnr, 8, &v, &why));
    printf("bmshj2018-hyperprior vs BPG 4:4:4, Kodak: BD-PSNR %+.6f dB\n", v);
    CHECK(near(v, -0.184383, 2e-5));
    double hd[8], bdb[8];
    for (int i = 0; i < 8; i++) {
        hd[i] = sweep_msssim_db(h_ms[i]);
        bdb[i] = sweep_msssim_db(b_ms[i]);
    }
    CHECK(!sweep_bd_rate(b_bpp, bdb, 8, h_bpp, hd, 8, &v, &why));
    printf("bmshj2018-hyperprior vs BPG 4:4:4, Kodak: BD-rate (MS-SSIM dB) %+.6f %%\n", v);
    CHECK(near(v, -12.581568, 2e-5));
    /* antisymmetry in sign: b vs a and a vs b have opposite signs */
    double w;
    CHECK(!sweep_bd_rate(h_bpp, h_psnr, 8, b_bpp, b_psnr, 8, &w, &why) && w < 0);
}

int main(void)
{
    test_pchip();
    test_closed_forms();
    test_degenerate();
    test_published_pair();
    return test_summary();
}
