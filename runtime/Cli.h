// Hand-written command-line parsing: `BIN COMMAND [--flag VALUE | --flag=VALUE | --switch]...`.
// Every command declares its flags; anything else (an unknown flag, a missing value, a value
// given to a switch, a stray argument, a malformed number) is a one-line Error (ExitUsage).
#ifndef GNC_RUNTIME_CLI_H
#define GNC_RUNTIME_CLI_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gnc::rt {

struct FlagSpec {
  std::string name; // without the leading "--"
  bool takesValue;
};

class Args {
public:
  // argv[0] is the program, argv[1] the command; flags follow.
  static Args parse(const std::string &command, const std::vector<std::string> &args,
                    const std::vector<FlagSpec> &flags);

  bool has(const std::string &flag) const { return values.count(flag) != 0; }
  std::string str(const std::string &flag, const std::string &otherwise = "") const;
  // A decimal integer in [min, max], or nullopt when the flag is absent.
  std::optional<uint64_t> uint(const std::string &flag, uint64_t min, uint64_t max) const;

private:
  std::string command;
  std::map<std::string, std::string> values;
};

} // namespace gnc::rt

#endif
