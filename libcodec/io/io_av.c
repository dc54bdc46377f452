/* Video through libavformat/libavcodec.
 *
 * Reading: the content is probed through a custom AVIOContext (no file
 * name, so detection never depends on the extension, and demuxers may not
 * open other files or URLs: io_open always fails). The best video stream
 * (cover art excluded) is decoded, every frame, into LccVideo:
 * - planar, semi-planar or packed Y'CbCr and gray of 8..16 bits: samples
 *   copied as they are (4:2:0, 4:2:2, 4:4:4 or luma only; alpha dropped;
 *   full-range "yuvj" formats are copied without range conversion);
 * - RGB, palette, 4:1:1/4:1:0/4:4:0 and anything else: converted by
 *   libswscale to 4:4:4 (gray to gray) at the source depth (at least 8),
 *   with swscale's default matrix, BT.601 limited range.
 * Frames, pixels and total samples are checked against the limits as the
 * frames arrive; a size or format change mid-stream is LCC_ENOTSUP; a
 * decoder or demuxer error is LCC_EBADMSG with libav's message.
 *
 * Single pictures (libavformat's "*_pipe" demuxers: BMP, TIFF, WebP, DPX,
 * ...; GIF and APNG are video; PNG/JPEG/PPM are read natively before
 * libav is tried) are read as an LccImage instead: gray, gray+alpha, RGB
 * or RGBA, 8-bit or (deeper sources, rescaled by swscale) 16-bit.
 *
 * Files without a video stream that libsndfile cannot read (AAC/M4A,
 * Opus in WebM/Matroska, ...) are read as audio from the best audio
 * stream (lcc_io_read_av with audio = 1): integer codecs keep their depth
 * (S32 with bits_per_raw_sample 24 gives 24), float ones give 24-bit PCM.
 *
 * Probing: a format guess scoring at most AVPROBE_SCORE_RETRY (25) is not
 * accepted (LCC_EFORMAT), so arbitrary bytes are not decoded as a raw
 * elementary stream.
 *
 * Writing: .mkv, .nut, .avi with FFV1 (lossless; bit depths 8, 9, 10, 12,
 * 14, 16 natively, 11/13/15 in the next deeper format with the values
 * unchanged); other extensions (.mp4, .mov, .webm) with the muxer's default
 * video encoder (libx264 CRF 18 / libvpx-vp9: lossy) if that encoder takes
 * the pixel format as it is. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/imgutils.h>
#include <libavutil/mathematics.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "libcodec/io/io.h"

/* ---- logging: libav messages of our calls go into the error text ------- */

typedef struct AvLog {
    char msg[256];
} AvLog;

static _Thread_local AvLog *av_capture;
static pthread_once_t lcc_av_log_once = PTHREAD_ONCE_INIT;

static void av_log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    AvLog *const cap = av_capture;
    if (!cap) {
        av_log_default_callback(avcl, level, fmt, vl);
        return;
    }
    if (level <= AV_LOG_ERROR && !cap->msg[0]) {
        vsnprintf(cap->msg, sizeof(cap->msg), fmt, vl);
        size_t n = strlen(cap->msg);
        while (n && (cap->msg[n - 1] == '\n' || cap->msg[n - 1] == ' '))
            cap->msg[--n] = 0;
    }
}

static void av_log_install(void)
{
    av_log_set_callback(av_log_cb);
}

static void capture_begin(AvLog *const cap)
{
    pthread_once(&lcc_av_log_once, av_log_install);
    cap->msg[0] = 0;
    av_capture = cap;
}

static void capture_end(void)
{
    av_capture = NULL;
}

/* "libav's text (error string)" for messages. */
static const char *av_reason(const AvLog *const cap, const int ret, char *const buf, const size_t n)
{
    char e[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(ret, e, sizeof(e));
    if (cap->msg[0])
        snprintf(buf, n, "%s (%s)", cap->msg, e);
    else
        snprintf(buf, n, "%s", e);
    return buf;
}

/* ---- custom I/O ---------------------------------------------------------- */

static int avio_read_cb(void *const opaque, uint8_t *const buf, const int size)
{
    if (size <= 0)
        return 0;
    const size_t n = lcc_io_src_read(opaque, buf, (size_t)size);
    return n ? (int)n : AVERROR_EOF;
}

static int64_t avio_seek_cb(void *const opaque, const int64_t off, int whence)
{
    LccIoSrc *const s = opaque;
    if (whence & AVSEEK_SIZE) {
        const int64_t size = lcc_io_src_size(s);
        return size >= 0 ? size : AVERROR(ENOSYS);
    }
    whence &= ~AVSEEK_FORCE;
    if (lcc_io_src_seek(s, off, whence))
        return AVERROR(EINVAL);
    return lcc_io_src_tell(s);
}

static int deny_io_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                        AVDictionary **options)
{
    (void)s;
    (void)pb;
    (void)url;
    (void)flags;
    (void)options;
    return AVERROR(EPERM);
}

/* ---- reading -------------------------------------------------------------- */

typedef struct Decoder {
    LccContext *c;
    const char *name;
    AvLog *cap;
    LccVideo *v;
    LccVideoGrow grow;
    int width, height, format;        /* of the first frame */
    const AVPixFmtDescriptor *desc;   /* of the samples copied (after swscale) */
    struct SwsContext *sws;
    AVFrame *conv;                    /* swscale output */
} Decoder;

