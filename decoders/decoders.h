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
lcc_status lcc_pc_decode(LccContext *c, const LccContainer *ct, LccMedia *out);

#endif /* LCC_DECODERS_H */
