#include "erdtree/persist/aof_loader.h"

#include <dirent.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "erdtree/persist/aof_file_check.h"
#include "erdtree/persist/aof_format.h"

namespace erdtree::persist {
namespace {

// Names in dir that look like parts of this log (prefix.<seq>.base|incr.aof).
std::vector<std::string> strayLogFiles(const std::string& dir, std::string_view prefix) {
  std::vector<std::string> found;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return found;
  const std::string start = std::string(prefix) + ".";
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n.starts_with(start) && (n.ends_with(".incr.aof") || n.ends_with(".base.aof") || n.ends_with(".base.rdb")))
      found.emplace_back(n);
  }
  ::closedir(d);
  return found;
}

AofLoadResult fail(std::string msg) {
  AofLoadResult r;
  r.status = AofLoadResult::Status::Error;
  r.error = std::move(msg);
  return r;
}

}  // namespace

AofLoadResult loadAof(const std::string& dir, std::string_view prefix, bool allowTruncated, AofLoadSink& sink) {
  const std::string manifestPath = dir + "/" + aofManifestName(prefix);
  std::string text;
  struct stat st {};
  if (::stat(manifestPath.c_str(), &st) != 0) {
    if (errno != ENOENT) return fail("Can't read the AOF manifest " + manifestPath + ": " + std::strerror(errno));
    auto stray = strayLogFiles(dir, prefix);
    if (!stray.empty())
      return fail("Found AOF files (" + stray.front() + (stray.size() > 1 ? ", ..." : "") + ") in " + dir +
                  " but no manifest " + aofManifestName(prefix) +
                  "; refusing to start rather than ignore them (restore the manifest or move the files away)");
    return AofLoadResult{};
  }
  if (std::string err = readWholeFile(manifestPath, text); !err.empty())
    return fail("Can't read the AOF manifest " + manifestPath + ": " + err);
  AofLoadResult result;
  std::string perr;
  if (!AofManifest::parse(text, result.manifest, perr)) return fail("Bad AOF manifest " + manifestPath + ": " + perr);

  std::vector<const AofFileInfo*> files;
  if (result.manifest.base) files.push_back(&*result.manifest.base);
  for (const auto& f : result.manifest.incrs) files.push_back(&f);
  for (const AofFileInfo* f : files)
    if (::stat((dir + "/" + f->name).c_str(), &st) != 0)
      return fail("The AOF file " + f->name + " listed in " + aofManifestName(prefix) + " doesn't exist (" +
                  std::strerror(errno) + ")");

  std::string data;
  for (size_t i = 0; i < files.size(); ++i) {
    const AofFileInfo& f = *files[i];
    const bool last = i + 1 == files.size();
    const std::string path = dir + "/" + f.name;
    if (std::string err = readWholeFile(path, data); !err.empty())
      return fail("Can't read the AOF file " + path + ": " + err);
    if (f.type == AofFileType::Base && std::string_view(data).starts_with("REDIS")) {
      sink.beginFile();
      uint64_t keys = 0;
      if (std::string err = sink.loadRdbBase(data, keys); !err.empty())
        return fail("Error loading the RDB base file " + f.name + ": " + err);
      result.records += keys;
      result.baseSize = data.size();
      result.totalSize += data.size();
      continue;
    }
    // The whole file is checked before any of it is replayed, so no record
    // of a group is applied before its checksum verified.
    const AofFileCheck check = checkAofFile(data);
    const std::string at = std::to_string(check.problemOffset);
    if (check.problem == AofFileCheck::Problem::Corrupt)
      return fail("Bad file format reading the append only file " + f.name + " at offset " + at + ": " + check.what);
    const bool torn = check.problem == AofFileCheck::Problem::TornTail;
    if (torn && !last)
      return fail("Unexpected end of the AOF file " + f.name + " at offset " + at + " (" + check.what +
                  "; it is not the last file of the log, so this is corruption)");
    if (torn && !allowTruncated)
      return fail("Unexpected end of the AOF file " + f.name + " at offset " + at + " (" + check.what +
                  ") and aof-load-truncated is no: fix the file (truncate it at offset " +
                  std::to_string(check.validEnd) + ") or set aof-load-truncated yes");

    sink.beginFile();
    RecordReader reader(std::string_view(data).substr(0, check.validEnd));
    ReadStatus rs;
    for (size_t start = 0; (rs = reader.next()) != ReadStatus::End; start = reader.offset()) {
      if (rs == ReadStatus::Annotation) {
        sink.annotation(reader.annotation());
        continue;
      }
      if (rs != ReadStatus::Record) return fail("Internal error re-reading the AOF file " + f.name);
      auto args = reader.args();
      std::string err = sink.apply(args);
      if (!err.empty())
        return fail("Error replaying the AOF file " + f.name + " at offset " + std::to_string(start) + " (" +
                    std::string(args[0].substr(0, 64)) + "): " + err);
      ++result.records;
    }
    if (torn) {
      spdlog::warn("!!! Warning: short read while loading the AOF file {}: torn tail at offset {} ({}) !!!", f.name,
                   at, check.what);
      if (check.openMulti) spdlog::warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", f.name);
      if (::truncate(path.c_str(), static_cast<off_t>(check.validEnd)) != 0)
        return fail("Error truncating the AOF file " + path + ": " + std::strerror(errno));
      spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled (truncated from {} to {} bytes)",
                   f.name, data.size(), check.validEnd);
      result.truncated = true;
    }
    if (last) result.lastFileSealed = check.sealed;
    const uint64_t size = torn ? check.validEnd : data.size();
    if (f.type == AofFileType::Base) result.baseSize = size;
    result.totalSize += size;
  }
  result.status = AofLoadResult::Status::Loaded;
  return result;
}

}  // namespace erdtree::persist
