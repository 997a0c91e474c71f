#include "runtime/Trainer.h"

#include "runtime/Checkpoint.h"
#include "runtime/Dataset.h"
#include "runtime/Error.h"
#include "runtime/FileIO.h"
#include "runtime/LossCurve.h"
#include "runtime/Processes.h"
#include "runtime/Shuffle.h"
#include "runtime/Threads.h"

#include <chrono>
#include <cmath>
#include <csignal>

#include <unistd.h>

namespace gnc::rt {

namespace {

volatile std::sig_atomic_t interrupted = 0;

extern "C" void onInterrupt(int) {
  interrupted = 1;
  std::signal(SIGINT, SIG_DFL); // a second ^C kills at once
}

struct InterruptGuard {
  void (*previous)(int);
  InterruptGuard() {
    interrupted = 0;
    previous = std::signal(SIGINT, onInterrupt);
  }
  ~InterruptGuard() { std::signal(SIGINT, previous == SIG_ERR ? SIG_DFL : previous); }
};

std::string labelsText(const std::vector<int> &labels) {
  return labels.empty() ? "none" : labelList(labels);
}

// The checkpoint's header must stay below safetensors' 100 MB: past this many values the
// oldest quarter of the history is dropped (the curve then starts later).
constexpr size_t kMaxHistoryValues = 1u << 23;

// The data of a run: the training images it draws from (all, or those whose label is not
// excluded) and the test set.
struct TrainingData {
  ImageSet train, test;
  std::vector<uint32_t> kept; // with --exclude-label: indices of the kept training images
  uint64_t used = 0;          // images training draws from
  uint64_t stepsPerEpoch = 0;
};

TrainingData loadTrainingData(const ModelInfo &m, const TrainOptions &o) {
  // A step is one global batch: every process's B rows (docs/distributed.md).
  const size_t B = (size_t)m.batch * (size_t)processCount();
  std::string dir = resolveDataDir(o.dataDir);
  TrainingData d;
  d.train = loadImages(m, dir, Split::Train);
  d.test = loadImages(m, dir, Split::Test);
  if (d.train.count >= (1ULL << 32))
    throw Error(d.train.path + ": too many images");
  if (!o.excludeLabels.empty()) {
    std::vector<uint8_t> labels = loadLabels(dir, Split::Train, d.train);
    bool excluded[10] = {};
    for (int digit : o.excludeLabels)
      excluded[digit] = true;
    for (size_t i = 0; i < labels.size(); ++i)
      if (!excluded[labels[i]])
        d.kept.push_back((uint32_t)i);
    if (d.kept.size() < B)
      throw Error(d.train.path + ": " + std::to_string(d.kept.size()) +
                  " images remain after --exclude-label " + labelList(o.excludeLabels) +
                  ", fewer than one batch of " + std::to_string(B));
  }
  d.used = o.excludeLabels.empty() ? d.train.count : d.kept.size();
  if (d.used < B)
    throw Error(d.train.path + ": " + std::to_string(d.used) + " images, fewer than one global batch of " +
                std::to_string(B) + " (" + std::to_string(processCount()) + " processes x batch " +
                std::to_string(m.batch) + ")");
  d.stepsPerEpoch = d.used / B;
  return d;
}

// A fresh run draws its state from the seed; --resume loads the checkpoint's, which must have
// been trained on the same data with the same seed.
CheckpointMeta startOrResume(const ModelInfo &m, const TrainOptions &o, const TrainingData &d,
                             Engine &engine) {
  const std::vector<std::string> &losses = m.trainEntry().losses;
  CheckpointMeta meta;
  if (!o.resume) {
    meta.seed = o.seed.value_or(1);
    meta.trainImages = d.used;
    meta.processes = (uint64_t)processCount();
    meta.excludedLabels = o.excludeLabels;
    meta.historyFirst = 0;
    meta.lossNames = losses;
    meta.lossSums.assign(losses.size(), 0.0);
    engine.init(initKey(meta.seed));
    return meta;
  }
  if (o.checkpoint.empty())
    throw Error("--resume needs a checkpoint (--checkpoint FILE)");
  meta = loadCheckpoint(o.checkpoint, m, engine.state());
  // The global batch, hence every step's images, depends on the number of processes.
  if (meta.processes != (uint64_t)processCount())
    throw Error(o.checkpoint + ": trained by " + std::to_string(meta.processes) + " process" +
                (meta.processes == 1 ? "" : "es") + " (global batch " +
                std::to_string(meta.processes * (uint64_t)m.batch) + "), but this run has " +
                std::to_string(processCount()) + " (global batch " +
                std::to_string((uint64_t)processCount() * (uint64_t)m.batch) +
                "); resume with the same number of processes (mpirun -np " +
                std::to_string(meta.processes) + ")");
  if (o.seed && *o.seed != meta.seed)
    throw Error(o.checkpoint + ": --seed " + std::to_string(*o.seed) +
                " differs from the checkpoint's seed " + std::to_string(meta.seed) +
                " (a resumed run keeps its seed; leave --seed out)");
  if (meta.excludedLabels != o.excludeLabels)
    throw Error(o.checkpoint + ": trained with excluded labels " +
                labelsText(meta.excludedLabels) + ", this run excludes " +
                labelsText(o.excludeLabels) + " (resuming needs the same --exclude-label)");
  if (meta.trainImages != d.used)
    throw Error(o.checkpoint + ": trained on " + std::to_string(meta.trainImages) +
                " images, but " + d.train.path + " holds " + std::to_string(d.used) +
                (o.excludeLabels.empty() ? "" : " without the excluded labels") +
                " (resuming needs the same training set)");
  if (meta.lossNames != losses)
    throw Error(o.checkpoint + ": loss names do not match the model's");
  // The epoch against the step: checked by every load (Checkpoint.cpp).
  return meta;
}

// The global step training stops before: --steps or --epochs (the smaller), else one epoch.
uint64_t targetStep(const TrainOptions &o, uint64_t stepsPerEpoch) {
  if (!o.epochs && !o.steps)
    return stepsPerEpoch;
  uint64_t target = UINT64_MAX;
  if (o.epochs)
    target = *o.epochs * stepsPerEpoch;
  if (o.steps && *o.steps < target)
    target = *o.steps;
  return target;
}

// Fails now, not after an epoch of work, when an output cannot be written. Only rank 0 writes.
void checkOutputs(const ModelInfo &m, const TrainOptions &o, Progress &progress) {
  if (processRank() != 0)
    return;
  if (!o.checkpoint.empty()) {
    // A fresh run replaces an existing checkpoint of this model, but never another file (a
    // checkpoint of another model, a data file given by mistake).
    if (!o.resume && ::access(o.checkpoint.c_str(), F_OK) == 0) {
      try {
        std::vector<uint8_t> bytes = readFile(o.checkpoint);
        decodeCheckpoint(bytes.data(), bytes.size(), o.checkpoint, m, nullptr);
      } catch (const Error &e) {
        throw Error("refusing to overwrite " + o.checkpoint + ", which is not a checkpoint of "
                    "model '" + m.model + "' (" + e.what() + "); remove it or choose another "
                    "--checkpoint");
      }
    }
    // A run killed while writing this checkpoint left its temporary behind (FileIO.h).
    for (const std::string &tmp : removeStaleTemporaries(o.checkpoint))
      progress.message("removed " + tmp + ", left behind by a killed run");
    checkWritable(o.checkpoint);
  }
  for (const std::string &path : {o.lossCsv, o.lossPng})
    if (!path.empty())
      checkWritable(path);
}

// The step loop and what it keeps between steps: the batches, the losses, the last checkpoint
// written. Steps run from meta.step; a non-finite loss or ^C ends the run with an Error.
class StepLoop {
public:
  StepLoop(const ModelInfo &m, const TrainOptions &o, const TrainingData &d, Engine &engine,
           CheckpointMeta &meta, Progress &progress)
      : m(m), o(o), d(d), engine(engine), meta(meta), progress(progress),
        entry(m.trainEntry()), B((size_t)m.batch), P((size_t)processCount()),
        rank((size_t)processRank()), S(d.stepsPerEpoch), firstStep(meta.step),
        batches(m.inputElements(), o.threads >= 2,
                [this](uint64_t s, float *out) { fillBatchOfStep(s, out); }) {
    if (o.resume) {
      lastGood = o.checkpoint + " (step " + std::to_string(meta.step) + ")";
      savedStep = meta.step;
    }
  }

