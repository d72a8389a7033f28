#include "erdtree/command/lookup.h"

#include <algorithm>
#include <string>

#include "erdtree/util/numbers.h"

namespace erdtree::command {

bool parseIntArg(Context& ctx, std::string_view text, int64_t& out) {
  auto v = util::parseInt64(text);
  if (!v) {
    ctx.out.error(err::kNotInteger);
    return false;
  }
  out = *v;
  return true;
}

engine::Entry* makeStringEntry(Context& ctx, std::string_view key, std::string_view value, int64_t expireAtMs) {
  engine::Entry* e = engine::Entry::makeString(key, value, expireAtMs);
  e->setLru(engine::initialAccessField(ctx.svc.access, ctx.nowMs));
  return e;
}

std::string_view stringEncoding(const engine::Entry* e) {
  std::string_view v = e->stringValue();
  if (e->rawEncoded()) return "raw";
  if (!e->plainEncoded() && v.size() <= 20 && util::parseInt64(v)) return "int";
  return v.size() <= 44 ? "embstr" : "raw";
}

bool sharedInteger(const engine::Entry* e) {
  if (e->type() != engine::ValueType::String || e->unshared() || stringEncoding(e) != "int") return false;
  auto v = util::parseInt64(e->stringValue());
  return v && *v >= 0 && *v < 10000;
}

void replyWrongArity(Context& ctx) {
  std::string msg = "ERR wrong number of arguments for '";
  for (char c : ctx.arg(0)) msg.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  msg += "' command";
  ctx.out.error(msg);
}

void replySubcommandSyntaxError(Context& ctx) {
  auto printable = [](std::string_view v, size_t max) {
    std::string t(v.substr(0, std::min(v.find('\0'), max)));
    for (char& c : t) c = c == '\r' || c == '\n' ? ' ' : c;
    return t;
  };
  std::string cmd = printable(ctx.arg(0), std::string_view::npos);
  for (char& c : cmd) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  ctx.out.error("ERR unknown subcommand or wrong number of arguments for '" + printable(ctx.arg(1), 128) + "'. Try " +
                cmd + " HELP.");
}

}  // namespace erdtree::command
