#include "dialects/gn/GnDialect.h"
#include "dialects/gn/GnOps.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::gn;

#include "dialects/gn/GnDialect.cpp.inc"

namespace {
// Every gn op is a pure value computation or an ordered parameter access, so nets can be
// inlined into the procedures that call them (gn-autodiff differentiates straight-line code).
struct GnInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Operation *, bool) const final { return true; }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final { return true; }
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final { return true; }
};
} // namespace

void GnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/gn/GnOps.cpp.inc"
      >();
  addInterfaces<GnInlinerInterface>();
}

Operation *GnDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                          Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

std::optional<FunctionKind> gn::getFunctionKind(Operation *fn) {
  auto kind = GnDialect::KindAttrHelper(fn->getContext()).getAttr(fn);
  if (!kind)
    return std::nullopt;
  return symbolizeFunctionKind(kind.getValue());
}

void gn::setFunctionKind(Operation *fn, FunctionKind kind) {
  GnDialect::KindAttrHelper(fn->getContext())
      .setAttr(fn, StringAttr::get(fn->getContext(), stringifyFunctionKind(kind)));
}

static bool isNonEmptyString(Attribute a) {
  auto s = dyn_cast<StringAttr>(a);
  return s && !s.getValue().empty();
}

LogicalResult GnDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  Attribute value = attr.getValue();
  auto error = [&]() { return op->emitOpError() << "attribute '" << name << "' "; };
  bool onModule = isa<ModuleOp>(op), onFunction = isa<FunctionOpInterface>(op);
  if (name == KindAttrHelper::getNameStr()) {
    if (!onFunction)
      return error() << "belongs on a function";
    auto s = dyn_cast<StringAttr>(value);
    if (!s || !symbolizeFunctionKind(s.getValue()))
      return error() << "must be \"net\", \"train\", \"sample\", \"eval\" or \"init\", got "
                     << value;
    return success();
  }
  if (name == LossesAttrHelper::getNameStr()) {
    std::optional<FunctionKind> kind = onFunction ? getFunctionKind(op) : std::nullopt;
    if (kind != FunctionKind::Train && kind != FunctionKind::Eval)
      return error() << "belongs on a train or eval function";
    auto names = dyn_cast<ArrayAttr>(value);
    if (!names || !llvm::all_of(names, isNonEmptyString))
      return error() << "must be an array of names, got " << value;
    return success();
  }
  if (name == BatchAttrHelper::getNameStr()) {
    if (!onModule)
      return error() << "belongs on the module";
    auto b = dyn_cast<IntegerAttr>(value);
    if (!b || !b.getType().isInteger(64) || b.getInt() <= 0)
      return error() << "must be a positive i64, got " << value;
    return success();
  }
  if (name == InputAttrHelper::getNameStr() || name == DatasetAttrHelper::getNameStr()) {
    if (!onModule)
      return error() << "belongs on the module";
    if (!isNonEmptyString(value))
      return error() << "must be a name, got " << value;
    return success();
  }
  if (name == OptimizerStateAttrHelper::getNameStr()) {
    if (!isa<ParamOp>(op))
      return error() << "belongs on a gn.param";
    if (!isa<UnitAttr>(value))
      return error() << "must be a unit attribute, got " << value;
    return success();
  }
  if (name == GradientReductionAttrHelper::getNameStr()) {
    if (!isa<MinimizeOp>(op))
      return error() << "belongs on a gn.minimize";
    auto s = dyn_cast<StringAttr>(value);
    if (!s || !symbolizeProcessReduction(s.getValue()))
      return error() << "must be \"sum\" or \"mean\", got " << value;
    return success();
  }
  if (name == ShardAttrHelper::getNameStr()) {
    if (!isa<NormalOp, UniformOp, RandintOp, DropoutMaskOp>(op))
      return error() << "belongs on a random op";
    if (!isa<UnitAttr>(value))
      return error() << "must be a unit attribute, got " << value;
    auto t = cast<ShapedType>(op->getResult(0).getType());
    if (t.getRank() == 0)
      return error() << "needs a result whose leading dimension is the batch";
    return success();
  }
  if (name == StateAttrHelper::getNameStr())
    return error() << "belongs on function arguments and results";
  return error() << "is not an attribute of the gn dialect";
}

// gn.state is the only argument and result attribute.
static LogicalResult verifyStateAttr(Operation *op, NamedAttribute attr, StringRef where) {
  if (attr.getName() != GnDialect::StateAttrHelper::getNameStr())
    return op->emitOpError() << where << " attribute '" << attr.getName().strref()
                             << "' is not an attribute of the gn dialect";
  if (!isNonEmptyString(attr.getValue()))
    return op->emitOpError() << where << " attribute '" << attr.getName().strref()
                             << "' must be the name of a gn.param, got " << attr.getValue();
  return success();
}

LogicalResult GnDialect::verifyRegionArgAttribute(Operation *op, unsigned, unsigned,
                                                  NamedAttribute attr) {
  return verifyStateAttr(op, attr, "argument");
}

LogicalResult GnDialect::verifyRegionResultAttribute(Operation *op, unsigned, unsigned,
                                                     NamedAttribute attr) {
  return verifyStateAttr(op, attr, "result");
}
