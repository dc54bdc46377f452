/* lcc sweep on audio and video: a generated WAV through Opus (two rates)
 * and FLAC (lossless: one point, infinite SNR), a generated Y4M clip
 * through x264 (two CRFs), both next to the stored profile. Skips (77)
 * without ffmpeg or without media writing in this build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/sweep/sweep.h"
#include "test.h"

static SweepJson *load_json(const char *const out)
{
    char path[512], err[128];
    snprintf(path, sizeof(path), "%s/results.json", out);
    FILE *const f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *const buf = malloc(1 << 22);
    const size_t n = buf ? fread(buf, 1, (1 << 22) - 1, f) : 0;
    fclose(f);
    SweepJson *const j = buf ? sweep_json_parse(buf, n, err, sizeof(err)) : NULL;
    free(buf);
    return j;
}

static const SweepJson *curve(const SweepJson *const root, const char *const name)
{
    for (const SweepJson *e = sweep_json_get(root, "curves")->child; e; e = e->next) {
        const SweepJson *const n = sweep_json_get(e, "name");
        if (n && n->type == SJ_STRING && !strcmp(n->string, name))
            return sweep_json_get(e, "results");
    }
    return NULL;
}

/* The values of list key of results r: n of them into v. */
static int values(const SweepJson *const r, const char *const key, double *const v, const int max)
{
    const SweepJson *const a = sweep_json_get(r, key);
    int n = 0;
    for (const SweepJson *e = a ? a->child : NULL; e && n < max; e = e->next)
        v[n++] = e->type == SJ_NUMBER ? e->number : NAN;
    return a ? n : -1;
}

static int run_sweep(const char *const data, const char *const out, const char *const anchors, const char *const aq)
{
    SweepOptions o;
    memset(&o, 0, sizeof(o));
    o.data = data;
    o.outdir = out;
    o.profiles = "stored";
    o.anchors = anchors;
    o.anchor_q[0] = aq;
    o.num_anchor_q = 1;
    o.threads = 2;
    o.quiet = 1;
    return sweep_run(&o);
}

