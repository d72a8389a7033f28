#pragma once
// Error replies counted as Redis 7.0's afterErrorReply: every error sent
// (total_error_replies) and one counter per error code, the first word of
// the message (INFO errorstats). A code is only looked for within the first
// 31 bytes, as Redis does; without a space there it counts as ERR. Redis
// 7.0.15 sets no limit on the number of codes. Only error paths call this.
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

namespace erdtree::command {

class ErrorStats {
 public:
  // message is the error line without its leading '-' ("WRONGTYPE ...").
  void count(std::string_view message) {
    ++total_;
    const size_t window = message.size() < 31 ? message.size() : 31;
    const void* space = std::memchr(message.data(), ' ', window);
    std::string_view code = space != nullptr
                                ? message.substr(0, static_cast<size_t>(static_cast<const char*>(space) - message.data()))
                                : std::string_view("ERR");
    auto it = codes_.find(code);
    if (it == codes_.end()) it = codes_.emplace(std::string(code), 0).first;
    ++it->second;
  }
  uint64_t total() const { return total_; }
  // Code -> count, in byte order (Redis keeps them in a radix tree).
  const std::map<std::string, uint64_t, std::less<>>& codes() const { return codes_; }
  void reset() {
    total_ = 0;
    codes_.clear();
  }

 private:
  uint64_t total_ = 0;
  std::map<std::string, uint64_t, std::less<>> codes_;
};

}  // namespace erdtree::command
