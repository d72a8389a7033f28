// The manifest's text format (Redis 7.0's): round trips and rejects.
#include <gtest/gtest.h>

#include "erdtree/persist/aof_manifest.h"

using namespace erdtree::persist;

TEST(AofManifest, FileNamesAreRedisSevens) {
  EXPECT_EQ(aofBaseName("appendonly.aof", 1), "appendonly.aof.1.base.aof");
  EXPECT_EQ(aofIncrName("appendonly.aof", 12), "appendonly.aof.12.incr.aof");
  EXPECT_EQ(aofManifestName("appendonly.aof"), "appendonly.aof.manifest");
}

TEST(AofManifest, FormatsAndParsesBack) {
  AofManifest m;
  m.base = AofFileInfo{"appendonly.aof.1.base.aof", 1, AofFileType::Base};
  m.incrs.push_back({"appendonly.aof.1.incr.aof", 1, AofFileType::Incr});
  m.incrs.push_back({"appendonly.aof.2.incr.aof", 2, AofFileType::Incr});
  std::string text = m.format();
  EXPECT_EQ(text,
            "file appendonly.aof.1.base.aof seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  AofManifest back;
  std::string err;
  ASSERT_TRUE(AofManifest::parse(text, back, err)) << err;
  EXPECT_EQ(back, m);
  EXPECT_EQ(back.nextIncrSeq(), 3);
}

TEST(AofManifest, QuotesNamesThatNeedIt) {
  AofManifest m;
  m.incrs.push_back({"my file\"x\\.1.incr.aof", 1, AofFileType::Incr});
  AofManifest back;
  std::string err;
  ASSERT_TRUE(AofManifest::parse(m.format(), back, err)) << err;
  EXPECT_EQ(back, m);
}

TEST(AofManifest, AcceptsRedisVariants) {
  AofManifest m;
  std::string err;
  // Comments, blank lines, fields in another order, unknown keys, history.
  ASSERT_TRUE(AofManifest::parse("# made by redis\n\n"
                                 "seq 3 type i file a.3.incr.aof\n"
                                 "file a.2.base.rdb seq 2 type h future 1\n",
                                 m, err))
      << err;
  ASSERT_EQ(m.incrs.size(), 1u);
  EXPECT_EQ(m.incrs[0].seq, 3);
  EXPECT_EQ(m.history.size(), 1u);
  EXPECT_FALSE(m.base.has_value());
}

TEST(AofManifest, Rejects) {
  const char* bad[] = {
      "",                                                              // empty
      "# only a comment\n",                                            // empty
      "file a.1.incr.aof seq 1 type i",                                // no final newline (torn)
      "file a.1.incr.aof seq 1\n",                                     // missing type
      "file a.1.incr.aof type i\n",                                    // missing seq
      "file a.1.incr.aof seq x type i\n",                              // bad seq
      "file a.1.incr.aof seq 1 type z\n",                              // unknown type
      "file a.1.base.aof seq 1 type b\nfile a.2.base.aof seq 2 type b\n",  // two bases
      "file a.2.incr.aof seq 2 type i\nfile a.1.incr.aof seq 1 type i\n",  // not monotonic
      "file ../x seq 1 type i\n",                                      // a path
      "file \"unterminated seq 1 type i\n",                            // quotes
      "file a.1.incr.aof seq\n",                                       // odd word count
  };
  for (const char* text : bad) {
    AofManifest m;
    std::string err;
    EXPECT_FALSE(AofManifest::parse(text, m, err)) << text;
    EXPECT_FALSE(err.empty()) << text;
  }
}
