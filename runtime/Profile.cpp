#include "runtime/Profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {

using Clock = std::chrono::steady_clock;

bool enabled = false;
std::vector<gnc::rt::KernelTime> table;
Clock::time_point started;

} // namespace

extern "C" void gnc_kernel_begin(int32_t id) {
  (void)id;
  if (enabled)
    started = Clock::now();
}

extern "C" void gnc_kernel_end(int32_t id) {
  if (!enabled || id < 0 || (size_t)id >= table.size())
    return;
  table[id].calls += 1;
  table[id].seconds += std::chrono::duration<double>(Clock::now() - started).count();
}

namespace gnc::rt {

void startProfile(const ModelInfo &m) {
  table.assign(m.kernels.size(), KernelTime{});
  for (size_t i = 0; i < m.kernels.size(); ++i)
    table[i].spec = &m.kernels[i];
  enabled = true;
}

bool profiling() { return enabled; }

std::vector<KernelTime> profileResults() {
  std::vector<KernelTime> rows;
  for (const KernelTime &k : table)
    if (k.calls)
      rows.push_back(k);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const KernelTime &a, const KernelTime &b) { return a.seconds > b.seconds; });
  return rows;
}

namespace {

double totalSeconds(const std::vector<KernelTime> &rows) {
  double t = 0;
  for (const KernelTime &k : rows)
    t += k.seconds;
  return t;
}

double gflops(const KernelTime &k) { return k.seconds > 0 ? k.spec->flops * k.calls / k.seconds / 1e9 : 0; }
double gbytes(const KernelTime &k) { return k.seconds > 0 ? k.spec->bytes * k.calls / k.seconds / 1e9 : 0; }

} // namespace

std::string profileTable(const std::vector<KernelTime> &rows, double peakGflops) {
  std::string out;
  char line[512];
  double total = totalSeconds(rows);
  std::snprintf(line, sizeof line, "%-56s %-7s %7s %10s %6s %8s %7s%s\n", "kernel", "backend", "calls",
                "total ms", "share", "GFLOP/s", "GB/s", peakGflops > 0 ? "  % peak" : "");
  out += line;
  for (const KernelTime &k : rows) {
    std::string name = k.spec->name.size() > 56 ? k.spec->name.substr(0, 53) + "..." : k.spec->name;
    char peak[32] = "";
    if (peakGflops > 0)
      std::snprintf(peak, sizeof peak, "  %6.1f", 100 * gflops(k) / peakGflops);
    std::snprintf(line, sizeof line, "%-56s %-7s %7llu %10.2f %5.1f%% %8.2f %7.2f%s\n", name.c_str(),
                  k.spec->backend.c_str(), (unsigned long long)k.calls, 1e3 * k.seconds,
                  total > 0 ? 100 * k.seconds / total : 0, gflops(k), gbytes(k), peak);
    out += line;
  }
  std::snprintf(line, sizeof line, "%zu kernels, %.2f ms in kernels\n", rows.size(), 1e3 * total);
  out += line;
  return out;
}

nlohmann::ordered_json profileJson(const std::vector<KernelTime> &rows, double peakGflops) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  double total = totalSeconds(rows);
  for (const KernelTime &k : rows) {
    nlohmann::ordered_json r;
    r["kernel"] = k.spec->name;
    r["signature"] = k.spec->signature;
    r["backend"] = k.spec->backend;
    r["calls"] = k.calls;
    r["seconds"] = k.seconds;
    r["share"] = total > 0 ? k.seconds / total : 0;
    r["flops_per_call"] = k.spec->flops;
    r["bytes_per_call"] = k.spec->bytes;
    r["gflops_per_s"] = gflops(k);
    r["gbytes_per_s"] = gbytes(k);
    if (peakGflops > 0)
      r["peak_fraction"] = gflops(k) / peakGflops;
    j.push_back(std::move(r));
  }
  return j;
}

} // namespace gnc::rt
