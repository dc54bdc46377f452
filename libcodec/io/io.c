/* Media file I/O: format detection, the read/write entry points, byte
 * sources and shared helpers. The formats live in io_*.c; see io.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcodec/io/idx.h"
#include "libcodec/io/io.h"

/* ---- byte sources ------------------------------------------------------ */

void lcc_io_src_mem(LccIoSrc *const s, const char *const name, const uint8_t *const buf, const size_t size)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->buf = buf;
    s->size = size;
}

size_t lcc_io_src_read(LccIoSrc *const s, void *const dst, const size_t n)
{
    if (s->f)
        return fread(dst, 1, n, s->f);
    const size_t left = s->size - s->pos;
    const size_t k = n < left ? n : left;
    if (k)
        memcpy(dst, s->buf + s->pos, k);
    s->pos += k;
    return k;
}

int lcc_io_src_seek(LccIoSrc *const s, const int64_t off, const int whence)
{
    if (s->f)
        return fseeko(s->f, (off_t)off, whence);
    int64_t base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)s->pos; break;
    case SEEK_END: base = (int64_t)s->size; break;
    default: return -1;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0 || (uint64_t)(base + off) > s->size)
        return -1;
    s->pos = (size_t)(base + off);
    return 0;
}

int64_t lcc_io_src_tell(LccIoSrc *const s)
{
    return s->f ? (int64_t)ftello(s->f) : (int64_t)s->pos;
}

int64_t lcc_io_src_size(LccIoSrc *const s)
{
    if (!s->f)
        return (int64_t)s->size;
    struct stat st;
    if (fstat(fileno(s->f), &st) || !S_ISREG(st.st_mode))
        return -1;
    return (int64_t)st.st_size;
}

/* ---- allocation helpers ------------------------------------------------- */

static lcc_status geometry_error(LccContext *const c, const char *const name, const LccMedia *const m,
                                 const lcc_status err)
{
    const LccLimits *const l = lcc_limits(c);
    if (err == LCC_ERANGE) {
        switch (m->modality) {
        case LCC_MODALITY_IMAGE:
            return lcc_error(c, err, "%s: image %ux%u (%u channels) exceeds the limits (%llu pixels, %llu per side)",
                             name, m->image.width, m->image.height, m->image.channels,
                             (unsigned long long)l->max_pixels, (unsigned long long)l->max_dimension);
        case LCC_MODALITY_VIDEO:
            return lcc_error(c, err, "%s: video %ux%u, %u frames exceeds the limits (%llu pixels, %llu per side, "
                             "%llu frames, %llu samples)", name, m->video.width, m->video.height, m->video.frames,
                             (unsigned long long)l->max_pixels, (unsigned long long)l->max_dimension,
                             (unsigned long long)l->max_frames, (unsigned long long)l->max_samples);
        default:
            return lcc_error(c, err, "%s: audio of %u channels, %llu frames at %u Hz exceeds the limits "
                             "(%d channels, %llu samples)", name, m->audio.channels,
                             (unsigned long long)m->audio.frames, m->audio.sample_rate, LCC_MAX_AUDIO_CHANNELS,
                             (unsigned long long)l->max_samples);
        }
    }
    if (err == LCC_EINVAL)
        return lcc_error(c, LCC_EBADMSG, "%s: invalid geometry in the file", name);
    return lcc_error(c, err, "%s: cannot allocate the samples: %s", name, lcc_strerror(err));
}

lcc_status lcc_io_check(LccContext *const c, const char *const name, const LccMedia *const m)
{
    const lcc_status err = lcc_media_check(m, lcc_limits(c));
    return err ? geometry_error(c, name, m, err) : LCC_OK;
}

lcc_status lcc_io_alloc(LccContext *const c, const char *const name, LccMedia *const out)
{
    const lcc_status err = lcc_media_alloc(out, lcc_limits(c));
    return err ? geometry_error(c, name, out, err) : LCC_OK;
}

