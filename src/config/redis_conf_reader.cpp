// redis.conf loading, line for line as Redis 7.0's loadServerConfig and
// loadServerConfigFromString: the same order of checks, so the same file
// fails at the same line with the same words.
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "erdtree/config/config.h"
#include "erdtree/config/config_table.h"
#include "erdtree/config/redis_args.h"
#include "erdtree/config/redis_conf.h"
#include "erdtree/config/redis_directives.h"

namespace erdtree::config {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trimRedis(std::string_view s) {  // sdstrim(line, " \t\r\n")
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string join(const std::vector<std::string>& words, size_t from) {
  std::string out;
  for (size_t i = from; i < words.size(); ++i) {
    if (i > from) out += ' ';
    out += words[i];
  }
  return out;
}

bool hasGlobChars(std::string_view p) { return p.find_first_of("*?[") != std::string_view::npos; }

// The file's bytes as fgets/sdscat collect them; false with errno set.
bool readWhole(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out += ss.str();
  return true;
}

// save's words as Redis's setConfigSaveOption checks them.
bool validSaveWords(const std::vector<std::string>& w) {
  if (w.size() % 2 != 0) return false;
  for (size_t j = 0; j < w.size(); ++j) {
    char* end = nullptr;
    const long long v = std::strtoll(w[j].c_str(), &end, 10);
    if (*end != '\0' || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) return false;
  }
  return true;
}

}  // namespace

std::string redisConfFatal(int lineNumber, std::string_view line, std::string_view reason) {
  std::string out = "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n";
  if (lineNumber > 0) {
    out += "Reading the configuration file, at line " + std::to_string(lineNumber) + "\n";
    out += ">>> '" + std::string(line) + "'\n";
  }
  out += std::string(reason) + "\n";
  return out;
}

class RedisConfReader {
 public:
  // missingDirIsFatal: a redis.conf (Redis's rule); flags on top of erdtree's
  // own defaults create a missing dir, as erdtree's TOML does.
  RedisConfReader(Config& config, bool missingDirIsFatal) : config_(config), missingDirIsFatal_(missingDirIsFatal) {
    for (const auto& n : config.knownCommands_) commands_.insert(n);
  }

  // loadServerConfig: the file (or every file a glob matches) plus options.
  std::string loadFile(const std::string& path, const std::string& options) {
    std::string text;
    std::string err = readConfigFile(path, underLoadDir(path), text);
    if (!err.empty()) return err;
    if (!options.empty()) text += "\n" + options;
    return loadText(text);
  }

  // loadServerConfigFromString.
  std::string loadText(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (true) {
      size_t nl = text.find('\n', start);
      lines.emplace_back(trimRedis(std::string_view(text).substr(start, nl == std::string::npos ? nl : nl - start)));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    std::vector<std::string> argv;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      if (line.empty() || line[0] == '#') continue;
      const int lineNumber = static_cast<int>(i) + 1;
      if (!splitRedisArgs(line, argv)) return redisConfFatal(lineNumber, line, "Unbalanced quotes in configuration line");
      if (argv.empty()) continue;
      argv[0] = lower(argv[0]);
      std::string err = directive(argv);
      if (err.empty()) continue;
      if (err.front() == '\n' || err.rfind("Fatal error", 0) == 0) return err;  // from an include
      return redisConfFatal(lineNumber, line, err);
    }
    // Redis opens the log file once the file is read, to fail now and not later.
    const std::string& logfile = config_.settings_.logfile;
    if (!logfile.empty()) {
      FILE* f = std::fopen(logfile.c_str(), "a");
      if (f == nullptr) return redisConfFatal(0, "", std::string("Can't open the log file: ") + std::strerror(errno));
      std::fclose(f);
    }
    return "";
  }

