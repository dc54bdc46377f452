/* pc profile: train a small model on synthetic images, install it in a
 * temporary model directory, and check lossless round trips (IDX-like
 * batches and single images), identical streams with 1 and 2 threads,
 * the IDX byte-for-byte round trip, and clean errors on damaged streams and
 * missing models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoders/decoders.h"
#include "encoders/encoders.h"
#include "entropy/pc/pc.h"
#include "libcodec/io/idx.h"
#include "test.h"

#define W 7
#define H 5

static uint64_t seed;

/* Blobby 8-bit images: a bright disc at a random place on a dark ground,
 * noise on top. */
static void make_images(uint8_t *const x, const uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const int cx = (int)(test_rand(&seed) % W), cy = (int)(test_rand(&seed) % H);
        for (int y = 0; y < H; y++)
            for (int k = 0; k < W; k++) {
                const int d2 = (k - cx) * (k - cx) + (y - cy) * (y - cy);
                int v = d2 <= 2 ? 230 : d2 <= 5 ? 120 : 0;
                v += (int)(test_rand(&seed) % 9) - 4;
                x[(size_t)i * W * H + (size_t)y * W + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
    }
}

static int encode_decode(LccContext *const c, const LccMedia *const m, LccBuf *const out, LccMedia *const back)
{
    if (lcc_pc_encode(c, m, 0, out))
        return -1;
    LccContainer ct;
    if (lcc_container_parse(c, out->data, out->size, &ct))
        return -2;
    const lcc_status e = lcc_pc_decode(c, &ct, back);
    lcc_container_free(&ct);
    return e ? -3 : 0;
}

int main(void)
{
    seed = test_seed();
    char dir[] = "/tmp/lcc-pc-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);

    /* Train: Chow-Liu + a few EM steps. */
    const uint32_t ntrain = 600, D = W * H;
    uint8_t *const tr = malloc((size_t)ntrain * D);
    make_images(tr, ntrain);
    const PcData pd = { tr, ntrain, D };
    int32_t parent[W * H];
    CHECK(pc_chow_liu(&pd, 4, 0.1, parent) >= 0);
    PcTrain t;
    CHECK(pc_train_init(&t, &pd, parent, 256, 6, 3) == 0);
    t.width = W;
    t.height = H;
    uint32_t *const idx = malloc(ntrain * sizeof(*idx));
    for (uint32_t i = 0; i < ntrain; i++)
        idx[i] = i;
    for (int it = 0; it < 4; it++)
        CHECK(pc_train_em_step(&t, &pd, idx, ntrain, 0.7, 0.5, 4.0) < 0);
    uint8_t *file = NULL;
    size_t fsize = 0;
    CHECK(pc_train_export(&t, "pc-test", &file, &fsize) == 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/pc-test.lccw", dir);
    FILE *const f = fopen(path, "wb");
    CHECK(f && fwrite(file, 1, fsize, f) == fsize);
    if (f)
        fclose(f);

    LccSettings s;
    lcc_default_settings(&s);
    s.model_dir = dir;
    s.threads = 1;
    LccContext *c1 = NULL, *c2 = NULL;
    CHECK(lcc_open(&c1, &s) == 0);
    s.threads = 2;
    CHECK(lcc_open(&c2, &s) == 0);

    /* A batch of 600 test images (3 blocks of 256), as an IDX file would be. */
    const uint32_t n = 600;
    uint8_t *const te = malloc((size_t)n * D);
    make_images(te, n);
    LccBuf idxfile = { 0 };
    {
        uint8_t hdr[16] = { 0, 0, 8, 3, 0, 0, (uint8_t)(n >> 8), (uint8_t)n, 0, 0, 0, H, 0, 0, 0, W };
        lcc_buf_append(&idxfile, hdr, 16);
        lcc_buf_append(&idxfile, te, (size_t)n * D);
    }
    LccMedia m = { 0 };
    CHECK(lcc_idx_parse(c1, idxfile.data, idxfile.size, &m) == 0);
    CHECK(m.modality == LCC_MODALITY_VIDEO && m.video.frames == n && m.video.width == W);

    LccBuf o1 = { 0 }, o2 = { 0 };
    LccMedia b1 = { 0 }, b2 = { 0 };
    CHECK(encode_decode(c1, &m, &o1, &b1) == 0);
    CHECK(encode_decode(c2, &m, &o2, &b2) == 0);
    CHECK(lcc_media_equal(&m, &b1));
    CHECK(lcc_media_equal(&m, &b2));
    CHECK(o1.size == o2.size && !memcmp(o1.data, o2.data, o1.size));
    /* The coded size is close to the model's ideal code length. */
    {
        PcModel pm;
        CHECK(pc_model_parse(&pm, file, fsize, NULL, 0) == 0);
        PcEval *const e = pc_eval_new(&pm);
        uint16_t x[W * H];
        double bits = 0;
        for (uint32_t i = 0; i < n; i++) {
            for (uint32_t k = 0; k < D; k++)
                x[k] = te[(size_t)i * D + k];
            bits += pc_code_bits(e, x, 24);
        }
        const double bytes = bits / 8;
        CHECK_MSG(o1.size < bytes + 400 && o1.size > bytes, "stream %zu bytes, ideal %.0f", o1.size, bytes);
        printf("pc: %u images of %ux%u: %zu bytes (%.3f bits/dim), ideal %.0f bytes\n", n, W, H, o1.size,
               8.0 * o1.size / ((double)n * D), bytes);
        pc_eval_free(e);
        pc_model_free(&pm);
    }
    /* IDX back, byte for byte. */
    {
        LccBuf back = { 0 };
        CHECK(lcc_idx_serialize(c1, &b1, &back) == 0);
        CHECK(back.size == idxfile.size && !memcmp(back.data, idxfile.data, back.size));
        lcc_buf_free(&back);
    }
    /* A single gray image. */
    {
        LccMedia im = { 0 };
        im.modality = LCC_MODALITY_IMAGE;
        im.image.width = W;
        im.image.height = H;
        im.image.channels = 1;
        im.image.bit_depth = 8;
        CHECK(lcc_media_alloc(&im, NULL) == 0);
        for (uint32_t k = 0; k < D; k++)
            im.image.data[k] = te[k];
        LccBuf o = { 0 };
        LccMedia b = { 0 };
        CHECK(encode_decode(c1, &im, &o, &b) == 0);
        CHECK(lcc_media_equal(&im, &b));
        lcc_buf_free(&o);
        lcc_media_free(&b);
        lcc_media_free(&im);
    }
    /* Damaged payloads: flip bytes inside a PCRS chunk and fix its CRC, so
     * the rANS layer must notice; never a crash. */
    {
        LccContainer ct;
        CHECK(lcc_container_parse(c1, o1.data, o1.size, &ct) == 0);
        const LccChunk *const k = lcc_container_find(&ct, "PCRS");
        const size_t off = (size_t)(k->data - o1.data);
        const uint32_t ksize = k->size;
        lcc_container_free(&ct);
        int detected = 0, trials = 0;
        for (int r = 0; r < 20; r++) {
            uint8_t *const copy = malloc(o1.size);
            memcpy(copy, o1.data, o1.size);
            copy[off + test_rand(&seed) % ksize] ^= (uint8_t)(1 + test_rand(&seed) % 255);
            lcc_wl32(copy + off + ksize, lcc_crc32(lcc_crc32(0, copy + off - 8, 4), copy + off, ksize));
            LccContainer ct2;
            if (lcc_container_parse(c1, copy, o1.size, &ct2) == 0) {
                LccMedia bad = { 0 };
                trials++;
                const lcc_status e = lcc_pc_decode(c1, &ct2, &bad);
                if (e)
                    detected++;
                else
                    detected += !lcc_media_equal(&bad, &m) ? 0 : 1;   /* decoding to the same is fine too */
                lcc_media_free(&bad);
                lcc_container_free(&ct2);
            }
            lcc_clear_error(c1);
            free(copy);
        }
        printf("damaged PCRS: %d of %d detected (the rest decode to other images)\n", detected, trials);
        CHECK(trials > 0);
    }
    /* Missing model: a clear LCC_EMODEL naming the id. */
    {
        LccContainer ct;
        uint8_t *const copy = malloc(o1.size);
        memcpy(copy, o1.data, o1.size);
        CHECK(lcc_container_parse(c1, copy, o1.size, &ct) == 0);
        ct.header.model_id[0] ^= 0xff;
        LccMedia bad = { 0 };
        lcc_clear_error(c1);
        CHECK(lcc_pc_decode(c1, &ct, &bad) == LCC_EMODEL);
        CHECK(strstr(lcc_last_error(c1), "not installed") != NULL);
        lcc_container_free(&ct);
        free(copy);
    }
    /* A batch whose frame size no installed model has (batches have no
     * context-model fallback). */
    {
        LccMedia other = { 0 };
        other.modality = LCC_MODALITY_VIDEO;
        other.video.width = W + 1;
        other.video.height = H;
        other.video.frames = 2;
        other.video.chroma = LCC_CHROMA_400;
        other.video.bit_depth = 8;
        CHECK(lcc_media_alloc(&other, NULL) == 0);
        LccBuf o = { 0 };
        lcc_clear_error(c1);
        CHECK(lcc_pc_encode(c1, &other, 0, &o) == LCC_EMODEL);
        lcc_buf_free(&o);
        lcc_media_free(&other);
    }

    /* Natural images (any size, gray and RGB) go through the context models
     * shipped in models/ (found in the source tree): the default (scheme 3,
     * pc-photo3.lccw or pc-photo3-noisy.lccw), and each one named as
     * --model names it. */
    static const char *const ctx_models[5] = { NULL, "pc-photo3.lccw", "pc-photo3-noisy.lccw", "pc-photo2.lccw",
                                               "pc-photo.lccw" };
    static const unsigned ctx_scheme[5] = { 3, 3, 3, 2, 1 };
    for (int cm = 0; cm < 5; cm++)
    for (uint32_t nc = 1; nc <= 3; nc += 2) {
        c2->encode_model = ctx_models[cm];
        LccMedia im = { 0 };
        im.modality = LCC_MODALITY_IMAGE;
        im.image.width = 37;
        im.image.height = 23;
        im.image.channels = nc;
        im.image.bit_depth = 8;
        CHECK(lcc_media_alloc(&im, NULL) == 0);
        for (uint32_t y = 0; y < 23; y++)
            for (uint32_t x = 0; x < 37; x++)
                for (uint32_t k = 0; k < nc; k++) {
                    const int v = (int)(x * 5 + y * 3 + k * 40) + (int)(test_rand(&seed) % 7);
                    im.image.data[((size_t)y * 37 + x) * nc + k] = (uint16_t)(v & 255);
                }
        LccBuf o = { 0 };
        LccMedia b = { 0 };
        lcc_clear_error(c2);
        const int r = encode_decode(c2, &im, &o, &b);
        CHECK_MSG(r == 0, "context model round trip (%u channels): %s", nc, lcc_last_error(c2));
        if (!r) {
            CHECK(lcc_media_equal(&im, &b));
            CHECK_MSG(o.size < 37 * 23 * nc, "%zu bytes for %u raw", o.size, 37 * 23 * nc);
            LccContainer ct;
            CHECK(lcc_container_parse(c2, o.data, o.size, &ct) == 0);
            const LccChunk *const hd = lcc_container_find(&ct, "PCHD");
            CHECK(hd && hd->size == 8);
            const unsigned scheme = hd ? hd->data[2] : 0, version = hd ? hd->data[0] : 0;
            lcc_container_free(&ct);
            CHECK_MSG(scheme == ctx_scheme[cm] && version == ctx_scheme[cm], "model %s: scheme %u version %u",
                      ctx_models[cm] ? ctx_models[cm] : "(default)", scheme, version);
            printf("context model %s: 37x23x%u image in %zu bytes (scheme %u)\n",
                   ctx_models[cm] ? ctx_models[cm] : "(default)", nc, o.size, scheme);
        }
        c2->encode_model = NULL;
        lcc_buf_free(&o);
        lcc_media_free(&b);
        lcc_media_free(&im);
    }

    /* An image of more than 2 x 256 x 256 pixels: the central window picks
     * among the two scheme-3 models, then the whole image is coded with
     * the one picked, exactly as --model would code it. */
    {
        const uint32_t w = 400, h = 360;
        LccMedia im = { 0 };
        im.modality = LCC_MODALITY_IMAGE;
        im.image = (LccImage){ w, h, 1, 8, NULL };
        CHECK(lcc_media_alloc(&im, NULL) == 0);
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++)
                im.image.data[(size_t)y * w + x] =
                    (uint16_t)((x * 3 + y * 2 + (x / 40) * (y / 30) * 5 + test_rand(&seed) % 9) & 255);
        LccBuf o = { 0 };
        LccMedia b = { 0 };
        const int r = encode_decode(c2, &im, &o, &b);
        CHECK_MSG(r == 0, "windowed model choice: %s", lcc_last_error(c2));
        CHECK(r == 0 && lcc_media_equal(&im, &b));
        int same = 0;
        for (int k = 1; k <= 2 && r == 0; k++) {
            LccBuf on = { 0 };
            LccMedia bn = { 0 };
            c2->encode_model = ctx_models[k];
            if (encode_decode(c2, &im, &on, &bn) == 0 && on.size == o.size && !memcmp(on.data, o.data, o.size))
                same = k;
            c2->encode_model = NULL;
            lcc_buf_free(&on);
            lcc_media_free(&bn);
        }
        CHECK_MSG(same, "the windowed choice is not the stream of either scheme-3 model");
        printf("windowed choice: %ux%u gray image coded with %s in %zu bytes\n", w, h,
               same ? ctx_models[same] : "?", o.size);
        lcc_buf_free(&o);
        lcc_media_free(&b);
        lcc_media_free(&im);
    }

    lcc_buf_free(&o1);
    lcc_buf_free(&o2);
    lcc_buf_free(&idxfile);
    lcc_media_free(&b1);
    lcc_media_free(&b2);
    lcc_media_free(&m);
    lcc_close(&c1);
    lcc_close(&c2);
    unlink(path);
    rmdir(dir);
    free(file);
    free(te);
    free(tr);
    free(idx);
    pc_train_free(&t);
    return test_summary();
}
