#include "passes/FlatAllReduce.h"

using namespace mlir;
using namespace mlir::gn;

SmallVector<Value> gnc::emitFlatAllReduce(OpBuilder &b, Location loc, ValueRange values,
                                          ProcessReduction reduction) {
  SmallVector<Value> result;
  if (values.empty())
    return result;
  Type f32 = b.getF32Type();
  auto typeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  if (values.size() == 1 && typeOf(values[0]).getRank() == 1) {
    result.push_back(AllReduceOp::create(b, loc, reduction, values[0]));
    return result;
  }
  SmallVector<Value> flat;
  SmallVector<int64_t> sizes;
  for (Value v : values) {
    int64_t n = typeOf(v).getNumElements();
    sizes.push_back(n);
    flat.push_back(typeOf(v).getRank() == 1 ? v
                                            : ReshapeOp::create(b, loc, RankedTensorType::get({n}, f32), v).getResult());
  }
  Value all = flat.size() == 1 ? flat[0] : ConcatOp::create(b, loc, flat, 0).getResult();
  Value reduced = AllReduceOp::create(b, loc, reduction, all);
  int64_t offset = 0;
  for (auto [v, n] : llvm::zip(values, sizes)) {
    Value part = flat.size() == 1 ? reduced
                                  : SliceOp::create(b, loc, reduced, ArrayRef<int64_t>{offset},
                                                    ArrayRef<int64_t>{n})
                                        .getResult();
    offset += n;
    result.push_back(typeOf(v).getRank() == 1 ? part : ReshapeOp::create(b, loc, typeOf(v), part).getResult());
  }
  return result;
}
