/* lcc: learned-compression codec suite, public API.
 *
 * Conventions: every call that can fail returns an lcc_status (0 or a
 * negative LCC_E* code, see common.h). Calls take an LccContext that holds
 * the settings (limits, threads, model directory) and the message of the
 * first error since the last lcc_clear_error(); a NULL context uses default
 * settings and keeps no message. A context is not shared between threads.
 * The caller owns what it passes in; what the library allocates for the
 * caller is freed with the matching lcc_*_free(). */
#ifndef LCC_LCC_H
#define LCC_LCC_H

#include <stddef.h>
#include <stdint.h>

#include "lcc/common.h"
#include "lcc/media.h"
#include "lcc/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the library at run time, e.g. "0.1.0". */
LCC_API const char *lcc_version(void);
/* (major << 16) | (minor << 8) | patch of the API at run time. */
LCC_API unsigned lcc_version_api(void);

/* ---- context ---------------------------------------------------------- */

typedef struct LccSettings {
    LccLimits limits;        /* 0 fields = LCC_DEFAULT_*                   */
    int threads;             /* worker threads; 0 = all cores (default 0) */
    const char *model_dir;   /* extra directory searched for *.lccw first;
                                NULL = LCC_MODEL_PATH, then built-in paths  */
    /* Called from the calling thread during long work with the fraction
     * done in [0, 1]; NULL = none (default). */
    void (*progress)(void *opaque, double fraction);
    void *progress_opaque;
    uint8_t reserved[64];    /* zero */
} LccSettings;

typedef struct LccContext LccContext;

/* Fill s with the defaults documented above. */
LCC_API void lcc_default_settings(LccSettings *s);
/* Open a context with settings s (NULL = defaults). On success *out owns a
 * context to close with lcc_close; on failure *out is NULL. */
LCC_API lcc_status lcc_open(LccContext **out, const LccSettings *s) LCC_WARN_UNUSED;
/* Close *c and set *c to NULL. NULL or *c == NULL is a no-op. */
LCC_API void lcc_close(LccContext **c);
/* The message of the first error recorded since the last clear, or "" if
 * none. Valid until the next call on c. */
LCC_API const char *lcc_last_error(const LccContext *c);
LCC_API void lcc_clear_error(LccContext *c);
/* A note from the last call that succeeded with a loss the caller should
 * know of (e.g. "2 damaged chunks concealed"), or "" if none. Each call of
 * lcc_decode, lcc_decode_audio_file and lcc_encode clears it first. Since
 * API 0.2. */
LCC_API const char *lcc_last_warning(const LccContext *c);

/* ---- media files ------------------------------------------------------ */

/* Read an image, audio or video file. The format is found from the content
 * (PNG, JPEG, PPM/PGM, Y4M, WAV/FLAC/OGG and what libsndfile reads, and any
 * video libavformat can demux and libavcodec decode). *out must be zeroed;
 * on success the caller frees it with lcc_media_free. On failure *out is
 * left empty. LCC_EFORMAT for unknown content, LCC_EBADMSG for damaged
 * files, LCC_ERANGE for sizes beyond the limits, LCC_EIO/LCC_ENOENT. */
LCC_API lcc_status lcc_media_read(LccContext *c, const char *path, LccMedia *out) LCC_WARN_UNUSED;
/* Write m to path, format chosen by the extension (.png .ppm .pgm .y4m
 * .mkv (FFV1) .mp4/.mov/.webm/... via libavcodec, .wav .flac .ogg ...).
 * Written atomically: a temporary file in the same directory renamed
 * over path on success; on failure path is untouched. */
LCC_API lcc_status lcc_media_write(LccContext *c, const char *path, const LccMedia *m) LCC_WARN_UNUSED;

/* Write buf to path atomically (temporary file + fsync + rename). */
LCC_API lcc_status lcc_write_file_atomic(LccContext *c, const char *path,
                                         const void *buf, size_t size) LCC_WARN_UNUSED;
/* Read a whole file into *buf (freed with free()); max_size bounds it. */
LCC_API lcc_status lcc_read_file(LccContext *c, const char *path, size_t max_size,
                                 uint8_t **buf, size_t *size) LCC_WARN_UNUSED;

/* ---- profiles ---------------------------------------------------------- */

typedef struct LccProfileInfo {
    const char *name;        /* "stored", "wavelet-ae", ...               */
    uint8_t id;              /* profile id in the container               */
    LccModality modality;
    int num_qualities;       /* valid -q values are qualities[0..n-1]     */
    const int *qualities;
    int default_quality;
    int can_encode;          /* 0 in a decoder-only build                 */
    const char *description;
} LccProfileInfo;

/* Number of (profile, modality) entries; lcc_profile_get(i) returns entry
 * i in [0, n), NULL otherwise. */
LCC_API int lcc_profile_count(void);
LCC_API const LccProfileInfo *lcc_profile_get(int i);
/* The entry for name and modality, or NULL. */
LCC_API const LccProfileInfo *lcc_profile_find(const char *name, LccModality modality);
LCC_API const char *lcc_modality_name(LccModality m);

/* ---- encode / decode --------------------------------------------------- */

typedef struct LccEncodeParams {
    const char *profile;     /* NULL = the best profile for the modality  */
    int quality;             /* -1 = profile default                       */
    double target_bpp;       /* > 0: pick the quality closest to this      */
    double target_kbps;      /* > 0: audio rate target                     */
    const char *model;       /* model file name (e.g. "wavelet-ae-image.lccw",
                                searched like every model); NULL = the
                                profile's default                           */
    int refine;              /* > 0: wavelet-ae hyperprior models refine the
                                latent with this many gradient steps (slower
                                encode, smaller files; the decoder is the
                                same); 0: none                              */
    int no_rdoq;             /* 1: wavelet-ae hyperprior models round every
                                latent symbol to the nearest integer, as
                                encoders before 2026-11-27 did; 0: each
                                takes the cheaper of the two integers around
                                it in bits + lambda x distortion (smaller
                                files at the same quality)                   */
    uint8_t reserved[48];
} LccEncodeParams;