  void run(uint64_t target) {
    start = std::chrono::steady_clock::now();
    epochStart = start;
    epochFirstStep = meta.step;
    ps.epochs = (target + S - 1) / S;
    ps.stepsPerEpoch = S;
    ps.lossNames = entry.losses;
    if (meta.step >= target)
      progress.message("checkpoint " + o.checkpoint + " is already at step " +
                       std::to_string(meta.step) + " of " + std::to_string(target) +
                       "; nothing to train");
    for (uint64_t s = meta.step; s < target; ++s) {
      if (s % S == 0) {
        meta.lossSums.assign(entry.losses.size(), 0.0);
        meta.lossCount = 0;
        epochStart = std::chrono::steady_clock::now();
        epochFirstStep = s;
      }
      const float *in = batches.acquire(s, target);
      const std::vector<float> &losses = engine.trainStep(entry, in, stepKey(meta.seed, s));
      stopIfNotFinite(losses, s);
      engine.commit();
      record(losses, s);
      showProgress(s, target);
      if (meta.step % S == 0) {
        double es = secondsSince(epochStart);
        ps.imagesPerSecond = es > 0 ? (double)((meta.step - epochFirstStep) * B * P) / es : 0;
        progress.endEpoch(ps, es);
        save();
      } else if (o.checkpointEvery && meta.step % *o.checkpointEvery == 0) {
        save();
      }
      // Every process stops at the same step (a SIGINT sent to each reaches them at different
      // instants), or the others would wait in the next step's all-reduce.
      if (P > 1 ? anyProcess(interrupted) : interrupted)
        stopInterrupted();
    }
  }

