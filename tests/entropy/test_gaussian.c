/* Gaussian/Laplace conditional: integer scale tables (invariants,
 * determinism, golden hash, closeness to the exact discretized
 * distributions), integer scale-index mapping, finite-difference checks of
 * the training backward, and a mean-scale coding round trip whose size is
 * compared with the ideal code length. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/entropy.h"
#include "entropy/gaussian.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"
#include "test.h"

#define VECTOR_SIZE 16536
#define VECTOR_HASH 0xa28f2316f4425888ull

static uint64_t seed;

static double urand(void)
{
    return (double)(test_rand(&seed) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    const double u = urand() + 1e-300, v = urand();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* exact mass of [k - 1/2, k + 1/2] under dist(0, s) */
static double exact_mass(LccDist dist, double s, double k)
{
    if (dist == LCC_DIST_GAUSSIAN)
        return 0.5 * (erfc(-(k + 0.5) / (s * sqrt(2))) - erfc(-(k - 0.5) / (s * sqrt(2))));
    const double a = k - 0.5, b = k + 0.5;
    const double Fa = a < 0 ? 0.5 * exp(a / s) : 1 - 0.5 * exp(-a / s);
    const double Fb = b < 0 ? 0.5 * exp(b / s) : 1 - 0.5 * exp(-b / s);
    return Fb - Fa;
}

static void test_tables(LccDist dist, const char *name)
{
    LccCdfBank b, b2;
    CHECK(lcc_scale_bank_build(&b, dist, 16) == 0);
    CHECK(lcc_scale_bank_build(&b2, dist, 16) == 0);
    CHECK(lcc_cdf_bank_hash(&b) == lcc_cdf_bank_hash(&b2));
    printf("%s bank: 64 tables, hash %016llx\n", name, (unsigned long long)lcc_cdf_bank_hash(&b));
    /* golden values of SPEC 4.5: any drift in the integer generator breaks streams */
    CHECK(lcc_cdf_bank_hash(&b) == (dist == LCC_DIST_GAUSSIAN ? 0xce2c1594cdd37d39ull : 0x462b1252fd05fe37ull));
    double worst_kl = 0;
    for (unsigned i = 0; i < LCC_SCALE_COUNT; i++) {
        const LccCdf *t = &b.t[i];
        CHECK(t->precision == 16 && t->cdf[t->nsym] == 65536);
        CHECK(t->nsym % 2 == 0 && t->offset == -(int32_t)((t->nsym - 2) / 2));
        /* symmetric weights: frequencies of k and -k differ by at most one count */
        const uint32_t nreg = t->nsym - 1;
        int sym_bad = 0;
        for (uint32_t s = 0; s < nreg; s++) {
            const int64_t d = (int64_t)(t->cdf[s + 1] - t->cdf[s]) - (t->cdf[nreg - s] - t->cdf[nreg - s - 1]);
            sym_bad += d > 1 || d < -1;
        }
        CHECK(sym_bad == 0);
        /* KL(exact || table) over the support plus the escape */
        const double sc = lcc_scale_table_q16[i] / 65536.0;
        double kl = 0, inside = 0;
        for (uint32_t s = 0; s < nreg; s++) {
            const double p = exact_mass(dist, sc, (double)t->offset + s);
            const double q = (t->cdf[s + 1] - t->cdf[s]) / 65536.0;
            inside += p;
            if (p > 0)
                kl += p * log2(p / q);
        }
        const double pe = 1 - inside, qe = (t->cdf[nreg + 1] - t->cdf[nreg]) / 65536.0;
        if (pe > 0)
            kl += pe * log2(pe / qe);
        if (kl > worst_kl)
            worst_kl = kl;
        /* wide Laplace tables pay for their long support (SPEC 4.5) */
        CHECK_MSG(kl < (dist == LCC_DIST_GAUSSIAN ? 0.012 : 0.06), "%s scale %u (%.3f): KL %.4f bits", name, i, sc, kl);
    }
    printf("%s tables: worst KL(exact || integer table) %.5f bits/symbol\n", name, worst_kl);
    /* other precisions build and keep the invariants */
    const unsigned precs[] = {1, 8, 12, 20, 24};
    for (int p = 0; p < 5; p++) {
        LccCdfBank bp;
        CHECK(lcc_scale_bank_build(&bp, dist, precs[p]) == 0);
        for (unsigned i = 0; i < bp.count; i++)
            CHECK(bp.t[i].cdf[bp.t[i].nsym] == 1u << precs[p]);
        lcc_cdf_bank_free(&bp);
    }
    lcc_cdf_bank_free(&b);
    lcc_cdf_bank_free(&b2);
}

