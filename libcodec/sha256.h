/* SHA-256 (FIPS 180-4). */
#ifndef LCC_SHA256_H
#define LCC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct LccSha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes so far */
    uint8_t buf[64];
    unsigned fill;
} LccSha256;

void lcc_sha256_init(LccSha256 *s);
void lcc_sha256_update(LccSha256 *s, const void *data, size_t n);
void lcc_sha256_final(LccSha256 *s, uint8_t out[32]);
/* One shot. */
void lcc_sha256(const void *data, size_t n, uint8_t out[32]);
/* 64 lowercase hex digits and a NUL. */
void lcc_sha256_hex(const uint8_t digest[32], char out[65]);

#endif /* LCC_SHA256_H */
