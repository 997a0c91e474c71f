// gnc-crosscheck: runs a model's compiled entry points (the LLVM backend's object file, linked as
// a shared object) and the reference evaluator (dialects/gn/reference) on the same state, key and
// input, and compares every result.
//
//   gnc-crosscheck MODEL.gn MODEL.so [--key A,B] [--skip-entry NAME]... [--verbose]
//                  [--f64] [--dump DIR]
//
// MODEL.so is `gnc build MODEL.gn --emit-obj -o m.o && clang++-22 -shared m.o -o m.so -lm`
// (run.sh does both). The model is compiled again in-process to the `grad` stage, the last stage
// the evaluator runs (gn ops with explicit state), and
//   1. init(key) runs in both; every state tensor is compared;
//   2. every train entry runs in both on the SAME state (the evaluator's init results, rounded to
//      f32) and a synthetic input batch; losses and every updated state tensor are compared;
//   3. every sample entry runs in both on that state (and the same input when it takes one).
// The evaluator runs in Precision::F32: every op result is rounded to float, only an op's inner
// arithmetic is double. `--skip-entry NAME` leaves out an entry whose evaluation is too slow
// (ddpm's `generate` runs the UNet 1000 times: hours in the evaluator); it is reported as skipped.
// Diagnostics: --verbose prints every comparison, --f64 runs the evaluator in Precision::F64 (to
// tell rounding from semantics), --dump DIR writes each train result of both sides as raw f64.
//
// Tolerances. An element passes
// when |got - want| <= atol + rtol * |want| (want: the evaluator). Compiled kernels accumulate in
// f32 in another order (gnc-loop-order interchanges reduction loops) where the evaluator sums in
// double inside an op, so results legitimately differ in rounding. The rounding error of a sum
// scales with its terms' magnitudes, not with the result (cancellation), so the absolute part is
// relative to the tensor's scale: atol = scaleTol * max|want|.
//   init     rtol 1e-6, atol 1e-7: Philox bits are identical (measured: bit-identical).
//   losses   rtol 1e-4 (measured <= 7e-6 on the seed models). Dropping the dense layers' bias
//            moves ae's loss by 8.6e-4 only (small initial biases): the gradients below, not the
//            losses, are what catches most bugs.
//   tensors  rtol 2e-3, scaleTol 2e-4 (measured <= 2e-5 of the scale): the optimizer's moments (for
//            Adam m = (1-b1) g and v = (1-b2) g^2 after one step from zero: the gradients) and
//            the sample outputs. A wrong gradient sign, a dropped term or a transposed kernel give
//            O(1) errors.
//   kinks    A relu / leaky_relu whose pre-activation lies within rounding of 0 takes the other
//            branch on one side, which changes that element's gradient by O(1) and, upstream,
//            the gradients of the positions that see it (seen: dcgan, key {1234, 5678}: one
//            discriminator pre-activation of 3.2e-7 on a generated image moves 1% of the
//            generator's first-layer gradients by up to 0.5% of their scale; rel L2 err 6.6e-4;
//            no such flip with six other keys). A tensor of `tensors` with elements outside the
//            tolerance still passes (as "ok~", always printed) when they are <= 10% of its
//            elements and its relative L2 error ||got-want|| / ||want|| is <= 5e-3. A real bug
//            moves a whole tensor, channel or border row (a 7x7 map's border is 14%+ of it, with
//            O(1) errors: rel L2 err ~0.3), far past these bounds.
//   params   Adam's first step is p -= lr m^/(sqrt(v^) + eps) = lr g / (|g| + eps), ~lr sign(g):
//            blind to a gradient's magnitude (the moments above check it), and hypersensitive
//            where |g| ~ eps (the update moves by lr/4 per relative change of g): there rounding
//            noise in g, or a kink, moves p by up to 2 lr instead of by noise. Parameters are
//            compared as their update d = p_new - p_old (p_old is the shared input state) under
//            `tensors`, plus 2 f32 ulps of p (p_new's rounding). An element outside that passes
//            only where the two gradients differ: its Adam m slot (opt<K>.<param>.m) differs
//            by more than 1e-4 relative there (the m comparison judges that difference), and
//            |d_got - d_want| <= 2 max|d_want|. Where the gradients agree, the updates must too,
//            so a wrong update rule (lr, bias correction, sign) is still caught. Such elements
//            are counted. Without an m slot (sgd, rmsprop) the `kinks` rule applies instead.
// Exit status: 0 iff every compared tensor matches; 1 on a mismatch; 2 on a usage or setup error.
#include "compiler/Frontend.h"
#include "compiler/Pipeline.h"
#include "dialects/gn/GnDialect.h"
#include "dialects/gn/reference/Evaluator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

