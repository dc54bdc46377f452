/* Wavelet and wavelet-packet transforms (internal; depends on libc/libm only).
 *
 * Float transforms (Haar, CDF 9/7, LeGall 5/3) in 1D (audio) and 2D (images),
 * J levels, full packet tree (WaLLoC) or dyadic tree, any size, with the
 * adjoints of forward and inverse for training; and the integer reversible
 * LeGall 5/3 (JPEG 2000 lossless) on int32.
 *
 * Data layout
 *   Signals are channel-major planes (NCW / NCHW without N): channel c,
 *   row y, column x at x[(c * height + y) * width + x]. 1D signals have
 *   height 1 (audio: one plane per audio channel).
 *
 * Wavelets and scaling
 *   All are implemented by lifting on the interleaved signal with
 *   whole-sample symmetric extension (JPEG 2000: ... x2 x1 | x0 x1 x2 ...),
 *   low band on even samples, high band on odd samples, then the bands
 *   are scaled so that the low-pass analysis filter has DC gain sqrt(2)
 *   and the high-pass has Nyquist gain sqrt(2) (PyWavelets' convention):
 *   - WAVELET_HAAR: orthonormal Haar, lo = (a + b) / sqrt2, hi = (b - a) / sqrt2
 *     (pywt 'haar' up to the sign of hi).
 *   - WAVELET_CDF97: Cohen-Daubechies-Feauveau 9/7 = pywt 'bior4.4' = the
 *     JPEG 2000 irreversible filter; lifting constants alpha..delta, then
 *     lo *= zeta, hi /= zeta, zeta = 1.149604398 (J2K's filters scaled by
 *     sqrt2 for lo and 1/sqrt2 for hi). Nearly orthonormal: the filters'
 *     squared norms are 1.040 (lo) and 0.983 (hi), so white noise gains
 *     ~1.2% of its norm per 1D split (~4% for a J=3 2D packet), a bit more
 *     on small planes (boundaries). This is WaLLoC's wavelet.
 *   - WAVELET_LEGALL53: LeGall 5/3 (pywt 'bior2.2'), float, same scaling.
 *   A length-1 line is left unchanged (it is all low band).
 *   In 2D one level lifts every column (y), then every row (x); the 2D
 *   packet tree (below) is computed in the equivalent order "all J levels
 *   along x on every row, then all J levels along y on every column"
 *   (lifting along different axes commutes, and every band is split at
 *   every level), which differs from level-by-level only by float
 *   rounding (max |difference| <= 1e-6 x max |coefficient|, tested
 *   against the level-by-level path). That order is the definition the
 *   wavelet-ae bitstream (conformance/SPEC.md §3.2, reconstruction by
 *   tolerance) and its models now see; every ISA computes it identically.
 *   Relation to WaLLoC's reference code: it applies pytorch_wavelets'
 *   one-level DWT (wave='bior4.4', mode='periodization') J times to every
 *   channel, so the filters (up to the sign of the high-pass band and the
 *   sample alignment) and the channel order are the ones here, but its
 *   boundary is periodic and it handles odd sizes by repeating the last
 *   sample at each level (not exactly invertible); here the boundary is
 *   symmetric and odd sizes are padded once (below), so coefficients near
 *   the plane edges differ. The interior was checked against the J2K 9/7
 *   filter taps (tests), not numerically against pywt (no Python here).
 *
 * Trees and coefficient layout
 *   WAVELET_TREE_PACKET (WaLLoC): every band is split again at each level.
 *     Each channel's plane is first padded to Pw x Ph with
 *     Pw = mw * 2^J, mw = ceil(width / 2^J) (Ph, mh likewise; 1D: Ph = 1)
 *     by whole-sample symmetric extension (periodic mirror, so any amount of
 *     padding works, also for width 1 = constant extension); then all
 *     splits are of even lengths and every band has the same size.
 *     Output: a (C * 4^J) x mh x mw tensor (2D) or (C * 2^J) x mw (1D).
 *     Channel index, with b_j the band chosen at level j (j = 1 first):
 *       2D: c * 4^J + b_1 * 4^(J-1) + ... + b_J, b = 2 * bx + by,
 *           bx / by = 1 if high-pass along x (width) / y (height), so
 *           0 = LL, 1 = lo-x hi-y, 2 = hi-x lo-y, 3 = HH;
 *       1D: c * 2^J + b_1 * 2^(J-1) + ... + b_J, b = 0 low, 1 high.
 *     This is the order of WaLLoC's repeated one-level DWT + rearrange
 *     '(c f)' (pytorch_wavelets: [LL, LH, HL, HH] per channel), i.e. the
 *     natural (Paley) order, not the frequency (Gray) order. The inverse
 *     reconstructs the padded plane and crops it to width x height.
 *   WAVELET_TREE_DYADIC: only the low band is split again; no padding,
 *     non-expansive, Mallat layout in place of the signal (same shape as
 *     the input): at each level the top-left region of size w x h becomes
 *     [LL | HL ; LH | HH] with low sizes ceil(n/2) and high sizes floor(n/2),
 *     i.e. LL at the top-left, lo-y hi-x at the top-right, hi-y lo-x at the
 *     bottom-left. 1D: [L_J | H_J | H_(J-1) | ... | H_1].
 *
 * Adjoints (for backpropagation through the transforms)
 *   wavelet_forward_adjoint(g) = W^T g: given dL/dX (coefficient shape),
 *   returns dL/dx (signal shape). wavelet_inverse_adjoint(g) = W^-T g:
 *   given dL/dy (signal shape) for y = W^-1 X, returns dL/dX. They are the
 *   exact transposes of the floating-point operation sequences (lifting
 *   steps transposed in reverse order; padding transposed = folding the
 *   padded samples back onto their mirror sources; cropping transposed =
 *   zero fill).
 *
 * Kernels
 *   The kernels are built in C, for AVX2 (x86/wavelet_avx2.c) and for
 *   AVX-512 (x86/wavelet_avx512.c), without FMA contraction and with the
 *   same float operations per sample in the same order, so all give
 *   bit-identical results (tests/wavelet: test_isa_levels);
 *   lcc_cpu_flags() picks one per call (LCC_CPU=c forces C). The 2D
 *   packet tree runs in two passes over the padded plane (rows, then
 *   strips of columns, 8 or 16 lanes per vector); the other trees level
 *   by level.
 *
 * Workspace and threads
 *   No call allocates: the caller passes a workspace of
 *   wavelet_workspace_bytes(spec) bytes (aligned like malloc), the same for
 *   every operation of one spec. No global state: calls on distinct
 *   buffers may run concurrently. Channels are independent and contiguous
 *   in both layouts, so a caller can split the channels of one tensor over
 *   threads: channels [c0, c1) are the spec with channels = c1 - c0, the
 *   signal at x + c0 * width * height and the coefficients at
 *   X + c0 * (coefficient count of one channel), one workspace per thread.
 *   A batch (N) is a loop over calls, or channels = N * C.
 */
