/* WAV-family headers checked before libsndfile sees them (issue #10).
 *
 * libsndfile 1.2.0 (and 1.2.2, upstream issue libsndfile#1118) never
 * returns from sf_open on some malformed RIFF/WAVE headers: its LIST/INFO
 * sub-chunk parser (wavlike_subchunk_parse) adds a sub-chunk size close to
 * 2^32 to the bytes it has read, the uint32 sum wraps, the "too big" check
 * passes and the parser jumps backwards inside its cached copy of the
 * header, to the same sub-chunk, forever (no I/O callback is called, so no
 * read budget can stop it). Its cue, smpl, acid and exif readers skip
 * "chunk size - bytes read" the same way, without checking that it is
 * positive.
 *
 * So RIFF, RIFX and RF64 WAVE files (also behind ID3v2 tags, which
 * libsndfile skips) are parsed here first, strictly, up to their samples:
 * every chunk before the 'data' chunk must have a printable id and fit in
 * the file, a LIST's members must fit in their LIST, the 'fmt ' chunk must
 * be long enough for its format tag and describe at least one channel, a
 * sample rate and, for PCM and float, a block align equal to channels x
 * bytes per sample, and 'fmt ' must precede the one 'data' chunk, whose
 * samples must be present. A file that breaks a rule is rejected
 * (LCC_EBADMSG) before libsndfile opens it.
 *
 * A file that passes is not given to libsndfile as it is: libsndfile reads
 * a view of it made of a canonical header written here (RIFF/RIFX/RF64 +
 * 'ds64' for RF64), the file's own 'fmt ' chunk, a 'data' header with the
 * length resolved here, and the file's samples. The metadata chunks (LIST,
 * cue, bext, ...) and whatever follows the samples are left out: lcc uses
 * none of them, and libsndfile's parsers of them are where the hangs live.
 * The samples and their format are the file's own, so the decoded audio
 * is what libsndfile decoded from the whole file before. Any other file
 * of known size is given to libsndfile as it is, but for ID3v2 tags in
 * front of it (libsndfile's own skipping of those misplaces its reads
 * under virtual I/O). Views behave like files: seeking past the end
 * works (libsndfile relies on that after odd-sized samples at the end of
 * a WAV; when such a seek failed it re-parsed the samples as chunks). */
#ifndef LCC_IO_WAV_GUARD_H
#define LCC_IO_WAV_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "libcodec/io/io.h"

/* Limits of the check: chunks before the samples (LIST members
 * included), bytes of 'fmt ' (the largest real ones, ADPCM with many
 * coefficients or codec set-up data, are a few KB), ID3v2 tags chained
 * before the RIFF header. More is rejected as damaged. */
#define LCC_WAV_MAX_CHUNKS 65536
#define LCC_WAV_MAX_FMT 65536
#define LCC_WAV_MAX_ID3 64

/* One part of the view: bytes of head[] or of the file. */
typedef struct LccWavPart {
    int64_t size;
    int64_t off;       /* offset in head[] (in_head) or in the file */
    int in_head;
} LccWavPart;

/* What libsndfile reads: the parts in order, size bytes in all. For a
 * checked WAV-family file: a header written here, the file's 'fmt '
 * chunk, a 'data' header, the file's samples; for other content, one
 * part: the file from after its ID3v2 tags. */
typedef struct LccWavView {
    uint8_t head[64];
    LccWavPart part[4];
    int64_t size;
} LccWavView;

/* Check s (positioned anywhere; left at its start) and set up the view
 * libsndfile reads it through. LCC_OK with v->size > 0: read s through v
 * (a sound RIFF/RIFX/RF64 WAVE file, or other content); LCC_OK with
 * v->size == 0: s has no known size (a pipe) or is empty, libsndfile
 * reads it as it is; LCC_EBADMSG (a damaged or truncated WAV-family file)
 * or LCC_EIO with a message naming s->name, recorded on c (c may be NULL:
 * nothing recorded). */
lcc_status lcc_wav_guard(LccContext *c, LccIoSrc *s, LccWavView *v);

/* Read up to n bytes at offset pos of the view of s; returns the count
 * (short at the end of the view or on a read error). */
size_t lcc_wav_view_read(const LccWavView *v, LccIoSrc *s, int64_t pos, void *dst, size_t n);

#endif /* LCC_IO_WAV_GUARD_H */
