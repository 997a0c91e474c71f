#include "runtime/Sampling.h"

#include "runtime/Dataset.h"
#include "runtime/Error.h"
#include "runtime/Shuffle.h"

#include <vector>

namespace gnc::rt {

namespace {

struct ImageShape {
  size_t batch, h, w, c;
};

ImageShape imageShape(const std::string &what, const Shape &s) {
  if (s.size() == 4)
    return {(size_t)s[0], (size_t)s[1], (size_t)s[2], (size_t)s[3]};
  if (s.size() == 3)
    return {(size_t)s[0], (size_t)s[1], (size_t)s[2], 1};
  throw Error(what + " produces " + shapeString(s) + ", which is not a batch of images");
}

} // namespace

GridImage sampleGrid(Engine &engine, const EntrySpec &entry, uint64_t seed, size_t n) {
  std::string what = "sample procedure '" + entry.name + "'";
  if (entry.takesInput)
    throw Error(what + " takes an input batch; it cannot run without data");
  ImageShape is = imageShape(what, entry.outputShape);
  if (is.batch == 0 || is.h == 0 || is.w == 0)
    throw Error(what + " produces no images");
  size_t per = is.h * is.w * is.c;
  std::vector<float> images(n * per);
  for (size_t done = 0, call = 0; done < n; ++call) {
    const float *out = engine.sample(entry, nullptr, evalKey(seed, call));
    size_t take = std::min(is.batch, n - done);
    std::copy(out, out + take * per, images.begin() + (long)(done * per));
    done += take;
  }
  return makeGrid(images.data(), n, is.h, is.w, is.c, gridColumns(n));
}

GridImage reconstructGrid(Engine &engine, const EntrySpec &entry, const ApplyInput &input,
                          uint64_t seed, size_t n) {
  std::string what = "sample procedure '" + entry.name + "'";
  if (!entry.takesInput)
    throw Error(what + " takes no input batch; it cannot reconstruct images");
  if (entry.outputShape != entry.inputShape)
    throw Error(what + " produces " + shapeString(entry.outputShape) +
                ", not images of its input's shape " + shapeString(entry.inputShape));
  ImageShape is = imageShape(what, entry.inputShape);
  size_t per = is.h * is.w * is.c, B = is.batch;
  if (per != input.rowElements)
    throw Error("internal error: input rows do not match " + what, ExitInternal);
  std::vector<float> tiles(2 * n * per);
  AlignedBuffer in(B * per * sizeof(float));
  for (size_t done = 0, call = 0; done < n; ++call) {
    for (size_t k = 0; k < B; ++k)
      input.fill((call * B + k) % input.count, in.f32() + k * per);
    const float *out = engine.sample(entry, in.f32(), evalKey(seed, call));
    size_t take = std::min(B, n - done);
    for (size_t k = 0; k < take; ++k) {
      std::copy(in.f32() + k * per, in.f32() + (k + 1) * per,
                tiles.begin() + (long)((2 * (done + k)) * per));
      std::copy(out + k * per, out + (k + 1) * per,
                tiles.begin() + (long)((2 * (done + k) + 1) * per));
    }
    done += take;
  }
  return makeGrid(tiles.data(), 2 * n, is.h, is.w, is.c, 2 * gridColumns(n));
}

} // namespace gnc::rt
