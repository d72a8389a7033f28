// Placeholder while the hash family is being written; replaced by it.
#include "erdtree/command/families.h"

namespace erdtree::command {
void registerHashCommands(Registry&) {}
}  // namespace erdtree::command
