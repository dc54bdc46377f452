/* x86 GEMM micro-kernels, one static library per ISA (STYLE.md rule 11). */
#ifndef LCC_DSP_X86_GEMM_H
#define LCC_DSP_X86_GEMM_H

#include "libcodec/dsp/gemm.h"

#define AVX2_SMR 6
#define AVX2_SNR 16
#define AVX2_QMR 6
#define AVX2_QNR 16
#define AVX512_SMR 12
#define AVX512_SNR 32
#define AVX512_QMR 12
#define AVX512_QNR 32

decl_sgemm_kernel_fn(lcc_sgemm_kernel_avx2);
decl_qgemm_kernel_fn(lcc_qgemm_kernel_avx2);
decl_conv3_kernel_fn(lcc_conv3_kernel_avx2);
decl_sgemm_kernel_fn(lcc_sgemm_kernel_avx512);
decl_qgemm_kernel_fn(lcc_qgemm_kernel_avx512);
decl_qgemm_kernel_fn(lcc_qgemm_kernel_avx512vnni);
decl_conv3_kernel_fn(lcc_conv3_kernel_avx512);

#endif /* LCC_DSP_X86_GEMM_H */
