// Slow end-to-end training check (label `slow`: run by `make test-all`, not by `make test`): the
// seed's feed-forward autoencoder (models/ae.gn, with batch 16 instead of 128) is compiled to the
// `grad` stage in-process and trained by the reference evaluator in Precision::F32 for kSteps
// Adam steps on the first 16 * kSteps MNIST training images (data/mnist, pixels / 255 as the
// runtime reads them). It must learn: the mean of the last 20 losses must be below 0.8 times the
// mean of the first 20. Skipped when the MNIST file is missing (`make setup` downloads it).
#include "GnCompileUtil.h"
#include "MlirTestUtil.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <numeric>
#include <sstream>

using namespace gnc::test;

namespace {

constexpr int kBatch = 16, kSteps = 300, kWindow = 20;

std::string readFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return {};
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

uint32_t bigEndian32(const std::string &s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v = v << 8 | (uint8_t)s[at + i];
  return v;
}

TEST(Training, FeedForwardAutoencoderLearnsOnMnist) {
  const std::string root = GNC_SOURCE_DIR;
  std::string idx = readFile(root + "/data/mnist/train-images-idx3-ubyte");
  if (idx.empty())
    GTEST_SKIP() << root << "/data/mnist/train-images-idx3-ubyte is missing (run `make setup`)";
  ASSERT_GE(idx.size(), 16u);
  ASSERT_EQ(bigEndian32(idx, 0), 0x803u) << "not an IDX file of unsigned bytes, 3 dimensions";
  uint32_t count = bigEndian32(idx, 4), rows = bigEndian32(idx, 8), cols = bigEndian32(idx, 12);
  ASSERT_EQ(rows, 28u);
  ASSERT_EQ(cols, 28u);
  ASSERT_GE(count, (uint32_t)(kBatch * kSteps));
  ASSERT_GE(idx.size(), 16 + (size_t)kBatch * kSteps * 784);

  // The shipped model with a smaller batch.
  std::string source = readFile(root + "/models/ae.gn");
  ASSERT_FALSE(source.empty());
  size_t at = source.find("\nbatch 128\n");
  ASSERT_NE(at, std::string::npos) << "models/ae.gn no longer declares 'batch 128'";
  source.replace(at, 11, "\nbatch " + std::to_string(kBatch) + "\n");
  auto module = compileGn(source);
  ASSERT_TRUE(module);
  std::vector<std::string> names = stateNames(*module);

  auto t0 = std::chrono::steady_clock::now();
  Evaluator ev(*module, Precision::F32);
  std::vector<Tensor> state = call(ev, "init", {intTensor({2}, {2024, 0})});
  ASSERT_EQ(state.size(), names.size());
  std::vector<double> losses;
  for (int s = 0; s < kSteps; ++s) {
    Tensor x = Tensor::zeros({kBatch, 28, 28, 1});
    const size_t base = 16 + (size_t)s * kBatch * 784;
    for (int64_t i = 0; i < x.numel(); ++i)
      x.data[i] = (double)((float)(uint8_t)idx[base + i] / 255.0f);
    std::vector<Tensor> args = {x, intTensor({2}, {(double)s, 0})};
    args.insert(args.end(), state.begin(), state.end());
    std::vector<Tensor> out = call(ev, "step", args);
    ASSERT_EQ(out.size(), 1 + names.size()) << "step " << s;
    losses.push_back(out[0].data[0]);
    ASSERT_TRUE(std::isfinite(losses.back())) << "step " << s;
    state.assign(out.begin() + 1, out.end());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double first = std::accumulate(losses.begin(), losses.begin() + kWindow, 0.0) / kWindow;
  double last = std::accumulate(losses.end() - kWindow, losses.end(), 0.0) / kWindow;
  std::printf("[ AE ] %d steps of batch %d in %.1f s (%.0f ms/step); mean loss of the first %d "
              "steps %.2f, of the last %d %.2f (ratio %.3f)\n",
              kSteps, kBatch, secs, 1000 * secs / kSteps, kWindow, first, kWindow, last,
              last / first);
  EXPECT_LT(last, 0.8 * first) << "the autoencoder did not learn";
}

} // namespace
