/* LADSPA plugin `lcc_roundtrip` (library lcc.so) for FFmpeg: the audio goes
 * through the wavelet-ae audio codec's round trip (analysis, quantization,
 * synthesis), so a machine-listening pipeline sees what it would see after
 * learned compression:
 *   ffmpeg -i in.wav -af ladspa=file=lcc:plugin=lcc_roundtrip:c=c0=QUALITY:latency=1 out.wav
 * (LADSPA_PATH=<build>/ffmpeg). One instance per channel (1 in / 1 out):
 * the codec codes every channel with the same mono model, so this equals
 * `lcc encode` + `lcc decode` of the same audio (within float rounding;
 * the entropy coder is lossless and is skipped) — except the chunks of a
 * nearly mono stereo file, which the file codec codes as mid/side (SPEC.md
 * §3.3, stereo mode 1) and this per-channel plugin as left/right.
 *
 * Block-wise: the plugin cuts the stream into the codec's chunks (SPEC.md
 * §3.3: segments of S samples, chunks overlapping by O on each side,
 * linear cross-fade) and codes a chunk once all its samples have arrived,
 * so the output is the input delayed by S + 2 O samples (5.99 s at
 * 44.1 kHz), reported on the output control port "latency"; with
 * `latency=1` ffmpeg trims the delay and flushes the plugin with silence
 * at the end, which is what the file codec codes past the end.
 * Controls: c0 "quality" (1..8, default 4, 0 means 1; read at every chunk). Sample
 * rates 44100 and 48000 Hz (others: the plugin does not instantiate and
 * says why on stderr). Errors cannot be returned through LADSPA: a chunk
 * that fails passes through unchanged and the reason is printed once. */
#include <ladspa.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/dsp/cpu.h"
#include "libcodec/models/registry.h"
#include "libcodec/models/walloc_audio.h"
#include "wavelet/wavelet.h"

#define EXPORT __attribute__((visibility("default")))

enum { PORT_IN, PORT_OUT, PORT_QUALITY, PORT_LATENCY, PORT_COUNT };

#define RING_BITS 21
#define RING (1u << RING_BITS)          /* decoded samples waiting to be emitted */
#define MAX_BLOCK 65536                 /* run() is split into blocks of at most this */

typedef struct Plugin {
    LADSPA_Data *port[PORT_COUNT];
    LccContext *ctx;
    WaudioNet net;
    LccNn nn;
    int nn_ready;
    uint32_t S, O;
    uint64_t delay;
    float *in, *y, *prev, *ring;
    void *ws;
    uint64_t n_in, n_out;               /* samples taken / given */
    uint64_t k;                         /* next chunk */
    uint64_t in_base;                   /* absolute index of in[0] */
    uint64_t fin;                       /* decoded samples [0, fin) are final */
    int warned;
} Plugin;

/* The coding round trip of one chunk without the entropy coder (lossless,
 * so skipped): x (C planes of n samples) -> analysis at quality q ->
 * symbols -> synthesis -> inverse transform -> y: the same operations as
 * the encoder (encoders/walloc_audio_enc.c) and the decoder
 * (decoders/walloc_audio_dec.c). ws: wavelet workspace for (C, n). */
static lcc_status roundtrip(LccNn *const nn, WaudioNet *const m, const int q, const float *const x, const int C,
                            const int n, float *const y, void *const ws)
{
    const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, m->cfg.levels, C, n, 1 };
    const int T = wavelet_band_size(n, m->cfg.levels);
    lcc_nn_reset(nn);
    LccTensor X = lcc_nn_tensor(nn, C, m->bands, 1, T), lat, Xh;
    if (!X.d)
        return LCC_ENOMEM;
    if (wavelet_forward(&spec, x, X.d, ws))
        return LCC_EINTERNAL;
    lcc_status err = waudio_analysis(nn, m, &X, q - 1, &lat);
    if (err)
        return err;
    const size_t ny = lcc_tensor_size(&lat);
    for (size_t i = 0; i < ny; i++)
        lat.d[i] = (float)waudio_symbol(lat.d[i]);
    if ((err = waudio_synthesis(nn, m, &lat, q - 1, &Xh, 0)))
        return err;
    return wavelet_inverse(&spec, Xh.d, y, ws) ? LCC_EINTERNAL : LCC_OK;
}

