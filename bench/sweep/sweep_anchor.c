/* Classical anchors, run as their reference command-line tools (fork/exec
 * through posix_spawnp, no shell, temporary files), with the settings of
 * DESIGN.md §8. The decoded output is read back with lcc_media_read and
 * scored with lcc_compare by the caller, exactly like lcc's own profiles. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/sweep/sweep.h"

extern char **environ;

typedef enum SrcKind {
    SRC_PNM,    /* binary PPM/PGM written from the decoded reference */
    SRC_PNG,    /* the original if it is a PNG, else written with lcc_media_write */
    SRC_ORIG,   /* the original file (ffmpeg reads it) */
} SrcKind;

#define MAX_ARGS 32

struct SweepAnchor {
    const char *name;
    LccModality modality;
    const char *programs[2];      /* needed in PATH */
    SrcKind src;
    const char *bits_ext;         /* coded file */
    const char *dec_ext;          /* decoded file */
    const char *enc[MAX_ARGS];    /* {in} {out} {q} */
    const char *dec[MAX_ARGS];    /* {out} {dec} {pixfmt} {pcm} {sr} {ch} */
    int qualities[16];            /* by increasing rate; nq of them */
    int nq;
    const char *settings;
    const char *version[4];       /* prints the tool's version */
};

static const SweepAnchor anchors[] = {
    { "jpeg", LCC_MODALITY_IMAGE, { "cjpeg", "djpeg" }, SRC_PNM, ".jpg", ".ppm",
      { "cjpeg", "-optimize", "-quality", "{q}", "-outfile", "{out}", "{in}" },
      { "djpeg", "-outfile", "{dec}", "{out}" },
      { 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95 }, 11,
      "libjpeg-turbo: cjpeg -optimize -quality Q (4:2:0, the default), djpeg to PPM",
      { "cjpeg", "-version" } },
    { "webp", LCC_MODALITY_IMAGE, { "cwebp", "dwebp" }, SRC_PNM, ".webp", ".ppm",
      { "cwebp", "-quiet", "-m", "6", "-q", "{q}", "{in}", "-o", "{out}" },
      { "dwebp", "-quiet", "{out}", "-ppm", "-o", "{dec}" },
      { 0, 5, 10, 20, 30, 50, 70, 80, 90, 95 }, 10,
      "libwebp: cwebp -m 6 -q Q, dwebp -ppm", { "cwebp", "-version" } },
    { "avif", LCC_MODALITY_IMAGE, { "avifenc", "avifdec" }, SRC_PNG, ".avif", ".png",
      { "avifenc", "-s", "6", "-j", "1", "--min", "{q}", "--max", "{q}", "{in}", "{out}" },
      { "avifdec", "-j", "1", "--png-compress", "0", "{out}", "{dec}" },
      { 56, 48, 40, 32, 26, 20, 14, 8 }, 8,
      "libavif + libaom: avifenc -s 6 -j 1 --min Q --max Q (Q = AV1 quantizer 0..63, lower is better; "
      "YUV 4:4:4 from PNG, the default), avifdec to PNG",
      { "avifenc", "--version" } },
    { "jxl", LCC_MODALITY_IMAGE, { "cjxl", "djxl" }, SRC_PNM, ".jxl", ".ppm",
      { "cjxl", "{in}", "{out}", "-e", "7", "-q", "{q}", "--num_threads=0" },
      { "djxl", "{out}", "{dec}", "--num_threads=1" },
      { 10, 20, 40, 60, 75, 85, 90, 95 }, 8,
      "libjxl: cjxl -e 7 -q Q --num_threads=0 (no worker threads; same bitstream), djxl --num_threads=1 to PPM", { "cjxl", "--version" } },
    { "x264", LCC_MODALITY_VIDEO, { "ffmpeg", NULL }, SRC_ORIG, ".264", ".y4m",
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{in}", "-an", "-c:v", "libx264", "-preset",
        "medium", "-tune", "psnr", "-crf", "{q}", "-f", "h264", "{out}" },
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{out}", "-pix_fmt", "{pixfmt}", "-strict", "-1",
        "-f", "yuv4mpegpipe", "{dec}" },
      { 40, 36, 32, 28, 24, 20 }, 6,
      "FFmpeg libx264: -preset medium -tune psnr -crf Q, raw H.264 stream; decoded by FFmpeg to Y4M",
      { "ffmpeg", "-version" } },
    { "x265", LCC_MODALITY_VIDEO, { "ffmpeg", NULL }, SRC_ORIG, ".265", ".y4m",
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{in}", "-an", "-c:v", "libx265", "-preset",
        "medium", "-tune", "psnr", "-crf", "{q}", "-x265-params", "log-level=error", "-f", "hevc", "{out}" },
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{out}", "-pix_fmt", "{pixfmt}", "-strict", "-1",
        "-f", "yuv4mpegpipe", "{dec}" },
      { 40, 36, 32, 28, 24, 20 }, 6,
      "FFmpeg libx265: -preset medium -tune psnr -crf Q, raw HEVC stream; decoded by FFmpeg to Y4M",
      { "ffmpeg", "-version" } },
    { "opus", LCC_MODALITY_AUDIO, { "ffmpeg", NULL }, SRC_ORIG, ".opus", ".wav",
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{in}", "-vn", "-c:a", "libopus", "-b:a", "{q}k",
        "{out}" },
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{out}", "-ar", "{sr}", "-ac", "{ch}", "-c:a",
        "{pcm}", "{dec}" },
      { 8, 12, 16, 24, 32, 48, 64, 96, 128 }, 9,
      "FFmpeg libopus: -b:a Q kbit/s (VBR, Ogg Opus file), decoded by FFmpeg at the source rate",
      { "ffmpeg", "-version" } },
    { "flac", LCC_MODALITY_AUDIO, { "ffmpeg", NULL }, SRC_ORIG, ".flac", ".wav",
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{in}", "-vn", "-c:a", "flac",
        "-compression_level", "{q}", "{out}" },
      { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", "{out}", "-c:a", "{pcm}", "{dec}" },
      { 8 }, 1,
      "FFmpeg FLAC encoder, -compression_level 8 (lossless: one point)", { "ffmpeg", "-version" } },
};

