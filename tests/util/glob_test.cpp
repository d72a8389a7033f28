#include "erdtree/util/glob.h"

#include <gtest/gtest.h>

using erdtree::util::globMatch;

TEST(Glob, StarsAndQuestionMarks) {
  // As Redis's stringmatchlen, the empty string matches only the empty pattern.
  EXPECT_FALSE(globMatch("*", ""));
  EXPECT_FALSE(globMatch("**", ""));
  EXPECT_TRUE(globMatch("", ""));
  EXPECT_TRUE(globMatch("a**", "a"));
  EXPECT_TRUE(globMatch("h*llo", "heeeello"));
  EXPECT_TRUE(globMatch("h?llo", "hello"));
  EXPECT_FALSE(globMatch("h?llo", "hllo"));
  EXPECT_TRUE(globMatch("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(globMatch("*a*b*c", "xxaxxbxx"));
}

TEST(Glob, ClassesRangesNegationAndEscapes) {
  EXPECT_TRUE(globMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(globMatch("h[ae]llo", "hillo"));
  EXPECT_TRUE(globMatch("h[^e]llo", "hallo"));
  EXPECT_FALSE(globMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(globMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(globMatch("h[b-a]llo", "hallo"));  // reversed range still matches
  EXPECT_TRUE(globMatch("a\\*b", "a*b"));
  EXPECT_FALSE(globMatch("a\\*b", "axb"));
}

TEST(Glob, NoCase) {
  EXPECT_TRUE(globMatch("MAXMEMORY*", "maxmemory-policy", true));
  EXPECT_FALSE(globMatch("MAXMEMORY*", "maxmemory-policy", false));
}

TEST(Glob, PathologicalPatternFinishesQuickly) {
  std::string text(5000, 'a');
  EXPECT_FALSE(globMatch("*a*a*a*a*a*a*a*a*a*a*b", text));
}
