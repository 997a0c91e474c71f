// The processes of a data-parallel run (docs/distributed.md): which one this is, how many
// there are, and how they stop together. A program built without `gnc build --mpi` is one
// process; with it, the MPI communicator (Communicator.cpp) answers through the ABI
// (GncAbi.h's gnc_comm_*), so this runtime never includes or links MPI itself.
#ifndef GNC_RUNTIME_PROCESSES_H
#define GNC_RUNTIME_PROCESSES_H

#include <string>

namespace gnc::rt {

// Starts the communicator for the lifetime of the object (MPI_Init / MPI_Finalize).
class ProcessGroup {
public:
  ProcessGroup(int &argc, char **&argv);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup &) = delete;
  ProcessGroup &operator=(const ProcessGroup &) = delete;
  // Nonzero when the communicator could not start (it printed why): the exit status.
  int failed() const { return status; }

private:
  int status = 0;
};

int processRank();  // 0 .. processCount()-1
int processCount(); // 1 without --mpi or under a plain start
// Collective (every process must call it at the same point): whether any process's flag is set.
bool anyProcess(bool flag);
// Prints "rank R: message" to stderr and ends every process of the run with `exitStatus`
// (MPI_Abort; mpirun then reports the job aborted). In one process: plain exit.
[[noreturn]] void abortAllProcesses(const std::string &message, int exitStatus);

} // namespace gnc::rt

#endif
