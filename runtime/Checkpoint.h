// gnc checkpoints: safetensors files (SafeTensors.h) holding every state tensor of the model
// (parameters and optimizer state, F32, the model's shapes) and, in __metadata__:
//   format "gnc-2", model, model_hash, step (training steps done), epoch (step / steps per
//   epoch), seed (the RNG state: every key and every epoch's permutation derive from the seed
//   and the step, see Shuffle.h), rng (the seed's Philox key, for people), batch,
//   train_images (the training set's size, which fixes the permutations), loss_names,
//   loss_sums and loss_count (the running sums of the losses over the steps of the current
//   epoch, %.17g, so that a resumed run reports the same train_loss as an uninterrupted one),
//   excluded_labels (the digits left out of training, "0,3"; empty for none), loss_history
//   and loss_history_first (every step's losses since step loss_history_first: base64 of
//   little-endian f32, len(loss_names) per step, so that a resumed run continues the loss
//   curve; older checkpoints without them start the history at their step), processes (the
//   number of processes of a data-parallel run, docs/distributed.md: a step is then one
//   global batch of batch x processes images; absent means 1), and digests
//   (Digest.h): "digest:TENSOR" for every tensor, "digest:__loss_history__" and
//   "digest:__metadata__" (every other entry).
// Writing is atomic (FileIO.h). Loading validates the file completely before touching the
// state: a checkpoint of another model, of another version of this model, with a corrupted or
// lying header, an epoch that does not follow from the step, or data that does not match its
// digest is rejected with a one-line Error naming the file (and the tensor). Format "gnc-1"
// (before the digests) still loads, unchecked.
#ifndef GNC_RUNTIME_CHECKPOINT_H
#define GNC_RUNTIME_CHECKPOINT_H

#include "runtime/Buffers.h"
#include "runtime/ModelInfo.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

struct CheckpointMeta {
  uint64_t step = 0;
  uint64_t epoch = 0;
  uint64_t seed = 0;
  uint64_t trainImages = 0;
  uint64_t processes = 1; // of a data-parallel run: a step covers batch x processes images
  std::vector<std::string> lossNames;
  std::vector<double> lossSums;
  uint64_t lossCount = 0;
  std::vector<int> excludedLabels; // ascending digits 0-9
  uint64_t historyFirst = 0;       // the step of lossHistory's first entry
  std::vector<float> lossHistory;  // lossNames.size() values per step, historyFirst..step-1
};

// Comma-separated digits ("0,3"), and back (ascending, no repeats; Error otherwise).
std::string labelList(const std::vector<int> &labels);
std::vector<int> parseLabelList(const std::string &text, const std::string &what);

// The file's bytes (for tests and the fuzzer).
std::string encodeCheckpoint(const ModelInfo &model, const StateBuffers &state,
                             const CheckpointMeta &meta);
void saveCheckpoint(const std::string &path, const ModelInfo &model, const StateBuffers &state,
                    const CheckpointMeta &meta);

// Validates bytes as a checkpoint of `model`; on success copies the tensors into `state`
// (when non-null; it must hold one buffer per state tensor) and returns the metadata.
CheckpointMeta decodeCheckpoint(const uint8_t *bytes, size_t size, const std::string &what,
                                const ModelInfo &model, StateBuffers *state);
CheckpointMeta loadCheckpoint(const std::string &path, const ModelInfo &model,
                              StateBuffers &state);

} // namespace gnc::rt

#endif