#ifndef LCC_WAVELET_H
#define LCC_WAVELET_H

#include <stddef.h>
#include <stdint.h>

typedef enum WaveletKind {
    WAVELET_HAAR = 0,
    WAVELET_CDF97 = 1,     /* bior4.4: WaLLoC's wavelet for images and audio */
    WAVELET_LEGALL53 = 2,  /* float LeGall 5/3 (bior2.2) */
    WAVELET_INT53 = 3,     /* integer reversible 5/3: wavelet_int53_* only */
} WaveletKind;

typedef enum WaveletTree {
    WAVELET_TREE_PACKET = 0,
    WAVELET_TREE_DYADIC = 1,
} WaveletTree;

#define WAVELET_MAX_LEVELS 16
#define WAVELET_MAX_DIM (1 << 28)

typedef struct WaveletSpec {
    WaveletKind kind;
    WaveletTree tree;
    int dims;      /* 1 (along x only: audio) or 2 (images) */
    int levels;    /* J, 0..WAVELET_MAX_LEVELS (0 = copy); 2D packet: 4^J * C channels */
    int channels;  /* C >= 1 */
    int width;     /* >= 1: samples per channel (1D) or pixels per row */
    int height;    /* >= 1; must be 1 when dims == 1 */
} WaveletSpec;

/* 0 if s describes a supported transform whose buffers fit in size_t
 * (and every padded size in int), else LCC_EINVAL (bad field) or
 * LCC_ERANGE (too large). Every other function returns this check's error
 * before touching memory. */
int wavelet_check(const WaveletSpec *s);

/* Coefficient tensor shape: channels x height x width (packet:
 * C*4^J (2D) or C*2^J (1D) channels of mh x mw; dyadic: the signal shape).
 * Undefined if wavelet_check(s) != 0. */
void wavelet_coef_shape(const WaveletSpec *s, int *channels, int *height, int *width);
/* ceil(n / 2^levels): the packet band size along one axis. */
int wavelet_band_size(int n, int levels);
/* Elements of the signal and of the coefficient tensor (0 if s is invalid). */
size_t wavelet_signal_count(const WaveletSpec *s);
size_t wavelet_coef_count(const WaveletSpec *s);
/* Workspace bytes for any operation on s (0 if s is invalid). */
size_t wavelet_workspace_bytes(const WaveletSpec *s);

/* Float transforms (kind HAAR, CDF97 or LEGALL53). x: signal, X:
 * coefficients; inputs are not modified; ws: wavelet_workspace_bytes(s)
 * bytes. Inputs and outputs must not overlap each other or ws. */
int wavelet_forward(const WaveletSpec *s, const float *x, float *X, void *ws);
int wavelet_inverse(const WaveletSpec *s, const float *X, float *x, void *ws);
/* gx = W^T gX (gX has the coefficient shape, gx the signal shape). */
int wavelet_forward_adjoint(const WaveletSpec *s, const float *gX, float *gx, void *ws);
/* gX = W^-T gx (gx has the signal shape, gX the coefficient shape). */
int wavelet_inverse_adjoint(const WaveletSpec *s, const float *gx, float *gX, void *ws);

/* Integer reversible LeGall 5/3 (kind WAVELET_INT53), exactly invertible:
 *   d[i] = x[2i+1] - floor((x[2i] + x[2i+2]) / 2)
 *   s[i] = x[2i] + floor((d[i-1] + d[i] + 2) / 4)
 * with whole-sample symmetric extension, no scaling; same trees and layouts
 * as the float transforms. Magnitudes grow by at most about 2x per 1D split,
 * so |x| * 4^J (2D packet) or |x| * 2^J (1D) must stay below 2^29 (16-bit
 * data: J <= 6 in 2D, J <= 12 in 1D; 8-bit data: J <= 10 in 2D). */
int wavelet_int53_forward(const WaveletSpec *s, const int32_t *x, int32_t *X, void *ws);
int wavelet_int53_inverse(const WaveletSpec *s, const int32_t *X, int32_t *x, void *ws);

#endif /* LCC_WAVELET_H */
