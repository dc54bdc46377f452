/* LADSPA plugin `lcc_roundtrip` (library lcc.so) for FFmpeg: the audio goes
 * through the wavelet-ae audio codec's round trip (analysis, quantization,
 * synthesis), so a machine-listening pipeline sees what it would see after
 * learned compression:
 *   ffmpeg -i in.wav -af ladspa=file=lcc:plugin=lcc_roundtrip:c=c0=QUALITY:latency=1 out.wav
 * (LADSPA_PATH=<build>/ffmpeg). Two plugins: `lcc_roundtrip` (1 in / 1 out;
 * ffmpeg runs one instance per channel) and `lcc_roundtrip_stereo` (2 in /
 * 2 out, one instance for a stereo stream). The codec codes every channel
 * with the same mono model, so they equal `lcc encode` + `lcc decode` of
 * the same audio (within float rounding; the entropy coder is lossless and
 * is skipped) — for stereo files, the stereo plugin does: it chooses each
 * chunk's stereo mode as the encoder does (mid/side for nearly mono pairs,
 * SPEC.md §3.3), which one instance per channel cannot.
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

/* Ports of a plugin of C channels: inputs 0..C-1, outputs C..2C-1, then
 * the quality and latency controls. */
#define MAX_CH 2
#define PORT_QUALITY(C) (2 * (C))
#define PORT_LATENCY(C) (2 * (C) + 1)
#define PORT_COUNT(C) (2 * (C) + 2)

#define RING_BITS 21
#define RING (1u << RING_BITS)          /* decoded samples waiting to be emitted */
#define MAX_BLOCK 65536                 /* run() is split into blocks of at most this */

typedef struct Plugin {
    int C;                              /* channels: 1 or 2 */
    LADSPA_Data *port[PORT_COUNT(MAX_CH)];
    LccContext *ctx;
    WaudioNet net;
    LccNn nn;
    int nn_ready;
    uint32_t S, O;
    uint64_t delay;
    float *in, *y, *prev, *ring;        /* C planes of S + 2 O, S + 2 O, 2 O, RING */
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
    if (rate != 44100 && rate != 48000) {
        fprintf(stderr, "lcc_roundtrip: %lu Hz is not supported (44100 or 48000 Hz: resample first, "
                        "e.g. -af aresample=48000,ladspa=...)\n", rate);
        return NULL;
    }
    Plugin *const p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->C = d->PortCount == PORT_COUNT(2) ? 2 : 1;
    const size_t C = (size_t)p->C;
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
        const WaveletSpec spec = { WAVELET_CDF97, WAVELET_TREE_PACKET, 1, p->net.cfg.levels, p->C,
                                   (int)(p->S + 2 * p->O), 1 };
        p->in = malloc(sizeof(float) * (p->S + 2 * p->O) * C);
        p->y = malloc(sizeof(float) * (p->S + 2 * p->O) * C);
        p->prev = calloc(2 * p->O * C, sizeof(float));
        p->ring = calloc(RING * C, sizeof(float));
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
    if (port < (unsigned long)PORT_COUNT(p->C))
        p->port[port] = data;
}

static void activate(LADSPA_Handle h)
{
    Plugin *const p = h;
    plugin_reset(p);
    if (p->port[PORT_LATENCY(p->C)])
        *p->port[PORT_LATENCY(p->C)] = (LADSPA_Data)p->delay;
}

/* Code chunk k (its samples are all in p->in) and make the samples before
 * the next chunk's cross-fade final. */
static void code_chunk(Plugin *const p)
{
    const uint64_t S = p->S, O = p->O, k = p->k, cap = S + 2 * O;
    const uint64_t s0 = k * S > O ? k * S - O : 0, e = (k + 1) * S + O;
    const int n = (int)(e - s0), C = p->C;
    int q = p->port[PORT_QUALITY(C)] ? (int)lrintf(*p->port[PORT_QUALITY(C)]) : 4;
    q = q < 1 ? 1 : q > p->net.cfg.qualities ? p->net.cfg.qualities : q;
    /* the chunk's channels side by side (C planes of n), as the encoder
     * has them; a stereo pair in the encoder's stereo mode */
    for (int c = 0; c < C; c++)
        memcpy(p->y + (size_t)c * n, p->in + c * cap, sizeof(float) * (size_t)n);
    const int ms = C == 2 && waudio_stereo_mode(p->y, n);
    if (ms)
        waudio_mid_side(p->y, n);
    const lcc_status err = roundtrip(&p->nn, &p->net, q, p->y, C, n, p->y, p->ws);
    if (err) {
        if (!p->warned++)
            fprintf(stderr, "lcc_roundtrip: chunk %llu passed through: %s\n", (unsigned long long)k,
                    lcc_strerror(err));
        for (int c = 0; c < C; c++)
            memcpy(p->y + (size_t)c * n, p->in + c * cap, sizeof(float) * (size_t)n);
    } else if (ms) {
        waudio_mid_side(p->y, n);
    }
    const uint64_t f1 = k ? s0 + 2 * O : s0, w1 = (k + 1) * S - O;
    for (int c = 0; c < C; c++) {
        const float *const y = p->y + (size_t)c * n;
        float *const prev = p->prev + (size_t)c * 2 * O, *const ring = p->ring + (size_t)c * RING;
        for (uint64_t t = s0; t < w1; t++) {
            float v = y[t - s0];
            if (t < f1) {
                const double w = ((double)(t - s0) + 0.5) / (2.0 * (double)O);
                v = (float)(w * v + (1 - w) * prev[t - s0]);
            }
            ring[t & (RING - 1)] = v;
        }
        for (uint64_t t = w1; t < e; t++)
            prev[t - w1] = y[t - s0];
        /* keep [w1, e): the start of the next chunk */
        memmove(p->in + c * cap, p->in + c * cap + (w1 - s0), sizeof(float) * (size_t)(e - w1));
    }
    p->fin = w1;
    p->in_base = w1;
    p->k = k + 1;
}

