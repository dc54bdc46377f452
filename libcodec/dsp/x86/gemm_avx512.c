/* AVX-512 GEMM micro-kernels: float 12x32 (24 zmm accumulators, embedded
 * broadcasts), int16 pairs 12x32 with vpmaddwd + vpaddd. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__)
#error "compile with -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma"
#endif
#include <immintrin.h>
#include <string.h>

#include "libcodec/dsp/x86/gemm.h"

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

decl_sgemm_kernel_fn(lcc_sgemm_kernel_avx512)
{
#define DECL(r) __m512 c##r##_0 = _mm512_setzero_ps(), c##r##_1 = _mm512_setzero_ps();
    ROWS(DECL)
#undef DECL
#pragma GCC unroll 4
    for (int p = 0; p < kc; p++) {
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        _mm_prefetch((const char *)(b + 8 * AVX512_SNR), _MM_HINT_T0);
#define STEP(r)                                           \
        {                                                 \
            const __m512 ar = _mm512_set1_ps(a[r]);       \
            c##r##_0 = _mm512_fmadd_ps(ar, b0, c##r##_0); \
            c##r##_1 = _mm512_fmadd_ps(ar, b1, c##r##_1); \
        }
        ROWS(STEP)
#undef STEP
        a += AVX512_SMR;
        b += AVX512_SNR;
    }
#define STORE(r)                                                         \
    {                                                                    \
        float *const cr = c + r * ldc;                                   \
        if (acc) {                                                       \
            c##r##_0 = _mm512_add_ps(c##r##_0, _mm512_loadu_ps(cr));     \
            c##r##_1 = _mm512_add_ps(c##r##_1, _mm512_loadu_ps(cr + 16));\
        }                                                                \
        _mm512_storeu_ps(cr, c##r##_0);                                  \
        _mm512_storeu_ps(cr + 16, c##r##_1);                             \
    }
    ROWS(STORE)
#undef STORE
}

decl_qgemm_kernel_fn(lcc_qgemm_kernel_avx512)
{
#define DECL(r) __m512i c##r##_0 = _mm512_setzero_si512(), c##r##_1 = _mm512_setzero_si512();
    ROWS(DECL)
#undef DECL
#pragma GCC unroll 4
    for (int p = 0; p < kc2; p++) {
        const __m512i b0 = _mm512_loadu_si512((const void *)(b + 64 * p));
        const __m512i b1 = _mm512_loadu_si512((const void *)(b + 64 * p + 32));
#define STEP(r)                                                                 \
        {                                                                       \
            int32_t av;                                                         \
            memcpy(&av, a + 2 * (AVX512_QMR * p + r), 4);                       \
            const __m512i ar = _mm512_set1_epi32(av);                           \
            c##r##_0 = _mm512_add_epi32(c##r##_0, _mm512_madd_epi16(ar, b0));   \
            c##r##_1 = _mm512_add_epi32(c##r##_1, _mm512_madd_epi16(ar, b1));   \
        }
        ROWS(STEP)
#undef STEP
    }
#define STORE(r)                                                   \
    _mm512_storeu_si512((void *)(c + r * ldc), c##r##_0);          \
    _mm512_storeu_si512((void *)(c + r * ldc + 16), c##r##_1);
    ROWS(STORE)
#undef STORE
}
