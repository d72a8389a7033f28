#pragma once
// Pub/Sub routing: channel and pattern subscriptions per session, and
// delivery of PUBLISHed messages to the subscribers' output. The command
// layer never sees sockets: a subscriber's output is reached through the
// ReplySink its session carries (the server implements it per connection).
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace erdtree::command {

struct Session;

// Where replies for a client other than the caller go.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  virtual std::string& buffer() = 0;
  // Bytes were appended: schedule the write and check the client's limits.
  virtual void appended() = 0;
};

class PubSubRegistry {
 public:
  // Each returns false when the session already had (or did not have) it.
  bool subscribe(Session& s, std::string_view channel);
  bool unsubscribe(Session& s, std::string_view channel);
  bool psubscribe(Session& s, std::string_view pattern);
  bool punsubscribe(Session& s, std::string_view pattern);
  void unsubscribeAll(Session& s);  // a closing client

  // Delivers to channel and pattern subscribers; returns how many received it.
  size_t publish(std::string_view channel, std::string_view message);

  std::vector<std::string> channels(std::string_view pattern, bool all) const;
  size_t subscribers(std::string_view channel) const;
  size_t patternCount() const { return patternSubscriptions_; }

 private:
  std::unordered_map<std::string, std::vector<Session*>> channels_;
  std::unordered_map<std::string, std::vector<Session*>> patterns_;
  size_t patternSubscriptions_ = 0;  // NUMPAT counts distinct patterns, as Redis
};

}  // namespace erdtree::command
