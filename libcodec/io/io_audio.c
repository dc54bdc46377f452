/* Audio through libsndfile.
 *
 * Reading (sf_open_virtual over the byte source, so files and memory take
 * the same path): integer PCM keeps its depth (8, 16, 20, 24 or 32 bits;
 * read as left-aligned 32-bit int and shifted right, so 16-bit samples come
 * out in [-32768, 32767]); companded and ADPCM codecs decode to 16 bits;
 * float, double and lossy codecs (Vorbis, Opus, MPEG) become 24-bit PCM:
 * x * 2^23 rounded to nearest and clipped to [-2^23, 2^23 - 1].
 * A file that yields fewer frames than its header announces is truncated
 * (LCC_EBADMSG). RIFF/RIFX/RF64 WAVE files are checked first and read
 * through a view of their format and samples (wav_guard.h): libsndfile
 * 1.2.0 hangs on some malformed WAV headers. Everything libsndfile reads
 * goes through such a view when the size is known.
 *
 * Writing by extension: .wav .w64 (PCM_U8/16/24/32), .aiff/.aif .au .caf
 * (PCM_S8/16/24/32), .flac (8/16/24 bits; deeper is LCC_ENOTSUP), .ogg/.oga
 * (Vorbis, lossy), .opus (Opus, lossy). bit_depth d is stored in the
 * smallest container of >= d bits with the values unchanged (so 12-bit
 * audio reads back as 16-bit with the same values); lossy codecs receive
 * x / 2^(d-1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "libcodec/io/io.h"
#include "libcodec/io/wav_guard.h"

#define CHUNK_FRAMES 4096

/* What libsndfile reads: the source as it is (v NULL: a pipe), or a view
 * of it (wav_guard.h). */
typedef struct AudioIo {
    LccIoSrc *s;
    const LccWavView *v;
    int64_t pos;        /* in the view */
} AudioIo;

static sf_count_t vio_len(void *const user)
{
    return (sf_count_t)lcc_io_src_size(((AudioIo *)user)->s);
}

static sf_count_t vio_seek(const sf_count_t off, const int whence, void *const user)
{
    LccIoSrc *const s = ((AudioIo *)user)->s;
    if (lcc_io_src_seek(s, (int64_t)off, whence))
        return -1;
    return (sf_count_t)lcc_io_src_tell(s);
}

static sf_count_t vio_read(void *const ptr, const sf_count_t count, void *const user)
{
    return count > 0 ? (sf_count_t)lcc_io_src_read(((AudioIo *)user)->s, ptr, (size_t)count) : 0;
}

static sf_count_t vio_write(const void *const ptr, const sf_count_t count, void *const user)
{
    (void)ptr;
    (void)count;
    (void)user;
    return 0;
}

static sf_count_t vio_tell(void *const user)
{
    return (sf_count_t)lcc_io_src_tell(((AudioIo *)user)->s);
}

static sf_count_t view_len(void *const user)
{
    return (sf_count_t)((AudioIo *)user)->v->size;
}

static sf_count_t view_seek(const sf_count_t off, const int whence, void *const user)
{
    /* As lseek on a file: anywhere from 0 on, past the end too (reads
     * there give nothing). libsndfile seeks past the end of a WAV whose
     * odd-sized samples end the file without their pad byte; when that
     * seek failed, it went on parsing the samples as chunks (and could
     * hang in its LIST parser again). */
    AudioIo *const io = user;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -1;
    const int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? io->pos : io->v->size;
    if ((off > 0 && off > INT64_MAX - base) || (off < 0 && off < -base))
        return -1;
    io->pos = base + off;
    return (sf_count_t)io->pos;
}

static sf_count_t view_read(void *const ptr, const sf_count_t count, void *const user)
{
    AudioIo *const io = user;
    if (count <= 0 || io->pos >= io->v->size)
        return 0;
    const int64_t left = io->v->size - io->pos;
    const size_t n = lcc_wav_view_read(io->v, io->s, io->pos, ptr, (size_t)(count < left ? count : left));
    io->pos += (int64_t)n;
    return (sf_count_t)n;
}

static sf_count_t view_tell(void *const user)
{
    return (sf_count_t)((AudioIo *)user)->pos;
}

/* libsndfile on io (which must outlive the SNDFILE). */
static SNDFILE *open_sf(AudioIo *const io, SF_INFO *const info)
{
    static SF_VIRTUAL_IO src_vio = { vio_len, vio_seek, vio_read, vio_write, vio_tell };
    static SF_VIRTUAL_IO view_vio = { view_len, view_seek, view_read, vio_write, view_tell };
    memset(info, 0, sizeof(*info));
    return sf_open_virtual(io->v ? &view_vio : &src_vio, SFM_READ, info, io);
}

