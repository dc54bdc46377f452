/* The profile table and the decoder of each profile. */
#ifndef LCC_DECODERS_H
#define LCC_DECODERS_H

#include "libcodec/container.h"

typedef lcc_status (*LccDecodeFn)(LccContext *c, const LccContainer *ct, LccMedia *out);

typedef struct LccProfileEntry {
    LccProfileInfo info;
    LccDecodeFn decode;
} LccProfileEntry;

/* The entry for a profile id and modality, or NULL. */
const LccProfileEntry *lcc_profile_entry(uint8_t id, LccModality modality);

lcc_status lcc_stored_decode(LccContext *c, const LccContainer *ct, LccMedia *out);
lcc_status lcc_walloc_decode(LccContext *c, const LccContainer *ct, LccMedia *out);
/* The entropy-decoded latent (channels, height, width) of a wavelet-ae stream. */
lcc_status lcc_walloc_latents(LccContext *c, const LccContainer *ct, int32_t **out, uint32_t shape[3]);
/* The audio branch of lcc_walloc_decode (decoders/walloc_audio_dec.c). */
lcc_status lcc_walloc_audio_decode(LccContext *c, const LccContainer *ct, LccMedia *out);
/* The same, giving the samples in order to write(user, pcm, n) (n
 * interleaved frames per call): memory bounded by one chunk. */
typedef lcc_status (*LccAudioWriteFn)(void *user, const int32_t *pcm, uint64_t frames);
lcc_status lcc_walloc_audio_decode_stream(LccContext *c, const LccContainer *ct, LccAudioWriteFn write, void *user);
lcc_status lcc_pc_decode(LccContext *c, const LccContainer *ct, LccMedia *out);

#endif /* LCC_DECODERS_H */
