/* Fuzz target: arbitrary bytes as a float weight file for a fixed network,
 * and as an integer network (run on a small input when it decodes and is
 * small enough), as given and with its checksums repaired. Neither may
 * crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libcodec/nn/nn.h"
#include "libcodec/nn/qnn.h"
#include "libcodec/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *const data, const size_t size)
{
    LccNet net;
    if (lcc_net_init(&net, 1))
        return;
    lcc_seq_conv2d(net.root, 3, 4, 3, 3, 2, 1, 1);
    lcc_seq_gdn(net.root, 4, 0);
    lcc_seq_linear(net.root, 16, 5);
    (void)lcc_lccw_decode(NULL, data, size, &net.params, NULL, NULL);
    lcc_net_free(&net);

    LccQNet q;
    if (lcc_qnet_decode(NULL, data, size, NULL, &q) == LCC_OK) {
        /* bound the work: 8x8 input, at most ~4M multiply-adds per layer */
        int ok = 1;
        for (int i = 0; i < q.n; i++)
            ok &= (int64_t)q.l[i].cin * q.l[i].kh * q.l[i].kw * q.l[i].cout <= 65536;
        int16_t *const x = ok ? calloc((size_t)q.l[0].cin * 64, sizeof(int16_t)) : NULL;
        LccNn nn;
        if (x && !lcc_nn_init(&nn, NULL, 1, 0)) {
            for (int i = 0; i < q.l[0].cin * 64; i++)
                x[i] = (int16_t)(i * 2654435761u >> 17);
            int16_t *y;
            LccTensor shape;
            (void)lcc_qnet_forward(&nn, &q, x, 1, 8, 8, &y, &shape);
            lcc_nn_uninit(&nn);
        }
        free(x);
        lcc_qnet_free(&q);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *const data, const size_t size)
{
    run(data, size);
    /* again with the checksums repaired (model id, header CRC, trailing
     * sha256), so that mutations reach the record parser */
    if (size >= 48 + 32 && size <= (1u << 24)) {
        uint8_t *const d = malloc(size);
        if (!d)
            return 0;
        memcpy(d, data, size);
        lcc_sha256(d + 48, size - 48 - 32, d + 12);
        lcc_wl32(d + 44, lcc_crc32(0, d, 44));
        lcc_sha256(d, size - 32, d + size - 32);
        run(d, size);
        free(d);
    }
    return 0;
}
