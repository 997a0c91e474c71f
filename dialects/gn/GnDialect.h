// The gn dialect (generative-network operations). Ops are in GnOps.h.
#ifndef GNC_DIALECTS_GN_GNDIALECT_H
#define GNC_DIALECTS_GN_GNDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "dialects/gn/GnDialect.h.inc"

#endif
