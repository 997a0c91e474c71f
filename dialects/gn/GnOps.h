// Operations of the gn dialect (defined in GnOps.td).
#ifndef GNC_DIALECTS_GN_GNOPS_H
#define GNC_DIALECTS_GN_GNOPS_H

#include "dialects/gn/GnDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <string>

#include "dialects/gn/GnEnums.h.inc"
#include "dialects/gn/GnInterfaces.h.inc"

namespace mlir::gn {

/// The trainable parameters (all gn.param values): read by gn.param_ref, written by
/// gn.minimize, so that passes keep them in order.
struct ParamResource : public SideEffects::Resource::Base<ParamResource> {
  StringRef getName() final { return "gn.params"; }
};

/// The other processes of a data-parallel run, which gn.all_reduce talks to.
struct ProcessesResource : public SideEffects::Resource::Base<ProcessesResource> {
  StringRef getName() final { return "gn.processes"; }
};

namespace detail {
/// verify() of ops with inferred result types: `inferred` is the op's shape rule's result
/// (null on failure, with the reason in `err`).
LogicalResult verifyResultType(Operation *op, Type inferred, const std::string &err);
/// Shape rules shared by op families (see GnOps.td).
Type sameType(Value lhs, Value rhs, std::string &err);
Type reduceType(Value x, ArrayRef<int64_t> axes, std::string &err);
Type lossType(ValueRange operands, std::string &err);
} // namespace detail

/// Ops that only passes after gn-autodiff create (GnAfterAutodiff in GnOps.td).
template <typename ConcreteType>
class AfterAutodiff : public OpTrait::TraitBase<ConcreteType, AfterAutodiff> {};

/// The gn.kind of a function, if it has a valid one.
std::optional<FunctionKind> getFunctionKind(Operation *fn);
void setFunctionKind(Operation *fn, FunctionKind kind);

} // namespace mlir::gn

#define GET_OP_CLASSES
#include "dialects/gn/GnOps.h.inc"

#endif
