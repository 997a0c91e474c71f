// Per-kernel timing for --profile. The generated code calls gnc_kernel_begin(id) and
// gnc_kernel_end(id) around every kernel (gnc-kernel-hooks); they return at once unless the
// profile is on. Kernels are launched from the entry function's thread only (their OpenMP
// loops run inside them), so the bookkeeping needs no locks.
#ifndef GNC_RUNTIME_PROFILE_H
#define GNC_RUNTIME_PROFILE_H

#include "runtime/ModelInfo.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
void gnc_kernel_begin(int32_t id);
void gnc_kernel_end(int32_t id);
}

namespace gnc::rt {

struct KernelTime {
  const KernelSpec *spec = nullptr;
  uint64_t calls = 0;
  double seconds = 0;
};

// Starts timing the kernels of `m` (from now on, every call counts).
void startProfile(const ModelInfo &m);
bool profiling();
// The kernels that ran, slowest first, and the time spent outside any kernel's hooks is not
// counted.
std::vector<KernelTime> profileResults();

// The table the user reads: per kernel calls, total time, share of the kernels' time,
// GFLOP/s and GB/s; % of the FMA peak when `peakGflops` > 0 (GNC_PEAK_GFLOPS).
std::string profileTable(const std::vector<KernelTime> &rows, double peakGflops);
nlohmann::ordered_json profileJson(const std::vector<KernelTime> &rows, double peakGflops);

} // namespace gnc::rt

#endif
