#include "erdtree/persist/aof_manifest.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "erdtree/persist/file_io.h"
#include "erdtree/util/crash_point.h"
#include "erdtree/util/numbers.h"
#include "erdtree/util/repr.h"

namespace erdtree::persist {
namespace {

constexpr size_t kMaxManifestLine = 1024;  // Redis's AOF_MANIFEST_MAX_LINE

bool needsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s)
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '\'') return true;
  return false;
}

void appendName(std::string& out, std::string_view s) {
  if (!needsQuotes(s)) {
    out.append(s);
    return;
  }
  util::appendRepr(out, s);  // sdscatrepr, as Redis writes the manifest
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits a line into words; double-quoted words take C escapes (a subset of
// Redis's sdssplitargs that covers what appendName writes).
bool splitWords(std::string_view line, std::vector<std::string>& words) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) return true;
    std::string w;
    if (line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return false;  // unterminated quotes
        char c = line[i++];
        if (c == '"') break;
        if (c != '\\') {
          w.push_back(c);
          continue;
        }
        if (i >= line.size()) return false;
        char e = line[i++];
        if (e == 'n') w.push_back('\n');
        else if (e == 'r') w.push_back('\r');
        else if (e == 't') w.push_back('\t');
        else if (e == 'a') w.push_back('\a');
        else if (e == 'b') w.push_back('\b');
        else if (e == 'x' && i + 1 < line.size() && hexValue(line[i]) >= 0 && hexValue(line[i + 1]) >= 0) {
          w.push_back(static_cast<char>(hexValue(line[i]) * 16 + hexValue(line[i + 1])));
          i += 2;
        } else w.push_back(e);
      }
      if (i < line.size() && line[i] != ' ' && line[i] != '\t') return false;  // "a"b
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') w.push_back(line[i++]);
    }
    words.push_back(std::move(w));
  }
}

std::string seqText(int64_t seq) { return std::to_string(seq); }

}  // namespace

std::string aofBaseName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + seqText(seq) + ".base.aof";
}
std::string aofBaseRdbName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + seqText(seq) + ".base.rdb";
}
std::string aofIncrName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + seqText(seq) + ".incr.aof";
}
std::string aofManifestName(std::string_view prefix) { return std::string(prefix) + ".manifest"; }

AofManifest manifestAfterRewrite(const AofManifest& current, const AofFileInfo& newBase, int64_t firstKeptIncr,
                                 std::vector<std::string>& obsolete) {
  AofManifest next;
  next.base = newBase;
  if (current.base && current.base->name != newBase.name) obsolete.push_back(current.base->name);
  for (const auto& f : current.history) obsolete.push_back(f.name);
  for (const auto& f : current.incrs) {
    if (f.seq >= firstKeptIncr) next.incrs.push_back(f);
    else obsolete.push_back(f.name);
  }
  return next;
}

std::string AofManifest::format() const {
  std::string out;
  auto line = [&](const AofFileInfo& f) {
    out += "file ";
    appendName(out, f.name);
    out += " seq " + seqText(f.seq) + " type ";
    out.push_back(static_cast<char>(f.type));
    out.push_back('\n');
  };
  if (base) line(*base);
  for (const auto& f : history) line(f);
  for (const auto& f : incrs) line(f);
  return out;
}

bool AofManifest::parse(std::string_view text, AofManifest& out, std::string& error) {
  out = AofManifest{};
  size_t pos = 0;
  int lineNo = 0;
  bool any = false;
  while (pos < text.size()) {
    ++lineNo;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      error = "The AOF manifest file is invalid format (line " + std::to_string(lineNo) + " has no newline)";
      return false;
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() > kMaxManifestLine) {
      error = "The AOF manifest file contains too long line (line " + std::to_string(lineNo) + ")";
      return false;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> words;
    if (!splitWords(line, words) || words.size() % 2 != 0) {
      error = "Invalid AOF manifest file format (line " + std::to_string(lineNo) + ")";
      return false;
    }
    AofFileInfo f;
    bool haveName = false, haveSeq = false, haveType = false;
    for (size_t i = 0; i < words.size(); i += 2) {
      const std::string& k = words[i];
      const std::string& v = words[i + 1];
      if (k == "file") {
        f.name = v;
        haveName = !v.empty();
      } else if (k == "seq") {
        auto n = util::parseInt64(v);
        if (!n || *n < 1) {
          error = "Invalid AOF manifest file format (bad seq on line " + std::to_string(lineNo) + ")";
          return false;
        }
        f.seq = *n;
        haveSeq = true;
      } else if (k == "type") {
        if (v != "b" && v != "i" && v != "h") {
          error = "Unknown AOF file type '" + v + "' on line " + std::to_string(lineNo);
          return false;
        }
        f.type = static_cast<AofFileType>(v[0]);
        haveType = true;
      }
      // Unknown keys are skipped, as Redis does, for forward compatibility.
    }
    if (!haveName || !haveSeq || !haveType || f.name.find('/') != std::string::npos) {
      error = "Invalid AOF manifest file format (line " + std::to_string(lineNo) + ")";
      return false;
    }
    any = true;
    if (f.type == AofFileType::Base) {
      if (out.base) {
        error = "Found duplicate base file information";
        return false;
      }
      out.base = std::move(f);
    } else if (f.type == AofFileType::History) {
      out.history.push_back(std::move(f));
    } else {
      if (!out.incrs.empty() && f.seq <= out.incrs.back().seq) {
        error = "Found a non-monotonic sequence number";
        return false;
      }
      out.incrs.push_back(std::move(f));
    }
  }
  if (!any) {
    error = "Found an empty AOF manifest";
    return false;
  }
  return true;
}

std::string readWholeFile(const std::string& path, std::string& out) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return std::strerror(e);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return "";
}

void removeTempLogFiles(const std::string& dir, std::string_view prefix) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> doomed;
  const std::string tempIncr = "temp-" + std::string(prefix) + ".incr";
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if ((n.starts_with("temp-rewriteaof-bg-") && n.ends_with(".aof")) ||
        (n.starts_with("temp-") && n.ends_with(".rdb")) || n == tempIncr)
      doomed.emplace_back(n);
  }
  ::closedir(d);
  for (const std::string& n : doomed) ::unlink((dir + "/" + n).c_str());
}

std::string fsyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  return rc == 0 ? "" : std::strerror(e);
}

std::string storeManifest(const std::string& dir, std::string_view prefix, const AofManifest& manifest) {
  const std::string finalPath = dir + "/" + aofManifestName(prefix);
  const std::string tmpPath = dir + "/temp-" + aofManifestName(prefix);
  const std::string text = manifest.format();
  int fd = ::open(tmpPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "can't open " + tmpPath + ": " + std::strerror(errno);
  if (int e = writeAll(fd, text); e != 0) {
    ::close(fd);
    ::unlink(tmpPath.c_str());
    return "can't write " + tmpPath + ": " + std::strerror(e);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmpPath.c_str());
    return "can't fsync " + tmpPath + ": " + std::strerror(e);
  }
  ::close(fd);
  util::crashPoint("manifest-before-rename");
  if (::rename(tmpPath.c_str(), finalPath.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpPath.c_str());
    return "can't rename " + tmpPath + ": " + std::strerror(e);
  }
  std::string err = fsyncDirectory(dir);
  return err.empty() ? "" : "can't fsync directory " + dir + ": " + err;
}

}  // namespace erdtree::persist
