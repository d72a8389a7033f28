#include "erdtree/config/config.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml.hpp>

#include "erdtree/config/config_rewrite.h"
#include "erdtree/config/config_table.h"
#include "erdtree/config/redis_conf.h"
#include "erdtree/persist/file_io.h"
#include "toml_text.h"
#include "erdtree/util/glob.h"

namespace erdtree::config {

Config::Config() {
  std::string err = loadTomlText(std::string(embeddedDefaultConfig()), "embedded conf/erdtree.toml");
  if (!err.empty()) throw std::runtime_error(err);  // a broken embedded file is a build bug
}

std::string Config::loadTomlText(const std::string& text, const std::string& sourceName) {
  toml::value root;
  try {
    std::istringstream in(text);
    root = toml::parse(in, sourceName);
  } catch (const std::exception& e) {
    return std::string("cannot parse ") + sourceName + ": " + e.what();
  }
  if (!root.is_table()) return sourceName + ": not a TOML table";
  for (const auto& [tableName, tableValue] : root.as_table()) {
    if (!tableValue.is_table()) return sourceName + ": setting '" + tableName + "' must be inside a table such as [server]";
    for (const auto& [key, value] : tableValue.as_table()) {
      const SettingDescriptor* d = findSetting(key);
      if (d == nullptr) return sourceName + ": unknown setting '" + key + "' in [" + tableName + "]";
      if (d->table != tableName)
        return sourceName + ": setting '" + key + "' belongs in [" + std::string(d->table) + "], not [" + tableName + "]";
      std::string text;
      if (!tomlToText(value, text)) return sourceName + ": setting '" + key + "' has an unsupported value type";
      std::string err = d->parse(settings_, text);
      if (!err.empty()) return sourceName + ": bad value for '" + key + "': " + err;
    }
  }
  return "";
}

std::string Config::loadTomlFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot open config file '" + path + "'";
  std::stringstream ss;
  ss << in.rdbuf();
  // Absolute: the server changes into `dir` later, and CONFIG REWRITE must
  // still find the file.
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  configFile_ = ec ? path : abs.lexically_normal().string();
  return loadTomlText(ss.str(), path);
}

namespace {

// The file named by the command line: the first argument, or --config FILE.
// Sets fileArg to its index (the --config flag is at fileArg - 1).
std::string configFileArgument(int argc, char** argv, int& fileArg) {
  fileArg = -1;
  if (argc > 1 && std::string_view(argv[1]).rfind("--", 0) != 0) {
    fileArg = 1;
    return argv[1];
  }
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--config" && std::string_view(argv[i + 1]).rfind("--", 0) != 0 &&
        (i + 2 == argc || std::string_view(argv[i + 2]).rfind("--", 0) == 0)) {
      fileArg = i + 1;
      return argv[i + 1];
    }
  }
  return "";
}

}  // namespace

std::string Config::applyCommandLine(int argc, char** argv) {
  // A redis.conf takes the flags as Redis does: as lines after the file.
  int fileArg = -1;
  const std::string file = configFileArgument(argc, argv, fileArg);
  if (file.empty()) {
    // Flags alone read as redis-server reads them, over erdtree's defaults.
    return loadRedisConfText(redisOptionLines(argc, argv, 1), false);
  }
  {
    std::ifstream in(file, std::ios::binary);
    std::stringstream head;
    if (in) head << in.rdbuf();
    if (isRedisConf(file, head.str())) {
      std::vector<char*> rest(argv, argv + argc);
      const int flagAt = fileArg == 1 ? 1 : fileArg - 1;  // the file, or --config FILE
      rest.erase(rest.begin() + flagAt, rest.begin() + fileArg + 1);
      return loadRedisConfFile(file, redisOptionLines(static_cast<int>(rest.size()), rest.data(), 1));
    }
  }
  int i = 1;
  bool saveSeen = false;  // a later --save adds rules, as repeated save lines do in redis.conf
  // redis-server style: the first argument may be the configuration file.
  if (i < argc && std::string_view(argv[i]).rfind("--", 0) != 0) {
    std::string err = loadTomlFile(argv[i]);
    if (!err.empty()) return err;
    ++i;
  }
  while (i < argc) {
    std::string_view flag(argv[i]);
    if (flag.rfind("--", 0) != 0 || flag.size() == 2) return "unexpected argument '" + std::string(flag) + "'";
    std::string name(flag.substr(2));
    ++i;
    // Values run to the next --flag; several words are joined as redis-server does.
    std::string value;
    int words = 0;
    while (i < argc && std::string_view(argv[i]).rfind("--", 0) != 0) {
      if (words++ > 0) value += ' ';
      value += argv[i++];
    }
    if (name == "config") {
      if (words != 1) return "--config needs exactly one file name";
      std::string err = loadTomlFile(value);
      if (!err.empty()) return err;
      continue;
    }
    if (findSetting(name) == nullptr) return "unknown setting '" + name + "'";
    if (words == 0) return "setting '" + name + "' needs a value";
    if (name == "save") {
      const std::string before = findSetting("save")->format(settings_);
      if (saveSeen && !before.empty() && !value.empty()) value = before + " " + value;
      saveSeen = true;
    }
    std::string err = set(name, value, true);
    if (!err.empty()) return "bad value for '" + name + "': " + err;
  }
  return "";
}

std::string Config::set(std::string_view name, std::string_view value, bool startup) {
  const SettingDescriptor* d = findSetting(name);
  if (d == nullptr) return "unknown";
  if (!startup && !d->mutableAtRuntime) return "can't set immutable config";
  // "local" would admit loopback clients only; every client is treated alike here.
  if (!startup && d->isProtected && settings_.enableProtectedConfigs == "no") return "can't set protected config";
  std::string err = d->parse(settings_, value);
  if (!err.empty()) return err;
  if (!startup)
    for (const auto& l : listeners_) l(d->name);
  return "";
}

std::vector<std::pair<std::string, std::string>> Config::get(std::string_view pattern) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& d : settingDescriptors())
    if (util::globMatch(pattern, d.name, true)) out.emplace_back(std::string(d.name), d.format(settings_));
  return out;
}

std::string Config::rewrite() const {
  if (configFile_.empty()) return "The server is running without a config file";
  std::ifstream in(configFile_, std::ios::binary);
  if (!in) return std::string("Rewriting config file: ") + std::strerror(errno);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text;
  if (redisConf_) {
    Settings defaults = Config().settings();
    applyRedisBaseline(defaults);
    text = rewriteRedisConfText(ss.str(), settings_, defaults);
  } else {
    text = rewriteTomlText(ss.str(), settings_, Config().settings());
  }
  // A temp file, fsynced, renamed over the old one: a crash leaves either
  // file whole (Sentinel rewrites the roles with this after a failover).
  const std::string tmp = configFile_ + ".tmp-rewrite";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return persist::errnoText("Rewriting config file", errno);
  int err = persist::writeAll(fd, text);
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err != 0) {
    std::remove(tmp.c_str());
    return persist::errnoText("Rewriting config file", err);
  }
  if (std::rename(tmp.c_str(), configFile_.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    return "Rewriting config file: " + err;
  }
  return "";
}

bool Config::known(std::string_view name) const { return findSetting(name) != nullptr; }

}  // namespace erdtree::config
