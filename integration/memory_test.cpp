// Memory accounting: used_memory (the allocation counter) against the data
// loaded and the process's RSS, INFO memory's fields, MEMORY USAGE for every
// type, MEMORY STATS's shape and the MEMORY subcommands' errors (Redis 7.0's).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/client.h"
#include "harness/shared_server.h"

namespace erdtree::itest {
namespace {

class MemoryTest : public SharedServerTest<MemoryTest> {
 public:
  // No log: its buffer would keep the capacity of the last burst (counted,
  // but in the way of "falls back after FLUSHALL").
  static std::vector<std::string> serverArgs() { return {"--appendonly", "no"}; }

 protected:

  static long long infoInt(const std::string& field) {
    auto m = parseInfo(cmd({"INFO", "memory"}).str);
    auto it = m.find(field);
    if (it == m.end()) {
      ADD_FAILURE() << "INFO memory has no " << field;
      return -1;
    }
    return std::stoll(it->second);
  }
  static long long usedMemory() { return infoInt("used_memory"); }
  static long long usage(const std::string& key) {
    Reply r = cmd({"MEMORY", "USAGE", key});
    EXPECT_EQ(r.type, Reply::Type::Integer) << r.repr();
    return r.integer;
  }
  static std::string serverPid() { return parseInfo(cmd({"INFO", "server"}).str)["process_id"]; }
  // An ASan build of the server (ERDTREE_SERVER_BIN may point at one): its
  // RSS holds the shadow memory and the quarantine.
  static bool serverSanitized() {
    std::ifstream f("/proc/" + serverPid() + "/maps");
    std::string line;
    while (std::getline(f, line))
      if (line.find("libasan") != std::string::npos) return true;
    return false;
  }
  static long long rssKb() {
    std::ifstream f("/proc/" + serverPid() + "/status");
    std::string line;
    while (std::getline(f, line))
      if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    return -1;
  }
  // n pipelined commands made by make(i).
  template <class Make>
  static void pipeline(int n, Make make) {
    for (int i = 0; i < n; ++i) client_->append(make(i));
    for (int i = 0; i < n; ++i) {
      Reply r = client_->getReply();
      ASSERT_FALSE(r.isError()) << r.repr();
    }
  }
};

TEST_F(MemoryTest, UsedMemoryFollowsA100kKeyLoadAndFallsBackAfterFlushall) {
  const long long before = usedMemory();
  const std::string value(100, 'v');
  pipeline(100000, [&](int i) { return std::vector<std::string>{"SET", "key:" + std::to_string(i), value}; });
  const long long loaded = usedMemory();
  // Each entry holds ~10 key bytes, 100 value bytes and a 6-byte header in one
  // block (usable 120 bytes), plus its table slot (~14-18 bytes a key).
  const long long perKey = (loaded - before) / 100000;
  EXPECT_GE(perKey, 116);
  EXPECT_LE(perKey, 160);
  // MEMORY USAGE names the same bytes the counter saw.
  EXPECT_GE(usage("key:1"), 112);  // ASan's usable size is the requested size
  EXPECT_LE(usage("key:1"), 136);
  ASSERT_EQ(run("FLUSHALL"), "+OK");
  const long long after = usedMemory();
  EXPECT_LE(after, before + (loaded - before) / 50) << "before " << before << " loaded " << loaded;
  EXPECT_GE(after + (loaded - before) / 50, before);
}

TEST_F(MemoryTest, UsedMemoryStaysCloseToTheHeapGrowthSeenInRss) {
  if (serverSanitized()) GTEST_SKIP() << "ASan's shadow memory and quarantine are in RSS";
  // Values of 1000 bytes: glibc's 8-byte chunk header is under 1%. Free
  // heap pages left by earlier tests go back to the kernel first, so the
  // load grows RSS instead of reusing them.
  ASSERT_EQ(run("MEMORY", "PURGE"), "+OK");
  const long long rssBefore = rssKb() * 1024, usedBefore = usedMemory();
  const std::string value(1000, 'x');
  pipeline(60000, [&](int i) { return std::vector<std::string>{"SET", "k" + std::to_string(i), value}; });
  const long long rssGrowth = rssKb() * 1024 - rssBefore, usedGrowth = usedMemory() - usedBefore;
  ASSERT_GT(usedGrowth, 60000LL * 1000);
  const double ratio = static_cast<double>(usedGrowth) / static_cast<double>(rssGrowth);
  EXPECT_GT(ratio, 0.95) << "used +" << usedGrowth << " rss +" << rssGrowth;
  EXPECT_LT(ratio, 1.05) << "used +" << usedGrowth << " rss +" << rssGrowth;
}

// Small entries live in the slab allocator (util/small_alloc.h): used_memory
// counts their slots, and RSS grows by about as much.
TEST_F(MemoryTest, SmallKeysGrowUsedMemoryAndRssAlike) {
  if (serverSanitized()) GTEST_SKIP() << "ASan's shadow memory and quarantine are in RSS";
  ASSERT_EQ(run("MEMORY", "PURGE"), "+OK");
  const long long rssBefore = rssKb() * 1024, usedBefore = usedMemory();
  pipeline(300000, [&](int i) { return std::vector<std::string>{"SET", "s:" + std::to_string(1000000 + i), "0123456789"}; });
  const long long rssGrowth = rssKb() * 1024 - rssBefore, usedGrowth = usedMemory() - usedBefore;
  // 6 header + 9 key + 10 value bytes: 25 in a 32-byte slot, plus the table.
  EXPECT_GE(usedGrowth / 300000, 40);
  EXPECT_LE(usedGrowth / 300000, 64);
  EXPECT_EQ(usage("s:1000000"), 32 + 8);  // the slot and the table's pointer to it
  const double ratio = static_cast<double>(usedGrowth) / static_cast<double>(rssGrowth);
  EXPECT_GT(ratio, 0.9) << "used +" << usedGrowth << " rss +" << rssGrowth;
  EXPECT_LT(ratio, 1.1) << "used +" << usedGrowth << " rss +" << rssGrowth;
  ASSERT_EQ(run("FLUSHALL"), "+OK");
}

// FLUSHALL ASYNC frees the entries on the lazy-free thread; the loop puts
// their slots back in bounded slices and empty slab pages leave RSS.
TEST_F(MemoryTest, EntriesFreedInTheBackgroundReturnToTheSlabs) {
  auto slabField = [](const std::string& name) {
    const std::string text = cmd({"MEMORY", "MALLOC-STATS"}).str;
    const size_t at = text.find(" " + name + "=");
    EXPECT_NE(at, std::string::npos) << text.substr(0, 200);
    return at == std::string::npos ? -1LL : std::stoll(text.substr(at + name.size() + 2));
  };
  const long long blocksBefore = slabField("live_blocks");
  pipeline(200000, [&](int i) { return std::vector<std::string>{"SET", "f:" + std::to_string(i), "v"}; });
  EXPECT_GE(slabField("live_blocks"), blocksBefore + 200000);
  const long long pagesLoaded = slabField("pages");
  ASSERT_EQ(run("FLUSHALL", "ASYNC"), "+OK");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (slabField("live_blocks") > blocksBefore + 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_LE(slabField("live_blocks"), blocksBefore + 100);
  EXPECT_EQ(slabField("remote_pending"), 0);
  EXPECT_LT(slabField("pages"), pagesLoaded / 2);
}

TEST_F(MemoryTest, InfoMemoryHasRedis70FieldsInOrder) {
  static const char* const kFields[] = {
      "used_memory", "used_memory_human", "used_memory_rss", "used_memory_rss_human", "used_memory_peak",
      "used_memory_peak_human", "used_memory_peak_perc", "used_memory_overhead", "used_memory_startup",
      "used_memory_dataset", "used_memory_dataset_perc", "allocator_allocated", "allocator_active",
      "allocator_resident", "total_system_memory", "total_system_memory_human", "used_memory_lua",
      "used_memory_vm_eval", "used_memory_lua_human", "used_memory_scripts_eval", "number_of_cached_scripts",
      "number_of_functions", "number_of_libraries", "used_memory_vm_functions", "used_memory_vm_total",
      "used_memory_vm_total_human", "used_memory_functions", "used_memory_scripts", "used_memory_scripts_human",
      "maxmemory", "maxmemory_human", "maxmemory_policy", "allocator_frag_ratio", "allocator_frag_bytes",
      "allocator_rss_ratio", "allocator_rss_bytes", "rss_overhead_ratio", "rss_overhead_bytes",
      "mem_fragmentation_ratio", "mem_fragmentation_bytes", "mem_not_counted_for_evict", "mem_replication_backlog",
      "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal", "mem_cluster_links",
      "mem_aof_buffer", "mem_allocator", "active_defrag_running", "lazyfree_pending_objects", "lazyfreed_objects"};
  Reply r = cmd({"INFO", "memory"});
  std::vector<std::string> names;
  size_t pos = r.str.find("\r\n") + 2;  // after "# Memory"
  while (pos < r.str.size()) {
    size_t end = r.str.find("\r\n", pos);
    std::string line = r.str.substr(pos, end - pos);
    if (!line.empty()) names.push_back(line.substr(0, line.find(':')));
    pos = end + 2;
  }
  EXPECT_EQ(names, std::vector<std::string>(std::begin(kFields), std::end(kFields)));
  auto m = parseInfo(r.str);
  EXPECT_EQ(m["mem_allocator"], "libc");
  EXPECT_EQ(m["maxmemory_policy"], "noeviction");
  const long long used = std::stoll(m["used_memory"]);
  EXPECT_GE(std::stoll(m["used_memory_peak"]), used);
  EXPECT_GT(std::stoll(m["used_memory_startup"]), 0);
  EXPECT_LE(std::stoll(m["used_memory_startup"]), used);
  EXPECT_EQ(std::stoll(m["used_memory_overhead"]) + std::stoll(m["used_memory_dataset"]), used);
  EXPECT_GT(std::stoll(m["used_memory_rss"]), 0);

  // The peak follows a burst and stays after it is freed.
  pipeline(1, [](int) { return std::vector<std::string>{"SET", "big", std::string(4 << 20, 'b')}; });
  const long long withBig = usedMemory();
  ASSERT_EQ(run("DEL", "big"), ":1");
  EXPECT_GE(infoInt("used_memory_peak"), withBig);
  EXPECT_LT(usedMemory(), withBig - (4 << 20) + (64 << 10));
}

// For every type: MEMORY USAGE grows with the element size, and a large value's
// figure matches what used_memory grew by.
TEST_F(MemoryTest, MemoryUsageGrowsWithValueSizeForEveryType) {
  struct Type {
    const char* name;
    std::vector<std::string> (*add)(const std::string& key, int i, const std::string& payload);
  };
  const Type types[] = {
      {"string", [](const std::string& k, int, const std::string& p) { return std::vector<std::string>{"APPEND", k, p}; }},
      {"list", [](const std::string& k, int, const std::string& p) { return std::vector<std::string>{"RPUSH", k, p}; }},
      {"hash", [](const std::string& k, int i, const std::string& p) { return std::vector<std::string>{"HSET", k, "f" + std::to_string(i), p}; }},
      {"set", [](const std::string& k, int i, const std::string& p) { return std::vector<std::string>{"SADD", k, std::to_string(i) + p}; }},
      {"zset", [](const std::string& k, int i, const std::string& p) { return std::vector<std::string>{"ZADD", k, std::to_string(i), std::to_string(i) + p}; }},
  };
  // Under ASan usable sizes are the requested sizes, so the chunk headers
  // MEMORY USAGE adds weigh more against what the counter frees.
  const double headerSlack = serverSanitized() ? 1.35 : 1.2;
  for (const Type& t : types) {
    SCOPED_TRACE(t.name);
    long long last = 0;
    for (size_t size : {10u, 100u, 1000u}) {
      const std::string key = std::string(t.name) + ":" + std::to_string(size);
      const std::string payload(size, 'p');
      pipeline(500, [&](int i) { return t.add(key, i, payload); });
      const long long bytes = usage(key);
      EXPECT_GE(bytes, 500LL * static_cast<long long>(size)) << key;
      EXPECT_GT(bytes, last) << key;
      last = bytes;
      // The key's figure against what deleting it gives back to the counter
      // (client buffers stay put between these two small commands). Hash
      // fields and set members also count glibc's 8-byte chunk header, which
      // the counter (usable sizes, as Redis) leaves out.
      const long long before = usedMemory();
      ASSERT_EQ(run("DEL", key), ":1");
      const long long freed = before - usedMemory();
      EXPECT_GE(static_cast<double>(bytes), 0.9 * static_cast<double>(freed)) << key << " freed " << freed;
      EXPECT_LE(static_cast<double>(bytes), headerSlack * static_cast<double>(freed) + 256) << key << " freed " << freed;
      pipeline(500, [&](int i) { return t.add(key, i, payload); });
    }
  }
  EXPECT_EQ(run("MEMORY", "USAGE", "string:10", "SAMPLES", "0"), show(cmd({"MEMORY", "USAGE", "string:10"})));
  EXPECT_EQ(run("MEMORY", "USAGE", "set:10", "SAMPLES", "3"), show(cmd({"MEMORY", "USAGE", "set:10"})));
}

TEST_F(MemoryTest, MemoryUsageErrorsAreRedis) {
  ASSERT_EQ(run("SET", "foo", "bar"), "+OK");
  EXPECT_EQ(run("MEMORY", "USAGE", "nokey"), "(nil)");
  EXPECT_EQ(run("MEMORY", "USAGE", "foo", "SAMPLES"), "-ERR syntax error");
  EXPECT_EQ(run("MEMORY", "USAGE", "foo", "SAMPLES", "x"), "-ERR value is not an integer or out of range");
  EXPECT_EQ(run("MEMORY", "USAGE", "foo", "SAMPLES", "-1"), "-ERR syntax error");
  EXPECT_EQ(run("MEMORY", "USAGE", "foo", "bar"), "-ERR syntax error");
  EXPECT_EQ(run("MEMORY", "USAGE"), "-ERR wrong number of arguments for 'memory|usage' command");
  EXPECT_EQ(run("MEMORY", "foo"), "-ERR unknown subcommand 'foo'. Try MEMORY HELP.");
  EXPECT_EQ(run("MEMORY", "STATS", "x"), "-ERR wrong number of arguments for 'memory|stats' command");
  EXPECT_EQ(run("MEMORY", "PURGE"), "+OK");
  EXPECT_EQ(cmd({"MEMORY", "DOCTOR"}).str.rfind("Hi Sam, this instance is empty", 0), 0u);
  EXPECT_FALSE(cmd({"MEMORY", "MALLOC-STATS"}).str.empty());
  Reply help = cmd({"MEMORY", "HELP"});
  ASSERT_EQ(help.elements.size(), 14u);
  EXPECT_EQ(help.elements[0].str, "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
}

TEST_F(MemoryTest, MemoryStatsHasRedisFieldsAndAdds) {
  pipeline(1000, [](int i) { return std::vector<std::string>{"SET", "s" + std::to_string(i), "value"}; });
  Reply r = cmd({"MEMORY", "STATS"});
  ASSERT_EQ(r.type, Reply::Type::Array) << r.repr();
  std::vector<std::string> names;
  std::map<std::string, const Reply*> values;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    names.push_back(r.elements[i].str);
    values[r.elements[i].str] = &r.elements[i + 1];
  }
  const std::vector<std::string> expected = {
      "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog", "clients.slaves",
      "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches", "db.0", "overhead.total",
      "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage", "peak.percentage",
      "allocator.allocated", "allocator.active", "allocator.resident", "allocator-fragmentation.ratio",
      "allocator-fragmentation.bytes", "allocator-rss.ratio", "allocator-rss.bytes", "rss-overhead.ratio",
      "rss-overhead.bytes", "fragmentation", "fragmentation.bytes"};
  EXPECT_EQ(names, expected);
  const Reply& db0 = *values["db.0"];
  ASSERT_EQ(db0.elements.size(), 6u) << db0.repr();
  EXPECT_EQ(db0.elements[0].str, "overhead.hashtable.main");
  EXPECT_GT(db0.elements[1].integer, 0);
  EXPECT_EQ(db0.elements[2].str, "overhead.hashtable.expires");
  EXPECT_EQ(db0.elements[4].str, "overhead.hashtable.slot-to-keys");
  EXPECT_EQ(values["keys.count"]->integer, 1000);
  const long long total = values["total.allocated"]->integer;
  EXPECT_GE(values["peak.allocated"]->integer, total);
  EXPECT_EQ(values["overhead.total"]->integer + values["dataset.bytes"]->integer, total);
  EXPECT_GT(values["clients.normal"]->integer, 0);
  const double perKey = static_cast<double>(values["keys.bytes-per-key"]->integer);
  EXPECT_GT(perKey, 20);
  EXPECT_LT(perKey, 200);
  EXPECT_GT(std::stod(values["fragmentation"]->str), 0.0);
}

}  // namespace
}  // namespace erdtree::itest
