/* Locating installed pc weight files (pc-*.lccw). */
#ifndef LCC_ENTROPY_PC_FIND_H
#define LCC_ENTROPY_PC_FIND_H

#include "entropy/pc/pc.h"
#include "libcodec/internal.h"

/* The model whose weight file's sha256 starts with id. LCC_EMODEL (with a
 * message naming the id and the directories) if none is installed. */
lcc_status pc_model_find_id(LccContext *c, const uint8_t id[8], PcModel *out);

/* Up to max models for width x height 8-bit pixels, in search order;
 * returns how many were parsed into out[] (free each with pc_model_free). */
int pc_model_find_size(LccContext *c, uint32_t width, uint32_t height, PcModel *out, int max);

/* The model in the file named name (a path if it holds a '/', else a file
 * name searched in the model directories): 1 if parsed into *out, else 0
 * (with the error on c if the file exists but does not parse). */
int pc_model_find_name(LccContext *c, const char *name, PcModel *out);

#endif /* LCC_ENTROPY_PC_FIND_H */
