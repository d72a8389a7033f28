#pragma once
// Seeded 64-bit hash for keys. The seed is chosen at random at start-up so a
// client cannot precompute colliding keys (Redis uses SipHash for the same
// reason); the mixing is a multiply-fold, several times cheaper than SipHash.
#include <cstdint>
#include <string_view>

namespace erdtree::util {

uint64_t hashBytes(std::string_view bytes, uint64_t seed);

// Process-wide seed for keyspace tables; set once before any table exists.
uint64_t hashSeed();
void setHashSeed(uint64_t seed);

}  // namespace erdtree::util
