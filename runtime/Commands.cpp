#include "runtime/Commands.h"

#include "runtime/Apply.h"
#include "runtime/Checkpoint.h"
#include "runtime/Cli.h"
#include "runtime/Dataset.h"
#include "runtime/Engine.h"
#include "runtime/Error.h"
#include "runtime/FileIO.h"
#include "runtime/LatentScatter.h"
#include "runtime/LossCurve.h"
#include "runtime/Manifold.h"
#include "runtime/ModelInfo.h"
#include "runtime/PngGrid.h"
#include "runtime/Profile.h"
#include "runtime/Processes.h"
#include "runtime/Progress.h"
#include "runtime/RuntimeConfig.h"
#include "runtime/SafeTensors.h"
#include "runtime/Sampling.h"
#include "runtime/Threads.h"
#include "runtime/Trainer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <unistd.h>

namespace gnc::rt {

using json = nlohmann::ordered_json;

namespace {

constexpr uint64_t kMaxImages = 100000;

// The usage text: this head, each command's help (the command table below), the tail. A
// printf format: %1$s is the program, %2$s the model, %3$s the default data directory.
const char *kUsageHead = R"(usage: %1$s COMMAND [FLAGS]

Model '%2$s' compiled by gnc, with its training and sampling runtime.

Commands:
)";

const char *kUsageTail = R"(  Every command but info also takes --threads N (default 2); the sampling commands' --seed
  defaults to the checkpoint's. --profile times every generated kernel and prints, at the
  end, its calls, total time, share, GFLOP/s and GB/s (and %% of the FMA peak if
  GNC_PEAK_GFLOPS is set) to stderr; --profile-json FILE also writes them as JSON.

Data: --data DIR, else $GNC_DATA, else %3$s: MNIST's train-images-idx3-ubyte and
t10k-images-idx3-ubyte; pixels are scaled to [0, 1] (byte / 255). Labels (--exclude-label,
apply/encode): train-labels-idx1-ubyte and t10k-labels-idx1-ubyte.
Randomness: seed -> Philox-4x32-10 key {seed mod 2^32, seed >> 32}; init uses fold_in(key,
0xFFFFFFFF), training step s (0-based) fold_in(key, s), the other commands
fold_in(key, 0xFFFFFFFE) (their call i > 0: fold_in of that with i). Epoch e visits the training
images in a Fisher-Yates permutation driven by philox({i, e, 0x5EED, 0}, key); the last
partial batch of an epoch is dropped. Same seed, binary and data: the same losses, bit for bit,
whatever --threads is.
Output: progress on stderr (one updating line on a terminal, else a line per ~10%%); with
--json the last line of stdout is one JSON object with the results (or {"error": ...}).
Exit status: 0 success; 1 internal error (the generated code and the runtime disagree);
2 bad usage or input (flags, data files, checkpoints, unwritable output), with a one-line
message; 3 a loss became NaN or infinite (the last good checkpoint is kept); 130 interrupted.
)";