static void plugin_reset(Plugin *const p)
{
    p->n_in = p->n_out = p->k = p->in_base = p->fin = 0;
}

static void cleanup(LADSPA_Handle h)
{
    Plugin *const p = h;
    if (!p)
        return;
    if (p->nn_ready)
        lcc_nn_uninit(&p->nn);
    waudio_free(&p->net);
    lcc_close(&p->ctx);
    free(p->in);
    free(p->y);
    free(p->prev);
    free(p->ring);
    free(p->ws);
    free(p);
}

static LADSPA_Handle instantiate(const LADSPA_Descriptor *const d, const unsigned long rate)
{
    (void)d;
    if (rate != 44100 && rate != 48000) {
        fprintf(stderr, "lcc_roundtrip: %lu Hz is not supported (44100 or 48000 Hz: resample first, "
                        "e.g. -af aresample=48000,ladspa=...)\n", rate);
        return NULL;
    }
    Plugin *const p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    uint8_t *file = NULL;
    size_t size = 0;
    uint8_t id[32];
    const uint8_t *cdf[WAUDIO_MAX_QUALITIES];
    size_t cdf_size[WAUDIO_MAX_QUALITIES];
    lcc_status err = lcc_open(&p->ctx, NULL);
    if (!err)
        err = lcc_model_load_name(p->ctx, WAUDIO_MODEL_FILE, &file, &size);
    if (!err)
        err = waudio_load(p->ctx, &p->net, file, size, id, cdf, cdf_size);
    free(file);
    if (!err && !(err = lcc_nn_init(&p->nn, p->ctx, 1, lcc_cpu_flags())))
        p->nn_ready = 1;
    if (!err) {
        p->S = (uint32_t)WAUDIO_SEGMENT_FRAMES << p->net.cfg.levels;
        p->O = WAUDIO_OVERLAP;
        p->delay = (uint64_t)p->S + 2 * p->O;
        const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, p->net.cfg.levels, 1,
                                   (int)(p->S + 2 * p->O), 1 };
        p->in = malloc(sizeof(float) * (p->S + 2 * p->O));
        p->y = malloc(sizeof(float) * (p->S + 2 * p->O));
        p->prev = calloc(2 * p->O, sizeof(float));
        p->ring = calloc(RING, sizeof(float));
        p->ws = wavelet_check(&spec) ? NULL : malloc(wavelet_workspace_bytes(&spec));
        if (!p->in || !p->y || !p->prev || !p->ring || !p->ws)
            err = LCC_ENOMEM;
    }
    if (err) {
        fprintf(stderr, "lcc_roundtrip: %s\n", p->ctx && *lcc_last_error(p->ctx) ? lcc_last_error(p->ctx)
                                                                                  : lcc_strerror(err));
        cleanup(p);
        return NULL;
    }
    return p;
}

static void connect_port(LADSPA_Handle h, const unsigned long port, LADSPA_Data *const data)
{
    Plugin *const p = h;
    if (port < PORT_COUNT)
        p->port[port] = data;
}

static void activate(LADSPA_Handle h)
{
    Plugin *const p = h;
    plugin_reset(p);
    if (p->port[PORT_LATENCY])
        *p->port[PORT_LATENCY] = (LADSPA_Data)p->delay;
}

/* Code chunk k (its samples are all in p->in) and make the samples before
 * the next chunk's cross-fade final. */
