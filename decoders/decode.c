/* The profile table, lcc_decode and lcc_stream_info. */
#include <string.h>

#include "config.h"
#include "decoders/decoders.h"
#include "libcodec/io/io.h"
#include <unistd.h>

static const int stored_qualities[] = { 0 };
/* 1..10 with the hyperprior model, 1..8 with the factorized one */
static const int walloc_qualities[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

#define STORED(mod)                                                                                  \
    { { "stored", LCC_PROFILE_STORED, mod, 1, stored_qualities, 0, CONFIG_ENCODERS,                  \
        "raw samples in the container, bit-exact (for testing pipelines, and as a fallback)" },      \
      lcc_stored_decode }

/* One entry per (profile, modality), best profile of a modality first. */
static const LccProfileEntry profiles[] = {
    { { "wavelet-ae", LCC_PROFILE_WAVELET_AE, LCC_MODALITY_IMAGE, 10, walloc_qualities, 6, CONFIG_ENCODERS,
        "WaLLoC: wavelet packet + linear (and nonlinear) analysis, learned synthesis and post-filter, hyperprior + checkerboard context, rANS (lossy)" },
      lcc_walloc_decode },
    STORED(LCC_MODALITY_IMAGE),
    { { "wavelet-ae", LCC_PROFILE_WAVELET_AE, LCC_MODALITY_AUDIO, 8, walloc_qualities, 4, CONFIG_ENCODERS,
        "WaLLoC audio: 1D wavelet packet (J = 8) + linear analysis per channel, learned synthesis, "
        "factorized-prior rANS, independent chunks of ~6 s (lossy; 44.1/48 kHz)" },
      lcc_walloc_decode },
    STORED(LCC_MODALITY_AUDIO),
    STORED(LCC_MODALITY_VIDEO),
    /* pc: quality 0 only (lossless), like stored. */
    { { "pc", LCC_PROFILE_PC, LCC_MODALITY_IMAGE, 1, stored_qualities, 0, CONFIG_ENCODERS,
        "lossless 8-bit gray/RGB images: probabilistic circuit (hidden Chow-Liu tree) + rANS" },
      lcc_pc_decode },
    { { "pc", LCC_PROFILE_PC, LCC_MODALITY_VIDEO, 1, stored_qualities, 0, CONFIG_ENCODERS,
        "lossless batches of 8-bit gray images (IDX files, gray video): hidden Chow-Liu tree + rANS" },
      lcc_pc_decode },
};

#define NUM_PROFILES ((int)(sizeof(profiles) / sizeof(profiles[0])))

int lcc_profile_count(void)
{
    return NUM_PROFILES;
}

const LccProfileInfo *lcc_profile_get(const int i)
{
    return i >= 0 && i < NUM_PROFILES ? &profiles[i].info : NULL;
}

const LccProfileInfo *lcc_profile_find(const char *const name, const LccModality modality)
{
    for (int i = 0; i < NUM_PROFILES; i++)
        if (profiles[i].info.modality == modality && name && !strcmp(profiles[i].info.name, name))
            return &profiles[i].info;
    return NULL;
}

const LccProfileEntry *lcc_profile_entry(const uint8_t id, const LccModality modality)
{
    for (int i = 0; i < NUM_PROFILES; i++)
        if (profiles[i].info.id == id && profiles[i].info.modality == modality)
            return &profiles[i];
    return NULL;
}

static const char *profile_name_by_id(const uint8_t id)
{
    for (int i = 0; i < NUM_PROFILES; i++)
        if (profiles[i].info.id == id)
            return profiles[i].info.name;
    return NULL;
}

/* Parse buf. A chunk that fails its CRC is an error, except where the
 * profile conceals a lost chunk: wavelet-ae audio's ACHK (SPEC.md §3.3). */
static lcc_status parse_stream(LccContext *const c, const uint8_t *const buf, const size_t size,
                               LccContainer *const ct)
{
    lcc_warn(c, "%s", "");
    lcc_status err = lcc_container_parse_tolerant(c, buf, size, ct);
    if (!err) {
        const LccHeader *const h = &ct->header;
        const int audio = h->profile_id == LCC_PROFILE_WAVELET_AE && h->geometry.modality == LCC_MODALITY_AUDIO;
        if ((err = lcc_container_intact(c, ct, audio ? "ACHK" : NULL)))
            lcc_container_free(ct);
        else if (ct->num_damaged)
            lcc_warn(c, "%u damaged chunk%s (CRC mismatch) concealed by silence over %s segment%s", ct->num_damaged,
                     ct->num_damaged > 1 ? "s" : "", ct->num_damaged > 1 ? "their" : "its",
                     ct->num_damaged > 1 ? "s" : "");
    }
    return err;
}

lcc_status lcc_stream_info(LccContext *const c, const uint8_t *const buf, const size_t size,
                           LccStreamInfo *const info)
{
    if (!buf || !info)
        return lcc_error(c, LCC_EINVAL, "lcc_stream_info: NULL argument");
    memset(info, 0, sizeof(*info));
    LccContainer ct;
    const lcc_status err = parse_stream(c, buf, size, &ct);
    if (err)
        return err;
    const LccHeader *const h = &ct.header;
    info->version_major = h->major;
    info->version_minor = h->minor;
    info->modality = h->geometry.modality;
    info->profile_id = h->profile_id;
    info->profile_name = profile_name_by_id(h->profile_id);
    memcpy(info->model_id, h->model_id, 8);
    info->quality = h->quality;
    info->geometry = h->geometry;
    info->num_chunks = ct.num_chunks;
    for (unsigned i = 0; i < ct.num_chunks; i++)
        info->payload_bytes += ct.chunks[i].size;
    lcc_container_free(&ct);
    return LCC_OK;
}

lcc_status lcc_decode(LccContext *const c, const uint8_t *const buf, const size_t size, LccMedia *const out)
{
    if (!buf || !out)
        return lcc_error(c, LCC_EINVAL, "lcc_decode: NULL argument");
    memset(out, 0, sizeof(*out));
    LccContainer ct;
    lcc_status err = parse_stream(c, buf, size, &ct);
    if (err)
        return err;
    const LccHeader *const h = &ct.header;
    const LccProfileEntry *const p = lcc_profile_entry(h->profile_id, h->geometry.modality);
    if (!p) {
        const char *const name = profile_name_by_id(h->profile_id);
        err = name ? lcc_error(c, LCC_ENOTSUP, "profile '%s' has no %s decoder", name,
                               lcc_modality_name(h->geometry.modality))
                   : lcc_error(c, LCC_ENOTSUP, "unknown profile id %u (written by a newer lcc?)", h->profile_id);
    } else {
        err = p->decode(c, &ct, out);
    }
    lcc_container_free(&ct);
    if (err)
        lcc_media_free(out);
    return err;
}

lcc_status lcc_decode_latents(LccContext *const c, const uint8_t *const buf, const size_t size, int32_t **const out,
                              uint32_t shape[3])
{
    if (!buf || !out || !shape)
        return lcc_error(c, LCC_EINVAL, "lcc_decode_latents: NULL argument");
    *out = NULL;
    LccContainer ct;
    lcc_status err = lcc_container_parse(c, buf, size, &ct);
    if (err)
        return err;
    if (ct.header.profile_id == LCC_PROFILE_WAVELET_AE && ct.header.geometry.modality == LCC_MODALITY_IMAGE)
        err = lcc_walloc_latents(c, &ct, out, shape);
    else
        err = lcc_error(c, LCC_ENOTSUP, "this stream's profile (id %u) has no latent tensor to export",
                        ct.header.profile_id);
    lcc_container_free(&ct);
    return err;
}

typedef struct SinkWriter {
    LccContext *c;
    LccAudioSink *sink;
} SinkWriter;

static lcc_status sink_write(void *const user, const int32_t *const pcm, const uint64_t frames)
{
    SinkWriter *const w = user;
    return lcc_io_audio_sink_write(w->c, w->sink, pcm, frames);
}

lcc_status lcc_decode_audio_file(LccContext *const c, const uint8_t *const buf, const size_t size,
                                 const char *const out_path)
{
    if (!buf || !out_path)
        return lcc_error(c, LCC_EINVAL, "lcc_decode_audio_file: NULL argument");
    if (!lcc_io_audio_ext(out_path))
        return LCC_EFORMAT;
    LccContainer ct;
    lcc_status err = parse_stream(c, buf, size, &ct);
    if (err)
        return err;
    if (ct.header.profile_id != LCC_PROFILE_WAVELET_AE || ct.header.geometry.modality != LCC_MODALITY_AUDIO) {
        lcc_container_free(&ct);
        return LCC_EFORMAT;
    }
    int fd;
    char *tmp;
    if ((err = lcc_tmp_create(c, out_path, &fd, &tmp))) {
        lcc_container_free(&ct);
        return err;
    }
    SinkWriter w = { c, NULL };
    err = lcc_io_audio_sink_open(c, out_path, fd, &ct.header.geometry.audio, &w.sink);
    if (!err)
        err = lcc_walloc_audio_decode_stream(c, &ct, sink_write, &w);
    const lcc_status e2 = lcc_io_audio_sink_close(c, &w.sink);
    err = err ? err : e2;
    if (close(fd) && !err)
        err = lcc_error(c, LCC_EIO, "%s: write failed", out_path);
    lcc_container_free(&ct);
    if (err) {
        lcc_tmp_abort(&tmp);
        return err;
    }
    return lcc_tmp_commit(c, &tmp, out_path);
}
