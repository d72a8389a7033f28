#include "erdtree/persist/aof_loader.h"

#include <dirent.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "erdtree/persist/aof_format.h"
#include "erdtree/util/ascii.h"

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
    sink.beginFile();
    if (f.type == AofFileType::Base && std::string_view(data).starts_with("REDIS")) {
      uint64_t keys = 0;
      if (std::string err = sink.loadRdbBase(data, keys); !err.empty())
        return fail("Error loading the RDB base file " + f.name + ": " + err);
      result.records += keys;
      result.baseSize = data.size();
      result.totalSize += data.size();
      continue;
    }
    RecordReader reader(data);
    bool inMulti = false;
    size_t beforeMulti = 0;
    size_t validEnd = data.size();
    bool cut = false;
    while (true) {
      size_t at = reader.offset();
      ReadStatus rs = reader.next();
      if (rs == ReadStatus::Record) {
        auto args = reader.args();
        if (util::equalsIgnoreCase(args[0], "multi")) {
          inMulti = true;
          beforeMulti = at;
        } else if (util::equalsIgnoreCase(args[0], "exec")) {
          inMulti = false;
        }
        std::string err = sink.apply(args);
        if (!err.empty())
          return fail("Error replaying the AOF file " + f.name + " at offset " + std::to_string(at) + " (" +
                      std::string(args[0].substr(0, 64)) + "): " + err);
        ++result.records;
        continue;
      }
      if (rs == ReadStatus::Corrupt)
        return fail("Bad file format reading the append only file " + f.name + " at offset " +
                    std::to_string(reader.errorOffset()) + ": " + reader.error());
      if (rs == ReadStatus::Truncated || inMulti) {
        validEnd = inMulti ? beforeMulti : at;
        if (!last)
          return fail("Unexpected end of the AOF file " + f.name + " at offset " + std::to_string(at) +
                      " (it is not the last file of the log, so this is corruption)");
        if (!allowTruncated)
          return fail("Unexpected end of the AOF file " + f.name + " at offset " + std::to_string(at) +
                      " and aof-load-truncated is no: fix the file (truncate it at offset " +
                      std::to_string(validEnd) + ") or set aof-load-truncated yes");
        cut = true;
      }
      break;
    }
    if (cut) {
      if (inMulti) {
        sink.abortMulti();
        spdlog::warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", f.name);
      }
      spdlog::warn("!!! Warning: short read while loading the AOF file {}!!!", f.name);
      if (::truncate(path.c_str(), static_cast<off_t>(validEnd)) != 0)
        return fail("Error truncating the AOF file " + path + ": " + std::strerror(errno));
      spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled (truncated from {} to {} bytes)",
                   f.name, data.size(), validEnd);
      result.truncated = true;
    }
    uint64_t size = cut ? validEnd : data.size();
    if (f.type == AofFileType::Base) result.baseSize = size;
    result.totalSize += size;
  }
  result.status = AofLoadResult::Status::Loaded;
  return result;
}

}  // namespace erdtree::persist
