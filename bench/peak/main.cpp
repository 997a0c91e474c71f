// gnc-peak: Google Benchmark's command line (--benchmark_format=json, --benchmark_filter=...)
// over the benchmarks this CPU can run.
#include "bench/peak/Peak.h"

#include <benchmark/benchmark.h>

int main(int argc, char **argv) {
  gnc::peak::registerFmaPeak();
  gnc::peak::registerTriad();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
