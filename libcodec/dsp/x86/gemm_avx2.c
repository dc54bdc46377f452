/* AVX2 + FMA GEMM micro-kernels: float 6x16, int16 pairs 6x16 (vpmaddwd). */
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
