/* checkasm-style test of the GEMM kernels: every ISA level this CPU has
 * (masked down from the best to C) against the C reference on random
 * shapes, odd sizes included, transposes, alpha/beta, 1..3 threads (the
 * slab grid and, for large M, the shared-B path, bit-identical to 1 thread).
 * Float results agree with a double-precision reference to a relative
 * tolerance, and the ISA levels agree with each other bit for bit (every
 * kernel computes an element as the same chain of fused multiply-adds);
 * integer results are bit-identical; the direct 3x3 convolution kernels
 * agree with their C reference and with the GEMM bit for bit. With
 * --bench, also times each level. */
#include <math.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/dsp/gemm.h"
#include "libcodec/thread.h"
#include "tests/test.h"

static uint64_t seed;

static int rnd(const int lo, const int hi)
{
    return lo + (int)(test_rand(&seed) % (uint64_t)(hi - lo + 1));
}

static float frnd(void)
{
    return (float)((double)(test_rand(&seed) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* double-precision reference */
static void ref_sgemm(const int ta, const int tb, const int m, const int n, const int k, const float alpha,
                      const float *a, const int lda, const float *b, const int ldb, const float beta,
                      const float *c0, float *c, const int ldc, double *mag)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0, sa = 0;
            for (int p = 0; p < k; p++) {
                const double x = ta ? a[p * lda + i] : a[i * lda + p];
                const double y = tb ? b[j * ldb + p] : b[p * ldb + j];
                s += x * y;
                sa += fabs(x * y);
            }
            const double prev = beta == 0.0f ? 0.0 : (double)beta * c0[i * ldc + j];
            c[i * ldc + j] = (float)(alpha * s + prev);
            mag[i * ldc + j] = fabs(alpha) * sa + fabs(prev);
        }
}

static const unsigned levels[] = { 0, LCC_CPU_FLAG_AVX2, LCC_CPU_FLAG_AVX2 | LCC_CPU_FLAG_AVX512,
                                   LCC_CPU_FLAGS_ALL };

static void test_sgemm(LccThreadPool *const pools[3])
{
    const unsigned have = lcc_cpu_flags();
    for (int it = 0; it < 60; it++) {
        /* huge: enough rows for the shared-B path with 2 and 3 threads at
         * every level (8 row panels per thread), several column blocks and
         * K slices; its results must match the slab grid of 1 thread */
        const int huge = it % 20 == 19, big = it % 10 == 9 && !huge;
        const int m = huge ? rnd(300, 420) : big ? rnd(100, 300) : rnd(1, 40);
        const int n = huge ? rnd(520, 1100) : big ? rnd(100, 300) : rnd(1, 70);
        const int k = huge ? rnd(400, 900) : big ? rnd(200, 600) : rnd(1, 50);
        const int ta = rnd(0, 1), tb = rnd(0, 1);
        const float alpha = it % 3 ? 1.0f : frnd(), beta = it % 4 == 0 ? 0.0f : it % 4 == 1 ? 1.0f : frnd();
        const int lda = (ta ? m : k) + rnd(0, 3), ldb = (tb ? k : n) + rnd(0, 3), ldc = n + rnd(0, 3);
        float *const a = malloc(sizeof(float) * (size_t)lda * (ta ? k : m));
        float *const b = malloc(sizeof(float) * (size_t)ldb * (tb ? n : k));
        float *const c0 = malloc(sizeof(float) * (size_t)ldc * m);
        float *const cr = malloc(sizeof(float) * (size_t)ldc * m);
        float *const c = malloc(sizeof(float) * (size_t)ldc * m);
        double *const mag = malloc(sizeof(double) * (size_t)ldc * m);
        for (int i = 0; i < lda * (ta ? k : m); i++)
            a[i] = frnd();
        for (int i = 0; i < ldb * (tb ? n : k); i++)
            b[i] = frnd();
        for (int i = 0; i < ldc * m; i++)
            c0[i] = frnd();
        ref_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, cr, ldc, mag);
        float *const c1 = malloc(sizeof(float) * (size_t)ldc * m);
        float *const cl = malloc(sizeof(float) * (size_t)ldc * m);
        int have_cl = 0;
        for (size_t l = 0; l < sizeof(levels) / sizeof(*levels); l++) {
            if ((levels[l] & have) != levels[l])
                continue;
            if (l && levels[l] == levels[l - 1])
                continue;
            for (int t = 0; t < 3; t++) {
                LccGemm g;
                lcc_gemm_init(&g, levels[l], pools[t]);
                memcpy(c, c0, sizeof(float) * (size_t)ldc * m);
                CHECK(!lcc_sgemm(&g, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
                int bad = 0, guard = 0;
                for (int i = 0; i < m && !bad; i++) {
                    for (int j = 0; j < n; j++) {
                        const double e = fabs((double)c[i * ldc + j] - cr[i * ldc + j]);
                        if (e > 1e-5 * (mag[i * ldc + j] + 1e-3)) {
                            fprintf(stderr, "%s threads %d m%d n%d k%d ta%d tb%d: C[%d][%d] %g vs %g\n",
                                    lcc_cpu_name(levels[l]), t + 1, m, n, k, ta, tb, i, j,
                                    c[i * ldc + j], cr[i * ldc + j]);
                            bad = 1;
                            break;
                        }
                    }
                    for (int j = n; j < ldc; j++)   /* padding untouched */
                        guard |= c[i * ldc + j] != c0[i * ldc + j];
                }
                CHECK_MSG(!bad && !guard, "sgemm %s m%d n%d k%d", lcc_cpu_name(levels[l]), m, n, k);
                /* the thread count never changes a bit (each element is
                 * computed by one task in a fixed order) */
                if (t == 0 && have_cl)
                    CHECK_MSG(!memcmp(cl, c, sizeof(float) * (size_t)ldc * m), "sgemm %s m%d n%d k%d: not "
                              "bit-identical to the other ISA levels", lcc_cpu_name(levels[l]), m, n, k);
                if (t == 0 && !have_cl) {
                    memcpy(cl, c, sizeof(float) * (size_t)ldc * m);
                    have_cl = 1;
                }
                if (t == 0)
                    memcpy(c1, c, sizeof(float) * (size_t)ldc * m);
                else
                    CHECK_MSG(!memcmp(c1, c, sizeof(float) * (size_t)ldc * m), "sgemm %s: %d threads differ from 1",
                              lcc_cpu_name(levels[l]), t + 1);
                lcc_gemm_uninit(&g);
            }
        }
        free(a); free(b); free(c0); free(cr); free(c); free(c1); free(cl); free(mag);
    }
}

/* lcc_sgemm_packb with a callback that packs a plain matrix gives the
 * same bits as lcc_sgemm. */
typedef struct MatB {
    const float *b;
    int ldb;
} MatB;

static void pack_mat(const void *const ctx, float *dst, const int p0, const int kc, const int col0, const int w,
                     const int nr)
{
    const MatB *const m = ctx;
    for (int p = p0; p < p0 + kc; p++, dst += nr)
        for (int q = 0; q < nr; q++)
            dst[q] = q < w ? m->b[(size_t)p * m->ldb + col0 + q] : 0.0f;
}

static void test_packb(LccThreadPool *const pools[3])
{
    for (int it = 0; it < 24; it++) {
        /* the last four are large: the shared-B path on pools of 2 or 3 */
        const int huge = it >= 20;
        const int m = huge ? rnd(300, 400) : rnd(1, 80), n = huge ? rnd(520, 1100) : rnd(1, 300);
        const int k = huge ? rnd(400, 900) : rnd(1, 500);
        float *const a = malloc(sizeof(float) * (size_t)m * k), *const b = malloc(sizeof(float) * (size_t)k * n);
        float *const c1 = malloc(sizeof(float) * (size_t)m * n), *const c2 = malloc(sizeof(float) * (size_t)m * n);
        for (int i = 0; i < m * k; i++)
            a[i] = frnd();
        for (int i = 0; i < k * n; i++)
            b[i] = frnd();
        LccGemm g;
        lcc_gemm_init(&g, lcc_cpu_flags(), pools[it % 3]);
        const MatB mb = { b, n };
        CHECK(!lcc_sgemm(&g, 0, 0, m, n, k, 0.5f, a, k, b, n, 0.0f, c1, n));
        CHECK(!lcc_sgemm_packb(&g, 0, m, n, k, 0.5f, a, k, pack_mat, &mb, 0.0f, c2, n));
        CHECK_MSG(!memcmp(c1, c2, sizeof(float) * (size_t)m * n), "packb m%d n%d k%d differs", m, n, k);
        lcc_gemm_uninit(&g);
        free(a); free(b); free(c1); free(c2);
    }
}

static void test_qgemm(LccThreadPool *const pools[3])
{
    const unsigned have = lcc_cpu_flags();
    for (int it = 0; it < 60; it++) {
        const int big = it % 10 == 9;
        const int m = big ? rnd(60, 200) : rnd(1, 40), n = big ? rnd(100, 400) : rnd(1, 70);
        const int k = big ? rnd(200, 700) : rnd(1, 50);
        const int lda = k + rnd(0, 3), ldb = n + rnd(0, 3), ldc = n + rnd(0, 3);
        int16_t *const a = malloc(sizeof(int16_t) * (size_t)lda * m);
        int16_t *const b = malloc(sizeof(int16_t) * (size_t)ldb * k);
        int32_t *const cr = malloc(sizeof(int32_t) * (size_t)ldc * m);
        int32_t *const c = malloc(sizeof(int32_t) * (size_t)ldc * m);
        /* extremes included: -32768 pairs exercise the wrap-around */
        const int extreme = it % 5 == 4;
        for (int i = 0; i < lda * m; i++)
            a[i] = extreme ? (int16_t)(rnd(0, 1) ? -32768 : 32767) : (int16_t)rnd(-127, 127);
        for (int i = 0; i < ldb * k; i++)
            b[i] = extreme ? (int16_t)(rnd(0, 1) ? -32768 : 32767) : (int16_t)rnd(-32768, 32767);
        /* reference: modular int32 sum */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                uint32_t s = 0;
                for (int p = 0; p < k; p++)
                    s += (uint32_t)((int32_t)a[i * lda + p] * b[p * ldb + j]);
                cr[i * ldc + j] = (int32_t)s;
            }
        for (size_t l = 0; l < sizeof(levels) / sizeof(*levels); l++) {
            if ((levels[l] & have) != levels[l])
                continue;
            for (int t = 0; t < 3; t++) {
                LccGemm g;
                lcc_gemm_init(&g, levels[l], pools[t]);
                for (int i = 0; i < ldc * m; i++)
                    c[i] = 0x5a5a5a5a;
                CHECK(!lcc_qgemm(&g, m, n, k, a, lda, b, ldb, c, ldc));
                int bad = 0, guard = 0;
                for (int i = 0; i < m; i++) {
                    bad |= memcmp(c + i * ldc, cr + i * ldc, sizeof(int32_t) * (size_t)n) != 0;
                    for (int j = n; j < ldc; j++)
                        guard |= c[i * ldc + j] != 0x5a5a5a5a;
                }
                CHECK_MSG(!bad && !guard, "qgemm %s threads %d m%d n%d k%d", lcc_cpu_name(levels[l]),
                          t + 1, m, n, k);
                lcc_gemm_uninit(&g);
            }
        }
        free(a); free(b); free(cr); free(c);
    }
}

static void bench(void)
{
    const int n = 512;
    float *const a = malloc(sizeof(float) * n * n), *const b = malloc(sizeof(float) * n * n);
    float *const c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++)
        a[i] = frnd(), b[i] = frnd();
    for (size_t l = 0; l < sizeof(levels) / sizeof(*levels); l++) {
        if ((levels[l] & lcc_cpu_flags()) != levels[l])
            continue;
        LccGemm g;
        lcc_gemm_init(&g, levels[l], NULL);
        const int reps = 5;
        double best = 1e30;
        for (int r = 0; r < reps; r++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            (void)!lcc_sgemm(&g, 0, 0, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            const double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
            if (s < best)
                best = s;
        }
        printf("sgemm %d^3 %-10s 1 thread: %.1f GFLOPS\n", n, lcc_cpu_name(levels[l]),
               2.0 * n * n * n / best * 1e-9);
        lcc_gemm_uninit(&g);
    }
    free(a); free(b); free(c);
}

/* conv3 kernels: bit-identical to the C reference, which is bit-identical
 * to the GEMM of the same K = 9 cin on the im2col matrix plus the bias. */
static void test_conv3(void)
{
    const unsigned have = lcc_cpu_flags();
    for (int it = 0; it < 40; it++) {
        const int m = rnd(1, 40), n = rnd(1, 100), cin = rnd(1, LCC_SGEMM_KC / 9), K = 9 * cin;
        const int ldr = n + 2 + rnd(0, 3), lds = 3 * ldr + rnd(0, 5), ldy = n + rnd(0, 3), ldw = K + rnd(0, 2);
        float *const w = malloc(sizeof(float) * (size_t)ldw * m), *const bias = malloc(sizeof(float) * m);
        float *const in = malloc(sizeof(float) * (size_t)lds * cin);
        float *const col = malloc(sizeof(float) * (size_t)K * n);
        float *const ref = calloc((size_t)ldy * m, sizeof(float)), *const y = calloc((size_t)ldy * m, sizeof(float));
        for (int i = 0; i < ldw * m; i++)
            w[i] = frnd();
        for (int i = 0; i < m; i++)
            bias[i] = frnd();
        for (int i = 0; i < lds * cin; i++)
            in[i] = frnd();
        const float *const b = it % 2 ? bias : NULL;
        lcc_conv3_kernel_c(m, n, cin, w, ldw, b, in, ldr, lds, ref, ldy);
        /* the GEMM on the im2col matrix, then the bias */
        for (int c = 0, p = 0; c < cin; c++)
            for (int ki = 0; ki < 3; ki++)
                for (int kj = 0; kj < 3; kj++, p++)
                    for (int x = 0; x < n; x++)
                        col[(size_t)p * n + x] = in[c * lds + ki * ldr + x + kj];
        for (int l = 0; l < (int)(sizeof(levels) / sizeof(levels[0])); l++) {
            if ((levels[l] & have) != levels[l])
                continue;
            LccGemm g;
            lcc_gemm_init(&g, levels[l], NULL);
            memset(y, 0, sizeof(float) * (size_t)ldy * m);
            CHECK(!lcc_sgemm(&g, 0, 0, m, n, K, 1.0f, w, ldw, col, n, 0.0f, y, ldy));
            for (int o = 0; o < m && b; o++)
                for (int x = 0; x < n; x++)
                    y[o * ldy + x] += b[o];
            CHECK_MSG(!memcmp(y, ref, sizeof(float) * (size_t)ldy * m),
                      "conv3 reference != GEMM at level %x (m %d n %d cin %d)", levels[l], m, n, cin);
            if (g.dsp.conv3) {
                memset(y, 0, sizeof(float) * (size_t)ldy * m);
                g.dsp.conv3(m, n, cin, w, ldw, b, in, ldr, lds, y, ldy);
                CHECK_MSG(!memcmp(y, ref, sizeof(float) * (size_t)ldy * m),
                          "conv3 kernel at level %x differs from C (m %d n %d cin %d)", levels[l], m, n, cin);
            }
            lcc_gemm_uninit(&g);
        }
        free(w);
        free(bias);
        free(in);
        free(col);
        free(ref);
        free(y);
    }
}

int main(int argc, char **argv)
{
    seed = test_seed();
    printf("cpu: %s\n", lcc_cpu_name(lcc_cpu_flags()));
    LccThreadPool *pools[3] = { NULL };
    for (int t = 1; t < 3; t++)
        CHECK(!lcc_pool_create(&pools[t], t + 1));
    test_sgemm(pools);
    test_qgemm(pools);
    test_packb(pools);
    test_conv3();
    if (argc > 1 && !strcmp(argv[1], "--bench"))
        bench();
    for (int t = 1; t < 3; t++)
        lcc_pool_free(&pools[t]);
    return test_summary();
}
