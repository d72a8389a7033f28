#pragma once
// The table type of a database: Entry pointers keyed by the entry's key.
#include <string_view>

#include "erdtree/engine/entry.h"
#include "erdtree/engine/table.h"

namespace erdtree::engine {

struct EntryKeyOf {
  std::string_view operator()(const Entry* e) const { return e->key(); }
};
using KeyTable = BucketTable<Entry, EntryKeyOf>;

}  // namespace erdtree::engine
