/* lcc: the one in-memory representation of each modality. */
#ifndef LCC_MEDIA_H
#define LCC_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "lcc/common.h"

typedef enum LccModality {
    LCC_MODALITY_NONE = 0,
    LCC_MODALITY_IMAGE = 1,
    LCC_MODALITY_AUDIO = 2,
    LCC_MODALITY_VIDEO = 3,
} LccModality;

/* An image: interleaved samples, row-major, no padding.
 * channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
 * Every sample is in [0, 2^bit_depth). PNG/JPEG/PPM 8-bit files give
 * bit_depth 8, 16-bit PNG gives 16 (values are never rescaled). */
typedef struct LccImage {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint32_t bit_depth;   /* 1..16 */
    uint16_t *data;       /* width * height * channels samples */
} LccImage;

/* Audio: interleaved integer PCM, frames * channels samples.
 * Every sample is in [-2^(bit_depth-1), 2^(bit_depth-1)); 16-bit files
 * give bit_depth 16 and samples in [-32768, 32767] (never rescaled).
 * Float sources are converted to 24-bit PCM (rounded, clipped). */
typedef struct LccAudio {
    uint32_t channels;    /* 1..LCC_MAX_AUDIO_CHANNELS */
    uint32_t sample_rate; /* Hz */
    uint64_t frames;      /* samples per channel */
    uint32_t bit_depth;   /* 8..32 */
    int32_t *data;
} LccAudio;

typedef enum LccChroma {
    LCC_CHROMA_400 = 0,   /* luma only */
    LCC_CHROMA_420 = 1,
    LCC_CHROMA_422 = 2,
    LCC_CHROMA_444 = 3,
} LccChroma;

/* Video: planar Y'CbCr frames. Frame f starts at
 * data + f * lcc_video_frame_samples(v); inside a frame the Y plane
 * (width x height) comes first, then Cb and Cr (each chroma_w x chroma_h,
 * dimensions rounded up). Samples are in [0, 2^bit_depth). */
typedef struct LccVideo {
    uint32_t width;
    uint32_t height;
    uint32_t frames;
    uint32_t bit_depth;   /* 8..16 */
    LccChroma chroma;
    uint32_t fps_num;     /* frame rate fps_num / fps_den; 0/0 = unknown */
    uint32_t fps_den;
    uint16_t *data;
} LccVideo;

/* One decoded file: exactly one of image/audio/video is used, as
 * modality says. Zero-initialise before use; free with lcc_media_free. */
typedef struct LccMedia {
    LccModality modality;
    LccImage image;
    LccAudio audio;
    LccVideo video;
} LccMedia;

/* Limits that protect memory against hostile files and streams. Every size
 * read from a file or stream is checked against them before allocation.
 * A field of 0 means the default (LCC_DEFAULT_*). */
typedef struct LccLimits {
    uint64_t max_pixels;        /* per image or video frame */
    uint64_t max_dimension;     /* width or height */
    uint64_t max_frames;        /* video frames */
    uint64_t max_samples;       /* total samples of one media object */
} LccLimits;

#define LCC_DEFAULT_MAX_PIXELS (1ull << 28)       /* 268 Mpx */
#define LCC_DEFAULT_MAX_DIMENSION 65535ull
#define LCC_DEFAULT_MAX_FRAMES 100000ull
#define LCC_DEFAULT_MAX_SAMPLES (1ull << 30)     /* 2 GiB of 16-bit samples */
#define LCC_MAX_AUDIO_CHANNELS 64

/* Number of samples of one video frame (all planes). */
LCC_API uint64_t lcc_video_frame_samples(const LccVideo *v);
/* Chroma plane size of a frame; 0x0 for LCC_CHROMA_400. */
LCC_API void lcc_video_chroma_size(const LccVideo *v, uint32_t *cw, uint32_t *ch);

/* Allocate m->{image,audio,video}.data for the geometry already filled in
 * (modality and the geometry fields), zero-filled. Checks the geometry
 * against limits (NULL = defaults): LCC_ERANGE if it exceeds them,
 * LCC_EINVAL if it is invalid. On failure data stays NULL. */
LCC_API lcc_status lcc_media_alloc(LccMedia *m, const LccLimits *limits) LCC_WARN_UNUSED;
/* Check geometry fields only (no allocation); same results as above. */
LCC_API lcc_status lcc_media_check(const LccMedia *m, const LccLimits *limits) LCC_WARN_UNUSED;
/* Number of samples in m's data. */
LCC_API uint64_t lcc_media_samples(const LccMedia *m);
/* Free the data of m and zero it. NULL is a no-op. */
LCC_API void lcc_media_free(LccMedia *m);
/* Compare geometry and samples; 1 if identical, 0 otherwise. */
LCC_API int lcc_media_equal(const LccMedia *a, const LccMedia *b);

#endif /* LCC_MEDIA_H */
