/* End-to-end tests of the `lcc` tool: stored round trips of the bundled
 * samples (bit-exact), exit codes and one-line reasons for damaged input,
 * and the no-partial-output / never-overwrite-the-input rules.
 * Usage: test_cli LCC_BINARY SAMPLES_DIR WORK_DIR */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "libcodec/container.h"
#include "test.h"

static const char *lcc, *samples, *work;

/* Run lcc with the formatted arguments; stdout/stderr go to work/out.txt and
 * work/err.txt. Returns the exit code. */
static int run(const char *const fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "%s %s >%s/out.txt 2>%s/err.txt", lcc, args, work, work);
    const int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Number of lines in work/err.txt, and whether it holds text. */
static int err_lines(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/err.txt", work);
    FILE *const f = fopen(path, "r");
    int n = 0, ch;
    while (f && (ch = fgetc(f)) != EOF)
        n += ch == '\n';
    if (f)
        fclose(f);
    return n;
}

static int out_contains(const char *const s)
{
    char path[1024], buf[8192] = { 0 };
    snprintf(path, sizeof(path), "%s/out.txt", work);
    FILE *const f = fopen(path, "r");
    if (!f)
        return 0;
    const size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    return strstr(buf, s) != NULL;
}

static int exists(const char *const path)
{
    struct stat st;
    return !stat(path, &st);
}

static void roundtrip(const char *const name, const char *const out_ext)
{
    char in[1024], enc[1024], dec[1024];
    snprintf(in, sizeof(in), "%s/%s", samples, name);
    snprintf(enc, sizeof(enc), "%s/%s.lcc", work, name);
    snprintf(dec, sizeof(dec), "%s/%s.out.%s", work, name, out_ext);
    int rc = run("encode %s -o %s --profile stored --quiet", in, enc);
    CHECK_MSG(rc == 0, "%s: encode exit %d", name, rc);
    rc = run("decode %s -o %s --quiet", enc, dec);
    CHECK_MSG(rc == 0, "%s: decode exit %d", name, rc);
    /* Bit-exact: the decoded file holds the same media as the input. */
    LccMedia a = { 0 }, b = { 0 };
    const lcc_status ea = lcc_media_read(NULL, in, &a), eb = lcc_media_read(NULL, dec, &b);
    CHECK_MSG(!ea && !eb, "%s: reading back (%d, %d)", name, ea, eb);
    CHECK_MSG(!ea && !eb && lcc_media_equal(&a, &b), "%s: round trip is not bit-exact", name);
    lcc_media_free(&a);
    lcc_media_free(&b);
    rc = run("compare %s %s --json", in, dec);
    CHECK_MSG(rc == 0 && out_contains("\"identical\": true"), "%s: compare exit %d or not identical", name, rc);
    rc = run("info %s --json", enc);
    CHECK_MSG(rc == 0 && out_contains("\"profile\": \"stored\""), "%s: info exit %d", name, rc);
}

