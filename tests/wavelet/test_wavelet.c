/* Float wavelet transforms: shapes, known values, filter-bank equivalence,
 * perfect reconstruction, adjoints (identity and explicit transposes),
 * channel order and energy. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/internal.h"
#include "tests/test.h"
#include "wavelet/wavelet.h"
#include "wavelet/wavelet_isa.h"

static uint64_t seed;

static float frand(void)
{
    return (float)((test_rand(&seed) >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static int irand(int lo, int hi)
{
    return lo + (int)(test_rand(&seed) % (uint64_t)(hi - lo + 1));
}

typedef struct Bufs {
    float *x, *X, *y, *ws;
    size_t nx, nX;
} Bufs;

static int bufs_alloc(Bufs *b, const WaveletSpec *s)
{
    b->nx = wavelet_signal_count(s);
    b->nX = wavelet_coef_count(s);
    b->x = malloc(b->nx * sizeof(float));
    b->y = malloc(b->nx * sizeof(float));
    b->X = malloc(b->nX * sizeof(float));
    b->ws = malloc(wavelet_workspace_bytes(s));
    return b->x && b->y && b->X && b->ws;
}

static void bufs_free(Bufs *b)
{
    free(b->x);
    free(b->X);
    free(b->y);
    free(b->ws);
}

static void fill_nan(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
}

static const char *kind_name[] = { "haar", "cdf97", "legall53", "int53" };

static void test_shapes(void)
{
    WaveletSpec s = { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 3, 3, 768, 512 };
    int c, h, w;
    CHECK(wavelet_check(&s) == 0);
    wavelet_coef_shape(&s, &c, &h, &w);
    CHECK(c == 192 && h == 64 && w == 96);
    CHECK(wavelet_coef_count(&s) == (size_t)3 * 768 * 512);
    s = (WaveletSpec){ WAVELET_CDF97, WAVELET_TREE_PACKET, 1, 8, 2, 1000, 1 };
    wavelet_coef_shape(&s, &c, &h, &w);
    CHECK(c == 512 && h == 1 && w == 4);
    CHECK(wavelet_coef_count(&s) == 2048);
    CHECK(wavelet_workspace_bytes(&s) == (2 * 1024 + 1024) * 4);   /* 2 planes + a row */
    s = (WaveletSpec){ WAVELET_HAAR, WAVELET_TREE_PACKET, 2, 2, 1, 5, 3 };
    wavelet_coef_shape(&s, &c, &h, &w);
    CHECK(c == 16 && h == 1 && w == 2);
    s = (WaveletSpec){ WAVELET_HAAR, WAVELET_TREE_DYADIC, 2, 4, 2, 5, 3 };
    wavelet_coef_shape(&s, &c, &h, &w);
    CHECK(c == 2 && h == 3 && w == 5);
    CHECK(wavelet_band_size(1, 4) == 1 && wavelet_band_size(17, 4) == 2 && wavelet_band_size(16, 4) == 1);

    /* invalid specs are refused before any memory is touched */
    float dummy[4];
    const WaveletSpec bad[] = {
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 3, 1, 1, 8, 8 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, 1, 1, 8, 2 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, -1, 1, 8, 8 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, WAVELET_MAX_LEVELS + 1, 1, 8, 8 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 1, 0, 8, 8 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 1, 1, 0, 8 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 1, 1, 8, -3 },
        { (WaveletKind)7, WAVELET_TREE_PACKET, 2, 1, 1, 8, 8 },
        { WAVELET_CDF97, (WaveletTree)5, 2, 1, 1, 8, 8 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_MSG(wavelet_check(&bad[i]) == LCC_EINVAL, "bad spec %zu", i);
        CHECK(wavelet_coef_count(&bad[i]) == 0 && wavelet_workspace_bytes(&bad[i]) == 0);
        CHECK(wavelet_forward(&bad[i], dummy, dummy, dummy) == LCC_EINVAL);
    }
    const WaveletSpec big[] = {
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 16, 1, 8, 8 },               /* 4^16 channels */
        { WAVELET_CDF97, WAVELET_TREE_DYADIC, 2, 1, 1, WAVELET_MAX_DIM + 1, 1 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 1, INT32_MAX, 1 << 20, 1 << 20 },
    };
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
        CHECK_MSG(wavelet_check(&big[i]) == LCC_ERANGE, "big spec %zu", i);
    s = (WaveletSpec){ WAVELET_INT53, WAVELET_TREE_PACKET, 2, 1, 1, 2, 2 };
    CHECK(wavelet_forward(&s, dummy, dummy, dummy) == LCC_EINVAL);   /* int kind in float call */
    s.kind = WAVELET_HAAR;
    CHECK(wavelet_forward(&s, NULL, dummy, dummy) == LCC_EINVAL);
    CHECK(wavelet_int53_forward(&s, (int32_t *)dummy, (int32_t *)dummy, dummy) == LCC_EINVAL);
}

