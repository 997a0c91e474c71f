// The backend the driver uses: the LLVM backend (codegen/llvm/Backend.h) for the program and
// every kernel scheduled for LLVM, and Halide for the kernels scheduled for Halide (a
// schedule's `backend`, or gnc --backend=halide for all). Its stages after `scheduled`:
// `halide` (the Halide kernels as pipelines; `gnc ir` prints them as Halide C++),
// `halide-stmt` (Halide's lowered statements; printed only), and the LLVM backend's `llvm`
// with each Halide kernel replaced by a call of its pipeline after bufferization. Its object
// file joins the LLVM backend's with the pipelines' objects that gnc-halide-gen compiles.
#ifndef GNC_CODEGEN_HALIDE_BACKEND_H
#define GNC_CODEGEN_HALIDE_BACKEND_H

#include "codegen/Backend.h"

namespace gnc {

const Backend &halideBackend();

} // namespace gnc

#endif