// The runtime defines these (runtime/Threads.cpp, runtime/Profile.cpp); a generated object
// uses them, so the tool exports its own (ENABLE_EXPORTS) for the shared object to bind to.
extern "C" {
int gnc_num_threads = 1;
void gnc_kernel_begin(int32_t) {}
void gnc_kernel_end(int32_t) {}
}

namespace {

using gn::reference::Evaluator;
using gn::reference::Precision;
using gn::reference::Tensor;
using Shape = std::vector<int64_t>;

// ---- tolerances (see the header comment) ------------------------------------------------------
struct Tol {
  double rtol, atol, scaleTol; // atol + scaleTol * max|want| + rtol * |want|
};
constexpr Tol kInitTol{1e-6, 1e-7, 0};
constexpr Tol kLossTol{1e-4, 1e-6, 0};
constexpr Tol kTensorTol{2e-3, 0, 2e-4};
// The `kinks` rule: few elements off, small relative L2 error.
constexpr double kKinkMaxFraction = 0.1, kKinkMaxRelL2 = 5e-3;
// The `params` rule: gradients (Adam's m) that agree this closely give updates within kTensorTol
// even where Adam is most sensitive (|g| ~ eps: d changes by lr/4 * the relative change of g).
constexpr double kGradientAgrees = 1e-4;

bool verbose = false;
int numCompared = 0, numMismatched = 0, numKinks = 0;

int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

std::string shapeStr(const Shape &s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "x" : "") + std::to_string(s[i]);
  return r + "]";
}

// A 64-byte-aligned f32/i32 buffer, as GncAbi.h requires.
struct Buffer {
  void *p = nullptr;
  size_t bytes = 0;
  explicit Buffer(size_t n) : bytes(n) {
    p = std::aligned_alloc(64, std::max<size_t>(64, (n + 63) / 64 * 64));
    std::memset(p, 0, std::max<size_t>(64, (n + 63) / 64 * 64));
  }
  Buffer(Buffer &&o) noexcept : p(o.p), bytes(o.bytes) { o.p = nullptr; }
  Buffer(const Buffer &) = delete;
  ~Buffer() { std::free(p); }
  float *f32() const { return static_cast<float *>(p); }
};

Buffer toBuffer(const Tensor &t) {
  Buffer b(t.data.size() * 4);
  for (size_t i = 0; i < t.data.size(); ++i) {
    if (t.isInt)
      static_cast<int32_t *>(b.p)[i] = (int32_t)(int64_t)t.data[i];
    else
      b.f32()[i] = (float)t.data[i];
  }
  return b;
}

std::vector<double> fromBuffer(const Buffer &b, int64_t n) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = b.f32()[i];
  return v;
}

// How a tensor may pass with elements outside its tolerance.
struct Escape {
  bool kinks = false; // the `kinks` rule
  // An extra absolute tolerance for element i (or null).
  std::function<double(size_t)> extraAtol;
  // Whether element i's difference is explained by the gradient (or null); `maxAbsWant` is
  // max|want| over the tensor.
  std::function<bool(size_t, double maxAbsWant)> explained;
};

