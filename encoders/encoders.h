/* The encoder of each profile. */
#ifndef LCC_ENCODERS_H
#define LCC_ENCODERS_H

#include "libcodec/container.h"

/* Encode m at quality q into a complete .lcc file appended to out. */
typedef lcc_status (*LccEncodeFn)(LccContext *c, const LccMedia *m, int quality, LccBuf *out);

lcc_status lcc_stored_encode(LccContext *c, const LccMedia *m, int quality, LccBuf *out);
lcc_status lcc_walloc_encode(LccContext *c, const LccMedia *m, int quality, LccBuf *out);
/* The audio branch of lcc_walloc_encode (encoders/walloc_audio_enc.c). */
lcc_status lcc_walloc_audio_encode(LccContext *c, const LccMedia *m, int quality, LccBuf *out);
/* The same from a source read in order: read(user, dst, n) fills the next
 * n interleaved frames; a holds the geometry (data unused). Memory stays
 * bounded by one chunk whatever the length. */
typedef lcc_status (*LccAudioReadFn)(void *user, int32_t *dst, uint64_t frames);
lcc_status lcc_walloc_audio_encode_stream(LccContext *c, const LccAudio *a, int quality, LccAudioReadFn read,
                                          void *user, LccBuf *out);
lcc_status lcc_pc_encode(LccContext *c, const LccMedia *m, int quality, LccBuf *out);

#endif /* LCC_ENCODERS_H */