uint16_t *lcc_io_video_next(LccContext *const c, const char *const name, LccVideo *const v,
                            LccVideoGrow *const g, lcc_status *const err)
{
    const uint64_t fs = lcc_video_frame_samples(v);
    const uint64_t n = v->frames;
    LccMedia m = { .modality = LCC_MODALITY_VIDEO, .video = *v };
    m.video.frames = (uint32_t)(n + 1);
    if (n + 1 > UINT32_MAX || (*err = lcc_io_check(c, name, &m))) {
        if (n + 1 > UINT32_MAX)
            *err = lcc_error(c, LCC_ERANGE, "%s: too many frames", name);
        return NULL;
    }
    if (n + 1 > g->cap_frames) {
        const LccLimits *const l = lcc_limits(c);
        uint64_t cap = g->cap_frames ? g->cap_frames * 2 : 4;
        uint64_t most = l->max_frames;
        if (fs && l->max_samples / fs < most)
            most = l->max_samples / fs;
        if (cap > most)
            cap = most;
        if (cap < n + 1)
            cap = n + 1;
        uint64_t bytes;
        if (lcc_mul_overflow(cap, fs * sizeof(uint16_t), &bytes) || bytes > SIZE_MAX) {
            *err = lcc_error(c, LCC_ERANGE, "%s: video too large", name);
            return NULL;
        }
        uint16_t *const d = realloc(v->data, (size_t)bytes);
        if (!d) {
            *err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", name);
            return NULL;
        }
        v->data = d;
        g->cap_frames = cap;
    }
    *err = LCC_OK;
    return v->data + n * fs;
}

void lcc_io_video_finish(LccVideo *const v)
{
    const uint64_t bytes = lcc_video_frame_samples(v) * v->frames * sizeof(uint16_t);
    if (v->data && bytes) {
        uint16_t *const d = realloc(v->data, (size_t)bytes);
        if (d)
            v->data = d;
    }
}

/* ---- detection and reading ----------------------------------------------- */

typedef enum Kind {
    KIND_UNKNOWN,
    KIND_PNG,
    KIND_JPEG,
    KIND_PNM,
    KIND_PNM_OTHER,  /* P1-P4, P7: recognised, not supported */
    KIND_Y4M,
    KIND_AUDIO,      /* a container libsndfile knows by its magic */
    KIND_IDX,        /* MNIST's IDX (3-D unsigned bytes): a gray video */
} Kind;

