#include "runtime/Checkpoint.h"

#include "runtime/Digest.h"
#include "runtime/Error.h"
#include "runtime/FileIO.h"
#include "runtime/SafeTensors.h"
#include "runtime/Shuffle.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

// safetensors data is little-endian; the state buffers are copied as they are.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the runtime assumes a little-endian host");

namespace gnc::rt {

namespace {

constexpr const char *kFormat = "gnc-2";
// Checkpoints written before the digests: loaded, unchecked (Checkpoint.h).
constexpr const char *kFormatWithoutDigests = "gnc-1";

// Digest keys in __metadata__ (Digest.h): "digest:TENSOR" for every tensor, and these two
// ("__metadata__" cannot name a tensor; the loss history is a metadata string of its own).
constexpr const char *kMetadataDigest = "digest:__metadata__";
constexpr const char *kHistoryDigest = "digest:__loss_history__";

// What kMetadataDigest covers: every entry but itself and the loss history (which has its own
// digest, so that a flip there is named as such).
std::map<std::string, std::string> digestedMetadata(std::map<std::string, std::string> md) {
  md.erase(kMetadataDigest);
  md.erase("loss_history");
  return md;
}

std::string join(const std::vector<std::string> &v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? "," : "") + v[i];
  return s;
}

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> out;
  if (s.empty())
    return out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos)
      return out;
    start = comma + 1;
  }
}

std::string exactDouble(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// The loss history as base64 (RFC 4648, padded) of its little-endian f32 bytes: exact and
// about 5.3 characters per value.
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const uint8_t *p, size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                 (i + 2 < n ? p[i + 2] : 0);
    out.push_back(kBase64[v >> 18]);
    out.push_back(kBase64[v >> 12 & 63]);
    out.push_back(i + 1 < n ? kBase64[v >> 6 & 63] : '=');
    out.push_back(i + 2 < n ? kBase64[v & 63] : '=');
  }
  return out;
}

// False on anything but canonical padded base64.
bool unbase64(const std::string &s, std::vector<uint8_t> &out) {
  if (s.size() % 4)
    return false;
  auto value = [](char c) -> int {
    const char *p = c ? std::strchr(kBase64, c) : nullptr;
    return p ? (int)(p - kBase64) : -1;
  };
  out.clear();
  out.reserve(s.size() / 4 * 3);
  for (size_t i = 0; i < s.size(); i += 4) {
    bool last = i + 4 == s.size();
    int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=') : 0;
    if (pad == 1 && s[i + 2] == '=')
      return false;
    int v[4];
    for (int k = 0; k < 4 - pad; ++k)
      if ((v[k] = value(s[i + k])) < 0)
        return false;
    for (int k = 4 - pad; k < 4; ++k)
      v[k] = 0;
    uint32_t w = (uint32_t)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out.push_back((uint8_t)(w >> 16));
    if (pad < 2)
      out.push_back((uint8_t)(w >> 8));
    if (pad < 1)
      out.push_back((uint8_t)w);
  }
  return true;
}

} // namespace

std::string labelList(const std::vector<int> &labels) {
  std::string s;
  for (size_t i = 0; i < labels.size(); ++i)
    s += (i ? "," : "") + std::to_string(labels[i]);
  return s;
}

std::vector<int> parseLabelList(const std::string &text, const std::string &what) {
  std::vector<int> labels;
  for (const std::string &t : split(text)) {
    if (t.size() != 1 || t[0] < '0' || t[0] > '9')
      throw Error(what + ": '" + (t.size() > 20 ? t.substr(0, 17) + "..." : t) +
                  "' is not a digit 0-9");
    int d = t[0] - '0';
    if (!labels.empty() && d <= labels.back())
      throw Error(what + ": labels must be listed once each, in ascending order");
    labels.push_back(d);
  }
  return labels;
}

