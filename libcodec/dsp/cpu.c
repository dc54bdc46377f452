/* CPU feature detection with a maskable result. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"

#if HAVE_SIMD && ARCH_X86_64
#include <cpuid.h>

static unsigned long long xgetbv0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (unsigned long long)edx << 32 | eax;
}

static unsigned detect(void)
{
    unsigned a, b, c, d, flags = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    const int osxsave = !!(c & (1u << 27)), fma = !!(c & (1u << 12)), avx = !!(c & (1u << 28));
    if (!osxsave || !avx || !fma)
        return 0;
    const unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6)           /* XMM and YMM state */
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    const int avx2 = !!(b & (1u << 5)), bmi2 = !!(b & (1u << 8));
    if (!avx2 || !bmi2)
        return 0;
    flags |= LCC_CPU_FLAG_AVX2;
    const int f = !!(b & (1u << 16)), dq = !!(b & (1u << 17)), bw = !!(b & (1u << 30)), vl = !!(b & (1u << 31));
    if (f && dq && bw && vl && (xcr0 & 0xe6) == 0xe6) {   /* opmask, ZMM_Hi256, Hi16_ZMM */
        flags |= LCC_CPU_FLAG_AVX512;
        if (c & (1u << 11))
            flags |= LCC_CPU_FLAG_AVX512VNNI;
    }
    return flags;
}
#else
static unsigned detect(void)
{
    return 0;
}
#endif

static unsigned detected, env_mask = LCC_CPU_FLAGS_ALL;
static unsigned user_mask = LCC_CPU_FLAGS_ALL;
static pthread_once_t once = PTHREAD_ONCE_INIT;

int lcc_cpu_mask_from_name(const char *const name)
{
    if (!strcmp(name, "c") || !strcmp(name, "none"))
        return 0;
    if (!strcmp(name, "avx2"))
        return LCC_CPU_FLAG_AVX2;
    if (!strcmp(name, "avx512"))
        return LCC_CPU_FLAG_AVX2 | LCC_CPU_FLAG_AVX512 | LCC_CPU_FLAG_AVX512VNNI;
    if (!strcmp(name, "avx512novnni"))
        return LCC_CPU_FLAG_AVX2 | LCC_CPU_FLAG_AVX512;
    return -1;
}

static void init_once(void)
{
    detected = detect();
    const char *const e = getenv("LCC_CPU");
    if (e && *e) {
        const int m = lcc_cpu_mask_from_name(e);
        if (m < 0)
            fprintf(stderr, "lcc: ignoring unknown LCC_CPU=%s (use c, avx2 or avx512)\n", e);
        else
            env_mask = (unsigned)m;
    }
}

unsigned lcc_cpu_flags_detected(void)
{
    pthread_once(&once, init_once);
    return detected;
}

unsigned lcc_cpu_flags(void)
{
    pthread_once(&once, init_once);
    return detected & env_mask & user_mask;
}

void lcc_cpu_set_flags_mask(const unsigned mask)
{
    user_mask = mask & LCC_CPU_FLAGS_ALL;
}

const char *lcc_cpu_name(const unsigned flags)
{
    if (flags & LCC_CPU_FLAG_AVX512VNNI)
        return "avx512vnni";
    if (flags & LCC_CPU_FLAG_AVX512)
        return "avx512";
    if (flags & LCC_CPU_FLAG_AVX2)
        return "avx2";
    return "c";
}
