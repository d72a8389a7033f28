#pragma once
// Redis's data-set digest (DEBUG DIGEST / DEBUG DIGEST-VALUE), computed the
// same way so an erdtree and a redis-server data set can be compared by one
// 40-hex-digit string. Built from two SHA-1 steps on a 20-byte state d:
//   xor(d, p): d ^= SHA1(p)        (order-free: set members, hash fields)
//   mix(d, p): xor(d, p); d = SHA1(d)   (order matters: list elements)
// A key's digest starts at zero: mix(key name), mix(4-byte big-endian type
// code), then the value (string: mix(bytes); list: mix each element in
// order; set: xor each member; zset: per member a fresh zero d' with
// mix(member), mix(score as "%.17g"), then xor(d, d'); hash: per field a
// fresh d' with mix(field), mix(value), xor(d, d')), then xor("!!expire!!")
// when the key has a TTL (the time itself is left out). A sub-digest d' is
// folded in with the xor step, i.e. d ^= SHA1(d'), not d ^= d'. The data
// set's digest starts at zero and, per non-empty db j in order, gets
// mix(4-byte big-endian j) and xor(total, key digest) for each of its keys.
// Keys whose TTL has passed but are still in the table count, as in Redis.
#include <string>

#include "erdtree/engine/entry.h"
#include "erdtree/engine/keyspace.h"
#include "erdtree/util/sha1.h"

namespace erdtree::engine {

// DEBUG DIGEST-VALUE's digest: the type, the value and the TTL mark, without
// the key name. All zeros for a missing key (nullptr).
util::Sha1Digest valueDigest(Entry* e);
// DEBUG DIGEST: the whole data set; all zeros when it is empty.
util::Sha1Digest datasetDigest(Keyspace& ks);
// 40 lower-case hex digits.
std::string digestHex(const util::Sha1Digest& d);

}  // namespace erdtree::engine
