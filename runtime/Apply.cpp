#include "runtime/Apply.h"

#include "runtime/Error.h"
#include "runtime/FileIO.h"
#include "runtime/SafeTensors.h"
#include "runtime/Shuffle.h"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

namespace gnc::rt {

namespace {

std::string procedure(const EntrySpec &e) { return "procedure '" + e.name + "'"; }

} // namespace

Shape inputRowShape(const EntrySpec &entry) {
  if (entry.kind != "sample" || !entry.takesInput || entry.inputShape.empty())
    throw Error(procedure(entry) + " takes no input (use `sample` for a procedure without one)");
  return Shape(entry.inputShape.begin() + 1, entry.inputShape.end());
}

Shape outputRowShape(const ModelInfo &model, const EntrySpec &entry) {
  if (entry.outputShape.empty() || entry.outputShape[0] != model.batch)
    throw Error(procedure(entry) + " outputs " + shapeString(entry.outputShape) +
                ", which does not start with the batch " + std::to_string(model.batch) +
                " (one output per example is needed)");
  return Shape(entry.outputShape.begin() + 1, entry.outputShape.end());
}

ApplyInput datasetInput(const ModelInfo &m, const EntrySpec &entry, const std::string &dir,
                        Split split) {
  Shape row = inputRowShape(entry);
  if (entry.inputShape != m.inputShape)
    throw Error(procedure(entry) + " takes " + shapeString(entry.inputShape) + ", not the " +
                (m.dataset.empty() ? "data set" : m.dataset) + " images " +
                shapeString(m.inputShape) + ": give its input with --input X.npy");
  auto images = std::make_shared<ImageSet>(loadImages(m, dir, split));
  ApplyInput in;
  in.what = std::string(split == Split::Train ? "training" : "test") + " images " + images->path;
  in.count = images->count;
  in.rowElements = numElements(row);
  in.fromDataset = true;
  // Labels when the data set has them (a broken label file is an error, a missing one is not).
  if (::access(labelsPath(dir, split).c_str(), F_OK) == 0)
    in.labels = loadLabels(dir, split, *images);
  in.fill = [images](size_t i, float *out) {
    uint32_t idx = (uint32_t)i;
    fillBatch(*images, &idx, 1, out);
  };
  return in;
}

ApplyInput npyInput(const EntrySpec &entry, const std::string &path) {
  Shape row = inputRowShape(entry);
  auto array = std::make_shared<NpyArray>(loadNpy(path));
  std::vector<uint64_t> want(row.begin(), row.end());
  uint64_t per = numElements(row);
  const std::vector<uint64_t> &shape = array->shape;
  std::string expected = "[N";
  for (uint64_t d : want)
    expected += "," + std::to_string(d);
  expected += "]";
  if (want.size() != 1)
    expected += " or [N," + std::to_string(per) + "]";
  if (shape.empty())
    throw Error(path + ": a scalar, not rows for " + procedure(entry) + " (expected " + expected +
                ")");
  bool exact = std::vector<uint64_t>(shape.begin() + 1, shape.end()) == want;
  bool flat = shape.size() == 2 && shape[1] == per;
  if (!exact && !flat)
    throw Error(path + ": shape " + shapeString(shape) + " does not fit " + procedure(entry) +
                "'s input " + shapeString(entry.inputShape) + " (expected " + expected + ")");
  if (shape[0] == 0)
    throw Error(path + ": holds no rows");
  ApplyInput in;
  in.what = path;
  in.count = (size_t)shape[0];
  in.rowElements = (size_t)per;
  in.fill = [array, per](size_t i, float *out) {
    std::copy(array->data.begin() + (long)(i * per), array->data.begin() + (long)((i + 1) * per),
              out);
  };
  return in;
}

ApplyResult applyEntry(Engine &engine, const EntrySpec &entry, const ApplyInput &in, size_t n,
                       uint64_t seed) {
  const ModelInfo &m = engine.model();
  Shape inRow = inputRowShape(entry);
  ApplyResult r;
  r.rowShape = outputRowShape(m, entry);
  if (numElements(inRow) != in.rowElements)
    throw Error("internal error: input rows do not match " + procedure(entry), ExitInternal);
  n = std::min(n, in.count);
  const size_t B = (size_t)m.batch, per = in.rowElements, outPer = numElements(r.rowShape);
  r.rows = n;
  r.outputs.resize(n * outPer);
  AlignedBuffer batch(B * per * sizeof(float));
  for (size_t done = 0, call = 0; done < n; ++call) {
    size_t take = std::min(B, n - done);
    for (size_t k = 0; k < B; ++k) // padding: the batch's last example again
      in.fill(done + std::min(k, take - 1), batch.f32() + k * per);
    const float *out = engine.sample(entry, batch.f32(), evalKey(seed, call));
    std::copy(out, out + take * outPer, r.outputs.begin() + (long)(done * outPer));
    done += take;
  }
  if (!in.labels.empty())
    r.labels.assign(in.labels.begin(), in.labels.begin() + (long)n);
  return r;
}

bool isCsvPath(const std::string &path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
}

std::string outputsCsv(const ApplyResult &r) {
  size_t per = numElements(r.rowShape);
  std::string s = r.labels.empty() ? "" : "label";
  for (size_t c = 0; c < per; ++c)
    s += (c || !r.labels.empty() ? ",c" : "c") + std::to_string(c);
  s += "\n";
  char buf[32];
  for (size_t i = 0; i < r.rows; ++i) {
    if (!r.labels.empty())
      s += std::to_string(r.labels[i]);
    for (size_t c = 0; c < per; ++c) {
      std::snprintf(buf, sizeof buf, "%s%.9g", c || !r.labels.empty() ? "," : "",
                    (double)r.outputs[i * per + c]);
      s += buf;
    }
    s += "\n";
  }
  return s;
}

void writeOutputs(const std::string &path, const ApplyResult &r) {
  if (isCsvPath(path)) {
    std::string s = outputsCsv(r);
    writeFileAtomic(path, s.data(), s.size());
    return;
  }
  std::vector<uint64_t> shape = {r.rows};
  shape.insert(shape.end(), r.rowShape.begin(), r.rowShape.end());
  writeNpy(path, shape, r.outputs.data());
}

} // namespace gnc::rt
