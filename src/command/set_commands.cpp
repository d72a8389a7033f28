// Placeholder while the set family is being written; replaced by it.
#include "erdtree/command/families.h"

namespace erdtree::command {
void registerSetCommands(Registry&) {}
}  // namespace erdtree::command