int main(void)
{
    char why[256], dir[256], path[512], out[512];
    const SweepAnchor *const opus = sweep_anchor_find("opus", LCC_MODALITY_AUDIO);
    if (!opus || sweep_anchor_available(opus, why, sizeof(why))) {
        printf("skip: %s\n", opus ? why : "no opus anchor");
        return 77;
    }
    snprintf(dir, sizeof(dir), "%s/lcc-sweep-av-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    uint64_t seed = test_seed();

    /* audio: 0.5 s, 48 kHz mono, 16 bit: two tones and a little noise */
    LccMedia a = { 0 };
    a.modality = LCC_MODALITY_AUDIO;
    a.audio.channels = 1;
    a.audio.sample_rate = 48000;
    a.audio.frames = 24000;
    a.audio.bit_depth = 16;
    CHECK(!lcc_media_alloc(&a, NULL));
    for (uint64_t i = 0; i < a.audio.frames; i++)
        a.audio.data[i] = (int32_t)(8000 * sin(2 * M_PI * 440 * (double)i / 48000) +
                                    3000 * sin(2 * M_PI * 1250 * (double)i / 48000) + (double)(test_rand(&seed) % 401) - 200);
    snprintf(path, sizeof(path), "%s/audio", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "%s/audio/tone.wav", dir);
    const lcc_status werr = lcc_media_write(NULL, path, &a);
    lcc_media_free(&a);
    if (werr == LCC_ENOTSUP) {
        printf("skip: lcc_media_write is not available in this build\n");
        return 77;
    }
    CHECK(!werr);
    snprintf(path, sizeof(path), "%s/audio", dir);
    snprintf(out, sizeof(out), "%s/aout", dir);
    CHECK(run_sweep(path, out, "opus,flac", "opus=16,64") == 0);
    SweepJson *root = load_json(out);
    CHECK(root && !strcmp(sweep_json_get(root, "modality")->string, "audio") &&
          !strcmp(sweep_json_get(root, "rate_unit")->string, "kbps"));
    const SweepJson *r = root ? curve(root, "opus") : NULL;
    double k[8], snr[8], sisdr[8];
    CHECK(r && values(r, "kbps", k, 8) == 2 && values(r, "snr", snr, 8) == 2 && values(r, "si-sdr", sisdr, 8) == 2);
    if (r) {
        printf("opus: %.1f kbps %.2f dB, %.1f kbps %.2f dB\n", k[0], snr[0], k[1], snr[1]);
        CHECK(k[0] > 8 && k[0] < k[1] && k[1] < 120);
        CHECK(snr[0] > 3 && snr[0] < snr[1] && isfinite(sisdr[1]));
    }
    r = root ? curve(root, "flac") : NULL;
    CHECK(r && values(r, "kbps", k, 8) == 1 && values(r, "snr", snr, 8) == 1 && isnan(snr[0]) /* inf -> null */);
    CHECK(r && k[0] > 100 && k[0] < 768);
    r = root ? curve(root, "stored") : NULL;
    CHECK(r && values(r, "kbps", k, 8) == 1 && k[0] > 768 && k[0] < 780);
    sweep_json_free(root);

    /* video: 64x48 4:2:0, 6 frames of a moving gradient */
    const SweepAnchor *const x264 = sweep_anchor_find("x264", LCC_MODALITY_VIDEO);
    LccMedia v = { 0 };
    v.modality = LCC_MODALITY_VIDEO;
    v.video.width = 64;
    v.video.height = 48;
    v.video.frames = 6;
    v.video.bit_depth = 8;
    v.video.chroma = LCC_CHROMA_420;
    v.video.fps_num = 25;
    v.video.fps_den = 1;
    CHECK(x264 && !sweep_anchor_available(x264, why, sizeof(why)));
    CHECK(!lcc_media_alloc(&v, NULL));
    const uint64_t fs = lcc_video_frame_samples(&v.video);
    for (uint32_t f = 0; f < v.video.frames; f++)
        for (uint64_t i = 0; i < fs; i++)
            v.video.data[f * fs + i] = (uint16_t)(i < 64 * 48 ? (i % 64) * 2 + f * 4 + (i / 64) + test_rand(&seed) % 9
                                                                : 100 + (i % 32) + test_rand(&seed) % 5);
    snprintf(path, sizeof(path), "%s/video", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "%s/video/clip.y4m", dir);
    CHECK(!lcc_media_write(NULL, path, &v));
    lcc_media_free(&v);
    snprintf(path, sizeof(path), "%s/video", dir);
    snprintf(out, sizeof(out), "%s/vout", dir);
    CHECK(run_sweep(path, out, "x264", "x264=38,22") == 0);
    root = load_json(out);
    CHECK(root && !strcmp(sweep_json_get(root, "modality")->string, "video"));
    r = root ? curve(root, "x264") : NULL;
    double b[8], p[8], py[8];
    CHECK(r && values(r, "bpp", b, 8) == 2 && values(r, "psnr-yuv", p, 8) == 2 && values(r, "psnr-y", py, 8) == 2);
    if (r) {
        printf("x264: %.3f bpp %.2f dB, %.3f bpp %.2f dB\n", b[0], p[0], b[1], p[1]);
        CHECK(b[0] > 0 && b[0] < b[1] && p[0] > 20 && p[0] < p[1]);
    }
    r = root ? curve(root, "stored") : NULL;
    CHECK(r && values(r, "bpp", b, 8) == 1 && b[0] > 12 && b[0] < 13); /* 4:2:0, 8 bit: 12 bits per pixel + header */
    sweep_json_free(root);

    char *rm[] = { "rm", "-rf", dir, NULL };
    sweep_spawn(rm, NULL, NULL, why, sizeof(why));
    return test_summary();
}
