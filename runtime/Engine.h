// Calls the generated entry points with buffers laid out as the ABI says (GncAbi.h). Owns two
// sets of state buffers, "current" and "next": a train step reads current and writes next
// (results never alias arguments), and commit() swaps them. Evaluation runs the train entry
// without commit(), so it never changes the weights.
#ifndef GNC_RUNTIME_ENGINE_H
#define GNC_RUNTIME_ENGINE_H

#include "runtime/Buffers.h"
#include "runtime/ModelInfo.h"
#include "runtime/Shuffle.h"

#include <vector>

namespace gnc::rt {

class Engine {
public:
  explicit Engine(const ModelInfo &model);

  const ModelInfo &model() const { return info; }
  StateBuffers &state() { return current; }
  const StateBuffers &state() const { return current; }

  // current = init(key).
  void init(Key key);
  // Runs `train` on one input batch (inputElements() floats, 64-byte aligned) with `key`;
  // returns the losses and leaves the updated state in "next".
  const std::vector<float> &trainStep(const EntrySpec &train, const float *input, Key key);
  // The losses of an eval entry (or of a train entry, whose new state is then ignored) on the
  // current state; the state does not change.
  const std::vector<float> &evalLosses(const EntrySpec &entry, const float *input, Key key);
  void commit(); // current <-> next
  // Runs a sample entry; input may be null when it takes none. Returns the output buffer
  // (numElements(entry.outputShape) floats), valid until the next call.
  const float *sample(const EntrySpec &entry, const float *input, Key key);

private:
  const std::vector<float> &callWithLosses(const EntrySpec &entry, const float *input, Key key,
                                           bool writesState);
  void setKey(Key key);

  const ModelInfo &info;
  StateBuffers current, next;
  AlignedBuffer key;
  std::vector<AlignedBuffer> lossBuffers;
  std::vector<float> losses;
  AlignedBuffer output;
  std::vector<void *> args;
};

} // namespace gnc::rt

#endif