// Compares `got` (compiled) with `want` (evaluator), prints a line when it does not match (or
// passes only by the kinks rule, or --verbose); returns whether it matches.
bool compare(const std::string &what, const Shape &shape, const std::vector<double> &got,
             const std::vector<double> &want, Tol tol, const Escape &esc = {}) {
  ++numCompared;
  double scale = 0, sumSq = 0, errSq = 0, maxAbs = 0, maxRel = 0, worstExcess = -1;
  for (double w : want) {
    scale = std::max(scale, std::fabs(w));
    sumSq += w * w;
  }
  double atol = tol.atol + tol.scaleTol * scale;
  int64_t off = 0, explained = 0, worst = -1;
  auto limitOf = [&](size_t i) {
    return atol + tol.rtol * std::fabs(want[i]) + (esc.extraAtol ? esc.extraAtol(i) : 0.0);
  };
  for (size_t i = 0; i < want.size(); ++i) {
    double a = got[i], b = want[i], err = std::fabs(a - b);
    if (std::isnan(a) || std::isnan(b))
      err = std::isnan(a) && std::isnan(b) ? 0 : INFINITY;
    errSq += err * err;
    maxAbs = std::max(maxAbs, err);
    if (b != 0)
      maxRel = std::max(maxRel, err / std::fabs(b));
    double limit = limitOf(i);
    if (err <= limit)
      continue;
    if (std::isfinite(err) && esc.explained && esc.explained(i, scale)) {
      ++explained;
      continue;
    }
    ++off;
    double excess = err / std::max(limit, 1e-300);
    if (excess > worstExcess)
      worstExcess = excess, worst = (int64_t)i;
  }
  double relL2 = sumSq > 0 ? std::sqrt(errSq / sumSq) : (errSq > 0 ? INFINITY : 0);
  bool kink = off > 0 && esc.kinks && off <= kKinkMaxFraction * (double)want.size() &&
              relL2 <= kKinkMaxRelL2;
  bool ok = off == 0 || kink;
  if (!ok)
    ++numMismatched;
  if (kink)
    ++numKinks;
  if (!ok || kink || verbose) {
    std::printf("%-8s %-50s %-13s max|want| %-9.3g max abs err %-9.3g max rel err %-9.3g "
                "rel L2 err %.3g",
                kink ? "ok~" : ok ? "ok" : "MISMATCH", what.c_str(), shapeStr(shape).c_str(),
                scale, maxAbs, maxRel, relL2);
    if (explained)
      std::printf("\n         %lld elements off where the gradients differ (Adam, see the header)",
                  (long long)explained);
    if (off)
      std::printf("\n         %lld of %lld elements off%s; worst at #%lld: got %.9g want %.9g "
                  "(tolerance %.3g)",
                  (long long)off, (long long)want.size(),
                  kink ? " (localized: activation kinks, see the header)" : "", (long long)worst,
                  got[worst], want[worst], limitOf(worst));
    std::printf("\n");
  }
  return ok;
}

// ---- the shared object -----------------------------------------------------------------------
struct GncEntry {
  const char *name;
  void (*fn)(void **buffers);
};

struct Entry {
  std::string name, kind, symbol;
  size_t numLosses = 0;
  std::vector<std::string> losses;
  bool takesInput = false;
  Shape inputShape; // a sample entry's own input (`sample decode(z: [B, 2])`), else the model's
  Shape outputShape;
  void (*fn)(void **) = nullptr;
};

struct StateSpec {
  std::string name;
  Shape shape;
  bool trainable = false;
};

struct Model {
  std::vector<StateSpec> state;
  std::vector<Entry> entries;
  Shape inputShape;
};

[[noreturn]] void die(const std::string &msg) {
  std::fprintf(stderr, "gnc-crosscheck: error: %s\n", msg.c_str());
  std::exit(2);
}