static void write_bytes(const char *const path, const uint8_t *const p, const size_t n)
{
    FILE *const f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

static void expect_bad(const char *const path, const int code, const char *const what)
{
    char dec[1024];
    snprintf(dec, sizeof(dec), "%s/bad.png", work);
    remove(dec);
    const int rc = run("decode %s -o %s", path, dec);
    CHECK_MSG(rc == code, "%s: decode exit %d, expected %d", what, rc, code);
    CHECK_MSG(err_lines() == 1, "%s: expected a one-line reason, got %d lines", what, err_lines());
    CHECK_MSG(!exists(dec), "%s: a failed decode left an output file", what);
    CHECK_MSG(run("info %s", path) == code, "%s: info exit code", what);
}

/* Encode the sample image at quality 4 with model gB.lccw of the work
 * folder and decode it: the stream's size and the pixels. */
static void code_with_model(const int b, long *const bytes, LccMedia *const out)
{
    char path[1100];
    CHECK(run("--model-dir %s encode %s/image.png -q 4 --model g%d.lccw -o %s/g%d.lcc --quiet", work, samples, b, work,
              b) == 0);
    CHECK(run("--model-dir %s decode %s/g%d.lcc -o %s/g%d.png --quiet", work, work, b, work, b) == 0);
    struct stat st;
    snprintf(path, sizeof(path), "%s/g%d.lcc", work, b);
    *bytes = stat(path, &st) ? -1 : (long)st.st_size;
    snprintf(path, sizeof(path), "%s/g%d.png", work, b);
    CHECK(!lcc_media_read(NULL, path, out));
}

/* lcc train image --blocks and --analysis with --init-from: the model with
 * a deeper synthesis network and a nonlinear analysis starts as the model
 * it grew from (its new blocks are the identity, the analysis network's
 * output 0), so after a step at a negligible learning rate both models
 * code an image to streams of the same size that decode to the same
 * pixels. */
static void train_growth(void)
{
    char data[1024], src[1100], dst[1100];
    snprintf(data, sizeof(data), "%s/tdata", work);
    mkdir(data, 0777);
    snprintf(src, sizeof(src), "%s/photo.jpg", samples);
    snprintf(dst, sizeof(dst), "%s/photo.jpg", data);
    FILE *const f = fopen(src, "rb");
    uint8_t buf[1 << 16];
    const size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 0 && n < sizeof(buf));
    write_bytes(dst, buf, n);
    const char *const common = "--crop 16 --batch 2 --seed 3";
    CHECK(run("train image --data %s --checkpoint %s/g2.ckpt --steps 3 --every 3 %s", data, work, common) == 0);
    CHECK(run("train image --blocks 3 --analysis 8 --post 4 --init-from %s/g2.ckpt --data %s --checkpoint %s/g3.ckpt --steps 1 "
              "--lr 1e-30 --prior-lr 1e-30 --gain-lr 1e-30 %s", work, data, work, common) == 0 &&
          out_contains("new blocks of D start as the identity"));
    CHECK(run("train image --checkpoint %s/g2.ckpt --export %s/g2.lccw", work, work) == 0);
    CHECK(run("train image --blocks 3 --analysis 8 --post 4 --checkpoint %s/g3.ckpt --export %s/g3.lccw", work, work) == 0);
    /* a checkpoint of the other depth does not resume */
    CHECK(run("train image --checkpoint %s/g3.ckpt --export %s/g3b.lccw", work, work) != 0);
    LccMedia out[2] = { { 0 } };
    long bytes[2] = { 0 };
    for (int k = 0; k < 2; k++)
        code_with_model(2 + k, &bytes[k], &out[k]);
    CHECK_MSG(bytes[0] > 0 && bytes[0] == bytes[1], "stream sizes %ld and %ld", bytes[0], bytes[1]);
    CHECK_MSG(lcc_media_equal(&out[0], &out[1]), "the grown model does not start as its source");
    lcc_media_free(&out[0]);
    lcc_media_free(&out[1]);
    /* a wider post-filter from a trained one (g3 four steps on at a high
     * learning rate, so that its filter changes pixels) starts as it too */
    CHECK(run("train image --blocks 3 --analysis 8 --post 4 --resume --data %s --checkpoint %s/g3.ckpt --steps 5 --lr 3e-3 %s",
              data, work, common) == 0);
    CHECK(run("train image --blocks 3 --analysis 8 --post 4 --checkpoint %s/g3.ckpt --export %s/g3.lccw", work, work) == 0);
    CHECK(run("train image --blocks 3 --analysis 8 --post 8 --init-from %s/g3.ckpt --data %s --checkpoint %s/g4.ckpt "
              "--steps 1 --lr 1e-30 --prior-lr 1e-30 --gain-lr 1e-30 --hyper-lr 1e-30 %s", work, data, work, common) == 0 &&
          out_contains("new channels start without effect"));
    CHECK(run("train image --blocks 3 --analysis 8 --post 8 --checkpoint %s/g4.ckpt --export %s/g4.lccw", work, work) == 0);
    for (int k = 0; k < 2; k++)
        code_with_model(3 + k, &bytes[k], &out[k]);
    CHECK_MSG(bytes[0] > 0 && bytes[0] == bytes[1], "stream sizes %ld and %ld", bytes[0], bytes[1]);
    CHECK_MSG(lcc_media_equal(&out[0], &out[1]), "the widened post-filter does not start as its source");
    /* the speed benchmark finds a model in --model-dir */
    CHECK(run("--model-dir %s bench codec %s/image.png -q 2 --repeat 1 --model g2.lccw", work, samples) == 0);
    lcc_media_free(&out[0]);
    lcc_media_free(&out[1]);
}

