// The MNIST IDX loader on good, bad and truncated files.
#include "runtime/Idx.h"

#include "TestUtil.h"

using namespace gnc::rt;
using namespace gnc::rt::test;

namespace {

std::string be32(uint32_t v) {
  return {(char)(v >> 24), (char)(v >> 16 & 0xFF), (char)(v >> 8 & 0xFF), (char)(v & 0xFF)};
}

std::string images(uint32_t count, uint32_t rows, uint32_t cols, uint32_t magic = 0x803) {
  std::string s = be32(magic) + be32(count) + be32(rows) + be32(cols);
  for (uint32_t i = 0; i < count * rows * cols; ++i)
    s.push_back((char)(i * 7 % 256));
  return s;
}

} // namespace

TEST(Idx, LoadsImages) {
  TempDir t;
  writeBytes(t.path("img"), images(3, 28, 28));
  ImageSet s = loadIdxImages(t.path("img"), 28, 28);
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.rows, 28u);
  EXPECT_EQ(s.cols, 28u);
  ASSERT_EQ(s.pixels.size(), 3u * 784);
  EXPECT_EQ(s.image(2)[5], (uint8_t)((2 * 784 + 5) * 7 % 256));
}

TEST(Idx, LoadsLabels) {
  TempDir t;
  writeBytes(t.path("lab"), be32(0x801) + be32(4) + std::string("\x01\x02\x03\x09", 4));
  EXPECT_EQ(loadIdxLabels(t.path("lab")), (std::vector<uint8_t>{1, 2, 3, 9}));
}

TEST(Idx, MissingFile) {
  TempDir t;
  expectError([&] { loadIdxImages(t.path("nope"), 28, 28); },
              {t.path("nope"), "cannot open", "No such file"});
}

TEST(Idx, BadMagic) {
  TempDir t;
  writeBytes(t.path("img"), images(1, 28, 28, 0x12345678));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); },
              {t.path("img"), "bad magic number 0x12345678", "not an IDX file", "0x00000803"});
}

TEST(Idx, LabelsWhereImagesBelong) {
  TempDir t;
  writeBytes(t.path("lab"), be32(0x801) + be32(4) + std::string(4, '\0'));
  expectError([&] { loadIdxImages(t.path("lab"), 28, 28); },
              {"bad magic number 0x00000801", "wrong number of dimensions"});
}

TEST(Idx, NotUnsignedBytes) {
  TempDir t;
  writeBytes(t.path("img"), images(1, 28, 28, 0x0D03));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); }, {"not unsigned byte"});
}

TEST(Idx, TruncatedHeader) {
  TempDir t;
  writeBytes(t.path("img"), images(1, 28, 28).substr(0, 10));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); }, {"truncated IDX header"});
  writeBytes(t.path("img"), "\0\0");
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); }, {"truncated IDX file"});
}

TEST(Idx, TruncatedData) {
  TempDir t;
  std::string s = images(5, 28, 28);
  writeBytes(t.path("img"), s.substr(0, s.size() - 1));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); },
              {t.path("img"), "truncated", "5x28x28 = 3920 bytes", "the file has 3919"});
}

TEST(Idx, LyingDimensions) {
  TempDir t;
  writeBytes(t.path("img"), be32(0x803) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); }, {"truncated", "too many"});
}

TEST(Idx, TrailingBytes) {
  TempDir t;
  writeBytes(t.path("img"), images(2, 28, 28) + "xyz");
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); }, {"3 unexpected bytes"});
}

TEST(Idx, ZeroDimension) {
  TempDir t;
  writeBytes(t.path("img"), images(0, 28, 28));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); }, {"dimension 0 is zero"});
}

TEST(Idx, WrongImageSize) {
  TempDir t;
  writeBytes(t.path("img"), images(2, 32, 32));
  expectError([&] { loadIdxImages(t.path("img"), 28, 28); },
              {"images are 32x32, the model needs 28x28"});
}

TEST(Idx, DirectoryInsteadOfFile) {
  TempDir t;
  expectError([&] { loadIdxImages(t.dir, 28, 28); }, {"is a directory"});
}