static void test_haar_values(void)
{
    const float r2 = sqrtf(2.0f);
    float X[4], ws[256];
    const float x1[4] = { 1, 2, 3, 4 };
    WaveletSpec s = { WAVELET_HAAR, WAVELET_TREE_PACKET, 1, 1, 1, 4, 1 };
    CHECK(wavelet_forward(&s, x1, X, ws) == 0);
    CHECK(fabsf(X[0] - 3 / r2) < 1e-6f && fabsf(X[1] - 7 / r2) < 1e-6f);
    CHECK(fabsf(X[2] - 1 / r2) < 1e-6f && fabsf(X[3] - 1 / r2) < 1e-6f);
    /* 2D: [[a b] [c d]]; band 1 = lo-x hi-y, band 2 = hi-x lo-y */
    const float a = 1, b = 2, c = 3, d = 5, x2[4] = { a, b, c, d };
    s = (WaveletSpec){ WAVELET_HAAR, WAVELET_TREE_PACKET, 2, 1, 1, 2, 2 };
    CHECK(wavelet_workspace_bytes(&s) <= sizeof(ws));
    CHECK(wavelet_forward(&s, x2, X, ws) == 0);
    CHECK(fabsf(X[0] - (a + b + c + d) / 2) < 1e-6f);
    CHECK(fabsf(X[1] - (c + d - a - b) / 2) < 1e-6f);
    CHECK(fabsf(X[2] - (b - a + d - c) / 2) < 1e-6f);
    CHECK(fabsf(X[3] - (a - b - c + d) / 2) < 1e-6f);
}

/* One level of the lifting = the analysis filter bank on the whole-sample
 * symmetric extension: check every output sample against the direct
 * convolution with the (pywt-normalised) filter taps. */
static int sym(int i, int n)
{
    if (n == 1)
        return 0;
    const int p = 2 * (n - 1);
    i %= p;
    if (i < 0)
        i += p;
    return i < n ? i : p - i;
}

static void test_filter_bank(WaveletKind kind)
{
    /* JPEG 2000 analysis taps (centre first), lo DC gain 1, hi Nyquist gain 2 */
    static const double lo97[] = { 0.602949018236360, 0.266864118442875, -0.078223266528990,
                                   -0.016864118442875, 0.026748757410810 };
    static const double hi97[] = { 1.115087052457000, -0.591271763114250, -0.057543526228500,
                                   0.091271763114250 };
    static const double lo53[] = { 0.75, 0.25, -0.125 };
    static const double hi53[] = { 1.0, -0.5 };
    const double *lo = kind == WAVELET_CDF97 ? lo97 : lo53, *hi = kind == WAVELET_CDF97 ? hi97 : hi53;
    const int nlo = kind == WAVELET_CDF97 ? 5 : 3, nhi = kind == WAVELET_CDF97 ? 4 : 2;
    const int lens[] = { 2, 3, 4, 5, 6, 7, 9, 16, 33, 64 };
    float x[64], X[64], ws[128];
    for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
        const int n = lens[t], nl = (n + 1) / 2;
        for (int i = 0; i < n; i++)
            x[i] = frand();
        WaveletSpec s = { kind, WAVELET_TREE_DYADIC, 1, 1, 1, n, 1 };
        CHECK(wavelet_forward(&s, x, X, ws) == 0);
        double err = 0;
        for (int i = 0; i < nl; i++) {
            double v = lo[0] * x[2 * i];
            for (int k = 1; k < nlo; k++)
                v += lo[k] * (x[sym(2 * i - k, n)] + x[sym(2 * i + k, n)]);
            err = fmax(err, fabs(v * sqrt(2.0) - X[i]));
        }
        for (int i = 0; i < n / 2; i++) {
            double v = hi[0] * x[2 * i + 1];
            for (int k = 1; k < nhi; k++)
                v += hi[k] * (x[sym(2 * i + 1 - k, n)] + x[sym(2 * i + 1 + k, n)]);
            err = fmax(err, fabs(v / sqrt(2.0) - X[nl + i]));
        }
        CHECK_MSG(err < 2e-6, "%s filter bank n=%d: max err %g", kind_name[kind], n, err);
    }
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

