// Listpack, ziplist and intset codecs (layouts in rdb_blobs.h).
#include "erdtree/persist/rdb_blobs.h"

#include <cstring>

#include "erdtree/util/numbers.h"

namespace erdtree::persist {
namespace {

constexpr size_t kListpackHeader = 6;
constexpr size_t kZiplistHeader = 10;
constexpr uint16_t kUnknownCount = 65535;

void putLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t getLe(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

int64_t signExtend(uint64_t v, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

size_t backlenSize(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

}  // namespace

void ListpackBuilder::clear() {
  buf_.assign(kListpackHeader, '\0');
  count_ = 0;
}

void ListpackBuilder::backlen(size_t l) {
  const size_t n = backlenSize(l);
  for (size_t i = 0; i < n; ++i) {
    const size_t shift = 7 * (n - 1 - i);
    uint8_t b = static_cast<uint8_t>((l >> shift) & 127);
    if (i > 0) b |= 128;
    buf_.push_back(static_cast<char>(b));
  }
}

void ListpackBuilder::addInt(int64_t v) {
  const size_t start = buf_.size();
  if (v >= 0 && v <= 127) {
    buf_.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t u = static_cast<uint64_t>(v) & 0x1fff;
    buf_.push_back(static_cast<char>(0xC0 | (u >> 8)));
    buf_.push_back(static_cast<char>(u & 0xff));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    buf_.push_back(static_cast<char>(0xF1));
    putLe(buf_, static_cast<uint64_t>(v), 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    buf_.push_back(static_cast<char>(0xF2));
    putLe(buf_, static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    buf_.push_back(static_cast<char>(0xF3));
    putLe(buf_, static_cast<uint64_t>(v), 4);
  } else {
    buf_.push_back(static_cast<char>(0xF4));
    putLe(buf_, static_cast<uint64_t>(v), 8);
  }
  backlen(buf_.size() - start);
  ++count_;
}

void ListpackBuilder::add(std::string_view s) {
  if (s.size() <= 20) {
    if (auto v = util::parseInt64(s)) return addInt(*v);
  }
  const size_t start = buf_.size();
  const size_t n = s.size();
  if (n < 64) {
    buf_.push_back(static_cast<char>(0x80 | n));
  } else if (n < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (n >> 8)));
    buf_.push_back(static_cast<char>(n & 0xff));
  } else {
    buf_.push_back(static_cast<char>(0xF0));
    putLe(buf_, n, 4);
  }
  buf_.append(s);
  backlen(buf_.size() - start);
  ++count_;
}

std::string ListpackBuilder::finish() {
  buf_.push_back(static_cast<char>(0xFF));
  std::string out = std::move(buf_);
  const uint64_t total = out.size();
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>((total >> (8 * i)) & 0xff);
  const uint64_t c = count_ < kUnknownCount ? count_ : kUnknownCount;
  out[4] = static_cast<char>(c & 0xff);
  out[5] = static_cast<char>(c >> 8);
  clear();
  return out;
}

std::string decodeListpack(std::string_view blob, const ElementFn& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t size = blob.size();
  if (size < kListpackHeader + 1) return "listpack too short";
  if (getLe(p, 4) != size) return "listpack total bytes mismatch";
  const uint64_t declared = getLe(p + 4, 2);
  size_t pos = kListpackHeader;
  uint64_t count = 0;
  char num[24];
  for (;;) {
    if (pos >= size) return "listpack without end byte";
    const unsigned b = p[pos];
    if (b == 0xFF) {
      if (pos != size - 1) return "listpack has bytes after its end";
      break;
    }
    const size_t avail = size - pos;
    size_t header = 1, dataLen = 0;
    bool isInt = true;
    int64_t iv = 0;
    auto need = [&](size_t n) { return avail >= n; };
    if ((b & 0x80) == 0) {
      iv = b;
    } else if ((b & 0xC0) == 0x80) {
      isInt = false;
      dataLen = b & 0x3f;
    } else if ((b & 0xE0) == 0xC0) {
      if (!need(2)) return "listpack entry truncated";
      header = 2;
      iv = signExtend(((b & 0x1f) << 8) | p[pos + 1], 13);
    } else if ((b & 0xF0) == 0xE0) {
      if (!need(2)) return "listpack entry truncated";
      header = 2;
      isInt = false;
      dataLen = ((b & 0x0f) << 8) | p[pos + 1];
    } else if (b == 0xF0) {
      if (!need(5)) return "listpack entry truncated";
      header = 5;
      isInt = false;
      dataLen = getLe(p + pos + 1, 4);
    } else if (b >= 0xF1 && b <= 0xF4) {
      static constexpr int kWidth[] = {2, 3, 4, 8};
      const int w = kWidth[b - 0xF1];
      if (!need(1 + static_cast<size_t>(w))) return "listpack entry truncated";
      header = 1 + static_cast<size_t>(w);
      iv = signExtend(getLe(p + pos + 1, w), 8 * w);
    } else {
      return "listpack entry with an invalid encoding";
    }
    if (dataLen > avail - header) return "listpack string overruns the blob";
    const size_t entryLen = header + dataLen;
    const size_t bl = backlenSize(entryLen);
    if (avail - entryLen < bl + 1) return "listpack back-length overruns the blob";
    // The back-length must say what the entry is.
    uint64_t back = 0;
    for (size_t i = 0; i < bl; ++i) back = (back << 7) | (p[pos + entryLen + i] & 127);
    if (back != entryLen) return "listpack back-length mismatch";
    if (isInt) {
      fn(std::string_view(num, util::formatInt64(iv, num)));
    } else {
      fn(std::string_view(blob.data() + pos + header, dataLen));
    }
    pos += entryLen + bl;
    ++count;
  }
  if (declared != kUnknownCount && declared != count) return "listpack element count mismatch";
  return "";
}

std::string decodeZiplist(std::string_view blob, const ElementFn& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t size = blob.size();
  if (size < kZiplistHeader + 1) return "ziplist too short";
  if (getLe(p, 4) != size) return "ziplist total bytes mismatch";
  if (getLe(p + 4, 4) >= size) return "ziplist tail offset out of range";
  const uint64_t declared = getLe(p + 8, 2);
  size_t pos = kZiplistHeader;
  uint64_t count = 0;
  char num[24];
  for (;;) {
    if (pos >= size) return "ziplist without end byte";
    if (p[pos] == 0xFF) {
      if (pos != size - 1) return "ziplist has bytes after its end";
      break;
    }
    size_t avail = size - pos;
    size_t prevLenSize = p[pos] < 254 ? 1 : 5;
    if (p[pos] == 255 || avail < prevLenSize + 1) return "ziplist entry truncated";
    pos += prevLenSize;
    avail -= prevLenSize;
    const unsigned b = p[pos];
    size_t header = 1, dataLen = 0;
    bool isInt = true;
    int64_t iv = 0;
    switch (b >> 6) {
      case 0:
        isInt = false;
        dataLen = b & 0x3f;
        break;
      case 1:
        if (avail < 2) return "ziplist entry truncated";
        isInt = false;
        header = 2;
        dataLen = ((b & 0x3f) << 8) | p[pos + 1];
        break;
      case 2:
        if (b != 0x80 || avail < 5) return "ziplist entry truncated or invalid";
        isInt = false;
        header = 5;
        dataLen = static_cast<size_t>(p[pos + 1]) << 24 | static_cast<size_t>(p[pos + 2]) << 16 |
                  static_cast<size_t>(p[pos + 3]) << 8 | p[pos + 4];
        break;
      default: {
        int w = 0;
        if (b == 0xC0) w = 2;
        else if (b == 0xD0) w = 4;
        else if (b == 0xE0) w = 8;
        else if (b == 0xF0) w = 3;
        else if (b == 0xFE) w = 1;
        else if (b >= 0xF1 && b <= 0xFD) iv = (b & 0x0f) - 1;
        else return "ziplist entry with an invalid encoding";
        if (w > 0) {
          if (avail < 1 + static_cast<size_t>(w)) return "ziplist entry truncated";
          iv = signExtend(getLe(p + pos + 1, w), 8 * w);
          header = 1 + static_cast<size_t>(w);
        }
      }
    }
    if (dataLen > avail - header || avail - header - dataLen < 1) return "ziplist string overruns the blob";
    if (isInt) fn(std::string_view(num, util::formatInt64(iv, num)));
    else fn(std::string_view(blob.data() + pos + header, dataLen));
    pos += header + dataLen;
    ++count;
  }
  if (declared != kUnknownCount && declared != count) return "ziplist element count mismatch";
  return "";
}

std::string decodeIntset(std::string_view blob, const std::function<void(int64_t)>& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) return "intset too short";
  const uint64_t width = getLe(p, 4);
  const uint64_t n = getLe(p + 4, 4);
  if (width != 2 && width != 4 && width != 8) return "intset with an invalid width";
  if (blob.size() != 8 + width * n) return "intset length mismatch";
  int64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const int64_t v = signExtend(getLe(p + 8 + i * width, static_cast<int>(width)), static_cast<int>(8 * width));
    if (i > 0 && v <= prev) return "intset not sorted or has duplicates";
    prev = v;
    fn(v);
  }
  return "";
}

std::string encodeIntset(const int64_t* values, size_t n) {
  int width = 2;
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = values[i];
    if (v < INT32_MIN || v > INT32_MAX) width = 8;
    else if ((v < INT16_MIN || v > INT16_MAX) && width < 4) width = 4;
  }
  std::string out;
  out.reserve(8 + n * static_cast<size_t>(width));
  putLe(out, static_cast<uint64_t>(width), 4);
  putLe(out, n, 4);
  for (size_t i = 0; i < n; ++i) putLe(out, static_cast<uint64_t>(values[i]), width);
  return out;
}

}  // namespace erdtree::persist
