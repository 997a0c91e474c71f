#include "runtime/Engine.h"

#include "runtime/Error.h"

namespace gnc::rt {

Engine::Engine(const ModelInfo &model) : info(model), key(2 * sizeof(int32_t)) {
  for (const TensorSpec &t : info.state) {
    current.emplace_back(t.bytes());
    next.emplace_back(t.bytes());
  }
}

void Engine::setKey(Key k) {
  key.i32()[0] = (int32_t)k[0];
  key.i32()[1] = (int32_t)k[1];
}

void Engine::init(Key k) {
  const EntrySpec &e = info.initEntry();
  setKey(k);
  args.clear();
  args.push_back(key.data());
  for (AlignedBuffer &b : current)
    args.push_back(b.data());
  e.fn(args.data());
}

// Train and eval entries share the ABI (input, key, state...) -> (losses..., [new state...]).
const std::vector<float> &Engine::callWithLosses(const EntrySpec &entry, const float *input, Key k,
                                                 bool writesState) {
  if (lossBuffers.size() != entry.losses.size()) {
    lossBuffers.clear();
    for (size_t i = 0; i < entry.losses.size(); ++i)
      lossBuffers.emplace_back(sizeof(float));
  }
  setKey(k);
  args.clear();
  args.push_back(const_cast<float *>(input));
  args.push_back(key.data());
  for (AlignedBuffer &b : current)
    args.push_back(b.data());
  for (AlignedBuffer &b : lossBuffers)
    args.push_back(b.data());
  if (writesState)
    for (AlignedBuffer &b : next)
      args.push_back(b.data());
  entry.fn(args.data());
  losses.resize(lossBuffers.size());
  for (size_t i = 0; i < lossBuffers.size(); ++i)
    losses[i] = lossBuffers[i].f32()[0];
  return losses;
}

const std::vector<float> &Engine::trainStep(const EntrySpec &train, const float *input, Key k) {
  return callWithLosses(train, input, k, /*writesState=*/true);
}

const std::vector<float> &Engine::evalLosses(const EntrySpec &entry, const float *input, Key k) {
  // A train entry's new state goes to `next`, which only commit() would make current.
  return callWithLosses(entry, input, k, /*writesState=*/entry.kind == "train");
}

void Engine::commit() { current.swap(next); }

const float *Engine::sample(const EntrySpec &entry, const float *input, Key k) {
  size_t bytes = numElements(entry.outputShape) * sizeof(float);
  if (output.bytes() != bytes)
    output = AlignedBuffer(bytes);
  if (entry.takesInput && !input)
    throw Error("internal error: sample procedure '" + entry.name + "' needs an input",
                ExitInternal);
  setKey(k);
  args.clear();
  if (entry.takesInput)
    args.push_back(const_cast<float *>(input));
  args.push_back(key.data());
  for (AlignedBuffer &b : current)
    args.push_back(b.data());
  args.push_back(output.data());
  entry.fn(args.data());
  return output.f32();
}

} // namespace gnc::rt