static void test_scale_index(void)
{
    CHECK(lcc_scale_index_q16(0) == 0);
    CHECK(lcc_scale_index_q16(lcc_scale_table_q16[0]) == 0);
    CHECK(lcc_scale_index_q16(lcc_scale_table_q16[0] + 1) == 1);
    CHECK(lcc_scale_index_q16(UINT32_MAX) == LCC_SCALE_COUNT - 1);
    int bad = 0;
    for (unsigned i = 1; i < LCC_SCALE_COUNT; i++) {
        bad += lcc_scale_table_q16[i] <= lcc_scale_table_q16[i - 1];
        bad += lcc_scale_index_q16(lcc_scale_table_q16[i]) != i;
        bad += lcc_scale_index_q16(lcc_scale_table_q16[i] - 1) != i - (lcc_scale_table_q16[i] - 1 ==
                                                                       lcc_scale_table_q16[i - 1]);
        const double r = (double)lcc_scale_table_q16[i] / lcc_scale_table_q16[i - 1];
        bad += fabs(r - pow(256 / 0.11, 1 / 63.0)) > 1e-3;
    }
    CHECK(bad == 0);
    /* fixed-point scales of any precision map like exact rationals */
    int fx_bad = 0;
    for (unsigned i = 0; i < LCC_SCALE_COUNT; i++) {
        const uint32_t S = lcc_scale_table_q16[i];
        fx_bad += lcc_scale_index_fixed((int64_t)S << 8, 24) != i;            /* exactly S_i */
        fx_bad += lcc_scale_index_fixed(((int64_t)S << 8) - 1, 24) != i;      /* just below */
        fx_bad += lcc_scale_index_fixed(((int64_t)S << 8) + 1, 24) != (i < 63 ? i + 1 : 63);
        /* coarser: floor(S / 16) * 16 still lies above S_(i-1) (ratio 1.13) */
        fx_bad += lcc_scale_index_fixed(S >> 4, 12) != i;
    }
    CHECK(fx_bad == 0);
    CHECK(lcc_scale_index_fixed(-5, 8) == 0);
    CHECK(lcc_scale_index_fixed(INT64_MAX, 0) == 63);
    CHECK(lcc_scale_index_fixed(1, 62) == 0);
    CHECK(lcc_scale_to_q16(1.0f) == 65536);
    CHECK(lcc_scale_to_q16(-3.0f) == 0);
    CHECK(lcc_scale_to_q16(NAN) == UINT32_MAX);
    CHECK(lcc_scale_to_q16(1e30f) == UINT32_MAX);
}

static void test_gradients(LccDist dist)
{
    int bad = 0;
    for (int it = 0; it < 400; it++) {
        float y = (float)(gauss() * 6), mu = (float)(gauss() * 2), s = (float)(0.15 + urand() * 8);
        if (it % 50 == 0)
            y = mu;   /* at the mean */
        float lik, dy, dmu, ds;
        const float one = 1;
        lcc_conditional_likelihood(dist, &y, &mu, &s, 1, &lik);
        if (lik < 1e-6f)
            continue;
        lcc_conditional_backward(dist, &y, &mu, &s, 1, &one, &dy, &dmu, &ds);
        const float h = 1e-3f;
        float yp = y + h, ym = y - h, mp = mu + h, mm = mu - h, sp = s + h, sm = s - h, lp, lm;
        lcc_conditional_likelihood(dist, &yp, &mu, &s, 1, &lp);
        lcc_conditional_likelihood(dist, &ym, &mu, &s, 1, &lm);
        const double ny = (lp - lm) / (2.0 * h);
        lcc_conditional_likelihood(dist, &y, &mp, &s, 1, &lp);
        lcc_conditional_likelihood(dist, &y, &mm, &s, 1, &lm);
        const double nm = (lp - lm) / (2.0 * h);
        lcc_conditional_likelihood(dist, &y, &mu, &sp, 1, &lp);
        lcc_conditional_likelihood(dist, &y, &mu, &sm, 1, &lm);
        const double ns = (lp - lm) / (2.0 * h);
        const double tol = 2e-3 + 2e-2 * fabs(ny);
        if (fabs(ny - dy) > tol || fabs(nm - dmu) > 2e-3 + 2e-2 * fabs(nm) || fabs(ns - ds) > 2e-3 + 2e-2 * fabs(ns)) {
            if (bad++ < 5)
                fprintf(stderr, "grad y=%g mu=%g s=%g: dy %g/%g dmu %g/%g ds %g/%g\n", y, mu, s, dy, ny, dmu,
                        nm, ds, ns);
        }
    }
    CHECK(bad == 0);
    /* bounds: below 0.11 the scale gradient passes only when it is negative */
    float y = 0, s = 0.05f, lik, ds;
    const float g = -1;
    lcc_conditional_likelihood(dist, &y, NULL, &s, 1, &lik);
    lcc_conditional_backward(dist, &y, NULL, &s, 1, &g, NULL, NULL, &ds);
    CHECK(ds == 0 || ds < 0);
    /* likelihoods over the integers sum to 1 */
    double sum = 0;
    for (int k = -200; k <= 200; k++) {
        float yk = (float)k + 0.3f, mu = 0.3f, sc = 3.7f;
        lcc_conditional_likelihood(dist, &yk, &mu, &sc, 1, &lik);
        sum += lik;
    }
    CHECK(fabs(sum - 1) < 1e-4);
}