 private:
  // path as written (for the message), resolved: where it is read from.
  std::string readConfigFile(const std::string& path, const std::string& resolved, std::string& text) {
    if (!hasGlobChars(path)) {
      if (!readWhole(resolved, text))
        return "Fatal error, can't open config file '" + path + "': " + std::strerror(errno);
      return "";
    }
    // A pattern that matches nothing is not an error (an empty conf.d/).
    glob_t g{};
    if (::glob(resolved.c_str(), 0, nullptr, &g) == 0) {
      for (size_t k = 0; k < g.gl_pathc; ++k) {
        if (!readWhole(g.gl_pathv[k], text)) {
          std::string err = std::string("Fatal error, can't open config file '") + g.gl_pathv[k] + "': " +
                            std::strerror(errno);
          ::globfree(&g);
          return err;
        }
      }
    }
    ::globfree(&g);
    return "";
  }

  // One directive (argv[0] lower case). "" or the reason.
  std::string directive(const std::vector<std::string>& argv) {
    const std::string& name = argv[0];
    const size_t argc = argv.size();
    if (const SettingDescriptor* d = findSetting(name)) return setting(*d, argv);
    if (const UnsupportedDirective* u = findUnsupportedDirective(name)) {
      if (u->kind != ValueKind::kWords && argc != 2) return "wrong number of arguments";
      if (u->kind != ValueKind::kWords) {
        std::string err = checkUnsupportedValue(*u, argv[1]);
        if (!err.empty()) return err;
      }
      warnUnsupported(name);
      return "";
    }
    if (isDeprecatedIgnored(name) && argc == 2) return "";
    if (name == "include" && argc == 2) return loadFile(argv[1], "");
    if (name == "rename-command" && argc == 3) return renameCommand(argv[1], argv[2]);
    if ((name == "user" || name == "loadmodule") && argc >= 2) {
      warnUnsupported(name);
      return "";
    }
    if (name.find('.') != std::string::npos) {
      if (argc < 2) return "Module config specified without value";
      warnUnsupported(name);
      return "";
    }
    if (name == "sentinel") return argc == 1 ? "" : "sentinel directive while not in sentinel mode";
    return "Bad directive or wrong number of arguments";
  }

  std::string setting(const SettingDescriptor& d, const std::vector<std::string>& argv) {
    const std::string canonical(d.aliasOf.empty() ? d.name : d.aliasOf);
    std::vector<std::string> words;
    if (!takesSeveralWords(canonical)) {
      if (argv.size() != 2) return "wrong number of arguments";
      words.push_back(argv[1]);
    } else if (argv.size() == 2 && !argv[1].empty()) {
      // One quoted argument holding several words ("900 1"): Redis splits it.
      if (!splitRedisArgs(argv[1], words)) words.clear();
    } else {
      words.assign(argv.begin() + 1, argv.end());
    }
    if (canonical == "save") return save(words);
    if (canonical == "dir") return dir(words[0]);
    if (takesSeveralWords(canonical)) return config_.set(d.name, join(words, 0), true);
    return config_.set(d.name, words[0], true);
  }

  // Redis 7.0: the first save line of the load replaces the default rules,
  // later ones add to them; save "" clears. A bare save therefore clears only
  // as the first save line.
  std::string save(std::vector<std::string> words) {
    if (words.size() == 1 && words[0].empty()) {
      config_.settings_.save.clear();
      words.clear();
    }
    if (!validSaveWords(words)) return "Invalid save parameters";
    if (!saveLoaded_) {
      saveLoaded_ = true;
      config_.settings_.save.clear();
    }
    std::string value = findSetting("save")->format(config_.settings_);
    const std::string more = join(words, 0);
    if (!value.empty() && !more.empty()) value += ' ';
    value += more;
    return config_.set("save", value, true);
  }

  // Redis chdir()s as it reads `dir`: a missing directory is fatal, and later
  // relative paths (include, another dir) are relative to it. The setting
  // keeps the absolute path, which CONFIG GET dir shows in Redis too.
  std::string dir(const std::string& value) {
    if (!missingDirIsFatal_) return config_.set("dir", value, true);
    if (value.empty()) return std::strerror(ENOENT);
    const std::filesystem::path resolved = std::filesystem::path(underLoadDir(value)).lexically_normal();
    struct stat st {};
    if (::stat(resolved.c_str(), &st) != 0) return std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return std::strerror(ENOTDIR);
    std::error_code ec;
    loadDir_ = std::filesystem::absolute(resolved, ec);
    if (ec) loadDir_ = resolved;
    return config_.set("dir", loadDir_.string(), true);
  }

