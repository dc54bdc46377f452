/* Tree drivers of the wavelet transforms, shared by the float and the
 * integer transforms. Included by wavelet.c with
 *   T        element type (float or int32_t)
 *   FN(x)    name suffixing macro
 *   FN(dline)(L, lo, nl, hi, nh, mode): one line, deinterleaved (nl + nh >= 2)
 *   FN(cols)(L, p, stride, w, h, mode): every column of the w x h region
 * Not compiled on its own. */

/* Copy src (w x h) into dst (pw x ph, pw >= w, ph >= h), filling the rest by
 * whole-sample symmetric extension (zero != 0: with zeros). */
static void FN(pad)(const T *src, int w, int h, T *dst, int pw, int ph, int zero)
{
    for (int y = 0; y < ph; y++) {
        T *d = dst + (size_t)y * pw;
        if (zero && y >= h) {
            memset(d, 0, (size_t)pw * sizeof(*d));
            continue;
        }
        const T *r = src + (size_t)sym_ext(y, h) * w;
        memcpy(d, r, (size_t)w * sizeof(*d));
        for (int x = w; x < pw; x++)
            d[x] = zero ? 0 : r[sym_ext(x, w)];
    }
}

/* The inverse of pad for the inverse transform (crop), or its transpose
 * for the forward adjoint (fold != 0: add every padded sample onto its
 * mirror source). */
static void FN(unpad)(const T *src, int pw, int ph, T *dst, int w, int h, int fold)
{
    for (int y = 0; y < h; y++)
        memcpy(dst + (size_t)y * w, src + (size_t)y * pw, (size_t)w * sizeof(*dst));
    if (!fold)
        return;
    for (int y = 0; y < ph; y++) {
        const T *r = src + (size_t)y * pw;
        T *d = dst + (size_t)sym_ext(y, h) * w;
        for (int x = y < h ? w : 0; x < pw; x++)
            d[sym_ext(x, w)] += r[x];
    }
}

/* Split one row of w samples (interleaved, not modified) into its
 * transformed low (ceil(w/2)) and high (floor(w/2)) halves at lo and hi. */
static void FN(row_split)(const Lift *L, const T *row, int w, T *lo, T *hi, int mode)
{
    const int wh = w >> 1;
    for (int x = 0; x < wh; x++) {
        lo[x] = row[2 * x];
        hi[x] = row[2 * x + 1];
    }
    if (w & 1)
        lo[wh] = row[w - 1];
    if (w > 1)
        FN(dline)(L, lo, w - wh, hi, wh, mode);
}

/* The inverse: halves lo and hi (not modified) -> interleaved row of w
 * samples; tmp holds w samples. */
static void FN(row_merge)(const Lift *L, const T *lo, const T *hi, int w, T *row, T *tmp, int mode)
{
    const int wh = w >> 1, wl = w - wh;
    T *const tl = tmp, *const th = tmp + wl;
    memcpy(tl, lo, (size_t)wl * sizeof(*tmp));
    memcpy(th, hi, (size_t)wh * sizeof(*tmp));
    if (w > 1)
        FN(dline)(L, tl, wl, th, wh, mode);
    for (int x = 0; x < wh; x++) {
        row[2 * x] = tl[x];
        row[2 * x + 1] = th[x];
    }
    if (w & 1)
        row[w - 1] = tl[wh];
}

/* One analysis level of the w x h region p (row stride ps, modified):
 * columns (2D), then rows, the bands going to bp[b] (row stride bs[b]),
 * b = 2 * bx + by (2D) or bx (1D). Low sizes ceil(n/2), high floor(n/2). */
static void FN(level_analysis)(const Lift *L, T *p, ptrdiff_t ps, int w, int h, int dims, T *const bp[4],
                               const ptrdiff_t bs[4], int mode)
{
    if (dims == 2)
        FN(cols)(L, p, ps, w, h, mode);
    for (int y = 0; y < h; y++) {
        const int by = dims == 2 ? y & 1 : 0, yy = dims == 2 ? y >> 1 : y;
        const int bl = dims == 2 ? by : 0, bh = dims == 2 ? 2 + by : 1;
        FN(row_split)(L, p + y * ps, w, bp[bl] + yy * bs[bl], bp[bh] + yy * bs[bh], mode);
    }
}

