// Threads. The generated kernels run their outermost loops on the OpenMP runtime (libomp);
// --threads N sets OMP_NUM_THREADS before the first kernel call, and is also exported as
// gnc_num_threads (GncAbi.h). The runtime itself uses a second
// thread (when N >= 2) to prepare the next training batch (gather the shuffled images and
// convert them to f32) while the current step runs. Results do not depend on N.
#ifndef GNC_RUNTIME_THREADS_H
#define GNC_RUNTIME_THREADS_H

#include "runtime/Buffers.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace gnc::rt {

// Sets gnc_num_threads.
void setNumThreads(int n);
int numThreads();

// Double-buffered batches: acquire(s) returns batch s (filled by `fill(s, out)`), after which
// the batch s+1 is prepared in the background while the caller uses batch s. Steps must be
// acquired in increasing order; the returned buffer stays valid until the next acquire.
class BatchPrefetcher {
public:
  using Fill = std::function<void(uint64_t step, float *out)>;
  BatchPrefetcher(size_t floats, bool threaded, Fill fill);
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher &) = delete;
  BatchPrefetcher &operator=(const BatchPrefetcher &) = delete;

  float *acquire(uint64_t step, uint64_t lastStep);

private:
  void run();

  AlignedBuffer buffers[2];
  Fill fill;
  std::thread worker;
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  bool pending = false;   // the worker has a request
  uint64_t requested = 0; // step the worker fills (into buffers[requested % 2])
  bool readyValid = false;
  uint64_t ready = 0;     // step whose batch is complete
};

} // namespace gnc::rt

#endif