Shape shapeOf(const llvm::json::Value *v, const std::string &what) {
  const llvm::json::Array *a = v ? v->getAsArray() : nullptr;
  if (!a)
    die("gnc_model_info: " + what + " has no shape");
  Shape s;
  for (const llvm::json::Value &d : *a)
    s.push_back(d.getAsInteger().value_or(-1));
  return s;
}

Model loadModel(std::string soPath) {
  if (soPath.find('/') == std::string::npos)
    soPath = "./" + soPath; // dlopen searches the library path for a bare name
  void *h = dlopen(soPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h)
    die(std::string("cannot load ") + dlerror());
  auto *info = static_cast<const char *>(dlsym(h, "gnc_model_info"));
  auto *table = static_cast<const GncEntry *>(dlsym(h, "gnc_entries"));
  if (!info || !table)
    die(soPath + " lacks gnc_model_info or gnc_entries");
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(info);
  if (!json)
    die("gnc_model_info is not JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *o = json->getAsObject();
  if (!o || !o->getArray("state") || !o->getArray("entries"))
    die("gnc_model_info lacks state or entries");
  Model m;
  for (const llvm::json::Value &v : *o->getArray("state")) {
    const llvm::json::Object *s = v.getAsObject();
    StateSpec spec;
    spec.name = s->getString("name").value_or("").str();
    spec.shape = shapeOf(s->get("shape"), spec.name);
    spec.trainable = s->getBoolean("trainable").value_or(false);
    m.state.push_back(spec);
  }
  if (o->get("input_shape"))
    m.inputShape = shapeOf(o->get("input_shape"), "input");
  for (const llvm::json::Value &v : *o->getArray("entries")) {
    const llvm::json::Object *e = v.getAsObject();
    Entry en;
    en.name = e->getString("name").value_or("").str();
    en.kind = e->getString("kind").value_or("").str();
    en.symbol = e->getString("symbol").value_or("").str();
    if (const llvm::json::Array *l = e->getArray("losses"))
      for (const llvm::json::Value &n : *l)
        en.losses.push_back(n.getAsString().value_or("").str());
    en.takesInput = e->getBoolean("takes_input").value_or(false);
    if (en.kind == "sample")
      en.outputShape = shapeOf(e->get("output_shape"), en.name);
    en.inputShape = e->get("input_shape") ? shapeOf(e->get("input_shape"), en.name) : m.inputShape;
    for (const GncEntry *t = table; t->name; ++t)
      if (en.symbol == t->name)
        en.fn = t->fn;
    if (!en.fn)
      die("entry " + en.symbol + " is not in gnc_entries");
    m.entries.push_back(en);
  }
  return m;
}

// The state after a train step: optimizer state directly, parameters as their update (see the
// header: `params`).
void compareTrainState(const std::string &entry, const std::vector<StateSpec> &specs,
                       const std::vector<Tensor> &before,
                       const std::vector<std::vector<double>> &got,
                       const std::vector<std::vector<double>> &want) {
  Escape kinks;
  kinks.kinks = true;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < specs.size(); ++i) {
    index[specs[i].name] = i;
    if (!specs[i].trainable)
      compare(entry + "/" + specs[i].name, specs[i].shape, got[i], want[i], kTensorTol, kinks);
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!specs[i].trainable)
      continue;
    const std::string &name = specs[i].name;
    std::vector<double> dGot(got[i].size()), dWant(got[i].size());
    for (size_t j = 0; j < dGot.size(); ++j) {
      dGot[j] = got[i][j] - before[i].data[j];
      dWant[j] = want[i][j] - before[i].data[j];
    }
    Escape esc;
    esc.extraAtol = [&before, &want, i](size_t j) {
      return std::ldexp(std::max(std::fabs(before[i].data[j]), std::fabs(want[i][j])), -22);
    };
    // Adam's first moment, named opt<K>.<param>.m by gn-autodiff.
    const size_t *m = nullptr;
    std::string suffix = "." + name + ".m";
    for (auto &[slot, k] : index)
      if (slot.size() > suffix.size() && slot.compare(0, 3, "opt") == 0 &&
          slot.compare(slot.size() - suffix.size(), suffix.size(), suffix) == 0)
        m = &k;
    if (m) {
      const std::vector<double> *mGot = &got[*m], *mWant = &want[*m];
      esc.explained = [&dGot, &dWant, mGot, mWant](size_t j, double maxStep) {
        double mg = (*mGot)[j], mw = (*mWant)[j];
        return std::fabs(mg - mw) > kGradientAgrees * std::fabs(mw) &&
               std::fabs(dGot[j] - dWant[j]) <= 2 * maxStep * (1 + 1e-3);
      };
    } else {
      esc.kinks = true;
    }
    compare(entry + "/" + name + " (update)", specs[i].shape, dGot, dWant, kTensorTol, esc);
  }
}

