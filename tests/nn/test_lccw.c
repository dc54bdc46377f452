/* *.lccw weight files: round trip, model id, and clear errors for every
 * kind of mismatch or damage (missing/extra tensor, wrong shape, wrong
 * version, bad magic, truncation, bit flips). */
#include <string.h>
#include <unistd.h>

#include "libcodec/nn/nn.h"
#include "libcodec/sha256.h"
#include "tests/test.h"

static void build(LccNet *const net, const uint64_t seed, const int cout, const int extra)
{
    (void)!lcc_net_init(net, seed);
    lcc_seq_conv2d(net->root, 3, cout, 3, 3, 2, 1, 1);
    lcc_seq_gdn(net->root, cout, 0);
    lcc_seq_linear(net->root, cout * 4, 5);
    if (extra)
        lcc_seq_linear(net->root, 5, 2);
}

static lcc_status load(LccContext *const c, const uint8_t *d, const size_t n, LccNet *const net, const uint8_t *expect)
{
    lcc_clear_error(c);
    return lcc_lccw_decode(c, d, n, &net->params, expect, NULL);
}

/* Re-seal a modified file: header CRC and trailing sha256 (not the id). */
static void reseal(uint8_t *const d, const size_t n)
{
    uint8_t h[32];
    lcc_wl32(d + 44, lcc_crc32(0, d, 44));
    lcc_sha256(d, n - 32, h);
    memcpy(d + n - 32, h, 32);
}

int main(void)
{
    LccContext *c;
    if (lcc_open(&c, NULL))
        return 1;
    LccNet a, b;
    build(&a, 1, 4, 0);
    build(&b, 2, 4, 0);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/lcc-nn-%d.lccw", (int)getpid());
    uint8_t id[32], id2[32];
    CHECK(!lcc_lccw_write(c, path, &a.params, id));
    CHECK(!lcc_lccw_read(c, path, &b.params, id, id2));
    CHECK(!memcmp(id, id2, 32));
    int same = 1;
    for (int i = 0; i < a.params.n; i++)
        same &= !memcmp(a.params.p[i]->w, b.params.p[i]->w, a.params.p[i]->size * sizeof(float));
    CHECK(same);
    /* the id identifies the weights */
    b.params.p[0]->w[0] += 1.0f;
    LccBuf e2 = { 0 };
    CHECK(!lcc_lccw_encode(c, &b.params, &e2, id2));
    CHECK(memcmp(id, id2, 32) != 0);
    lcc_buf_free(&e2);

    LccBuf e = { 0 };
    CHECK(!lcc_lccw_encode(c, &a.params, &e, NULL));
    uint8_t *const d = malloc(e.size);
    const size_t n = e.size;
    memcpy(d, e.data, n);
    CHECK(load(c, d, n, &b, NULL) == LCC_OK);
    CHECK(load(c, d, n, &b, id2) == LCC_EMODEL);     /* wrong expected id */
    printf("%s\n", lcc_last_error(c));

    LccNet wide, more;
    build(&wide, 3, 6, 0);
    CHECK(load(c, d, n, &wide, NULL) == LCC_EMODEL);
    CHECK(strstr(lcc_last_error(c), "shape") != NULL);
    printf("%s\n", lcc_last_error(c));
    build(&more, 3, 4, 1);
    CHECK(load(c, d, n, &more, NULL) == LCC_EMODEL);
    CHECK(strstr(lcc_last_error(c), "missing tensor") != NULL);
    printf("%s\n", lcc_last_error(c));
    /* a file with more tensors than the model */
    LccBuf big = { 0 };
    CHECK(!lcc_lccw_encode(c, &more.params, &big, NULL));
    CHECK(load(c, big.data, big.size, &a, NULL) == LCC_EMODEL);
    CHECK(strstr(lcc_last_error(c), "unexpected tensor") != NULL);
    printf("%s\n", lcc_last_error(c));
    lcc_buf_free(&big);

    /* version */
    lcc_wl32(d + 4, 2);
    reseal(d, n);
    CHECK(load(c, d, n, &b, NULL) == LCC_EMODEL);
    CHECK(strstr(lcc_last_error(c), "version 2") != NULL);
    printf("%s\n", lcc_last_error(c));
    memcpy(d, e.data, n);
    d[0] = 'X';
    CHECK(load(c, d, n, &b, NULL) == LCC_EFORMAT);
    memcpy(d, e.data, n);
    /* every truncation and every single-bit flip (sampled) before the
     * trailer is refused; the trailer is not read back (the header CRC and
     * the model id check every byte before it), so a flip there loads */
    int all = 1;
    for (size_t k = 0; k < n; k++)
        all &= load(c, d, k, &b, NULL) != LCC_OK;
    CHECK(all);
    all = 1;
    for (size_t k = 0; k < n - 32; k += 7) {
        d[k] ^= (uint8_t)(1u << (k % 8));
        all &= load(c, d, n, &b, NULL) != LCC_OK;
        d[k] ^= (uint8_t)(1u << (k % 8));
    }
    CHECK(all);
    d[n - 1] ^= 1;
    CHECK(load(c, d, n, &b, NULL) == LCC_OK);
    d[n - 1] ^= 1;
    /* a resealed file with a bad record size is caught by the parser */
    memcpy(d, e.data, n);
    d[48] = 0xff;   /* first name length, low byte */
    lcc_sha256(d + 48, n - 48 - 32, d + 12);   /* a consistent model id too */
    reseal(d, n);
    CHECK(load(c, d, n, &b, NULL) == LCC_EBADMSG);
    printf("%s\n", lcc_last_error(c));
    CHECK(lcc_lccw_read(c, "/nonexistent/x.lccw", &b.params, NULL, NULL) != LCC_OK);

    free(d);
    lcc_buf_free(&e);
    unlink(path);
    lcc_net_free(&a);
    lcc_net_free(&b);
    lcc_net_free(&wide);
    lcc_net_free(&more);
    lcc_close(&c);
    return test_summary();
}
