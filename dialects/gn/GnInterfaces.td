//===- GnInterfaces.td - interfaces of the gn dialect ----------*- tablegen -*-===//
#ifndef GNC_DIALECTS_GN_GNINTERFACES_TD
#define GNC_DIALECTS_GN_GNINTERFACES_TD

include "mlir/IR/OpBase.td"

def Gn_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::gn";
  let description = [{
    An op with a vector-Jacobian product: given the gradient of a scalar with respect to the
    op's (single) result, it emits gn ops computing the gradient with respect to each operand.
    The reverse-mode autodiff pass (gn-autodiff) calls it; rules live in GnVJP.cpp, next to
    the ops, not in the pass. Operands that carry no gradient (integers, random keys, the
    gathered table, anything behind stop_gradient) get a null Value.
  }];
  let methods = [
    InterfaceMethod<[{
        Appends one gradient per operand to `operandGrads` (null where none), built with `b`
        at its insertion point. `needed[i]` is false for operands whose gradient is not used,
        so rules may skip them.
      }],
      "::llvm::LogicalResult", "vjp",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Value":$resultGrad,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif
