// The per-kernel benchmark: the main of a program built with `gnc build MODEL.gn
// --kernel-bench -o BIN`. Every kernel function of the generated object (gnc_kernel_functions,
// described by the model info's "kernel_functions") runs on its own under Google Benchmark,
// on buffers of its own: no compute here, only allocation and calls.
//
//   BIN [--threads N] [--peak-gflops X] [--list] [--model-info] [--benchmark_* flags]
//
// --list prints one line per kernel function (name, FLOPs, bytes, arguments); --model-info the
// generated object's model description (JSON: the kernel table with each kernel's callers).
//
// Per kernel: real time per call, FLOPS (a rate counter from the kernel's FLOPs per call),
// bytes_per_second (its operands' bytes per call), and peak_pct (% of the FMA peak given by
// --peak-gflops or GNC_PEAK_GFLOPS, as --profile takes it). Kernels parallelize internally
// with OpenMP: --threads (default 2) sets OMP_NUM_THREADS as the runtime's --threads does.
#include "runtime/Buffers.h"
#include "runtime/Error.h"
#include "runtime/GncAbi.h"
#include "runtime/ModelInfo.h"
#include "runtime/Threads.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <random>
#include <string>
#include <vector>

namespace {

using gnc::rt::AlignedBuffer;
using gnc::rt::KernelArgSpec;
using gnc::rt::KernelFunctionSpec;
using gnc::rt::KernelSpec;

size_t elementBytes(const std::string &dtype) {
  // "f32" -> 4, "i1" -> 1 (an i1 buffer holds one byte per element), "i64" -> 8, "index" -> 8
  if (dtype == "index")
    return 8;
  int bits = std::atoi(dtype.c_str() + 1);
  if ((dtype[0] != 'f' && dtype[0] != 'i') || bits <= 0 || bits > 64)
    throw gnc::rt::Error("kernel argument of unknown element type '" + dtype + "'", gnc::rt::ExitInternal);
  return (size_t)(bits + 7) / 8;
}

// A kernel's arguments: buffers filled with small positive floats (a log, a square root or a
// division of them stays finite) or integer zeros (keys, counters, the first iteration of a
// loop), and scalars (integers 0, floats 0.5) behind pointers, as gnc_kernel_fn_* takes them.
struct KernelArgs {
  std::vector<AlignedBuffer> buffers;
  std::vector<void *> pointers;

  KernelArgs(const KernelFunctionSpec &fn, std::mt19937 &rng) {
    std::uniform_real_distribution<float> small(0.01f, 0.5f);
    for (const KernelArgSpec &a : fn.args) {
      size_t eb = elementBytes(a.dtype);
      size_t n = a.scalar ? 1 : gnc::rt::numElements(a.shape);
      AlignedBuffer b(n * eb);
      if (a.dtype == "f32") {
        for (size_t i = 0; i < n; ++i)
          b.f32()[i] = a.scalar ? 0.5f : small(rng);
      } else if (a.dtype == "f64") {
        auto *d = static_cast<double *>(b.data());
        for (size_t i = 0; i < n; ++i)
          d[i] = a.scalar ? 0.5 : small(rng);
      } // integers stay zero (AlignedBuffer zero-fills)
      pointers.push_back(b.data());
      buffers.push_back(std::move(b));
    }
  }

