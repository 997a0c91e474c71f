#include "runtime/Dataset.h"

#include "runtime/Error.h"
#include "runtime/RuntimeConfig.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace gnc::rt {

std::string resolveDataDir(const std::string &flag) {
  if (!flag.empty())
    return flag;
  if (const char *env = std::getenv("GNC_DATA"); env && *env)
    return env;
  return GNC_DEFAULT_DATA_DIR;
}

ImageSet loadImages(const ModelInfo &model, const std::string &dir, Split split) {
  if (model.inputShape.size() != 4)
    throw Error("model '" + model.model + "' has no input to load data for");
  if (model.dataset != "mnist")
    throw Error("model '" + model.model + "' reads data set '" + model.dataset +
                "', which this runtime cannot load (only mnist)");
  if (model.inputShape[3] != 1)
    throw Error("model '" + model.model + "' wants " + std::to_string(model.inputShape[3]) +
                " channels; MNIST images have 1");
  std::string path =
      dir + (split == Split::Train ? "/train-images-idx3-ubyte" : "/t10k-images-idx3-ubyte");
  if (::access(path.c_str(), R_OK) != 0)
    throw Error(path + ": cannot open: " + std::strerror(errno) +
                " (--data DIR or GNC_DATA names the MNIST directory; scripts/setup.sh downloads it)");
  ImageSet set = loadIdxImages(path, (size_t)model.inputShape[1], (size_t)model.inputShape[2]);
  if (set.count < (size_t)model.batch)
    throw Error(path + ": holds " + std::to_string(set.count) +
                " images, fewer than one batch of " + std::to_string(model.batch));
  return set;
}

std::string labelsPath(const std::string &dir, Split split) {
  return dir + (split == Split::Train ? "/train-labels-idx1-ubyte" : "/t10k-labels-idx1-ubyte");
}

std::vector<uint8_t> loadLabels(const std::string &dir, Split split, const ImageSet &images) {
  std::string path = labelsPath(dir, split);
  if (::access(path.c_str(), R_OK) != 0)
    throw Error(path + ": cannot open: " + std::strerror(errno) +
                " (the labels of " + images.path + "; scripts/setup.sh downloads them)");
  std::vector<uint8_t> labels = loadIdxLabels(path);
  if (labels.size() != images.count)
    throw Error(path + ": holds " + std::to_string(labels.size()) + " labels, but " +
                images.path + " holds " + std::to_string(images.count) + " images");
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] > 9)
      throw Error(path + ": label " + std::to_string(labels[i]) + " of image " +
                  std::to_string(i) + " is not a digit 0-9");
  return labels;
}

void fillBatch(const ImageSet &set, const uint32_t *indices, size_t batch, float *out) {
  // pixel / 255 in f32, exactly as the ABI says (a table of the 256 quotients).
  static const struct Table {
    float v[256];
    Table() {
      for (int i = 0; i < 256; ++i)
        v[i] = (float)i / 255.0f;
    }
  } table;
  size_t n = set.imageBytes();
  for (size_t k = 0; k < batch; ++k) {
    const uint8_t *src = set.image(indices[k]);
    float *dst = out + k * n;
    for (size_t i = 0; i < n; ++i)
      dst[i] = table.v[src[i]];
  }
}

} // namespace gnc::rt
