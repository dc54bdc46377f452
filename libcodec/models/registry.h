/* Finding model weight files (*.lccw) by name or by model id.
 * Search order: the context's model_dir, then each directory of the
 * LCC_MODEL_PATH environment variable (':'-separated), then the source
 * tree's models/ (for running from a build tree), then the installed
 * <datadir>/lcc/models. */
#ifndef LCC_MODELS_REGISTRY_H
#define LCC_MODELS_REGISTRY_H

#include "libcodec/internal.h"

#define LCC_MODEL_ID_BYTES 8      /* what the .lcc header carries */
#define LCC_MAX_MODEL_BYTES (64u << 20)

/* Load the first file called `name` on the search path. *data is freed
 * with free(). LCC_EMODEL if none is found. */
lcc_status lcc_model_load_name(LccContext *c, const char *name, uint8_t **data, size_t *size);
/* Load the *.lccw file whose model id (bytes 12..19 of its header, the
 * first 8 bytes of its sha256 id) equals id. LCC_EMODEL ("model 3fa2...
 * not installed") if none does. The caller still validates the file. */
lcc_status lcc_model_load_id(LccContext *c, const uint8_t id[LCC_MODEL_ID_BYTES], uint8_t **data, size_t *size);

#endif /* LCC_MODELS_REGISTRY_H */
