/* CPU feature flags for choosing kernels at run time (STYLE.md rule 10).
 *
 * lcc_cpu_flags() returns the detected flags, restricted by the mask that
 * lcc_cpu_set_flags_mask() sets (tests, --cpumask) and by the environment
 * variable LCC_CPU=c|avx2|avx512 (read once). Each flag implies the ones
 * below it: a kernel family checks the flag of its ISA and returns early
 * when it is missing. */
#ifndef LCC_DSP_CPU_H
#define LCC_DSP_CPU_H

enum LccCpuFlags {
    LCC_CPU_FLAG_AVX2 = 1 << 0,       /* AVX2 + FMA3 (+ OS saves YMM)          */
    LCC_CPU_FLAG_AVX512 = 1 << 1,     /* AVX-512 F/BW/DQ/VL (+ OS saves ZMM)   */
    LCC_CPU_FLAG_AVX512VNNI = 1 << 2, /* AVX-512 VNNI (vpdpwssd, vpdpbusd)     */
};
#define LCC_CPU_FLAGS_ALL 0x7u

/* Flags of this CPU as the build may use them (0 without HAVE_SIMD). */
unsigned lcc_cpu_flags_detected(void);
/* Detected flags & mask & the LCC_CPU restriction. */
unsigned lcc_cpu_flags(void);
/* Restrict lcc_cpu_flags() to mask (LCC_CPU_FLAGS_ALL = no restriction).
 * Kernel tables built afterwards see the new flags; existing ones keep
 * theirs. Not thread-safe against concurrent table builds. */
void lcc_cpu_set_flags_mask(unsigned mask);
/* Parse "c", "avx2", "avx512" (the LCC_CPU values) into a mask; -1 if the
 * name is unknown. */
int lcc_cpu_mask_from_name(const char *name);
/* Name of the best ISA in flags: "avx512vnni", "avx512", "avx2" or "c". */
const char *lcc_cpu_name(unsigned flags);

#endif /* LCC_DSP_CPU_H */
