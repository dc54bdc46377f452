/* The pc weight file: quantized HCLT parameters (layout in SPEC.md, pc).
 *
 *   0   8  magic "LCCPCW1\n"
 *   8   4  version (1)
 *  12   4  nvars D        16  4  nsyms S        20  4  nstates H
 *  24   4  root           28  4  width          32  4  height
 *  36  32  name, NUL-padded
 *  68   4  flags (0)
 *  72  4D  parent[v] (0xFFFFFFFF at the root)
 *       H  prior, log-quantized bytes
 *  (D-1)HH transition rows of every non-root v in id order, log-quantized
 *       4  size P of the leaf block
 *       P  the D*H*S log-quantized bytes leaf[v][h][s], as differences
 *          d = (q[s] - q[s-1]) mod 256 within each row (q[-1] = 0): 3 x 256
 *          u32 counts of the differences in 3 contexts (the row's previous
 *          d: none or 0 / |d| <= 2 / larger, d read as a signed byte), then
 *          a rANS stream (entropy/rans.h) of every d, each with the table
 *          lcc_cdf_from_weights(counts of its context, 256, escape weight 0,
 *          offset 0, precision 16)
 *       4  CRC-32 of all the bytes before it
 * All integers little-endian. A log-quantized byte q stands for the relative
 * weight L(q) = T[q & 7] >> (q >> 3), T[j] = round(2^(30 - j/8)); a row of
 * n weights L[i] becomes the integers 1 + floor(L[i] * (2^B - n) / max(sum L, 1))
 * with B = PC_TRANS_BITS for prior and transitions, PC_LEAF_BITS for leaves,
 * and the rounding deficit 2^B - sum is added to the first largest entry,
 * so every row sums to exactly 2^B: the integer model is normalized. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/pc/pc.h"
#include "entropy/rans.h"
#include "libcodec/internal.h"
#include "libcodec/sha256.h"

#define PC_MAGIC "LCCPCW1\n"
#define PC_VERSION 1
#define PC_HEADER 72
/* Largest table of cumulative leaf values (entries) a model may need. */
#define PC_MAX_CUM_ENTRIES (1u << 27)

static const uint32_t logq_table[8] = {
    1073741824u, 984625594u, 902905651u, 827968132u, 759250125u, 696235434u, 638450708u, 585461881u,
};

static inline uint64_t logq_value(const uint8_t q)
{
    return logq_table[q & 7] >> (q >> 3);
}

static int fail(char *const err, const size_t len, const int code, const char *const fmt, ...)
{
    if (err && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, len, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Integers of one row from n log-quantized bytes (see the header). */
static void dequant_row(const uint8_t *const q, const uint32_t n, const unsigned bits, uint32_t *const out)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += logq_value(q[i]);
    if (!sum)
        sum = 1;
    const uint64_t spread = ((uint64_t)1 << bits) - n;
    uint64_t total = 0;
    uint32_t big = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += out[i] = (uint32_t)(1 + logq_value(q[i]) * spread / sum);
        if (out[i] > out[big])
            big = i;
    }
    /* The row sums to exactly 2^bits: the rounding deficit goes to the
     * first largest entry. */
    out[big] += (uint32_t)(((uint64_t)1 << bits) - total);
}

#define PC_LEAF_CTX 3
#define PC_LEAF_TABLE_BYTES (PC_LEAF_CTX * 256 * 4)

/* Context of a leaf difference: the previous difference of the row, as
 * 0 (none or zero), 1 (|d| <= 2 as a signed byte) or 2 (larger). */
static inline unsigned leaf_ctx(const int prev_d)
{
    const int sd = prev_d > 127 ? prev_d - 256 : prev_d;
    return sd == 0 ? 0 : (sd >= -2 && sd <= 2) ? 1 : 2;
}