static double norm2(const float *a, size_t n)
{
    return sqrt(dot(a, a, n));
}

/* Perfect reconstruction and the adjoint identities on random specs. */
static void test_random(void)
{
    const int sizes[] = { 1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 45 };
    const int nsizes = sizeof(sizes) / sizeof(sizes[0]);
    int cases = 0;
    for (int kind = WAVELET_HAAR; kind <= WAVELET_LEGALL53; kind++)
        for (int tree = 0; tree < 2; tree++)
            for (int dims = 1; dims <= 2; dims++)
                for (int J = 0; J <= 4; J++)
                    for (int rep = 0; rep < (J ? 6 : 2); rep++) {
                        WaveletSpec s = { (WaveletKind)kind, (WaveletTree)tree, dims, J, irand(1, 3),
                                          sizes[irand(0, nsizes - 1)], 1 };
                        if (dims == 2)
                            s.height = sizes[irand(0, nsizes - 1)];
                        else if (rep == 5)
                            s.width = irand(100, 3000);   /* audio-like lengths */
                        if (rep == 0)
                            s.width = 1;
                        Bufs b;
                        if (wavelet_check(&s) || !bufs_alloc(&b, &s)) {
                            CHECK(0);
                            return;
                        }
                        for (size_t i = 0; i < b.nx; i++)
                            b.x[i] = frand() * 100.0f + 20.0f;
                        float lo = b.x[0], hi = b.x[0];
                        for (size_t i = 0; i < b.nx; i++) {
                            lo = fminf(lo, b.x[i]);
                            hi = fmaxf(hi, b.x[i]);
                        }
                        /* the range, or the magnitude for (nearly) constant signals */
                        const float range = fmaxf(hi - lo, fmaxf(fabsf(hi), fabsf(lo)));
                        fill_nan(b.X, b.nX);
                        fill_nan(b.y, b.nx);
                        CHECK(wavelet_forward(&s, b.x, b.X, b.ws) == 0);
                        CHECK(wavelet_inverse(&s, b.X, b.y, b.ws) == 0);
                        double err = 0;
                        int finite = 1;
                        for (size_t i = 0; i < b.nX; i++)
                            finite &= isfinite(b.X[i]) != 0;
                        for (size_t i = 0; i < b.nx; i++)
                            err = fmax(err, fabs((double)b.y[i] - b.x[i]));
                        CHECK_MSG(finite && err < 1e-5 * range,
                                  "%s %s %dD J=%d C=%d %dx%d: PR error %g (range %g)", kind_name[kind],
                                  tree ? "dyadic" : "packet", dims, J, s.channels, s.width, s.height, err,
                                  (double)range);

                        /* <W x, Y> = <x, W^T Y> and <W^-1 X, y> = <X, W^-T y> */
                        float *Y = malloc(b.nX * sizeof(float)), *g = malloc(b.nX * sizeof(float));
                        float *gx = malloc(b.nx * sizeof(float)), *yy = malloc(b.nx * sizeof(float));
                        if (!Y || !g || !gx || !yy) {
                            CHECK(0);
                            return;
                        }
                        for (size_t i = 0; i < b.nX; i++)
                            Y[i] = frand();
                        for (size_t i = 0; i < b.nx; i++)
                            yy[i] = frand();
                        fill_nan(gx, b.nx);
                        CHECK(wavelet_forward_adjoint(&s, Y, gx, b.ws) == 0);
                        const double l1 = dot(b.X, Y, b.nX), r1 = dot(b.x, gx, b.nx);
                        const double t1 = fmax(norm2(b.X, b.nX) * norm2(Y, b.nX), norm2(b.x, b.nx) * norm2(gx, b.nx));
                        CHECK_MSG(fabs(l1 - r1) <= 1e-5 * t1, "%s forward adjoint: %g vs %g", kind_name[kind], l1,
                                  r1);
                        /* inverse of random coefficients */
                        CHECK(wavelet_inverse(&s, Y, b.y, b.ws) == 0);
                        fill_nan(g, b.nX);
                        CHECK(wavelet_inverse_adjoint(&s, yy, g, b.ws) == 0);
                        const double l2 = dot(b.y, yy, b.nx), r2 = dot(Y, g, b.nX);
                        const double t2 = fmax(norm2(b.y, b.nx) * norm2(yy, b.nx), norm2(Y, b.nX) * norm2(g, b.nX));
                        CHECK_MSG(fabs(l2 - r2) <= 1e-5 * t2, "%s inverse adjoint: %g vs %g", kind_name[kind], l2,
                                  r2);
                        free(Y);
                        free(g);
                        free(gx);
                        free(yy);
                        bufs_free(&b);
                        cases++;
                    }
    printf("%d random transforms\n", cases);
}

