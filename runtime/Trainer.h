// The training loop and the test-set evaluation.
//
// Training runs global steps meta.step .. target-1 (target = --steps, or --epochs x steps per
// epoch, the smaller of the two when both are given; one epoch by default). Step s trains on
// batch s % S of epoch s / S's permutation (Shuffle.h) with key stepKey(seed, s). After every
// step the losses are checked: a NaN or infinite one stops the run (ExitNonFinite) before the
// bad state is committed or written. A checkpoint is written at the end of every epoch, every
// --checkpoint-every steps, at the end of the run, and on SIGINT (then ExitInterrupted).
// --resume loads the checkpoint and continues from its step: the result is bit-identical to
// an uninterrupted run with the same seed. Messages count steps and epochs from 1 ("loss is
// NaN at step 25 (epoch 2)" is the 25th step); a checkpoint's "step" is the number of steps
// done.
//
// --exclude-label D,...: training uses only the images whose label is not listed; epoch e's
// permutation (Shuffle.h) is then over the list of kept image indices (in file order), and
// the checkpoint records the labels, which --resume must match. Every step's losses are kept in
// the checkpoint (Checkpoint.h), and the run ends by writing them as CSV and as a loss-curve
// PNG (LossCurve.h), also when it is interrupted or stopped by a NaN (the failing step is the
// CSV's last row then).
//
// The test loss is the mean of losses[0] over all full batches of the test set (the last
// partial batch is skipped), each computed by the train entry with key evalKey(seed, b) and
// its updated state discarded.
//
// Data-parallel programs (gnc build --mpi, docs/distributed.md) run as P processes: a step is
// a global batch of B x P images, process r taking positions r*B.. of each; the generated code
// all-reduces the gradients and the losses, so every process holds the same state and losses;
// only rank 0 writes checkpoints (with `processes`), curves and progress; --resume needs the
// same P. Test batches are global batches too. One process is P = 1: nothing changes.
#ifndef GNC_RUNTIME_TRAINER_H
#define GNC_RUNTIME_TRAINER_H

#include "runtime/Engine.h"
#include "runtime/Idx.h"
#include "runtime/ModelInfo.h"
#include "runtime/Progress.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gnc::rt {

struct TrainOptions {
  std::string dataDir;
  std::optional<uint64_t> epochs, steps, seed, checkpointEvery;
  std::string checkpoint; // empty: none
  bool resume = false;
  std::vector<int> excludeLabels; // ascending digits
  std::string lossCsv, lossPng;   // empty: not written
  int threads = 2;
  bool interactiveProgress = false;
};

struct EvalResult {
  std::vector<double> means; // per loss, over the batches
  uint64_t batches = 0, images = 0, skipped = 0;
};

struct TrainResult {
  uint64_t steps = 0, stepsPerEpoch = 0, stepsThisRun = 0;
  uint64_t seed = 0;
  std::vector<std::string> lossNames;
  std::vector<double> trainLoss; // mean over the current epoch's steps (see Checkpoint.h)
  EvalResult test;
  double seconds = 0, imagesPerSecond = 0;
  std::string checkpoint;
  uint64_t trainImages = 0;       // images training draws from (after --exclude-label)
  uint64_t trainImagesInFile = 0; // the training file's images
  std::vector<int> excludedLabels;
  std::string lossCsv, lossPng;   // written files
};

TrainResult train(const ModelInfo &model, const TrainOptions &options, Progress &progress);

EvalResult evaluate(Engine &engine, const ImageSet &test, uint64_t seed, int threads);

} // namespace gnc::rt

#endif
