// Helpers for the runtime's unit tests: a temporary directory per test, file I/O, a tiny model.
#ifndef GNC_TEST_RUNTIME_TESTUTIL_H
#define GNC_TEST_RUNTIME_TESTUTIL_H

#include "runtime/Error.h"
#include "runtime/ModelInfo.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace gnc::rt::test {

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gnc-runtime-test.XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    for (const auto &e : std::filesystem::directory_iterator(dir))
      names.push_back(e.path().filename().string());
    return names;
  }
  std::string dir;
};

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), (std::streamsize)bytes.size());
}

inline std::string readBytes(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Runs fn, expects an Error whose one-line message contains every needle; returns it.
inline std::string expectError(const std::function<void()> &fn,
                               const std::vector<std::string> &needles,
                               int exitCode = ExitUsage) {
  try {
    fn();
  } catch (const Error &e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(e.exitCode(), exitCode) << msg;
    for (const std::string &n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << "'" << n << "' not in: " << msg;
    return msg;
  }
  ADD_FAILURE() << "no error; expected one containing '" << (needles.empty() ? "" : needles[0])
                << "'";
  return "";
}

inline void dummyEntry(void **) {}

// A model with state a [2,3] (trainable), b [] (scalar, optimizer state), c [4] (trainable).
inline const char *tinyModelJson() {
  return R"({"model":"tiny","batch":4,"dataset":"mnist","input":"x","input_shape":[4,28,28,1],
    "model_hash":"0123456789abcdef","backend":"test","build_flags":"",
    "state":[{"name":"a","shape":[2,3],"trainable":true},
             {"name":"b","shape":[],"trainable":false},
             {"name":"c","shape":[4],"trainable":true}],
    "entries":[{"name":"init","kind":"init","symbol":"gnc_entry_init"},
               {"name":"step","kind":"train","symbol":"gnc_entry_step","losses":["loss"]}]})";
}

inline const GncEntry *tinyEntries() {
  static const GncEntry table[] = {{"gnc_entry_init", dummyEntry},
                                   {"gnc_entry_step", dummyEntry},
                                   {nullptr, nullptr}};
  return table;
}

inline ModelInfo tinyModel() { return parseModelInfo(tinyModelJson(), tinyEntries()); }

} // namespace gnc::rt::test

#endif
