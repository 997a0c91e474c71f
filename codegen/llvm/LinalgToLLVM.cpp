// The LLVM backend's pipeline from scheduled linalg on tensors to the LLVM dialect, built pass
// by pass (no textual pipeline, so nothing needs to be registered to build it).
#include "codegen/llvm/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void gnc::addLinalgToLLVMPasses(OpPassManager &pm, const LinalgToLLVMOptions &options) {
  // Entry functions become `void f(T *arg..., T *result...)` over static row-major buffers:
  // results written into caller buffers (destination passing), identity layouts at function
  // boundaries, and the bare-pointer calling convention. The runtime calls them through
  // gnc-entry-points.
  pm.addPass(createGncDestinationPassing());
  // After destination passing, which materializes the tensors carried by the program's own
  // loops in place, not those of the tile loops created here (and no canonicalization before
  // bufferization: it would erase the unused materialize_in_destination results).
  pm.addPass(createGncApplySchedules());
  pm.addPass(createGncPadsInPlace());
  // The tensor.empty of a result computed into the caller's buffer becomes that buffer, and
  // that of a padded tensor's producer the padded buffer's interior.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createGncCopiesToLinalg());
  if (options.afterBufferization)
    options.afterBufferization(pm);
  pm.addNestedPass<func::FuncOp>(createGncLowerVectors());
  pm.addPass(createCanonicalizerPass());
  GncOutlineKernelsOptions outline;
  outline.recordArguments = options.kernelEntries;
  pm.addPass(createGncOutlineKernels(outline));
  pm.addPass(createGncKernelHooks());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createGncOuterParallelLoops());
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createConvertVectorToSCFPass(VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createLowerAffinePass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Before convert-scf-to-cf: it lowers the memref.alloca_scope that convert-scf-to-openmp
  // wraps around loop bodies, which must stay single-block until then.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Before gnc-entry-points, which writes the model info (with the kernels' table) out.
  if (options.kernelEntries)
    pm.addPass(createGncKernelEntries());
  pm.addPass(createGncEntryPoints());
}