/* Mean-scale coding: y ~ dist(mu, sigma) per symbol; code round(y - mu)
 * with the table of sigma's index; compare with the ideal lengths. */
static void test_meanscale(LccDist dist, const char *name)
{
    LccCdfBank b;
    CHECK(lcc_scale_bank_build(&b, dist, 16) == 0);
    const size_t n = 1000000;
    float *y = malloc(n * sizeof(*y)), *mu = malloc(n * sizeof(*mu)), *yh = malloc(n * sizeof(*yh));
    int32_t *sym = malloc(n * sizeof(*sym)), *out = malloc(n * sizeof(*out));
    uint16_t *idx = malloc(n * sizeof(*idx));
    double ideal_q = 0, ideal_p = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned si = (unsigned)(test_rand(&seed) % LCC_SCALE_COUNT);
        const double s = lcc_scale_table_q16[si] / 65536.0;
        /* the model's scale sits just below the table entry it maps to */
        const uint32_t sq = lcc_scale_table_q16[si] - (si ? (uint32_t)(test_rand(&seed) % 100) : 0);
        idx[i] = (uint16_t)lcc_scale_index_q16(sq);
        mu[i] = (float)(gauss() * 10);
        double e;
        if (dist == LCC_DIST_GAUSSIAN) {
            e = gauss() * s;
        } else {
            const double u = urand() - 0.5;
            e = -s * (u < 0 ? -1 : 1) * log(1 - 2 * fabs(u) + 1e-300);
        }
        y[i] = (float)(mu[i] + e);
    }
    lcc_meanscale_quantize(y, mu, n, sym);
    for (size_t i = 0; i < n; i++) {
        ideal_q += lcc_cdf_cost_bits(&b.t[idx[i]], sym[i]);
        ideal_p -= log2(exact_mass(dist, lcc_scale_table_q16[idx[i]] / 65536.0, sym[i]));
    }
    LccRansEnc e;
    lcc_rans_enc_init(&e);
    lcc_rans_enc_put_indexed(&e, &b, idx, sym, n);
    LccBuf buf = {0};
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    LccRansDec d;
    CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, n) == 0);
    lcc_rans_dec_get_indexed(&d, &b, idx, out, n);
    CHECK(lcc_rans_dec_finish(&d) == 0);
    CHECK(memcmp(sym, out, n * sizeof(*sym)) == 0);
    lcc_meanscale_dequantize(out, mu, n, yh);
    int far = 0;
    for (size_t i = 0; i < n; i++)
        far += fabsf(yh[i] - y[i]) > 0.5f + 1e-3f * fabsf(y[i]);
    CHECK(far == 0);
    const double bits = buf.size * 8.0;
    printf("%s mean-scale, 10^6 symbols: %.0f bits, ideal(table) %.0f (%+.3f%%), ideal(exact) %.0f (%+.3f%%)\n",
           name, bits, ideal_q, 100 * (bits / ideal_q - 1), ideal_p, 100 * (bits / ideal_p - 1));
    CHECK(bits <= ideal_q * 1.005);
    CHECK(bits <= ideal_p * 1.01);
    lcc_buf_free(&buf);
    lcc_rans_enc_free(&e);
    lcc_cdf_bank_free(&b);
    free(y);
    free(mu);
    free(yh);
    free(sym);
    free(out);
    free(idx);
}