static int is_space(const int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static Kind detect(const uint8_t *const p, const size_t n)
{
    static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (n >= 8 && !memcmp(p, png_magic, 8))
        return KIND_PNG;
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return KIND_JPEG;
    if (n >= 3 && p[0] == 'P' && (p[1] == '5' || p[1] == '6') && (is_space(p[2]) || p[2] == '#'))
        return KIND_PNM;
    if (n >= 3 && p[0] == 'P' && strchr("12347", p[1]) && p[1] && is_space(p[2]))
        return KIND_PNM_OTHER;
    if (n >= 10 && !memcmp(p, "YUV4MPEG2", 9) && (p[9] == ' ' || p[9] == '\n'))
        return KIND_Y4M;
    if (lcc_idx_probe(p, n))
        return KIND_IDX;
    if (n >= 12 && ((!memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WAVE", 4)) ||
                    (!memcmp(p, "FORM", 4) && (!memcmp(p + 8, "AIFF", 4) || !memcmp(p + 8, "AIFC", 4)))))
        return KIND_AUDIO;
    if (n >= 4 && (!memcmp(p, "fLaC", 4) || !memcmp(p, "RF64", 4) || !memcmp(p, ".snd", 4) ||
                   !memcmp(p, "caff", 4) || !memcmp(p, "riff", 4)))
        return KIND_AUDIO;
    /* Ogg: Vorbis/Opus/FLAC go to libsndfile, Theora and others to libav. */
    if (n >= 36 && !memcmp(p, "OggS", 4) &&
        (!memcmp(p + 28, "\x01vorbis", 7) || !memcmp(p + 28, "OpusHead", 8) || !memcmp(p + 28, "\x7f" "FLAC", 5)))
        return KIND_AUDIO;
    return KIND_UNKNOWN;
}

static lcc_status read_detected(LccContext *const c, LccIoSrc *const s, LccMedia *const out)
{
    uint8_t head[64];
    const size_t n = lcc_io_src_read(s, head, sizeof(head));
    if (s->f && ferror(s->f))
        return lcc_error(c, LCC_EIO, "%s: read error: %s", s->name, strerror(errno));
    if (lcc_io_src_seek(s, 0, SEEK_SET))
        return lcc_error(c, LCC_EIO, "%s: cannot seek: %s", s->name, strerror(errno));
    if (!n)
        return lcc_error(c, LCC_EFORMAT, "%s: empty file", s->name);
    lcc_status err;
    switch (detect(head, n)) {
    case KIND_PNG: return lcc_io_read_png(c, s, out);
    case KIND_JPEG: return lcc_io_read_jpeg(c, s, out);
    case KIND_PNM: return lcc_io_read_pnm(c, s, out);
    case KIND_PNM_OTHER:
        return lcc_error(c, LCC_ENOTSUP, "%s: only binary PGM/PPM (P5/P6) are supported, not P%c", s->name,
                         head[1]);
    case KIND_Y4M: return lcc_io_read_y4m(c, s, out);
    case KIND_IDX: return lcc_idx_read_src(c, s, out);
    case KIND_AUDIO:
        if ((err = lcc_io_read_audio(c, s, out)) != LCC_EFORMAT)
            return err;
        if (lcc_io_src_seek(s, 0, SEEK_SET))
            return lcc_error(c, LCC_EIO, "%s: cannot seek", s->name);
        if ((err = lcc_io_read_av(c, s, out, 1)) != LCC_EFORMAT)
            return err;
        break;
    default:
        /* Video first; audio from libsndfile when it reads the file, else
         * from libavcodec (AAC/M4A, Opus in WebM, ...). */
        if ((err = lcc_io_read_av(c, s, out, 0)) != LCC_EFORMAT)
            return err;
        if (lcc_io_src_seek(s, 0, SEEK_SET))
            return lcc_error(c, LCC_EIO, "%s: cannot seek", s->name);
        if ((err = lcc_io_read_audio(c, s, out)) != LCC_EFORMAT)
            return err;
        if (lcc_io_src_seek(s, 0, SEEK_SET))
            return lcc_error(c, LCC_EIO, "%s: cannot seek", s->name);
        if ((err = lcc_io_read_av(c, s, out, 1)) != LCC_EFORMAT)
            return err;
        break;
    }
    return lcc_error(c, LCC_EFORMAT, "%s: unrecognised file format (not PNG, JPEG, PGM/PPM, Y4M, "
                     "audio libsndfile reads, or video libavformat/libavcodec read)", s->name);
}

lcc_status lcc_io_read_mem(LccContext *const c, const char *const name, const uint8_t *const buf,
                           const size_t size, LccMedia *const out)
{
    if (!out || (!buf && size))
        return lcc_error(c, LCC_EINVAL, "lcc_io_read_mem: NULL argument");
    memset(out, 0, sizeof(*out));
    LccIoSrc s;
    lcc_io_src_mem(&s, name ? name : "(memory)", buf, size);
    const lcc_status err = read_detected(c, &s, out);
    if (err)
        lcc_media_free(out);
    return err;
}

lcc_status lcc_media_read(LccContext *const c, const char *const path, LccMedia *const out)
{
    if (!out)
        return lcc_error(c, LCC_EINVAL, "lcc_media_read: NULL output");
    memset(out, 0, sizeof(*out));
    if (!path || !*path)
        return lcc_error(c, LCC_EINVAL, "lcc_media_read: empty path");
    FILE *const f = fopen(path, "rb");
    if (!f) {
        const int e = errno;
        return lcc_error(c, e == ENOENT ? LCC_ENOENT : LCC_EIO, "%s: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fileno(f), &st) || S_ISDIR(st.st_mode)) {
        fclose(f);
        return lcc_error(c, LCC_EIO, "%s: is a directory or cannot be examined", path);
    }
    LccIoSrc s = { .name = path, .f = f };
    const lcc_status err = read_detected(c, &s, out);
    fclose(f);
    if (err)
        lcc_media_free(out);
    return err;
}

/* ---- writing ---------------------------------------------------------- */

#define WRITE_EXTS ".png .jpg .jpeg .ppm .pgm .pnm (images); .y4m .mkv .nut .avi (FFV1) .mp4 .mov .webm " \
                   "(video); .wav .flac .ogg .oga .opus .aiff .aif .au .caf .w64 (audio); .idx, *idx3-ubyte (IDX)"

typedef enum OutKind {
    OUT_NONE,
    OUT_PNG,
    OUT_JPEG,
    OUT_PNM,
    OUT_Y4M,
    OUT_AUDIO,
    OUT_AV,
} OutKind;

static OutKind out_kind(const char *const path, LccModality *const modality)
{
    if (lcc_has_ext(path, "png")) { *modality = LCC_MODALITY_IMAGE; return OUT_PNG; }
    if (lcc_has_ext(path, "jpg") || lcc_has_ext(path, "jpeg")) { *modality = LCC_MODALITY_IMAGE; return OUT_JPEG; }
    if (lcc_has_ext(path, "ppm") || lcc_has_ext(path, "pgm") || lcc_has_ext(path, "pnm")) {
        *modality = LCC_MODALITY_IMAGE;
        return OUT_PNM;
    }
    if (lcc_has_ext(path, "y4m")) { *modality = LCC_MODALITY_VIDEO; return OUT_Y4M; }
    if (lcc_io_audio_ext(path)) { *modality = LCC_MODALITY_AUDIO; return OUT_AUDIO; }
    if (lcc_io_av_ext(path)) { *modality = LCC_MODALITY_VIDEO; return OUT_AV; }
    *modality = LCC_MODALITY_NONE;
    return OUT_NONE;
}

static lcc_status write_stdio(LccContext *const c, const char *const path, const OutKind kind,
                              const LccMedia *const m)
{
    int fd;
    char *tmp;
    lcc_status err = lcc_tmp_create(c, path, &fd, &tmp);
    if (err)
        return err;
    FILE *const f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        lcc_tmp_abort(&tmp);
        return lcc_error(c, LCC_ENOMEM, "%s: cannot open a stream: %s", path, strerror(errno));
    }
    switch (kind) {
    case OUT_PNG: err = lcc_io_write_png(c, path, f, &m->image); break;
    case OUT_JPEG: err = lcc_io_write_jpeg(c, path, f, &m->image); break;
    case OUT_PNM: err = lcc_io_write_pnm(c, path, f, &m->image); break;
    default: err = lcc_io_write_y4m(c, path, f, &m->video); break;
    }
    if (!err && (fflush(f) || ferror(f)))
        err = lcc_error(c, LCC_EIO, "%s: write failed: %s", path, strerror(errno));
    if (fclose(f) && !err)
        err = lcc_error(c, LCC_EIO, "%s: write failed: %s", path, strerror(errno));
    if (err) {
        lcc_tmp_abort(&tmp);
        return err;
    }
    return lcc_tmp_commit(c, &tmp, path);
}

lcc_status lcc_media_write(LccContext *const c, const char *const path, const LccMedia *const m)
{
    if (!path || !*path || !m)
        return lcc_error(c, LCC_EINVAL, "lcc_media_write: NULL or empty argument");
    if (lcc_idx_path(path)) {
        if (!lcc_idx_writable(m))
            return lcc_error(c, LCC_EINVAL, "%s: IDX holds 8-bit gray images (a gray video or one gray image)", path);
        return lcc_idx_write(c, path, m);
    }
    LccModality want;
    const OutKind kind = out_kind(path, &want);
    if (kind == OUT_NONE)
        return lcc_error(c, LCC_EINVAL, "%s: unknown output extension; supported: " WRITE_EXTS, path);
    if (m->modality != want)
        return lcc_error(c, LCC_EINVAL, "%s: cannot write %s to a file for %s", path,
                         m->modality == LCC_MODALITY_NONE ? "empty media" : lcc_modality_name(m->modality),
                         lcc_modality_name(want));
    /* The geometry must be valid; sizes beyond the reading limits are the
     * caller's business when writing. */
    const lcc_status chk = lcc_media_check(m, NULL);
    const void *const data = want == LCC_MODALITY_IMAGE ? (const void *)m->image.data
                           : want == LCC_MODALITY_AUDIO ? (const void *)m->audio.data
                           : (const void *)m->video.data;
    if (chk == LCC_EINVAL || !data)
        return lcc_error(c, LCC_EINVAL, "%s: invalid %s (geometry or missing data)", path,
                         lcc_modality_name(want));
    int fd;
    char *tmp;
    lcc_status err;
    switch (kind) {
    case OUT_AUDIO:
        if ((err = lcc_tmp_create(c, path, &fd, &tmp)))
            return err;
        err = lcc_io_write_audio(c, path, fd, &m->audio);
        if (close(fd) && !err)
            err = lcc_error(c, LCC_EIO, "%s: write failed: %s", path, strerror(errno));
        if (err) {
            lcc_tmp_abort(&tmp);
            return err;
        }
        return lcc_tmp_commit(c, &tmp, path);
    case OUT_AV:
        if ((err = lcc_tmp_create(c, path, &fd, &tmp)))
            return err;
        close(fd);
        if ((err = lcc_io_write_av(c, path, *tmp ? tmp : path, &m->video))) {
            lcc_tmp_abort(&tmp);
            return err;
        }
        return lcc_tmp_commit(c, &tmp, path);
    default:
        return write_stdio(c, path, kind, m);
    }
}

/* ---- memory entry points ------------------------------------------------- */

#define MEM_READER(fmt)                                                                             \
    lcc_status lcc_io_read_##fmt##_mem(LccContext *const c, const uint8_t *const buf, const size_t size, \
                                       LccMedia *const out)                                          \
    {                                                                                               \
        if (!out || (!buf && size))                                                                 \
            return lcc_error(c, LCC_EINVAL, "lcc_io_read_" #fmt "_mem: NULL argument");             \
        memset(out, 0, sizeof(*out));                                                               \
        LccIoSrc s;                                                                                 \
        lcc_io_src_mem(&s, "(memory)", buf, size);                                                  \
        lcc_status err = lcc_io_read_##fmt(c, &s, out LCC_IO_EXTRA_##fmt);                        \
        if (err == LCC_EFORMAT)                                                                     \
            err = lcc_error(c, LCC_EFORMAT, "(memory): not recognised by the " #fmt " reader");      \
        if (err)                                                                                    \
            lcc_media_free(out);                                                                    \
        return err;                                                                                 \
    }

#define LCC_IO_EXTRA_png
#define LCC_IO_EXTRA_jpeg
#define LCC_IO_EXTRA_pnm
#define LCC_IO_EXTRA_y4m
#define LCC_IO_EXTRA_audio
#define LCC_IO_EXTRA_av , 1

MEM_READER(png)
MEM_READER(jpeg)
MEM_READER(pnm)
MEM_READER(y4m)
MEM_READER(audio)
MEM_READER(av)