static void run_block(Plugin *const p, const unsigned long o, const unsigned long n)
{
    const int C = p->C;
    const size_t cap = (size_t)p->S + 2 * p->O;
    /* take the input, coding every chunk that becomes complete */
    unsigned long i = 0;
    while (i < n) {
        const uint64_t e = (p->k + 1) * p->S + p->O;
        const uint64_t take = e - p->n_in < n - i ? e - p->n_in : n - i;
        for (int c = 0; c < C; c++)
            memcpy(p->in + c * cap + (p->n_in - p->in_base), p->port[c] + o + i, sizeof(float) * (size_t)take);
        p->n_in += take;
        i += (unsigned long)take;
        if (p->n_in == e)
            code_chunk(p);
    }
    /* give the input of `delay` samples ago, decoded (the input is read
     * before the output is written: the host may run in place) */
    for (int c = 0; c < C; c++) {
        LADSPA_Data *const out = p->port[C + c] + o;
        const float *const ring = p->ring + (size_t)c * RING;
        uint64_t t = p->n_out;
        for (unsigned long j = 0; j < n; j++, t++)
            out[j] = t < p->delay ? 0.0f : ring[(t - p->delay) & (RING - 1)];
    }
    p->n_out += n;
}

static void run(LADSPA_Handle h, const unsigned long n)
{
    Plugin *const p = h;
    if (p->port[PORT_LATENCY(p->C)])
        *p->port[PORT_LATENCY(p->C)] = (LADSPA_Data)p->delay;
    for (int c = 0; c < 2 * p->C; c++)
        if (!p->port[c])
            return;
    for (unsigned long o = 0; o < n; o += MAX_BLOCK)
        run_block(p, o, n - o < MAX_BLOCK ? n - o : MAX_BLOCK);
}

#define AUDIO_IN (LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO)
#define AUDIO_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO)
#define CONTROL_IN (LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL)
#define CONTROL_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL)
/* 0..8, default (middle) 4; 0 is taken as 1 */
#define QUALITY_HINT                                                                                                \
    { LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_INTEGER | LADSPA_HINT_DEFAULT_MIDDLE, 0, 8 }

static const LADSPA_PortDescriptor mono_desc[PORT_COUNT(1)] = { AUDIO_IN, AUDIO_OUT, CONTROL_IN, CONTROL_OUT };
static const char *const mono_names[PORT_COUNT(1)] = { "input", "output", "quality", "latency" };
static const LADSPA_PortRangeHint mono_hints[PORT_COUNT(1)] = { { 0, 0, 0 }, { 0, 0, 0 }, QUALITY_HINT, { 0, 0, 0 } };

static const LADSPA_PortDescriptor stereo_desc[PORT_COUNT(2)] = { AUDIO_IN,   AUDIO_IN,  AUDIO_OUT,
                                                                  AUDIO_OUT,  CONTROL_IN, CONTROL_OUT };
static const char *const stereo_names[PORT_COUNT(2)] = { "input left",   "input right", "output left",
                                                          "output right", "quality",     "latency" };
static const LADSPA_PortRangeHint stereo_hints[PORT_COUNT(2)] = { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 },
                                                                   { 0, 0, 0 }, QUALITY_HINT, { 0, 0, 0 } };

/* Not real-time capable (Properties 0): a chunk is coded at once. */
#define DESCRIPTOR(id, label, name, C, ports)                                                                        \
    {                                                                                                             \
        .UniqueID = (id), .Label = (label), .Properties = 0, .Name = (name), .Maker = "lcc developers",           \
        .Copyright = "see the lcc repository", .PortCount = PORT_COUNT(C), .PortDescriptors = ports##_desc,      \
        .PortNames = ports##_names, .PortRangeHints = ports##_hints, .instantiate = instantiate,                  \
        .connect_port = connect_port, .activate = activate, .run = run, .cleanup = cleanup,                      \
    }

static const LADSPA_Descriptor descriptors[2] = {
    DESCRIPTOR(0x4c4343 /* "LCC" */, "lcc_roundtrip", "lcc wavelet-ae audio round trip (learned compression)", 1,
               mono),
    DESCRIPTOR(0x4c4344, "lcc_roundtrip_stereo",
               "lcc wavelet-ae audio round trip, stereo (learned compression, mid/side as the encoder)", 2, stereo),
};

EXPORT const LADSPA_Descriptor *ladspa_descriptor(unsigned long index);

const LADSPA_Descriptor *ladspa_descriptor(const unsigned long index)
{
    return index < 2 ? &descriptors[index] : NULL;
}
