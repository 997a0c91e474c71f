// Generated op classes of the gn dialect, and the small hand-written methods that are not
// verification (see GnOpsVerify.cpp for shape rules and verifiers).
#include "dialects/gn/GnOps.h"

using namespace mlir;
using namespace mlir::gn;

#include "dialects/gn/GnEnums.cpp.inc"
#include "dialects/gn/GnInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/gn/GnOps.cpp.inc"

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// `%encoder.dense_0.weight = gn.param_ref @encoder.dense_0.weight : ...`
void ParamRefOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), getName());
}
