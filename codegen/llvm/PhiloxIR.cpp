#include "codegen/llvm/PhiloxIR.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

std::array<Value, 4> gnc::codegen::emitPhilox(OpBuilder &b, Location loc, std::array<Value, 4> c,
                                              std::array<Value, 2> k) {
  auto i32 = b.getI32Type();
  auto cst = [&](uint32_t v) -> Value {
    return arith::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr((int32_t)v));
  };
  Value m0 = cst(0xD2511F53u), m1 = cst(0xCD9E8D57u), w0 = cst(0x9E3779B9u), w1 = cst(0xBB67AE85u);
  for (int round = 0; round < 10; ++round) {
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, c[0]);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, c[2]);
    Value hi0 = p0.getHigh(), lo0 = p0.getLow(), hi1 = p1.getHigh(), lo1 = p1.getLow();
    c = {arith::XOrIOp::create(b, loc, arith::XOrIOp::create(b, loc, hi1, c[1]), k[0]), lo1,
         arith::XOrIOp::create(b, loc, arith::XOrIOp::create(b, loc, hi0, c[3]), k[1]), lo0};
    k = {arith::AddIOp::create(b, loc, k[0], w0), arith::AddIOp::create(b, loc, k[1], w1)};
  }
  return c;
}

Value gnc::codegen::emitUnitFloat(OpBuilder &b, Location loc, Value w) {
  Value shifted = arith::ShRUIOp::create(
      b, loc, w, arith::ConstantOp::create(b, loc, b.getI32Type(), b.getI32IntegerAttr(8)));
  Value f = arith::UIToFPOp::create(b, loc, b.getF32Type(), shifted);
  return arith::MulFOp::create(
      b, loc, f, arith::ConstantOp::create(b, loc, b.getF32Type(), b.getF32FloatAttr(1.0f / 16777216.0f)));
}
