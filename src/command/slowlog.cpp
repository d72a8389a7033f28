#include "erdtree/command/slowlog.h"

#include "erdtree/util/ascii.h"

namespace erdtree::command {

void SlowLog::push(std::span<const std::string_view> args, uint64_t redactMask, int64_t durationUs,
                   int64_t unixSec, std::string_view addr, std::string_view name) {
  if (maxLen == 0) return;
  SlowLogEntry e;
  e.id = nextId_++;
  e.unixSec = unixSec;
  e.durationUs = durationUs;
  const size_t kept = std::min(args.size(), kMaxArgs);
  e.args.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept != args.size() && i == kept - 1) {  // the last slot says how many were left out
      e.args.push_back("... (" + std::to_string(args.size() - kept + 1) + " more arguments)");
    } else if (i < 64 && (redactMask >> i & 1) != 0) {
      e.args.emplace_back("(redacted)");
    } else if (args[i].size() > kMaxArgBytes) {
      e.args.push_back(std::string(args[i].substr(0, kMaxArgBytes)) + "... (" +
                       std::to_string(args[i].size() - kMaxArgBytes) + " more bytes)");
    } else {
      e.args.emplace_back(args[i]);
    }
  }
  e.addr = std::string(addr);
  e.name = std::string(name);
  entries_.push_front(std::move(e));
  trim();
}

void SlowLog::trim() {
  while (entries_.size() > maxLen) entries_.pop_back();
}

uint64_t redactedArguments(std::string_view specName, std::span<const std::string_view> args) {
  if (specName == "auth") {
    if (args.size() > 3) return 0;  // a syntax error: Redis redacts nothing
    return args.size() == 3 ? 0b110 : 0b10;
  }
  if (specName == "config|set") {
    // Redis's SENSITIVE_CONFIG settings: their values never reach a log.
    uint64_t mask = 0;
    for (size_t j = 2; j + 1 < args.size() && j + 1 < 64; j += 2) {
      if (util::equalsIgnoreCase(args[j], "requirepass") || util::equalsIgnoreCase(args[j], "masterauth") ||
          util::equalsIgnoreCase(args[j], "masteruser"))
        mask |= uint64_t{1} << (j + 1);
    }
    return mask;
  }
  if (specName != "hello") return 0;
  uint64_t mask = 0;
  for (size_t j = 2; j < args.size() && j < 62; ++j) {
    size_t left = args.size() - j - 1;
    if (util::equalsIgnoreCase(args[j], "auth") && left >= 2) {
      mask |= uint64_t{0b11} << (j + 1);
      j += 2;
    } else if (util::equalsIgnoreCase(args[j], "setname") && left >= 1) {
      ++j;
    } else {
      break;
    }
  }
  return mask;
}

}  // namespace erdtree::command