static void robustness(void)
{
    /* A valid stream to damage. */
    char img[1024], enc[1024], bad[1024];
    snprintf(img, sizeof(img), "%s/image.png", samples);
    snprintf(enc, sizeof(enc), "%s/robust.lcc", work);
    snprintf(bad, sizeof(bad), "%s/damaged.lcc", work);
    CHECK(run("encode %s -o %s --quiet", img, enc) == 0);
    uint8_t *buf = NULL;
    size_t size = 0;
    CHECK(!lcc_read_file(NULL, enc, 1 << 28, &buf, &size));
    if (!buf)
        return;
    const size_t cuts[] = { 0, 7, 40, LCC_HEADER_SIZE, LCC_HEADER_SIZE + 5, size / 2, size - 1 };
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        write_bytes(bad, buf, cuts[i]);
        expect_bad(bad, 2, "truncated");
    }
    const size_t flips[] = { 3, 10, 30, 62, LCC_HEADER_SIZE + 2, LCC_HEADER_SIZE + 9, size / 2, size - 3 };
    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        buf[flips[i]] ^= 0x04;
        write_bytes(bad, buf, size);
        expect_bad(bad, 2, "bit-flipped");
        buf[flips[i]] ^= 0x04;
    }
    free(buf);
    /* Oversized dimensions, with valid CRCs. */
    LccHeader h = { .profile_id = LCC_PROFILE_STORED };
    h.geometry.modality = LCC_MODALITY_IMAGE;
    h.geometry.image = (LccImage){ 65535, 65535, 4, 16, NULL };
    LccBuf b = { 0 };
    lcc_container_begin(&b, &h);
    lcc_container_chunk(&b, "SAMP", "abcd", 4);
    lcc_container_end(&b);
    write_bytes(bad, b.data, b.size);
    expect_bad(bad, 2, "oversized");
    lcc_buf_free(&b);

    /* A failed decode leaves an existing destination untouched. */
    char keep[1024];
    snprintf(keep, sizeof(keep), "%s/keep.png", work);
    write_bytes(keep, (const uint8_t *)"precious", 8);
    CHECK(run("decode %s -o %s", bad, keep) == 2);
    uint8_t *k = NULL;
    size_t kn = 0;
    CHECK(!lcc_read_file(NULL, keep, 100, &k, &kn) && kn == 8 && !memcmp(k, "precious", 8));
    free(k);
    /* A pipe (or device: -o /dev/null) is written in place, not replaced
     * by a renamed file (as root, that replaced the device node). */
    char fifo[1100], copy[1100], cmd[8192];
    snprintf(fifo, sizeof(fifo), "%s/out.fifo", work);
    snprintf(copy, sizeof(copy), "%s/fifo-copy.lcc", work);
    remove(fifo);
    CHECK(!mkfifo(fifo, 0600));
    snprintf(cmd, sizeof(cmd), "timeout 30 cat %s > %s & %s encode %s -o %s --quiet; rc=$?; wait; exit $rc", fifo, copy,
             lcc, img, fifo);
    CHECK(system(cmd) == 0);
    struct stat st;
    CHECK(!stat(fifo, &st) && S_ISFIFO(st.st_mode));
    CHECK(run("decode %s -o %s/fifo-copy.png", copy, work) == 0);
    /* Never overwrite the input; usage errors; missing files. */
    CHECK(run("encode %s -o %s", img, img) == 1);
    CHECK(run("decode %s -o %s", enc, enc) == 1);
    CHECK(run("encode %s", img) == 1);
    CHECK(run("frobnicate") == 1);
    CHECK(run("encode %s -o %s -q 7 --profile stored", img, bad) == 1);
    CHECK(run("encode %s -o %s --profile nosuch", img, bad) == 1);
    CHECK(run("decode %s/does-not-exist.lcc -o %s", work, bad) == 3);
    CHECK(run("encode %s/does-not-exist.png -o %s", work, bad) == 3);
    CHECK(run("info %s", img) == 2);         /* not an .lcc file */
    CHECK(run("--version") == 0 && out_contains("lcc "));
    CHECK(run("profiles --json") == 0 && out_contains("\"name\": \"stored\""));
    CHECK(run("encode --help") == 0 && out_contains("Usage: lcc encode"));
    /* a model's own options (the --help after the model name) */
    CHECK(run("train --help") == 0 && out_contains("Usage: lcc train MODEL"));
    CHECK(run("train image --help") == 0 && out_contains("Usage: lcc train image") && out_contains("--slices"));
    CHECK(run("train pc -h") == 0 && out_contains("Usage: lcc train pc"));
    /* Latent export: .npy with the header NumPy expects; a stream without
     * a latent is refused. */
    char npy[1024], stored[1024];
    snprintf(npy, sizeof(npy), "%s/latent.npy", work);
    snprintf(stored, sizeof(stored), "%s/image.png.lcc", work);
    CHECK(run("latents %s -o %s -q 2", img, npy) == 0 && out_contains("64 x 32 x 32"));
    uint8_t *n = NULL;
    size_t nn = 0;
    CHECK(!lcc_read_file(NULL, npy, 1 << 24, &n, &nn) && nn == 128 + 4 * 64 * 32 * 32 && n &&
          !memcmp(n, "\x93NUMPY\x01\x00", 8) && strstr((const char *)n + 10, "'shape': (64, 32, 32)"));
    free(n);
    CHECK(run("latents %s -o %s", stored, npy) == 2);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s LCC SAMPLES_DIR WORK_DIR\n", argv[0]);
        return 1;
    }
    lcc = argv[1];
    samples = argv[2];
    work = argv[3];
    mkdir(work, 0777);
    roundtrip("image.png", "png");
    roundtrip("image16.png", "png");
    roundtrip("gray.png", "png");
    roundtrip("photo.jpg", "png");
    roundtrip("stereo.flac", "flac");
    roundtrip("mono.wav", "wav");
    roundtrip("clip.y4m", "y4m");
    roundtrip("clip.mp4", "mkv");
    robustness();
    train_growth();
    /* rate-distortion rounding is the default; --no-rdoq rounds to nearest
     * (another, larger stream that decodes too) */
    long rd_bytes[2] = { 0, 0 };
    for (int k = 0; k < 2; k++) {
        char enc[1100];
        snprintf(enc, sizeof(enc), "%s/rdoq%d.lcc", work, k);
        CHECK(run("encode %s/photo.jpg -q 5 -o %s --quiet%s", samples, enc, k ? " --no-rdoq" : "") == 0);
        CHECK(run("decode %s -o %s/rdoq%d.png --quiet", enc, work, k) == 0);
        struct stat st;
        rd_bytes[k] = stat(enc, &st) ? -1 : (long)st.st_size;
    }
    CHECK_MSG(rd_bytes[0] > 0 && rd_bytes[0] < rd_bytes[1], "rd rounding %ld bytes, --no-rdoq %ld", rd_bytes[0],
              rd_bytes[1]);
    /* the speed benchmark on a named model */
    CHECK(run("bench codec %s/image.png -q 2 --repeat 1 --model wavelet-ae-image.lccw --json", samples) == 0 &&
          out_contains("\"model\": \"wavelet-ae-image.lccw\""));
    CHECK(run("bench codec %s/image.png -q 2 --repeat 1 --model no-such-model.lccw", samples) != 0);
    return test_summary();
}
