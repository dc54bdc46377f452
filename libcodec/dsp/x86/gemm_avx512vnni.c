/* AVX-512 VNNI int16 GEMM micro-kernel, 12x32: vpdpwssd (non-saturating)
 * computes exactly what vpmaddwd + vpaddd do. */
#ifndef __AVX512VNNI__
#error "compile with -mavx512f -mavx512bw -mavx512vnni"
#endif
#include <immintrin.h>
#include <string.h>

#include "libcodec/dsp/x86/gemm.h"

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

decl_qgemm_kernel_fn(lcc_qgemm_kernel_avx512vnni)
{
#define DECL(r) __m512i c##r##_0 = _mm512_setzero_si512(), c##r##_1 = _mm512_setzero_si512();
    ROWS(DECL)
#undef DECL
#pragma GCC unroll 4
    for (int p = 0; p < kc2; p++) {
        const __m512i b0 = _mm512_loadu_si512((const void *)(b + 64 * p));
        const __m512i b1 = _mm512_loadu_si512((const void *)(b + 64 * p + 32));
#define STEP(r)                                                     \
        {                                                           \
            int32_t av;                                             \
            memcpy(&av, a + 2 * (AVX512_QMR * p + r), 4);           \
            const __m512i ar = _mm512_set1_epi32(av);               \
            c##r##_0 = _mm512_dpwssd_epi32(c##r##_0, ar, b0);       \
            c##r##_1 = _mm512_dpwssd_epi32(c##r##_1, ar, b1);       \
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
