/* Integer reversible LeGall 5/3: known values, exact reconstruction of
 * random 8/16-bit data for both trees, 1D/2D, J = 1..4, odd sizes down
 * to 1. */
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/internal.h"
#include "tests/test.h"
#include "wavelet/wavelet.h"

static uint64_t seed;

static int irand(int lo, int hi)
{
    return lo + (int)(test_rand(&seed) % (uint64_t)(hi - lo + 1));
}

static void test_known(void)
{
    /* d0 = 20 - floor(25/2) = 8, d1 = 5 - floor(15/2) = -2,
     * s0 = 10 + floor(18/4) = 14, s1 = 15 + floor(8/4) = 17,
     * s2 = 0 + floor(-2/4) = -1 (mirror: d2 -> d1) */
    const int32_t x[5] = { 10, 20, 15, 5, 0 };
    int32_t X[6], y[6], ws[64];
    WaveletSpec s = { WAVELET_INT53, WAVELET_TREE_DYADIC, 1, 1, 1, 5, 1 };
    CHECK(wavelet_workspace_bytes(&s) <= sizeof(ws));
    CHECK(wavelet_int53_forward(&s, x, X, ws) == 0);
    const int32_t dy[5] = { 14, 17, -1, 8, -2 };
    CHECK(!memcmp(X, dy, sizeof(dy)));
    CHECK(wavelet_int53_inverse(&s, X, y, ws) == 0);
    CHECK(!memcmp(x, y, sizeof(x)));
    /* packet: padded to 6 with x5 = x3 = 5: d2 = 5 - floor((0 + 0)/2) = 5,
     * s2 = 0 + floor((-2 + 5 + 2)/4) = 1 */
    s.tree = WAVELET_TREE_PACKET;
    CHECK(wavelet_int53_forward(&s, x, X, ws) == 0);
    const int32_t pk[6] = { 14, 17, 1, 8, -2, 5 };
    CHECK(!memcmp(X, pk, sizeof(pk)));
    CHECK(wavelet_int53_inverse(&s, X, y, ws) == 0);
    CHECK(!memcmp(x, y, sizeof(x)));
    /* the float kinds are refused */
    s.kind = WAVELET_LEGALL53;
    CHECK(wavelet_int53_forward(&s, x, X, ws) == LCC_EINVAL);

    /* constant 2D plane: LL = value, every other band 0 */
    int32_t c[7 * 5], C[8 * 8], w2[2 * 8 * 8 + 8];
    for (int i = 0; i < 35; i++)
        c[i] = -77;
    s = (WaveletSpec){ WAVELET_INT53, WAVELET_TREE_PACKET, 2, 2, 1, 7, 5 };
    CHECK(wavelet_coef_count(&s) == 64 && wavelet_workspace_bytes(&s) <= sizeof(w2));
    CHECK(wavelet_int53_forward(&s, c, C, w2) == 0);
    int ok = 1;
    for (int i = 0; i < 64; i++)
        ok &= C[i] == (i < 4 ? -77 : 0);
    CHECK(ok);
}

