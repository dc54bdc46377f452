/* lcc bench wavelet: speed of the wavelet transforms (wavelet/wavelet.h).
 *
 * Image: a 768x512x3 float image (values in [-0.5, 0.5]); MPixel/s counts
 * width x height pixels (of 3 channels each) per second.
 * Audio: 10 s of 44.1 kHz stereo (441000 x 2 samples); Msamples/s counts
 * all samples of all channels per second.
 * Each figure is the median over --repeat runs (default 15) of one call on
 * a single thread, after one warm-up call, with the kernels lcc_cpu_flags()
 * selects (LCC_CPU=c forces the C build). The JSON also gives, as KEY_best,
 * the speed of the fastest run: on a shared, loaded machine that is the
 * better estimate of the transform's own cost. With --cpu-clock the calls
 * are timed in the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID)
 * instead of wall time: on a loaded machine that leaves out the time the
 * thread waits for a core (not cache and memory contention). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "libcodec/dsp/cpu.h"
#include "wavelet/wavelet.h"

typedef enum Op { OP_FORWARD, OP_INVERSE, OP_FORWARD_ADJ, OP_INVERSE_ADJ } Op;

typedef struct Case {
    const char *key;
    WaveletSpec spec;
    Op op;
} Case;

#define IMG(kind, tree, J) { kind, tree, 2, J, 3, 768, 512 }
#define AUD(kind, J) { kind, WAVELET_TREE_PACKET, 1, J, 2, 441000, 1 }

static const Case cases[] = {
    { "image_cdf97_packet_j1_fwd_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 1), OP_FORWARD },
    { "image_cdf97_packet_j1_inv_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 1), OP_INVERSE },
    { "image_cdf97_packet_j2_fwd_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 2), OP_FORWARD },
    { "image_cdf97_packet_j2_inv_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 2), OP_INVERSE },
    { "image_cdf97_packet_j3_fwd_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 3), OP_FORWARD },
    { "image_cdf97_packet_j3_inv_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 3), OP_INVERSE },
    { "image_cdf97_packet_j3_fwd_adjoint_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 3), OP_FORWARD_ADJ },
    { "image_cdf97_packet_j3_inv_adjoint_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_PACKET, 3), OP_INVERSE_ADJ },
    { "image_haar_packet_j3_fwd_mpix_s", IMG(WAVELET_HAAR, WAVELET_TREE_PACKET, 3), OP_FORWARD },
    { "image_haar_packet_j3_inv_mpix_s", IMG(WAVELET_HAAR, WAVELET_TREE_PACKET, 3), OP_INVERSE },
    { "image_cdf97_dyadic_j3_fwd_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_DYADIC, 3), OP_FORWARD },
    { "image_cdf97_dyadic_j3_inv_mpix_s", IMG(WAVELET_CDF97, WAVELET_TREE_DYADIC, 3), OP_INVERSE },
    { "image_int53_packet_j3_fwd_mpix_s", IMG(WAVELET_INT53, WAVELET_TREE_PACKET, 3), OP_FORWARD },
    { "image_int53_packet_j3_inv_mpix_s", IMG(WAVELET_INT53, WAVELET_TREE_PACKET, 3), OP_INVERSE },
    { "image_int53_dyadic_j5_fwd_mpix_s", IMG(WAVELET_INT53, WAVELET_TREE_DYADIC, 5), OP_FORWARD },
    { "image_int53_dyadic_j5_inv_mpix_s", IMG(WAVELET_INT53, WAVELET_TREE_DYADIC, 5), OP_INVERSE },
    { "audio_stereo_cdf97_packet_j1_fwd_msamples_s", AUD(WAVELET_CDF97, 1), OP_FORWARD },
    { "audio_stereo_cdf97_packet_j1_inv_msamples_s", AUD(WAVELET_CDF97, 1), OP_INVERSE },
    { "audio_stereo_cdf97_packet_j8_fwd_msamples_s", AUD(WAVELET_CDF97, 8), OP_FORWARD },
    { "audio_stereo_cdf97_packet_j8_inv_msamples_s", AUD(WAVELET_CDF97, 8), OP_INVERSE },
    { "audio_stereo_int53_packet_j8_fwd_msamples_s", AUD(WAVELET_INT53, 8), OP_FORWARD },
    { "audio_stereo_int53_packet_j8_inv_msamples_s", AUD(WAVELET_INT53, 8), OP_INVERSE },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int run_op(const Case *c, const void *in, void *out, void *ws)
{
    const WaveletSpec *s = &c->spec;
    if (s->kind == WAVELET_INT53)
        return c->op == OP_FORWARD ? wavelet_int53_forward(s, in, out, ws) : wavelet_int53_inverse(s, in, out, ws);
    switch (c->op) {
    case OP_FORWARD: return wavelet_forward(s, in, out, ws);
    case OP_INVERSE: return wavelet_inverse(s, in, out, ws);
    case OP_FORWARD_ADJ: return wavelet_forward_adjoint(s, in, out, ws);
    default: return wavelet_inverse_adjoint(s, in, out, ws);
    }
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double thread_cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int lcc_bench_wavelet(int argc, char **argv, int json)
{
    int repeat = 15, cpu_clock = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--cpu-clock")) {
            cpu_clock = 1;
        } else {
            fprintf(stderr, "lcc bench wavelet: unexpected argument '%s'\n", argv[i]);
            repeat = 0;
        }
    }
    if (repeat < 1 || repeat > 1000) {
        fprintf(stderr, "usage: lcc bench wavelet [--repeat N (1..1000)] [--cpu-clock] [--json]\n");
        return 1;
    }
    /* buffers large enough for every case */
    size_t big = 0, wsb = 0;
    for (size_t k = 0; k < NCASES; k++) {
        const size_t n = wavelet_signal_count(&cases[k].spec), m = wavelet_coef_count(&cases[k].spec);
        const size_t w = wavelet_workspace_bytes(&cases[k].spec);
        if (!n || !m || !w) {
            fprintf(stderr, "lcc bench wavelet: invalid case %s\n", cases[k].key);
            return 4;
        }
        big = n > big ? n : big;
        big = m > big ? m : big;
        wsb = w > wsb ? w : wsb;
    }
    float *in = malloc(big * sizeof(float)), *out = malloc(big * sizeof(float));
    int32_t *iin = malloc(big * sizeof(int32_t));
    void *ws = malloc(wsb);
    double *t = malloc((size_t)repeat * sizeof(double)), res[NCASES], best[NCASES];
    if (!in || !out || !iin || !ws || !t) {
        free(in), free(out), free(iin), free(ws), free(t);
        fprintf(stderr, "lcc bench wavelet: out of memory\n");
        return 4;
    }
    uint32_t r = 12345;
    for (size_t i = 0; i < big; i++) {
        r = r * 1664525u + 1013904223u;
        in[i] = (float)(r >> 8) * (1.0f / 16777216.0f) - 0.5f;
        iin[i] = (int32_t)(r >> 24);   /* 8-bit samples */
    }
    int err = 0;
    for (size_t k = 0; k < NCASES && !err; k++) {
        const Case *c = &cases[k];
        const void *src = c->spec.kind == WAVELET_INT53 ? (const void *)iin : (const void *)in;
        err = run_op(c, src, out, ws);   /* warm-up */
        for (int i = 0; i < repeat && !err; i++) {
            const double t0 = cpu_clock ? thread_cpu_now() : lcc_bench_now();
            err = run_op(c, src, out, ws);
            t[i] = (cpu_clock ? thread_cpu_now() : lcc_bench_now()) - t0;
        }
        qsort(t, (size_t)repeat, sizeof(*t), cmp_double);
        const double med = repeat & 1 ? t[repeat / 2] : 0.5 * (t[repeat / 2 - 1] + t[repeat / 2]);
        const double units = c->spec.dims == 2 ? (double)c->spec.width * c->spec.height
                                               : (double)c->spec.width * c->spec.channels;
        res[k] = med > 0 ? units / med * 1e-6 : 0;
        best[k] = t[0] > 0 ? units / t[0] * 1e-6 : 0;
    }
    free(in), free(out), free(iin), free(ws), free(t);
    if (err) {
        fprintf(stderr, "lcc bench wavelet: transform failed (%d)\n", err);
        return 4;
    }
    if (json) {
        printf("{\"bench\": \"wavelet\", \"kernels\": \"%s\", \"image\": \"768x512x3\", \"audio\": \"441000x2\", "
               "\"repeat\": %d, \"clock\": \"%s\"", lcc_cpu_name(lcc_cpu_flags()), repeat,
               cpu_clock ? "thread-cpu" : "wall");
        for (size_t k = 0; k < NCASES; k++)
            printf(", \"%s\": %.2f, \"%s_best\": %.2f", cases[k].key, res[k], cases[k].key, best[k]);
        printf("}\n");
    } else {
        printf("wavelet transforms (%s kernels), median of %d (image 768x512x3: MPixel/s; audio 441000x2: "
               "Msamples/s)\n", lcc_cpu_name(lcc_cpu_flags()), repeat);
        for (size_t k = 0; k < NCASES; k++)
            printf("  %-44s %10.2f (best %.2f)\n", cases[k].key, res[k], best[k]);
    }
    return 0;
}
