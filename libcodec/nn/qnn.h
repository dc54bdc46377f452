/* Integer inference for the networks whose outputs decide probabilities
 * (DESIGN.md §5, STYLE.md rule 14).
 *
 * Weights: int8 values (stored as int16 for the kernels) with a float
 * scale per output channel used only when quantizing. Activations: int16
 * fixed point, value = q * 2^-f with f fractional bits per tensor. A layer
 * computes acc = sum w_q x_q + bias_q in int32 (wrapping, pairwise as in
 * dsp/gemm.h), then y_q = clamp16((acc * mult[o] + 2^(shift-1)) >> shift)
 * in int64, then the activation (ReLU, or leaky ReLU with slope
 * slope_q8 / 256 applied as (y * slope_q8) >> 8, arithmetic shifts).
 * Everything after quantization is integer arithmetic, so the output is
 * bit-identical for every kernel (C, AVX2, AVX-512, VNNI), optimisation
 * level and thread count. */
#ifndef LCC_NN_QNN_H
#define LCC_NN_QNN_H

#include "libcodec/nn/nn.h"

enum { LCC_QACT_NONE = 0, LCC_QACT_RELU = 1, LCC_QACT_LEAKY = 2 };

typedef struct LccQLayer {
    int cin, cout, kh, kw, sh, sw, ph, pw;
    int transposed;     /* 1: transposed convolution (output padding oph, opw) */
    int oph, opw;
    int16_t *w;         /* values in [-127, 127]; convolution: [cout][cin * kh * kw];
                           transposed: [cout * kh * kw][cin] */
    int32_t *bias;      /* [cout], accumulator scale */
    int32_t *mult;      /* [cout], output multiplier (Q shift) */
    int shift;          /* 1..62 */
    int act, slope_q8;
    int fin, fout;      /* fractional bits of input and output */
} LccQLayer;

typedef struct LccQNet {
    LccQLayer *l;
    int n;
    int fin;            /* fractional bits of the network input */
} LccQNet;

/* Quantize a float sequence of conv2d and transposed conv2d layers (groups
 * 1), each optionally followed by ReLU or leaky ReLU (folded into the layer). Activation scales
 * come from the calibration input x, propagated through the integer path
 * itself (no float forward pass, so the result does not depend on float
 * kernels). LCC_ENOTSUP names the first layer that cannot be quantized. */
lcc_status lcc_qnet_from_seq(LccNn *nn, const LccSeq *s, const LccTensor *calib, LccQNet *q);
void lcc_qnet_free(LccQNet *q);

/* Quantize a float tensor to the network's input format. */
void lcc_qnet_quantize_input(const LccQNet *q, const LccTensor *x, int16_t *out);

/* Run the integer network on x (n x cin x h x w, fractional bits q->fin).
 * *out receives a pointer into the engine's arena (valid until the next
 * lcc_nn_reset) and *shape its shape; its fractional bits are
 * q->l[q->n - 1].fout. */
lcc_status lcc_qnet_forward(LccNn *nn, const LccQNet *q, const int16_t *x, int n, int h, int w,
                            int16_t **out, LccTensor *shape);
/* The same for one input (cin x h x w) at the np output positions pos
 * (offsets y * w + x) only, bit-identical to those of lcc_qnet_forward: a
 * network whose first layer is a stride-1 convolution that keeps the size
 * (odd kernel, padding kernel / 2) and whose other layers are 1x1. *out:
 * [cout][np] in the arena. LCC_EINVAL for other networks. */
lcc_status lcc_qnet_forward_at(LccNn *nn, const LccQNet *q, const int16_t *x, int h, int w, const int32_t *pos,
                               int np, int16_t **out);
/* The same with the input's first cin channels only (x: cin x h x w), the
 * others taken as 0 (skipping them changes no integer sum). */
lcc_status lcc_qnet_forward_at_cin(LccNn *nn, const LccQNet *q, const int16_t *x, int cin, int h, int w,
                                   const int32_t *pos, int np, int16_t **out);

/* Integer networks in *.lccw files: "qnet" (int32 [2]: layers, input
 * fractional bits) and per layer i "q<i>.geom" (int32 [16]: cin cout kh kw
 * sh sw ph pw shift act slope_q8 fin fout transposed oph opw), "q<i>.w" (int8, [cout][cin*kh*kw] or [cout*kh*kw][cin] when transposed),
 * "q<i>.bias" and "q<i>.mult" (int32 [cout]). Decoding checks every field
 * (ranges, chaining of channels and scales, no extra tensors). */
lcc_status lcc_qnet_encode(LccContext *c, const LccQNet *q, LccBuf *out, uint8_t id[32]);
lcc_status lcc_qnet_decode(LccContext *c, const uint8_t *data, size_t size, const uint8_t *expect_id,
                           LccQNet *q);
/* The same tensors inside a larger weight file, every name prefixed by
 * prefix (e.g. "hs." gives "hs.qnet", "hs.q0.geom", ...): write them into
 * w, or read them from a parsed file (lcc_lccw_parse) with the same checks
 * (the caller accounts for the file's other tensors). */
void lcc_qnet_write(LccwWriter *w, const char *prefix, const LccQNet *q);
lcc_status lcc_qnet_read(LccContext *c, const LccwTensor *t, uint32_t count, const char *prefix, LccQNet *q);

#endif /* LCC_NN_QNN_H */
