#include "erdtree/persist/aof_file_check.h"

#include "erdtree/persist/aof_format.h"
#include "erdtree/persist/aof_groups.h"
#include "erdtree/persist/crc64.h"
#include "erdtree/util/ascii.h"

namespace erdtree::persist {
namespace {

// How far the records are read, and the MULTI state there.
struct Mark {
  size_t offset = 0;
  uint64_t records = 0;
  bool inMulti = false;
  size_t multiStart = 0;
  uint64_t recordsBeforeMulti = 0;
};

class FileChecker {
 public:
  explicit FileChecker(std::string_view data) : data_(data), reader_(data) {
    c_.checksummed = data.starts_with(kGroupTag);
  }

  AofFileCheck run() {
    while (step()) {
    }
    c_.validEnd = good_.offset;
    c_.records = good_.records;
    c_.sealed = c_.checksummed && c_.groups > 0;  // at least the header verified
    if (good_.inMulti) {
      c_.validEnd = good_.multiStart;
      c_.records = good_.recordsBeforeMulti;
      c_.sealed = false;  // the cut lands inside a group
      c_.openMulti = true;
      if (c_.problem == AofFileCheck::Problem::None) {
        c_.problem = AofFileCheck::Problem::TornTail;
        c_.problemOffset = good_.multiStart;
        c_.what = "MULTI without EXEC at the end of the file";
      }
    }
    return std::move(c_);
  }

 private:
  // Reads one record or annotation; false once the file is done.
  bool step() {
    const size_t at = reader_.offset();
    switch (reader_.next()) {
      case ReadStatus::Record:
        record(at);
        return true;
      case ReadStatus::Annotation:
        if (c_.checksummed && reader_.annotation().starts_with(kGroupTag)) return closeGroup(at);
        if (c_.checksummed) return true;  // a foreign line inside the group
        if (reader_.annotation().starts_with(kGroupTag) && damagedHeader(at)) {
          good_ = Mark{};  // nothing of this file verified
          return bad(0, "the checksum header line at offset 0 is damaged (the group after it is intact)");
        }
        good_.offset = reader_.offset();
        return true;
      case ReadStatus::End:
        if (c_.checksummed && good_.offset != data_.size())
          return bad(good_.offset, std::to_string(data_.size() - good_.offset) + " bytes after offset " +
                                       std::to_string(good_.offset) + " have no checksum annotation");
        return false;
      case ReadStatus::Truncated:
        return bad(at,
                   std::string(data_[at] == '#' ? "the annotation line" : "the record") + " at offset " +
                       std::to_string(at) + " is cut short by the end of the file",
                   true);
      case ReadStatus::Corrupt:
        return bad(reader_.errorOffset(), reader_.error());
    }
    return false;
  }

  void record(size_t at) {
    auto args = reader_.args();
    if (util::equalsIgnoreCase(args[0], "multi")) {
      cur_.inMulti = true;
      cur_.multiStart = at;
      cur_.recordsBeforeMulti = cur_.records;
    } else if (util::equalsIgnoreCase(args[0], "exec")) {
      cur_.inMulti = false;
    }
    ++cur_.records;
    cur_.offset = reader_.offset();
    if (!c_.checksummed) good_ = cur_;
  }

  // An Erdtree annotation at `at` ends the group that began at good_.offset.
  bool closeGroup(size_t at) {
    GroupAnnotation a;
    if (!parseGroupAnnotation(reader_.annotation(), a))
      return bad(at, "malformed checksum annotation at offset " + std::to_string(at));
    const size_t start = good_.offset;
    const size_t length = at - start;
    if (a.length != length)
      return bad(start, "the checksum annotation at offset " + std::to_string(at) + " covers " +
                            std::to_string(a.length) + " bytes but its group from offset " + std::to_string(start) +
                            " has " + std::to_string(length));
    if (crc64(0, data_.data() + start, length) != a.crc)
      return bad(start, "checksum mismatch in the record group at offset " + std::to_string(start) + " (" +
                            std::to_string(length) + " bytes, annotation at offset " + std::to_string(at) + ")");
    ++c_.groups;
    good_ = cur_;
    good_.offset = reader_.offset();
    return true;
  }

  // In a file read without checksums: is the `#EC` line at `at` the first,
  // closing an intact group that starts after a '#' first line? Then that
  // line was the header, and a damaged one would otherwise turn the checks off.
  bool damagedHeader(size_t at) {
    if (sawGroupLine_) return false;
    sawGroupLine_ = true;
    GroupAnnotation a;
    const size_t firstLineEnd = data_.find('\n') + 1;
    if (data_.empty() || data_[0] != '#' || at < firstLineEnd) return false;
    return parseGroupAnnotation(reader_.annotation(), a) && a.length == at - firstLineEnd &&
           crc64(0, data_.data() + firstLineEnd, a.length) == a.crc;
  }

  // Something is wrong at `at`. Without checksums a cut record is a torn tail
  // and anything else corruption; with them, it depends on what follows.
  bool bad(size_t at, std::string what, bool cutShort = false) {
    c_.problemOffset = at;
    c_.what = std::move(what);
    if (!c_.checksummed) {
      c_.problem = cutShort ? AofFileCheck::Problem::TornTail : AofFileCheck::Problem::Corrupt;
      return false;
    }
    const size_t intact = findVerifiedGroup(data_, good_.offset);
    if (intact == std::string_view::npos) {
      c_.problem = AofFileCheck::Problem::TornTail;
      c_.problemOffset = good_.offset;
      return false;
    }
    c_.problem = AofFileCheck::Problem::Corrupt;
    c_.what += "; an intact record group follows at offset " + std::to_string(intact) +
               ", so this is damage, not a torn write";
    return false;
  }

  std::string_view data_;
  RecordReader reader_;
  AofFileCheck c_;
  Mark cur_;   // as far as records are parsed
  Mark good_;  // as far as they may be replayed
  bool sawGroupLine_ = false;
};

}  // namespace

AofFileCheck checkAofFile(std::string_view data) { return FileChecker(data).run(); }

}  // namespace erdtree::persist