/* Build the matrices of forward/inverse column by column on tiny specs and
 * check that the adjoints return exactly their transposes. */
static void test_explicit_transpose(void)
{
    const WaveletSpec specs[] = {
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 2, 1, 3, 5 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 1, 2, 1, 2 },
        { WAVELET_HAAR, WAVELET_TREE_PACKET, 2, 2, 1, 5, 2 },
        { WAVELET_LEGALL53, WAVELET_TREE_DYADIC, 2, 3, 1, 5, 6 },
        { WAVELET_CDF97, WAVELET_TREE_DYADIC, 2, 2, 1, 7, 3 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, 3, 2, 5, 1 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, 2, 1, 1, 1 },
        { WAVELET_HAAR, WAVELET_TREE_DYADIC, 1, 3, 1, 11, 1 },
    };
    for (size_t t = 0; t < sizeof(specs) / sizeof(specs[0]); t++) {
        const WaveletSpec *s = &specs[t];
        Bufs b;
        if (!bufs_alloc(&b, s)) {
            CHECK(0);
            return;
        }
        const size_t nx = b.nx, nX = b.nX;
        float *F = malloc(nx * nX * sizeof(float)), *I = malloc(nx * nX * sizeof(float));
        float *e = calloc(nX > nx ? nX : nx, sizeof(float)), *o = malloc((nX > nx ? nX : nx) * sizeof(float));
        if (!F || !I || !e || !o) {
            CHECK(0);
            return;
        }
        /* F[j][i] = (W e_i)_j,  I[i][j] = (W^-1 e_j)_i */
        for (size_t i = 0; i < nx; i++) {
            e[i] = 1;
            wavelet_forward(s, e, o, b.ws);
            e[i] = 0;
            for (size_t j = 0; j < nX; j++)
                F[j * nx + i] = o[j];
        }
        for (size_t j = 0; j < nX; j++) {
            e[j] = 1;
            wavelet_inverse(s, e, o, b.ws);
            e[j] = 0;
            for (size_t i = 0; i < nx; i++)
                I[i * nX + j] = o[i];
        }
        double ef = 0, ei = 0;
        for (size_t j = 0; j < nX; j++) {   /* W^T e_j = row j of F */
            e[j] = 1;
            wavelet_forward_adjoint(s, e, o, b.ws);
            e[j] = 0;
            for (size_t i = 0; i < nx; i++)
                ef = fmax(ef, fabs((double)o[i] - F[j * nx + i]));
        }
        for (size_t i = 0; i < nx; i++) {   /* W^-T e_i = row i of I */
            e[i] = 1;
            wavelet_inverse_adjoint(s, e, o, b.ws);
            e[i] = 0;
            for (size_t j = 0; j < nX; j++)
                ei = fmax(ei, fabs((double)o[j] - I[i * nX + j]));
        }
        CHECK_MSG(ef < 1e-5 && ei < 1e-5, "spec %zu: transpose errors %g %g", t, ef, ei);
        free(F);
        free(I);
        free(e);
        free(o);
        bufs_free(&b);
    }
}

/* J levels = J times one level applied to all channels (WaLLoC's order:
 * channel c*4^J + b_1*4^(J-1) + ... + b_J). */