/* Y'CbCr/gray layouts copied directly; sets chroma and depth. */
static int direct_layout(const AVPixFmtDescriptor *const d, LccChroma *const chroma, int *const depth)
{
    if (!d || d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                          AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BAYER | AV_PIX_FMT_FLAG_FLOAT))
        return 0;
    if (!strncmp(d->name, "xyz", 3) || d->nb_components < 1)
        return 0;
    const int bits = d->comp[0].depth;
    if (bits < 8 || bits > 16)
        return 0;
    if (d->nb_components <= 2) {
        *chroma = LCC_CHROMA_400;
    } else {
        if (d->comp[1].depth != bits || d->comp[2].depth != bits)
            return 0;
        if (!d->log2_chroma_w && !d->log2_chroma_h)
            *chroma = LCC_CHROMA_444;
        else if (d->log2_chroma_w == 1 && !d->log2_chroma_h)
            *chroma = LCC_CHROMA_422;
        else if (d->log2_chroma_w == 1 && d->log2_chroma_h == 1)
            *chroma = LCC_CHROMA_420;
        else
            return 0;
    }
    *depth = bits;
    return 1;
}

static enum AVPixelFormat deep_format(const int gray, const int bits)
{
    static const enum AVPixelFormat g[] = { AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY9LE, AV_PIX_FMT_GRAY10LE,
                                            AV_PIX_FMT_GRAY12LE, AV_PIX_FMT_GRAY12LE, AV_PIX_FMT_GRAY14LE,
                                            AV_PIX_FMT_GRAY14LE, AV_PIX_FMT_GRAY16LE, AV_PIX_FMT_GRAY16LE };
    static const enum AVPixelFormat y[] = { AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P9LE, AV_PIX_FMT_YUV444P10LE,
                                            AV_PIX_FMT_YUV444P12LE, AV_PIX_FMT_YUV444P12LE,
                                            AV_PIX_FMT_YUV444P14LE, AV_PIX_FMT_YUV444P14LE,
                                            AV_PIX_FMT_YUV444P16LE, AV_PIX_FMT_YUV444P16LE };
    const int i = bits <= 8 ? 0 : bits >= 16 ? 8 : bits - 8;
    return gray ? g[i] : y[i];
}

static lcc_status setup(Decoder *const d, const AVFrame *const f, const AVStream *const st)
{
    LccContext *const c = d->c;
    LccVideo *const v = d->v;
    const AVPixFmtDescriptor *const src = av_pix_fmt_desc_get(f->format);
    if (!src || f->width <= 0 || f->height <= 0)
        return lcc_error(c, LCC_EBADMSG, "%s: decoder returned a frame without a valid format or size", d->name);
    LccChroma chroma;
    int depth;
    if (direct_layout(src, &chroma, &depth)) {
        d->desc = src;
    } else {
        /* Convert: gray stays gray; everything else to 4:4:4 at the source
         * depth (BT.601 limited range, swscale's default for RGB input). */
        int bits = 0;
        for (int i = 0; i < src->nb_components; i++)
            bits = src->comp[i].depth > bits ? src->comp[i].depth : bits;
        const int gray = src->nb_components <= 2 && !(src->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL));
        const enum AVPixelFormat to = deep_format(gray, bits);
        d->desc = av_pix_fmt_desc_get(to);
        if (!direct_layout(d->desc, &chroma, &depth))
            return lcc_error(c, LCC_EINTERNAL, "%s: conversion target not copyable", d->name);
        d->sws = sws_getContext(f->width, f->height, f->format, f->width, f->height, to, SWS_BICUBIC | SWS_ACCURATE_RND
                                | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
        d->conv = av_frame_alloc();
        if (!d->sws || !d->conv)
            return lcc_error(c, LCC_ENOTSUP, "%s: cannot convert pixel format %s", d->name, src->name);
        d->conv->format = to;
        d->conv->width = f->width;
        d->conv->height = f->height;
        if (av_frame_get_buffer(d->conv, 0) < 0)
            return lcc_error(c, LCC_ENOMEM, "%s: out of memory", d->name);
    }
    d->width = f->width;
    d->height = f->height;
    d->format = f->format;
    v->width = (uint32_t)f->width;
    v->height = (uint32_t)f->height;
    v->chroma = chroma;
    v->bit_depth = (uint32_t)depth;
    AVRational r = st->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0)
        r = st->r_frame_rate;
    if (r.num > 0 && r.den > 0) {
        int num, den;
        av_reduce(&num, &den, r.num, r.den, INT32_MAX);
        v->fps_num = (uint32_t)num;
        v->fps_den = (uint32_t)den;
    }
    return LCC_OK;
}

