#include "runtime/Threads.h"

#include "runtime/GncAbi.h"

#include <cstdlib>
#include <string>

extern "C" int gnc_num_threads = 2; // --threads, default 2

namespace gnc::rt {

// The generated kernels run their outermost loops on the OpenMP runtime (libomp), which reads
// OMP_NUM_THREADS when it starts its pool, i.e. at the first kernel call: set it before that.
// Kernels compiled by the Halide backend use Halide's own thread pool, which reads
// HL_NUM_THREADS when it starts the same way: --threads N means N for both (they never run
// at once: kernels run one after another).
void setNumThreads(int n) {
  gnc_num_threads = n;
  setenv("OMP_NUM_THREADS", std::to_string(n).c_str(), 1);
  setenv("HL_NUM_THREADS", std::to_string(n).c_str(), 1);
}
int numThreads() { return gnc_num_threads; }

BatchPrefetcher::BatchPrefetcher(size_t floats, bool threaded, Fill f)
    : buffers{AlignedBuffer(floats * sizeof(float)), AlignedBuffer(floats * sizeof(float))},
      fill(std::move(f)) {
  if (threaded)
    worker = std::thread([this] { run(); });
}

BatchPrefetcher::~BatchPrefetcher() {
  if (worker.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    cv.notify_all();
    worker.join();
  }
}

void BatchPrefetcher::run() {
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    cv.wait(lock, [this] { return stop || pending; });
    if (stop)
      return;
    uint64_t step = requested;
    lock.unlock();
    fill(step, buffers[step % 2].f32());
    lock.lock();
    pending = false;
    readyValid = true;
    ready = step;
    cv.notify_all();
  }
}

float *BatchPrefetcher::acquire(uint64_t step, uint64_t lastStep) {
  float *out = buffers[step % 2].f32();
  if (!worker.joinable()) {
    fill(step, out);
    return out;
  }
  std::unique_lock<std::mutex> lock(mutex);
  cv.wait(lock, [this] { return !pending; });
  if (!(readyValid && ready == step)) {
    lock.unlock();
    fill(step, out); // not prefetched (the first step of a run)
    lock.lock();
  }
  if (step + 1 < lastStep) {
    requested = step + 1;
    pending = true;
    readyValid = false;
    cv.notify_all();
  }
  return out;
}

} // namespace gnc::rt
