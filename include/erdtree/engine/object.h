#pragma once
// The value of a non-string key (list, hash, set, sorted set). An Entry holds
// one owning pointer to it; each type lives in its own file and picks its
// encoding (compact while small, as Redis's listpack, larger structures past
// the configured thresholds).
#include <cstddef>
#include <memory>
#include <string_view>

namespace erdtree::engine {

class Object {
 public:
  virtual ~Object() = default;
  // A deep copy (COPY).
  virtual std::unique_ptr<Object> clone() const = 0;
  // Bytes owned by the value, for MEMORY USAGE and lazy-free decisions.
  virtual size_t memoryUsage() const = 0;
  // Redis's name for the current encoding ("listpack", "hashtable", ...).
  virtual std::string_view encodingName() const = 0;
  // Number of elements (a key whose value becomes empty is deleted).
  virtual size_t length() const = 0;
  // Allocations freeing the value takes (Redis's lazyfreeGetFreeEffort): 1
  // for a compact encoding, about one per element (or list chunk) otherwise.
  // Above kLazyFreeThreshold, lazy deletes free it in the background.
  virtual size_t freeEffort() const { return 1; }
};

}  // namespace erdtree::engine