std::string encodeCheckpoint(const ModelInfo &model, const StateBuffers &state,
                             const CheckpointMeta &meta) {
  if (state.size() != model.state.size())
    throw Error("internal error: state buffers do not match the model", ExitInternal);
  std::map<std::string, std::string> md;
  md["format"] = kFormat;
  md["model"] = model.model;
  md["model_hash"] = model.modelHash;
  md["step"] = std::to_string(meta.step);
  md["epoch"] = std::to_string(meta.epoch);
  md["seed"] = std::to_string(meta.seed);
  Key k = seedKey(meta.seed);
  md["rng"] = "philox4x32-10 key " + hex32(k[0]) + "," + hex32(k[1]) +
              "; step s uses fold_in(key, s); epoch e's permutation: see the runtime's Shuffle.h";
  md["batch"] = std::to_string(model.batch);
  md["train_images"] = std::to_string(meta.trainImages);
  md["processes"] = std::to_string(meta.processes);
  md["loss_names"] = join(meta.lossNames);
  std::vector<std::string> sums;
  for (double s : meta.lossSums)
    sums.push_back(exactDouble(s));
  md["loss_sums"] = join(sums);
  md["loss_count"] = std::to_string(meta.lossCount);
  md["excluded_labels"] = labelList(meta.excludedLabels);
  md["loss_history_first"] = std::to_string(meta.historyFirst);
  md["loss_history"] = base64(reinterpret_cast<const uint8_t *>(meta.lossHistory.data()),
                              meta.lossHistory.size() * sizeof(float));

  std::vector<SafeTensorOut> tensors;
  for (size_t i = 0; i < model.state.size(); ++i) {
    const TensorSpec &spec = model.state[i];
    std::vector<uint64_t> shape(spec.shape.begin(), spec.shape.end());
    tensors.push_back({spec.name, "F32", shape, state[i].data()});
    md["digest:" + spec.name] = digestOf(state[i].data(), spec.bytes());
  }
  md[kHistoryDigest] = digestOf(md["loss_history"].data(), md["loss_history"].size());
  md[kMetadataDigest] = digestOfEntries(digestedMetadata(md));
  return encodeSafeTensors(md, tensors);
}

void saveCheckpoint(const std::string &path, const ModelInfo &model, const StateBuffers &state,
                    const CheckpointMeta &meta) {
  std::string bytes = encodeCheckpoint(model, state, meta);
  writeFileAtomic(path, bytes.data(), bytes.size());
}

