/* pc determinism: a weight file built from integers only (no training, no
 * libm) and images from a fixed PRNG give a stream whose FNV-1a hash is
 * fixed here. Every build (default, -O0, sanitizers, LCC_CPU=c) and every
 * thread count must produce exactly these bytes and decode them back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoders/decoders.h"
#include "encoders/encoders.h"
#include "entropy/pc/pc.h"
#include "test.h"

#define GW 9
#define GH 6
#define GN 300
#define GS 8      /* latent states */

/* The stream hash of the reference build (it changes only if the pc stream
 * syntax or the container header layout changes). */
#define GOLDEN_HASH 0x4b24d5630eb88949ull

static uint64_t st = 0x853c49e6748fea9bull;

static uint32_t next(void)
{
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(st >> 33);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* A valid weight file: a random tree (parent of v drawn among 0..v-1),
 * random log-quantized rows (small q = large weight). */
static void build_weights(LccBuf *const b)
{
    const uint32_t D = GW * GH, S = 256, H = GS;
    uint8_t hdr[72] = { 0 };
    memcpy(hdr, "LCCPCW1\n", 8);
    lcc_wl32(hdr + 8, 1);
    lcc_wl32(hdr + 12, D);
    lcc_wl32(hdr + 16, S);
    lcc_wl32(hdr + 20, H);
    lcc_wl32(hdr + 24, 0);
    lcc_wl32(hdr + 28, GW);
    lcc_wl32(hdr + 32, GH);
    memcpy(hdr + 36, "golden", 6);
    lcc_buf_append(b, hdr, sizeof(hdr));
    lcc_buf_u32(b, UINT32_MAX);
    for (uint32_t v = 1; v < D; v++)
        lcc_buf_u32(b, next() % v);
    for (uint32_t i = 0; i < H + (D - 1) * H * H; i++)
        lcc_buf_u8(b, (uint8_t)(next() % 48));
    /* Leaves: each state prefers a band of values. */
    const size_t n = (size_t)D * H * S;
    uint8_t *const q = malloc(n);
    for (uint32_t v = 0; v < D; v++)
        for (uint32_t h = 0; h < H; h++) {
            const uint32_t centre = next() % 256;
            for (uint32_t s = 0; s < S; s++) {
                const uint32_t d = s > centre ? s - centre : centre - s;
                q[((size_t)v * H + h) * S + s] = (uint8_t)(d * 2 > 250 ? 250 : d * 2);
            }
        }
    const size_t at = b->size;
    lcc_buf_u32(b, 0);
    CHECK(pc_leaves_encode(b, q, n, S) == 0);
    lcc_wl32(b->data + at, (uint32_t)(b->size - at - 4));
    lcc_buf_u32(b, lcc_crc32(0, b->data, b->size));
    free(q);
}

int main(void)
{
    char dir[] = "/tmp/lcc-pc-golden-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    LccBuf w = { 0 };
    build_weights(&w);
    CHECK(!w.failed);
    PcModel pm;
    char err[128] = "";
    CHECK_MSG(pc_model_parse(&pm, w.data, w.size, err, sizeof(err)) == 0, "%s", err);
    pc_model_free(&pm);
    char path[256];
    snprintf(path, sizeof(path), "%s/pc-golden.lccw", dir);
    FILE *const f = fopen(path, "wb");
    CHECK(f && fwrite(w.data, 1, w.size, f) == w.size);
    if (f)
        fclose(f);

    /* Smooth random images: a random walk along each row. */
    LccMedia m = { 0 };
    m.modality = LCC_MODALITY_VIDEO;
    m.video.width = GW;
    m.video.height = GH;
    m.video.frames = GN;
    m.video.bit_depth = 8;
    m.video.chroma = LCC_CHROMA_400;
    CHECK(lcc_media_alloc(&m, NULL) == 0);
    for (uint32_t i = 0; i < GN * GH; i++) {
        int v = (int)(next() % 256);
        for (uint32_t x = 0; x < GW; x++) {
            v += (int)(next() % 21) - 10;
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            m.video.data[(size_t)i * GW + x] = (uint16_t)v;
        }
    }
    uint64_t hashes[2] = { 0, 0 };
    for (int threads = 1; threads <= 2; threads++) {
        LccSettings s;
        lcc_default_settings(&s);
        s.model_dir = dir;
        s.threads = threads;
        LccContext *c = NULL;
        CHECK(lcc_open(&c, &s) == 0);
        LccBuf o = { 0 };
        CHECK(lcc_pc_encode(c, &m, 0, &o) == 0);
        hashes[threads - 1] = fnv1a(o.data, o.size);
        LccContainer ct;
        LccMedia back = { 0 };
        CHECK(lcc_container_parse(c, o.data, o.size, &ct) == 0);
        CHECK(lcc_pc_decode(c, &ct, &back) == 0);
        CHECK(lcc_media_equal(&m, &back));
        printf("threads %d: %zu bytes, hash 0x%016llx\n", threads, o.size, (unsigned long long)hashes[threads - 1]);
        lcc_container_free(&ct);
        lcc_media_free(&back);
        lcc_buf_free(&o);
        lcc_close(&c);
    }
    CHECK(hashes[0] == hashes[1]);
    CHECK_MSG(hashes[0] == GOLDEN_HASH, "stream hash 0x%016llx differs from the reference 0x%016llx",
              (unsigned long long)hashes[0], (unsigned long long)GOLDEN_HASH);
    lcc_media_free(&m);
    lcc_buf_free(&w);
    unlink(path);
    rmdir(dir);
    return test_summary();
}
