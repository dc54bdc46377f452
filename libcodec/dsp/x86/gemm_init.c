/* Fill the GEMM table with the x86 kernels, in increasing ISA order. */
#include "config.h"

#include "libcodec/dsp/cpu.h"
#include "libcodec/dsp/x86/gemm.h"

void lcc_gemm_dsp_init_x86(GemmDSPContext *const c, const unsigned flags)
{
    if (!(flags & LCC_CPU_FLAG_AVX2))
        return;
    c->sgemm = lcc_sgemm_kernel_avx2;
    c->smr = AVX2_SMR;
    c->snr = AVX2_SNR;
    c->qgemm = lcc_qgemm_kernel_avx2;
    c->qmr = AVX2_QMR;
    c->qnr = AVX2_QNR;
    c->conv3 = lcc_conv3_kernel_avx2;
    if (!(flags & LCC_CPU_FLAG_AVX512))
        return;
    c->sgemm = lcc_sgemm_kernel_avx512;
    c->smr = AVX512_SMR;
    c->snr = AVX512_SNR;
    c->qgemm = lcc_qgemm_kernel_avx512;
    c->qmr = AVX512_QMR;
    c->qnr = AVX512_QNR;
    c->conv3 = lcc_conv3_kernel_avx512;
    if (!(flags & LCC_CPU_FLAG_AVX512VNNI))
        return;
    c->qgemm = lcc_qgemm_kernel_avx512vnni;
}
