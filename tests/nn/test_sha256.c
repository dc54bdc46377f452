/* SHA-256 against the FIPS 180-2 / NIST example vectors, and streaming in
 * every split of the input. */
#include <string.h>

#include "libcodec/sha256.h"
#include "tests/test.h"

static int digest_is(const void *data, const size_t n, const char *const hex)
{
    uint8_t d[32];
    char h[65];
    lcc_sha256(data, n, d);
    lcc_sha256_hex(d, h);
    if (strcmp(h, hex))
        fprintf(stderr, "got %s\nwant %s\n", h, hex);
    return !strcmp(h, hex);
}

int main(void)
{
    CHECK(digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(digest_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *const two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(digest_is(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    const char *const four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK(digest_is(four, strlen(four), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
    /* one million 'a' */
    static char mil[1000000];
    memset(mil, 'a', sizeof(mil));
    CHECK(digest_is(mil, sizeof(mil), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    /* streaming: every split point of the 112-byte message gives the same digest */
    uint8_t ref[32];
    lcc_sha256(four, strlen(four), ref);
    int same = 1;
    for (size_t cut = 0; cut <= strlen(four); cut++) {
        LccSha256 s;
        uint8_t d[32];
        lcc_sha256_init(&s);
        lcc_sha256_update(&s, four, cut);
        lcc_sha256_update(&s, four + cut, strlen(four) - cut);
        lcc_sha256_final(&s, d);
        same &= !memcmp(d, ref, 32);
    }
    CHECK(same);
    return test_summary();
}