// ---- the synthetic input -----------------------------------------------------------------------
// Digit-like images in [0, 1]: a thick ring per image, its center, radii and brightness varying
// with the batch index, with a faint background gradient; exact zeros and ones, like MNIST, and
// no data dependency. Values are f32.
Tensor syntheticInput(const Shape &shape) {
  Tensor t = Tensor::zeros(shape);
  if (shape.size() != 4) {
    // Not an image (a batch of latent codes): smooth values in [-2, 2].
    for (size_t i = 0; i < t.data.size(); ++i)
      t.data[i] = (float)(2 * std::sin(0.37 * (double)i + 0.5));
    return t;
  }
  int64_t N = shape[0], H = shape[1], W = shape[2], C = shape[3];
  for (int64_t n = 0; n < N; ++n) {
    double cy = H * (0.4 + 0.2 * std::sin(0.7 * n)), cx = W * (0.4 + 0.2 * std::cos(1.3 * n));
    double r = std::min(H, W) * (0.18 + 0.1 * ((n * 7) % 5) / 4.0);
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x)
        for (int64_t c = 0; c < C; ++c) {
          double d = std::hypot(y - cy, x - cx);
          double ring = std::clamp(1.8 - std::fabs(d - r) / 1.5, 0.0, 1.0);
          double bg = 0.05 * ((x + 2 * y + n) % 7) / 6.0;
          t.data[((n * H + y) * W + x) * C + c] = (float)std::clamp(ring + bg * (ring < 1), 0.0, 1.0);
        }
  }
  return t;
}

// Raw little-endian f64 values, for offline inspection (--dump DIR).
void dump(const std::string &path, const std::vector<double> &v) {
  if (FILE *f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(v.data(), sizeof(double), v.size(), f);
    std::fclose(f);
  }
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void usage() {
  std::fprintf(stderr,
               "usage: gnc-crosscheck MODEL.gn MODEL.so [--key A,B] [--skip-entry NAME]... "
               "[--verbose]\n");
  std::exit(2);
}

} // namespace