static void test_channel_order(void)
{
    for (int dims = 1; dims <= 2; dims++) {
        const int C = 2, w = 24, h = dims == 2 ? 16 : 1, nb = dims == 2 ? 4 : 2;
        WaveletSpec s2 = { WAVELET_CDF97, WAVELET_TREE_PACKET, dims, 2, C, w, h };
        WaveletSpec s1 = { WAVELET_CDF97, WAVELET_TREE_PACKET, dims, 1, C, w, h };
        WaveletSpec s1b = { WAVELET_CDF97, WAVELET_TREE_PACKET, dims, 1, C * nb, w / 2, dims == 2 ? h / 2 : 1 };
        const size_t n = (size_t)C * w * h;
        float *x = malloc(n * sizeof(float)), *A = malloc(n * sizeof(float)), *B = malloc(n * sizeof(float));
        float *D = malloc(n * sizeof(float)), *ws = malloc(wavelet_workspace_bytes(&s2));
        if (!x || !A || !B || !D || !ws) {
            CHECK(0);
            return;
        }
        for (size_t i = 0; i < n; i++)
            x[i] = frand();
        wavelet_forward(&s2, x, A, ws);
        wavelet_forward(&s1, x, B, ws);
        wavelet_forward(&s1b, B, D, ws);
        double err = 0;
        for (size_t i = 0; i < n; i++)
            err = fmax(err, fabs((double)A[i] - D[i]));
        CHECK_MSG(err < 1e-6, "%dD J=2 != J=1 twice: %g", dims, err);

        /* a signal that varies only along y has no hi-x energy (bands 2, 3) */
        if (dims == 2) {
            for (int c = 0; c < C; c++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++)
                        x[((size_t)c * h + y) * w + xx] = sinf(0.7f * y + c);
            wavelet_forward(&s1, x, B, ws);
            const size_t band = (size_t)(w / 2) * (h / 2);
            double e23 = 0, e1 = 0;
            for (int c = 0; c < C; c++) {
                e1 += dot(B + (c * 4 + 1) * band, B + (c * 4 + 1) * band, band);
                e23 += dot(B + (c * 4 + 2) * band, B + (c * 4 + 2) * band, 2 * band);
            }
            CHECK_MSG(e23 < 1e-10 && e1 > 1e-2, "band order: hi-x energy %g, lo-x hi-y energy %g", e23, e1);
        }
        free(x);
        free(A);
        free(B);
        free(D);
        free(ws);
    }
}

static void test_energy_and_constants(void)
{
    /* Haar on power-of-two sizes is orthonormal: energy kept, W^T = W^-1 */
    WaveletSpec s = { WAVELET_HAAR, WAVELET_TREE_PACKET, 2, 3, 2, 32, 16 };
    Bufs b;
    if (!bufs_alloc(&b, &s)) {
        CHECK(0);
        return;
    }
    for (size_t i = 0; i < b.nx; i++)
        b.x[i] = frand();
    wavelet_forward(&s, b.x, b.X, b.ws);
    CHECK(fabs(norm2(b.X, b.nX) / norm2(b.x, b.nx) - 1) < 1e-6);
    wavelet_forward_adjoint(&s, b.X, b.y, b.ws);
    double err = 0;
    for (size_t i = 0; i < b.nx; i++)
        err = fmax(err, fabs((double)b.y[i] - b.x[i]));
    CHECK(err < 1e-5);
    bufs_free(&b);
    /* CDF 9/7 is nearly orthonormal: white noise gains ~1.2% of norm per
     * 1D split (filter norms^2 1.040 and 0.983), so ~4% at J=3 in 2D */
    s = (WaveletSpec){ WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 3, 1, 128, 128 };
    if (!bufs_alloc(&b, &s)) {
        CHECK(0);
        return;
    }
    for (size_t i = 0; i < b.nx; i++)
        b.x[i] = frand();
    wavelet_forward(&s, b.x, b.X, b.ws);
    const double ratio = norm2(b.X, b.nX) / norm2(b.x, b.nx);
    CHECK_MSG(ratio > 1.0 && ratio < 1.08, "cdf97 energy ratio %g", ratio);
    bufs_free(&b);

    /* a constant image: all energy in channel 0 (LL...L), gain 2 per 2D level */
    s = (WaveletSpec){ WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 2, 1, 7, 5 };
    if (!bufs_alloc(&b, &s)) {
        CHECK(0);
        return;
    }
    for (size_t i = 0; i < b.nx; i++)
        b.x[i] = 0.3f;
    wavelet_forward(&s, b.x, b.X, b.ws);
    const size_t band = b.nX / 16;
    double e0 = 0, eo = 0;
    for (size_t i = 0; i < b.nX; i++) {
        if (i < band)
            e0 = fmax(e0, fabs(b.X[i] - 0.3 * 4));
        else
            eo = fmax(eo, fabs(b.X[i]));
    }
    CHECK_MSG(e0 < 1e-5 && eo < 1e-5, "constant: LL error %g, others %g", e0, eo);
    bufs_free(&b);
}