  // The last checkpoint and the loss curves, then the test loss.
  TrainResult finish() {
    save();
    writeCurves(nullptr);
    progress.finish();
    TrainResult r;
    r.seed = meta.seed;
    r.stepsPerEpoch = S;
    r.lossNames = entry.losses;
    r.checkpoint = o.checkpoint;
    r.trainImages = d.used;
    r.trainImagesInFile = d.train.count;
    r.excludedLabels = o.excludeLabels;
    r.lossCsv = o.lossCsv;
    r.lossPng = o.lossPng;
    r.seconds = secondsSince(start);
    r.steps = meta.step;
    r.stepsThisRun = meta.step - firstStep;
    r.imagesPerSecond = r.seconds > 0 ? (double)(r.stepsThisRun * B * P) / r.seconds : 0;
    for (double sum : meta.lossSums)
      r.trainLoss.push_back(meta.lossCount ? sum / (double)meta.lossCount : std::nan(""));
    progress.message("test loss: " + std::to_string(d.test.count / (B * P)) + " batches of " +
                     std::to_string(B * P) + " test images");
    r.test = evaluate(engine, d.test, meta.seed, o.threads);
    return r;
  }

private:
  // Step s trains on images perm_{s / S}[(s % S) * B * P ...], of which process r takes the
  // B from r * B; called one step ahead.
  void fillBatchOfStep(uint64_t s, float *out) {
    uint32_t e = (uint32_t)(s / S);
    if (e != permEpoch || perm.empty()) {
      perm = epochPermutation((uint32_t)d.used, e, meta.seed);
      if (!d.kept.empty())
        for (uint32_t &i : perm)
          i = d.kept[i];
      permEpoch = e;
    }
    fillBatch(d.train, perm.data() + (s % S) * B * P + rank * B, B, out);
  }

  // Before the step is committed: the bad state is never written.
  void stopIfNotFinite(const std::vector<float> &losses, uint64_t s) {
    for (size_t i = 0; i < losses.size(); ++i) {
      if (std::isfinite(losses[i]))
        continue;
      progress.finish();
      std::string what = std::isnan(losses[i]) ? "NaN" : "infinite";
      std::string name = i == 0 ? "loss" : "loss '" + entry.losses[i] + "'";
      try {
        writeCurves(&losses); // best effort: the NaN is the error to report
      } catch (const Error &) {
      }
      throw Error(name + " is " + what + " at step " + std::to_string(s + 1) + " (epoch " +
                      std::to_string(s / S + 1) + "); last good checkpoint: " + lastGood,
                  ExitNonFinite);
    }
  }

  void record(const std::vector<float> &losses, uint64_t s) {
    for (size_t i = 0; i < losses.size(); ++i)
      meta.lossSums[i] += losses[i];
    meta.lossCount += 1;
    meta.lossHistory.insert(meta.lossHistory.end(), losses.begin(), losses.end());
    if (meta.lossHistory.size() > kMaxHistoryValues) {
      size_t drop = meta.lossHistory.size() / losses.size() / 4;
      meta.lossHistory.erase(meta.lossHistory.begin(),
                             meta.lossHistory.begin() + (long)(drop * losses.size()));
      meta.historyFirst += drop;
    }
    meta.step = s + 1;
    meta.epoch = meta.step / S;
  }

  void showProgress(uint64_t s, uint64_t target) {
    double elapsed = secondsSince(start);
    uint64_t done = meta.step - firstStep;
    ps.epoch = s / S + 1;
    ps.step = s % S + 1;
    ps.lossMeans.clear();
    for (double sum : meta.lossSums)
      ps.lossMeans.push_back(sum / (double)meta.lossCount);
    ps.imagesPerSecond = elapsed > 0 ? (double)(done * B * P) / elapsed : 0;
    ps.etaSeconds = elapsed / (double)done * (double)(target - meta.step);
    ps.lastOfRun = meta.step == target;
    progress.update(ps);
  }

