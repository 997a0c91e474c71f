// gnc-pads-in-place: a padded tensor's producer writes the padded buffer's interior (see
// Passes.td).
#include "codegen/llvm/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace gnc {
#define GEN_PASS_DEF_GNCPADSINPLACE
#include "codegen/llvm/Passes.h.inc"
} // namespace gnc

using namespace mlir;

namespace {

// The pad as a buffer whose border strips are filled and whose interior receives the source
// by an insert_slice. Where the pad is the source's last use, the buffer and its strips come
// before the source's producer, so that eliminate-empty-tensors can make the producer write
// into the interior (it needs the buffer to dominate the producer).
LogicalResult padInPlace(tensor::PadOp pad) {
  auto source = cast<RankedTensorType>(pad.getSource().getType());
  auto result = cast<RankedTensorType>(pad.getResult().getType());
  Value padding = pad.getConstantPaddingValue();
  if (!padding || !source.hasStaticShape() || !result.hasStaticShape())
    return failure();
  SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
  if (llvm::any_of(low, ShapedType::isDynamic) || llvm::any_of(high, ShapedType::isDynamic))
    return failure();
  int64_t rank = source.getRank();
  Location loc = pad.getLoc();
  // The producer writes the interior only where the pad reads the source last: a use after
  // the insert_slice (which, in place, writes the interior) would be a read after a write to
  // the producer's buffer, and bufferization would copy the source out and back in.
  OpBuilder b(pad);
  Value src = pad.getSource();
  Operation *def = src.getDefiningOp();
  bool lastUse = llvm::all_of(src.getUsers(), [&](Operation *user) {
    return user == pad || (user->getBlock() == pad->getBlock() && user->isBeforeInBlock(pad));
  });
  if (lastUse && def && def->getBlock() == pad->getBlock())
    b.setInsertionPoint(def);
  // The padding value may be defined after the source's producer: a constant is rebuilt.
  Attribute paddingAttr;
  if (!matchPattern(padding, m_Constant(&paddingAttr)))
    return failure();
  Value fillValue = arith::ConstantOp::create(b, loc, cast<TypedAttr>(paddingAttr));
  // An alloc_tensor, not a tensor.empty: the canonicalizations and CSE of later passes would
  // merge equal empties, and with them the strips of every pad of that shape, into one
  // buffer that each pad would then have to copy.
  Value buffer = bufferization::AllocTensorOp::create(b, loc, result, ValueRange{});
  // Strip d covers the interior along the dims before d, its low or high part along d, and
  // everything along the dims after d: with the interior, the whole buffer exactly once.
  for (int64_t d = 0; d < rank; ++d)
    for (bool lowSide : {true, false}) {
      int64_t extent = lowSide ? low[d] : high[d];
      if (!extent)
        continue;
      SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
      for (int64_t j = 0; j < rank; ++j) {
        int64_t offset = j < d ? low[j] : j > d ? 0 : lowSide ? 0 : low[d] + source.getDimSize(d);
        int64_t size = j < d ? source.getDimSize(j) : j > d ? result.getDimSize(j) : extent;
        offsets.push_back(b.getIndexAttr(offset));
        sizes.push_back(b.getIndexAttr(size));
      }
      Value strip = tensor::ExtractSliceOp::create(b, loc, buffer, offsets, sizes, strides);
      Value filled = linalg::FillOp::create(b, loc, ValueRange{fillValue}, ValueRange{strip}).getResult(0);
      buffer = tensor::InsertSliceOp::create(b, loc, filled, buffer, offsets, sizes, strides);
    }
  b.setInsertionPoint(pad);
  SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
  for (int64_t j = 0; j < rank; ++j) {
    offsets.push_back(b.getIndexAttr(low[j]));
    sizes.push_back(b.getIndexAttr(source.getDimSize(j)));
  }
  Value padded = tensor::InsertSliceOp::create(b, loc, src, buffer, offsets, sizes, strides);
  pad.getResult().replaceAllUsesWith(padded);
  pad.erase();
  return success();
}

struct GncPadsInPlacePass : gnc::impl::GncPadsInPlaceBase<GncPadsInPlacePass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads)
      (void)padInPlace(pad); // a pad it does not take stays a tensor.pad, correct as before
  }
};

} // namespace
