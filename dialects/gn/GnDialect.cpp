#include "dialects/gn/GnDialect.h"
#include "dialects/gn/GnOps.h"

using namespace mlir;
using namespace mlir::gn;

#include "dialects/gn/GnDialect.cpp.inc"

void GnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/gn/GnOps.cpp.inc"
      >();
}

Operation *GnDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type,
                                          Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
