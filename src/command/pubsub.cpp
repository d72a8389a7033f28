#include "erdtree/command/pubsub.h"

#include <algorithm>

#include "erdtree/command/context.h"
#include "erdtree/util/glob.h"

namespace erdtree::command {
namespace {

bool addTo(std::unordered_map<std::string, std::vector<Session*>>& map, std::vector<std::string>& own, Session& s,
           std::string_view name) {
  if (std::find(own.begin(), own.end(), name) != own.end()) return false;
  own.emplace_back(name);
  map[std::string(name)].push_back(&s);
  return true;
}

bool removeFrom(std::unordered_map<std::string, std::vector<Session*>>& map, std::vector<std::string>& own,
                Session& s, std::string_view name) {
  auto it = std::find(own.begin(), own.end(), name);
  if (it == own.end()) return false;
  own.erase(it);
  auto m = map.find(std::string(name));
  if (m != map.end()) {
    auto& v = m->second;
    v.erase(std::remove(v.begin(), v.end(), &s), v.end());
    if (v.empty()) map.erase(m);
  }
  return true;
}

// One pub/sub message frame: RESP3 push, RESP2 array.
// CLIENT REPLY OFF drops messages too (it is counted as a receiver all the same).
void writeMessage(Session& s, std::initializer_list<std::string_view> parts) {
  if (s.sink == nullptr || s.replyMode == Session::ReplyMode::kOff) return;
  resp::Writer w(s.sink->buffer(), s.protocol);
  w.pushHeader(parts.size());
  for (auto p : parts) w.bulk(p);
  s.sink->appended();
}

}  // namespace

bool PubSubRegistry::subscribe(Session& s, std::string_view channel) {
  return addTo(channels_, s.channels, s, channel);
}
bool PubSubRegistry::unsubscribe(Session& s, std::string_view channel) {
  return removeFrom(channels_, s.channels, s, channel);
}
bool PubSubRegistry::psubscribe(Session& s, std::string_view pattern) {
  bool added = addTo(patterns_, s.patterns, s, pattern);
  patternSubscriptions_ = patterns_.size();
  return added;
}
bool PubSubRegistry::punsubscribe(Session& s, std::string_view pattern) {
  bool removed = removeFrom(patterns_, s.patterns, s, pattern);
  patternSubscriptions_ = patterns_.size();
  return removed;
}

void PubSubRegistry::unsubscribeAll(Session& s) {
  while (!s.channels.empty()) unsubscribe(s, std::string(s.channels.back()));
  while (!s.patterns.empty()) punsubscribe(s, std::string(s.patterns.back()));
}

size_t PubSubRegistry::publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  if (auto it = channels_.find(std::string(channel)); it != channels_.end()) {
    for (Session* s : it->second) {
      writeMessage(*s, {"message", channel, message});
      ++receivers;
    }
  }
  for (const auto& [pattern, sessions] : patterns_) {
    if (!util::globMatch(pattern, channel)) continue;
    for (Session* s : sessions) {
      writeMessage(*s, {"pmessage", pattern, channel, message});
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSubRegistry::channels(std::string_view pattern, bool all) const {
  std::vector<std::string> out;
  for (const auto& [name, sessions] : channels_)
    if (all || util::globMatch(pattern, name)) out.push_back(name);
  return out;
}

size_t PubSubRegistry::subscribers(std::string_view channel) const {
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace erdtree::command
