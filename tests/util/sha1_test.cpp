#include "erdtree/util/sha1.h"

#include <gtest/gtest.h>

#include <string>

using namespace erdtree::util;

namespace {

std::string hex(const Sha1Digest& d) {
  static const char* const digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

}  // namespace

TEST(Sha1, KnownVectors) {
  EXPECT_EQ(hex(Sha1::of("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(Sha1::of("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(Sha1::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(Sha1::of(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, PaddingBoundaries) {
  // 55 bytes fit the length in the same block, 56 need one more, 64 is one full block.
  EXPECT_EQ(hex(Sha1::of(std::string(55, 'c'))), "a6e1d184176a993dc24a369aab85cf9e3f98e3c0");
  EXPECT_EQ(hex(Sha1::of(std::string(56, 'c'))), "ee59278c72f2b1f1c6be889b06f4c47d7a220b3d");
  EXPECT_EQ(hex(Sha1::of(std::string(64, 'b'))), "9d682ff9a7018603023176b8c12926c6a15510ee");
}

TEST(Sha1, PiecewiseUpdatesEqualOneShot) {
  std::string msg(1000, 'x');
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<char>(i * 7);
  for (size_t step : {1u, 3u, 63u, 64u, 65u, 200u}) {
    Sha1 h;
    for (size_t i = 0; i < msg.size(); i += step) h.update(std::string_view(msg).substr(i, step));
    EXPECT_EQ(hex(h.finish()), hex(Sha1::of(msg))) << step;
  }
}
