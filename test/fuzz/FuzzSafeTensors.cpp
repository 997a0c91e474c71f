// libFuzzer target for the runtime's safetensors/checkpoint loader: any byte string may be
// rejected with a one-line error naming the file, but must never crash, hang, leak or trip
// ASan/UBSan; a file the parser accepts must describe only bytes inside the data region, and
// re-encoding it must give a file that parses to the same tensors and metadata. Every input is
// also decoded as a checkpoint of a small fixed model (the seeds from safetensors-seeds.py
// include valid ones), which exercises the metadata, model-hash, dtype and shape checks.
//
//   make fuzz [FUZZ_SECONDS=60]   (build-fuzz/bin/gnc-fuzz-safetensors; see test/fuzz/run-fuzz.sh)
#include "runtime/Checkpoint.h"
#include "runtime/Error.h"
#include "runtime/ModelInfo.h"
#include "runtime/SafeTensors.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

using namespace gnc::rt;

namespace {

void noEntry(void **) {}

// Keep in sync with safetensors-seeds.py.
const char *kModel = R"({"model":"fuzz","batch":2,"dataset":"mnist","input":"x",
  "input_shape":[2,28,28,1],"model_hash":"00000000f0220001",
  "state":[{"name":"w","shape":[3,2],"trainable":true},{"name":"b","shape":[2],"trainable":true},
           {"name":"opt0.step","shape":[],"trainable":false}],
  "entries":[{"name":"init","kind":"init","symbol":"i"},
             {"name":"step","kind":"train","symbol":"s","losses":["loss"]}]})";
const GncEntry kEntries[] = {{"i", noEntry}, {"s", noEntry}, {nullptr, nullptr}};

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "gnc-fuzz-safetensors: %s: %s\n", what, detail.c_str());
  std::abort();
}

void checkMessage(const Error &e) {
  std::string msg = e.what();
  if (msg.find('\n') != std::string::npos || msg.find('\r') != std::string::npos)
    fail("error message is not one line", msg);
  if (msg.rfind("in.safetensors: ", 0) != 0)
    fail("error message does not name the file", msg);
  if (e.exitCode() != ExitUsage)
    fail("bad input is not exit status 2", msg);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const ModelInfo model = parseModelInfo(kModel, kEntries);

  try {
    SafeTensorsView v = parseSafeTensors(data, size, "in.safetensors");
    std::vector<SafeTensorOut> outs;
    for (const SafeTensorInfo &t : v.tensors) {
      if (t.begin > t.end || t.end > v.dataSize)
        fail("accepted a tensor outside the data region", t.name);
      outs.push_back({t.name, t.dtype, t.shape, v.bytesOf(t)});
    }
    std::string again = encodeSafeTensors(v.metadata, outs);
    SafeTensorsView w = parseSafeTensors(reinterpret_cast<const uint8_t *>(again.data()),
                                         again.size(), "in.safetensors");
    if (w.metadata != v.metadata || w.tensors.size() != v.tensors.size())
      fail("round trip changed the file", "metadata or tensor count");
    for (const SafeTensorInfo &t : v.tensors) {
      const SafeTensorInfo *u = w.find(t.name);
      if (!u || u->dtype != t.dtype || u->shape != t.shape || u->end - u->begin != t.end - t.begin ||
          std::memcmp(w.bytesOf(*u), v.bytesOf(t), t.end - t.begin) != 0)
        fail("round trip changed a tensor", t.name);
    }
  } catch (const Error &e) {
    checkMessage(e);
  }

  try {
    StateBuffers state;
    for (const TensorSpec &t : model.state)
      state.emplace_back(t.bytes());
    decodeCheckpoint(data, size, "in.safetensors", model, &state);
  } catch (const Error &e) {
    checkMessage(e);
  }
  return 0;
}
