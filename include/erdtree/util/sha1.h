#pragma once
// SHA-1 (FIPS 180-4). Only for DEBUG DIGEST, which must match Redis's digest
// byte for byte; not used for anything that needs collision resistance.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace erdtree::util {

using Sha1Digest = std::array<uint8_t, 20>;

class Sha1 {
 public:
  Sha1();
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Pads, returns the digest; the object must not be used afterwards.
  Sha1Digest finish();

  static Sha1Digest of(std::string_view s) {
    Sha1 h;
    h.update(s);
    return h.finish();
  }

 private:
  void block(const uint8_t* p);

  uint32_t h_[5];
  uint8_t buf_[64];
  size_t bufLen_ = 0;
  uint64_t totalBytes_ = 0;
};

}  // namespace erdtree::util