LCC_API void lcc_default_encode_params(LccEncodeParams *p);

/* Encode m into a complete .lcc file in memory. On success *out (free with
 * free()) holds *out_size bytes. LCC_ENOTSUP in a decoder-only build. */
LCC_API lcc_status lcc_encode(LccContext *c, const LccMedia *m, const LccEncodeParams *p,
                              uint8_t **out, size_t *out_size) LCC_WARN_UNUSED;
/* Decode a complete .lcc file. *out must be zeroed; free with
 * lcc_media_free. Every field of the stream is validated; damaged input
 * gives LCC_EBADMSG (or LCC_ERANGE, LCC_EMODEL, LCC_ENOTSUP) and a message. */
LCC_API lcc_status lcc_decode(LccContext *c, const uint8_t *buf, size_t size,
                              LccMedia *out) LCC_WARN_UNUSED;

/* Bounded-memory audio transcoding, for audio of any length (an hour-long
 * file needs about as much memory as a few seconds): the wavelet-ae audio
 * profile reads, codes and writes chunk by chunk.
 * lcc_encode_audio_file reads in_path (any libsndfile format of known
 * length) block by block and encodes it like lcc_encode would (p->profile
 * NULL or "wavelet-ae"; -q, or --kbps by trying every level: one pass per
 * level); only the compressed stream is held in memory (*out, free()).
 * lcc_decode_audio_file decodes a wavelet-ae audio stream into out_path
 * (an audio extension; written atomically) block by block.
 * Both return LCC_EFORMAT, recording no message, when the input, the
 * profile or the output is not for this path: then use lcc_media_read +
 * lcc_encode, or lcc_decode + lcc_media_write. */
LCC_API lcc_status lcc_encode_audio_file(LccContext *c, const char *in_path, const LccEncodeParams *p,
                                         uint8_t **out, size_t *out_size) LCC_WARN_UNUSED;
LCC_API lcc_status lcc_decode_audio_file(LccContext *c, const uint8_t *buf, size_t size,
                                         const char *out_path) LCC_WARN_UNUSED;

/* What a .lcc header says, validated, without decoding the payload. */
typedef struct LccStreamInfo {
    unsigned version_major, version_minor;
    LccModality modality;
    uint8_t profile_id;
    const char *profile_name;   /* NULL if unknown to this build */
    uint8_t model_id[8];        /* sha256 prefix of the weights; 0 = none */
    int quality;
    LccMedia geometry;          /* geometry fields only, data == NULL */
    unsigned num_chunks;
    uint64_t payload_bytes;     /* sum of chunk payloads */
} LccStreamInfo;

LCC_API lcc_status lcc_stream_info(LccContext *c, const uint8_t *buf, size_t size,
                                   LccStreamInfo *info) LCC_WARN_UNUSED;

/* The quantized latent tensor of a stream whose profile has one
 * (wavelet-ae), entropy-decoded without reconstructing the media: the
 * input of compressed-domain learning. On success *out (free with free())
 * holds shape[0] * shape[1] * shape[2] integers, channel-major
 * (channels, height, width). LCC_ENOTSUP for profiles without a latent. */
LCC_API lcc_status lcc_decode_latents(LccContext *c, const uint8_t *buf, size_t size, int32_t **out,
                                      uint32_t shape[3]) LCC_WARN_UNUSED;

/* ---- metrics ----------------------------------------------------------- */

typedef struct LccQuality {
    /* images: PSNR over all RGB (or gray) samples, PSNR of BT.601 Y,
     * MS-SSIM (5 scales, Wang et al. weights) per channel, averaged over
     * the gray/RGB channels; fewer scales below 161 px, NAN below 11 px.
     * video: mean per-frame PSNR of Y, U, V and YUV (6:1:1), MS-SSIM of Y.
     * audio: SNR and SI-SDR in dB, over all channels. */
    double psnr;             /* images RGB/gray; video YUV 6:1:1         */
    double psnr_y;
    double psnr_u, psnr_v;   /* video only                               */
    double ms_ssim;
    double snr, si_sdr;      /* audio only                               */
    double max_abs_error;    /* largest sample difference, alpha included:
                                0 means bit-identical                    */
    uint64_t samples;        /* samples compared, alpha included          */
} LccQuality;

/* Compare a reference and a test object of the same geometry (images:
 * PSNR and MS-SSIM ignore alpha; the peak is 2^bit_depth - 1). Identical
 * inputs give +INFINITY PSNR/SNR and MS-SSIM 1; fields that do not apply
 * to the modality are NAN. Averages over frames count each frame at most
 * 100 dB. LCC_EINVAL if the geometries differ. */
LCC_API lcc_status lcc_compare(LccContext *c, const LccMedia *ref, const LccMedia *test,
                               LccQuality *q) LCC_WARN_UNUSED;

/* Quality of one frame of two videos of the same geometry, as lcc_compare
 * measures it per frame: psnr = (6 Y + U + V) / 8 (+INFINITY for an
 * identical frame), psnr_y/u/v (u, v NAN for 4:0:0), ms_ssim of Y,
 * max_abs_error, samples of one frame. For images, frame 0 is lcc_compare.
 * LCC_EINVAL for audio, a frame out of range or differing geometries. */
LCC_API lcc_status lcc_compare_frame(LccContext *c, const LccMedia *ref, const LccMedia *test,
                                     uint32_t frame, LccQuality *q) LCC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif /* LCC_LCC_H */
