// erdtree-check-aof: reports and repairs an append-only log, as Redis's
// redis-check-aof does for its files.
//
//   erdtree-check-aof [--fix] <dir/appendonlydir/appendonly.aof.manifest | file.aof>
//
// Every file is read with the server's own record reader (persist/aof_format.h),
// so the tool and start-up agree on what is valid. A file is fine when it ends
// right after a record and outside MULTI. Otherwise the report gives the file,
// the byte offset of the last good record boundary and what is wrong:
//  - a truncated tail (a record cut short by the end of the file), or a MULTI
//    without its EXEC at the end: --fix truncates the file to the last good
//    boundary (before that MULTI), which is what the server does itself with
//    aof-load-truncated yes;
//  - corruption (a byte that cannot be right): --fix truncates there too, but
//    only in the last file of the manifest, since cutting an earlier file
//    would silently drop the records of the files after it.
// Exit status: 0 valid (or fixed), 1 invalid, 2 usage or I/O error.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_manifest.h"
#include "erdtree/util/ascii.h"

namespace {

using erdtree::persist::ReadStatus;
using erdtree::persist::RecordReader;

struct FileReport {
  bool valid = true;
  size_t goodUpTo = 0;  // last offset where the file could end correctly
  size_t size = 0;
  size_t records = 0;
  std::string problem;
};

FileReport analyze(const std::string& data) {
  FileReport r;
  r.size = data.size();
  RecordReader reader(data);
  size_t multiStart = 0;
  bool inMulti = false;
  for (;;) {
    const size_t before = reader.offset();
    const ReadStatus st = reader.next();
    if (st == ReadStatus::Record) {
      ++r.records;
      auto args = reader.args();
      if (!args.empty() && erdtree::util::equalsIgnoreCase(args[0], "multi")) {
        inMulti = true;
        multiStart = before;
      } else if (!args.empty() && erdtree::util::equalsIgnoreCase(args[0], "exec")) {
        inMulti = false;
      }
      if (!inMulti) r.goodUpTo = reader.offset();
      continue;
    }
    if (st == ReadStatus::End) {
      if (inMulti) {
        r.valid = false;
        r.goodUpTo = multiStart;
        r.problem = "reached the end of the file inside MULTI (no EXEC)";
      }
      return r;
    }
    r.valid = false;
    if (inMulti) r.goodUpTo = multiStart;
    if (st == ReadStatus::Truncated)
      r.problem = "the record at offset " + std::to_string(reader.offset()) + " is cut short by the end of the file";
    else
      r.problem = "corrupt at offset " + std::to_string(reader.errorOffset()) + ": " + reader.error();
    return r;
  }
}

int usage() {
  std::fprintf(stderr, "usage: erdtree-check-aof [--fix] <appendonly.aof.manifest | file.aof>\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool fix = false;
  std::string target;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--fix") fix = true;
    else if (target.empty() && !a.starts_with("--")) target = a;
    else return usage();
  }
  if (target.empty()) return usage();

  // The files to check, in load order.
  std::vector<std::string> files;
  const std::filesystem::path path(target);
  if (target.ends_with(".manifest")) {
    std::string text;
    if (std::string err = erdtree::persist::readWholeFile(target, text); !err.empty()) {
      std::fprintf(stderr, "Cannot read %s: %s\n", target.c_str(), err.c_str());
      return 2;
    }
    erdtree::persist::AofManifest m;
    std::string err;
    if (!erdtree::persist::AofManifest::parse(text, m, err)) {
      std::printf("Manifest %s is invalid: %s\n", target.c_str(), err.c_str());
      return 1;
    }
    const std::filesystem::path dir = path.parent_path();
    if (m.base) files.push_back((dir / m.base->name).string());
    for (const auto& f : m.incrs) files.push_back((dir / f.name).string());
    std::printf("Manifest %s lists %zu file(s)\n", target.c_str(), files.size());
  } else {
    files.push_back(target);
  }

  bool allValid = true;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    const bool last = i + 1 == files.size();
    std::string data;
    if (std::string err = erdtree::persist::readWholeFile(file, data); !err.empty()) {
      std::printf("%s: cannot read: %s\n", file.c_str(), err.c_str());
      allValid = false;
      continue;
    }
    if (data.starts_with("REDIS")) {
      std::printf("%s: RDB preamble, not checked by this tool\n", file.c_str());
      continue;
    }
    const FileReport r = analyze(data);
    std::printf("%s: %zu bytes, %zu record(s), valid up to offset %zu\n", file.c_str(), r.size, r.records,
                r.goodUpTo);
    if (r.valid) continue;
    std::printf("%s: INVALID: %s; %zu byte(s) after the last good record\n", file.c_str(), r.problem.c_str(),
                r.size - r.goodUpTo);
    if (!fix) {
      allValid = false;
      continue;
    }
    if (!last) {
      std::printf("%s: not fixed: it is not the last file of the manifest (cutting it would drop the files after it)\n",
                  file.c_str());
      allValid = false;
      continue;
    }
    if (::truncate(file.c_str(), static_cast<off_t>(r.goodUpTo)) != 0) {
      std::perror("truncate");
      return 2;
    }
    std::printf("%s: fixed: truncated to %zu bytes\n", file.c_str(), r.goodUpTo);
  }
  std::printf(allValid ? "AOF is valid\n" : "AOF is not valid\n");
  return allValid ? 0 : 1;
}