/* Leaf bytes from the leaf block (see the header). 0 or -1 if damaged. */
static int leaves_decode(const uint8_t *const in, const size_t size, uint8_t *const out, const size_t n,
                         const uint32_t row)
{
    if (size < PC_LEAF_TABLE_BYTES)
        return -1;
    LccCdf t[PC_LEAF_CTX];
    memset(t, 0, sizeof(t));
    int r = 0;
    for (int k = 0; k < PC_LEAF_CTX; k++) {
        uint64_t w[256];
        for (int i = 0; i < 256; i++)
            w[i] = lcc_rl32(in + 4 * (256 * k + i));
        if (lcc_cdf_from_weights(&t[k], w, 256, 0, 0, 16))
            r = -1;
    }
    LccRansDec d;
    if (!r && lcc_rans_dec_init(&d, in + PC_LEAF_TABLE_BYTES, size - PC_LEAF_TABLE_BYTES, n))
        r = -1;
    int prev_d = 0;
    for (size_t i = 0; i < n && !r; i++) {
        if (i % row == 0)
            prev_d = 0;
        const int32_t v = lcc_rans_dec_get(&d, &t[leaf_ctx(prev_d)]);
        if (v < 0 || v > 255 || d.error)
            r = -1;
        const uint8_t prev = i % row ? out[i - 1] : 0;
        out[i] = (uint8_t)(prev + v);
        prev_d = v & 255;
    }
    if (!r && lcc_rans_dec_finish(&d))
        r = -1;
    for (int k = 0; k < PC_LEAF_CTX; k++)
        lcc_cdf_free(&t[k]);
    return r;
}

int pc_leaves_encode(LccBuf *const b, const uint8_t *const q, const size_t n, const uint32_t row)
{
    int32_t *const v = malloc(n * sizeof(*v));
    uint8_t *const cx = malloc(n);
    if (!v || !cx) {
        free(v);
        free(cx);
        return -1;
    }
    uint64_t w[PC_LEAF_CTX][256];
    memset(w, 0, sizeof(w));
    int prev_d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % row == 0)
            prev_d = 0;
        const uint8_t prev = i % row ? q[i - 1] : 0;
        v[i] = (uint8_t)(q[i] - prev);
        cx[i] = (uint8_t)leaf_ctx(prev_d);
        w[cx[i]][v[i]]++;
        prev_d = v[i];
    }
    for (int k = 0; k < PC_LEAF_CTX; k++)
        for (int i = 0; i < 256; i++) {
            w[k][i] = w[k][i] > UINT32_MAX ? UINT32_MAX : w[k][i];
            lcc_buf_u32(b, (uint32_t)w[k][i]);
        }
    LccCdf t[PC_LEAF_CTX];
    memset(t, 0, sizeof(t));
    int r = 0;
    for (int k = 0; k < PC_LEAF_CTX; k++)
        if (lcc_cdf_from_weights(&t[k], w[k], 256, 0, 0, 16))
            r = -1;
    if (!r) {
        LccRansEnc e;
        lcc_rans_enc_init(&e);
        for (size_t i = 0; i < n; i++)
            lcc_rans_enc_put(&e, &t[cx[i]], v[i]);
        r = lcc_rans_enc_finish(&e, b) ? -1 : 0;
        lcc_rans_enc_free(&e);
    }
    for (int k = 0; k < PC_LEAF_CTX; k++)
        lcc_cdf_free(&t[k]);
    free(v);
    free(cx);
    return r;
}

void pc_model_free(PcModel *const m)
{
    if (!m)
        return;
    free(m->parent);
    free(m->child_start);
    free(m->children);
    free(m->order);
    free(m->depth);
    free(m->prior);
    free(m->trans);
    free(m->cum);
    memset(m, 0, sizeof(*m));
}

