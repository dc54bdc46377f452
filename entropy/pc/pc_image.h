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
#include <stdlib.h>

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

/* The prediction of schemes 1 and 2 for pixel (x, y) of plane kind (0: G;
 * 1, 2: R, B): MED, plus for R and B either G's error at the same pixel
 * (gerr, which the coder fills after each G pixel: pixel - prediction) or,
 * with diff (scheme 2), pc_predict_diff from the G plane g. */
static inline int pc_predict12(const uint8_t *const p, const uint8_t *const g, const int16_t *const gerr,
                               const uint32_t w, const uint32_t x, const uint32_t y, const int kind, const int diff)
{
    if (kind && diff)
        return pc_predict_diff(p, g, w, x, y);
    const int pred = pc_predict(p, w, x, y);
    return kind ? pc_clamp255(pred + gerr[(size_t)y * w + x]) : pred;
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

/* Context model 3 (stream scheme 3, SPEC.md §3.7): a blended prediction.
 * PC_BLEND_SUBS sub-predictors (10 for G and gray, 11 for R and B), each
 * in eighths of a level and clamped to [0, 2040], are averaged with
 * weights 2^40 / (e_k + 32)^2, where e_k is sub-predictor k's absolute
 * error (in eighths, capped at 2047) summed over the causal neighbours W,
 * N (twice each), NW, NE, WW and NN of the same plane. The predictors are
 * those of the plane's values (G and gray) or, for R and B, G(x, y) plus
 * those of the difference d = C - G; R and B add their own plane's MED,
 * and B five more from R: R(x, y) plus MED, W, N and (W + NE) / 2 of
 * B - R, and (R + G) / 2 plus half the MED of 2B - R - G.
 * Every step is integer: encoder and decoder keep the same error planes. */
#define PC_CTX3_VARS 14
#define PC_BLEND_SUBS 16

typedef struct PcBlend {
    uint32_t w, h;
    uint16_t *err;            /* [PC_BLEND_SUBS][3][w]: rows y, y - 1, y - 2 in a ring (row y at y % 3) */
    int sub[PC_BLEND_SUBS];   /* the sub-predictions of the current pixel */
    unsigned nsub;
    uint32_t energy;          /* weighted mean of the e_k of the current pixel */
    uint32_t spread;          /* weighted mean of |s_k - blend| (eighths) */
} PcBlend;

static inline int pc_blend_init(PcBlend *const b, const uint32_t w, const uint32_t h)
{
    b->w = w;
    b->h = h;
    b->nsub = 0;
    b->energy = 0;
    b->err = calloc((size_t)PC_BLEND_SUBS * 3 * w, sizeof(*b->err));
    return b->err ? 0 : -1;
}

static inline void pc_blend_free(PcBlend *const b)
{
    free(b->err);
    b->err = NULL;
}

static inline int pc_clamp2040(const int v)
{
    return v < 0 ? 0 : v > 2040 ? 2040 : v;
}

/* The blended prediction (0..255) of pixel (x, y) of plane p; g is the G
 * plane for R and B, NULL for G and gray; rp the R plane for B, NULL
 * otherwise. Fills b->sub, b->nsub, b->energy. */
static inline int pc_blend_predict(PcBlend *const b, const uint8_t *const p, const uint8_t *const g,
                                   const uint8_t *const rp, const uint32_t x, const uint32_t y)
{
    const uint32_t w = b->w;
    const size_t i = (size_t)y * w + x;
    /* Error rows of the ring: r0 = row y, r1 = row y - 1, r2 = row y - 2. */
    const size_t r0 = (size_t)(y % 3) * w, r1 = (size_t)((y + 2) % 3) * w, r2 = (size_t)((y + 1) % 3) * w;
#define PC_V(a) ((int)p[a] - (g ? (int)g[a] : 0))
    const int W = x > 0 ? PC_V(i - 1) : y > 0 ? PC_V(i - w) : g ? 0 : 128;
    const int N = y > 0 ? PC_V(i - w) : W;
    const int NW = x > 0 && y > 0 ? PC_V(i - w - 1) : N;
    const int NE = y > 0 && x + 1 < w ? PC_V(i - w + 1) : N;
    const int WW = x > 1 ? PC_V(i - 2) : W;
    const int NN = y > 1 ? PC_V(i - 2 * (size_t)w) : N;
#undef PC_V
    const int base = g ? 8 * g[i] : 0;
    int *const s = b->sub;
    unsigned k = 0;
    s[k++] = pc_clamp2040(base + 8 * pc_med(W, N, NW));
    s[k++] = pc_clamp2040(base + 8 * W);
    s[k++] = pc_clamp2040(base + 8 * N);
    s[k++] = pc_clamp2040(base + 8 * (W + N - NW));
    s[k++] = pc_clamp2040(base + 8 * (W + NE - N));
    s[k++] = pc_clamp2040(base + 4 * (W + NE));
    s[k++] = pc_clamp2040(base + 8 * N + 4 * (NE - NW));
    s[k++] = pc_clamp2040(base + 8 * (2 * W - WW));
    s[k++] = pc_clamp2040(base + 8 * (2 * N - NN));
    s[k++] = pc_clamp2040(base + 4 * (W + N));
    if (g)
        s[k++] = 8 * pc_predict(p, w, x, y);
    if (g && rp) {
#define PC_VR(a) ((int)p[a] - (int)rp[a])
        const int rW = x > 0 ? PC_VR(i - 1) : y > 0 ? PC_VR(i - w) : 0;
        const int rN = y > 0 ? PC_VR(i - w) : rW;
        const int rNW = x > 0 && y > 0 ? PC_VR(i - w - 1) : rN;
        const int rNE = y > 0 && x + 1 < w ? PC_VR(i - w + 1) : rN;
#undef PC_VR
        const int rb = 8 * rp[i];
        s[k++] = pc_clamp2040(rb + 8 * pc_med(rW, rN, rNW));
        s[k++] = pc_clamp2040(rb + 8 * rW);
        s[k++] = pc_clamp2040(rb + 8 * rN);
        s[k++] = pc_clamp2040(rb + 4 * (rW + rNE));
        s[k++] = pc_clamp2040(4 * (rp[i] + g[i]) + 4 * pc_med(rW + W, rN + N, rNW + NW));
    }
    b->nsub = k;
    uint64_t wk[PC_BLEND_SUBS], sw = 0, sws = 0, swe = 0;
    for (unsigned j = 0; j < k; j++) {
        const uint16_t *const e = b->err + (size_t)j * 3 * w;
        uint32_t ek = 0;
        if (x > 0)
            ek += 2u * e[r0 + x - 1];
        if (y > 0)
            ek += 2u * e[r1 + x];
        if (x > 0 && y > 0)
            ek += e[r1 + x - 1];
        if (y > 0 && x + 1 < w)
            ek += e[r1 + x + 1];
        if (x > 1)
            ek += e[r0 + x - 2];
        if (y > 1)
            ek += e[r2 + x];
        const uint64_t d = (uint64_t)ek + 32;   /* ek <= 8 * 2047: d^2 < 2^28 */
        wk[j] = ((uint64_t)1 << 40) / (d * d);   /* >= 2^12 */
        sw += wk[j];                             /* < 16 * 2^30 */
        sws += wk[j] * (uint64_t)s[j];           /* < 16 * 2^41 */
        swe += wk[j] * ek;
    }
    const uint64_t p8 = (sws + sw / 2) / sw;    /* the blend in eighths, 0..2040 */
    uint64_t swd = 0;
    for (unsigned j = 0; j < k; j++)
        swd += wk[j] * ((uint64_t)s[j] > p8 ? (uint64_t)s[j] - p8 : p8 - (uint64_t)s[j]);
    b->energy = (uint32_t)(swe / sw);
    b->spread = (uint32_t)(swd / sw);
    return (int)((p8 + 4) >> 3);
}

/* Record the coded value of pixel (x, y) after pc_blend_predict. */
static inline void pc_blend_update(PcBlend *const b, const uint32_t x, const uint32_t y, const int value)
{
    const size_t at = (size_t)(y % 3) * b->w + x;
    for (unsigned j = 0; j < b->nsub; j++) {
        const int e = b->sub[j] > 8 * value ? b->sub[j] - 8 * value : 8 * value - b->sub[j];
        b->err[(size_t)j * 3 * b->w + at] = (uint16_t)(e > 2047 ? 2047 : e);
    }
}

/* Context model 3: the variables of context model 2 with pred the blended
 * prediction, except
 *  10  min(255, energy / 16): the blend's expected error (4 x the mean
 *      absolute error in levels)
 *  12  clamp(128 + pred2 - pred, 0, 255), pred2 the scheme-2 prediction
 *      (MED of G and gray; G + MED of the differences for R and B)
 * plus
 *  13  min(255, spread): how much the sub-predictors disagree (eighths). */
static inline void pc_context3(uint16_t *const v, const uint8_t *const res, const uint8_t *const gres,
                               const uint8_t *const rres, const uint8_t *const p, const uint8_t *const g,
                               const uint32_t w, const uint32_t x, const uint32_t y, const unsigned kind,
                               const int pred, const uint32_t energy, const uint32_t spread)
{
    const int pred2 = g ? pc_predict_diff(p, g, w, x, y) : pc_predict(p, w, x, y);
    pc_context2(v, res, gres, rres, p, NULL, w, x, y, kind, pred);   /* X12 is set again below */
    v[13] = (uint16_t)(spread > 255 ? 255 : spread);
    v[10] = (uint16_t)(energy / 16 > 255 ? 255 : energy / 16);
    v[12] = (uint16_t)pc_clamp255(128 + pred2 - pred);
}

/* Scheme 3 mixes the circuit's CDF with an adaptive count model of the
 * plane: PC_MIX_CTX contexts (the bucket of X10, pc_mix_bucket), each 256
 * counts that start at 1 and grow by PC_MIX_INC per coded symbol; when a
 * context's total exceeds 2^16, its counts become (c + 1) >> 1. The mixed
 * CDF (pc_mix_cdf) weighs the two with wq / 16, wq in 0..16 chosen by the
 * encoder per plane. Prefix sums come from a Fenwick tree per context. */
#define PC_MIX_CTX 16
#define PC_MIX_INC 24
#define PC_MIX_MAXW 16

typedef struct PcAdapt {
    uint32_t f[PC_MIX_CTX][256];
    uint32_t fen[PC_MIX_CTX][257];   /* Fenwick tree of f (1-based) */
    uint32_t tot[PC_MIX_CTX];
} PcAdapt;

static inline void pc_adapt_rebuild(PcAdapt *const a, const unsigned c)
{
    uint32_t *const t = a->fen[c];
    t[0] = 0;
    for (unsigned k = 1; k <= 256; k++)
        t[k] = a->f[c][k - 1];
    for (unsigned k = 1; k <= 256; k++) {
        const unsigned up = k + (k & -k);
        if (up <= 256)
            t[up] += t[k];
    }
}

static inline void pc_adapt_reset(PcAdapt *const a)
{
    for (unsigned c = 0; c < PC_MIX_CTX; c++) {
        for (unsigned k = 0; k < 256; k++)
            a->f[c][k] = 1;
        a->tot[c] = 256;
        pc_adapt_rebuild(a, c);
    }
}

/* The sum of the counts of symbols 0..s-1 of context c (s in 0..256). */
static inline uint32_t pc_adapt_cum(const PcAdapt *const a, const unsigned c, unsigned s)
{
    uint32_t r = 0;
    for (; s; s &= s - 1)
        r += a->fen[c][s];
    return r;
}

static inline void pc_adapt_add(PcAdapt *const a, const unsigned c, const unsigned s)
{
    a->f[c][s] += PC_MIX_INC;
    a->tot[c] += PC_MIX_INC;
    if (a->tot[c] > 65536) {
        a->tot[c] = 0;
        for (unsigned k = 0; k < 256; k++) {
            a->f[c][k] = (a->f[c][k] + 1) >> 1;
            a->tot[c] += a->f[c][k];
        }
        pc_adapt_rebuild(a, c);
        return;
    }
    for (unsigned k = s + 1; k <= 256; k += k & -k)
        a->fen[c][k] += PC_MIX_INC;
}

/* The context of the count model: the bucket of X10 (0..15). */
static inline unsigned pc_mix_bucket(const unsigned x10)
{
    static const uint8_t th[PC_MIX_CTX - 1] = { 1, 2, 3, 5, 7, 10, 14, 20, 28, 40, 56, 80, 112, 160, 230 };
    unsigned b = 0;
    while (b < PC_MIX_CTX - 1 && x10 >= th[b])
        b++;
    return b;
}

/* The mixed CDF bound at precision 24: fpc = the circuit's F(s) (pc_cdf_at,
 * precision 24), cum and tot the count model's prefix sum and total:
 * F(s) = s + (M(s) * (2^24 - 256)) >> 28 with
 * M(s) = (16 - wq) * fpc + wq * floor(cum * 2^24 / tot). */
static inline uint32_t pc_mix_cdf(const uint32_t fpc, const uint32_t cum, const uint32_t tot, const unsigned wq,
                                  const unsigned s)
{
    const uint64_t fad = ((uint64_t)cum << 24) / tot;
    const uint64_t mx = (uint64_t)(PC_MIX_MAXW - wq) * fpc + (uint64_t)wq * fad;   /* <= 2^28 */
    return (uint32_t)(s + ((mx * ((1u << 24) - 256)) >> 28));
}

#endif /* LCC_ENTROPY_PC_IMAGE_H */
