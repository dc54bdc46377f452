/* Fuzz target: the pnm reader (lcc_io_read_pnm_mem) on arbitrary bytes. */
#include "io/fuzz_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_io_run(lcc_io_read_pnm_mem, data, size, 1 << 22);
}
