// Front-end error reporting: `file:line:col: error: message`, the source line, and a caret.
// llvm::SourceMgr renders exactly that format; MLIR's SourceMgrDiagnosticHandler shares it, so
// errors found later by op verifiers look the same as the front end's.
#ifndef GNC_COMPILER_DIAGNOSTICS_H
#define GNC_COMPILER_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace gnc {

class Diagnostics {
public:
  Diagnostics(llvm::SourceMgr &sm, llvm::raw_ostream &os) : sm(sm), os(os) {}
  // Reports an error; the front end stops at the first one to avoid cascades.
  void error(llvm::SMLoc loc, const llvm::Twine &msg) {
    if (errors++ == 0)
      sm.PrintMessage(os, loc, llvm::SourceMgr::DK_Error, msg);
  }
  void note(llvm::SMLoc loc, const llvm::Twine &msg) {
    if (errors == 1)
      sm.PrintMessage(os, loc, llvm::SourceMgr::DK_Note, msg);
  }
  void warning(llvm::SMLoc loc, const llvm::Twine &msg) {
    if (errors == 0)
      sm.PrintMessage(os, loc, llvm::SourceMgr::DK_Warning, msg);
  }
  bool hadError() const { return errors > 0; }
  llvm::SourceMgr &sourceMgr() { return sm; }

private:
  llvm::SourceMgr &sm;
  llvm::raw_ostream &os;
  unsigned errors = 0;
};

} // namespace gnc

#endif
