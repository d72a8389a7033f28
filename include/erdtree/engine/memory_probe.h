#pragma once
// Used memory as eviction reads it: the one place maxmemory looks at how much
// the process holds. It is util::usedMemory(), the allocation counter kept by
// operator new/delete and the counted C allocator (util/alloc_counter.h), so
// reading it is one atomic load and eviction measures what each delete freed
// (mallinfo2, the earlier source, walked every free chunk: ~250 ms with a
// million of them, which is why eviction must never go back to it).
#include <cstdint>

#include "erdtree/util/alloc_counter.h"

namespace erdtree::engine {

// Bytes allocated by the process (Redis's used_memory).
inline uint64_t usedMemory() { return util::usedMemory(); }

}  // namespace erdtree::engine
