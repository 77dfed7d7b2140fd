#include "core/Allocator.h"

#include <malloc.h>

namespace synthlabel {

void tune_allocator_for_frames() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);  // allocations below 64 MiB come from the heap, not mmap
  mallopt(M_TRIM_THRESHOLD, 256 << 20);  // and freed memory stays for reuse
}

}  // namespace synthlabel
