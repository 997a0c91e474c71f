// The .npy reader and writer: round trips of every rank gnc writes, files as numpy writes them,
// and malformed files (one-line errors naming the file).
#include "runtime/Npy.h"

#include "TestUtil.h"

#include <cmath>
#include <cstring>

using namespace gnc::rt;
using namespace gnc::rt::test;

namespace {

// An .npy file with the given header dict text (padded as numpy pads it) and data bytes.
std::vector<uint8_t> npyFile(const std::string &dict, const std::string &data, int major = 1) {
  std::string h = dict;
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + h.size() + 1) % 64)
    h.push_back(' ');
  h.push_back('\n');
  std::string s = std::string("\x93NUMPY", 6) + (char)major + '\0';
  s += (char)(h.size() & 0xFF);
  s += (char)(h.size() >> 8);
  if (major != 1)
    s += std::string(2, '\0');
  s += h + data;
  return std::vector<uint8_t>(s.begin(), s.end());
}

std::string f32Bytes(std::vector<float> v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 4);
}

void rejects(const std::vector<uint8_t> &bytes, const std::vector<std::string> &needles) {
  std::vector<std::string> all = {"x.npy: "};
  all.insert(all.end(), needles.begin(), needles.end());
  expectError([&] { parseNpy(bytes, "x.npy"); }, all);
}

} // namespace

TEST(Npy, RoundTripShapes) {
  for (std::vector<uint64_t> shape :
       {std::vector<uint64_t>{}, {5}, {3, 4}, {2, 28, 28, 1}, {0, 7}, {0}}) {
    size_t n = 1;
    for (uint64_t d : shape)
      n *= d;
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = (float)i * 0.1f - 1.0f;
    std::vector<uint8_t> bytes = npyBytes(shape, v.data());
    EXPECT_EQ(bytes.size() - n * 4, 64u * ((bytes.size() - n * 4) / 64)) << "header padding";
    EXPECT_EQ(bytes[bytes.size() - n * 4 - 1], '\n');
    NpyArray a = parseNpy(bytes, "x.npy");
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.dtype, "<f4");
    EXPECT_EQ(a.data, v);
    EXPECT_EQ(a.rows(), shape.empty() ? 1u : shape[0]);
  }
  // The header text, as numpy writes it for the three ranks.
  float one = 1.0f;
  auto headerText = [](const std::vector<uint8_t> &b) {
    std::string s(b.begin() + 10, b.end());
    return s.substr(0, s.find('}') + 1);
  };
  EXPECT_EQ(headerText(npyBytes({}, &one)),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ(headerText(npyBytes({1}, &one)),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }");
  std::vector<float> six(6);
  EXPECT_EQ(headerText(npyBytes({2, 3}, six.data())),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
}

TEST(Npy, BitExactFloats) {
  std::vector<float> v = {0.1f, -0.0f, 1e-45f, 3.4028235e38f, INFINITY, NAN};
  NpyArray a = parseNpy(npyBytes({6}, v.data()), "x.npy");
  ASSERT_EQ(a.data.size(), 6u);
  EXPECT_EQ(std::memcmp(a.data.data(), v.data(), 24), 0);
}

TEST(Npy, Labels) {
  std::vector<uint8_t> labels = {7, 2, 1, 0, 4, 9};
  NpyArray a = parseNpy(npyBytes({6}, labels.data()), "l.npy");
  EXPECT_EQ(a.dtype, "|u1");
  EXPECT_EQ(a.data, (std::vector<float>{7, 2, 1, 0, 4, 9}));
}

TEST(Npy, FileRoundTrip) {
  TempDir t;
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  writeNpy(t.path("a.npy"), {3, 2}, v.data());
  NpyArray a = loadNpy(t.path("a.npy"));
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(a.rowElements(), 2u);
  EXPECT_EQ(a.data, v);
  expectError([&] { loadNpy(t.path("missing.npy")); }, {t.path("missing.npy"), "cannot open"});
  expectError([&] { writeNpy(t.path("no/dir.npy"), {3, 2}, v.data()); }, {t.path("no/dir.npy")});
}

TEST(Npy, ReadsWhatNumpyWrites) {
  // Other dtypes, version 2, double quotes, another key order, Python 2 longs, no trailing
  // comma: all as numpy's reader accepts them.
  double d[2] = {0.5, -2.25};
  NpyArray a = parseNpy(
      npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
              std::string(reinterpret_cast<const char *>(d), 16)),
      "x.npy");
  EXPECT_EQ(a.data, (std::vector<float>{0.5f, -2.25f}));
  int64_t i8[3] = {-3, 0, 1000000};
  a = parseNpy(npyFile("{\"shape\": (3L,), \"fortran_order\": False, \"descr\": \"<i8\"}",
                       std::string(reinterpret_cast<const char *>(i8), 24), 2),
               "x.npy");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{3}));
  EXPECT_EQ(a.data, (std::vector<float>{-3, 0, 1000000}));
  int32_t i4[2] = {-7, 9};
  a = parseNpy(npyFile("{'descr':'<i4','fortran_order':False,'shape':(1,2)}",
                       std::string(reinterpret_cast<const char *>(i4), 8), 3),
               "x.npy");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(a.data, (std::vector<float>{-7, 9}));
  a = parseNpy(npyFile("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", "\xff\x05"),
               "x.npy");
  EXPECT_EQ(a.data, (std::vector<float>{-1, 5}));
  a = parseNpy(npyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
                       std::string("\x01\x00", 2)),
               "x.npy");
  EXPECT_EQ(a.data, (std::vector<float>{1, 0}));
}

