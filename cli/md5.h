/* MD5 for `lcc decode --md5`: the bit-exact tier of the conformance vectors. */
#ifndef LCC_CLI_MD5_H
#define LCC_CLI_MD5_H

#include <stddef.h>
#include <stdint.h>

#include "lcc/lcc.h"

typedef struct CliMd5 {
    uint32_t h[4];
    uint64_t len;
    uint8_t buf[64];
    size_t fill;
} CliMd5;

void cli_md5_init(CliMd5 *m);
void cli_md5_update(CliMd5 *m, const void *data, size_t n);
void cli_md5_final(CliMd5 *m, char hex[33]);
/* MD5 of the decoded samples in the byte layout of the stored profile
 * (conformance/SPEC.md §3.1): each sample little-endian in 1 or 2 bytes
 * (image, video) or ceil(bit_depth / 8) bytes, two's complement (audio). */
void cli_md5_media(const LccMedia *m, char hex[33]);

#endif /* LCC_CLI_MD5_H */