/* No hidden state: the same transforms on two threads at once give the
 * results of the serial calls, bit for bit. */
typedef struct Job {
    WaveletSpec s;
    const float *x;
    float *X, *y;
    void *ws;
} Job;

static void *job_run(void *arg)
{
    Job *j = arg;
    for (int r = 0; r < 20; r++) {
        wavelet_forward(&j->s, j->x, j->X, j->ws);
        wavelet_inverse(&j->s, j->X, j->y, j->ws);
    }
    return NULL;
}

static void test_threads(void)
{
    Job jobs[2] = { { { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 3, 2, 61, 37 }, 0, 0, 0, 0 },
                    { { WAVELET_HAAR, WAVELET_TREE_DYADIC, 1, 4, 3, 1001, 1 }, 0, 0, 0, 0 } };
    float *ref[2] = { 0, 0 };
    int ok = 1;
    for (int t = 0; t < 2; t++) {
        Job *j = &jobs[t];
        const size_t nx = wavelet_signal_count(&j->s), nX = wavelet_coef_count(&j->s);
        float *x = malloc(nx * sizeof(float));
        j->X = malloc(nX * sizeof(float));
        j->y = malloc(nx * sizeof(float));
        j->ws = malloc(wavelet_workspace_bytes(&j->s));
        ref[t] = malloc(nX * sizeof(float));
        if (!x || !j->X || !j->y || !j->ws || !ref[t]) {
            CHECK(0);
            return;
        }
        for (size_t i = 0; i < nx; i++)
            x[i] = frand();
        j->x = x;
        wavelet_forward(&j->s, x, ref[t], j->ws);
    }
    pthread_t th[2];
    int started[2];
    for (int t = 0; t < 2; t++)
        started[t] = pthread_create(&th[t], NULL, job_run, &jobs[t]) == 0;
    for (int t = 0; t < 2; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            job_run(&jobs[t]);
        ok &= !memcmp(jobs[t].X, ref[t], wavelet_coef_count(&jobs[t].s) * sizeof(float));
        free((void *)jobs[t].x);
        free(jobs[t].X);
        free(jobs[t].y);
        free(jobs[t].ws);
        free(ref[t]);
    }
    CHECK(ok);
}

/* The SIMD build of the kernels gives bit-identical results to the C
 * build (no FMA contraction), for every op, kind and tree. */
static void test_simd_vs_c(void)
{
    printf("kernels: %s\n", lcc_cpu_name(lcc_cpu_flags()));
    const WaveletSpec specs[] = {
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 2, 3, 3, 77, 45 },
        { WAVELET_HAAR, WAVELET_TREE_PACKET, 2, 2, 1, 130, 9 },
        { WAVELET_LEGALL53, WAVELET_TREE_DYADIC, 2, 4, 2, 91, 66 },
        { WAVELET_CDF97, WAVELET_TREE_DYADIC, 1, 5, 2, 4099, 1 },
        { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, 8, 2, 5000, 1 },
    };
    int same = 1;
    for (size_t t = 0; t < sizeof(specs) / sizeof(specs[0]); t++) {
        const WaveletSpec *s = &specs[t];
        const size_t nx = wavelet_signal_count(s), nX = wavelet_coef_count(s), n = nx > nX ? nx : nX;
        float *in = malloc(n * sizeof(float)), *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
        void *ws = malloc(wavelet_workspace_bytes(s));
        if (!in || !a || !b || !ws) {
            CHECK(0);
            return;
        }
        for (size_t i = 0; i < n; i++)
            in[i] = frand();
        for (int op = 0; op < 4; op++) {
            int (*const f[4])(const WaveletSpec *, const float *, float *, void *) = {
                wavelet_forward, wavelet_inverse, wavelet_forward_adjoint, wavelet_inverse_adjoint
            };
            const size_t nout = op == 0 || op == 3 ? nX : nx;
            lcc_cpu_set_flags_mask(0);
            f[op](s, in, a, ws);
            lcc_cpu_set_flags_mask(LCC_CPU_FLAGS_ALL);
            f[op](s, in, b, ws);
            same &= !memcmp(a, b, nout * sizeof(float));
        }
        free(in);
        free(a);
        free(b);
        free(ws);
    }
    CHECK(same);
}

