// The data set a model trains on: MNIST's IDX files in a directory, turned into batches of
// f32 pixels in [0, 1] (byte / 255) of the model's input shape [B, 28, 28, 1], and the digit
// labels that go with the images (train --exclude-label, apply/encode's label columns).
#ifndef GNC_RUNTIME_DATASET_H
#define GNC_RUNTIME_DATASET_H

#include "runtime/Idx.h"
#include "runtime/ModelInfo.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

// --data if given, else $GNC_DATA if set and non-empty, else the project's data/mnist
// (compiled in as GNC_DEFAULT_DATA_DIR).
std::string resolveDataDir(const std::string &flag);

enum class Split { Train, Test };

// Loads DIR/train-images-idx3-ubyte or DIR/t10k-images-idx3-ubyte and checks it against the
// model (dataset "mnist", input [B, H, W, 1] with the file's H x W, at least one batch).
ImageSet loadImages(const ModelInfo &model, const std::string &dir, Split split);

// DIR/train-labels-idx1-ubyte or DIR/t10k-labels-idx1-ubyte.
std::string labelsPath(const std::string &dir, Split split);
// The labels of `images` (the split's label file): exactly one per image, each a digit 0-9;
// a one-line Error naming the file otherwise.
std::vector<uint8_t> loadLabels(const std::string &dir, Split split, const ImageSet &images);

// Writes `batch` images, set.image(indices[k]) for k < batch, as f32 in [0, 1] to out.
void fillBatch(const ImageSet &set, const uint32_t *indices, size_t batch, float *out);

} // namespace gnc::rt

#endif
