/* Decoder-only build (-Dencoders=false): encoding is not available. */
#include <string.h>

#include "libcodec/internal.h"

void lcc_default_encode_params(LccEncodeParams *const p)
{
    memset(p, 0, sizeof(*p));
    p->quality = -1;
}

lcc_status lcc_encode(LccContext *const c, const LccMedia *const m, const LccEncodeParams *const p,
                      uint8_t **const out, size_t *const out_size)
{
    (void)m;
    (void)p;
    if (out)
        *out = NULL;
    if (out_size)
        *out_size = 0;
    return lcc_error(c, LCC_ENOTSUP, "this lcc was built without encoders (-Dencoders=false)");
}

lcc_status lcc_encode_audio_file(LccContext *const c, const char *const in_path, const LccEncodeParams *const p,
                                 uint8_t **const out, size_t *const out_size)
{
    (void)c;
    (void)in_path;
    (void)p;
    if (out)
        *out = NULL;
    if (out_size)
        *out_size = 0;
    return LCC_EFORMAT;   /* the caller's lcc_encode reports the missing encoders */
}
