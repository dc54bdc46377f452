/* MD5 (RFC 1321) of decoded samples, for `lcc decode --md5` (conformance). */
#include <string.h>

#include "cli/md5.h"

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const uint8_t R[4][4] = { { 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 } };

static uint32_t rotl(const uint32_t x, const int n)
{
    return x << n | x >> (32 - n);
}

static void block(CliMd5 *const m, const uint8_t *const p)
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];
    for (int i = 0; i < 64; i++) {
        const int round = i >> 4;
        uint32_t f;
        int g;
        switch (round) {
        case 0: f = (b & c) | (~b & d); g = i; break;
        case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15; break;
        case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15; break;
        default: f = c ^ (b | ~d); g = (7 * i) & 15; break;
        }
        const uint32_t t = d;
        d = c;
        c = b;
        b = b + rotl(a + f + K[i] + w[g], R[round][i & 3]);
        a = t;
    }
    m->h[0] += a;
    m->h[1] += b;
    m->h[2] += c;
    m->h[3] += d;
}

void cli_md5_init(CliMd5 *const m)
{
    m->h[0] = 0x67452301;
    m->h[1] = 0xefcdab89;
    m->h[2] = 0x98badcfe;
    m->h[3] = 0x10325476;
    m->len = 0;
    m->fill = 0;
}

void cli_md5_update(CliMd5 *const m, const void *const data, size_t n)
{
    const uint8_t *p = data;
    m->len += n;
    while (n) {
        size_t k = 64 - m->fill;
        if (k > n)
            k = n;
        memcpy(m->buf + m->fill, p, k);
        m->fill += k;
        p += k;
        n -= k;
        if (m->fill == 64) {
            block(m, m->buf);
            m->fill = 0;
        }
    }
}

void cli_md5_final(CliMd5 *const m, char hex[33])
{
    const uint64_t bits = m->len * 8;
    static const uint8_t pad[64] = { 0x80 };
    cli_md5_update(m, pad, m->fill < 56 ? 56 - m->fill : 120 - m->fill);
    uint8_t l[8];
    for (int i = 0; i < 8; i++)
        l[i] = (uint8_t)(bits >> (8 * i));
    cli_md5_update(m, l, 8);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        const uint8_t b = (uint8_t)(m->h[i >> 2] >> (8 * (i & 3)));
        hex[2 * i] = digits[b >> 4];
        hex[2 * i + 1] = digits[b & 15];
    }
    hex[32] = 0;
}

void cli_md5_media(const LccMedia *const m, char hex[33])
{
    CliMd5 md;
    cli_md5_init(&md);
    const uint64_t n = lcc_media_samples(m);
    uint8_t buf[4096];
    size_t fill = 0;
    unsigned bytes;
    switch (m->modality) {
    case LCC_MODALITY_IMAGE: bytes = m->image.bit_depth > 8 ? 2 : 1; break;
    case LCC_MODALITY_VIDEO: bytes = m->video.bit_depth > 8 ? 2 : 1; break;
    default: bytes = (m->audio.bit_depth + 7) / 8; break;
    }
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v;
        if (m->modality == LCC_MODALITY_IMAGE)
            v = m->image.data[i];
        else if (m->modality == LCC_MODALITY_VIDEO)
            v = m->video.data[i];
        else
            v = (uint32_t)m->audio.data[i];
        for (unsigned k = 0; k < bytes; k++)
            buf[fill++] = (uint8_t)(v >> (8 * k));
        if (fill > sizeof(buf) - 4) {
            cli_md5_update(&md, buf, fill);
            fill = 0;
        }
    }
    cli_md5_update(&md, buf, fill);
    cli_md5_final(&md, hex);
}
