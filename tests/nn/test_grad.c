/* Finite-difference gradient checks of every layer, block and loss.
 *
 * For a network f and fixed random weights r, the scalar L = sum r * f(x)
 * is accumulated in double; the analytic gradients (backward with dy = r)
 * are compared with central differences (L(v + e) - L(v - e)) / 2e for
 * every input element and up to 48 sampled elements of every parameter.
 * Outputs that a perturbation does not reach are recomputed bit-identically,
 * so the difference carries only the rounding of the outputs it changes.
 * Pass: relative error ||analytic - numeric|| / max(||analytic||, ||numeric||)
 * < 1e-3 for every tensor. */
#include <math.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/nn/nn.h"
#include "tests/test.h"

static LccNn nn;
static uint64_t seed;
static double worst;

static float frnd(void)
{
    return (float)((double)(test_rand(&seed) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

typedef struct Case {
    LccNet net;
    LccTensor x;        /* malloc'ed data */
    float *r;
    size_t ny;
} Case;

static double loss(Case *const c, const LccRng *const noise_state)
{
    lcc_nn_reset(&nn);
    c->net.rng = *noise_state;
    LccTensor y;
    if (lcc_seq_forward(&nn, c->net.root, &c->x, &y, 1))
        return NAN;
    double s = 0;
    for (size_t i = 0; i < c->ny; i++)
        s += (double)c->r[i] * y.d[i];
    return s;
}

static double rel_err(const double *const a, const double *const b, const int n)
{
    double d = 0, na = 0, nb = 0;
    for (int i = 0; i < n; i++) {
        d += (a[i] - b[i]) * (a[i] - b[i]);
        na += a[i] * a[i];
        nb += b[i] * b[i];
    }
    const double den = sqrt(na > nb ? na : nb);
    return den < 1e-12 ? sqrt(d) : sqrt(d) / den;
}

static double tolerance = 1e-3;

/* x_abs_min > 0 keeps inputs away from kinks (ReLU) */
static void check(const char *const name, Case *const c, const float eps, const float x_abs_min)
{
    const LccRng noise0 = c->net.rng;
    const size_t nx = lcc_tensor_size(&c->x);
    for (size_t i = 0; i < nx; i++) {
        float v = frnd();
        if (x_abs_min > 0)
            v = (v < 0 ? -1.0f : 1.0f) * (x_abs_min + fabsf(v));
        c->x.d[i] = v;
    }
    /* analytic */
    lcc_nn_reset(&nn);
    c->net.rng = noise0;
    lcc_params_zero_grad(&c->net.params);
    LccTensor y, dx;
    lcc_status err = lcc_seq_forward(&nn, c->net.root, &c->x, &y, 1);
    CHECK_MSG(!err, "%s: forward failed", name);
    if (err)
        return;
    c->ny = lcc_tensor_size(&y);
    c->r = malloc(c->ny * sizeof(float));
    for (size_t i = 0; i < c->ny; i++)
        c->r[i] = frnd();
    LccTensor dy = lcc_nn_tensor(&nn, y.n, y.c, y.h, y.w);
    memcpy(dy.d, c->r, c->ny * sizeof(float));
    err = lcc_seq_backward(&nn, c->net.root, &dy, &dx);
    CHECK_MSG(!err, "%s: backward failed", name);
    double *const ga = malloc(sizeof(double) * (nx > 64 ? nx : 64)), *const gn = malloc(sizeof(double) * (nx > 64 ? nx : 64));
    for (size_t i = 0; i < nx; i++)
        ga[i] = dx.d[i];
    /* numeric, input */
    for (size_t i = 0; i < nx; i++) {
        const float v = c->x.d[i];
        c->x.d[i] = v + eps;
        const double lp = loss(c, &noise0);
        c->x.d[i] = v - eps;
        const double lm = loss(c, &noise0);
        c->x.d[i] = v;
        gn[i] = (lp - lm) / (2.0 * eps);
    }
    double e = rel_err(ga, gn, (int)nx);
    if (tolerance <= 1e-3 && e > worst)
        worst = e;
    CHECK_MSG(e < tolerance, "%s: d/dx relative error %.2e", name, e);
    double emax = e;
    /* numeric, parameters */
    for (int p = 0; p < c->net.params.n; p++) {
        LccParam *const par = c->net.params.p[p];
        const int n = par->size < 48 ? (int)par->size : 48;
        for (int s = 0; s < n; s++) {
            const size_t i = par->size <= 48 ? (size_t)s : (size_t)(test_rand(&seed) % par->size);
            ga[s] = par->g[i];
            const float v = par->w[i];
            par->w[i] = v + eps;
            const double lp = loss(c, &noise0);
            par->w[i] = v - eps;
            const double lm = loss(c, &noise0);
            par->w[i] = v;
            gn[s] = (lp - lm) / (2.0 * eps);
        }
        e = rel_err(ga, gn, n);
        if (tolerance <= 1e-3 && e > worst)
            worst = e;
        if (e > emax)
            emax = e;
        CHECK_MSG(e < tolerance, "%s: d/d%s relative error %.2e", name, par->name, e);
    }
    printf("%-28s max relative error %.2e\n", name, emax);
    free(ga);
    free(gn);
    free(c->r);
    free(c->x.d);
    lcc_net_free(&c->net);
}

static void start(Case *const c, const int n, const int ch, const int h, const int w)
{
    memset(c, 0, sizeof(*c));
    (void)!lcc_net_init(&c->net, test_rand(&seed));
    c->x = (LccTensor){ malloc(sizeof(float) * (size_t)n * ch * h * w), n, ch, h, w };
}

/* random non-trivial GDN parameters */
static void perturb(LccParams *const s, const float amount)
{
    for (int p = 0; p < s->n; p++)
        for (size_t i = 0; i < s->p[p]->size; i++)
            s->p[p]->w[i] += amount * frnd();
}

static void test_layers(void)
{
    Case c;
    const float eps = 3e-3f;

    start(&c, 2, 3, 5, 6);
    lcc_seq_conv2d(c.net.root, 3, 4, 3, 3, 1, 1, 1);
    check("conv2d 3x3 s1 p1", &c, eps, 0);

    start(&c, 2, 4, 7, 9);
    lcc_seq_conv2d(c.net.root, 4, 6, 5, 5, 2, 2, 1);
    check("conv2d 5x5 s2 p2 odd", &c, eps, 0);

    start(&c, 2, 5, 3, 4);
    lcc_seq_conv2d(c.net.root, 5, 3, 1, 1, 1, 0, 1);
    check("conv2d 1x1", &c, eps, 0);

    start(&c, 1, 4, 6, 5);
    lcc_seq_conv2d(c.net.root, 4, 4, 3, 3, 1, 1, 4);
    check("conv2d depthwise 3x3", &c, eps, 0);

    start(&c, 2, 3, 7, 6);
    lcc_seq_conv2d(c.net.root, 3, 3, 5, 5, 2, 2, 3);
    check("conv2d depthwise 5x5 s2", &c, eps, 0);

    start(&c, 2, 4, 5, 6);
    lcc_seq_conv2d(c.net.root, 4, 6, 3, 3, 1, 0, 2);
    check("conv2d groups=2 s1 p0", &c, eps, 0);

    start(&c, 1, 3, 1, 9);
    lcc_seq_conv1d(c.net.root, 3, 2, 5, 1, 1, 1);
    check("conv1d k5 s1 p1", &c, eps, 0);

    start(&c, 2, 4, 6, 7);
    lcc_seq_conv2d(c.net.root, 4, 6, 3, 3, 2, 1, 2);
    check("conv2d groups=2 s2", &c, eps, 0);

    start(&c, 2, 3, 1, 11);
    lcc_seq_conv1d(c.net.root, 3, 4, 5, 2, 2, 1);
    check("conv1d k5 s2", &c, eps, 0);

    start(&c, 2, 4, 1, 6);
    lcc_seq_convt1d(c.net.root, 4, 3, 5, 2, 2, 1);
    check("convT1d k5 s2", &c, eps, 0);

    start(&c, 2, 4, 3, 4);
    lcc_seq_convt2d(c.net.root, 4, 3, 5, 2, 2, 1);
    check("convT 5x5 s2 p2 op1", &c, eps, 0);

    start(&c, 1, 3, 4, 3);
    lcc_seq_convt2d(c.net.root, 3, 2, 3, 1, 1, 0);
    check("convT 3x3 s1", &c, eps, 0);

    start(&c, 3, 3, 2, 2);
    lcc_seq_linear(c.net.root, 12, 5);
    check("linear 12->5", &c, eps, 0);

    start(&c, 2, 4, 3, 3);
    lcc_seq_gdn(c.net.root, 4, 0);
    perturb(&c.net.params, 0.3f);
    check("GDN", &c, eps, 0);

    start(&c, 2, 4, 3, 3);
    lcc_seq_gdn(c.net.root, 4, 1);
    perturb(&c.net.params, 0.3f);
    check("IGDN", &c, eps, 0);

    start(&c, 2, 3, 4, 4);
    lcc_seq_act(c.net.root, LCC_LAYER_RELU, 0);
    check("ReLU", &c, eps, 0.05f);

    start(&c, 2, 3, 4, 4);
    lcc_seq_act(c.net.root, LCC_LAYER_LEAKY_RELU, 0.1f);
    check("LeakyReLU", &c, eps, 0.05f);

    start(&c, 2, 3, 4, 4);
    lcc_seq_act(c.net.root, LCC_LAYER_GELU, 0);
    check("GELU", &c, eps, 0);

    start(&c, 2, 3, 4, 4);
    lcc_seq_act(c.net.root, LCC_LAYER_SINE, 3.0f);
    check("sine w0=3", &c, 1e-3f, 0);

    start(&c, 2, 3, 4, 4);
    lcc_seq_act(c.net.root, LCC_LAYER_SIGMOID, 0);
    check("sigmoid", &c, eps, 0);

    start(&c, 2, 8, 3, 2);
    lcc_seq_shuffle(c.net.root, 2, 0);
    check("pixel shuffle 2", &c, eps, 0);

    start(&c, 2, 2, 4, 6);
    lcc_seq_shuffle(c.net.root, 2, 1);
    check("pixel unshuffle 2", &c, eps, 0);

    start(&c, 2, 2, 3, 4);
    lcc_seq_upsample(c.net.root, 2);
    check("bilinear x2", &c, eps, 0);

    start(&c, 1, 2, 3, 2);
    lcc_seq_upsample(c.net.root, 3);
    check("bilinear x3", &c, eps, 0);

    start(&c, 2, 3, 3, 3);
    lcc_seq_quant(c.net.root, LCC_LAYER_NOISE);
    check("uniform noise", &c, eps, 0);

    start(&c, 2, 4, 5, 5);
    {
        LccSeq *const b = lcc_seq_residual(c.net.root);
        lcc_seq_conv2d(b, 4, 4, 3, 3, 1, 1, 1);
        lcc_seq_act(b, LCC_LAYER_GELU, 0);  /* smooth: no kink inside a finite difference */
        lcc_seq_conv2d(b, 4, 4, 3, 3, 1, 1, 1);
    }
    check("residual block", &c, eps, 0);

    start(&c, 2, 4, 4, 5);
    {
        LccSeq *t, *m;
        (void)!lcc_seq_attention(c.net.root, &t, &m);
        lcc_seq_conv2d(t, 4, 4, 1, 1, 1, 0, 1);
        lcc_seq_act(t, LCC_LAYER_GELU, 0);
        lcc_seq_conv2d(m, 4, 4, 3, 3, 1, 1, 1);
    }
    check("attention block (gated)", &c, eps, 0);

    /* every output depends on every input and weight: a small case keeps
     * the rounding noise of the numeric gradient low */
    start(&c, 1, 4, 2, 3);
    lcc_seq_spatial_attention(c.net.root, 4, 3);
    perturb(&c.net.params, 0.3f);
    check("spatial attention", &c, 5e-3f, 0);

    /* A 7-layer composition (an integration check, not a layer): every
     * parameter of an early layer moves every output, so the float
     * rounding of all outputs enters each difference and the noise floor
     * of the numeric gradient is ~1e-3; the per-layer checks above use
     * 1e-3 with margin. */
    tolerance = 3e-3;
    start(&c, 1, 3, 8, 8);
    lcc_seq_conv2d(c.net.root, 3, 6, 5, 5, 2, 2, 1);
    lcc_seq_gdn(c.net.root, 6, 0);
    lcc_seq_conv2d(c.net.root, 6, 4, 3, 3, 2, 1, 1);
    lcc_seq_convt2d(c.net.root, 4, 6, 3, 2, 1, 1);
    lcc_seq_gdn(c.net.root, 6, 1);
    lcc_seq_conv2d(c.net.root, 6, 12, 3, 3, 1, 1, 1);
    lcc_seq_shuffle(c.net.root, 2, 0);
    check("encoder-decoder stack", &c, eps, 0);
    tolerance = 1e-3;
}

static void test_round_ste(void)
{
    LccNet net;
    (void)!lcc_net_init(&net, 1);
    lcc_seq_quant(net.root, LCC_LAYER_ROUND_STE);
    float xv[6] = { -1.5f, -0.49f, 0.2f, 0.5f, 1.7f, 2.49f }, want[6] = { -1, 0, 0, 1, 2, 2 };
    LccTensor x = { xv, 1, 6, 1, 1 }, y, dx;
    lcc_nn_reset(&nn);
    CHECK(!lcc_seq_forward(&nn, net.root, &x, &y, 1));
    CHECK(!memcmp(y.d, want, sizeof(want)));
    LccTensor dy = lcc_nn_tensor(&nn, 1, 6, 1, 1);
    for (int i = 0; i < 6; i++)
        dy.d[i] = (float)i - 2.5f;
    CHECK(!lcc_seq_backward(&nn, net.root, &dy, &dx));
    CHECK(!memcmp(dx.d, dy.d, sizeof(want)));   /* straight through */
    /* noise layer at inference rounds */
    LccNet n2;
    (void)!lcc_net_init(&n2, 1);
    lcc_seq_quant(n2.root, LCC_LAYER_NOISE);
    CHECK(!lcc_seq_forward(&nn, n2.root, &x, &y, 0));
    CHECK(!memcmp(y.d, want, sizeof(want)));
    lcc_net_free(&net);
    lcc_net_free(&n2);
}

static void test_ops(void)
{
    float a[12], b[6], yv[18], dyv[18], da[12], db[6];
    for (int i = 0; i < 12; i++)
        a[i] = (float)i;
    for (int i = 0; i < 6; i++)
        b[i] = 100.0f + (float)i;
    LccTensor ta = { a, 2, 2, 1, 3 }, tb = { b, 2, 1, 1, 3 }, ty = { yv, 2, 3, 1, 3 };
    CHECK(!lcc_op_concat(&ta, &tb, &ty));
    CHECK(yv[0] == 0 && yv[5] == 5 && yv[6] == 100 && yv[9] == 6 && yv[17] == 105);
    for (int i = 0; i < 18; i++)
        dyv[i] = yv[i] * 2;
    LccTensor tdy = { dyv, 2, 3, 1, 3 }, tda = { da, 2, 2, 1, 3 }, tdb = { db, 2, 1, 1, 3 };
    CHECK(!lcc_op_concat_backward(&tdy, &tda, &tdb));
    int ok = 1;
    for (int i = 0; i < 12; i++)
        ok &= da[i] == 2 * a[i];
    for (int i = 0; i < 6; i++)
        ok &= db[i] == 2 * b[i];
    CHECK(ok);
    LccTensor bad = { yv, 2, 4, 1, 3 };
    CHECK(lcc_op_concat(&ta, &tb, &bad) == LCC_EINVAL);
    /* add: y = a + a2; backward accumulates */
    float s[12], d1[12] = { 0 }, d2[12] = { 0 };
    LccTensor ts = { s, 2, 2, 1, 3 }, t1 = { d1, 2, 2, 1, 3 }, t2 = { d2, 2, 2, 1, 3 };
    lcc_op_add(&ta, &ta, &ts);
    CHECK(s[7] == 14.0f);
    lcc_op_add_backward(&ta, &t1, &t2);
    lcc_op_add_backward(&ta, &t1, NULL);
    CHECK(d1[5] == 10.0f && d2[5] == 5.0f);
}

static void test_losses(void)
{
    const int n = 24;
    float y[24], t[24], mu[24], sg[24], g[24], gm[24], gs[24];
    for (int i = 0; i < n; i++) {
        y[i] = 2.0f * frnd();   /* within the unfloored range of the likelihood */
        t[i] = frnd();
        mu[i] = frnd();
        sg[i] = 0.4f + fabsf(2.0f * frnd());
    }
    LccTensor ty = { y, 1, n, 1, 1 }, tt = { t, 1, n, 1, 1 }, tm = { mu, 1, n, 1, 1 }, ts = { sg, 1, n, 1, 1 };
    LccTensor tg = { g, 1, n, 1, 1 }, tgm = { gm, 1, n, 1, 1 }, tgs = { gs, 1, n, 1, 1 };
    /* MSE */
    double ga[24], gn[24];
    (void)lcc_loss_mse(&ty, &tt, &tg, 1.0f);
    const float eps = 1e-3f;
    for (int i = 0; i < n; i++) {
        ga[i] = g[i];
        const float v = y[i];
        y[i] = v + eps;
        const double lp = lcc_loss_mse(&ty, &tt, NULL, 1.0f);
        y[i] = v - eps;
        const double lm = lcc_loss_mse(&ty, &tt, NULL, 1.0f);
        y[i] = v;
        gn[i] = (lp - lm) / (2 * eps);
    }
    double e = rel_err(ga, gn, n);
    CHECK_MSG(e < 1e-3, "mse gradient error %.2e", e);
    /* Gaussian rate: gradients with respect to y, mu and sigma */
    memset(g, 0, sizeof(g));
    memset(gm, 0, sizeof(gm));
    memset(gs, 0, sizeof(gs));
    const double bits = lcc_loss_rate_gaussian(&ty, &tm, &ts, &tg, &tgm, &tgs, 1.0f);
    CHECK(bits > 0 && isfinite(bits));
    float *const vars[3] = { y, mu, sg };
    const float *const grads[3] = { g, gm, gs };
    for (int v = 0; v < 3; v++) {
        for (int i = 0; i < n; i++) {
            ga[i] = grads[v][i];
            const float x0 = vars[v][i];
            vars[v][i] = x0 + eps;
            const double lp = lcc_loss_rate_gaussian(&ty, &tm, &ts, NULL, NULL, NULL, 1.0f);
            vars[v][i] = x0 - eps;
            const double lm = lcc_loss_rate_gaussian(&ty, &tm, &ts, NULL, NULL, NULL, 1.0f);
            vars[v][i] = x0;
            gn[i] = (lp - lm) / (2 * eps);
        }
        e = rel_err(ga, gn, n);
        CHECK_MSG(e < 1e-3, "gaussian rate gradient %d error %.2e", v, e);
    }
    /* likelihood rate */
    float p[24], dp[24] = { 0 };
    for (int i = 0; i < n; i++)
        p[i] = 0.05f + 0.9f * fabsf(frnd());
    LccTensor tp = { p, 1, n, 1, 1 }, tdp = { dp, 1, n, 1, 1 };
    const double r = lcc_loss_rate(&tp, &tdp, 1.0f);
    double want = 0;
    for (int i = 0; i < n; i++)
        want -= log2(p[i]);
    CHECK(fabs(r - want) < 1e-9 * (1 + want));
    CHECK(fabs(dp[3] + 1.0 / (p[3] * log(2.0))) < 1e-4 * fabs(dp[3]));
    /* a symbol exactly at the mean with a tiny scale costs ~0 bits */
    float y0 = 0, m0 = 0, s0 = 0.01f;
    LccTensor a1 = { &y0, 1, 1, 1, 1 }, a2 = { &m0, 1, 1, 1, 1 }, a3 = { &s0, 1, 1, 1, 1 };
    CHECK(lcc_loss_rate_gaussian(&a1, &a2, &a3, NULL, NULL, NULL, 1.0f) < 1e-3);
    /* far in the floored tail the gradients still pull the mean towards
     * the value and the scale up */
    float yf = 40, mf = 0, sf = 1, fgy = 0, fgm = 0, fgs = 0;
    LccTensor f1 = { &yf, 1, 1, 1, 1 }, f2 = { &mf, 1, 1, 1, 1 }, f3 = { &sf, 1, 1, 1, 1 };
    LccTensor g1 = { &fgy, 1, 1, 1, 1 }, g2 = { &fgm, 1, 1, 1, 1 }, g3 = { &fgs, 1, 1, 1, 1 };
    lcc_loss_rate_gaussian(&f1, &f2, &f3, &g1, &g2, &g3, 1.0f);
    CHECK_MSG(fgy > 0 && fgm < 0 && fgs < 0, "floored tail gradients %g %g %g", fgy, fgm, fgs);
}

/* A convolution big enough to be split into bands of rows, run with 3
 * threads and the best kernels, against a direct double-precision
 * convolution: forward, data gradient and weight gradient. */
static void test_conv_bands(void)
{
    const int Ci = 64, Co = 8, Hh = 50, Ww = 40, S = 1,   /* 3 bands of 22 rows */ Ho = (Hh + 2 - 3) / S + 1, Wo = (Ww + 2 - 3) / S + 1;
    LccNn nn3;
    if (lcc_nn_init(&nn3, NULL, 3, lcc_cpu_flags()))
        return;
    LccNet net;
    (void)!lcc_net_init(&net, 77);
    LccLayer *const l = lcc_seq_conv2d(net.root, Ci, Co, 3, 3, S, 1, 1);
    LccTensor x = lcc_nn_tensor(&nn3, 1, Ci, Hh, Ww), y = lcc_nn_tensor(&nn3, 1, Co, Ho, Wo);
    LccTensor dy = lcc_nn_tensor(&nn3, 1, Co, Ho, Wo), dx = lcc_nn_tensor(&nn3, 1, Ci, Hh, Ww);
    for (size_t i = 0; i < lcc_tensor_size(&x); i++)
        x.d[i] = frnd();
    for (size_t i = 0; i < lcc_tensor_size(&dy); i++)
        dy.d[i] = frnd();
    CHECK(!lcc_layer_forward(&nn3, l, &x, &y, 1));
    lcc_params_zero_grad(&net.params);
    CHECK(!lcc_layer_backward(&nn3, l, &x, &y, &dy, &dx));
    double *const rx = calloc(lcc_tensor_size(&x), sizeof(double)), *const rw = calloc(l->w->size, sizeof(double));
    double ey = 0, ny = 0, ex = 0, nx = 0, ew = 0, nw = 0;
    for (int o = 0; o < Co; o++)
        for (int oy = 0; oy < Ho; oy++)
            for (int ox = 0; ox < Wo; ox++) {
                double s = l->b->w[o];
                const double g = dy.d[(o * Ho + oy) * Wo + ox];
                for (int c = 0; c < Ci; c++)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++) {
                            const int iy = oy * S - 1 + i, ix = ox * S - 1 + j;
                            if (iy < 0 || iy >= Hh || ix < 0 || ix >= Ww)
                                continue;
                            const size_t xi = ((size_t)c * Hh + iy) * Ww + ix, wi = ((size_t)(o * Ci + c) * 3 + i) * 3 + j;
                            s += (double)l->w->w[wi] * x.d[xi];
                            rx[xi] += (double)l->w->w[wi] * g;
                            rw[wi] += (double)x.d[xi] * g;
                        }
                const double v = y.d[(o * Ho + oy) * Wo + ox];
                ey += (v - s) * (v - s);
                ny += s * s;
            }
    for (size_t i = 0; i < lcc_tensor_size(&x); i++) {
        ex += (dx.d[i] - rx[i]) * (dx.d[i] - rx[i]);
        nx += rx[i] * rx[i];
    }
    for (size_t i = 0; i < l->w->size; i++) {
        ew += (l->w->g[i] - rw[i]) * (l->w->g[i] - rw[i]);
        nw += rw[i] * rw[i];
    }
    printf("banded conv vs direct: forward %.1e, dx %.1e, dw %.1e\n", sqrt(ey / ny), sqrt(ex / nx), sqrt(ew / nw));
    CHECK(sqrt(ey / ny) < 1e-5 && sqrt(ex / nx) < 1e-5 && sqrt(ew / nw) < 1e-5);
    free(rx);
    free(rw);
    lcc_net_free(&net);
    lcc_nn_uninit(&nn3);
}

/* After a warm-up pass, forward and backward passes allocate nothing. */
static void test_no_malloc(void)
{
    LccNet net;
    (void)!lcc_net_init(&net, 3);
    lcc_seq_conv2d(net.root, 3, 8, 5, 5, 2, 2, 1);
    lcc_seq_gdn(net.root, 8, 0);
    lcc_seq_convt2d(net.root, 8, 3, 5, 2, 2, 1);
    float xv[3 * 32 * 32];
    for (int i = 0; i < 3 * 32 * 32; i++)
        xv[i] = frnd();
    LccTensor x = { xv, 1, 3, 32, 32 }, y, dx;
    size_t before = 0;
    for (int pass = 0; pass < 4; pass++) {
        if (pass == 2)
            before = lcc_arena_mallocs();
        lcc_nn_reset(&nn);
        CHECK(!lcc_seq_forward(&nn, net.root, &x, &y, 1));
        LccTensor dy = lcc_nn_tensor(&nn, y.n, y.c, y.h, y.w);
        (void)lcc_loss_mse(&y, &x, &dy, 1.0f);
        CHECK(!lcc_seq_backward(&nn, net.root, &dy, &dx));
    }
    CHECK_MSG(lcc_arena_mallocs() == before, "arena allocated %zu times after warm-up", lcc_arena_mallocs() - before);
    lcc_net_free(&net);
}

int main(void)
{
    seed = test_seed();
    /* single thread and the C kernels: the most exact reference; the
     * threaded SIMD paths are compared with C in checkasm */
    if (lcc_nn_init(&nn, NULL, 1, 0))
        return 1;
    test_layers();
    test_round_ste();
    test_ops();
    test_losses();
    test_conv_bands();
    test_no_malloc();
    printf("worst relative error %.2e (layers: < 1e-3 required)\n", worst);
    lcc_nn_uninit(&nn);
    return test_summary();
}
