/* Matrix-multiply kernels (STYLE.md rule 10): a DSP table of register-
 * blocked micro-kernels, filled by lcc_gemm_dsp_init() with the C versions
 * and then overridden per ISA, plus the blocked, packed, threaded drivers
 * built on them.
 *
 * Float: C = alpha * op(A) * op(B) + beta * C, row-major, op = transpose
 * or not. The float result depends on the kernel (FMA or not) but not on
 * the thread count.
 *
 * Integer: C[m][n] = sum_k A[m][k] * B[k][n] with A int16 (weights, from
 * int8 or int16), B int16 (fixed-point activations) and int32 accumulation
 * that wraps modulo 2^32. Products are summed in pairs of consecutive k
 * first, so every kernel (C, AVX2 vpmaddwd, AVX-512 VNNI vpdpwssd) gives
 * the same bits. */
#ifndef LCC_DSP_GEMM_H
#define LCC_DSP_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/thread.h"

/* Float micro-kernel: an mr x nr tile of C from kc steps of packed A (mr
 * values per step) and packed B (nr values per step). acc = 0: C = AB;
 * acc = 1: C += AB. Packed panels are 64-byte aligned. */
#define decl_sgemm_kernel_fn(name) \
    void (name)(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc, int acc)
typedef decl_sgemm_kernel_fn(*sgemm_kernel_fn);

/* Integer micro-kernel: an mr x nr int32 tile = sum over kc2 pairs of k of
 * packed A (mr pairs of int16 per step, i.e. 2*mr values) times packed B
 * (nr pairs per step). Always overwrites C. */
#define decl_qgemm_kernel_fn(name) \
    void (name)(int kc2, const int16_t *a, const int16_t *b, int32_t *c, ptrdiff_t ldc)
typedef decl_qgemm_kernel_fn(*qgemm_kernel_fn);

/* Direct 3x3 convolution kernel (stride 1) over zero-padded input planes,
 * for convolutions of few channels, where a GEMM would spend more time
 * packing B than multiplying: for each output channel o < m and column
 * x < n of one output row,
 *   y[o * ldy + x] = sum over p = (c, ki, kj) in order, c < cin, of
 *                    w[o * ldw + p] * in[c * lds + ki * ldr + x + kj]
 *                    (+ bias[o] if bias),
 * the sum from zero with one fused multiply-add per p in that order, the
 * bias added to the sum: the same bits as a GEMM kernel's over K = 9 cin
 * <= LCC_SGEMM_KC (one slice) followed by the bias. */
#define decl_conv3_kernel_fn(name)                                                                   \
    void (name)(int m, int n, int cin, const float *w, ptrdiff_t ldw, const float *bias, const float *in, \
                ptrdiff_t ldr, ptrdiff_t lds, float *y, ptrdiff_t ldy)
typedef decl_conv3_kernel_fn(*conv3_kernel_fn);

/* The depth of a GEMM's K slice: a product over K <= this is one chain of
 * fused multiply-adds per element of C. */
#define LCC_SGEMM_KC 384

typedef struct GemmDSPContext {
    sgemm_kernel_fn sgemm;
    int smr, snr;
    qgemm_kernel_fn qgemm;
    int qmr, qnr;
    conv3_kernel_fn conv3;      /* NULL: none faster than the GEMM (C) */
    unsigned flags;             /* the CPU flags the table was built for */
} GemmDSPContext;

void lcc_gemm_dsp_init(GemmDSPContext *c, unsigned cpu_flags);
void lcc_gemm_dsp_init_x86(GemmDSPContext *c, unsigned cpu_flags);

decl_sgemm_kernel_fn(lcc_sgemm_kernel_c);
decl_qgemm_kernel_fn(lcc_qgemm_kernel_c);
/* The reference of conv3 kernels (tests; slower than the GEMM, so never in
 * the table). */
decl_conv3_kernel_fn(lcc_conv3_kernel_c);

/* A GEMM engine: a kernel table, an optional thread pool and packing
 * buffers that grow on demand and are then reused (no allocation per call
 * once warm). One call at a time. */
typedef struct LccGemm {
    GemmDSPContext dsp;
    LccThreadPool *pool;        /* not owned; NULL = single thread */
    float *abuf[64];            /* per-thread packed A block (MC x KC) */
    float *bpbuf[64];           /* per-thread packed B block (KC x NC) */
    size_t abuf_size, bbuf_size; /* in floats */
    float *sbuf[1];             /* shared-B path: the whole packed B */
    size_t sbuf_size;           /* in floats */
    void *sync;                 /* shared-B path: counters per slice of B */
    size_t sync_size;           /* in counters */
    int16_t *qbuf;              /* integer packing */
    size_t qbuf_size;
} LccGemm;

/* cpu_flags: usually lcc_cpu_flags(). pool may be NULL. */
void lcc_gemm_init(LccGemm *g, unsigned cpu_flags, LccThreadPool *pool);
void lcc_gemm_uninit(LccGemm *g);

/* Returns 0, or LCC_ENOMEM (C untouched). Dimensions may be 0. */
int lcc_sgemm(LccGemm *g, int transa, int transb, int m, int n, int k, float alpha,
              const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
              float beta, float *c, ptrdiff_t ldc);

/* B supplied by a packing callback instead of a matrix (implicit GEMM,
 * e.g. a convolution reading its input image directly): pack(ctx, dst, p0,
 * kc, col0, w, nr) writes, for p in [p0, p0 + kc), the nr values
 * op(B)[p][col0 .. col0 + nr) to dst + (p - p0) * nr, zero beyond w
 * columns. It is called from the pool's threads concurrently (read-only
 * ctx). Same results as lcc_sgemm on the materialised B. */
typedef void (*LccPackB)(const void *ctx, float *dst, int p0, int kc, int col0, int w, int nr);
int lcc_sgemm_packb(LccGemm *g, int transa, int m, int n, int k, float alpha, const float *a, ptrdiff_t lda,
                    LccPackB pack, const void *ctx, float beta, float *c, ptrdiff_t ldc);

/* C (m x n, int32) = A (m x k, int16, row-major) * B (k x n, int16,
 * row-major). Returns 0 or LCC_ENOMEM. Bit-identical for every kernel and
 * thread count. */
int lcc_qgemm(LccGemm *g, int m, int n, int k, const int16_t *a, ptrdiff_t lda,
              const int16_t *b, ptrdiff_t ldb, int32_t *c, ptrdiff_t ldc);

#endif /* LCC_DSP_GEMM_H */