/* A two-pass checkerboard context model through the LccEntropyParams
 * interface: anchors use a "hyperprior" scale, non-anchors an integer
 * function of their decoded anchor neighbours. */
static void context_scales(const int32_t *v, int w, int h, const uint32_t *hyper, uint32_t *s)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (!((x + y) & 1))
                continue;
            uint32_t acc = 0;
            if (x > 0) acc += (uint32_t)abs(v[y * w + x - 1]);
            if (x < w - 1) acc += (uint32_t)abs(v[y * w + x + 1]);
            if (y > 0) acc += (uint32_t)abs(v[(y - 1) * w + x]);
            if (y < h - 1) acc += (uint32_t)abs(v[(y + 1) * w + x]);
            s[y * w + x] = hyper[y * w + x] / 4 + (acc << 14);
        }
}

static void test_context_model(void)
{
    LccCdfBank bank;
    CHECK(lcc_scale_bank_build(&bank, LCC_DIST_GAUSSIAN, 16) == 0);
    enum { W = 61, H = 47, N = W * H };
    static int32_t v[N], dec[N], gath[N];
    static uint32_t hyper[N], s[N];
    static uint16_t idx[N];
    static int32_t ioff[N];   /* integer means of the anchors */
    size_t na = 0;
    for (int i = 0; i < N; i++)
        ioff[i] = (int32_t)(test_rand(&seed) % 201) - 100;
    for (int i = 0; i < N; i++) {
        hyper[i] = (uint32_t)(7000 + test_rand(&seed) % (40u << 16));
        v[i] = ((((i % W) + (i / W)) & 1) ? 0 : ioff[i]) + (int32_t)lrint(gauss() * hyper[i] / 65536.0);
    }
    /* encoder: anchors, then non-anchors with scales from the anchors */
    LccRansEnc e;
    lcc_rans_enc_init(&e);
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            context_scales(v, W, H, hyper, s);
        na = 0;
        for (int i = 0; i < N; i++)
            if ((((i % W) + (i / W)) & 1) == pass) {
                idx[na] = (uint16_t)lcc_scale_index_q16(pass ? s[i] : hyper[i]);
                gath[na++] = v[i];
            }
        const LccEntropyParams p = {&bank, idx, pass ? NULL : ioff, na};
        lcc_entropy_encode(&e, &p, gath);
    }
    LccBuf buf = {0};
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    /* decoder: the same two passes, parameters from what it decoded */
    LccRansDec d;
    CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, N) == 0);
    memset(dec, 0, sizeof(dec));
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            context_scales(dec, W, H, hyper, s);
        na = 0;
        for (int i = 0; i < N; i++)
            if ((((i % W) + (i / W)) & 1) == pass)
                idx[na++] = (uint16_t)lcc_scale_index_q16(pass ? s[i] : hyper[i]);
        const LccEntropyParams p = {&bank, idx, pass ? NULL : ioff, na};
        lcc_entropy_decode(&d, &p, gath);
        na = 0;
        for (int i = 0; i < N; i++)
            if ((((i % W) + (i / W)) & 1) == pass)
                dec[i] = gath[na++];
    }
    CHECK(lcc_rans_dec_finish(&d) == 0);
    CHECK(memcmp(v, dec, sizeof(v)) == 0);
    /* an offset that overflows int32 is refused */
    const int32_t big = INT32_MIN, one = 1;
    const uint16_t i0 = 0;
    const LccEntropyParams pb = {&bank, &i0, &big, 1};
    lcc_entropy_encode(&e, &pb, &one);
    CHECK(lcc_rans_enc_finish(&e, &buf) == LCC_EINVAL);
    lcc_buf_free(&buf);
    lcc_rans_enc_free(&e);
    lcc_cdf_bank_free(&bank);
}