  // A relative path read after a dir line is relative to that directory.
  std::string underLoadDir(const std::string& path) const {
    if (loadDir_.empty() || path.empty() || path[0] == '/') return path;
    return (loadDir_ / path).string();
  }

  std::string renameCommand(const std::string& from, const std::string& to) {
    const std::string oldName = lower(from), newName = lower(to);
    if (!commands_.empty()) {
      if (commands_.erase(oldName) == 0) return "No such command in rename-command";
      if (!newName.empty() && !commands_.insert(newName).second) return "Target command name already exists";
    }
    config_.commandRenames_.emplace_back(oldName, newName);
    return "";
  }

  void warnUnsupported(const std::string& name) {
    if (!warned_.insert(name).second) return;
    std::string text = "Config directive '" + name + "' is not supported by Erdtree: accepted and ignored";
    // Ignoring ACL users changes who may connect: say so plainly.
    if (name == "user" || name == "aclfile")
      text += " (there are no ACL users: only requirepass protects this server)";
    config_.startupWarnings_.push_back(std::move(text));
  }

  Config& config_;
  const bool missingDirIsFatal_;
  std::filesystem::path loadDir_;  // the last dir line's directory; empty: the start-up one
  std::set<std::string> commands_;
  std::set<std::string> warned_;
  bool saveLoaded_ = false;
};

std::string Config::loadRedisConfFile(const std::string& path, const std::string& options) {
  redisConf_ = true;
  applyRedisBaseline(settings_);
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  configFile_ = ec ? path : abs.lexically_normal().string();
  RedisConfReader reader(*this, true);
  return reader.loadFile(path, options);
}

std::string Config::loadRedisConfText(const std::string& text, bool redisDefaults) {
  redisConf_ = true;
  if (redisDefaults) applyRedisBaseline(settings_);
  RedisConfReader reader(*this, redisDefaults);
  return reader.loadText(text);
}

void applyRedisBaseline(Settings& s) {
  s.appendonly = false;
  s.hashMaxListpackEntries = 512;
  s.dir = ".";
}

bool isRedisConf(std::string_view path, std::string_view text) {
  auto endsWith = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (endsWith(".conf")) return true;
  if (endsWith(".toml")) return false;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = trimRedis(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') return false;
    // TOML: a bare or quoted key, then '='. Redis: a directive, a blank, values.
    const size_t eq = line.find('=');
    const size_t blank = line.find_first_of(" \t");
    if (eq == std::string_view::npos) return true;
    if (blank == std::string_view::npos || eq < blank) return false;
    return trimRedis(line.substr(blank, eq - blank)).empty() ? false : true;
  }
  return false;  // nothing but comments: either way nothing to apply
}

std::string redisOptionLines(int argc, char** argv, int first) {
  std::string options;
  bool lastHadValue = true;  // Redis's handled_last_config_arg
  for (int j = first; j < argc; ++j) {
    std::string_view a(argv[j]);
    if (lastHadValue && a.size() >= 2 && a[0] == '-' && a[1] == '-') {
      if (!options.empty()) options += "\n";
      options += std::string(a.substr(2)) + " ";
      std::vector<std::string> words;
      splitRedisArgs(a, words);
      if (words.size() == 1) {
        lastHadValue = false;
        // --save with no value (last, or followed by another --flag) means save "".
        const bool isSave = lower(a) == "--save";
        const bool nextIsFlag = j + 1 < argc && std::string_view(argv[j + 1]).rfind("--", 0) == 0;
        if (isSave && (j + 1 == argc || nextIsFlag)) {
          options += "\"\"";
          lastHadValue = nextIsFlag;
        }
      } else {
        lastHadValue = true;
      }
    } else {
      options += quoteRedisArg(a) + " ";
      lastHadValue = true;
    }
  }
  return options;
}

}  // namespace erdtree::config
