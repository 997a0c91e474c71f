// The MPI communicator of a data-parallel program (`gnc build --mpi` links this file's library,
// libgnc_runtime_mpi.a, whole: its strong definitions replace Processes.cpp's weak ones).
//
// gnc_all_reduce_f32 is deterministic: the result depends only on the processes' buffers and
// their number, never on the algorithm MPI picks or on message timing. It is a reduce-scatter
// followed by an all-gather, the bandwidth-optimal shape of an all-reduce (each process sends
// and receives 2 (P-1)/P of the buffer):
//   1. the buffer is cut into P chunks; MPI_Alltoallv sends chunk c of every process to
//      process c, which then holds all P copies of its chunk;
//   2. process c sums them in rank order (0, 1, ..., P-1) and, for a mean, divides by P;
//   3. MPI_Allgatherv hands every process every reduced chunk.
// Each element is summed by one process in one fixed order, so every process ends with the
// same bits and two runs with the same P give the same bits; MPI only moves bytes.
// Small buffers (the step's losses: a few floats) skip the P-1 messages of the reduce-scatter:
// one MPI_Allgather of the whole buffers (a logarithmic number of rounds for small messages),
// then every process sums the P copies in the same rank order, which gives the same bits too.
//
// GNC_COMM_STATS=1: at the end, rank 0 prints the all-reduces' count, bytes and wall time
// (bench/distributed.py reads it for the all-reduce's share of a step).
#include "runtime/GncAbi.h"

#include <mpi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

int rankCache = -1, sizeCache = -1;
// Up to this many floats over all processes, the all-gather path (see above).
constexpr int64_t kSmallFloats = 4096;
struct {
  long calls = 0;
  double bytes = 0, seconds = 0;
} stats;

void fail(const char *what) {
  std::fprintf(stderr, "rank %d: %s\n", rankCache, what);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

} // namespace

extern "C" {

int gnc_comm_init(int *argc, char ***argv) {
  // Only the main thread calls MPI (the batch prefetcher and the kernels' OpenMP threads never do).
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    std::fprintf(stderr, "error: MPI_Init_thread failed\n");
    return 1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rankCache);
  MPI_Comm_size(MPI_COMM_WORLD, &sizeCache);
  return 0;
}

void gnc_comm_finalize() {
  const char *want = std::getenv("GNC_COMM_STATS");
  if (want && *want && *want != '0' && rankCache == 0)
    std::fprintf(stderr, "gnc_comm_stats: processes %d all_reduce_calls %ld all_reduce_bytes %.0f "
                 "all_reduce_seconds %.6f\n", sizeCache, stats.calls, stats.bytes, stats.seconds);
  MPI_Finalize();
}

int gnc_comm_rank() { return rankCache < 0 ? 0 : rankCache; }
int gnc_comm_size() { return sizeCache < 0 ? 1 : sizeCache; }

int gnc_comm_any(int flag) {
  if (gnc_comm_size() == 1)
    return flag != 0;
  int local = flag != 0, any = 0;
  MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD); // exact: no rounding
  return any;
}

void gnc_comm_abort(int exitStatus) { MPI_Abort(MPI_COMM_WORLD, exitStatus); }

void gnc_all_reduce_f32(float *data, int64_t n, int32_t mean) {
  const int P = gnc_comm_size();
  if (P == 1 || n == 0)
    return; // the sum and the mean over one process are the buffer itself
  if (n / P + 1 > INT_MAX / P)
    fail("gnc_all_reduce_f32: buffer too large for MPI's int counts");
  const double start = MPI_Wtime();
  if ((int64_t)P * n <= kSmallFloats) {
    std::vector<float> all((size_t)P * (size_t)n);
    if (MPI_Allgather(data, (int)n, MPI_FLOAT, all.data(), (int)n, MPI_FLOAT, MPI_COMM_WORLD) != MPI_SUCCESS)
      fail("gnc_all_reduce_f32: MPI_Allgather failed");
    for (int64_t i = 0; i < n; ++i) {
      float s = all[(size_t)i];
      for (int q = 1; q < P; ++q)
        s += all[(size_t)q * (size_t)n + (size_t)i];
      data[i] = mean ? s / (float)P : s;
    }
    stats.calls += 1;
    stats.bytes += 4.0 * (double)n;
    stats.seconds += MPI_Wtime() - start;
    return;
  }
  const int r = gnc_comm_rank();
  std::vector<int> counts(P), displs(P);
  for (int c = 0; c < P; ++c) {
    int64_t begin = n * c / P, end = n * (c + 1) / P;
    displs[c] = (int)begin;
    counts[c] = (int)(end - begin);
  }
  const int mine = counts[r];
  // copies[q * mine + i]: process q's value of element displs[r] + i.
  std::vector<float> copies((size_t)P * (size_t)mine);
  std::vector<int> recvCounts(P, mine), recvDispls(P);
  for (int q = 0; q < P; ++q)
    recvDispls[q] = q * mine;
  if (MPI_Alltoallv(data, counts.data(), displs.data(), MPI_FLOAT, copies.data(), recvCounts.data(),
                    recvDispls.data(), MPI_FLOAT, MPI_COMM_WORLD) != MPI_SUCCESS)
    fail("gnc_all_reduce_f32: MPI_Alltoallv failed");
  float *chunk = data + displs[r];
  for (int i = 0; i < mine; ++i) {
    float s = copies[(size_t)i];
    for (int q = 1; q < P; ++q)
      s += copies[(size_t)q * mine + i];
    chunk[i] = mean ? s / (float)P : s;
  }
  if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), displs.data(), MPI_FLOAT,
                     MPI_COMM_WORLD) != MPI_SUCCESS)
    fail("gnc_all_reduce_f32: MPI_Allgatherv failed");
  stats.calls += 1;
  stats.bytes += 4.0 * (double)n;
  stats.seconds += MPI_Wtime() - start;
}

} // extern "C"