/* Bits of integer PCM the subtype carries, or 0 for float/lossy. */
static int pcm_bits(const int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_DPCM_8:
        return 8;
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_DPCM_16:
    case SF_FORMAT_DWVW_16:
    case SF_FORMAT_ALAC_16:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
    case SF_FORMAT_IMA_ADPCM:
    case SF_FORMAT_MS_ADPCM:
    case SF_FORMAT_GSM610:
    case SF_FORMAT_VOX_ADPCM:
    case SF_FORMAT_G721_32:
    case SF_FORMAT_G723_24:
    case SF_FORMAT_G723_40:
    case SF_FORMAT_DWVW_12:
        return 16;
    case SF_FORMAT_ALAC_20:
        return 20;
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_DWVW_24:
    case SF_FORMAT_ALAC_24:
        return 24;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_ALAC_32:
        return 32;
    default:
        return 0;
    }
}

static lcc_status open_error(LccContext *const c, const char *const name)
{
    const int e = sf_error(NULL);
    const char *const msg = sf_strerror(NULL);
    if (e == SF_ERR_UNRECOGNISED_FORMAT)
        return LCC_EFORMAT; /* not audio libsndfile knows: let the caller try libav */
    if (e == SF_ERR_UNSUPPORTED_ENCODING)
        return lcc_error(c, LCC_ENOTSUP, "%s: unsupported audio encoding: %s", name, msg);
    if (e == SF_ERR_SYSTEM)
        return lcc_error(c, LCC_EIO, "%s: %s", name, msg);
    return lcc_error(c, LCC_EBADMSG, "%s: damaged audio file: %s", name, msg);
}

/* libsndfile accepts a WAV or AIFF whose sample chunk is cut short and
 * quietly returns fewer frames; we call that truncated. Returns the bytes
 * missing from the "data" (WAV) or "SSND" (AIFF) chunk, 0 if complete or
 * not such a file. Leaves the source at its start. */
static int64_t missing_bytes(LccIoSrc *const s)
{
    const int64_t size = lcc_io_src_size(s);
    uint8_t h[12];
    int64_t missing = 0;
    if (size < 12 || lcc_io_src_seek(s, 0, SEEK_SET) || lcc_io_src_read(s, h, 12) != 12)
        goto done;
    int be;
    const char *want;
    if (!memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4)) {
        be = 0;
        want = "data";
    } else if (!memcmp(h, "FORM", 4) && (!memcmp(h + 8, "AIFF", 4) || !memcmp(h + 8, "AIFC", 4))) {
        be = 1;
        want = "SSND";
    } else {
        goto done;
    }
    int64_t pos = 12;
    for (int guard = 0; guard < 1000 && pos + 8 <= size; guard++) {
        uint8_t ch[8];
        if (lcc_io_src_seek(s, pos, SEEK_SET) || lcc_io_src_read(s, ch, 8) != 8)
            break;
        const uint32_t len = be ? (uint32_t)ch[4] << 24 | (uint32_t)ch[5] << 16 | (uint32_t)ch[6] << 8 | ch[7]
                                : lcc_rl32(ch + 4);
        if (!memcmp(ch, want, 4)) {
            /* 0 and 0xffffffff: length unknown (streamed output). */
            if (len && len != 0xffffffffu && (int64_t)len > size - pos - 8)
                missing = (int64_t)len - (size - pos - 8);
            break;
        }
        pos += 8 + (int64_t)len + (len & 1);
    }
done:
    lcc_io_src_seek(s, 0, SEEK_SET);
    return missing;
}

