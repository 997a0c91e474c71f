// libFuzzer target for the runtime's .npy reader (`BIN apply --input X.npy` reads untrusted
// files): any byte string may be rejected with a one-line error naming the file (exit status
// 2), but must never crash, hang, leak or trip ASan/UBSan. An accepted array must be consistent
// (element count = product of the shape, rows x row elements = element count, at most
// kMaxNpyElements), and writing it back as f32 must give a file that parses to the same shape
// and the same bits (f32 input) or values.
//
//   make fuzz [FUZZ_SECONDS=60]   (build-fuzz/bin/gnc-fuzz-npy; see test/fuzz/run-fuzz.sh)
#include "runtime/Error.h"
#include "runtime/Npy.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace gnc::rt;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "gnc-fuzz-npy: %s: %s\n", what, detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    NpyArray a = parseNpy(data, size, "in.npy");
    uint64_t n = 1;
    for (uint64_t d : a.shape)
      n *= d;
    if (a.shape.size() > 8 || n > kMaxNpyElements || a.data.size() != n)
      fail("inconsistent array", std::to_string(a.data.size()) + " elements");
    if (!a.shape.empty() && a.rows() * a.rowElements() != n)
      fail("rows x row elements != elements", std::to_string(n));
    std::vector<uint8_t> again = npyBytes(a.shape, a.data.data());
    NpyArray b = parseNpy(again, "again.npy");
    if (b.shape != a.shape || b.dtype != "<f4" ||
        (n && std::memcmp(b.data.data(), a.data.data(), n * 4) != 0))
      fail("round trip changed the array", a.dtype);
  } catch (const Error &e) {
    std::string msg = e.what();
    if (msg.find('\n') != std::string::npos || msg.find('\r') != std::string::npos)
      fail("error message is not one line", msg);
    if (msg.rfind("in.npy: ", 0) != 0)
      fail("error message does not name the file", msg);
    if (e.exitCode() != ExitUsage)
      fail("bad input is not exit status 2", msg);
  }
  return 0;
}
