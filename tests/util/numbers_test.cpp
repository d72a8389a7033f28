#include "erdtree/util/numbers.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <string>

using namespace erdtree::util;

TEST(ParseInt64, AcceptsRedisIntegers) {
  EXPECT_EQ(parseInt64("0"), 0);
  EXPECT_EQ(parseInt64("-1"), -1);
  EXPECT_EQ(parseInt64("9223372036854775807"), LLONG_MAX);
  EXPECT_EQ(parseInt64("-9223372036854775808"), LLONG_MIN);
}

TEST(ParseInt64, RejectsWhatRedisRejects) {
  for (const char* s : {"", " 1", "1 ", "+1", "01", "-0", "1.0", "9223372036854775808", "-9223372036854775809",
                        "abc", "-", "1e3", "0x10"})
    EXPECT_FALSE(parseInt64(s).has_value()) << s;
}

TEST(ParseLongDouble, FollowsStrtoldWithoutSpacesOrNan) {
  EXPECT_EQ(parseLongDouble("10.5"), 10.5L);
  EXPECT_EQ(parseLongDouble("5.0e3"), 5000.0L);
  EXPECT_FALSE(parseLongDouble(" 1").has_value());
  EXPECT_FALSE(parseLongDouble("1 ").has_value());
  EXPECT_FALSE(parseLongDouble("nan").has_value());
  EXPECT_FALSE(parseLongDouble("").has_value());
  EXPECT_FALSE(parseLongDouble(std::string_view("1\0", 2)).has_value());
}

TEST(FormatLongDoubleHuman, TrimsTrailingZeros) {
  char buf[kMaxLongDoubleChars];
  auto fmt = [&](long double v) { return std::string(buf, formatLongDoubleHuman(v, buf, sizeof(buf))); };
  EXPECT_EQ(fmt(10.6L), "10.6");
  EXPECT_EQ(fmt(3.0L), "3");
  EXPECT_EQ(fmt(5000.0L), "5000");
  EXPECT_EQ(fmt(-0.0L), "0");
  EXPECT_EQ(fmt(0.1L), "0.1");
}

TEST(FormatInt64, RoundTripsExtremes) {
  char buf[24];
  EXPECT_EQ(std::string(buf, formatInt64(LLONG_MIN, buf)), "-9223372036854775808");
  EXPECT_EQ(std::string(buf, formatInt64(0, buf)), "0");
  EXPECT_EQ(std::string(buf, formatInt64(1234567, buf)), "1234567");
}

TEST(FormatDouble, RoundTripsEveryDoubleAndNamesInfinities) {
  char buf[kMaxDoubleChars];
  auto fmt = [&](double v) { return std::string(buf, formatDouble(v, buf)); };
  EXPECT_EQ(fmt(1.5), "1.5");
  EXPECT_EQ(fmt(3), "3");
  EXPECT_EQ(fmt(0.1), "0.10000000000000001");
  EXPECT_EQ(fmt(-0.0), "-0");
  EXPECT_EQ(fmt(HUGE_VAL), "inf");
  EXPECT_EQ(fmt(-HUGE_VAL), "-inf");
  for (double v : {0.1 + 0.2, 1e300, -1e-300, 4.9406564584124654e-324, 1.7976931348623157e308, -2.2250738585072014e-308,
                   123456789012345678.0}) {
    std::string text = fmt(v);
    ASSERT_LT(text.size(), kMaxDoubleChars);
    auto back = parseDouble(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(std::memcmp(&*back, &v, sizeof v), 0) << text;
  }
}