static lcc_status store_frame(Decoder *const d, const AVFrame *const f, const AVStream *const st)
{
    LccContext *const c = d->c;
    LccVideo *const v = d->v;
    lcc_status err;
    if (!d->desc) {
        if ((err = setup(d, f, st)))
            return err;
    } else if (f->width != d->width || f->height != d->height || f->format != d->format) {
        return lcc_error(c, LCC_ENOTSUP, "%s: frame size or pixel format changes at frame %u (%dx%d %s -> %dx%d %s)",
                         d->name, v->frames, d->width, d->height, av_get_pix_fmt_name(d->format), f->width,
                         f->height, av_get_pix_fmt_name(f->format));
    }
    uint16_t *const dst = lcc_io_video_next(c, d->name, v, &d->grow, &err);
    if (!dst)
        return err;
    const AVFrame *src = f;
    if (d->sws) {
        if (av_frame_make_writable(d->conv) < 0)
            return lcc_error(c, LCC_ENOMEM, "%s: out of memory", d->name);
        if (sws_scale(d->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, d->conv->data,
                      d->conv->linesize) != f->height)
            return lcc_error(c, LCC_EBADMSG, "%s: pixel format conversion failed", d->name);
        src = d->conv;
    }
    uint32_t cw, ch;
    lcc_video_chroma_size(v, &cw, &ch);
    uint16_t *p = dst;
    const int planes = v->chroma == LCC_CHROMA_400 ? 1 : 3;
    for (int comp = 0; comp < planes; comp++) {
        const uint32_t w = comp ? cw : v->width, h = comp ? ch : v->height;
        for (uint32_t y = 0; y < h; y++, p += w)
            av_read_image_line2(p, (const uint8_t **)src->data, src->linesize, d->desc, 0, (int)y, comp, (int)w, 0, 2);
    }
    v->frames++;
    return LCC_OK;
}

