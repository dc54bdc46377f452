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

/* The gradient-adjusted predictor (GAP) of CALIC in integers, for the
 * context variable X12 of context model 2. Neighbours as in pc_predict,
 * plus WW = p(x-2, y) (W if x < 2), NN = p(x, y-2) (N if y < 2),
 * NE = p(x+1, y-1) (N if y = 0 or x + 1 = w), NNE = p(x+1, y-2) (NE if
 * y < 2 or x + 1 = w). The value is kept in sixteenths so every step is exact. */
static inline int pc_gap(const uint8_t *const p, const uint32_t w, const uint32_t x, const uint32_t y)
{
    const size_t i = (size_t)y * w + x;
    const int W = x > 0 ? p[i - 1] : y > 0 ? p[i - w] : 128;
    const int N = y > 0 ? p[i - w] : W;
    const int NW = x > 0 && y > 0 ? p[i - w - 1] : N;
    const int NE = y > 0 && x + 1 < w ? p[i - w + 1] : N;
    const int WW = x > 1 ? p[i - 2] : W;
    const int NN = y > 1 ? p[i - 2 * (size_t)w] : N;
    const int NNE = y > 1 && x + 1 < w ? p[i - 2 * (size_t)w + 1] : NE;
#define PC_ABS(a) ((a) < 0 ? -(a) : (a))
    const int dh = PC_ABS(W - WW) + PC_ABS(N - NW) + PC_ABS(N - NE);
    const int dv = PC_ABS(W - NW) + PC_ABS(N - NN) + PC_ABS(NE - NNE);
#undef PC_ABS
    const int d = dv - dh;
    if (d > 80)
        return W;
    if (d < -80)
        return N;
    int t = 8 * (W + N) + 4 * (NE - NW);   /* 16 x ((W + N) / 2 + (NE - NW) / 4), a multiple of 4 */
    if (d > 32)
        t = (t + 16 * W) / 2;
    else if (d > 8)
        t = (3 * t + 16 * W) / 4;
    else if (d < -32)
        t = (t + 16 * N) / 2;
    else if (d < -8)
        t = (3 * t + 16 * N) / 4;
    /* t >= -1020: floor((t + 8) / 16) with a non-negative shift */
    return pc_clamp255(((t + 8 + 4096) >> 4) - 256);
}

/* Context model 2 predicts the R and B planes from G (already coded):
 * pred = clamp(G(x, y) + MED of the differences d = C - G at W, N, NW),
 * with pc_predict's edge rules applied to d (0 before the first pixel). */
static inline int pc_predict_diff(const uint8_t *const p, const uint8_t *const g, const uint32_t w, const uint32_t x,
                                  const uint32_t y)
{
    const size_t i = (size_t)y * w + x;
    const int W = x > 0 ? p[i - 1] - g[i - 1] : y > 0 ? p[i - w] - g[i - w] : 0;
    const int N = y > 0 ? p[i - w] - g[i - w] : W;
    const int NW = x > 0 && y > 0 ? p[i - w - 1] - g[i - w - 1] : N;
    return pc_clamp255(g[i] + pc_med(W, N, NW));
}

/* Context model 2 (stream scheme 2, SPEC.md §3.7): the variables of
 * context model 1 plus
 *   9  the R plane's residual symbol at the same pixel (B plane; 128 otherwise)
 *  10  local activity: min(255, |W - NW| + |N - NW| + |NE - N|) of the plane's
 *      pixel values (the neighbours as in pc_predict; NE = N at the right edge
 *      or on the first row)
 *  11  the prediction itself (0..255): intensity-dependent noise and clipping
 *  12  clamp(128 + alt - pred, 0, 255), alt a second prediction: GAP of the
 *      plane (G, gray), or clamp(G + GAP(C) - GAP(G)) for R and B; where the
 *      two predictors disagree, the circuit can shift the residual
 * p is the plane's pixels (causal part valid), g the G plane (NULL for G
 * and gray), rres the R plane's residuals (NULL unless kind is 2), pred the
 * pixel's final prediction. */
#define PC_CTX2_VARS 13

static inline void pc_context2(uint16_t *const v, const uint8_t *const res, const uint8_t *const gres,
                               const uint8_t *const rres, const uint8_t *const p, const uint8_t *const g,
                               const uint32_t w, const uint32_t x, const uint32_t y, const unsigned kind,
                               const int pred)
{
    pc_context(v, res, gres, w, x, y, kind);
    const size_t i = (size_t)y * w + x;
    v[9] = rres ? rres[i] : 128;
    const int W = x > 0 ? p[i - 1] : y > 0 ? p[i - w] : 128;
    const int N = y > 0 ? p[i - w] : W;
    const int NW = x > 0 && y > 0 ? p[i - w - 1] : N;
    const int NE = y > 0 && x + 1 < w ? p[i - w + 1] : N;
    const int a = (W > NW ? W - NW : NW - W) + (N > NW ? N - NW : NW - N) + (NE > N ? NE - N : N - NE);
    v[10] = (uint16_t)(a > 255 ? 255 : a);
    v[11] = (uint16_t)pred;
    const int alt = g ? pc_clamp255(g[i] + pc_gap(p, w, x, y) - pc_gap(g, w, x, y)) : pc_gap(p, w, x, y);
    v[12] = (uint16_t)pc_clamp255(128 + alt - pred);
}

#endif /* LCC_ENTROPY_PC_IMAGE_H */
