#pragma once
// Helpers for the log tests that work on a real temporary directory: the
// directory, file I/O, records and groups as the writer lays them out, and a
// load sink that records what it was given.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_groups.h"
#include "erdtree/persist/aof_loader.h"
#include "erdtree/persist/aof_manifest.h"
#include "erdtree/persist/aof_writer.h"
#include "erdtree/persist/crc64.h"

namespace erdtree::persist::aoftest {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("erdtree-aof-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

inline std::string slurp(const std::string& path) {
  std::string out;
  EXPECT_EQ(readWholeFile(path, out), "") << path;
  return out;
}

inline void spit(const std::string& path, const std::string& data) { std::ofstream(path, std::ios::binary) << data; }

inline std::string rec(std::vector<std::string_view> args) {
  std::string out;
  appendRecord(out, args);
  return out;
}

// The bytes followed by their checksum annotation: one flush's worth.
inline std::string group(std::string bytes) {
  appendGroupAnnotation(bytes, crc64(0, bytes), bytes.size());
  return bytes;
}

struct Recorder final : AofLoadSink {
  void beginFile() override { lines.push_back("<file>"); }
  std::string apply(std::span<const std::string_view> args) override {
    std::string l;
    for (auto a : args) l += (l.empty() ? "" : " ") + std::string(a);
    lines.push_back(l);
    return failOn.empty() || l != failOn ? "" : "ERR refused";
  }
  std::string loadRdbBase(std::string_view data, uint64_t& keys) override {
    lines.push_back("<rdb " + std::to_string(data.size()) + ">");
    keys = 1;
    return "";
  }
  std::vector<std::string> lines;
  std::string failOn;
};

inline AofWriterOptions options(const TempDir& d, FsyncPolicy p = FsyncPolicy::No, uint64_t seg = 64 << 20) {
  AofWriterOptions o;
  o.dir = d.str();
  o.prefix = "appendonly.aof";
  o.policy = p;
  o.segmentMaxSize = seg;
  return o;
}

inline void put(AofWriter& w, int db, std::vector<std::string_view> args) { w.append(db, args); }

}  // namespace erdtree::persist::aoftest
