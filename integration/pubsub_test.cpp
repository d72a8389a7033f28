// Pub/Sub: subscription replies, delivery, patterns, the RESP2 subscribed
// context, PUBSUB introspection, RESP3 push frames, and a slow subscriber cut
// off by its output buffer limit instead of growing the server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/client.h"
#include "harness/shared_server.h"

namespace erdtree::itest {
namespace {

class PubSub : public SharedServerTest<PubSub> {};

TEST_F(PubSub, SubscribePublishAndPatterns) {
  Client sub(port());
  Client pub(port());
  EXPECT_EQ(show(sub.cmd({"SUBSCRIBE", "news", "sport"})), "[\"subscribe\", \"news\", :1]");
  EXPECT_EQ(show(sub.getReply()), "[\"subscribe\", \"sport\", :2]");
  EXPECT_EQ(show(sub.cmd({"PSUBSCRIBE", "n*"})), "[\"psubscribe\", \"n*\", :3]");
  EXPECT_EQ(show(pub.cmd({"PUBLISH", "news", "hello"})), ":2");  // channel + pattern
  EXPECT_EQ(show(sub.getReply()), "[\"message\", \"news\", \"hello\"]");
  EXPECT_EQ(show(sub.getReply()), "[\"pmessage\", \"n*\", \"news\", \"hello\"]");
  EXPECT_EQ(show(pub.cmd({"PUBLISH", "nobody", "x"})), ":1");  // pattern only
  EXPECT_EQ(show(sub.getReply()), "[\"pmessage\", \"n*\", \"nobody\", \"x\"]");
  EXPECT_EQ(show(pub.cmd({"PUBLISH", "other", "x"})), ":0");
  EXPECT_EQ(show(sub.cmd({"UNSUBSCRIBE", "news"})), "[\"unsubscribe\", \"news\", :2]");
  EXPECT_EQ(show(sub.cmd({"PUNSUBSCRIBE"})), "[\"punsubscribe\", \"n*\", :1]");
  EXPECT_EQ(show(sub.cmd({"UNSUBSCRIBE"})), "[\"unsubscribe\", \"sport\", :0]");
  EXPECT_EQ(show(sub.cmd({"UNSUBSCRIBE"})), "[\"unsubscribe\", (nil), :0]");
  EXPECT_EQ(show(sub.cmd({"GET", "k"})), "(nil)");  // back to a normal client
}

TEST_F(PubSub, Resp2SubscribedContextAllowsOnlySomeCommands) {
  Client sub(port());
  EXPECT_EQ(show(sub.cmd({"SUBSCRIBE", "c"})), "[\"subscribe\", \"c\", :1]");
  EXPECT_EQ(show(sub.cmd({"GET", "k"})),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
            "in this context");
  EXPECT_EQ(show(sub.cmd({"PING"})), "[\"pong\", \"\"]");
  EXPECT_EQ(show(sub.cmd({"PING", "hi"})), "[\"pong\", \"hi\"]");
}

TEST_F(PubSub, Introspection) {
  Client a(port()), b(port());
  a.cmd({"SUBSCRIBE", "alpha"});
  b.cmd({"SUBSCRIBE", "alpha"});
  b.cmd({"SUBSCRIBE", "beta"});
  a.cmd({"PSUBSCRIBE", "x*"});
  b.cmd({"PSUBSCRIBE", "x*"});
  Client q(port());
  Reply ch = q.cmd({"PUBSUB", "CHANNELS"});
  std::vector<std::string> names = ch.strings();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(show(q.cmd({"PUBSUB", "CHANNELS", "b*"})), "[\"beta\"]");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "NUMSUB", "alpha", "beta", "none"})), "[\"alpha\", :2, \"beta\", :1, \"none\", :0]");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "NUMPAT"})), ":1");  // distinct patterns
  std::string list = q.cmd({"CLIENT", "LIST", "TYPE", "pubsub"}).str;
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 2) << list;
  EXPECT_NE(list.find("flags=P"), std::string::npos) << list;
}

