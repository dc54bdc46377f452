/* The wavelet kernels compiled for AVX-512 (auto-vectorised, 16 lanes in
 * the two-pass 2D packet path, no FMA contraction: bit-identical to the C
 * build). */
#ifndef __AVX512F__
#error "wavelet_avx512.c needs -mavx512f"
#endif
#define WAVELET_ISA avx512
#define WAVELET_LANES 16
#include "wavelet/wavelet_impl.c"
