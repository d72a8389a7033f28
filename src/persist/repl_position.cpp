#include "erdtree/persist/repl_position.h"

#include <charconv>

namespace erdtree::persist {
namespace {

bool isHexId(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

template <typename T>
bool parseNumber(std::string_view s, T& out) {
  // Decimal digits only, no sign and no leading zero (as written).
  if (s.empty() || s[0] < '0' || s[0] > '9' || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

void appendPositionAnnotation(std::string& out, const ReplPosition& p) {
  appendPositionAnnotation(out, p.replid, p.offset, p.streamDb);
}

void appendPositionAnnotation(std::string& out, std::string_view replid, int64_t offset, int streamDb) {
  char num[24];
  out.append(kPositionTag);
  out.append(replid);
  out.push_back(':');
  out.append(num, std::to_chars(num, num + sizeof num, offset).ptr);
  out.push_back(':');
  out.append(num, std::to_chars(num, num + sizeof num, streamDb).ptr);
  out.append("\r\n", 2);
}

PositionLine parsePositionAnnotation(std::string_view line, ReplPosition& out) {
  if (!line.starts_with(kPositionTag)) return PositionLine::NotPosition;
  if (line.ends_with("\r\n")) line.remove_suffix(2);
  else if (line.ends_with("\n")) line.remove_suffix(1);
  line.remove_prefix(kPositionTag.size());
  if (line == "reset") return PositionLine::Reset;
  // <replid>:<offset>:<db>
  if (line.size() < 44 || line[40] != ':') return PositionLine::Malformed;
  const std::string_view id = line.substr(0, 40);
  line.remove_prefix(41);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return PositionLine::Malformed;
  ReplPosition p;
  if (!isHexId(id) || !parseNumber(line.substr(0, colon), p.offset) ||
      !parseNumber(line.substr(colon + 1), p.streamDb) || p.streamDb < 0)
    return PositionLine::Malformed;
  p.replid = std::string(id);
  out = std::move(p);
  return PositionLine::Position;
}

bool positionFromAux(const std::vector<std::pair<std::string, std::string>>& aux, ReplPosition& out) {
  ReplPosition p;
  bool haveDb = false;
  for (const auto& [name, value] : aux) {
    if (name == "repl-id") {
      p.replid = value;
    } else if (name == "repl-offset") {
      if (!parseNumber(value, p.offset)) p.offset = -1;
    } else if (name == "repl-stream-db") {
      haveDb = parseNumber(value, p.streamDb);
    }
  }
  if (!haveDb || p.streamDb < 0 || !isHexId(p.replid) || p.offset < 0) return false;
  out = std::move(p);
  return true;
}

void PositionTracker::annotation(std::string_view line) {
  ReplPosition p;
  switch (parsePositionAnnotation(line, p)) {
    case PositionLine::Position:
      last_ = std::move(p);
      have_ = true;
      stale_ = false;
      break;
    case PositionLine::Reset: reset_ = true; break;
    case PositionLine::NotPosition:
    case PositionLine::Malformed: break;  // not ours to judge: a foreign '#' line
  }
}

void PositionTracker::base(const ReplPosition* p) {
  have_ = p != nullptr;
  stale_ = false;
  if (p != nullptr) last_ = *p;
}

bool PositionTracker::current(ReplPosition& out) const {
  if (!have_ || stale_ || reset_) return false;
  out = last_;
  return true;
}

}  // namespace erdtree::persist