// Found by tools/difftest (pubsub family): CHANNELS with two patterns is
// the handler's syntax error with the subcommand as typed; the shard
// subcommands of Redis 7.0 exist (no client has shard channels here: SSUBSCRIBE
// is not implemented).
TEST_F(PubSub, IntrospectionErrorsAndShardSubcommands) {
  Client q(port());
  EXPECT_EQ(show(q.cmd({"PUBSUB", "channels", "a", "b"})),
            "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.");
  EXPECT_EQ(show(q.cmd({"pubsub", "SHARDCHANNELS", "a", "b"})),
            "-ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB HELP.");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "NUMPAT", "x"})), "-ERR wrong number of arguments for 'pubsub|numpat' command");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "SHARDCHANNELS"})), "[]");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "SHARDCHANNELS", "*"})), "[]");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "SHARDNUMSUB", "a", "b"})), "[\"a\", :0, \"b\", :0]");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "SHARDNUMSUB"})), "[]");
  EXPECT_EQ(q.cmd({"PUBSUB", "HELP"}).elements.size(), 14u);
  // Subscribed (RESP2): the shard subcommands are refused like the others.
  EXPECT_EQ(show(q.cmd({"SUBSCRIBE", "c"})), "[\"subscribe\", \"c\", :1]");
  EXPECT_EQ(show(q.cmd({"PUBSUB", "SHARDNUMSUB"})),
            "-ERR Can't execute 'pubsub|shardnumsub': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
            "are allowed in this context");
  EXPECT_EQ(show(q.cmd({"PUNSUBSCRIBE"})), "[\"punsubscribe\", (nil), :1]");
  EXPECT_EQ(show(q.cmd({"UNSUBSCRIBE"})), "[\"unsubscribe\", \"c\", :0]");
}

TEST_F(PubSub, Resp3UsesPushFramesAndAllowsAnyCommand) {
  RawConnection sub(port());
  sub.send("HELLO 3\r\n");
  sub.readAvailable(100);
  sub.send("SUBSCRIBE c\r\n");
  EXPECT_EQ(sub.readExactly(std::string(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n").size()),
            ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  sub.send("GET missing\r\n");
  EXPECT_EQ(sub.readExactly(3), "_\r\n");
  Client pub(port());
  EXPECT_EQ(show(pub.cmd({"PUBLISH", "c", "m"})), ":1");
  std::string msg = ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n";
  EXPECT_EQ(sub.readExactly(msg.size()), msg);
  // PUBSUB NUMSUB stays a flat channel/count array under RESP3, as in Redis
  // 7.0 (a map only from 7.2); node-redis 6's pubSubNumSub() reads an array.
  sub.send("PUBSUB NUMSUB c none\r\n");
  std::string numsub = "*4\r\n$1\r\nc\r\n:1\r\n$4\r\nnone\r\n:0\r\n";
  EXPECT_EQ(sub.readExactly(numsub.size()), numsub);
  sub.send("PUBSUB NUMSUB\r\n");
  EXPECT_EQ(sub.readExactly(4), "*0\r\n");
}

TEST(PubSubLimits, SlowSubscriberIsCutOffByItsOutputLimit) {
  ServerProcess server({"--client-output-buffer-limit", "pubsub 1mb 256kb 60"});
  server.start();
  RawConnection slow(server.port());
  slow.send("SUBSCRIBE firehose\r\n");
  slow.readAvailable(100);
  Client pub(server.port());
  std::string payload(64 * 1024, 'x');
  // The subscriber reads nothing; 64 MB published must not pile up for it.
  long long delivered = 0;
  for (int i = 0; i < 1000; ++i) delivered += pub.cmd({"PUBLISH", "firehose", payload}).integer;
  EXPECT_LT(delivered, 1000) << "the slow subscriber was never cut off";
  EXPECT_TRUE(waitFor([&] { return pub.cmd({"PUBSUB", "NUMSUB", "firehose"}).elements.at(1).integer == 0; }, 5000));
  EXPECT_EQ(pub.cmd({"CLIENT", "LIST", "TYPE", "pubsub"}).str, "");
}

TEST(PubSubLimits, SubscribersAreExemptFromTheIdleTimeout) {
  ServerProcess server({"--timeout", "1"});
  server.start();
  Client subscriber(server.port(), 5000);
  subscriber.append({"SUBSCRIBE", "news"});
  subscriber.flush();
  EXPECT_EQ(subscriber.getReply().elements.size(), 3u);
  Client idle(server.port(), 5000);
  EXPECT_EQ(idle.cmd({"PING"}).repr(), "+PONG");
  EXPECT_TRUE(idle.waitDisconnected(4000));  // a plain client idle past 1 s is closed
  Client pub(server.port(), 5000);
  EXPECT_EQ(pub.cmd({"PUBLISH", "news", "still here"}).integer, 1);
  EXPECT_EQ(subscriber.getReply().elements.at(2).str, "still here");
}

}  // namespace
}  // namespace erdtree::itest