std::string baseName(const char *argv0) {
  std::string s = argv0 ? argv0 : "model";
  size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

// The --json result of the commands that write an image grid.
json imageJson(const ModelInfo &m, const EntrySpec &entry, size_t n, const std::string &out,
               const GridImage &grid, uint64_t seed, uint64_t step) {
  json j;
  j["model"] = m.model;
  j["procedure"] = entry.name;
  j["n"] = n;
  j["out"] = out;
  j["width"] = grid.width;
  j["height"] = grid.height;
  j["seed"] = seed;
  j["step"] = step;
  return j;
}

json lossObject(const std::vector<std::string> &names, const std::vector<double> &values) {
  json o = json::object();
  for (size_t i = 0; i < names.size() && i < values.size(); ++i)
    o[names[i]] = values[i];
  return o;
}

// An integral epoch count as an integer, else a fraction.
json epochsValue(uint64_t steps, uint64_t perEpoch) {
  if (perEpoch == 0 || steps % perEpoch == 0)
    return perEpoch ? steps / perEpoch : 0;
  return (double)steps / (double)perEpoch;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string evalText(const EvalResult &r, const std::vector<std::string> &names) {
  std::string s = "test loss " + fmt(r.means.empty() ? NAN : r.means[0]);
  if (names.size() > 1) {
    s += " (";
    for (size_t i = 0; i < names.size(); ++i)
      s += (i ? ", " : "") + names[i] + " " + fmt(r.means[i]);
    s += ")";
  }
  s += " over " + std::to_string(r.batches) + " full test batches (" +
       std::to_string(r.images) + " images";
  if (r.skipped)
    s += "; the last " + std::to_string(r.skipped) + " test images, a partial batch, are skipped";
  return s + ")";
}

void addEval(json &j, const EvalResult &r, const std::vector<std::string> &names,
             const char *lossesKey) {
  j["test_loss"] = r.means.empty() ? NAN : r.means[0];
  j[lossesKey] = lossObject(names, r.means);
  j["test_batches"] = r.batches;
  j["test_images"] = r.images;
  j["test_images_skipped"] = r.skipped;
}

int threadsFlag(const Args &a) {
  int threads = (int)a.uint("threads", 1, 256).value_or(2);
  setNumThreads(threads);
  return threads;
}

std::string requiredCheckpoint(const Args &a, const std::string &command) {
  if (!a.has("checkpoint") || a.str("checkpoint").empty())
    throw Error("'" + command + "' needs --checkpoint FILE");
  return a.str("checkpoint");
}

// --exclude-label D[,D...]: digits 0-9, in any order; returned ascending without repeats.
std::vector<int> excludeLabelsFlag(const Args &a) {
  if (!a.has("exclude-label"))
    return {};
  std::string v = a.str("exclude-label");
  bool digit[10] = {};
  size_t start = 0;
  while (true) {
    size_t comma = v.find(',', start);
    std::string t = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (t.size() != 1 || t[0] < '0' || t[0] > '9')
      throw Error("--exclude-label '" + v + "': expected digits 0-9 separated by commas (e.g. 0 or 1,7)");
    digit[t[0] - '0'] = true;
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  std::vector<int> labels;
  for (int d = 0; d < 10; ++d)
    if (digit[d])
      labels.push_back(d);
  return labels;
}

std::string trainImagesText(const TrainResult &r) {
  std::string s = "training images: " + std::to_string(r.trainImages);
  if (!r.excludedLabels.empty())
    s += " of " + std::to_string(r.trainImagesInFile) + " (label" +
         (r.excludedLabels.size() > 1 ? "s " : " ") + labelList(r.excludedLabels) + " excluded)";
  return s;
}

// --profile / --profile-json FILE: times every kernel from here on; when the command finishes
// (not when it fails), prints the per-kernel table to stderr and writes it as JSON. The % of
// peak column needs the machine's FMA peak in GNC_PEAK_GFLOPS (bench/ measures it).
class ProfileReport {
public:
  ProfileReport(const ModelInfo &m, const std::vector<std::string> &args) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--profile")
        on = true;
      else if (args[i].rfind("--profile-json=", 0) == 0)
        on = true, jsonPath = args[i].substr(15);
      else if (args[i] == "--profile-json" && i + 1 < args.size())
        on = true, jsonPath = args[i + 1];
    }
    if (!on)
      return;
    if (m.kernels.empty())
      throw Error("--profile: this program was built without kernel hooks");
    if (const char *p = std::getenv("GNC_PEAK_GFLOPS"))
      peak = std::atof(p);
    startProfile(m);
  }
  ~ProfileReport() {
    if (!on || std::uncaught_exceptions())
      return;
    std::vector<KernelTime> rows = profileResults();
    std::fprintf(stderr, "%s", profileTable(rows, peak).c_str());
    if (!jsonPath.empty()) {
      json j;
      j["peak_gflops"] = peak > 0 ? json(peak) : json(nullptr);
      j["kernels"] = profileJson(rows, peak);
      try {
        std::string text = j.dump(1) + "\n";
        writeFileAtomic(jsonPath, text.data(), text.size());
      } catch (const Error &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
      }
    }
  }

private:
  bool on = false;
  std::string jsonPath;
  double peak = 0;
};

int cmdTrain(const ModelInfo &m, const Args &a, bool jsonOut) {
  if (a.has("lr"))
    throw Error("--lr is not supported: the learning rate is compiled into the program (set it "
                "in the optimizer call of the .gn file and rebuild)");
  if (auto b = a.uint("batch", 1, UINT32_MAX); b && *b != (uint64_t)m.batch)
    throw Error("--batch " + std::to_string(*b) + ": model '" + m.model +
                "' was compiled for batch " + std::to_string(m.batch) +
                " (change `batch` in the .gn file and rebuild)");
  TrainOptions o;
  o.dataDir = a.str("data");
  o.epochs = a.uint("epochs", 1, 1000000);
  o.steps = a.uint("steps", 1, 1ULL << 40);
  o.seed = a.uint("seed", 0, UINT64_MAX);
  o.checkpointEvery = a.uint("checkpoint-every", 1, 1ULL << 40);
  o.checkpoint = a.str("checkpoint", m.model + ".safetensors");
  if (o.checkpoint.empty())
    throw Error("--checkpoint needs a file name");
  o.resume = a.has("resume");
  o.excludeLabels = excludeLabelsFlag(a);
  std::string stem = checkpointStem(o.checkpoint);
  o.lossCsv = stem + "-loss.csv";
  o.lossPng = a.str("loss-curve", stem + "-loss.png");
  if (o.lossPng.empty())
    throw Error("--loss-curve needs a file name");
  o.threads = threadsFlag(a);
  // In a data-parallel run rank 0 speaks for all (the others' losses are the same numbers).
  const bool speaks = processRank() == 0;
  std::FILE *progressOut = speaks ? stderr : std::fopen("/dev/null", "w");
  if (!progressOut)
    throw Error("cannot open /dev/null");
  o.interactiveProgress = speaks && !jsonOut && ::isatty(2);
  Progress progress(progressOut, o.interactiveProgress);
  TrainResult r = train(m, o, progress);
  if (!speaks) {
    std::fclose(progressOut);
    return ExitOk;
  }

  if (jsonOut) {
    json j;
    j["model"] = m.model;
    j["epochs"] = epochsValue(r.steps, r.stepsPerEpoch);
    j["steps"] = r.steps;
    j["steps_this_run"] = r.stepsThisRun;
    j["steps_per_epoch"] = r.stepsPerEpoch;
    j["train_loss"] = r.trainLoss.empty() ? NAN : r.trainLoss[0];
    j["losses"] = lossObject(r.lossNames, r.trainLoss);
    addEval(j, r.test, r.lossNames, "test_losses");
    j["images_per_s"] = r.imagesPerSecond;
    j["seconds"] = r.seconds;
    j["seed"] = r.seed;
    j["threads"] = o.threads;
    j["processes"] = processCount();
    j["checkpoint"] = r.checkpoint;
    j["train_images"] = r.trainImages;
    j["train_images_in_file"] = r.trainImagesInFile;
    j["excluded_labels"] = r.excludedLabels;
    j["loss_csv"] = r.lossCsv;
    j["loss_curve"] = r.lossPng;
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "trained " << r.stepsThisRun << " steps in " << formatDuration(r.seconds) << " ("
              << fmt(r.imagesPerSecond) << " img/s); step " << r.steps << ", epoch "
              << fmt((double)r.steps / (double)r.stepsPerEpoch) << "\n"
              << "train loss " << fmt(r.trainLoss.empty() ? NAN : r.trainLoss[0])
              << " (mean over the last epoch's steps)\n"
              << trainImagesText(r) << "\n"
              << evalText(r.test, r.lossNames) << "\n"
              << "checkpoint " << r.checkpoint << "\n"
              << "loss curve " << r.lossPng << " (every step's losses: " << r.lossCsv << ")"
              << std::endl;
  }
  return ExitOk;
}

int cmdEval(const ModelInfo &m, const Args &a, bool jsonOut) {
  std::string path = requiredCheckpoint(a, "eval");
  int threads = threadsFlag(a);
  m.trainEntry();
  Engine engine(m);
  CheckpointMeta meta = loadCheckpoint(path, m, engine.state());
  ImageSet test = loadImages(m, resolveDataDir(a.str("data")), Split::Test);
  auto start = std::chrono::steady_clock::now();
  // Any number of processes evaluates any checkpoint (the state is the same on every process);
  // the test batches are global batches of batch x processes.
  EvalResult r = evaluate(engine, test, meta.seed, threads);
  const std::vector<std::string> &names = m.trainEntry().losses;
  if (processRank() != 0)
    return ExitOk;
  if (jsonOut) {
    json j;
    j["model"] = m.model;
    addEval(j, r, names, "losses");
    j["step"] = meta.step;
    j["seconds"] = secondsSince(start);
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << evalText(r, names) << "; checkpoint " << path << " at step " << meta.step
              << std::endl;
  }
  return ExitOk;
}

int cmdSample(const ModelInfo &m, const Args &a, bool jsonOut, bool reconstruct) {
  const char *command = reconstruct ? "reconstruct" : "sample";
  std::string path = requiredCheckpoint(a, command);
  threadsFlag(a);
  size_t n = (size_t)a.uint("n", 1, kMaxImages).value_or(64);
  std::string out = a.str("out", m.model + (reconstruct ? "-reconstruct.png" : "-samples.png"));
  if (out.empty())
    throw Error("--out needs a file name");
  const EntrySpec &entry = m.sampleEntry(reconstruct ? "reconstruct" : "generate");
  Engine engine(m);
  CheckpointMeta meta = loadCheckpoint(path, m, engine.state());
  uint64_t seed = a.uint("seed", 0, UINT64_MAX).value_or(meta.seed);
  auto start = std::chrono::steady_clock::now();
  GridImage grid;
  std::string inputWhat;
  if (reconstruct) {
    ApplyInput in = a.has("input")
                        ? npyInput(entry, a.str("input"))
                        : datasetInput(m, entry, resolveDataDir(a.str("data")), Split::Test);
    inputWhat = in.what;
    grid = reconstructGrid(engine, entry, in, seed, n);
  } else {
    grid = sampleGrid(engine, entry, seed, n);
  }
  writePng(out, grid);
  if (jsonOut) {
    json j = imageJson(m, entry, n, out, grid, seed, meta.step);
    if (reconstruct)
      j["input"] = inputWhat;
    j["seconds"] = secondsSince(start);
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "wrote " << out << ": "
              << (reconstruct ? std::to_string(n) + " inputs (" + inputWhat +
                                    ") and their reconstructions"
                              : std::to_string(n) + " samples")
              << " (" << grid.width << "x" << grid.height << ")" << std::endl;
  }
  return ExitOk;
}

// apply PROC, and encode (= apply encode, plus the latent scatter plot of 2-D codes).
int cmdApply(const ModelInfo &m, const Args &a, bool jsonOut, const std::string &proc,
             bool encode) {
  const std::string command = encode ? "encode" : "apply";
  std::string path = requiredCheckpoint(a, command);
  threadsFlag(a);
  const EntrySpec &entry = m.sampleEntry(proc);
  inputRowShape(entry); // it takes an input
  Shape outRow = outputRowShape(m, entry);
  std::string out = a.str("out", m.model + (encode ? "-codes.npy" : "-" + proc + ".npy"));
  auto endsWith = [](const std::string &s, const char *suffix) {
    size_t n = std::char_traits<char>::length(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
  };
  if (!endsWith(out, ".npy") && !endsWith(out, ".csv"))
    throw Error("--out '" + out + "': expected a file name ending in .npy or .csv");
  std::string labelsOut = a.str("labels-out");
  if (a.has("labels-out") && labelsOut.empty())
    throw Error("--labels-out needs a file name");
  std::string scatter;
  if (encode) {
    bool twoD = outRow == Shape{2};
    if (a.has("scatter") && !twoD)
      throw Error("--scatter needs 2-D codes, but procedure 'encode' outputs " +
                  shapeString(entry.outputShape) + " (" + std::to_string(numElements(outRow)) +
                  " values per example); write them with --out and plot them elsewhere");
    if (twoD) {
      scatter = a.str("scatter", m.model + "-latent.png");
      if (scatter.empty())
        throw Error("--scatter needs a file name");
    }
  }
  std::string splitName = a.str("split", "test");
  if (splitName != "test" && splitName != "train")
    throw Error("--split '" + splitName + "': expected test or train");
  if (a.has("input") && (a.has("split") || a.has("data")))
    throw Error(std::string("--input X.npy replaces the data set: leave out --") +
                (a.has("split") ? "split" : "data"));
  size_t n = (size_t)a.uint("n", 1, 1ULL << 32).value_or(SIZE_MAX);

  Engine engine(m);
  CheckpointMeta meta = loadCheckpoint(path, m, engine.state());
  uint64_t seed = a.uint("seed", 0, UINT64_MAX).value_or(meta.seed);
  ApplyInput in = a.has("input") ? npyInput(entry, a.str("input"))
                                 : datasetInput(m, entry, resolveDataDir(a.str("data")),
                                                splitName == "train" ? Split::Train : Split::Test);
  if (!labelsOut.empty() && in.labels.empty())
    throw Error("--labels-out: the labels of " + in.what + " are unknown" +
                (in.fromDataset ? " (no label file)" : " (--input has none)"));
  for (const std::string &p : {out, labelsOut, scatter})
    if (!p.empty())
      checkWritable(p); // before the work
  auto start = std::chrono::steady_clock::now();
  ApplyResult r = applyEntry(engine, entry, in, n, seed);
  writeOutputs(out, r);
  if (!labelsOut.empty())
    writeNpy(labelsOut, {r.rows}, r.labels.data());
  if (!scatter.empty()) {
    std::string title = "latent codes of model '" + m.model + "': " + std::to_string(r.rows) +
                        (in.fromDataset ? (splitName == "train" ? " training" : " test") +
                                              std::string(" images")
                                        : " rows of " + in.what);
    writePng(scatter, latentScatter(r.outputs, r.labels, title));
  }
  std::vector<uint64_t> shape = {r.rows};
  shape.insert(shape.end(), outRow.begin(), outRow.end());
  if (jsonOut) {
    json j;
    j["model"] = m.model;
    j["procedure"] = entry.name;
    j["input"] = in.what;
    j["n"] = r.rows;
    j["out"] = out;
    j["shape"] = shape;
    j["labels"] = !r.labels.empty();
    if (!labelsOut.empty())
      j["labels_out"] = labelsOut;
    if (!scatter.empty())
      j["scatter"] = scatter;
    j["seed"] = seed;
    j["step"] = meta.step;
    j["seconds"] = secondsSince(start);
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "wrote " << out << ": procedure '" << entry.name << "' on " << r.rows
              << " examples (" << in.what << "), shape " << shapeString(shape) << "\n";
    if (!labelsOut.empty())
      std::cout << "wrote " << labelsOut << ": their labels\n";
    if (!scatter.empty())
      std::cout << "wrote " << scatter << ": the 2-D codes as a scatter plot\n";
    std::cout.flush();
  }
  return ExitOk;
}

int cmdManifold(const ModelInfo &m, const Args &a, bool jsonOut) {
  std::string path = requiredCheckpoint(a, "manifold");
  threadsFlag(a);
  size_t n = (size_t)a.uint("n", 1, 100).value_or(20);
  std::string out = a.str("out", m.model + "-manifold.png");
  if (out.empty())
    throw Error("--out needs a file name");
  const EntrySpec &entry = m.sampleEntry(a.str("proc", "decode"));
  Engine engine(m);
  CheckpointMeta meta = loadCheckpoint(path, m, engine.state());
  uint64_t seed = a.uint("seed", 0, UINT64_MAX).value_or(meta.seed);
  auto start = std::chrono::steady_clock::now();
  GridImage grid = manifoldGrid(engine, entry, n, seed);
  writePng(out, grid);
  double zmax = normalQuantile(n == 1 ? 0.5 : 0.95);
  if (jsonOut) {
    json j = imageJson(m, entry, n, out, grid, seed, meta.step);
    j["z_range"] = {-zmax, zmax};
    j["seconds"] = secondsSince(start);
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "wrote " << out << ": " << n << "x" << n << " images decoded by '" << entry.name
              << "' from latent points in [" << fmt(-zmax) << ", " << fmt(zmax) << "]^2 ("
              << grid.width << "x" << grid.height << ")" << std::endl;
  }
  return ExitOk;
}

int cmdInfo(const ModelInfo &m, bool jsonOut) {
  size_t trainable = 0;
  for (const TensorSpec &t : m.state)
    trainable += t.trainable;
  std::string runtimeThreads = "--threads N (default 2): the generated kernels run their "
                               "outermost loops on N OpenMP threads (Halide kernels on N threads of Halide's pool); "
                               "with N >= 2 the runtime also prepares the next batch on a second thread";
  if (jsonOut) {
    json j;
    j["model"] = m.model;
    j["batch"] = m.batch;
    j["dataset"] = m.dataset;
    j["input"] = m.input;
    j["input_shape"] = m.inputShape;
    j["model_hash"] = m.modelHash;
    j["parameters"] = m.parameterCount();
    j["trainable_tensors"] = trainable;
    j["state_tensors"] = m.state.size();
    j["state_floats"] = m.stateElements();
    json entries = json::array();
    for (const EntrySpec &e : m.entries) {
      json x;
      x["name"] = e.name;
      x["kind"] = e.kind;
      x["symbol"] = e.symbol;
      if (e.kind == "train")
        x["losses"] = e.losses;
      if (e.kind == "sample") {
        x["takes_input"] = e.takesInput;
        if (e.takesInput)
          x["input_shape"] = e.inputShape;
        x["output_shape"] = e.outputShape;
      }
      entries.push_back(x);
    }
    j["entries"] = entries;
    j["backend"] = m.backend;
    json kernels = json::array();
    for (const KernelSpec &k : m.kernels)
      kernels.push_back({{"name", k.name}, {"backend", k.backend}, {"signature", k.signature}});
    j["kernels"] = kernels;
    j["build_flags"] = m.buildFlags;
    j["runtime_build_flags"] = GNC_RUNTIME_FLAGS;
    j["threads"] = {{"default", 2}, {"generated_kernels", "outermost loops on --threads OpenMP threads"},
                    {"runtime", "batch prefetch on a second thread when --threads >= 2"}};
    j["data_dir"] = resolveDataDir("");
    std::cout << j.dump() << std::endl;
    return ExitOk;
  }
  auto row = [](const char *k, const std::string &v) {
    std::printf("%-13s %s\n", k, v.c_str());
  };
  row("model", m.model);
  row("model hash", m.modelHash);
  row("batch", std::to_string(m.batch));
  row("input", m.input + " " + shapeString(m.inputShape) + " from " + m.dataset);
  row("parameters", std::to_string(m.parameterCount()) + " in " + std::to_string(trainable) +
                        " tensors");
  char mib[32];
  std::snprintf(mib, sizeof mib, "%.1f", m.stateElements() * 4.0 / (1 << 20));
  row("state", std::to_string(m.state.size()) + " f32 tensors, " +
                   std::to_string(m.stateElements()) + " floats (" + mib +
                   " MiB; parameters and optimizer state)");
  for (const EntrySpec &e : m.entries) {
    std::string d = e.name + " (" + e.kind;
    if (e.kind == "train") {
      d += "; losses:";
      for (const std::string &l : e.losses)
        d += " " + l;
    }
    if (e.kind == "sample")
      d += (e.takesInput ? "; input " + shapeString(e.inputShape) : std::string()) +
           "; output " + shapeString(e.outputShape);
    row(&e == &m.entries.front() ? "entry points" : "", d + ") " + e.symbol);
  }
  row("backend", m.backend);
  // Which backend compiled the kernels (a schedule file may mix them; --profile names each).
  if (!m.kernels.empty()) {
    std::map<std::string, int> byBackend;
    for (const KernelSpec &k : m.kernels)
      ++byBackend[k.backend];
    std::string d = std::to_string(m.kernels.size()) + " (";
    for (auto it = byBackend.begin(); it != byBackend.end(); ++it)
      d += (it == byBackend.begin() ? "" : ", ") + std::to_string(it->second) + " " + it->first;
    row("kernels", d + "; --profile names each kernel's)");
  }
  row("build flags", m.buildFlags);
  row("runtime", GNC_RUNTIME_FLAGS);
  row("threads", runtimeThreads);
  row("data", resolveDataDir(""));
  return ExitOk;
}

// One run of a command: the arguments after the command's name.
struct Invocation {
  std::string prog, command;
  std::vector<std::string> args;
  bool json = false;
};

// The command's own flags and those every command but info takes.
Args parseFlags(const Invocation &inv, std::vector<FlagSpec> flags) {
  flags.insert(flags.end(), {{"json", false}, {"threads", true}, {"profile", false},
                             {"profile-json", true}});
  return Args::parse(inv.command, inv.args, flags);
}

const std::vector<FlagSpec> kApplyFlags = {
    {"checkpoint", true}, {"data", true}, {"split", true},      {"input", true},
    {"n", true},          {"out", true},  {"labels-out", true}, {"seed", true}};

struct Command {
  const char *name;
  const char *help; // its part of the usage text
  int (*run)(const ModelInfo &, const Invocation &);
};

const Command kCommands[] = {
    {"train", R"(  %1$s train [--data DIR] [--epochs N] [--steps N] [--batch N] [--seed N]
        [--checkpoint FILE] [--checkpoint-every N] [--resume] [--exclude-label D[,D...]]
        [--loss-curve FILE.png] [--threads N] [--json]
      Train from scratch (state drawn by the init procedure from --seed, default 1) or, with
      --resume, from FILE's state, step and seed. Trains until --steps global steps or
      --epochs epochs are done (the smaller; default 1 epoch); a resumed run counts from the
      checkpoint's step, so `--steps 20` then `--resume --steps 30` equals `--steps 30`, bit
      for bit. The checkpoint (default MODEL.safetensors) is written atomically after every
      epoch, every --checkpoint-every steps, at the end and on ^C. Then the test loss.
      --exclude-label 0 (or 1,7): train only on the images whose digit label (the
      train-labels-idx1-ubyte file) is not listed, e.g. for anomaly detection; the checkpoint
      records the labels and --resume needs the same (the test loss still covers the whole
      test set). Every step's losses are kept in the checkpoint; at the end (also on ^C or a
      NaN) they are written to STEM-loss.csv (step, epoch, one column per loss) and drawn to
      STEM-loss.png (or --loss-curve FILE.png), STEM being the checkpoint's path without its
      extension.
      --batch must equal the compiled batch; --lr is rejected: the learning rate is compiled
      into the program (the optimizer call in the .gn file).
      A program built with `gnc build --mpi` also trains as P processes, `mpirun -np P %1$s
      train ...`: a step is then a global batch of batch x P images, rank 0 writes the files,
      and --resume needs the same P (docs/distributed.md).
)",
     [](const ModelInfo &m, const Invocation &inv) {
       return cmdTrain(m,
                       parseFlags(inv, {{"data", true}, {"epochs", true}, {"steps", true},
                                        {"batch", true}, {"lr", true}, {"seed", true},
                                        {"checkpoint", true}, {"checkpoint-every", true},
                                        {"resume", false}, {"exclude-label", true},
                                        {"loss-curve", true}}),
                       inv.json);
     }},
    {"eval", R"(  %1$s eval --checkpoint FILE [--data DIR] [--json]
      Test loss: the mean of the first loss over all full batches of the test set (the last
      partial batch is skipped), computed by the train procedure without updating the state.
)",
     [](const ModelInfo &m, const Invocation &inv) {
       return cmdEval(m, parseFlags(inv, {{"checkpoint", true}, {"data", true}}), inv.json);
     }},
    {"sample", R"(  %1$s sample --checkpoint FILE [--n 64] [--seed N] [--out FILE.png] [--json]
      Runs the sample procedure 'generate' and writes n images as a PNG grid
      (default MODEL-samples.png; --seed defaults to the checkpoint's).
)",
     [](const ModelInfo &m, const Invocation &inv) {
       return cmdSample(m,
                        parseFlags(inv, {{"checkpoint", true}, {"n", true}, {"seed", true},
                                         {"out", true}}),
                        inv.json, false);
     }},
    {"reconstruct", R"(  %1$s reconstruct --checkpoint FILE [--data DIR] [--input X.npy] [--n 64]
        [--out FILE.png] [--json]
      Runs the sample procedure 'reconstruct' on the first n test images, or on the rows of
      X.npy (e.g. noisy images for a denoiser; shapes as for apply); each input is drawn with
      its reconstruction to its right (default MODEL-reconstruct.png).
)",
     [](const ModelInfo &m, const Invocation &inv) {
       return cmdSample(m,
                        parseFlags(inv, {{"checkpoint", true}, {"data", true}, {"input", true},
                                         {"n", true}, {"out", true}}),
                        inv.json, true);
     }},
    {"apply", R"(  %1$s apply PROC --checkpoint FILE [--data DIR] [--split test|train] [--input X.npy]
        [--n N] [--out OUT.npy|OUT.csv] [--labels-out L.npy] [--seed N] [--json]
      Runs the sample procedure PROC, which takes an input, over every example: the test split
      (--split train: the training images), or the rows of X.npy, shape [N, ...] with the
      procedure's input shape without the batch after N ([N, 784] also fits [B,28,28,1]);
      any dtype, used as f32 as it is (MNIST pixels are byte / 255). An input that is not the
      data set's images needs --input. --n N: the first N examples only. Batches of the
      compiled batch (the last one padded, its padding dropped), call i with key
      fold_in(eval key, i). Writes float32 OUT.npy [N, ...output shape without the batch]
      (default MODEL-PROC.npy) or, for OUT.csv, one row per example ("label,c0,c1,..." with
      MNIST's labels, else "c0,c1,..."); --labels-out: the examples' labels, uint8 .npy [N].
)",
     [](const ModelInfo &m, const Invocation &inv) {
       if (inv.args.empty() || inv.args[0].compare(0, 2, "--") == 0) {
         std::string procs;
         for (const EntrySpec &e : m.entries)
           if (e.kind == "sample" && e.takesInput)
             procs += (procs.empty() ? "" : ", ") + e.name;
         throw Error("'apply' needs a procedure: " + inv.prog + " apply PROC --checkpoint FILE (" +
                     (procs.empty() ? "this model has no procedure taking an input"
                                    : "procedures taking an input: " + procs) + ")");
       }
       Invocation flags = inv;
       flags.args.erase(flags.args.begin());
       return cmdApply(m, parseFlags(flags, kApplyFlags), inv.json, inv.args[0], false);
     }},
    {"encode", R"(  %1$s encode [the flags of apply] [--scatter FILE.png]
      apply of the procedure 'encode' (default output MODEL-codes.npy). With 2-D codes it
      also draws them as a scatter plot coloured by digit (default MODEL-latent.png).
)",
     [](const ModelInfo &m, const Invocation &inv) {
       std::vector<FlagSpec> f = kApplyFlags;
       f.push_back({"scatter", true});
       return cmdApply(m, parseFlags(inv, f), inv.json, "encode", true);
     }},
    {"manifold", R"(  %1$s manifold --checkpoint FILE [--proc decode] [--n 20] [--seed N] [--out FILE.png]
        [--json]
      Decodes an n x n grid of 2-D latent points (Phi^-1(u), Phi^-1(v)), u and v evenly
      spaced in [0.05, 0.95], with a procedure taking [B,2] codes (default 'decode'): the
      learned manifold, first coordinate left to right, second bottom to top
      (default MODEL-manifold.png).
)",
     [](const ModelInfo &m, const Invocation &inv) {
       return cmdManifold(m,
                          parseFlags(inv, {{"checkpoint", true}, {"proc", true}, {"n", true},
                                           {"seed", true}, {"out", true}}),
                          inv.json);
     }},
    {"info", R"(  %1$s info [--json]
      Parameters, state, entry points, backend and build flags.
)",
     [](const ModelInfo &m, const Invocation &inv) {
       Args::parse(inv.command, inv.args, {{"json", false}});
       return cmdInfo(m, inv.json);
     }},
};

