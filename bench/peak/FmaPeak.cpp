// FP32 FMA peak: kChains independent accumulators, each updated acc = acc * a + b. An FMA has a
// latency of about 4 cycles and cores issue two per cycle, so at least 8 chains must be in flight
// to keep both pipes busy; more chains than that cost nothing while they fit in the register
// file (AVX2: 16 ymm, AVX-512: 32 zmm). a < 1 keeps the values finite and away from denormals.
//
// The kernels carry their own target attribute and run only when the CPU has the extension
// (__builtin_cpu_supports), instead of building the whole file with -march=native: the binary
// stays correct on any x86-64 machine, even from a compiler cache filled on another CPU.
#include "bench/peak/Peak.h"

#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <cstdint>
#include <string>

namespace gnc::peak {

namespace {

// FMAs per chain per call: long enough that the call and the loop counter vanish.
constexpr int64_t kRepeats = 1 << 14;

template <int kChains>
__attribute__((target("avx2,fma"), noinline)) void fmaChainsAvx2(float *state) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm256_set1_ps(state[c]);
  const __m256 a = _mm256_set1_ps(state[kChains]), b = _mm256_set1_ps(state[kChains + 1]);
  for (int64_t r = 0; r < kRepeats; ++r)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  for (int c = 0; c < kChains; ++c)
    state[c] = _mm256_cvtss_f32(acc[c]);
}

template <int kChains>
__attribute__((target("avx512f"), noinline)) void fmaChainsAvx512(float *state) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(state[c]);
  const __m512 a = _mm512_set1_ps(state[kChains]), b = _mm512_set1_ps(state[kChains + 1]);
  for (int64_t r = 0; r < kRepeats; ++r)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  for (int c = 0; c < kChains; ++c)
    state[c] = _mm512_cvtss_f32(acc[c]);
}

// One benchmark thread: its own accumulators, kRepeats * kChains FMAs of kLanes floats per
// iteration. Google Benchmark sums a kIsRate counter over the threads and divides it by the
// threads' mean wall time: the FLOP/s of all threads together. (kIsIterationInvariantRate
// would count every thread's work once per thread: it multiplies by the total iterations.)
template <int kChains, int kLanes, void (*kKernel)(float *)>
void fmaBenchmark(benchmark::State &state) {
  float s[kChains + 2];
  for (int c = 0; c < kChains; ++c)
    s[c] = 1.0f + 0.01f * (float)c;
  s[kChains] = 0.999f;
  s[kChains + 1] = 0.001f;
  for (auto _ : state) {
    kKernel(s);
    benchmark::DoNotOptimize(s);
  }
  state.counters["flops_per_second"] =
      benchmark::Counter(2.0 * kLanes * kChains * (double)kRepeats * (double)state.iterations(),
                         benchmark::Counter::kIsRate);
  state.counters["vector_bits"] = benchmark::Counter(kLanes * 32, benchmark::Counter::kAvgThreads);
}

void registerVariant(const std::string &isa, void (*fn)(benchmark::State &)) {
  benchmark::RegisterBenchmark(("fma_peak/" + isa).c_str(), fn)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
}

} // namespace

void registerFmaPeak() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    registerVariant("avx2", fmaBenchmark<12, 8, fmaChainsAvx2<12>>);
  if (__builtin_cpu_supports("avx512f"))
    registerVariant("avx512", fmaBenchmark<16, 16, fmaChainsAvx512<16>>);
}

} // namespace gnc::peak
