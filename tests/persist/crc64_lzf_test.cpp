#include <gtest/gtest.h>

#include <random>
#include <string>

#include "erdtree/persist/crc64.h"
#include "erdtree/persist/lzf.h"

using namespace erdtree::persist;

TEST(Crc64, MatchesRedisVectors) {
  EXPECT_EQ(crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(crc64(0, ""), 0u);
  // Incremental updates give the same result as one pass.
  const std::string text = "This is a test of the emergency broadcast system.";
  uint64_t c = 0;
  for (char ch : text) c = crc64(c, &ch, 1);
  EXPECT_EQ(c, crc64(0, text));
  EXPECT_EQ(crc64(crc64(0, "12345"), "6789"), 0xe9c6d914c4b8d9caULL);
}

TEST(Crc64, EightBytesAtATimeMatchesOneBitAtATime) {
  // The definition, bit by bit (reflected Jones polynomial, init 0, no final xor).
  auto reference = [](uint64_t crc, std::string_view s) {
    for (unsigned char ch : s) {
      crc ^= ch;
      for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
  };
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 37 + (i >> 3)));
  // Every length and start (alignment), and a non-zero running value.
  for (size_t start = 0; start < 9; ++start)
    for (size_t len = 0; start + len <= data.size(); len += 7) {
      const std::string_view s = std::string_view(data).substr(start, len);
      ASSERT_EQ(crc64(0, s), reference(0, s)) << start << "+" << len;
      ASSERT_EQ(crc64(0x1234567890abcdefULL, s), reference(0x1234567890abcdefULL, s)) << start << "+" << len;
    }
}

TEST(Lzf, DecompressesHandBuiltStreams) {
  // One literal 'a', then a back reference of 9 bytes at distance 1.
  const std::string runs("\x00" "a" "\xE0\x00\x00", 5);
  EXPECT_EQ(lzfDecompress(runs, 10), std::string(10, 'a'));
  // Literal "abc", then 6 bytes from 3 back (ctrl (6-2)<<5, offset 2).
  const std::string abc("\x02" "abc" "\x80\x02", 6);
  EXPECT_EQ(lzfDecompress(abc, 9), "abcabcabc");
}

TEST(Lzf, RejectsMalformedStreams) {
  const std::string abc("\x02" "abc" "\x80\x02", 6);
  EXPECT_FALSE(lzfDecompress(abc, 8));   // expands past the declared length
  EXPECT_FALSE(lzfDecompress(abc, 10));  // falls short of it
  EXPECT_FALSE(lzfDecompress(std::string("\x05" "ab", 3), 6));       // literal truncated
  EXPECT_FALSE(lzfDecompress(std::string("\x00" "a" "\x20\x05", 4), 4));  // reference before the start
  EXPECT_FALSE(lzfDecompress(std::string("\x00" "a" "\xE0", 3), 10));   // reference truncated
  for (size_t cut = 0; cut < abc.size(); ++cut) EXPECT_FALSE(lzfDecompress(abc.substr(0, cut), 9)) << cut;
}

TEST(Lzf, RoundTripsVariedData) {
  std::mt19937_64 rng(7);
  std::vector<std::string> inputs = {"", "a", "abcabcabcabcabcabcabcabc", std::string(100000, 'x')};
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "key:" + std::to_string(i % 97) + " value ";
  inputs.push_back(text);
  std::string random(70000, '\0');
  for (char& c : random) c = static_cast<char>(rng() % 4);  // compressible noise
  inputs.push_back(random);
  std::string incompressible(5000, '\0');
  for (char& c : incompressible) c = static_cast<char>(rng());
  inputs.push_back(incompressible);
  for (const std::string& in : inputs) {
    auto c = lzfCompress(in, in.size() + in.size() / 16 + 64);
    ASSERT_TRUE(c.has_value()) << in.size();
    auto back = lzfDecompress(*c, in.size());
    ASSERT_TRUE(back.has_value()) << in.size();
    EXPECT_EQ(*back, in);
  }
  EXPECT_LT(lzfCompress(std::string(100000, 'x'), 100000)->size(), 2000u);
  EXPECT_FALSE(lzfCompress(incompressible, incompressible.size() - 4).has_value());
}
