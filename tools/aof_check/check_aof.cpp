// erdtree-check-aof: reports and repairs an append-only log, as Redis's
// redis-check-aof does for its files.
//
//   erdtree-check-aof [--fix] <dir/appendonlydir/appendonly.aof.manifest | file.aof>
//
// Every file is judged by the server's own check (persist/aof_file_check.h:
// the record reader and, in checksummed files, the group checksums), so the
// tool and start-up agree on what is valid. A file is fine when it ends right
// after a record (a verified group, when checksummed) and outside MULTI.
// Otherwise the report gives the file, the offset up to which it is valid and
// what is wrong:
//  - a torn tail (a record cut short by the end of the file, a MULTI without
//    its EXEC at the end, or in a checksummed file zeros, garbage or a failed
//    group with no intact group after them): --fix truncates the file to its
//    valid end, which is what the server does itself with
//    aof-load-truncated yes;
//  - corruption (a byte that cannot be right; in a checksummed file, damage
//    with an intact group after it): --fix truncates there too, but only in
//    the last file of the manifest, since cutting an earlier file would
//    silently drop the records of the files after it.
// Exit status: 0 valid (or fixed), 1 invalid, 2 usage or I/O error.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "erdtree/persist/aof_file_check.h"
#include "erdtree/persist/aof_manifest.h"
#include "erdtree/persist/rdb_loader.h"

namespace {

using erdtree::persist::AofFileCheck;

std::string describe(const AofFileCheck& r) {
  const char* kind = r.problem == AofFileCheck::Problem::Corrupt ? "corrupt" : "torn tail";
  return std::string(kind) + " at offset " + std::to_string(r.problemOffset) + ": " + r.what;
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
      // An RDB base (aof-use-rdb-preamble): the server's RDB loader judges it,
      // into a scratch keyspace (expired keys kept: this is a check, not a load).
      erdtree::engine::Keyspace scratch(16);
      erdtree::persist::LoadOptions opts;
      opts.dropExpired = false;
      const erdtree::persist::LoadResult r = erdtree::persist::loadRdb(data, scratch, opts);
      if (r.ok) {
        std::printf("%s: RDB base, %zu bytes, version %d, %llu key(s), valid\n", file.c_str(), data.size(), r.version,
                    static_cast<unsigned long long>(r.keys));
      } else {
        std::printf("%s: RDB base, invalid: %s\n", file.c_str(), r.error.c_str());
        allValid = false;
      }
      continue;
    }
    const AofFileCheck r = erdtree::persist::checkAofFile(data);
    std::printf("%s: %zu bytes, %llu record(s), ", file.c_str(), data.size(),
                static_cast<unsigned long long>(r.records));
    if (r.checksummed) std::printf("%llu checksummed group(s), ", static_cast<unsigned long long>(r.groups));
    std::printf("valid up to offset %zu\n", r.validEnd);
    if (r.problem == AofFileCheck::Problem::None) continue;
    std::printf("%s: INVALID: %s; %zu byte(s) after the last good record\n", file.c_str(), describe(r).c_str(),
                data.size() - r.validEnd);
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
    if (::truncate(file.c_str(), static_cast<off_t>(r.validEnd)) != 0) {
      std::perror("truncate");
      return 2;
    }
    std::printf("%s: fixed: truncated to %zu bytes\n", file.c_str(), r.validEnd);
  }
  std::printf(allValid ? "AOF is valid\n" : "AOF is not valid\n");
  return allValid ? 0 : 1;
}