lcc_status lcc_io_read_audio(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    LccWavView view;
    lcc_status err = lcc_wav_guard(c, s, &view);
    if (err)
        return err;
    const int64_t missing = missing_bytes(s);
    if (missing > 0)
        return lcc_error(c, LCC_EBADMSG, "%s: truncated audio file: %lld bytes of samples missing", s->name,
                         (long long)missing);
    AudioIo io = { s, view.size ? &view : NULL, 0 };
    SF_INFO info;
    SNDFILE *const sf = open_sf(&io, &info);
    if (!sf)
        return open_error(c, s->name);
    double *dbuf = NULL;
    LccAudio *const a = &out->audio;
    out->modality = LCC_MODALITY_AUDIO;
    if (info.channels < 1 || info.channels > LCC_MAX_AUDIO_CHANNELS || info.samplerate < 1) {
        err = lcc_error(c, info.channels > LCC_MAX_AUDIO_CHANNELS ? LCC_ERANGE : LCC_EBADMSG,
                        "%s: audio with %d channels at %d Hz is not supported (1..%d channels)", s->name,
                        info.channels, info.samplerate, LCC_MAX_AUDIO_CHANNELS);
        goto done;
    }
    const int bits = pcm_bits(info.format);
    a->channels = (uint32_t)info.channels;
    a->sample_rate = (uint32_t)info.samplerate;
    a->bit_depth = bits ? (uint32_t)bits : 24;
    if (info.frames <= 0) {
        err = lcc_error(c, LCC_EBADMSG, "%s: audio file without samples", s->name);
        goto done;
    }
    /* A known frame count is checked against the limits before any
     * allocation, and the samples decoded must match it. SF_COUNT_MAX
     * means unknown (streamed files): then the buffer grows, the limits
     * checked at each step. */
    const int known = info.frames != SF_COUNT_MAX;
    const size_t ch = a->channels;
    a->frames = known ? (uint64_t)info.frames : CHUNK_FRAMES;
    if ((err = lcc_io_alloc(c, s->name, out)))
        goto done;
    uint64_t cap = a->frames;
    if (!bits && !(dbuf = malloc(CHUNK_FRAMES * ch * sizeof(double)))) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
        goto done;
    }
    uint64_t got = 0;
    for (;;) {
        if (known && got == cap)
            break;
        if (!known && cap - got < CHUNK_FRAMES) {
            LccMedia m = { .modality = LCC_MODALITY_AUDIO, .audio = *a };
            m.audio.frames = got + CHUNK_FRAMES;
            if ((err = lcc_io_check(c, s->name, &m)))
                goto done;
            const uint64_t ncap = cap * 2 < lcc_limits(c)->max_samples / ch ? cap * 2 : got + CHUNK_FRAMES;
            int32_t *const p = realloc(a->data, (size_t)(ncap * ch) * sizeof(int32_t));
            if (!p) {
                err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
                goto done;
            }
            a->data = p;
            cap = ncap;
        }
        const uint64_t left = cap - got;
        const sf_count_t want = left < CHUNK_FRAMES ? (sf_count_t)left : CHUNK_FRAMES;
        int32_t *const dst = a->data + got * ch;
        sf_count_t r;
        if (bits) {
            r = sf_readf_int(sf, dst, want);
            if (r > 0 && bits < 32)
                for (size_t i = 0; i < (size_t)r * ch; i++)
                    dst[i] >>= 32 - bits; /* arithmetic shift of a left-aligned sample */
        } else {
            r = sf_readf_double(sf, dbuf, want);
            for (size_t i = 0; r > 0 && i < (size_t)r * ch; i++) {
                double x = dbuf[i] * 8388608.0;
                x = x != x ? 0.0 : x < -8388608.0 ? -8388608.0 : x > 8388607.0 ? 8388607.0 : x;
                dst[i] = (int32_t)lrint(x);
            }
        }
        if (r <= 0)
            break;
        got += (uint64_t)r;
    }
    if (sf_error(sf))
        err = lcc_error(c, LCC_EBADMSG, "%s: damaged audio data: %s", s->name, sf_strerror(sf));
    else if (known && got < a->frames)
        err = lcc_error(c, LCC_EBADMSG, "%s: truncated audio: %llu of %llu frames", s->name,
                        (unsigned long long)got, (unsigned long long)a->frames);
    else if (!got)
        err = lcc_error(c, LCC_EBADMSG, "%s: audio file without samples", s->name);
    if (!err && !known) {
        a->frames = got;
        int32_t *const p = realloc(a->data, (size_t)(got * ch) * sizeof(int32_t));
        if (p)
            a->data = p;
    }
done:
    free(dbuf);
    sf_close(sf);
    return err;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct AudioExt {
    const char *ext;
    int major;
    int lossy;     /* subtype fixed below */
} AudioExt;

