// Errors the runtime reports to the user: one line (no newline inside), and the process exit
// status that goes with it. Everything the user can get wrong (flags, data files, checkpoints,
// a full disk) is ExitUsage; a NaN/Inf loss is ExitNonFinite; a disagreement between the
// generated object and the runtime (malformed gnc_model_info, a missing entry symbol) is
// ExitInternal.
#ifndef GNC_RUNTIME_ERROR_H
#define GNC_RUNTIME_ERROR_H

#include <stdexcept>
#include <string>

namespace gnc::rt {

enum ExitCode : int {
  ExitOk = 0,
  ExitInternal = 1,   // the generated object and the runtime disagree (a gnc bug)
  ExitUsage = 2,      // bad flags, bad/missing data, bad checkpoint, write failure
  ExitNonFinite = 3,  // a loss became NaN or infinite during training
  ExitInterrupted = 130, // SIGINT during training (after saving a checkpoint)
};

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message, int exitCode = ExitUsage)
      : std::runtime_error(oneLine(message)), code(exitCode) {}
  int exitCode() const { return code; }

  // Control characters (newlines in particular) become spaces: every message is one line.
  static std::string oneLine(std::string s) {
    for (char &c : s)
      if ((unsigned char)c < 0x20 || c == 0x7f)
        c = ' ';
    return s;
  }

private:
  int code;
};

} // namespace gnc::rt

#endif
