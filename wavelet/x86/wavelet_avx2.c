/* The wavelet kernels compiled for AVX2 (auto-vectorised, no FMA
 * contraction: bit-identical to the C build). */
#ifndef __AVX2__
#error "wavelet_avx2.c needs -mavx2"
#endif
#define WAVELET_ISA avx2
#include "wavelet/wavelet_impl.c"
