/* The wavelet-ae image profile: encoder and trainer. */
#ifndef LCC_ENCODERS_WALLOC_H
#define LCC_ENCODERS_WALLOC_H

#include "libcodec/models/walloc.h"


#endif /* LCC_ENCODERS_WALLOC_H */
