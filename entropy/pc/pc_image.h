/* pc for natural images of any size: a circuit over a causal
 * neighbourhood of residuals (SPEC.md §3.7, "context models").
 *
 * Each plane is predicted with the median edge detector (MED) of LOCO-I;
 * in RGB images the planes are coded G, R, B and the R and B predictions
 * are corrected by G's prediction error at the same pixel. The residual
 * symbol is r = (x - pred + 128) mod 256. The circuit's variables for one
 * pixel are the residual symbols of:
 *   0 the pixel itself (the coded variable; the tree's root)
 *   1 W, 2 N, 3 NW, 4 NE, 5 WW, 6 NN (same plane; 128 outside the image)
 *   7 the G plane at the same pixel (R and B planes; 128 for G and gray)
 *   8 the plane kind: 0 gray or G, 1 R, 2 B
 * and the conditional of variable 0 given the others drives the coder. */
#ifndef LCC_ENTROPY_PC_IMAGE_H
#define LCC_ENTROPY_PC_IMAGE_H

#include <stdint.h>

#define PC_CTX_VARS 9

static inline int pc_med(const int a, const int b, const int c)
{
    const int mx = a > b ? a : b, mn = a < b ? a : b;
    return c >= mx ? mn : c <= mn ? mx : a + b - c;
}

/* MED prediction of pixel (x, y) of plane p (row stride w). */
static inline int pc_predict(const uint8_t *const p, const uint32_t w, const uint32_t x, const uint32_t y)
{
    const int W = x > 0 ? p[(size_t)y * w + x - 1] : y > 0 ? p[(size_t)(y - 1) * w + x] : 128;
    const int N = y > 0 ? p[(size_t)(y - 1) * w + x] : W;
    const int NW = x > 0 && y > 0 ? p[(size_t)(y - 1) * w + x - 1] : N;
    return pc_med(W, N, NW);
}

static inline int pc_clamp255(const int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* Context variables 1..8 of pixel (x, y): res is the residual plane being
 * coded (causal part valid), gres the G plane's residuals (NULL for G and
 * gray planes), kind the plane kind. */
static inline void pc_context(uint16_t *const v, const uint8_t *const res, const uint8_t *const gres,
                              const uint32_t w, const uint32_t x, const uint32_t y, const unsigned kind)
{
    const size_t i = (size_t)y * w + x;
    v[1] = x > 0 ? res[i - 1] : 128;
    v[2] = y > 0 ? res[i - w] : 128;
    v[3] = x > 0 && y > 0 ? res[i - w - 1] : 128;
    v[4] = y > 0 && x + 1 < w ? res[i - w + 1] : 128;
    v[5] = x > 1 ? res[i - 2] : 128;
    v[6] = y > 1 ? res[i - 2 * (size_t)w] : 128;
    v[7] = gres ? gres[i] : 128;
    v[8] = (uint16_t)kind;
}

#endif /* LCC_ENTROPY_PC_IMAGE_H */
