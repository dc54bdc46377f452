/* Placeholder until the metrics land. */
#include "libcodec/internal.h"

lcc_status lcc_compare(LccContext *const c, const LccMedia *const ref, const LccMedia *const test,
                       LccQuality *const q)
{
    (void)ref;
    (void)test;
    (void)q;
    return lcc_error(c, LCC_ENOTSUP, "metrics are not implemented yet");
}