static lcc_status receive(Decoder *const d, AVCodecContext *const dec, AVFrame *const frame, const AVStream *const st)
{
    for (;;) {
        const int ret = avcodec_receive_frame(dec, frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return LCC_OK;
        if (ret < 0) {
            char why[400];
            return lcc_error(d->c, LCC_EBADMSG, "%s: video decoding failed: %s", d->name,
                             av_reason(d->cap, ret, why, sizeof(why)));
        }
        const lcc_status err = store_frame(d, frame, st);
        av_frame_unref(frame);
        if (err)
            return err;
    }
}

static lcc_status decode_stream(LccContext *const c, const char *const name, AvLog *const cap,
                                AVFormatContext *const fmt, const int idx, LccMedia *const out)
{
    AVStream *const st = fmt->streams[idx];
    const AVCodecParameters *const par = st->codecpar;
    const AVCodec *const codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        return lcc_error(c, LCC_ENOTSUP, "%s: no decoder for video codec %s in this build", name,
                         avcodec_get_name(par->codec_id));
    out->modality = LCC_MODALITY_VIDEO;
    if (par->width > 0 && par->height > 0) {
        /* Early check of the announced size; frames are checked again. */
        LccMedia m = { .modality = LCC_MODALITY_VIDEO };
        m.video.width = (uint32_t)par->width;
        m.video.height = (uint32_t)par->height;
        m.video.frames = 1;
        m.video.bit_depth = 8;
        m.video.chroma = LCC_CHROMA_400;
        const lcc_status err = lcc_io_check(c, name, &m);
        if (err)
            return err;
    }
    Decoder d = { .c = c, .name = name, .cap = cap, .v = &out->video };
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    lcc_status err = LCC_OK;
    char why[400];
    int ret;
    if (!dec || !pkt || !frame) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", name);
        goto done;
    }
    if ((ret = avcodec_parameters_to_context(dec, par)) < 0) {
        err = lcc_error(c, LCC_EBADMSG, "%s: bad codec parameters: %s", name, av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    const LccLimits *const l = lcc_limits(c);
    /* Our limit is checked on every frame; libavcodec's own check (on the
     * coded, aligned size) is a looser guard against huge allocations. */
    dec->max_pixels = l->max_pixels < (INT64_MAX - 65536) / 2 ? (int64_t)(2 * l->max_pixels + 65536) : INT64_MAX;
    dec->thread_count = c && c->settings.threads > 0 ? c->settings.threads : 1;
    if ((ret = avcodec_open2(dec, codec, NULL)) < 0) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: cannot open the %s decoder: %s", name, codec->name,
                        av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    while ((ret = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == idx) {
            ret = avcodec_send_packet(dec, pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN))
                err = lcc_error(c, LCC_EBADMSG, "%s: damaged video frame: %s", name,
                                av_reason(cap, ret, why, sizeof(why)));
            else
                err = receive(&d, dec, frame, st);
        }
        av_packet_unref(pkt);
        if (err)
            goto done;
    }
    if (ret != AVERROR_EOF) {
        err = lcc_error(c, LCC_EBADMSG, "%s: damaged container: %s", name, av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    if ((ret = avcodec_send_packet(dec, NULL)) < 0 && ret != AVERROR_EOF) {
        err = lcc_error(c, LCC_EBADMSG, "%s: video decoding failed: %s", name, av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    if ((err = receive(&d, dec, frame, st)))
        goto done;
    if (!out->video.frames)
        err = lcc_error(c, LCC_EBADMSG, "%s: no video frame could be decoded", name);
    else
        lcc_io_video_finish(&out->video);
done:
    sws_freeContext(d.sws);
    av_frame_free(&d.conv);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return err;
}

/* ---- still images (BMP, TIFF, WebP, ... through libavcodec) ------------- */

/* Single-image demuxers are libavformat's "*_pipe" family. */
static int image_demuxer(const AVInputFormat *const f)
{
    const size_t n = strlen(f->name);
    return n > 5 && !strcmp(f->name + n - 5, "_pipe");
}

/* The first picture of stream idx as an LccImage: gray, gray+alpha, RGB or
 * RGBA, 8-bit if the source has at most 8 bits per component, else 16-bit
 * (swscale rescales deeper sources to 16 bits). Y'CbCr pictures are
 * converted to RGB with swscale (BT.601; full range for JPEG-range input). */
static lcc_status decode_image(LccContext *const c, const char *const name, AvLog *const cap,
                               AVFormatContext *const fmt, const int idx, LccMedia *const out)
{
    const AVCodecParameters *const par = fmt->streams[idx]->codecpar;
    const AVCodec *const codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        return lcc_error(c, LCC_ENOTSUP, "%s: no decoder for image codec %s in this build", name,
                         avcodec_get_name(par->codec_id));
    out->modality = LCC_MODALITY_IMAGE;
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    AVFrame *rgb = av_frame_alloc();
    struct SwsContext *sws = NULL;
    lcc_status err = LCC_OK;
    char why[400];
    int ret, got = 0;
    if (!dec || !pkt || !frame || !rgb) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", name);
        goto done;
    }
    const LccLimits *const l = lcc_limits(c);
    if ((ret = avcodec_parameters_to_context(dec, par)) < 0) {
        err = lcc_error(c, LCC_EBADMSG, "%s: bad codec parameters: %s", name, av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    dec->max_pixels = l->max_pixels < (INT64_MAX - 65536) / 2 ? (int64_t)(2 * l->max_pixels + 65536) : INT64_MAX;
    dec->thread_count = 1;
    if ((ret = avcodec_open2(dec, codec, NULL)) < 0) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: cannot open the %s decoder: %s", name, codec->name,
                        av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    int eof = 0;
    while (!got) {
        if (!eof) {
            ret = av_read_frame(fmt, pkt);
            if (ret == AVERROR_EOF) {
                eof = 1;
                ret = avcodec_send_packet(dec, NULL);
            } else if (ret < 0) {
                err = lcc_error(c, LCC_EBADMSG, "%s: damaged file: %s", name, av_reason(cap, ret, why, sizeof(why)));
                goto done;
            } else {
                ret = pkt->stream_index == idx ? avcodec_send_packet(dec, pkt) : 0;
                av_packet_unref(pkt);
            }
            if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
                err = lcc_error(c, LCC_EBADMSG, "%s: damaged image: %s", name, av_reason(cap, ret, why, sizeof(why)));
                goto done;
            }
        }
        ret = avcodec_receive_frame(dec, frame);
        if (ret >= 0)
            got = 1;
        else if (ret == AVERROR_EOF || (eof && ret == AVERROR(EAGAIN)))
            break;
        else if (ret != AVERROR(EAGAIN)) {
            err = lcc_error(c, LCC_EBADMSG, "%s: damaged image: %s", name, av_reason(cap, ret, why, sizeof(why)));
            goto done;
        }
    }
    if (!got) {
        err = lcc_error(c, LCC_EBADMSG, "%s: no picture could be decoded", name);
        goto done;
    }
    const AVPixFmtDescriptor *const d = av_pix_fmt_desc_get(frame->format);
    if (!d || frame->width <= 0 || frame->height <= 0) {
        err = lcc_error(c, LCC_EBADMSG, "%s: decoder returned a picture without a valid format or size", name);
        goto done;
    }
    int bits = 0;
    for (int i = 0; i < d->nb_components; i++)
        bits = d->comp[i].depth > bits ? d->comp[i].depth : bits;
    int alpha = !!(d->flags & AV_PIX_FMT_FLAG_ALPHA);
    int gray = d->nb_components - alpha == 1 && !(d->flags & AV_PIX_FMT_FLAG_PAL);
    if (d->flags & AV_PIX_FMT_FLAG_PAL && frame->data[1]) {
        /* A palette (native-endian ARGB) decides: opaque -> no alpha, all
         * entries with R = G = B -> gray. */
        alpha = 0;
        gray = 1;
        for (int i = 0; i < 256; i++) {
            uint32_t e;
            memcpy(&e, frame->data[1] + 4 * i, 4);
            alpha |= (e >> 24) != 0xff;
            gray &= ((e >> 16) & 0xff) == ((e >> 8) & 0xff) && ((e >> 8) & 0xff) == (e & 0xff);
        }
    }
    const int deep = bits > 8;
    static const enum AVPixelFormat targets[2][2][2] = {
        { { AV_PIX_FMT_RGB24, AV_PIX_FMT_RGBA }, { AV_PIX_FMT_GRAY8, AV_PIX_FMT_YA8 } },
        { { AV_PIX_FMT_RGB48LE, AV_PIX_FMT_RGBA64LE }, { AV_PIX_FMT_GRAY16LE, AV_PIX_FMT_YA16LE } },
    };
    const enum AVPixelFormat to = targets[deep][gray][alpha];
    LccImage *const im = &out->image;
    im->width = (uint32_t)frame->width;
    im->height = (uint32_t)frame->height;
    im->channels = (uint32_t)((gray ? 1 : 3) + alpha);
    im->bit_depth = deep ? 16 : 8;
    if ((err = lcc_io_alloc(c, name, out)))
        goto done;
    const size_t n = (size_t)im->width * im->channels;
    if (d->flags & AV_PIX_FMT_FLAG_PAL && frame->data[1]) {
        /* Palette lookup, exact (swscale would go through Y'CbCr). */
        for (uint32_t y = 0; y < im->height; y++) {
            const uint8_t *const row = frame->data[0] + (ptrdiff_t)y * frame->linesize[0];
            uint16_t *dst = im->data + (size_t)y * n;
            for (uint32_t x = 0; x < im->width; x++) {
                uint32_t e;
                memcpy(&e, frame->data[1] + 4 * row[x], 4);
                if (!gray) {
                    *dst++ = (uint16_t)((e >> 16) & 0xff);
                    *dst++ = (uint16_t)((e >> 8) & 0xff);
                }
                *dst++ = (uint16_t)(e & 0xff);
                if (alpha)
                    *dst++ = (uint16_t)(e >> 24);
            }
        }
        goto done;
    }
    rgb->format = to;
    rgb->width = frame->width;
    rgb->height = frame->height;
    sws = sws_getContext(frame->width, frame->height, frame->format, frame->width, frame->height, to,
                         SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
    if (!sws || av_frame_get_buffer(rgb, 0) < 0) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: cannot convert pixel format %s", name, d->name);
        goto done;
    }
    if (sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, rgb->data,
                  rgb->linesize) != frame->height) {
        err = lcc_error(c, LCC_EBADMSG, "%s: pixel format conversion failed", name);
        goto done;
    }
    for (uint32_t y = 0; y < im->height; y++) {
        const uint8_t *const row = rgb->data[0] + (ptrdiff_t)y * rgb->linesize[0];
        uint16_t *const dst = im->data + (size_t)y * n;
        for (size_t i = 0; i < n; i++)
            dst[i] = deep ? lcc_rl16(row + 2 * i) : row[i];
    }
done:
    sws_freeContext(sws);
    av_frame_free(&rgb);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return err;
}

/* ---- audio (containers and codecs libsndfile does not read) ------------ */

typedef struct AudioDec {
    LccContext *c;
    const char *name;
    LccAudio *a;
    uint64_t cap_frames;
    int format, rate, channels, shift, is_float;
} AudioDec;

static lcc_status audio_setup(AudioDec *const d, const AVFrame *const f, const AVCodecContext *const dec)
{
    const int ch = f->ch_layout.nb_channels;
    if (ch < 1 || ch > LCC_MAX_AUDIO_CHANNELS || f->sample_rate <= 0)
        return lcc_error(d->c, ch > LCC_MAX_AUDIO_CHANNELS ? LCC_ERANGE : LCC_EBADMSG,
                         "%s: audio with %d channels at %d Hz is not supported (1..%d channels)", d->name, ch,
                         f->sample_rate, LCC_MAX_AUDIO_CHANNELS);
    int bits;
    switch (av_get_packed_sample_fmt(f->format)) {
    case AV_SAMPLE_FMT_U8: bits = 8; break;
    case AV_SAMPLE_FMT_S16: bits = 16; break;
    case AV_SAMPLE_FMT_S32:
        bits = dec->bits_per_raw_sample > 16 && dec->bits_per_raw_sample < 32 ? dec->bits_per_raw_sample : 32;
        break;
    case AV_SAMPLE_FMT_FLT:
    case AV_SAMPLE_FMT_DBL: bits = 24; d->is_float = 1; break;
    default:
        return lcc_error(d->c, LCC_ENOTSUP, "%s: unsupported audio sample format %s", d->name,
                         av_get_sample_fmt_name(f->format));
    }
    d->format = f->format;
    d->rate = f->sample_rate;
    d->channels = ch;
    d->shift = bits == 8 || bits == 16 || d->is_float ? 0 : 32 - bits;
    d->a->channels = (uint32_t)ch;
    d->a->sample_rate = (uint32_t)f->sample_rate;
    d->a->bit_depth = (uint32_t)bits;
    return LCC_OK;
}

static int32_t from_float(const double x)
{
    double y = x * 8388608.0;
    y = y != y ? 0.0 : y < -8388608.0 ? -8388608.0 : y > 8388607.0 ? 8388607.0 : y;
    return (int32_t)lrint(y);
}

static lcc_status audio_store(AudioDec *const d, const AVFrame *const f, const AVCodecContext *const dec)
{
    lcc_status err;
    if (!d->channels) {
        if ((err = audio_setup(d, f, dec)))
            return err;
    } else if (f->format != d->format || f->sample_rate != d->rate || f->ch_layout.nb_channels != d->channels) {
        return lcc_error(d->c, LCC_ENOTSUP, "%s: audio format, rate or channel count changes mid-stream", d->name);
    }
    if (f->nb_samples <= 0)
        return LCC_OK;
    LccAudio *const a = d->a;
    const uint64_t need = a->frames + (uint64_t)f->nb_samples;
    if (need > d->cap_frames) {
        LccMedia m = { .modality = LCC_MODALITY_AUDIO, .audio = *a };
        m.audio.frames = need;
        if ((err = lcc_io_check(d->c, d->name, &m)))
            return err;
        const uint64_t most = lcc_limits(d->c)->max_samples / a->channels;
        uint64_t cap = d->cap_frames ? d->cap_frames * 2 : 65536;
        cap = cap > most ? most : cap;
        cap = cap < need ? need : cap;
        if (cap > SIZE_MAX / sizeof(int32_t) / a->channels)
            return lcc_error(d->c, LCC_ERANGE, "%s: audio too long", d->name);
        int32_t *const p = realloc(a->data, (size_t)cap * a->channels * sizeof(int32_t));
        if (!p)
            return lcc_error(d->c, LCC_ENOMEM, "%s: out of memory", d->name);
        a->data = p;
        d->cap_frames = cap;
    }
    const int planar = av_sample_fmt_is_planar(f->format);
    const enum AVSampleFormat packed = av_get_packed_sample_fmt(f->format);
    const int ch = d->channels, n = f->nb_samples;
    int32_t *const dst = a->data + a->frames * (uint64_t)ch;
    for (int k = 0; k < ch; k++) {
        const uint8_t *const base = f->extended_data[planar ? k : 0];
        for (int i = 0; i < n; i++) {
            const size_t j = planar ? (size_t)i : (size_t)i * (size_t)ch + (size_t)k;
            int32_t v;
            switch (packed) {
            case AV_SAMPLE_FMT_U8: v = (int32_t)base[j] - 128; break;
            case AV_SAMPLE_FMT_S16: v = ((const int16_t *)(const void *)base)[j]; break;
            case AV_SAMPLE_FMT_S32: v = ((const int32_t *)(const void *)base)[j] >> d->shift; break;
            case AV_SAMPLE_FMT_FLT: v = from_float(((const float *)(const void *)base)[j]); break;
            default: v = from_float(((const double *)(const void *)base)[j]); break;
            }
            dst[(size_t)i * (size_t)ch + (size_t)k] = v;
        }
    }
    a->frames = need;
    return LCC_OK;
}

static lcc_status audio_receive(AudioDec *const d, AVCodecContext *const dec, AVFrame *const frame,
                                AvLog *const cap)
{
    for (;;) {
        const int ret = avcodec_receive_frame(dec, frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return LCC_OK;
        if (ret < 0) {
            char why[400];
            return lcc_error(d->c, LCC_EBADMSG, "%s: audio decoding failed: %s", d->name,
                             av_reason(cap, ret, why, sizeof(why)));
        }
        const lcc_status err = audio_store(d, frame, dec);
        av_frame_unref(frame);
        if (err)
            return err;
    }
}

/* Decode every frame of audio stream idx. Float and lossy codecs give
 * 24-bit PCM (x * 2^23, rounded, clipped) like the libsndfile path;
 * integer codecs keep their depth. */
static lcc_status decode_audio(LccContext *const c, const char *const name, AvLog *const cap,
                               AVFormatContext *const fmt, const int idx, LccMedia *const out)
{
    const AVCodecParameters *const par = fmt->streams[idx]->codecpar;
    const AVCodec *const codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        return lcc_error(c, LCC_ENOTSUP, "%s: no decoder for audio codec %s in this build", name,
                         avcodec_get_name(par->codec_id));
    out->modality = LCC_MODALITY_AUDIO;
    AudioDec d = { .c = c, .name = name, .a = &out->audio };
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    lcc_status err = LCC_OK;
    char why[400];
    int ret;
    if (!dec || !pkt || !frame) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", name);
        goto done;
    }
    if ((ret = avcodec_parameters_to_context(dec, par)) < 0 || (ret = avcodec_open2(dec, codec, NULL)) < 0) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: cannot open the %s decoder: %s", name, codec->name,
                        av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    while ((ret = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == idx) {
            ret = avcodec_send_packet(dec, pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN))
                err = lcc_error(c, LCC_EBADMSG, "%s: damaged audio packet: %s", name,
                                av_reason(cap, ret, why, sizeof(why)));
            else
                err = audio_receive(&d, dec, frame, cap);
        }
        av_packet_unref(pkt);
        if (err)
            goto done;
    }
    if (ret != AVERROR_EOF) {
        err = lcc_error(c, LCC_EBADMSG, "%s: damaged container: %s", name, av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    if ((ret = avcodec_send_packet(dec, NULL)) < 0 && ret != AVERROR_EOF) {
        err = lcc_error(c, LCC_EBADMSG, "%s: audio decoding failed: %s", name, av_reason(cap, ret, why, sizeof(why)));
        goto done;
    }
    if ((err = audio_receive(&d, dec, frame, cap)))
        goto done;
    if (!out->audio.frames) {
        err = lcc_error(c, LCC_EBADMSG, "%s: no audio could be decoded", name);
    } else {
        int32_t *const p = realloc(out->audio.data, (size_t)(out->audio.frames * out->audio.channels) * sizeof(int32_t));
        if (p)
            out->audio.data = p;
    }
done:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return err;
}

lcc_status lcc_io_read_av(LccContext *const c, LccIoSrc *const s, LccMedia *const out, const int audio)
{
    AvLog cap;
    capture_begin(&cap);
    lcc_status err = LCC_OK;
    char why[400];
    AVFormatContext *fmt = avformat_alloc_context();
    uint8_t *const iobuf = av_malloc(32768);
    AVIOContext *pb = iobuf ? avio_alloc_context(iobuf, 32768, 0, s, avio_read_cb, NULL, avio_seek_cb) : NULL;
    if (!fmt || !pb) {
        if (!pb)
            av_free(iobuf);
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", s->name);
        goto done;
    }
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->io_open = deny_io_open;
    int ret = avformat_open_input(&fmt, "", NULL, NULL);
    /* A weak guess (score <= 25, libavformat's "retry" level) is what
     * arbitrary bytes get from the raw-stream probes: not a recognised file. */
    if (ret < 0 || fmt->probe_score <= AVPROBE_SCORE_RETRY) {
        err = LCC_EFORMAT; /* not something libavformat knows: let the caller go on */
        goto done;
    }
    if ((ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        err = lcc_error(c, LCC_EBADMSG, "%s: damaged %s file: %s", s->name, fmt->iformat->name,
                        av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
    int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (idx >= 0 && fmt->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC) {
        idx = -1;
        for (unsigned i = 0; i < fmt->nb_streams && idx < 0; i++)
            if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
                !(fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
                idx = (int)i;
    }
    if (idx >= 0 && image_demuxer(fmt->iformat)) {
        err = decode_image(c, s->name, &cap, fmt, idx, out);
    } else if (idx >= 0) {
        err = decode_stream(c, s->name, &cap, fmt, idx, out);
    } else if (audio && (idx = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0)) >= 0) {
        err = decode_audio(c, s->name, &cap, fmt, idx, out);
    } else {
        err = LCC_EFORMAT; /* no video: maybe audio for libsndfile */
    }
done:
    avformat_close_input(&fmt);
    if (pb) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
    }
    capture_end();
    return err;
}

/* ---- writing ---------------------------------------------------------------- */

static const char *const ffv1_exts[] = { "mkv", "nut", "avi" };
static const char *const lossy_exts[] = { "mp4", "mov", "webm" };

int lcc_io_av_ext(const char *const path)
{
    for (size_t i = 0; i < sizeof(ffv1_exts) / sizeof(ffv1_exts[0]); i++)
        if (lcc_has_ext(path, ffv1_exts[i]))
            return 1;
    for (size_t i = 0; i < sizeof(lossy_exts) / sizeof(lossy_exts[0]); i++)
        if (lcc_has_ext(path, lossy_exts[i]))
            return 1;
    return 0;
}

static enum AVPixelFormat planar_format(const LccChroma chroma, const uint32_t depth)
{
    static const enum AVPixelFormat t[4][6] = {
        { AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY9LE, AV_PIX_FMT_GRAY10LE, AV_PIX_FMT_GRAY12LE, AV_PIX_FMT_GRAY14LE,
          AV_PIX_FMT_GRAY16LE },
        { AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P9LE, AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P12LE,
          AV_PIX_FMT_YUV420P14LE, AV_PIX_FMT_YUV420P16LE },
        { AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV422P9LE, AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV422P12LE,
          AV_PIX_FMT_YUV422P14LE, AV_PIX_FMT_YUV422P16LE },
        { AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P9LE, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P12LE,
          AV_PIX_FMT_YUV444P14LE, AV_PIX_FMT_YUV444P16LE },
    };
    const int i = depth <= 8 ? 0 : depth == 9 ? 1 : depth == 10 ? 2 : depth <= 12 ? 3 : depth <= 14 ? 4 : 5;
    return t[chroma][i];
}

static int encoder_takes(const AVCodec *const codec, const enum AVPixelFormat pf)
{
    if (!codec->pix_fmts)
        return 1;
    for (const enum AVPixelFormat *p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
        if (*p == pf)
            return 1;
    return 0;
}

static lcc_status fill_frame(AVFrame *const fr, const LccVideo *const v, const uint16_t *const src)
{
    if (av_frame_make_writable(fr) < 0)
        return LCC_ENOMEM;
    uint32_t cw, ch;
    lcc_video_chroma_size(v, &cw, &ch);
    const int planes = v->chroma == LCC_CHROMA_400 ? 1 : 3;
    const uint16_t *p = src;
    for (int k = 0; k < planes; k++) {
        const uint32_t w = k ? cw : v->width, h = k ? ch : v->height;
        for (uint32_t y = 0; y < h; y++, p += w) {
            uint8_t *const row = fr->data[k] + (ptrdiff_t)y * fr->linesize[k];
            if (v->bit_depth <= 8)
                for (uint32_t x = 0; x < w; x++)
                    row[x] = (uint8_t)p[x];
            else
                for (uint32_t x = 0; x < w; x++)
                    lcc_wl16(row + 2 * x, p[x]);
        }
    }
    return LCC_OK;
}

/* Send frame (NULL = flush) and write what the encoder returns. */
static int encode_write(AVFormatContext *const oc, AVCodecContext *const enc, AVStream *const st,
                        const AVFrame *const frame, AVPacket *const pkt)
{
    int ret = avcodec_send_frame(enc, frame);
    if (ret < 0)
        return ret;
    for (;;) {
        ret = avcodec_receive_packet(enc, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return ret;
        av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
        pkt->stream_index = st->index;
        ret = av_interleaved_write_frame(oc, pkt);
        if (ret < 0)
            return ret;
    }
}

lcc_status lcc_io_write_av(LccContext *const c, const char *const path, const char *const tmp_path,
                           const LccVideo *const v)
{
    AvLog cap;
    capture_begin(&cap);
    lcc_status err = LCC_OK;
    char why[400];
    int ret = 0;
    AVFormatContext *oc = NULL;
    AVCodecContext *enc = NULL;
    AVFrame *fr = NULL;
    AVPacket *pkt = NULL;
    const AVOutputFormat *const ofmt = av_guess_format(NULL, path, NULL);
    if (!ofmt) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: this libavformat has no muxer for the extension", path);
        goto done;
    }
    int ffv1 = 0;
    for (size_t i = 0; i < sizeof(ffv1_exts) / sizeof(ffv1_exts[0]); i++)
        ffv1 |= lcc_has_ext(path, ffv1_exts[i]);
    const enum AVCodecID id = ffv1 ? AV_CODEC_ID_FFV1 : ofmt->video_codec;
    const AVCodec *const codec = avcodec_find_encoder(id);
    if (!codec) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: no %s encoder in this libavcodec (write .mkv for FFV1 or .y4m)", path,
                        avcodec_get_name(id));
        goto done;
    }
    const enum AVPixelFormat pf = planar_format(v->chroma, v->bit_depth);
    if (!encoder_takes(codec, pf)) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: the %s encoder does not take %s (write .mkv for FFV1 or .y4m)", path,
                        codec->name, av_get_pix_fmt_name(pf));
        goto done;
    }
    if ((ret = avformat_alloc_output_context2(&oc, ofmt, NULL, tmp_path)) < 0 || !oc) {
        err = lcc_error(c, LCC_ENOMEM, "%s: cannot set up the muxer: %s", path, av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
    AVStream *const st = avformat_new_stream(oc, NULL);
    fr = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!st || !fr || !pkt) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    const AVRational fps = v->fps_num && v->fps_den ? (AVRational){ (int)v->fps_num, (int)v->fps_den }
                                                    : (AVRational){ 25, 1 };
    if (fps.num <= 0 || fps.den <= 0) {
        err = lcc_error(c, LCC_EINVAL, "%s: frame rate %u/%u out of range", path, v->fps_num, v->fps_den);
        goto done;
    }
    /* FFV1 version 3 (slices, CRCs) where the size allows it, else 1. */
    for (int attempt = 0; attempt < (ffv1 ? 2 : 1); attempt++) {
        avcodec_free_context(&enc);
        if (!(enc = avcodec_alloc_context3(codec))) {
            err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        enc->width = (int)v->width;
        enc->height = (int)v->height;
        enc->pix_fmt = pf;
        enc->time_base = av_inv_q(fps);
        enc->framerate = fps;
        enc->thread_count = 1;
        if (ffv1) {
            enc->level = attempt ? 1 : 3;
            enc->gop_size = 1;
        } else {
            av_opt_set(enc->priv_data, "crf", "18", 0);
        }
        if (oc->oformat->flags & AVFMT_GLOBALHEADER)
            enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        cap.msg[0] = 0;
        if ((ret = avcodec_open2(enc, codec, NULL)) >= 0)
            break;
    }
    if (ret < 0) {
        err = lcc_error(c, LCC_ENOTSUP, "%s: cannot open the %s encoder: %s", path, codec->name,
                        av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
    if ((ret = avcodec_parameters_from_context(st->codecpar, enc)) < 0) {
        err = lcc_error(c, LCC_EINTERNAL, "%s: %s", path, av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
    st->time_base = enc->time_base;
    st->avg_frame_rate = fps;
    /* "file:" so that a ':' in the path is never taken for a protocol. */
    char *const url = av_asprintf("file:%s", tmp_path);
    ret = url ? avio_open(&oc->pb, url, AVIO_FLAG_WRITE) : AVERROR(ENOMEM);
    av_free(url);
    if (ret < 0) {
        err = lcc_error(c, LCC_EIO, "%s: cannot open the output: %s", path, av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
    if ((ret = avformat_write_header(oc, NULL)) < 0) {
        err = lcc_error(c, LCC_EIO, "%s: cannot write the header: %s", path, av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
    fr->format = pf;
    fr->width = enc->width;
    fr->height = enc->height;
    if (av_frame_get_buffer(fr, 0) < 0) {
        err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    const uint64_t fs = lcc_video_frame_samples(v);
    for (uint32_t n = 0; n < v->frames; n++) {
        if (fill_frame(fr, v, v->data + n * fs)) {
            err = lcc_error(c, LCC_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        fr->pts = n;
        if ((ret = encode_write(oc, enc, st, fr, pkt)) < 0) {
            err = lcc_error(c, LCC_EIO, "%s: encoding frame %u failed: %s", path, n,
                            av_reason(&cap, ret, why, sizeof(why)));
            goto done;
        }
    }
    if ((ret = encode_write(oc, enc, st, NULL, pkt)) < 0 || (ret = av_write_trailer(oc)) < 0) {
        err = lcc_error(c, LCC_EIO, "%s: finishing the file failed: %s", path, av_reason(&cap, ret, why, sizeof(why)));
        goto done;
    }
done:
    if (oc && oc->pb && (ret = avio_closep(&oc->pb)) < 0 && !err)
        err = lcc_error(c, LCC_EIO, "%s: write failed: %s", path, av_reason(&cap, ret, why, sizeof(why)));
    avformat_free_context(oc);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    avcodec_free_context(&enc);
    capture_end();
    return err;
}
