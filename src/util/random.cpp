#include "erdtree/util/random.h"

#include <random>

namespace erdtree::util {

uint64_t randomU64() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

}  // namespace erdtree::util
