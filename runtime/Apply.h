// Running a sample procedure that takes an input over a whole data set, one output row per
// example (`BIN apply PROC`, `BIN encode`, `BIN reconstruct --input`):
//   - the rows come from MNIST (a split's images, with their labels when the label file is
//     there) when the procedure's input is the data set's, or from an .npy array [N, ...] whose
//     trailing dimensions are the procedure's input shape without the batch (a 2-D [N, K] with K
//     the elements of one example is accepted too: [N, 784] for [B, 28, 28, 1]);
//   - batches of the compiled batch size B; batch i runs with key evalKey(seed, i) (Shuffle.h);
//     a last partial batch is padded by repeating its last row and the padding's outputs are
//     dropped, so every one of the N examples gets its output;
//   - the outputs go to a float32 .npy [N, ...output shape without the batch] or a CSV file, one
//     row per example: "label,c0,c1,..." when the labels are known, else "c0,c1,...".
#ifndef GNC_RUNTIME_APPLY_H
#define GNC_RUNTIME_APPLY_H

#include "runtime/Dataset.h"
#include "runtime/Engine.h"
#include "runtime/Idx.h"
#include "runtime/ModelInfo.h"
#include "runtime/Npy.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gnc::rt {

// The examples a procedure runs over.
struct ApplyInput {
  std::string what;            // for messages: "test images DIR/t10k-images-idx3-ubyte", a path
  size_t count = 0;            // examples
  size_t rowElements = 0;      // floats per example (the procedure's input without the batch)
  std::vector<uint8_t> labels; // one per example, or empty when unknown
  // Writes example i (< count) as rowElements floats.
  std::function<void(size_t i, float *out)> fill;
  bool fromDataset = false;
};

// The procedure's input rows: the MNIST split (needs the procedure's input to be the model's
// data input; labels from the split's label file when it exists)...
ApplyInput datasetInput(const ModelInfo &model, const EntrySpec &entry, const std::string &dir,
                        Split split);
// ... or an .npy file, checked against the procedure's input shape (one-line Error otherwise).
ApplyInput npyInput(const EntrySpec &entry, const std::string &path);

// The entry's input shape without the batch, and its output's; Error when the procedure takes
// no input or its output does not have the batch first.
Shape inputRowShape(const EntrySpec &entry);
Shape outputRowShape(const ModelInfo &model, const EntrySpec &entry);

struct ApplyResult {
  Shape rowShape;              // the output of one example
  size_t rows = 0;
  std::vector<float> outputs;  // rows x numElements(rowShape)
  std::vector<uint8_t> labels; // the examples' labels, or empty when unknown
};

// Runs `entry` over the first n examples (n <= in.count).
ApplyResult applyEntry(Engine &engine, const EntrySpec &entry, const ApplyInput &in, size_t n,
                       uint64_t seed);

// .npy [rows, ...rowShape] (f32), or CSV as above (values %.9g).
std::string outputsCsv(const ApplyResult &r);
void writeOutputs(const std::string &path, const ApplyResult &r); // by extension: .csv or .npy
bool isCsvPath(const std::string &path);

} // namespace gnc::rt

#endif