int pc_model_parse(PcModel *const m, const uint8_t *const buf, const size_t size, char *const err,
                   const size_t errlen)
{
    memset(m, 0, sizeof(*m));
    if (size < PC_HEADER + 8 || memcmp(buf, PC_MAGIC, 8))
        return fail(err, errlen, LCC_EMODEL, "not a pc weight file (bad magic)");
    if (lcc_rl32(buf + size - 4) != lcc_crc32(0, buf, size - 4))
        return fail(err, errlen, LCC_EBADMSG, "pc weight file: CRC mismatch (damaged file)");
    const uint32_t version = lcc_rl32(buf + 8);
    if (version != PC_VERSION)
        return fail(err, errlen, LCC_ENOTSUP, "pc weight file version %u (this build reads %u)", version,
                    PC_VERSION);
    const uint32_t D = lcc_rl32(buf + 12), S = lcc_rl32(buf + 16), H = lcc_rl32(buf + 20);
    const uint32_t root = lcc_rl32(buf + 24);
    if (D < 1 || D > PC_MAX_VARS || S < 2 || S > PC_MAX_SYMS || H < 1 || H > PC_MAX_STATES || root >= D)
        return fail(err, errlen, LCC_EBADMSG, "pc weight file: bad sizes (D=%u S=%u H=%u root=%u)", D, S, H, root);
    if ((uint64_t)D * (S + 1) * H > PC_MAX_CUM_ENTRIES)
        return fail(err, errlen, LCC_ERANGE, "pc weight file: model too large (D=%u S=%u H=%u)", D, S, H);
    if (lcc_rl32(buf + 68) != 0)
        return fail(err, errlen, LCC_ENOTSUP, "pc weight file: unknown flags %#x", lcc_rl32(buf + 68));
    const uint64_t fixed = PC_HEADER + 4ull * D + H + (uint64_t)(D - 1) * H * H + 4;
    if (size < fixed + 4)
        return fail(err, errlen, LCC_EBADMSG, "pc weight file: truncated");
    m->nvars = D;
    m->nsyms = S;
    m->nstates = H;
    m->root = root;
    m->width = lcc_rl32(buf + 28);
    m->height = lcc_rl32(buf + 32);
    memcpy(m->name, buf + 36, 32);
    m->name[32] = 0;
    lcc_sha256(buf, size, m->sha256);

    int code = LCC_ENOMEM;
    uint8_t *leafq = NULL;
    m->parent = malloc(D * sizeof(*m->parent));
    m->child_start = calloc(D + 1, sizeof(*m->child_start));
    m->children = malloc((D > 1 ? D - 1 : 1) * sizeof(*m->children));
    m->order = malloc(D * sizeof(*m->order));
    m->depth = malloc(D * sizeof(*m->depth));
    m->prior = malloc(H * sizeof(*m->prior));
    m->trans = calloc((size_t)D * H * H, sizeof(*m->trans));
    m->cum = malloc((size_t)D * (S + 1) * H * sizeof(*m->cum));
    leafq = malloc((size_t)D * H * S);
    if (!m->parent || !m->child_start || !m->children || !m->order || !m->depth || !m->prior || !m->trans ||
        !m->cum || !leafq)
        goto error;

    /* Tree: one root, every other parent in range, reachable from the root. */
    const uint8_t *p = buf + PC_HEADER;
    for (uint32_t v = 0; v < D; v++, p += 4) {
        const uint32_t q = lcc_rl32(p);
        if (v == root ? q != UINT32_MAX : (q >= D || q == v)) {
            code = fail(err, errlen, LCC_EBADMSG, "pc weight file: bad parent %u of variable %u", q, v);
            goto error;
        }
        m->parent[v] = v == root ? -1 : (int32_t)q;
        if (v != root)
            m->child_start[q + 1]++;
    }
    for (uint32_t v = 0; v < D; v++)
        m->child_start[v + 1] += m->child_start[v];
    {
        uint32_t *const fill = m->depth;   /* reused as a cursor, rewritten below */
        memcpy(fill, m->child_start, D * sizeof(*fill));
        for (uint32_t v = 0; v < D; v++)
            if (v != root)
                m->children[fill[m->parent[v]]++] = v;
    }
    /* Preorder with children in increasing id order; order[] doubles as the stack. */
    {
        uint32_t n = 0, top = 0;
        uint32_t *const stack = m->order;
        uint32_t *const pre = malloc(D * sizeof(*pre));
        if (!pre)
            goto error;
        stack[top++] = root;
        m->depth[root] = 0;
        while (top) {
            const uint32_t v = stack[--top];
            if (n == D) {
                free(pre);
                code = fail(err, errlen, LCC_EBADMSG, "pc weight file: the parents do not form a tree");
                goto error;
            }
            pre[n++] = v;
            for (uint32_t i = m->child_start[v + 1]; i-- > m->child_start[v];) {
                const uint32_t c = m->children[i];
                m->depth[c] = m->depth[v] + 1;
                stack[top++] = c;
            }
        }
        if (n != D) {
            free(pre);
            code = fail(err, errlen, LCC_EBADMSG, "pc weight file: the parents do not form a tree");
            goto error;
        }
        memcpy(m->order, pre, D * sizeof(*pre));
        free(pre);
    }

    dequant_row(p, H, PC_TRANS_BITS, m->prior);
    p += H;
    for (uint32_t v = 0; v < D; v++) {
        if (v == root)
            continue;
        for (uint32_t hp = 0; hp < H; hp++, p += H)
            dequant_row(p, H, PC_TRANS_BITS, m->trans + ((size_t)v * H + hp) * H);
    }
    const uint32_t packed = lcc_rl32(p);
    p += 4;
    if (packed != size - 4 - (size_t)(p - buf)) {
        code = fail(err, errlen, LCC_EBADMSG, "pc weight file: leaf block of %u bytes does not fit the file", packed);
        goto error;
    }
    if (leaves_decode(p, packed, leafq, (size_t)D * H * S, S)) {
        code = fail(err, errlen, LCC_EBADMSG, "pc weight file: damaged leaf block");
        goto error;
    }
    {
        uint32_t *const row = malloc(S * sizeof(*row));
        if (!row)
            goto error;
        for (uint32_t v = 0; v < D; v++)
            for (uint32_t h = 0; h < H; h++) {
                dequant_row(leafq + ((size_t)v * H + h) * S, S, PC_LEAF_BITS, row);
                uint32_t *const c = m->cum + (size_t)v * (S + 1) * H + h;
                uint32_t acc = 0;
                c[0] = 0;
                for (uint32_t s = 0; s < S; s++) {
                    acc += row[s];
                    c[(size_t)(s + 1) * H] = acc;
                }
            }
        free(row);
    }
    free(leafq);
    return 0;

error:
    free(leafq);
    pc_model_free(m);
    if (code == LCC_ENOMEM)
        fail(err, errlen, code, "pc weight file: out of memory");
    return code;
}