CheckpointMeta decodeCheckpoint(const uint8_t *bytes, size_t size, const std::string &what,
                                const ModelInfo &model, StateBuffers *state) {
  SafeTensorsView view = parseSafeTensors(bytes, size, what);
  auto fail = [&](const std::string &problem) { throw Error(what + ": " + problem); };
  if (!view.hasMetadata)
    fail("not a gnc checkpoint (no __metadata__)");
  auto meta = [&](const char *key) -> const std::string & {
    auto it = view.metadata.find(key);
    if (it == view.metadata.end())
      fail(std::string("not a gnc checkpoint (no \"") + key + "\" in __metadata__)");
    return it->second;
  };
  const std::string &format = meta("format");
  if (format != kFormat && format != kFormatWithoutDigests)
    fail("checkpoint format '" + format + "' is not " + kFormat + " (or the older " +
         kFormatWithoutDigests + ")");
  const std::string &name = meta("model"), &hash = meta("model_hash");
  if (name != model.model)
    fail("checkpoint of model '" + name + "', not of this program's model '" + model.model + "'");
  if (hash != model.modelHash)
    fail("checkpoint of another version of model '" + name + "' (model hash " + hash +
         ", this program's is " + model.modelHash + ")");
  auto number = [&](const char *key) -> uint64_t {
    const std::string &s = meta(key);
    char *end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || s[0] < '0' || s[0] > '9' || *end || errno == ERANGE)
      fail(std::string("metadata \"") + key + "\" is not a non-negative integer");
    return v;
  };
  CheckpointMeta out;
  out.step = number("step");
  out.epoch = number("epoch");
  out.seed = number("seed");
  out.trainImages = number("train_images");
  out.lossCount = number("loss_count");
  if (number("batch") != (uint64_t)model.batch)
    fail("checkpoint batch " + meta("batch") + " differs from the model's " +
         std::to_string(model.batch));
  auto optional = [&](const char *key) -> const std::string * {
    auto it = view.metadata.find(key);
    return it == view.metadata.end() ? nullptr : &it->second;
  };
  // Checkpoints from before data parallelism have no "processes": one.
  if (optional("processes")) {
    out.processes = number("processes");
    if (out.processes < 1 || out.processes > (1u << 24))
      fail("metadata \"processes\" " + std::to_string(out.processes) + " is not a process count");
  }
  // The epoch follows from the step; every command checks it, not only --resume.
  const uint64_t globalBatch = (uint64_t)model.batch * out.processes;
  if (out.trainImages < globalBatch)
    fail("metadata \"train_images\" " + std::to_string(out.trainImages) +
         " is fewer than one batch of " + std::to_string(globalBatch) +
         (out.processes > 1 ? " (the batch x " + std::to_string(out.processes) + " processes)" : ""));
  const uint64_t stepsPerEpoch = out.trainImages / globalBatch;
  if (out.epoch != out.step / stepsPerEpoch)
    fail("metadata epoch " + std::to_string(out.epoch) + " does not match step " +
         std::to_string(out.step) + " (" + std::to_string(stepsPerEpoch) + " steps per epoch)");
  out.lossNames = split(meta("loss_names"));
  for (const std::string &s : split(meta("loss_sums"))) {
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end)
      fail("metadata \"loss_sums\" is not a list of numbers");
    out.lossSums.push_back(v);
  }
  if (out.lossSums.size() != out.lossNames.size())
    fail("metadata \"loss_sums\" and \"loss_names\" differ in length");
  if (const std::string *labels = optional("excluded_labels"))
    out.excludedLabels = parseLabelList(*labels, what + ": metadata \"excluded_labels\"");
  out.historyFirst = out.step;
  if (const std::string *history = optional("loss_history")) {
    std::vector<uint8_t> bytes;
    if (!unbase64(*history, bytes))
      fail("metadata \"loss_history\" is not base64");
    size_t perStep = out.lossNames.size() * sizeof(float);
    if (perStep ? bytes.size() % perStep != 0 : !bytes.empty())
      fail("metadata \"loss_history\" is not a whole number of steps of " +
           std::to_string(out.lossNames.size()) + " losses");
    out.lossHistory.resize(bytes.size() / sizeof(float));
    if (!bytes.empty())
      std::memcpy(out.lossHistory.data(), bytes.data(), bytes.size());
    uint64_t steps = perStep ? bytes.size() / perStep : 0;
    out.historyFirst = number("loss_history_first");
    if (out.historyFirst > out.step || out.step - out.historyFirst != steps)
      fail("metadata \"loss_history\" holds " + std::to_string(steps) +
           " steps from step " + std::to_string(out.historyFirst) + ", which does not end at step " +
           std::to_string(out.step));
  }

  // Every state tensor, with the model's dtype and shape, and nothing else.
  for (const TensorSpec &spec : model.state) {
    const SafeTensorInfo *t = view.find(spec.name);
    if (!t)
      fail("missing tensor '" + spec.name + "'");
    if (t->dtype != "F32")
      fail("tensor '" + spec.name + "' has dtype " + t->dtype + ", expected F32");
    std::vector<uint64_t> want(spec.shape.begin(), spec.shape.end());
    if (t->shape != want)
      fail("tensor '" + spec.name + "' has shape " + shapeString(t->shape) +
           ", the model's is " + shapeString(spec.shape));
  }
  if (view.tensors.size() != model.state.size())
    for (const SafeTensorInfo &t : view.tensors) {
      bool known = false;
      for (const TensorSpec &spec : model.state)
        known |= spec.name == t.name;
      if (!known)
        fail("unexpected tensor '" + (t.name.size() > 80 ? t.name.substr(0, 77) + "..." : t.name) +
             "' (not a state tensor of model '" + model.model + "')");
    }
  // Last, so that a lying header gets its specific reason above; what passes those checks and
  // differs from what was written is corruption.
  if (format == kFormat) {
    auto digest = [&](const std::string &key, const std::string &item) -> const std::string & {
      auto it = view.metadata.find(key);
      if (it == view.metadata.end())
        fail(item + " has no digest (no \"" + key + "\" in __metadata__)");
      return it->second;
    };
    const char *corrupted = " does not match its digest (the file is corrupted)";
    if (digestOfEntries(digestedMetadata(view.metadata)) != digest(kMetadataDigest, "the metadata"))
      fail(std::string("the metadata") + corrupted);
    const std::string &history = meta("loss_history");
    if (digestOf(history.data(), history.size()) != digest(kHistoryDigest, "the loss history"))
      fail(std::string("the loss history") + corrupted);
    for (const SafeTensorInfo &t : view.tensors)
      if (digestOf(view.bytesOf(t), t.end - t.begin) !=
          digest("digest:" + t.name, "tensor '" + t.name + "'"))
        fail("tensor '" + t.name + "'" + corrupted);
  }
  if (state) {
    if (state->size() != model.state.size())
      throw Error("internal error: state buffers do not match the model", ExitInternal);
    for (size_t i = 0; i < model.state.size(); ++i) {
      const SafeTensorInfo *t = view.find(model.state[i].name);
      std::memcpy((*state)[i].data(), view.bytesOf(*t), model.state[i].bytes());
    }
  }
  return out;
}

CheckpointMeta loadCheckpoint(const std::string &path, const ModelInfo &model,
                              StateBuffers &state) {
  std::vector<uint8_t> bytes = readFile(path);
  return decodeCheckpoint(bytes.data(), bytes.size(), path, model, &state);
}

} // namespace gnc::rt
