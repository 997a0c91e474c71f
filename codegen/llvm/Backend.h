// The LLVM backend as the driver sees it (codegen/Backend.h): the `llvm` stage's module is
// translated to LLVM IR, optimized and emitted in process (ObjectEmitter.cpp).
#ifndef GNC_CODEGEN_LLVM_BACKEND_H
#define GNC_CODEGEN_LLVM_BACKEND_H

#include "codegen/Backend.h"

namespace gnc {

const Backend &llvmBackend();

} // namespace gnc

#endif
