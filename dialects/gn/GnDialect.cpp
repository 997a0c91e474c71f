#include "dialects/gn/GnDialect.h"
#include "dialects/gn/GnOps.h"

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