static void test_random(void)
{
    const int sizes[] = { 1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 33, 50 };
    const int nsizes = sizeof(sizes) / sizeof(sizes[0]);
    int cases = 0;
    for (int bits = 0; bits < 3; bits++)   /* 8-bit unsigned, 16-bit unsigned, 16-bit signed */
        for (int tree = 0; tree < 2; tree++)
            for (int dims = 1; dims <= 2; dims++)
                for (int J = 1; J <= 4; J++)
                    for (int rep = 0; rep < 6; rep++) {
                        WaveletSpec s = { WAVELET_INT53, (WaveletTree)tree, dims, J, irand(1, 3),
                                          sizes[irand(0, nsizes - 1)], 1 };
                        if (dims == 2)
                            s.height = sizes[irand(0, nsizes - 1)];
                        else if (rep == 5)
                            s.width = irand(100, 5000);
                        if (rep == 0)
                            s.width = 1;
                        const size_t nx = wavelet_signal_count(&s), nX = wavelet_coef_count(&s);
                        int32_t *x = malloc(nx * sizeof(int32_t)), *y = malloc(nx * sizeof(int32_t));
                        int32_t *X = malloc(nX * sizeof(int32_t)), *X0 = malloc(nX * sizeof(int32_t));
                        void *ws = malloc(wavelet_workspace_bytes(&s));
                        if (!x || !y || !X || !X0 || !ws) {
                            CHECK(0);
                            return;
                        }
                        for (size_t i = 0; i < nx; i++) {
                            const uint32_t r = (uint32_t)test_rand(&seed);
                            x[i] = bits == 0 ? (int32_t)(r & 255) : bits == 1 ? (int32_t)(r & 65535)
                                                                              : (int32_t)(int16_t)r;
                            if (rep == 1)   /* extremes */
                                x[i] = r & 1 ? (bits == 0 ? 255 : bits == 1 ? 65535 : 32767)
                                             : (bits == 2 ? -32768 : 0);
                        }
                        memset(y, 0x55, nx * sizeof(int32_t));
                        CHECK(wavelet_int53_forward(&s, x, X, ws) == 0);
                        memcpy(X0, X, nX * sizeof(int32_t));
                        CHECK(wavelet_int53_inverse(&s, X, y, ws) == 0);
                        CHECK_MSG(!memcmp(x, y, nx * sizeof(int32_t)),
                                  "%d-bit %s %dD J=%d C=%d %dx%d: not exact", bits ? 16 : 8,
                                  tree ? "dyadic" : "packet", dims, J, s.channels, s.width, s.height);
                        CHECK(!memcmp(X, X0, nX * sizeof(int32_t)));   /* input untouched */
                        free(x);
                        free(y);
                        free(X);
                        free(X0);
                        free(ws);
                        cases++;
                    }
    printf("%d random transforms\n", cases);
}

/* The SIMD build gives the same integers as the C build. */
static void test_simd_vs_c(void)
{
    const WaveletSpec specs[] = {
        { WAVELET_INT53, WAVELET_TREE_PACKET, 2, 3, 3, 77, 45 },
        { WAVELET_INT53, WAVELET_TREE_DYADIC, 2, 5, 1, 300, 211 },
        { WAVELET_INT53, WAVELET_TREE_PACKET, 1, 8, 2, 5000, 1 },
    };
    int same = 1;
    for (size_t t = 0; t < sizeof(specs) / sizeof(specs[0]); t++) {
        const WaveletSpec *s = &specs[t];
        const size_t nx = wavelet_signal_count(s), nX = wavelet_coef_count(s);
        int32_t *x = malloc(nx * sizeof(int32_t)), *a = malloc(nX * sizeof(int32_t));
        int32_t *b = malloc(nX * sizeof(int32_t)), *y = malloc(nx * sizeof(int32_t));
        void *ws = malloc(wavelet_workspace_bytes(s));
        if (!x || !a || !b || !y || !ws) {
            CHECK(0);
            return;
        }
        for (size_t i = 0; i < nx; i++)
            x[i] = (int32_t)(int16_t)test_rand(&seed);
        lcc_cpu_set_flags_mask(0);
        wavelet_int53_forward(s, x, a, ws);
        lcc_cpu_set_flags_mask(LCC_CPU_FLAGS_ALL);
        wavelet_int53_forward(s, x, b, ws);
        same &= !memcmp(a, b, nX * sizeof(int32_t));
        wavelet_int53_inverse(s, b, y, ws);
        same &= !memcmp(x, y, nx * sizeof(int32_t));
        free(x);
        free(a);
        free(b);
        free(y);
        free(ws);
    }
    CHECK(same);
}

int main(void)
{
    seed = test_seed();
    test_simd_vs_c();
    test_known();
    test_random();
    return test_summary();
}