/* checkasm-style: every ISA level (C, AVX2, AVX-512, as far as the CPU
 * has them) gives bit-identical outputs for every op on random specs,
 * mostly 2D packet (the two-pass path) of odd, tiny and non-2^J sizes;
 * and the two-pass 2D packet path equals the per-level reference
 * (wavelet_run_f_ref) up to float rounding: the operation order differs
 * (all row levels, then all column levels, instead of columns and rows
 * level by level), so the check is max |out - ref| <= 1e-6 * max |ref|
 * (not bit equality). */
static void test_isa_levels(void)
{
    const unsigned masks[] = { 0, LCC_CPU_FLAG_AVX2, LCC_CPU_FLAGS_ALL };
    int (*const f[4])(const WaveletSpec *, const float *, float *, void *) = {
        wavelet_forward, wavelet_inverse, wavelet_forward_adjoint, wavelet_inverse_adjoint
    };
    int same = 1, close = 1;
    double worst = 0;
    for (int t = 0; t < 120; t++) {
        WaveletSpec s;
        s.kind = (WaveletKind)irand(0, 2);
        s.tree = t % 8 == 7 ? WAVELET_TREE_DYADIC : WAVELET_TREE_PACKET;
        s.dims = t % 16 == 15 ? 1 : 2;
        s.levels = irand(0, t % 4 == 0 ? 5 : 3);
        s.channels = irand(1, 3);
        s.width = t < 8 ? t + 1 : irand(1, t % 5 == 0 ? 300 : 70);
        s.height = s.dims == 1 ? 1 : t < 8 ? 8 - t : irand(1, 70);
        if (t == 9)
            s.width = 768, s.height = 19, s.levels = 3;
        const size_t nx = wavelet_signal_count(&s), nX = wavelet_coef_count(&s), n = nx > nX ? nx : nX;
        float *in = malloc(n * sizeof(float)), *out[3], *ref = malloc(n * sizeof(float));
        void *ws = malloc(wavelet_workspace_bytes(&s));
        for (int k = 0; k < 3; k++)
            out[k] = malloc(n * sizeof(float));
        if (!in || !ref || !ws || !out[0] || !out[1] || !out[2]) {
            CHECK(0);
            return;
        }
        for (size_t i = 0; i < n; i++)
            in[i] = frand();
        for (int op = 0; op < 4; op++) {
            const size_t nout = op == 0 || op == 3 ? nX : nx;
            for (int k = 0; k < 3; k++) {
                fill_nan(out[k], n);
                lcc_cpu_set_flags_mask(masks[k]);
                f[op](&s, in, out[k], ws);
            }
            lcc_cpu_set_flags_mask(LCC_CPU_FLAGS_ALL);
            for (int k = 1; k < 3; k++)
                if (memcmp(out[0], out[k], nout * sizeof(float))) {
                    same = 0;
                    printf("ISA mismatch: kind %d tree %d dims %d J %d C %d %dx%d op %d mask %u\n", s.kind, s.tree,
                           s.dims, s.levels, s.channels, s.width, s.height, op, masks[k]);
                }
            wavelet_run_f_ref(&s, in, ref, ws, op);
            double e = 0, m = 0;
            for (size_t i = 0; i < nout; i++) {
                e = fmax(e, fabs((double)out[0][i] - ref[i]));
                m = fmax(m, fabs((double)ref[i]));
            }
            if (!(e <= 1e-6 * m)) {
                close = 0;
                printf("two-pass vs reference: kind %d tree %d dims %d J %d %dx%d op %d: %g of %g\n", s.kind,
                       s.tree, s.dims, s.levels, s.width, s.height, op, e, m);
            }
            worst = fmax(worst, m > 0 ? e / m : 0);
        }
        free(in);
        free(ref);
        free(ws);
        for (int k = 0; k < 3; k++)
            free(out[k]);
    }
    printf("two-pass 2D packet vs per-level reference: max relative difference %.3g\n", worst);
    CHECK(same);
    CHECK(close);
}

int main(void)
{
    seed = test_seed();
    test_simd_vs_c();
    test_isa_levels();
    test_threads();
    test_shapes();
    test_haar_values();
    test_filter_bank(WAVELET_CDF97);
    test_filter_bank(WAVELET_LEGALL53);
    test_random();
    test_explicit_transpose();
    test_channel_order();
    test_energy_and_constants();
    return test_summary();
}
