// Reading a file the user names on gnc's command line (the model, a schedule file).
//
// "-" is standard input; any other path must be a regular file. The type is checked on a
// descriptor opened with O_NONBLOCK: a plain open() of a FIFO without a writer blocks forever,
// before any check could run.
#ifndef GNC_SUPPORT_USERFILE_H
#define GNC_SUPPORT_USERFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace gnc {

// The file's contents, or an error whose message is the reason alone ("No such file or
// directory", "not a regular file"); callers prefix the path.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> readUserFile(llvm::StringRef path);

} // namespace gnc

#endif