void printUsage(std::FILE *out, const std::string &prog, const std::string &model) {
  std::string usage = kUsageHead;
  for (const Command &c : kCommands)
    usage += c.help;
  usage += kUsageTail;
  std::fprintf(out, usage.c_str(), prog.c_str(), model.c_str(), GNC_DEFAULT_DATA_DIR);
}

} // namespace

int runMain(int argc, char **argv, const char *modelInfo, const GncEntry *entries) {
  ignoreFileSizeSignal();
  // MPI_Init in a program built with --mpi (it may take its own arguments out of argv).
  ProcessGroup processes(argc, argv);
  if (processes.failed())
    return processes.failed();
  Invocation inv;
  inv.prog = baseName(argc > 0 ? argv[0] : nullptr);
  inv.args.assign(argv + (argc > 1 ? 2 : argc), argv + argc);
  inv.command = argc > 1 ? argv[1] : "";
  for (const std::string &s : inv.args)
    inv.json |= s == "--json";
  const std::string &prog = inv.prog;
  // Several processes stop together: one prints why, naming its rank, and ends them all.
  auto fail = [&](const std::string &message, int status) {
    if (processCount() > 1)
      abortAllProcesses(inv.prog + ": error: " + message, status);
    std::fprintf(stderr, "%s: error: %s\n", inv.prog.c_str(), message.c_str());
    return status;
  };
  try {
    ModelInfo m = parseModelInfo(modelInfo, entries);
    if (inv.command.empty()) {
      printUsage(stderr, prog, m.model);
      return ExitUsage;
    }
    if (inv.command == "help" || inv.command == "--help" || inv.command == "-h") {
      printUsage(stdout, prog, m.model);
      return ExitOk;
    }
    for (const std::string &s : inv.args)
      if (s == "--help" || s == "-h") {
        printUsage(stdout, prog, m.model);
        return ExitOk;
      }
    // Only training (and its test loss) is data-parallel; the other commands would have every
    // process write the same files.
    if (processCount() > 1 && inv.command != "train" && inv.command != "eval")
      throw Error("'" + inv.command + "' runs in one process; only train and eval run on " +
                  std::to_string(processCount()) + " (start it without mpirun)");
    ProfileReport report(m, inv.args);
    std::string names;
    for (const Command &c : kCommands) {
      if (inv.command == c.name)
        return c.run(m, inv);
      names += std::string(c.name) + ", ";
    }
    throw Error("unknown command '" + inv.command + "' (commands: " + names + "help)");
  } catch (const Error &e) {
    std::cout.flush();
    if (processCount() > 1) {
      // A NaN loss (the losses are all-reduced: the same bits everywhere) and ^C (agreed on
      // every step) stop every process at the same step: rank 0 reports it as one process
      // would, after its checkpoint; aborting would kill it while writing.
      bool together = e.exitCode() == ExitNonFinite || e.exitCode() == ExitInterrupted;
      if (!together)
        fail(e.what(), e.exitCode());
      // mpirun ends the job when the first process exits non-zero: none leaves before rank 0
      // has reported (its checkpoint is written before the Error).
      if (processRank() != 0) {
        anyProcess(false);
        return e.exitCode();
      }
    }
    std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), e.what());
    if (inv.json) {
      json j;
      j["error"] = e.what();
      j["exit_status"] = e.exitCode();
      std::cout << j.dump() << std::endl;
    }
    if (processCount() > 1)
      anyProcess(false);
    return e.exitCode();
  } catch (const std::bad_alloc &) {
    return fail("out of memory", ExitUsage);
  } catch (const std::exception &e) {
    return fail("internal error: " + Error::oneLine(e.what()), ExitInternal);
  }
}

} // namespace gnc::rt
