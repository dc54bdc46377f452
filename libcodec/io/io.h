/* Media file I/O: internal entry points (not installed).
 *
 * Formats (reading finds the format from the content, never from the name;
 * writing picks it from the extension of the output path):
 *
 * | format            | read                                  | write (extension)                      |
 * |-------------------|---------------------------------------|----------------------------------------|
 * | PNG (libpng)      | 1/2/4/8/16-bit gray, GA, RGB, RGBA,   | .png: 8-bit if bit_depth <= 8, else    |
 * |                   | palette; < 8 bits, palette, tRNS are  | 16-bit; values written as they are     |
 * |                   | expanded to 8 bits (tRNS -> alpha)    |                                        |
 * | JPEG (libjpeg)    | gray, YCbCr/RGB -> 8-bit gray or RGB; | .jpg/.jpeg: quality 95, 4:2:0 (lossy)  |
 * |                   | CMYK/YCCK and 12-bit: LCC_ENOTSUP     |                                        |
 * | PGM/PPM (native)  | P5/P6, maxval 1..65535; bit_depth =   | .pgm (1 ch), .ppm (3 ch), .pnm (either)|
 * |                   | ceil(log2(maxval + 1)) (255 -> 8)     | maxval = 2^bit_depth - 1               |
 * | Y4M (native)      | C420jpeg/420/420paldv/420mpeg2, 422,  | .y4m: same tags (C420jpeg for 8-bit    |
 * |                   | 444, mono, and pN/monoN (9..16 bits,  | 4:2:0, C420pN / CmonoN above 8 bits)   |
 * |                   | 16-bit little-endian samples)         |                                        |
 * | audio (libsndfile)| anything sf_open reads: WAV, FLAC,    | .wav (PCM 8/16/24/32), .flac (8/16/24),|
 * |                   | OGG/Vorbis/Opus, AIFF, AU, CAF, W64...| .aiff/.aif, .au, .caf, .w64 (PCM),     |
 * |                   | integer PCM keeps its depth; float    | .ogg/.oga (Vorbis, lossy),             |
 * |                   | and lossy sources -> 24-bit PCM       | .opus (Opus, lossy, 8/12/16/24/48 kHz) |
 * | video (libav*)    | best video stream of anything         | .mkv/.nut/.avi: FFV1 (lossless),       |
 * |                   | libavformat demuxes and libavcodec    | .mp4/.mov/.webm: the muxer's default   |
 * |                   | decodes; planar/packed YUV copied as  | encoder (libx264 CRF 18, libvpx-vp9;   |
 * |                   | is, RGB/other formats -> 4:4:4 via    | lossy) when it takes the pixel format  |
 * |                   | libswscale (BT.601, limited range)    | as it is                               |
 * | images (libav*)   | single pictures of libavformat's      | -                                      |
 * |                   | *_pipe demuxers (BMP, TIFF, WebP...): |                                        |
 * |                   | gray/GA/RGB/RGBA, 8 or 16 bits;       |                                        |
 * |                   | palettes exact, YUV via swscale       |                                        |
 * | audio (libav*)    | audio-only files libsndfile does not  | -                                      |
 * |                   | read (AAC/M4A, ALAC, Opus in WebM...) |                                        |
 * |                   | same depth rules as libsndfile        |                                        |
 *
 * Detection order: PNG, JPEG, P5/P6, YUV4MPEG2 by magic; WAV/RF64/AIFF/
 * FLAC/AU/CAF/Ogg Vorbis-Opus-FLAC magic -> libsndfile (then libav); other
 * content -> libav video, then libsndfile, then libav audio; a libavformat
 * guess scoring <= 25 is rejected. Nothing ever depends on the file name.
 * RIFF/RIFX/RF64 WAVE headers are checked before libsndfile reads them,
 * and a damaged one is LCC_EBADMSG (wav_guard.h).
 *
 * The *_mem functions parse one format from a byte buffer (for the fuzz
 * targets and tests; messages name the input "(memory)"). They follow the
 * contract of lcc_media_read: *out zeroed on entry, empty on failure.
 * Bit depths that a format cannot hold exactly are stored in the next
 * deeper one with the values unchanged (PNG 9..15 -> 16, audio 12 -> 16,
 * FFV1 11/13/15 -> 12/14/16), so they read back deeper, same values. */
#ifndef LCC_IO_IO_H
#define LCC_IO_IO_H

#include <stdint.h>
#include <stdio.h>

#include "libcodec/internal.h"

/* A byte source: a FILE (f != NULL) or a memory buffer. */
typedef struct LccIoSrc {
    const char *name;        /* for messages */
    FILE *f;
    const uint8_t *buf;
    size_t size, pos;
} LccIoSrc;

void lcc_io_src_mem(LccIoSrc *s, const char *name, const uint8_t *buf, size_t size);
/* Read up to n bytes; returns the count (short only at the end or on error). */
size_t lcc_io_src_read(LccIoSrc *s, void *dst, size_t n);
/* fseek semantics; 0 on success. */
int lcc_io_src_seek(LccIoSrc *s, int64_t off, int whence);
int64_t lcc_io_src_tell(LccIoSrc *s);
/* Total size in bytes, or -1 if unknown. */
int64_t lcc_io_src_size(LccIoSrc *s);