int main(int argc, char **argv) {
  std::string gnPath, soPath;
  int32_t key0 = 1234, key1 = 5678;
  std::set<std::string> skip;
  bool f64 = false;
  std::string dumpDir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--verbose" || a == "-v")
      verbose = true;
    else if (a == "--f64")
      f64 = true;
    else if (a == "--dump" && i + 1 < argc)
      dumpDir = argv[++i];
    else if (a == "--skip-entry" && i + 1 < argc)
      skip.insert(argv[++i]);
    else if (a == "--key" && i + 1 < argc) {
      if (std::sscanf(argv[++i], "%d,%d", &key0, &key1) != 2)
        usage();
    } else if (a[0] == '-')
      usage();
    else if (gnPath.empty())
      gnPath = a;
    else if (soPath.empty())
      soPath = a;
    else
      usage();
  }
  if (soPath.empty())
    usage();

  // The compiled side.
  Model model = loadModel(soPath);

  // The reference side: the grad stage of the same source.
  auto file = llvm::MemoryBuffer::getFile(gnPath, /*IsText=*/true);
  if (!file)
    die("cannot read " + gnPath);
  mlir::DialectRegistry registry;
  gnc::registerDialects(registry);
  mlir::MLIRContext ctx(registry);
  auto module = gnc::compileSource(ctx, (*file)->getBuffer(), gnPath, llvm::errs());
  if (!module)
    return 2;
  {
    mlir::PassManager pm(&ctx);
    const auto stages = gnc::pipelineStages();
    for (int i = 1; i <= gnc::findStage(stages, "grad"); ++i)
      if (stages[i].addPasses)
        stages[i].addPasses(pm, gnc::PipelineOptions());
    llvm::SourceMgr sm;
    mlir::SourceMgrDiagnosticHandler handler(sm, &ctx, llvm::errs());
    if (mlir::failed(pm.run(*module)))
      die("compiling " + gnPath + " to the grad stage failed");
  }
  Evaluator ev(*module, f64 ? Precision::F64 : Precision::F32);

  // The state layout must agree with the grad stage's (a stale .so would not).
  const size_t N = model.state.size();
  {
    auto init = module->lookupSymbol<mlir::func::FuncOp>("init");
    if (!init || init.getNumResults() != N)
      die("the shared object's state does not match " + gnPath + " (rebuild it)");
    for (size_t i = 0; i < N; ++i) {
      auto name = init.getResultAttrOfType<mlir::StringAttr>(i, mlir::gn::GnDialect::StateAttrHelper::getNameStr());
      auto type = mlir::cast<mlir::RankedTensorType>(init.getResultTypes()[i]);
      Shape s(type.getShape().begin(), type.getShape().end());
      if (!name || name.getValue() != model.state[i].name || s != model.state[i].shape)
        die("state #" + std::to_string(i) + " (" + model.state[i].name +
            ") does not match the grad stage: rebuild the shared object");
    }
  }

  Tensor key({2}, {(double)key0, (double)key1}, /*isInt=*/true);
  Buffer keyBuf = toBuffer(key);
  auto evaluate = [&](const std::string &fn, const std::vector<Tensor> &args) {
    std::vector<Tensor> results;
    std::string err;
    if (!ev.call(fn, args, results, err))
      die("the evaluator failed on @" + fn + ": " + err);
    return results;
  };
  std::printf("crosscheck %s with key {%d, %d}\n", gnPath.c_str(), key0, key1);

  // ---- 1. init ----
  const Entry *initEntry = nullptr;
  for (const Entry &e : model.entries)
    if (e.kind == "init")
      initEntry = &e;
  if (!initEntry)
    die("no init entry");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<Tensor> state = evaluate("init", {key});
  double tEval = seconds(t0);
  std::vector<Buffer> initOut;
  std::vector<void *> args{keyBuf.p};
  for (const StateSpec &s : model.state) {
    initOut.emplace_back(numel(s.shape) * 4);
    args.push_back(initOut.back().p);
  }
  t0 = std::chrono::steady_clock::now();
  initEntry->fn(args.data());
  double tCompiled = seconds(t0);
  for (size_t i = 0; i < N; ++i)
    compare("init/" + model.state[i].name, model.state[i].shape,
            fromBuffer(initOut[i], numel(model.state[i].shape)), state[i].data, kInitTol);
  std::printf("init: %zu state tensors (evaluator %.2fs, compiled %.3fs)\n", N, tEval, tCompiled);

  // Both sides continue from the evaluator's state (already rounded to f32 by Precision::F32).
  std::vector<Buffer> stateBufs;
  for (const Tensor &t : state)
    stateBufs.push_back(toBuffer(t));
  Tensor input = syntheticInput(model.inputShape);
  Buffer inputBuf = toBuffer(input);

  for (const Entry &e : model.entries) {
    if (e.kind == "init")
      continue;
    if (skip.count(e.name)) {
      std::printf("%s: skipped (--skip-entry)\n", e.name.c_str());
      continue;
    }
    // Arguments: ([input,] key, state...), as GncAbi.h lays them out.
    std::vector<Tensor> evArgs;
    args.clear();
    bool takesInput = e.kind == "train" || e.kind == "eval" || e.takesInput;
    std::optional<Buffer> ownInputBuf;
    if (takesInput && e.inputShape != model.inputShape) {
      Tensor ownInput = syntheticInput(e.inputShape);
      ownInputBuf.emplace(toBuffer(ownInput));
      evArgs.push_back(ownInput);
      args.push_back(ownInputBuf->p);
    } else if (takesInput) {
      evArgs.push_back(input);
      args.push_back(inputBuf.p);
    }
    evArgs.push_back(key);
    args.push_back(keyBuf.p);
    for (size_t i = 0; i < N; ++i) {
      evArgs.push_back(state[i]);
      args.push_back(stateBufs[i].p);
    }
    t0 = std::chrono::steady_clock::now();
    std::vector<Tensor> want = evaluate(e.name, evArgs);
    tEval = seconds(t0);

    std::vector<Buffer> outs;
    std::vector<Shape> outShapes;
    if (e.kind == "train" || e.kind == "eval") {
      // train: (losses, new state); eval: (losses).
      size_t numState = e.kind == "train" ? N : 0;
      if (want.size() != e.losses.size() + numState)
        die("@" + e.name + " returned " + std::to_string(want.size()) + " values in the evaluator");
      for (size_t i = 0; i < e.losses.size(); ++i)
        outShapes.push_back({});
      for (size_t i = 0; i < numState; ++i)
        outShapes.push_back(model.state[i].shape);
    } else {
      outShapes.push_back(e.outputShape);
    }
    for (const Shape &s : outShapes) {
      outs.emplace_back(numel(s) * 4);
      args.push_back(outs.back().p);
    }
    t0 = std::chrono::steady_clock::now();
    e.fn(args.data());
    tCompiled = seconds(t0);
    auto got = [&](size_t i) { return fromBuffer(outs[i], numel(outShapes[i])); };

    if (e.kind == "sample") {
      Escape kinks;
      kinks.kinks = true;
      compare(e.name + "/output", e.outputShape, got(0), want[0].data, kTensorTol, kinks);
    } else {
      size_t L = e.losses.size();
      for (size_t i = 0; i < L; ++i) {
        std::vector<double> g = got(i);
        bool ok = compare(e.name + "/" + e.losses[i], {}, g, want[i].data, kLossTol);
        if (!verbose && ok)
          std::printf("%s: %s = %.7g (evaluator %.7g)\n", e.name.c_str(), e.losses[i].c_str(),
                      g[0], want[i].data[0]);
      }
      if (e.kind == "train") {
        std::vector<std::vector<double>> gotState, wantState;
        for (size_t i = 0; i < N; ++i) {
          gotState.push_back(got(L + i));
          wantState.push_back(std::move(want[L + i].data));
        }
        if (!dumpDir.empty())
          for (size_t i = 0; i < N; ++i) {
            dump(dumpDir + "/" + e.name + "." + model.state[i].name + ".got", gotState[i]);
            dump(dumpDir + "/" + e.name + "." + model.state[i].name + ".want", wantState[i]);
          }
        compareTrainState(e.name, model.state, state, gotState, wantState);
      }
    }
    std::printf("%s: %zu results (evaluator %.2fs, compiled %.3fs)\n", e.name.c_str(), want.size(),
                tEval, tCompiled);
  }

  std::printf("%s: %d tensors compared, %d mismatched, %d passed by the kinks rule\n",
              numMismatched ? "FAIL" : "PASS", numCompared, numMismatched, numKinks);
  return numMismatched ? 1 : 0;
}
