/* AVX2 + FMA GEMM micro-kernels: float 6x16, int16 pairs 6x16 (vpmaddwd);
 * the direct 3x3 convolution (conv3). */
#ifndef __AVX2__
#error "compile with -mavx2 -mfma"
#endif
#include <immintrin.h>

#include "libcodec/dsp/x86/gemm.h"

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

decl_sgemm_kernel_fn(lcc_sgemm_kernel_avx2)
{
#define DECL(r) __m256 c##r##0 = _mm256_setzero_ps(), c##r##1 = _mm256_setzero_ps();
    ROWS(DECL)
#undef DECL
#pragma GCC unroll 4
    for (int p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#define STEP(r)                                          \
        {                                                \
            const __m256 ar = _mm256_broadcast_ss(a + r);\
            c##r##0 = _mm256_fmadd_ps(ar, b0, c##r##0);  \
            c##r##1 = _mm256_fmadd_ps(ar, b1, c##r##1);  \
        }
        ROWS(STEP)
#undef STEP
        a += AVX2_SMR;
        b += AVX2_SNR;
    }
#define STORE(r)                                                                        \
    {                                                                                   \
        float *const cr = c + r * ldc;                                                  \
        if (acc) {                                                                      \
            c##r##0 = _mm256_add_ps(c##r##0, _mm256_loadu_ps(cr));                      \
            c##r##1 = _mm256_add_ps(c##r##1, _mm256_loadu_ps(cr + 8));                  \
        }                                                                               \
        _mm256_storeu_ps(cr, c##r##0);                                                  \
        _mm256_storeu_ps(cr + 8, c##r##1);                                              \
    }
    ROWS(STORE)
#undef STORE
}

decl_qgemm_kernel_fn(lcc_qgemm_kernel_avx2)
{
#define DECL(r) __m256i c##r##0 = _mm256_setzero_si256(), c##r##1 = _mm256_setzero_si256();
    ROWS(DECL)
#undef DECL
#pragma GCC unroll 4
    for (int p = 0; p < kc2; p++) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + 32 * p));
        const __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 32 * p + 16));
#define STEP(r)                                                                   \
        {                                                                         \
            int32_t av;                                                           \
            __builtin_memcpy(&av, a + 2 * (AVX2_QMR * p + r), 4);                 \
            const __m256i ar = _mm256_set1_epi32(av);                             \
            c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(ar, b0));       \
            c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(ar, b1));       \
        }
        ROWS(STEP)
#undef STEP
    }
#define STORE(r)                                                        \
    _mm256_storeu_si256((__m256i *)(c + r * ldc), c##r##0);             \
    _mm256_storeu_si256((__m256i *)(c + r * ldc + 8), c##r##1);
    ROWS(STORE)
#undef STORE
}

/* conv3: tiles of OT output channels x 16 columns (2 OT ymm accumulators,
 * broadcast weights), the taps in the reference's order; masked loads and
 * stores at the row's end. */
static inline __attribute__((always_inline)) void conv3_tile(const int OT, const int cin, const float *const w,
                                                             const ptrdiff_t ldw, const float *const bias,
                                                             const float *const in, const ptrdiff_t ldr,
                                                             const ptrdiff_t lds, float *const y,
                                                             const ptrdiff_t ldy, const __m256i m0,
                                                             const __m256i m1)
{
    __m256 a0[6], a1[6];
    for (int o = 0; o < OT; o++)
        a0[o] = a1[o] = _mm256_setzero_ps();
    for (int c = 0; c < cin; c++)
        for (int ki = 0; ki < 3; ki++) {
            const float *const r = in + c * lds + ki * ldr;
            const float *const wr = w + c * 9 + ki * 3;
            for (int kj = 0; kj < 3; kj++) {
                const __m256 v0 = _mm256_maskload_ps(r + kj, m0), v1 = _mm256_maskload_ps(r + kj + 8, m1);
                for (int o = 0; o < OT; o++) {
                    const __m256 b = _mm256_broadcast_ss(wr + o * ldw + kj);
                    a0[o] = _mm256_fmadd_ps(b, v0, a0[o]);
                    a1[o] = _mm256_fmadd_ps(b, v1, a1[o]);
                }
            }
        }
    for (int o = 0; o < OT; o++) {
        if (bias) {
            const __m256 b = _mm256_broadcast_ss(bias + o);
            a0[o] = _mm256_add_ps(a0[o], b);
            a1[o] = _mm256_add_ps(a1[o], b);
        }
        _mm256_maskstore_ps(y + o * ldy, m0, a0[o]);
        _mm256_maskstore_ps(y + o * ldy + 8, m1, a1[o]);
    }
}

decl_conv3_kernel_fn(lcc_conv3_kernel_avx2)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int x = 0; x < n; x += 16) {
        const int left = n - x;
        const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), lane);
        const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(left - 8), lane);
        int o = 0;
        for (; o + 6 <= m; o += 6)
            conv3_tile(6, cin, w + o * ldw, ldw, bias ? bias + o : NULL, in + x, ldr, lds, y + o * ldy + x, ldy, m0, m1);
        switch (m - o) {
#define TAIL(k)                                                                                                    \
        case k:                                                                                                    \
            conv3_tile(k, cin, w + o * ldw, ldw, bias ? bias + o : NULL, in + x, ldr, lds, y + o * ldy + x, ldy,   \
                       m0, m1);                                                                                    \
            break;
        TAIL(1) TAIL(2) TAIL(3) TAIL(4) TAIL(5)
#undef TAIL
        default:
            break;
        }
    }
}