/* The conformance vector of SPEC 4.8: fixed symbols, fixed stream. */
static void test_vector(void)
{
    LccCdfBank b;
    CHECK(lcc_scale_bank_build(&b, LCC_DIST_GAUSSIAN, 16) == 0);
    enum { N = 10000 };
    static uint16_t idx[N];
    static int32_t v[N], out[N];
    for (uint32_t i = 0; i < N; i++) {
        idx[i] = (uint16_t)((i * 7) % 64);
        v[i] = (int32_t)(((i * 2654435761u) >> 7) % 41) - 20;
    }
    LccRansEnc e;
    lcc_rans_enc_init(&e);
    lcc_rans_enc_put_indexed(&e, &b, idx, v, N);
    lcc_rans_enc_put_bits(&e, 0xBEEF, 16);
    LccBuf buf = {0};
    CHECK(lcc_rans_enc_finish(&e, &buf) == 0);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < buf.size; i++)
        h = (h ^ buf.data[i]) * 0x100000001b3ull;
    printf("test vector: %zu bytes, FNV-1a %016llx\n", buf.size, (unsigned long long)h);
    CHECK(buf.size == VECTOR_SIZE);
    CHECK(h == VECTOR_HASH);
    LccRansDec d;
    CHECK(lcc_rans_dec_init(&d, buf.data, buf.size, N + 1) == 0);
    lcc_rans_dec_get_indexed(&d, &b, idx, out, N);
    CHECK(lcc_rans_dec_get_bits(&d, 16) == 0xBEEF);
    CHECK(lcc_rans_dec_finish(&d) == 0);
    CHECK(memcmp(v, out, sizeof(v)) == 0);
    lcc_buf_free(&buf);
    lcc_rans_enc_free(&e);
    lcc_cdf_bank_free(&b);
}

/* The log-scale table is ln of the scale table; its index compares
 * fixed-point logarithms exactly (against a linear scan). */
static void test_log_scale_index(void)
{
    int bad = 0;
    for (unsigned i = 0; i < LCC_SCALE_COUNT; i++) {
        const int32_t T = lcc_log_scale_table_q16[i];
        bad += fabs(T / 65536.0 - log(lcc_scale_table_q16[i] / 65536.0)) > 1.0 / 65536;
        bad += i && T <= lcc_log_scale_table_q16[i - 1];
        bad += lcc_log_scale_index_fixed(T, 16) != i;
        bad += lcc_log_scale_index_fixed((int64_t)T * 4 + 1, 18) != (i < 63 ? i + 1 : 63);
        bad += lcc_log_scale_index_fixed((int64_t)T * 4 - 1, 18) != i;
    }
    for (int k = 0; k < 20000; k++) {
        const unsigned f = (unsigned)(test_rand(&seed) % 31);
        const int64_t v = (int64_t)(test_rand(&seed) % 2000001) - 1000000;
        unsigned want = LCC_SCALE_COUNT - 1;
        for (unsigned i = 0; i < LCC_SCALE_COUNT; i++)
            if ((int64_t)lcc_log_scale_table_q16[i] * ((int64_t)1 << f) >= v * 65536) {
                want = i;
                break;
            }
        bad += lcc_log_scale_index_fixed(v, f) != want;
    }
    CHECK_MSG(bad == 0, "log-scale index: %d mismatches", bad);
    CHECK(lcc_log_scale_index_fixed(INT64_MIN, 0) == 0 && lcc_log_scale_index_fixed(INT64_MAX, 40) == 63);
    /* the bulk version agrees with it at every precision, on the table's
     * values and their neighbours, random values and the int32 extremes */
    enum { N = 4096 };
    int32_t v[N];
    uint16_t idx[N];
    for (unsigned f = 0; f <= 40; f++) {
        for (int i = 0; i < N; i++) {
            const int64_t T = lcc_log_scale_table_q16[(unsigned)i % LCC_SCALE_COUNT];
            const int64_t near = f >= 16 ? T * ((int64_t)1 << (f - 16)) : T >> (16 - f);
            const int64_t r = i % 3 == 0 ? near + (i / LCC_SCALE_COUNT) % 3 - 1
                                         : (int64_t)(int32_t)(uint32_t)test_rand(&seed) >> (i % 31);
            v[i] = r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
        }
        v[0] = INT32_MIN;
        v[1] = INT32_MAX;
        lcc_log_scale_indexes(v, N, f, idx);
        for (int i = 0; i < N; i++)
            bad += idx[i] != lcc_log_scale_index_fixed(v[i], f);
    }
    CHECK_MSG(bad == 0, "bulk log-scale index: %d mismatches", bad);
}

int main(void)
{
    seed = test_seed();
    test_scale_index();
    test_log_scale_index();
    test_tables(LCC_DIST_GAUSSIAN, "gaussian");
    test_tables(LCC_DIST_LAPLACE, "laplace");
    test_gradients(LCC_DIST_GAUSSIAN);
    test_gradients(LCC_DIST_LAPLACE);
    test_meanscale(LCC_DIST_GAUSSIAN, "gaussian");
    test_meanscale(LCC_DIST_LAPLACE, "laplace");
    test_context_model();
    test_vector();
    return test_summary();
}
