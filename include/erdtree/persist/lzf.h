#pragma once
// LZF, the byte-oriented LZ77 variant RDB files use for compressed strings.
// A stream is a sequence of items, each starting with a control byte c:
//   c < 32                 literal run: the next c + 1 bytes are copied out
//   c >> 5 in 1..6         back reference of length (c >> 5) + 2
//   c >> 5 == 7            back reference of length 7 + next byte + 2
// A back reference is followed by one more byte b; it copies from
// ((c & 0x1f) << 8 | b) + 1 bytes behind the current output position
// (up to 8 KiB back; source and destination may overlap).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace erdtree::persist {

// Decompresses `in`, which must expand to exactly expectedLen bytes. Returns
// nullopt for any malformed or truncated input (never reads or writes out of
// bounds).
std::optional<std::string> lzfDecompress(std::string_view in, size_t expectedLen);

// Compresses `in`; returns nullopt when the result would exceed maxOut bytes
// (so callers can ask for "only if it saves something").
std::optional<std::string> lzfCompress(std::string_view in, size_t maxOut);

}  // namespace erdtree::persist