  // Values that are not finite after the runs (an in-place kernel repeated thousands of times
  // may overflow); reported in the benchmark's label, since they can change the speed.
  size_t nonFinite(const KernelFunctionSpec &fn) const {
    size_t bad = 0;
    for (size_t i = 0; i < fn.args.size(); ++i) {
      if (fn.args[i].dtype != "f32")
        continue;
      const float *f = buffers[i].f32();
      for (size_t j = 0, n = buffers[i].bytes() / 4; j < n; ++j)
        bad += !std::isfinite(f[j]);
    }
    return bad;
  }
};

std::string argsText(const KernelFunctionSpec &fn) {
  std::string s;
  for (const KernelArgSpec &a : fn.args) {
    if (!s.empty())
      s += " ";
    s += a.scalar ? a.dtype : gnc::rt::shapeString(a.shape) + a.dtype;
  }
  return s;
}

struct Options {
  int threads = 2;
  double peakGflops = 0;
  bool list = false;
  bool modelInfo = false;
};

// Takes this program's own flags out of argv; the rest is Google Benchmark's.
Options parseOwnFlags(int &argc, char **argv) {
  Options o;
  if (const char *p = std::getenv("GNC_PEAK_GFLOPS"))
    o.peakGflops = std::atof(p);
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string &flag) -> const char * {
      if (a.rfind(flag + "=", 0) == 0)
        return argv[i] + flag.size() + 1;
      if (a == flag && i + 1 < argc)
        return argv[++i];
      throw gnc::rt::Error(flag + " needs a value");
    };
    if (a == "--threads" || a.rfind("--threads=", 0) == 0) {
      o.threads = std::atoi(value("--threads"));
      if (o.threads < 1 || o.threads > 1024)
        throw gnc::rt::Error("--threads must be 1..1024");
    } else if (a == "--peak-gflops" || a.rfind("--peak-gflops=", 0) == 0) {
      o.peakGflops = std::atof(value("--peak-gflops"));
      if (!(o.peakGflops > 0))
        throw gnc::rt::Error("--peak-gflops must be a positive number");
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--model-info") {
      o.modelInfo = true;
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--threads N] [--peak-gflops X] [--list] [--model-info] [--benchmark_* flags]\n"
                  "Runs every kernel of the model on its own under Google Benchmark.\n",
                  argv[0]);
      std::exit(0);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return o;
}

int run(int argc, char **argv) {
  Options o = parseOwnFlags(argc, argv);
  if (o.modelInfo) {
    std::printf("%s\n", gnc_model_info);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return gnc::rt::ExitUsage;
  gnc::rt::setNumThreads(o.threads);

  static const gnc::rt::ModelInfo info = gnc::rt::parseModelInfo(gnc_model_info, gnc_entries);
  if (info.kernelFunctions.empty())
    throw gnc::rt::Error("the model has no kernel functions to run", gnc::rt::ExitInternal);
  static std::vector<KernelArgs> args;
  args.reserve(info.kernelFunctions.size());
  std::mt19937 rng(1);
  std::vector<bool> covered(info.kernels.size());
  for (const KernelFunctionSpec &fn : info.kernelFunctions) {
    void (*call)(void **) = nullptr;
    for (const GncEntry *e = gnc_kernel_functions; e->name; ++e)
      if (fn.name == e->name)
        call = e->fn;
    if (!call)
      throw gnc::rt::Error("kernel function '" + fn.name + "' is not in gnc_kernel_functions", gnc::rt::ExitInternal);
    const KernelSpec &k = info.kernels[fn.kernel];
    covered[fn.kernel] = true;
    if (o.list) {
      std::printf("%s\tflops %.0f\tbytes %.0f\targs %s\n", fn.name.c_str(), k.flops, k.bytes, argsText(fn).c_str());
      continue;
    }
    args.emplace_back(fn, rng);
    KernelArgs *a = &args.back();
    double peak = o.peakGflops;
    benchmark::RegisterBenchmark(fn.name.c_str(), [=, &fn, &k](benchmark::State &state) {
      auto start = std::chrono::steady_clock::now();
      for (auto _ : state)
        call(a->pointers.data());
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      double calls = (double)state.iterations();
      state.counters["FLOPS"] = benchmark::Counter(k.flops * calls, benchmark::Counter::kIsRate);
      state.SetBytesProcessed((int64_t)(k.bytes * calls));
      if (peak > 0 && seconds > 0)
        state.counters["peak_pct"] = 100 * k.flops * calls / seconds / (peak * 1e9);
      if (size_t bad = a->nonFinite(fn))
        state.SetLabel(std::to_string(bad) + " non-finite values after the runs");
    })->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
  // Kernels that stayed inline in their entry function (an operand neither a buffer nor a view
  // of one) have no function to call: said, not hidden.
  for (size_t i = 0; i < info.kernels.size(); ++i)
    if (!covered[i])
      std::fprintf(stderr, "note: kernel %s has no function of its own (inline in its entry): not benchmarked\n",
                   info.kernels[i].name.c_str());
  if (o.list)
    return 0;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // As the runtime's main: kernels that allocate keep their freed memory in the heap.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  try {
    return run(argc, argv);
  } catch (const gnc::rt::Error &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.exitCode();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return gnc::rt::ExitInternal;
  }
}
