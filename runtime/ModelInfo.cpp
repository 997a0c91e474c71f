#include "runtime/ModelInfo.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <set>

namespace gnc::rt {

using json = nlohmann::json;

size_t numElements(const Shape &shape) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= (size_t)d;
  return n;
}

std::string shapeString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

const EntrySpec *ModelInfo::findEntry(const std::string &kind, const std::string &name) const {
  for (const EntrySpec &e : entries)
    if (e.kind == kind && (name.empty() || e.name == name))
      return &e;
  return nullptr;
}

const EntrySpec &ModelInfo::initEntry() const {
  if (const EntrySpec *e = findEntry("init"))
    return *e;
  throw Error("model '" + model + "' has no init procedure (the generated object is incomplete)",
              ExitInternal);
}

const EntrySpec &ModelInfo::trainEntry() const {
  if (const EntrySpec *e = findEntry("train"))
    return *e;
  throw Error("model '" + model + "' has no train procedure");
}

const EntrySpec &ModelInfo::sampleEntry(const std::string &name) const {
  if (const EntrySpec *e = findEntry("sample", name))
    return *e;
  std::string known;
  for (const EntrySpec &e : entries)
    if (e.kind == "sample")
      known += (known.empty() ? "" : ", ") + e.name;
  throw Error("model '" + model + "' has no sample procedure '" + name + "' (" +
              (known.empty() ? "it has none" : "it has: " + known) + ")");
}

size_t ModelInfo::parameterCount() const {
  size_t n = 0;
  for (const TensorSpec &t : state)
    if (t.trainable)
      n += t.elements();
  return n;
}

size_t ModelInfo::stateElements() const {
  size_t n = 0;
  for (const TensorSpec &t : state)
    n += t.elements();
  return n;
}

namespace {

[[noreturn]] void bad(const std::string &what) {
  throw Error("gnc_model_info: " + what + " (the generated object does not match this runtime)",
              ExitInternal);
}

const json &field(const json &obj, const char *key, const std::string &where) {
  auto it = obj.find(key);
  if (it == obj.end())
    bad(where + " lacks \"" + key + "\"");
  return *it;
}

std::string str(const json &obj, const char *key, const std::string &where) {
  const json &v = field(obj, key, where);
  if (!v.is_string())
    bad(where + ": \"" + key + "\" is not a string");
  return v.get<std::string>();
}

// Shapes: at most 8 dims, each in [0, 2^31), at most 2^36 elements in total (256 GiB of f32).
Shape shape(const json &obj, const char *key, const std::string &where) {
  const json &v = field(obj, key, where);
  if (!v.is_array() || v.size() > 8)
    bad(where + ": \"" + key + "\" is not a shape");
  Shape s;
  uint64_t total = 1;
  for (const json &d : v) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() >= (1LL << 31))
      bad(where + ": \"" + key + "\" has a bad dimension");
    s.push_back(d.get<int64_t>());
    total *= (uint64_t)s.back();
    if (total > (1ULL << 36))
      bad(where + ": \"" + key + "\" is too large");
  }
  return s;
}

} // namespace