#define NUM_ANCHORS ((int)(sizeof(anchors) / sizeof(anchors[0])))

const SweepAnchor *sweep_anchor_find(const char *const name, const LccModality mod)
{
    for (int i = 0; i < NUM_ANCHORS; i++)
        if (anchors[i].modality == mod && !strcmp(anchors[i].name, name))
            return &anchors[i];
    return NULL;
}

const SweepAnchor *sweep_anchor_get(const LccModality mod, int i)
{
    for (int k = 0; k < NUM_ANCHORS; k++)
        if (anchors[k].modality == mod && i-- == 0)
            return &anchors[k];
    return NULL;
}

const char *sweep_anchor_name(const SweepAnchor *const a) { return a->name; }
const char *sweep_anchor_settings(const SweepAnchor *const a) { return a->settings; }

int sweep_anchor_default_qualities(const SweepAnchor *const a, int *const q, const int max)
{
    int n = 0;
    for (; n < a->nq && n < max; n++)
        q[n] = a->qualities[n];
    return n;
}

static int in_path(const char *const prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const size_t len = strcspn(path, ":");
        char full[4096];
        snprintf(full, sizeof(full), "%.*s/%s", (int)len, len ? path : ".", prog);
        struct stat st;
        if (!stat(full, &st) && S_ISREG(st.st_mode) && !access(full, X_OK))
            return 1;
        path += len;
        if (*path == ':')
            path++;
    }
    return 0;
}

