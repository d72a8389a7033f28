// Placeholder while the list family is being written; replaced by it.
#include "erdtree/command/families.h"

namespace erdtree::command {
void registerListCommands(Registry&) {}
}  // namespace erdtree::command