TEST(Npy, Malformed) {
  std::string two = f32Bytes({1, 2});
  auto dict = [](const std::string &shape, const std::string &descr = "'<f4'",
                 const std::string &order = "False") {
    return "{'descr': " + descr + ", 'fortran_order': " + order + ", 'shape': " + shape + ", }";
  };
  rejects({}, {"not an .npy file"});
  rejects(std::vector<uint8_t>{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0}, {"not an .npy file"});
  std::vector<uint8_t> good = npyFile(dict("(2,)"), two);
  rejects(std::vector<uint8_t>(good.begin(), good.begin() + 9), {"not an .npy file"});
  rejects(std::vector<uint8_t>(good.begin(), good.begin() + 40), {"truncated .npy header"});
  rejects(std::vector<uint8_t>(good.begin(), good.end() - 1),
          {"data holds 7 bytes, its shape needs 8", "truncated"});
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  rejects(longer, {"data holds 9 bytes, its shape needs 8"});
  std::vector<uint8_t> v9 = good;
  v9[6] = 9;
  rejects(v9, {"unsupported .npy version 9.0"});
  rejects(npyFile(dict("(2,)", "'>f4'"), two), {"big-endian"});
  rejects(npyFile(dict("(2,)", "'<c8'"), two), {"unsupported .npy dtype '<c8'"});
  rejects(npyFile(dict("(2,)", "[('a', '<f4')]"), two), {"malformed .npy header", "quoted string"});
  rejects(npyFile(dict("(2,)", "'<f4'", "True"), two), {"Fortran-order"});
  rejects(npyFile(dict("(2,)", "'<f4'", "false"), two), {"not True or False"});
  rejects(npyFile(dict("(2, -1)"), two), {"not a tuple of non-negative integers"});
  rejects(npyFile(dict("(2 2)"), two), {"expected ',' or ')'"});
  rejects(npyFile(dict("[2]"), two), {"expected '('"});
  rejects(npyFile(dict("(1, 1, 1, 1, 1, 1, 1, 1, 2)"), two), {"more than 8 dimensions"});
  rejects(npyFile(dict("(99999999999999999999,)"), two), {"dimension is larger"});
  // The product of the dimensions must not overflow into a small number.
  rejects(npyFile(dict("(4294967296, 4294967296, 0)"), ""), {"too large"});
  rejects(npyFile(dict("(65536, 65536, 2)"), two), {"too large"});
  rejects(npyFile("{'descr': '<f4', 'shape': (2,)}", two), {"no 'fortran_order'"});
  rejects(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", two),
          {"unexpected key 'x'"});
  rejects(npyFile("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", two),
          {"'descr' appears twice"});
  rejects(npyFile("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", two),
          {"expected ',' or '}'"});
  rejects(npyFile("{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}", two),
          {"malformed .npy header"});
  rejects(npyFile(dict("(2,)") + " junk", two), {"unexpected text after the header dict"});
  rejects(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", two),
          {"malformed .npy header"});
}
