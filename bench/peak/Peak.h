// gnc-peak: what this machine can do at best, as yardsticks for generated kernels (bench/speed.py
// divides a model's GFLOP/s by the FMA peak). Each file registers its Google Benchmarks at run
// time, so that only the variants this CPU can execute appear in the output.
#pragma once

namespace gnc::peak {

// FP32 FMA throughput: independent multiply-add chains in vector registers (FmaPeak.cpp).
void registerFmaPeak();
// Memory bandwidth: a STREAM-like triad a = b + s*c over arrays far larger than the caches
// (Triad.cpp).
void registerTriad();

} // namespace gnc::peak