/* Format readers on a source positioned at its start. */
lcc_status lcc_io_read_png(LccContext *c, LccIoSrc *s, LccMedia *out);
lcc_status lcc_io_read_jpeg(LccContext *c, LccIoSrc *s, LccMedia *out);
lcc_status lcc_io_read_pnm(LccContext *c, LccIoSrc *s, LccMedia *out);
lcc_status lcc_io_read_y4m(LccContext *c, LccIoSrc *s, LccMedia *out);
/* Audio and libav readers: LCC_EFORMAT (with no message recorded) when
 * the library does not recognise the content, so the caller can try the
 * next one. */
lcc_status lcc_io_read_audio(LccContext *c, LccIoSrc *s, LccMedia *out);
/* audio = 0: the best video stream only; 1: else the best audio stream. */
lcc_status lcc_io_read_av(LccContext *c, LccIoSrc *s, LccMedia *out, int audio);

/* Memory entry points (fuzzing, tests). */
lcc_status lcc_io_read_png_mem(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);
lcc_status lcc_io_read_jpeg_mem(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);
lcc_status lcc_io_read_pnm_mem(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);
lcc_status lcc_io_read_y4m_mem(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);
lcc_status lcc_io_read_audio_mem(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);
lcc_status lcc_io_read_av_mem(LccContext *c, const uint8_t *buf, size_t size, LccMedia *out);
/* Detect the format from the content and read, as lcc_media_read does. */
lcc_status lcc_io_read_mem(LccContext *c, const char *name, const uint8_t *buf, size_t size,
                           LccMedia *out);

/* Format writers. The stdio ones write to f (the caller's temporary file;
 * the caller flushes and commits); path is the final name, for messages
 * and extensions. */
lcc_status lcc_io_write_png(LccContext *c, const char *path, FILE *f, const LccImage *im);
lcc_status lcc_io_write_jpeg(LccContext *c, const char *path, FILE *f, const LccImage *im);
lcc_status lcc_io_write_pnm(LccContext *c, const char *path, FILE *f, const LccImage *im);
lcc_status lcc_io_write_y4m(LccContext *c, const char *path, FILE *f, const LccVideo *v);
/* Audio to the open descriptor fd (not closed), format from path. */
lcc_status lcc_io_write_audio(LccContext *c, const char *path, int fd, const LccAudio *a);
/* The same in pieces, for audio written block by block (bounded memory):
 * open (format from path's extension, geometry from a; a->data unused),
 * write any number of interleaved frames, close (always frees). */
typedef struct LccAudioSink LccAudioSink;
lcc_status lcc_io_audio_sink_open(LccContext *c, const char *path, int fd, const LccAudio *a, LccAudioSink **out);
lcc_status lcc_io_audio_sink_write(LccContext *c, LccAudioSink *k, const int32_t *data, uint64_t frames);
lcc_status lcc_io_audio_sink_close(LccContext *c, LccAudioSink **k);
/* Audio read block by block (libsndfile, a file of known length): geom
 * gets the geometry (data NULL); samples as lcc_io_read_audio gives them.
 * LCC_EFORMAT without a message when the file is not for this path (the
 * caller reads it whole instead). read gives exactly `frames` frames. */
typedef struct LccAudioSource LccAudioSource;
lcc_status lcc_io_audio_source_open(LccContext *c, const char *path, LccAudio *geom, LccAudioSource **out);
lcc_status lcc_io_audio_source_read(LccContext *c, LccAudioSource *s, int32_t *dst, uint64_t frames);
void lcc_io_audio_source_close(LccAudioSource **s);
/* 1 if path's extension names an audio format lcc_io_write_audio writes. */
int lcc_io_audio_ext(const char *path);
/* Video through libavformat/libavcodec to the file tmp_path, muxer chosen
 * from path's extension. */
lcc_status lcc_io_write_av(LccContext *c, const char *path, const char *tmp_path, const LccVideo *v);
int lcc_io_av_ext(const char *path);

/* Allocate out for the geometry already filled in, recording a message on
 * failure (LCC_ERANGE over limits, LCC_EBADMSG for a geometry the file
 * should not have, LCC_ENOMEM). */
lcc_status lcc_io_alloc(LccContext *c, const char *name, LccMedia *out);
/* Check geometry against limits with a message, no allocation. */
lcc_status lcc_io_check(LccContext *c, const char *name, const LccMedia *m);

/* A growing video buffer for readers that do not know the frame count:
 * append frames one at a time, limits checked before each growth. */
typedef struct LccVideoGrow {
    uint64_t cap_frames;
} LccVideoGrow;
/* Make room for frame v->frames (0-based) and return a pointer to it;
 * NULL on failure (message recorded in *err). v->frames is not changed. */
uint16_t *lcc_io_video_next(LccContext *c, const char *name, LccVideo *v, LccVideoGrow *g,
                            lcc_status *err);
/* Shrink the buffer to v->frames frames. */
void lcc_io_video_finish(LccVideo *v);

#endif /* LCC_IO_IO_H */
