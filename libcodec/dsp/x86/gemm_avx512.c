/* AVX-512 GEMM micro-kernels: float 12x32 (24 zmm accumulators, embedded
 * broadcasts), int16 pairs 12x32 with vpmaddwd + vpaddd; the direct 3x3
 * convolution (conv3). */
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

/* conv3: tiles of OT output channels x 32 columns (2 OT zmm accumulators,
 * broadcast weights), the taps in the reference's order; masked loads and
 * stores at the row's end. */
static inline __attribute__((always_inline)) void conv3_tile(const int OT, const int cin, const float *const w,
                                                             const ptrdiff_t ldw, const float *const bias,
                                                             const float *const in,
                                                             const ptrdiff_t ldr, const ptrdiff_t lds,
                                                             float *const y, const ptrdiff_t ldy,
                                                             const __mmask16 m0, const __mmask16 m1)
{
    __m512 a0[8], a1[8];
    for (int o = 0; o < OT; o++)
        a0[o] = a1[o] = _mm512_setzero_ps();
    for (int c = 0; c < cin; c++)
        for (int ki = 0; ki < 3; ki++) {
            const float *const r = in + c * lds + ki * ldr;
            const float *const wr = w + c * 9 + ki * 3;
            for (int kj = 0; kj < 3; kj++) {
                const __m512 v0 = _mm512_maskz_loadu_ps(m0, r + kj), v1 = _mm512_maskz_loadu_ps(m1, r + kj + 16);
                for (int o = 0; o < OT; o++) {
                    const __m512 b = _mm512_set1_ps(wr[o * ldw + kj]);
                    a0[o] = _mm512_fmadd_ps(b, v0, a0[o]);
                    a1[o] = _mm512_fmadd_ps(b, v1, a1[o]);
                }
            }
        }
    for (int o = 0; o < OT; o++) {
        if (bias) {
            const __m512 b = _mm512_set1_ps(bias[o]);
            a0[o] = _mm512_add_ps(a0[o], b);
            a1[o] = _mm512_add_ps(a1[o], b);
        }
        _mm512_mask_storeu_ps(y + o * ldy, m0, a0[o]);
        _mm512_mask_storeu_ps(y + o * ldy + 16, m1, a1[o]);
    }
}

decl_conv3_kernel_fn(lcc_conv3_kernel_avx512)
{
    for (int x = 0; x < n; x += 32) {
        const int left = n - x;
        const __mmask16 m0 = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
        const __mmask16 m1 = left >= 32 ? 0xffff : left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
        int o = 0;
        for (; o + 8 <= m; o += 8)
            conv3_tile(8, cin, w + o * ldw, ldw, bias ? bias + o : NULL, in + x, ldr, lds, y + o * ldy + x, ldy, m0, m1);
        switch (m - o) {
#define TAIL(k)                                                                                    \
        case k:                                                                                    \
            conv3_tile(k, cin, w + o * ldw, ldw, bias ? bias + o : NULL, in + x, ldr, lds, y + o * ldy + x, ldy, m0, m1);  \
            break;
        TAIL(1) TAIL(2) TAIL(3) TAIL(4) TAIL(5) TAIL(6) TAIL(7)
#undef TAIL
        default:
            break;
        }
    }
}