/* ---- export from the float model ---------------------------------------- */

/* The log-quantized byte of p relative to pmax, a multiple of step (1, 2,
 * 4 or 8): step 1 is 1/8-bit resolution; a coarser step costs a little
 * precision and makes the leaf block (coded as differences) smaller. */
static uint8_t quant_log(const double p, const double pmax, const unsigned step)
{
    const unsigned top = 255 / step * step;
    if (!(p > 0) || !(pmax > 0))
        return (uint8_t)top;
    const double q = -8.0 * log2(p / pmax) / step;
    if (q * step >= top)
        return (uint8_t)top;
    return (uint8_t)(q < 0 ? 0 : (unsigned)(q + 0.5) * step);
}

static void quant_row(const double *const r, const uint32_t n, uint8_t *const out, const unsigned step)
{
    double mx = 0;
    for (uint32_t i = 0; i < n; i++)
        mx = r[i] > mx ? r[i] : mx;
    for (uint32_t i = 0; i < n; i++)
        out[i] = quant_log(r[i], mx, step);
}

int pc_train_export(const PcTrain *const t, const char *const name, uint8_t **const out, size_t *const size)
{
    return pc_train_export_step(t, name, 1, out, size);
}

int pc_train_export_step(const PcTrain *const t, const char *const name, const unsigned leaf_step,
                         uint8_t **const out, size_t *const size)
{
    const uint32_t D = t->nvars, S = t->nsyms, H = t->nstates;
    LccBuf b = { 0 };
    uint8_t hdr[PC_HEADER] = { 0 };
    memcpy(hdr, PC_MAGIC, 8);
    lcc_wl32(hdr + 8, PC_VERSION);
    lcc_wl32(hdr + 12, D);
    lcc_wl32(hdr + 16, S);
    lcc_wl32(hdr + 20, H);
    lcc_wl32(hdr + 24, t->root);
    lcc_wl32(hdr + 28, t->width);
    lcc_wl32(hdr + 32, t->height);
    if (name)
        memcpy(hdr + 36, name, strlen(name) < 31 ? strlen(name) : 31);
    lcc_buf_append(&b, hdr, sizeof(hdr));
    for (uint32_t v = 0; v < D; v++)
        lcc_buf_u32(&b, t->parent[v] < 0 ? UINT32_MAX : (uint32_t)t->parent[v]);
    uint8_t *const q = malloc((size_t)D * H * S > H ? (size_t)D * H * S : H);
    if (!q) {
        lcc_buf_free(&b);
        return -1;
    }
    quant_row(t->prior, H, q, 1);
    lcc_buf_append(&b, q, H);
    for (uint32_t v = 0; v < D; v++) {
        if (v == t->root)
            continue;
        for (uint32_t hp = 0; hp < H; hp++) {
            quant_row(t->trans + ((size_t)v * H + hp) * H, H, q, 1);
            lcc_buf_append(&b, q, H);
        }
    }
    for (size_t r = 0; r < (size_t)D * H; r++)
        quant_row(t->leaf + r * S, S, q + r * S, leaf_step);
    const size_t at = b.size;
    lcc_buf_u32(&b, 0);
    const int le = pc_leaves_encode(&b, q, (size_t)D * H * S, S);
    free(q);
    if (le) {
        lcc_buf_free(&b);
        return -1;
    }
    if (b.failed) {
        lcc_buf_free(&b);
        return -1;
    }
    lcc_wl32(b.data + at, (uint32_t)(b.size - at - 4));
    lcc_buf_u32(&b, lcc_crc32(0, b.data, b.size));
    if (b.failed) {
        lcc_buf_free(&b);
        return -1;
    }
    *out = b.data;
    *size = b.size;
    return 0;
}