static const AudioExt audio_exts[] = {
    { "wav", SF_FORMAT_WAV, 0 }, { "w64", SF_FORMAT_W64, 0 }, { "aiff", SF_FORMAT_AIFF, 0 },
    { "aif", SF_FORMAT_AIFF, 0 }, { "au", SF_FORMAT_AU, 0 }, { "caf", SF_FORMAT_CAF, 0 },
    { "flac", SF_FORMAT_FLAC, 0 }, { "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 1 },
    { "oga", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 1 }, { "opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 1 },
};

static const AudioExt *find_ext(const char *const path)
{
    for (size_t i = 0; i < sizeof(audio_exts) / sizeof(audio_exts[0]); i++)
        if (lcc_has_ext(path, audio_exts[i].ext))
            return &audio_exts[i];
    return NULL;
}

int lcc_io_audio_ext(const char *const path)
{
    return find_ext(path) != NULL;
}

struct LccAudioSink {
    SNDFILE *sf;
    int shift;
    uint32_t channels, depth;
    int32_t *buf;
    const char *path;
};

lcc_status lcc_io_audio_sink_open(LccContext *const c, const char *const path, const int fd,
                                  const LccAudio *const a, LccAudioSink **const out)
{
    *out = NULL;
    const AudioExt *const e = find_ext(path);
    if (!e)
        return lcc_error(c, LCC_EINVAL, "%s: not an audio extension", path);
    const uint32_t d = a->bit_depth;
    int format = e->major, container = 32;
    if (!e->lossy) {
        container = d <= 8 ? 8 : d <= 16 ? 16 : d <= 24 ? 24 : 32;
        if (e->major == SF_FORMAT_FLAC && container > 24)
            return lcc_error(c, LCC_ENOTSUP, "%s: FLAC holds at most 24-bit samples, this audio has %u bits "
                             "(write .wav for 32-bit)", path, d);
        switch (container) {
        case 8:
            format |= e->major == SF_FORMAT_WAV || e->major == SF_FORMAT_W64 ? SF_FORMAT_PCM_U8 : SF_FORMAT_PCM_S8;
            break;
        case 16: format |= SF_FORMAT_PCM_16; break;
        case 24: format |= SF_FORMAT_PCM_24; break;
        default: format |= SF_FORMAT_PCM_32; break;
        }
    }
    SF_INFO info;
    memset(&info, 0, sizeof(info));
    info.channels = (int)a->channels;
    info.samplerate = (int)a->sample_rate;
    info.format = format;
    if (!sf_format_check(&info))
        return lcc_error(c, LCC_ENOTSUP, "%s: libsndfile cannot write %u channels at %u Hz, %u bits in this format",
                         path, a->channels, a->sample_rate, d);
    LccAudioSink *const k = calloc(1, sizeof(*k));
    if (!k || !(k->buf = malloc(CHUNK_FRAMES * a->channels * sizeof(int32_t)))) {
        free(k);
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    }
    k->sf = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
    if (!k->sf) {
        free(k->buf);
        free(k);
        return lcc_error(c, LCC_EIO, "%s: cannot write audio: %s", path, sf_strerror(NULL));
    }
    /* Lossy encoders take float: full scale of d bits maps to +-1. */
    k->shift = e->lossy ? 32 - (int)d : 32 - container;
    if (e->lossy)
        sf_command(k->sf, SFC_SET_VBR_ENCODING_QUALITY, &(double){ 0.8 }, sizeof(double));
    k->channels = a->channels;
    k->depth = d;
    k->path = path;
    *out = k;
    return LCC_OK;
}

lcc_status lcc_io_audio_sink_write(LccContext *const c, LccAudioSink *const k, const int32_t *const data,
                                   const uint64_t frames)
{
    const uint32_t d = k->depth;
    const int64_t lo = -((int64_t)1 << (d - 1)), hi = ((int64_t)1 << (d - 1)) - 1;
    for (uint64_t f = 0; f < frames; f += CHUNK_FRAMES) {
        const uint64_t n = frames - f < CHUNK_FRAMES ? frames - f : CHUNK_FRAMES;
        const int32_t *const src = data + f * k->channels;
        for (size_t i = 0; i < n * k->channels; i++) {
            if (src[i] < lo || src[i] > hi)
                return lcc_error(c, LCC_EINVAL, "%s: sample %d outside the %u-bit range", k->path, src[i], d);
            k->buf[i] = (int32_t)((uint32_t)src[i] << k->shift);
        }
        if (sf_writef_int(k->sf, k->buf, (sf_count_t)n) != (sf_count_t)n)
            return lcc_error(c, LCC_EIO, "%s: audio write failed: %s", k->path, sf_strerror(k->sf));
    }
    return LCC_OK;
}

lcc_status lcc_io_audio_sink_close(LccContext *const c, LccAudioSink **const pk)
{
    LccAudioSink *const k = *pk;
    if (!k)
        return LCC_OK;
    *pk = NULL;
    lcc_status err = LCC_OK;
    if (sf_close(k->sf))
        err = lcc_error(c, LCC_EIO, "%s: audio write failed", k->path);
    free(k->buf);
    free(k);
    return err;
}

lcc_status lcc_io_write_audio(LccContext *const c, const char *const path, const int fd, const LccAudio *const a)
{
    LccAudioSink *k;
    lcc_status err = lcc_io_audio_sink_open(c, path, fd, a, &k);
    if (err)
        return err;
    err = lcc_io_audio_sink_write(c, k, a->data, a->frames);
    const lcc_status e2 = lcc_io_audio_sink_close(c, &k);
    return err ? err : e2;
}

/* ---- streaming source ---------------------------------------------------- */

struct LccAudioSource {
    SNDFILE *sf;
    int bits;
    uint32_t channels;
    uint64_t left;
    double *dbuf;
    char *path;
    FILE *f;
    LccIoSrc src;
    LccWavView view;
    AudioIo io;         /* libsndfile's, over src or view */
};

lcc_status lcc_io_audio_source_open(LccContext *const c, const char *const path, LccAudio *const geom,
                                    LccAudioSource **const out)
{
    *out = NULL;
    memset(geom, 0, sizeof(*geom));
    LccAudioSource *s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    }
    /* Files this path does not take (unreadable, not regular, not for
     * libsndfile, a damaged WAV header, unusual geometry) go to the
     * whole-file reader, which says why (so no message here). */
    SF_INFO info;
    s->f = fopen(path, "rb");
    if (!s->f)
        goto not_for_us;
    s->src = (LccIoSrc){ .name = s->path, .f = s->f };
    if (lcc_io_src_size(&s->src) < 0 || lcc_wav_guard(NULL, &s->src, &s->view))
        goto not_for_us;
    s->io = (AudioIo){ &s->src, s->view.size ? &s->view : NULL, 0 };
    if (!(s->sf = open_sf(&s->io, &info)))
        goto not_for_us;
    if (info.channels < 1 || info.channels > LCC_MAX_AUDIO_CHANNELS || info.samplerate < 1 || info.frames <= 0 ||
        info.frames == SF_COUNT_MAX)
        goto not_for_us;
    const int bits = pcm_bits(info.format);
    if (!bits && !(s->dbuf = malloc(CHUNK_FRAMES * (size_t)info.channels * sizeof(double)))) {
        lcc_io_audio_source_close(&s);
        return lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
    }
    s->bits = bits;
    s->channels = (uint32_t)info.channels;
    s->left = (uint64_t)info.frames;
    geom->channels = (uint32_t)info.channels;
    geom->sample_rate = (uint32_t)info.samplerate;
    geom->bit_depth = bits ? (uint32_t)bits : 24;
    geom->frames = (uint64_t)info.frames;
    *out = s;
    return LCC_OK;
not_for_us:
    lcc_io_audio_source_close(&s);
    return LCC_EFORMAT;
}

lcc_status lcc_io_audio_source_read(LccContext *const c, LccAudioSource *const s, int32_t *const dst,
                                    const uint64_t frames)
{
    const size_t ch = s->channels;
    uint64_t got = 0;
    while (got < frames) {
        const uint64_t left = frames - got;
        const sf_count_t want = left < CHUNK_FRAMES ? (sf_count_t)left : CHUNK_FRAMES;
        int32_t *const d = dst + got * ch;
        sf_count_t r;
        if (s->bits) {
            r = sf_readf_int(s->sf, d, want);
            if (r > 0 && s->bits < 32)
                for (size_t i = 0; i < (size_t)r * ch; i++)
                    d[i] >>= 32 - s->bits;
        } else {
            r = sf_readf_double(s->sf, s->dbuf, want);
            for (size_t i = 0; r > 0 && i < (size_t)r * ch; i++) {
                double x = s->dbuf[i] * 8388608.0;
                x = x != x ? 0.0 : x < -8388608.0 ? -8388608.0 : x > 8388607.0 ? 8388607.0 : x;
                d[i] = (int32_t)lrint(x);
            }
        }
        if (r <= 0)
            return lcc_error(c, LCC_EBADMSG, "%s: truncated or damaged audio: %s", s->path, sf_strerror(s->sf));
        got += (uint64_t)r;
    }
    return LCC_OK;
}

void lcc_io_audio_source_close(LccAudioSource **const ps)
{
    LccAudioSource *const s = *ps;
    if (!s)
        return;
    *ps = NULL;
    if (s->sf)
        sf_close(s->sf);
    if (s->f)
        fclose(s->f);
    free(s->dbuf);
    free(s->path);
    free(s);
}
