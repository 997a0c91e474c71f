// One process: the weak definitions of the communicator's ABI, which libgnc_runtime_mpi.a
// (Communicator.cpp, linked whole by `gnc build --mpi`) replaces.
#include "runtime/Processes.h"

#include "runtime/Error.h"
#include "runtime/GncAbi.h"

#include <cstdio>
#include <cstdlib>

extern "C" {

// A program built without --mpi started by mpirun as several processes would train P
// independent copies writing the same files: refuse instead. Open MPI, MPICH/Hydra and Slurm
// tell their processes the job's size in these variables.
__attribute__((weak)) int gnc_comm_init(int *, char ***) {
  for (const char *var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
    const char *v = std::getenv(var);
    if (v && std::atoi(v) > 1) {
      std::fprintf(stderr,
                   "error: this program was built without --mpi but started as %s processes "
                   "(%s); rebuild it with `gnc build MODEL.gn --mpi` for data-parallel training\n",
                   v, var);
      return gnc::rt::ExitUsage;
    }
  }
  return 0;
}
__attribute__((weak)) void gnc_comm_finalize() {}
__attribute__((weak)) int gnc_comm_rank() { return 0; }
__attribute__((weak)) int gnc_comm_size() { return 1; }
__attribute__((weak)) int gnc_comm_any(int flag) { return flag != 0; }
__attribute__((weak)) void gnc_comm_abort(int exitStatus) { std::exit(exitStatus); }

} // extern "C"

namespace gnc::rt {

ProcessGroup::ProcessGroup(int &argc, char **&argv) { status = gnc_comm_init(&argc, &argv); }

ProcessGroup::~ProcessGroup() {
  if (!status)
    gnc_comm_finalize();
}

int processRank() { return gnc_comm_rank(); }
int processCount() { return gnc_comm_size(); }
bool anyProcess(bool flag) { return gnc_comm_any(flag ? 1 : 0) != 0; }

void abortAllProcesses(const std::string &message, int exitStatus) {
  std::fflush(stdout);
  std::fprintf(stderr, "rank %d: %s\n", processRank(), Error::oneLine(message).c_str());
  std::fflush(stderr);
  gnc_comm_abort(exitStatus);
  std::_Exit(exitStatus); // gnc_comm_abort does not return; in case an MPI does
}

} // namespace gnc::rt
