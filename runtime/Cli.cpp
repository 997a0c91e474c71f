#include "runtime/Cli.h"

#include "runtime/Error.h"

namespace gnc::rt {

Args Args::parse(const std::string &command, const std::vector<std::string> &args,
                 const std::vector<FlagSpec> &flags) {
  Args a;
  a.command = command;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
      throw Error("'" + command + "': unexpected argument '" + arg + "' (flags start with --)");
    std::string name = arg.substr(2), value;
    bool inlineValue = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    const FlagSpec *spec = nullptr;
    for (const FlagSpec &f : flags)
      if (f.name == name)
        spec = &f;
    if (!spec)
      throw Error("'" + command + "' has no flag --" + name + " (see --help)");
    if (spec->takesValue && !inlineValue) {
      if (i + 1 >= args.size())
        throw Error("--" + name + " needs a value");
      value = args[++i];
    } else if (!spec->takesValue && inlineValue) {
      throw Error("--" + name + " takes no value");
    }
    a.values[name] = value;
  }
  return a;
}

std::string Args::str(const std::string &flag, const std::string &otherwise) const {
  auto it = values.find(flag);
  return it == values.end() ? otherwise : it->second;
}

std::optional<uint64_t> Args::uint(const std::string &flag, uint64_t min, uint64_t max) const {
  auto it = values.find(flag);
  if (it == values.end())
    return std::nullopt;
  const std::string &s = it->second;
  uint64_t v = 0;
  bool ok = !s.empty() && s.size() <= 20;
  for (char c : s) {
    if (c < '0' || c > '9' || v > (UINT64_MAX - (uint64_t)(c - '0')) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + (uint64_t)(c - '0');
  }
  if (!ok || v < min || v > max)
    throw Error("--" + flag + " '" + s + "': expected an integer from " + std::to_string(min) +
                " to " + std::to_string(max));
  return v;
}

} // namespace gnc::rt
