// Memory bandwidth, STREAM's triad a[i] = b[i] + s * c[i] over three arrays of 64 MiB each,
// far beyond any cache. Bytes are counted as STREAM counts them (two loads and a store per
// element; the write-allocate read of a is not counted). With n threads each one runs over its
// own 1/n of the arrays.
#include "bench/peak/Peak.h"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace gnc::peak {

namespace {

constexpr size_t kElements = size_t(1) << 24;

struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};
using Array = std::unique_ptr<float[], FreeDeleter>;

struct Arrays {
  Array a, b, c;
  Arrays() : a(make(0.0f)), b(make(1.0f)), c(make(2.0f)) {}
  static Array make(float value) {
    auto *p = static_cast<float *>(std::aligned_alloc(64, kElements * sizeof(float)));
    if (!p)
      std::abort();
    for (size_t i = 0; i < kElements; ++i) // touch every page before timing
      p[i] = value;
    return Array(p);
  }
};

Arrays &arrays() {
  static Arrays instance; // one set, shared by the threads of a benchmark
  return instance;
}

void triad(benchmark::State &state) {
  Arrays &arr = arrays();
  const size_t per = kElements / (size_t)state.threads();
  const size_t begin = per * (size_t)state.thread_index();
  float *__restrict a = arr.a.get() + begin;
  const float *__restrict b = arr.b.get() + begin;
  const float *__restrict c = arr.c.get() + begin;
  const float s = 3.0f;
  for (auto _ : state) {
    for (size_t i = 0; i < per; ++i)
      a[i] = b[i] + s * c[i];
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * (int64_t)(3 * per * sizeof(float)));
}

} // namespace

void registerTriad() {
  benchmark::RegisterBenchmark("stream_triad", triad)->Threads(1)->Threads(2)->UseRealTime();
}

} // namespace gnc::peak