static void code_chunk(Plugin *const p)
{
    const uint64_t S = p->S, O = p->O, k = p->k;
    const uint64_t s0 = k * S > O ? k * S - O : 0, e = (k + 1) * S + O;
    const int n = (int)(e - s0);
    int q = p->port[PORT_QUALITY] ? (int)lrintf(*p->port[PORT_QUALITY]) : 4;
    q = q < 1 ? 1 : q > p->net.cfg.qualities ? p->net.cfg.qualities : q;
    const lcc_status err = roundtrip(&p->nn, &p->net, q, p->in, 1, n, p->y, p->ws);
    if (err) {
        if (!p->warned++)
            fprintf(stderr, "lcc_roundtrip: chunk %llu passed through: %s\n", (unsigned long long)k,
                    lcc_strerror(err));
        memcpy(p->y, p->in, sizeof(float) * (size_t)n);
    }
    const uint64_t f1 = k ? s0 + 2 * O : s0, w1 = (k + 1) * S - O;
    for (uint64_t t = s0; t < w1; t++) {
        float v = p->y[t - s0];
        if (t < f1) {
            const double w = ((double)(t - s0) + 0.5) / (2.0 * (double)O);
            v = (float)(w * v + (1 - w) * p->prev[t - s0]);
        }
        p->ring[t & (RING - 1)] = v;
    }
    for (uint64_t t = w1; t < e; t++)
        p->prev[t - w1] = p->y[t - s0];
    p->fin = w1;
    /* keep [w1, e): the start of the next chunk */
    memmove(p->in, p->in + (w1 - s0), sizeof(float) * (size_t)(e - w1));
    p->in_base = w1;
    p->k = k + 1;
}

static void run_block(Plugin *const p, const LADSPA_Data *const in, LADSPA_Data *const out, const unsigned long n)
{
    /* take the input, coding every chunk that becomes complete */
    unsigned long i = 0;
    while (i < n) {
        const uint64_t e = (p->k + 1) * p->S + p->O;
        const uint64_t take = e - p->n_in < n - i ? e - p->n_in : n - i;
        memcpy(p->in + (p->n_in - p->in_base), in + i, sizeof(float) * (size_t)take);
        p->n_in += take;
        i += (unsigned long)take;
        if (p->n_in == e)
            code_chunk(p);
    }
    /* give the input of `delay` samples ago, decoded (the input is read
     * before the output is written: the host may run in place) */
    for (unsigned long j = 0; j < n; j++, p->n_out++)
        out[j] = p->n_out < p->delay ? 0.0f : p->ring[(p->n_out - p->delay) & (RING - 1)];
}

static void run(LADSPA_Handle h, const unsigned long n)
{
    Plugin *const p = h;
    if (p->port[PORT_LATENCY])
        *p->port[PORT_LATENCY] = (LADSPA_Data)p->delay;
    const LADSPA_Data *const in = p->port[PORT_IN];
    LADSPA_Data *const out = p->port[PORT_OUT];
    if (!in || !out)
        return;
    for (unsigned long o = 0; o < n; o += MAX_BLOCK)
        run_block(p, in + o, out + o, n - o < MAX_BLOCK ? n - o : MAX_BLOCK);
}

static const LADSPA_PortDescriptor port_desc[PORT_COUNT] = {
    LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO,
    LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO,
    LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL,
    LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL,
};
static const char *const port_names[PORT_COUNT] = { "input", "output", "quality", "latency" };
static const LADSPA_PortRangeHint port_hints[PORT_COUNT] = {
    { 0, 0, 0 },
    { 0, 0, 0 },
    /* 0..8, default (middle) 4; 0 is taken as 1 */
    { LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_INTEGER | LADSPA_HINT_DEFAULT_MIDDLE,
      0, 8 },
    { 0, 0, 0 },
};

static const LADSPA_Descriptor descriptor = {
    .UniqueID = 0x4c4343,   /* "LCC" */
    .Label = "lcc_roundtrip",
    .Properties = 0,    /* not real-time capable: a chunk is coded at once */
    .Name = "lcc wavelet-ae audio round trip (learned compression)",
    .Maker = "lcc developers",
    .Copyright = "see the lcc repository",
    .PortCount = PORT_COUNT,
    .PortDescriptors = port_desc,
    .PortNames = port_names,
    .PortRangeHints = port_hints,
    .instantiate = instantiate,
    .connect_port = connect_port,
    .activate = activate,
    .run = run,
    .cleanup = cleanup,
};

EXPORT const LADSPA_Descriptor *ladspa_descriptor(unsigned long index);

const LADSPA_Descriptor *ladspa_descriptor(const unsigned long index)
{
    return index == 0 ? &descriptor : NULL;
}
