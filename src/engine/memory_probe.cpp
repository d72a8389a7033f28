#include "erdtree/engine/memory_probe.h"

#include <malloc.h>
#include <unistd.h>

#include <fstream>

namespace erdtree::engine {

uint64_t residentMemory() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Bytes handed out by malloc. Sanitizer builds replace the allocator and
// report zero here; RSS is the closest stand-in there.
uint64_t usedMemory() {
  struct mallinfo2 mi = mallinfo2();
  uint64_t used = mi.uordblks + mi.hblkhd;
  return used != 0 ? used : residentMemory();
}

}  // namespace erdtree::engine