/* The inverse (or transpose) of level_analysis: bands -> region p. */
static void FN(level_synthesis)(const Lift *L, const T *const bp[4], const ptrdiff_t bs[4], T *p, ptrdiff_t ps,
                                int w, int h, int dims, T *tmp, int mode)
{
    for (int y = 0; y < h; y++) {
        const int by = dims == 2 ? y & 1 : 0, yy = dims == 2 ? y >> 1 : y;
        const int bl = dims == 2 ? by : 0, bh = dims == 2 ? 2 + by : 1;
        FN(row_merge)(L, bp[bl] + yy * bs[bl], bp[bh] + yy * bs[bh], w, p + y * ps, tmp, mode);
    }
    if (dims == 2)
        FN(cols)(L, p, ps, w, h, mode);
}

/* Signal -> coefficients: mode OP_FWD (the transform) or OP_INV_T (the
 * transpose of the inverse). */
static void FN(analysis)(const Lift *L, const WaveletSpec *s, const T *x, T *X, T *ws, int mode)
{
    const int dims = s->dims, J = s->levels, w = s->width, h = s->height, nb = dims == 2 ? 4 : 2;
    const size_t sig = (size_t)w * h;
    if (s->tree == WAVELET_TREE_DYADIC) {
        for (int c = 0; c < s->channels; c++) {
            T *p = X + c * sig;
            memcpy(p, x + c * sig, sig * sizeof(*p));
            int rw = w, rh = h;
            for (int j = 0; j < J; j++) {
                const int wl = (rw + 1) >> 1, hl = dims == 2 ? (rh + 1) >> 1 : rh;
                T *const bp[4] = { ws, dims == 2 ? ws + (size_t)hl * w : ws + wl, ws + (dims == 2 ? wl : 0),
                                   ws + (dims == 2 ? (size_t)hl * w + wl : 0) };
                const ptrdiff_t bs[4] = { w, w, w, w };
                FN(level_analysis)(L, p, w, rw, rh, dims, bp, bs, mode);
                for (int y = 0; y < rh; y++)
                    memcpy(p + (size_t)y * w, ws + (size_t)y * w, (size_t)rw * sizeof(*p));
                rw = wl;
                rh = hl;
            }
        }
        return;
    }
    const int mw = wavelet_band_size(w, J), mh = dims == 2 ? wavelet_band_size(h, J) : 1;
    const int pw = mw << J, ph = dims == 2 ? mh << J : 1;
    const size_t plane = (size_t)pw * ph;
    T *const A = ws, *const B = ws + plane;
    for (int c = 0; c < s->channels; c++) {
        T *const Xc = X + c * plane;   /* nb^J bands of mw x mh = one padded plane */
        T *cur = J ? A : Xc;
        FN(pad)(x + c * sig, w, h, cur, pw, ph, mode == OP_INV_T);
        int cw = pw, ch = ph;
        size_t np = 1;
        for (int j = 0; j < J; j++) {
            T *const dst = j == J - 1 ? Xc : cur == A ? B : A;
            const int bw = cw >> 1, bh = dims == 2 ? ch >> 1 : 1;
            const size_t bsz = (size_t)bw * bh;
            for (size_t k = 0; k < np; k++) {
                T *const d = dst + k * nb * bsz;
                T *const bp[4] = { d, d + bsz, d + (nb > 2 ? 2 : 0) * bsz, d + (nb > 2 ? 3 : 0) * bsz };
                const ptrdiff_t bs[4] = { bw, bw, bw, bw };
                FN(level_analysis)(L, cur + k * cw * ch, cw, cw, ch, dims, bp, bs, mode);
            }
            cur = dst;
            cw = bw;
            ch = bh;
            np *= nb;
        }
    }
}