ModelInfo parseModelInfo(const char *text, const GncEntry *table) {
  if (!text)
    bad("missing");
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    bad("not valid JSON");
  if (!j.is_object())
    bad("not a JSON object");

  ModelInfo m;
  m.model = str(j, "model", "model");
  const json &batch = field(j, "batch", "model");
  if (!batch.is_number_integer() || batch.get<int64_t>() <= 0 || batch.get<int64_t>() >= (1 << 24))
    bad("\"batch\" is not a positive integer");
  m.batch = batch.get<int64_t>();
  // A model without a train procedure may have no input: these three are optional, and the
  // commands that need an input check for it (Dataset.cpp).
  m.dataset = j.contains("dataset") ? str(j, "dataset", "model") : "";
  m.input = j.contains("input") ? str(j, "input", "model") : "";
  if (j.contains("input_shape")) {
    m.inputShape = shape(j, "input_shape", "model");
    if (m.inputShape.size() != 4 || m.inputShape[0] != m.batch)
      bad("\"input_shape\" " + shapeString(m.inputShape) + " is not [batch, H, W, C]");
  }
  m.modelHash = str(j, "model_hash", "model");
  if (m.modelHash.empty())
    bad("\"model_hash\" is empty");
  m.backend = j.contains("backend") ? str(j, "backend", "model") : "unknown";
  m.buildFlags = j.contains("build_flags") ? str(j, "build_flags", "model") : "";

  const json &state = field(j, "state", "model");
  if (!state.is_array())
    bad("\"state\" is not an array");
  std::set<std::string> names;
  for (const json &t : state) {
    if (!t.is_object())
      bad("a \"state\" element is not an object");
    TensorSpec spec;
    spec.name = str(t, "name", "state tensor");
    std::string where = "state tensor '" + spec.name + "'";
    if (spec.name.empty() || !names.insert(spec.name).second)
      bad(where + ": empty or duplicate name");
    spec.shape = shape(t, "shape", where);
    if (t.contains("trainable")) {
      if (!t["trainable"].is_boolean())
        bad(where + ": \"trainable\" is not a boolean");
      spec.trainable = t["trainable"].get<bool>();
    }
    m.state.push_back(std::move(spec));
  }

  if (j.contains("kernels")) {
    const json &kernels = j["kernels"];
    if (!kernels.is_array())
      bad("\"kernels\" is not an array");
    for (const json &k : kernels) {
      if (!k.is_object())
        bad("a \"kernels\" element is not an object");
      KernelSpec spec;
      spec.name = str(k, "name", "kernel");
      std::string where = "kernel '" + spec.name + "'";
      spec.backend = k.contains("backend") ? str(k, "backend", where) : m.backend;
      spec.signature = k.contains("signature") ? str(k, "signature", where) : spec.name;
      if (k.contains("entries")) {
        if (!k["entries"].is_array())
          bad(where + ": \"entries\" is not an array");
        for (const json &e : k["entries"]) {
          if (!e.is_string())
            bad(where + ": an entry is not a string");
          spec.entries.push_back(e.get<std::string>());
        }
      }
      for (const char *key : {"flops", "bytes"}) {
        const json &v = field(k, key, where);
        if (!v.is_number() || v.get<double>() < 0)
          bad(where + ": \"" + key + "\" is not a non-negative number");
        (std::string(key) == "flops" ? spec.flops : spec.bytes) = v.get<double>();
      }
      m.kernels.push_back(std::move(spec));
    }
  }

  if (j.contains("kernel_functions")) {
    const json &fns = j["kernel_functions"];
    if (!fns.is_array())
      bad("\"kernel_functions\" is not an array");
    for (const json &k : fns) {
      if (!k.is_object())
        bad("a \"kernel_functions\" element is not an object");
      KernelFunctionSpec spec;
      spec.name = str(k, "name", "kernel function");
      std::string where = "kernel function '" + spec.name + "'";
      spec.symbol = str(k, "symbol", where);
      const json &index = field(k, "kernel", where);
      if (!index.is_number_integer() || index.get<int64_t>() < 0 || index.get<size_t>() >= m.kernels.size())
        bad(where + ": \"kernel\" is not an index into \"kernels\"");
      spec.kernel = index.get<size_t>();
      const json &args = field(k, "args", where);
      if (!args.is_array())
        bad(where + ": \"args\" is not an array");
      for (const json &a : args) {
        if (!a.is_object())
          bad(where + ": an argument is not an object");
        KernelArgSpec arg;
        arg.scalar = a.contains("scalar");
        arg.dtype = str(a, arg.scalar ? "scalar" : "dtype", where);
        if (!arg.scalar)
          arg.shape = shape(a, "shape", where);
        spec.args.push_back(std::move(arg));
      }
      m.kernelFunctions.push_back(std::move(spec));
    }
  }

  const json &entries = field(j, "entries", "model");
  if (!entries.is_array())
    bad("\"entries\" is not an array");
  std::set<std::string> entryNames;
  for (const json &e : entries) {
    if (!e.is_object())
      bad("an \"entries\" element is not an object");
    EntrySpec spec;
    spec.name = str(e, "name", "entry");
    std::string where = "entry '" + spec.name + "'";
    if (!entryNames.insert(spec.name).second)
      bad(where + ": duplicate name");
    spec.kind = str(e, "kind", where);
    spec.symbol = str(e, "symbol", where);
    if (spec.kind == "train" || spec.kind == "eval") {
      const json &losses = field(e, "losses", where);
      if (!losses.is_array() || losses.empty())
        bad(where + ": \"losses\" is not a non-empty array");
      for (const json &l : losses) {
        if (!l.is_string())
          bad(where + ": a loss name is not a string");
        spec.losses.push_back(l.get<std::string>());
      }
    } else if (spec.kind == "sample") {
      if (e.contains("takes_input")) {
        if (!e["takes_input"].is_boolean())
          bad(where + ": \"takes_input\" is not a boolean");
        spec.takesInput = e["takes_input"].get<bool>();
      }
      spec.outputShape = shape(e, "output_shape", where);
      if (spec.outputShape.empty())
        bad(where + ": \"output_shape\" is a scalar");
      // An input other than the data set's (a decoder's latent codes) carries its own shape;
      // without one, the input is the model's.
      if (e.contains("input_shape")) {
        if (!spec.takesInput)
          bad(where + ": \"input_shape\" on a procedure that takes no input");
        spec.inputShape = shape(e, "input_shape", where);
        if (spec.inputShape.empty() || spec.inputShape[0] != m.batch)
          bad(where + ": \"input_shape\" " + shapeString(spec.inputShape) +
              " does not start with the batch " + std::to_string(m.batch));
      } else if (spec.takesInput) {
        if (m.inputShape.empty())
          bad(where + ": takes an input, but the model has no \"input_shape\"");
        spec.inputShape = m.inputShape;
      }
    } else if (spec.kind != "init") {
      bad(where + ": unknown kind '" + spec.kind + "'");
    }
    for (const GncEntry *t = table; t && t->name; ++t)
      if (spec.symbol == t->name) {
        spec.fn = t->fn;
        break;
      }
    if (!spec.fn)
      bad(where + ": symbol '" + spec.symbol + "' is not in gnc_entries");
    m.entries.push_back(std::move(spec));
  }
  return m;
}

} // namespace gnc::rt
