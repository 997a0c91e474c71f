// The entry point of a gnc-built program: the generated object provides the model.
#include "runtime/Commands.h"

#include <malloc.h>

int main(int argc, char **argv) {
  // Generated code allocates its intermediate tensors afresh every step. Keep freed memory in
  // the heap (no mmap/munmap per buffer, no trimming) so that the next step reuses it without
  // page faults: on these VMs a fresh 25 MB buffer costs ~12k faults.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return gnc::rt::runMain(argc, argv, gnc_model_info, gnc_entries);
}
