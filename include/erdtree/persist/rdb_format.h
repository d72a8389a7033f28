#pragma once
// Constants of Redis's RDB snapshot format (as Redis 7.0 writes it, RDB
// version 10), shared by the writer, the loader and the tests.
//
//   "REDIS" + 4-digit version
//   AUX fields (0xFA name value), then per database:
//     SELECTDB (0xFE len) RESIZEDB (0xFB len len)
//     per key: [EXPIRETIME_MS 0xFC i64 LE] [IDLE/FREQ] type key value
//   EOF (0xFF) and the CRC-64 of every byte before it (little-endian, 0 when
//   the writer had checksums disabled).
//
// Lengths: 00xxxxxx (6 bits), 01xxxxxx xxxxxxxx (14 bits, big-endian),
// 0x80 + u32 BE, 0x81 + u64 BE. 11xxxxxx marks a specially encoded string:
// 0 int8, 1 int16 LE, 2 int32 LE, 3 LZF (compressed len, plain len, bytes).
#include <cstdint>

namespace erdtree::persist::rdb {

constexpr int kVersion = 10;             // what we write
constexpr int kMaxLoadableVersion = 11;  // Redis 7.2's additions are loadable too

// Opcodes.
constexpr uint8_t kOpFunction2 = 0xF5;
constexpr uint8_t kOpFunctionPreGa = 0xF6;
constexpr uint8_t kOpModuleAux = 0xF7;
constexpr uint8_t kOpIdle = 0xF8;
constexpr uint8_t kOpFreq = 0xF9;
constexpr uint8_t kOpAux = 0xFA;
constexpr uint8_t kOpResizeDb = 0xFB;
constexpr uint8_t kOpExpireTimeMs = 0xFC;
constexpr uint8_t kOpExpireTime = 0xFD;
constexpr uint8_t kOpSelectDb = 0xFE;
constexpr uint8_t kOpEof = 0xFF;

// Value types.
constexpr uint8_t kTypeString = 0;
constexpr uint8_t kTypeList = 1;
constexpr uint8_t kTypeSet = 2;
constexpr uint8_t kTypeZSet = 3;
constexpr uint8_t kTypeHash = 4;
constexpr uint8_t kTypeZSet2 = 5;
constexpr uint8_t kTypeModulePreGa = 6;
constexpr uint8_t kTypeModule2 = 7;
constexpr uint8_t kTypeHashZipmap = 9;
constexpr uint8_t kTypeListZiplist = 10;
constexpr uint8_t kTypeSetIntset = 11;
constexpr uint8_t kTypeZSetZiplist = 12;
constexpr uint8_t kTypeHashZiplist = 13;
constexpr uint8_t kTypeListQuicklist = 14;
constexpr uint8_t kTypeStreamListpacks = 15;
constexpr uint8_t kTypeHashListpack = 16;
constexpr uint8_t kTypeZSetListpack = 17;
constexpr uint8_t kTypeListQuicklist2 = 18;
constexpr uint8_t kTypeStreamListpacks2 = 19;
constexpr uint8_t kTypeSetListpack = 20;       // RDB 11 (Redis 7.2)
constexpr uint8_t kTypeStreamListpacks3 = 21;  // RDB 11

// Length encoding.
constexpr uint8_t kLen6 = 0;
constexpr uint8_t kLen14 = 1;
constexpr uint8_t kLen32 = 0x80;
constexpr uint8_t kLen64 = 0x81;
constexpr uint8_t kEncVal = 3;  // top two bits 11: special string encoding
constexpr uint8_t kEncInt8 = 0;
constexpr uint8_t kEncInt16 = 1;
constexpr uint8_t kEncInt32 = 2;
constexpr uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
constexpr uint64_t kQuicklistNodePlain = 1;
constexpr uint64_t kQuicklistNodePacked = 2;

// Old-style zset scores (type 3): 1-byte length, these mark special values.
constexpr uint8_t kScoreNan = 253;
constexpr uint8_t kScorePosInf = 254;
constexpr uint8_t kScoreNegInf = 255;

}  // namespace erdtree::persist::rdb
