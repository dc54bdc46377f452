/* Internal to wavelet/: the per-ISA builds of the kernels (wavelet_impl.c).
 * The wavelet_run_* functions expect a spec and buffers already checked. */
#ifndef LCC_WAVELET_ISA_H
#define LCC_WAVELET_ISA_H

#include <stdint.h>

#include "wavelet/wavelet.h"

/* Lanes of the two-pass 2D packet path (wavelet_impl.c) in the widest
 * build; its workspace holds max(pw, ph) x this many floats. */
#define WAVELET_MAX_LANES 16

enum { WAVELET_OP_FWD, WAVELET_OP_INV, WAVELET_OP_FWD_T, WAVELET_OP_INV_T };

void wavelet_run_f_c(const WaveletSpec *s, const float *in, float *out, void *ws, int op);
void wavelet_run_i_c(const WaveletSpec *s, const int32_t *in, int32_t *out, void *ws, int op);
void wavelet_run_f_avx512(const WaveletSpec *s, const float *in, float *out, void *ws, int op);
void wavelet_run_i_avx512(const WaveletSpec *s, const int32_t *in, int32_t *out, void *ws, int op);
void wavelet_run_f_avx2(const WaveletSpec *s, const float *in, float *out, void *ws, int op);
void wavelet_run_i_avx2(const WaveletSpec *s, const int32_t *in, int32_t *out, void *ws, int op);

/* The per-level reference (C build): the level-by-level tree drivers for
 * every tree, including the 2D packet tree that wavelet_run_f_* computes
 * in two passes (same transform; values equal up to float rounding).
 * For tests. */
void wavelet_run_f_ref(const WaveletSpec *s, const float *in, float *out, void *ws, int op);

#endif /* LCC_WAVELET_ISA_H */
