#include "erdtree/repl/replication_ids.h"

#include "erdtree/util/random.h"

namespace erdtree::repl {

std::string ReplicationIds::newReplid() {
  static const char kHex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (size_t i = 0; i < id.size(); i += 16) {
    uint64_t r = util::randomU64();
    for (size_t j = i; j < i + 16 && j < id.size(); ++j, r >>= 4) id[j] = kHex[r & 15];
  }
  return id;
}

void ReplicationIds::shift() {
  replid2 = replid;
  secondOffset = offset + 1;
  replid = newReplid();
}

void ReplicationIds::clearSecond() {
  replid2.assign(40, '0');
  secondOffset = -1;
}

}  // namespace erdtree::repl
