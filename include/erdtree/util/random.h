#pragma once
// The one source of randomness for commands that pick at random (RANDOMKEY,
// SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER): a 64-bit Mersenne Twister
// seeded once per process from std::random_device. Not for secrets.
#include <cstdint>

namespace erdtree::util {

uint64_t randomU64();

}  // namespace erdtree::util
