#pragma once
// Configuration: defaults from the embedded conf/erdtree.toml, then an optional
// TOML file (--config FILE), then --name value flags, then CONFIG SET at run
// time. Names are Redis's, so CONFIG GET/SET and redis-server style flags mean
// what a Redis user expects.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "erdtree/config/settings.h"

namespace erdtree::config {

class Config {
 public:
  Config();

  const Settings& settings() const { return settings_; }
  Settings& mutableSettings() { return settings_; }

  // Loads TOML text (tables [server] [aof] [limits] [memory] [replication]).
  // Returns "" on success or a message naming the offending setting.
  std::string loadTomlText(const std::string& text, const std::string& sourceName);
  std::string loadTomlFile(const std::string& path);
  // A redis.conf (redis_conf.h) with `options` (redis-server's --name value
  // flags as lines) appended. Returns "" or the complete text Redis prints
  // for the error ("*** FATAL CONFIG FILE ERROR ..."); see redisConfFormat().
  std::string loadRedisConfFile(const std::string& path, const std::string& options);
  // The same for text without a file (the command line's flags alone, over
  // erdtree's defaults when redisDefaults is false; unit tests).
  std::string loadRedisConfText(const std::string& text, bool redisDefaults = true);
  // The loaded file is a redis.conf (errors and CONFIG REWRITE use Redis's format).
  bool redisConfFormat() const { return redisConf_; }
  // Command names rename-command may name (lower case); empty: any name.
  void setKnownCommands(std::vector<std::string> names) { knownCommands_ = std::move(names); }
  // rename-command lines in file order: {old name, new name or "" to disable}.
  const std::vector<std::pair<std::string, std::string>>& commandRenames() const { return commandRenames_; }
  // Warnings for the log once it is open (directives accepted but not applied).
  const std::vector<std::string>& startupWarnings() const { return startupWarnings_; }
  // Parses argv as redis-server does: an optional leading config file path,
  // `--config FILE`, and `--name value [value...]` pairs. A redis.conf (or no
  // file) takes the flags as lines after it, in Redis's format (errors too);
  // a TOML file takes them one by one after it. "" on success.
  std::string applyCommandLine(int argc, char** argv);

  // CONFIG SET semantics; startup=true also allows immutable settings.
  // Returns "" on success or the reason (Redis's wording, without prefix).
  std::string set(std::string_view name, std::string_view value, bool startup);
  // CONFIG GET semantics: every setting whose name matches the glob, in table
  // order, each name once.
  std::vector<std::pair<std::string, std::string>> get(std::string_view pattern) const;
  bool known(std::string_view name) const;

  // Called after a successful run-time change of `name`.
  using Listener = std::function<void(std::string_view name)>;
  void onChange(Listener listener) { listeners_.push_back(std::move(listener)); }

  // The file given at start-up (absolute path), "" when none.
  const std::string& configFile() const { return configFile_; }
  // CONFIG REWRITE (config_rewrite.h): "" or the error (Redis's wording,
  // without the ERR prefix).
  std::string rewrite() const;

 private:
  friend class RedisConfReader;
  Settings settings_;
  std::string configFile_;
  bool redisConf_ = false;
  std::vector<std::string> knownCommands_;
  std::vector<std::pair<std::string, std::string>> commandRenames_;
  std::vector<std::string> startupWarnings_;
  std::vector<Listener> listeners_;
};

// The text of conf/erdtree.toml, embedded at build time.
std::string_view embeddedDefaultConfig();

}  // namespace erdtree::config
