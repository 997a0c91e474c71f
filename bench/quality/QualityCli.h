// gnc-quality's command line (everything but main(), so that test/quality can run the commands
// in process on files it writes).
#ifndef GNC_BENCH_QUALITY_QUALITYCLI_H
#define GNC_BENCH_QUALITY_QUALITYCLI_H

#include <ostream>
#include <string>
#include <vector>

namespace gnc::quality {

// Runs `gnc-quality COMMAND FLAGS...` (args without the program name). The human-readable
// result goes to `out` (to `err` with --json, where `out` gets one JSON object), errors to `err`
// as one line "gnc-quality: error: ...". Returns the exit status: 0 the check passes, 1 it fails
// its threshold, 2 bad usage or input.
int qualityMain(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

} // namespace gnc::quality

#endif