/* Coefficients -> signal: mode OP_INV (the inverse) or OP_FWD_T (the
 * transpose of the forward transform). */
static void FN(synthesis)(const Lift *L, const WaveletSpec *s, const T *X, T *x, T *ws, int mode)
{
    const int dims = s->dims, J = s->levels, w = s->width, h = s->height, nb = dims == 2 ? 4 : 2;
    const size_t sig = (size_t)w * h;
    if (s->tree == WAVELET_TREE_DYADIC) {
        int sw[WAVELET_MAX_LEVELS + 1], sh[WAVELET_MAX_LEVELS + 1];
        sw[0] = w;
        sh[0] = h;
        for (int j = 0; j < J; j++) {
            sw[j + 1] = (sw[j] + 1) >> 1;
            sh[j + 1] = dims == 2 ? (sh[j] + 1) >> 1 : 1;
        }
        T *const tmp = ws + sig;
        for (int c = 0; c < s->channels; c++) {
            T *p = x + c * sig;
            memcpy(p, X + c * sig, sig * sizeof(*p));
            for (int j = J - 1; j >= 0; j--) {
                const int rw = sw[j], rh = sh[j], wl = sw[j + 1], hl = dims == 2 ? sh[j + 1] : rh;
                const T *const bp[4] = { p, dims == 2 ? p + (size_t)hl * w : p + wl, p + (dims == 2 ? wl : 0),
                                         p + (dims == 2 ? (size_t)hl * w + wl : 0) };
                const ptrdiff_t bs[4] = { w, w, w, w };
                /* rows into ws, then back into p, then the columns in p */
                for (int y = 0; y < rh; y++) {
                    const int by = dims == 2 ? y & 1 : 0, yy = dims == 2 ? y >> 1 : y;
                    const int bl = dims == 2 ? by : 0, bh = dims == 2 ? 2 + by : 1;
                    FN(row_merge)(L, bp[bl] + yy * bs[bl], bp[bh] + yy * bs[bh], rw, ws + (size_t)y * w, tmp,
                                  mode);
                }
                for (int y = 0; y < rh; y++)
                    memcpy(p + (size_t)y * w, ws + (size_t)y * w, (size_t)rw * sizeof(*p));
                if (dims == 2)
                    FN(cols)(L, p, w, rw, rh, mode);
            }
        }
        return;
    }
    const int mw = wavelet_band_size(w, J), mh = dims == 2 ? wavelet_band_size(h, J) : 1;
    const int pw = mw << J, ph = dims == 2 ? mh << J : 1;
    const size_t plane = (size_t)pw * ph;
    T *const A = ws, *const B = ws + plane, *const tmp = ws + 2 * plane;
    for (int c = 0; c < s->channels; c++) {
        const T *cur = X + c * plane;
        int cw = mw, ch = mh;
        size_t np = plane / ((size_t)mw * mh) / nb;   /* output planes of this level: nb^(J-1) */
        for (int j = J - 1; j >= 0; j--) {
            T *const dst = cur == A ? B : A;
            const int ow = cw << 1, oh = dims == 2 ? ch << 1 : 1;
            const size_t bsz = (size_t)cw * ch;
            for (size_t k = 0; k < np; k++) {
                const T *const d = cur + k * nb * bsz;
                const T *const bp[4] = { d, d + bsz, d + (nb > 2 ? 2 : 0) * bsz, d + (nb > 2 ? 3 : 0) * bsz };
                const ptrdiff_t bs[4] = { cw, cw, cw, cw };
                FN(level_synthesis)(L, bp, bs, dst + k * ow * oh, ow, ow, oh, dims, tmp, mode);
            }
            cur = dst;
            cw = ow;
            ch = oh;
            np /= nb;
        }
        FN(unpad)(cur, pw, ph, x + c * sig, w, h, mode == OP_FWD_T);
    }
}
