// The program's command line (train, eval, sample, reconstruct, apply, encode, manifold, info,
// help): the main of every executable that gnc builds. main.cpp calls runMain with the
// generated object's symbols. The commands are one table in Commands.cpp (name, help, handler).
#ifndef GNC_RUNTIME_COMMANDS_H
#define GNC_RUNTIME_COMMANDS_H

#include "runtime/GncAbi.h"

namespace gnc::rt {

// Returns the process exit status (Error.h): 0 ok, 1 internal error, 2 bad input, 3 NaN/Inf
// loss, 130 interrupted.
int runMain(int argc, char **argv, const char *modelInfo, const GncEntry *entries);

} // namespace gnc::rt

#endif