int sweep_anchor_available(const SweepAnchor *const a, char *const why, const size_t whysize)
{
    for (int i = 0; i < 2; i++) {
        if (a->programs[i] && !in_path(a->programs[i])) {
            snprintf(why, whysize, "%s not found in PATH", a->programs[i]);
            return -1;
        }
    }
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The last non-empty line of a file (at most 4 KiB read from its end). */
static void last_line(const char *const path, char *const out, const size_t outsize)
{
    char buf[4096];
    out[0] = 0;
    FILE *const f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    buf[n] = 0;
    const char *s = buf + n;
    while (s > buf && s[-1] != '\n' && s[-1] != '\r')
        s--;
    if (!outsize)
        return;
    const size_t len = strlen(s) < outsize - 1 ? strlen(s) : outsize - 1;
    memcpy(out, s, len);
    out[len] = 0;
}

/* The first non-empty line of a file (at most 255 bytes of it). */
static void first_line(const char *const path, char *const out, const size_t outsize)
{
    char buf[256];
    out[0] = 0;
    FILE *const f = fopen(path, "rb");
    if (!f)
        return;
    while (fgets(buf, sizeof(buf), f)) {
        buf[strcspn(buf, "\r\n")] = 0;
        if (buf[0]) {
            const size_t len = strlen(buf) < outsize - 1 ? strlen(buf) : outsize - 1;
            memcpy(out, buf, len);
            out[len] = 0;
            break;
        }
    }
    fclose(f);
}

int sweep_spawn(char *const argv[], const char *const out_path, const char *const err_path, char *const why,
                const size_t whysize)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa)) {
        snprintf(why, whysize, "posix_spawn_file_actions_init failed");
        return -1;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    const int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e) {
        snprintf(why, whysize, "cannot run %s: %s", argv[0], strerror(e));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(why, whysize, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char line[200] = "";
    if (err_path)
        last_line(err_path, line, sizeof(line));
    if (WIFEXITED(status))
        snprintf(why, whysize, "%s exited with status %d%s%s", argv[0], WEXITSTATUS(status), line[0] ? ": " : "",
                 line);
    else
        snprintf(why, whysize, "%s killed by signal %d", argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

lcc_status sweep_write_pnm(LccContext *const c, const char *const path, const LccImage *const im)
{
    const int color = im->channels >= 3;
    const int wide = im->bit_depth > 8;
    const uint32_t out_ch = color ? 3 : 1;
    if (!im->data || !im->width || !im->height || im->width > (1u << 20) || im->height > (1u << 20) ||
        im->channels < 1 || im->channels > 4 || im->bit_depth < 1 || im->bit_depth > 16)
        return LCC_EINVAL;
    const uint64_t n = (uint64_t)im->width * im->height * out_ch * (wide ? 2u : 1u);
    if (n > ((uint64_t)1 << 34))
        return LCC_ERANGE;
    uint8_t *const buf = malloc((size_t)n);
    if (!buf)
        return LCC_ENOMEM;
    const uint64_t px = (uint64_t)im->width * im->height;
    const unsigned maxval = (1u << im->bit_depth) - 1;
    uint8_t *o = buf;
    for (uint64_t i = 0; i < px; i++) {
        const uint16_t *const s = im->data + i * im->channels;
        for (uint32_t k = 0; k < out_ch; k++) {
            const uint16_t v = s[k];
            if (wide) {
                *o++ = (uint8_t)(v >> 8);
                *o++ = (uint8_t)v;
            } else {
                *o++ = (uint8_t)v;
            }
        }
    }
    char head[64];
    const int hl = snprintf(head, sizeof(head), "P%c\n%u %u\n%u\n", color ? '6' : '5', im->width, im->height, maxval);
    FILE *const f = fopen(path, "wb");
    lcc_status err = LCC_OK;
    if (!f || fwrite(head, 1, (size_t)hl, f) != (size_t)hl || fwrite(buf, 1, (size_t)n, f) != (size_t)n)
        err = LCC_EIO;
    if (f && fclose(f))
        err = LCC_EIO;
    free(buf);
    (void)c;
    return err;
}

static const char *pix_fmt(const LccVideo *const v)
{
    static const char *const f8[] = { "gray", "yuv420p", "yuv422p", "yuv444p" };
    static const char *const f10[] = { "gray10le", "yuv420p10le", "yuv422p10le", "yuv444p10le" };
    static const char *const f12[] = { "gray12le", "yuv420p12le", "yuv422p12le", "yuv444p12le" };
    static const char *const f16[] = { "gray16le", "yuv420p16le", "yuv422p16le", "yuv444p16le" };
    const unsigned k = v->chroma <= LCC_CHROMA_444 ? (unsigned)v->chroma : 1;
    return v->bit_depth <= 8 ? f8[k] : v->bit_depth <= 10 ? f10[k] : v->bit_depth <= 12 ? f12[k] : f16[k];
}

/* Expand the {name} fields of template t into out. */
static void expand(const char *t, char *const out, const size_t outsize, const char *const *const keys,
                   const char *const *const vals, const int nkeys)
{
    size_t k = 0;
    while (*t && k + 1 < outsize) {
        int done = 0;
        if (*t == '{') {
            for (int i = 0; i < nkeys && !done; i++) {
                const size_t len = strlen(keys[i]);
                if (!strncmp(t, keys[i], len)) {
                    k += (size_t)snprintf(out + k, outsize - k, "%s", vals[i]);
                    if (k >= outsize)
                        k = outsize - 1;
                    t += len;
                    done = 1;
                }
            }
        }
        if (!done)
            out[k++] = *t++;
    }
    out[k] = 0;
}

static lcc_status run_step(const char *const *const tmpl, const char *const *const keys,
                           const char *const *const vals, const int nkeys, const char *const err_path,
                           double *const seconds, char *const why, const size_t whysize)
{
    char store[MAX_ARGS][1024];
    char *argv[MAX_ARGS + 1];
    int n = 0;
    for (; n < MAX_ARGS && tmpl[n]; n++) {
        expand(tmpl[n], store[n], sizeof(store[n]), keys, vals, nkeys);
        argv[n] = store[n];
    }
    argv[n] = NULL;
    const double t0 = now_s();
    const int r = sweep_spawn(argv, NULL, err_path, why, whysize);
    *seconds = now_s() - t0;
    return r ? LCC_EIO : LCC_OK;
}

lcc_status sweep_anchor_run(LccContext *const c, const SweepAnchor *const a, const int q, const char *const src,
                            const LccMedia *const ref, const char *const tmpdir, uint64_t *const bytes,
                            LccMedia *const dec, double *const enc_s, double *const dec_s, char *const why,
                            const size_t whysize)
{
    char in[4096], out[4096], decp[4096], errp[4096], qs[32], sr[32], ch[32];
    const char *pcm = "pcm_s16le", *pf = "yuv420p";
    snprintf(in, sizeof(in), "%s", src);
    snprintf(out, sizeof(out), "%s/coded%s", tmpdir, a->bits_ext);
    snprintf(decp, sizeof(decp), "%s/decoded%s", tmpdir, a->dec_ext);
    snprintf(errp, sizeof(errp), "%s/stderr.txt", tmpdir);
    snprintf(qs, sizeof(qs), "%d", q);
    *bytes = 0;
    *enc_s = *dec_s = 0;
    why[0] = 0;
    if (ref->modality != a->modality) {
        snprintf(why, whysize, "%s codes %s, not %s", a->name, lcc_modality_name(a->modality),
                 lcc_modality_name(ref->modality));
        return LCC_EINVAL;
    }
    if (a->src == SRC_PNM) {
        snprintf(in, sizeof(in), "%s/source.%s", tmpdir, ref->image.channels >= 3 ? "ppm" : "pgm");
        if (access(in, R_OK)) {
            const lcc_status err = sweep_write_pnm(c, in, &ref->image);
            if (err) {
                snprintf(why, whysize, "cannot write %s: %s", in, lcc_strerror(err));
                return err;
            }
        }
    } else if (a->src == SRC_PNG) {
        const size_t len = strlen(src);
        if (len < 4 || strcasecmp(src + len - 4, ".png")) {
            snprintf(in, sizeof(in), "%s/source.png", tmpdir);
            if (access(in, R_OK)) {
                const lcc_status err = lcc_media_write(c, in, ref);
                if (err) {
                    snprintf(why, whysize, "cannot write a PNG of the source: %s", lcc_last_error(c));
                    return err;
                }
            }
        }
    }
    if (ref->modality == LCC_MODALITY_AUDIO) {
        pcm = ref->audio.bit_depth <= 16 ? "pcm_s16le" : ref->audio.bit_depth <= 24 ? "pcm_s24le" : "pcm_s32le";
        snprintf(sr, sizeof(sr), "%u", ref->audio.sample_rate);
        snprintf(ch, sizeof(ch), "%u", ref->audio.channels);
    } else {
        snprintf(sr, sizeof(sr), "0");
        snprintf(ch, sizeof(ch), "0");
    }
    if (ref->modality == LCC_MODALITY_VIDEO)
        pf = pix_fmt(&ref->video);
    const char *const keys[] = { "{in}", "{out}", "{dec}", "{q}", "{pixfmt}", "{pcm}", "{sr}", "{ch}" };
    const char *const vals[] = { in, out, decp, qs, pf, pcm, sr, ch };
    unlink(out);
    unlink(decp);
    lcc_status err = run_step(a->enc, keys, vals, 8, errp, enc_s, why, whysize);
    struct stat st;
    if (!err && (stat(out, &st) || st.st_size <= 0)) {
        snprintf(why, whysize, "%s wrote no output", a->enc[0]);
        err = LCC_EIO;
    }
    if (err)
        return err;
    *bytes = (uint64_t)st.st_size;
    err = run_step(a->dec, keys, vals, 8, errp, dec_s, why, whysize);
    if (!err) {
        err = lcc_media_read(c, decp, dec);
        if (err)
            snprintf(why, whysize, "reading the decoded %s: %s", a->dec_ext, lcc_last_error(c));
    }
    unlink(out);
    unlink(decp);
    unlink(errp);
    return err;
}

void sweep_anchor_version(const SweepAnchor *const a, const char *const tmpdir, char *const out, const size_t outsize)
{
    char o[4200], e[4200], why[SWEEP_REASON], line[SWEEP_REASON] = "";
    char *argv[5] = { 0 };
    out[0] = 0;
    for (int i = 0; i < 4 && a->version[i]; i++)
        argv[i] = (char *)a->version[i];
    if (!argv[0])
        return;
    snprintf(o, sizeof(o), "%s/version-out.txt", tmpdir);
    snprintf(e, sizeof(e), "%s/version-err.txt", tmpdir);
    if (sweep_spawn(argv, o, e, why, sizeof(why)) >= 0) {
        first_line(o, line, sizeof(line));
        if (!line[0])
            first_line(e, line, sizeof(line));
    }
    unlink(o);
    unlink(e);
    snprintf(out, outsize, "%s", line);
}