  [[noreturn]] void stopInterrupted() {
    save();
    try {
      writeCurves(nullptr);
    } catch (const Error &) {
    }
    progress.finish();
    throw Error("interrupted at step " + std::to_string(meta.step) +
                    (o.checkpoint.empty() ? "; no checkpoint file given"
                                          : "; checkpoint " + o.checkpoint +
                                                " saved (continue with --resume)"),
                ExitInterrupted);
  }

  void save() {
    if (o.checkpoint.empty() || savedStep == meta.step)
      return;
    // Every process holds the same state (the all-reduced gradients are the same bits).
    if (rank == 0)
      saveCheckpoint(o.checkpoint, m, engine.state(), meta);
    savedStep = meta.step;
    lastGood = o.checkpoint + " (step " + std::to_string(meta.step) + ")";
  }

  // The history so far (and a failing step's losses) as CSV and PNG.
  void writeCurves(const std::vector<float> *failedStep) {
    if (rank != 0)
      return;
    LossHistory h;
    h.names = entry.losses;
    h.first = meta.historyFirst;
    h.stepsPerEpoch = S;
    h.values = meta.lossHistory;
    if (failedStep)
      h.values.insert(h.values.end(), failedStep->begin(), failedStep->end());
    h.title = "model '" + m.model + "'";
    if (!o.excludeLabels.empty())
      h.title += ", trained without label " + labelList(o.excludeLabels);
    if (!o.lossCsv.empty())
      writeLossCsv(o.lossCsv, h);
    if (!o.lossPng.empty())
      writeLossCurve(o.lossPng, h);
  }

  const ModelInfo &m;
  const TrainOptions &o;
  const TrainingData &d;
  Engine &engine;
  CheckpointMeta &meta;
  Progress &progress;
  const EntrySpec &entry;
  const size_t B, P, rank; // the batch of one process, the processes, this one
  const uint64_t S;
  const uint64_t firstStep;
  std::string lastGood = "none written yet";
  uint64_t savedStep = UINT64_MAX;
  uint32_t permEpoch = UINT32_MAX;
  std::vector<uint32_t> perm;
  std::chrono::steady_clock::time_point start, epochStart;
  uint64_t epochFirstStep = 0;
  ProgressState ps;
  // Last: its worker thread calls fillBatchOfStep, which uses the members above.
  BatchPrefetcher batches;
};

} // namespace

EvalResult evaluate(Engine &engine, const ImageSet &test, uint64_t seed, int threads) {
  const ModelInfo &m = engine.model();
  // The forward-only eval entry if the model has one (a third of the work), else the train
  // entry with its new state discarded.
  const EntrySpec *evalEntry = m.findEntry("eval", m.trainEntry().name + "_eval");
  const EntrySpec &train = evalEntry ? *evalEntry : m.trainEntry();
  const size_t B = (size_t)m.batch;
  // With P processes, global batch b is images b*P*B.., process r's share from r*B, and the
  // entry's losses are already the global batch's (gn-data-parallel all-reduces them).
  const size_t P = (size_t)processCount(), rank = (size_t)processRank();
  EvalResult r;
  r.batches = test.count / (B * P);
  r.images = r.batches * B * P;
  r.skipped = test.count - r.images;
  BatchPrefetcher batches(m.inputElements(), threads >= 2, [&](uint64_t b, float *out) {
    std::vector<uint32_t> idx(B);
    for (size_t k = 0; k < B; ++k)
      idx[k] = (uint32_t)(b * B * P + rank * B + k);
    fillBatch(test, idx.data(), B, out);
  });
  std::vector<double> sums(train.losses.size(), 0.0);
  for (uint64_t b = 0; b < r.batches; ++b) {
    const float *in = batches.acquire(b, r.batches);
    const std::vector<float> &losses = engine.evalLosses(train, in, evalKey(seed, b));
    for (size_t i = 0; i < losses.size(); ++i)
      sums[i] += losses[i];
  }
  for (double s : sums)
    r.means.push_back(s / (double)r.batches);
  return r;
}

TrainResult train(const ModelInfo &m, const TrainOptions &o, Progress &progress) {
  TrainingData data = loadTrainingData(m, o);
  Engine engine(m);
  CheckpointMeta meta = startOrResume(m, o, data, engine);
  const uint64_t target = targetStep(o, data.stepsPerEpoch);
  checkOutputs(m, o, progress);
  StepLoop loop(m, o, data, engine, meta, progress);
  InterruptGuard guard;
  loop.run(target);
  return loop.finish();
}

} // namespace gnc::rt
