#include "runtime/Npy.h"

#include "runtime/Error.h"
#include "runtime/FileIO.h"

#include <cstring>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the runtime assumes a little-endian host");

namespace gnc::rt {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMaxDims = 8;

enum class DType { F4, F8, U1, I1, Bool, I2, I4, I8 };

struct HeaderDict {
  std::string descr;
  bool fortranOrder = false;
  std::vector<uint64_t> shape;
};

// A recursive-descent parser of the header's Python dict literal, as numpy writes it (and
// numpy's own reader accepts): {'descr': STR, 'fortran_order': BOOL, 'shape': TUPLE} in any
// order, an optional trailing comma, whitespace anywhere between tokens.
class HeaderParser {
public:
  HeaderParser(const std::string &text, const std::string &what) : s(text), what(what) {}

  HeaderDict parse() {
    HeaderDict h;
    bool seenDescr = false, seenOrder = false, seenShape = false;
    expect('{');
    while (true) {
      space();
      if (peek() == '}')
        break;
      std::string key = string("a key");
      space();
      expect(':');
      space();
      if (key == "descr" && !seenDescr) {
        h.descr = string("the 'descr' value");
        seenDescr = true;
      } else if (key == "fortran_order" && !seenOrder) {
        h.fortranOrder = boolean();
        seenOrder = true;
      } else if (key == "shape" && !seenShape) {
        h.shape = tuple();
        seenShape = true;
      } else {
        fail(key == "descr" || key == "fortran_order" || key == "shape"
                 ? "key '" + key + "' appears twice"
                 : "unexpected key '" + clip(key) + "'");
      }
      space();
      if (peek() == ',') {
        ++i;
        continue;
      }
      if (peek() != '}')
        fail("expected ',' or '}' after the value of '" + key + "'");
    }
    ++i;
    // numpy pads the dict with spaces and ends it with a newline.
    for (; i < s.size(); ++i)
      if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' && s[i] != '\0')
        fail("unexpected text after the header dict");
    if (!seenDescr || !seenOrder || !seenShape)
      fail(std::string("the header has no '") +
           (!seenDescr ? "descr" : !seenOrder ? "fortran_order" : "shape") + "'");
    return h;
  }

private:
  [[noreturn]] void fail(const std::string &problem) {
    throw Error(what + ": malformed .npy header: " + problem);
  }
  static std::string clip(const std::string &t) { return t.size() > 40 ? t.substr(0, 37) + "..." : t; }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  void space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
      ++i;
  }
  void expect(char c) {
    if (peek() != c)
      fail(std::string("expected '") + c + "'");
    ++i;
  }
  std::string string(const char *role) {
    char q = peek();
    if (q != '\'' && q != '"')
      fail(std::string("expected a quoted string as ") + role);
    size_t end = s.find(q, i + 1);
    if (end == std::string::npos)
      fail("unterminated string");
    std::string v = s.substr(i + 1, end - i - 1);
    if (v.find('\\') != std::string::npos)
      fail("escapes in strings are not supported");
    i = end + 1;
    return v;
  }
  bool boolean() {
    if (s.compare(i, 4, "True") == 0) {
      i += 4;
      return true;
    }
    if (s.compare(i, 5, "False") == 0) {
      i += 5;
      return false;
    }
    fail("'fortran_order' is not True or False");
  }
  std::vector<uint64_t> tuple() {
    expect('(');
    std::vector<uint64_t> shape;
    bool needComma = false;
    while (true) {
      space();
      if (peek() == ')')
        break;
      if (needComma)
        fail("expected ',' or ')' in the shape");
      if (peek() < '0' || peek() > '9')
        fail("the shape is not a tuple of non-negative integers");
      uint64_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        d = d * 10 + (uint64_t)(s[i++] - '0');
        if (d > kMaxNpyElements)
          fail("a dimension is larger than " + std::to_string(kMaxNpyElements));
      }
      if (peek() == 'L') // Python 2's long literals
        ++i;
      shape.push_back(d);
      if (shape.size() > kMaxDims)
        fail("more than " + std::to_string(kMaxDims) + " dimensions");
      space();
      if (peek() == ',')
        ++i;
      else
        needComma = true;
    }
    ++i;
    // (N) is an integer in Python, not a tuple; numpy never writes it, but it is unambiguous.
    return shape;
  }

  const std::string &s;
  const std::string &what;
  size_t i = 0;
};

DType dtypeOf(const std::string &descr, size_t &elemSize, const std::string &what) {
  struct Known {
    const char *name;
    DType type;
    size_t size;
  };
  static const Known known[] = {{"<f4", DType::F4, 4}, {"<f8", DType::F8, 8},
                                {"|u1", DType::U1, 1}, {"<u1", DType::U1, 1},
                                {"|i1", DType::I1, 1}, {"<i1", DType::I1, 1},
                                {"|b1", DType::Bool, 1}, {"<i2", DType::I2, 2},
                                {"<i4", DType::I4, 4}, {"<i8", DType::I8, 8}};
  for (const Known &k : known)
    if (descr == k.name) {
      elemSize = k.size;
      return k.type;
    }
  std::string d = descr.size() > 20 ? descr.substr(0, 17) + "..." : descr;
  if (!descr.empty() && descr[0] == '>')
    throw Error(what + ": big-endian .npy data ('" + d + "') is not supported (save it "
                "little-endian, e.g. arr.astype('<f4'))");
  throw Error(what + ": unsupported .npy dtype '" + d +
              "' (float32, float64, uint8, int8, bool, int16, int32, int64 only)");
}

std::vector<uint8_t> header(const std::vector<uint64_t> &shape, const char *descr) {
  // A Python tuple: (), (N,) or (N, D, ...).
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i)
    dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1)
    dims += ",";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" +
                     dims + "), }";
  // magic (6) + version (2) + length (2) + dict + '\n', padded to a multiple of 64 bytes.
  size_t total = 10 + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  std::vector<uint8_t> out(kMagic, kMagic + 6);
  out.push_back(1);
  out.push_back(0);
  out.push_back((uint8_t)(dict.size() & 0xFF));
  out.push_back((uint8_t)(dict.size() >> 8));
  out.insert(out.end(), dict.begin(), dict.end());
  return out;
}

uint64_t product(const std::vector<uint64_t> &shape) {
  uint64_t n = 1;
  for (uint64_t d : shape)
    n *= d;
  return n;
}

template <typename T> float load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return (float)v;
}

} // namespace

uint64_t NpyArray::rowElements() const {
  uint64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i)
    n *= shape[i];
  return n;
}

NpyArray parseNpy(const uint8_t *bytes, size_t size, const std::string &what) {
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0)
    throw Error(what + ": not an .npy file (no \\x93NUMPY magic)");
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = bytes[8] | (size_t)bytes[9] << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      throw Error(what + ": truncated .npy header");
    headerLen = bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 | (size_t)bytes[11] << 24;
    offset = 12;
  } else {
    throw Error(what + ": unsupported .npy version " + std::to_string(major) + "." +
                std::to_string(bytes[7]));
  }
  if (size - offset < headerLen)
    throw Error(what + ": truncated .npy header (" + std::to_string(headerLen) +
                " bytes announced, " + std::to_string(size - offset) + " in the file)");
  std::string text(reinterpret_cast<const char *>(bytes) + offset, headerLen);
  HeaderDict h = HeaderParser(text, what).parse();
  if (h.fortranOrder)
    throw Error(what + ": Fortran-order .npy arrays are not supported (save with C order)");
  size_t elemSize = 0;
  DType type = dtypeOf(h.descr, elemSize, what);

  NpyArray a;
  a.dtype = h.descr;
  a.shape = h.shape;
  // Bound the product of the non-zero dimensions, so that no partial product can overflow.
  uint64_t nonZero = 1;
  for (uint64_t d : a.shape)
    if (d && (d > kMaxNpyElements / nonZero || (nonZero *= d) > kMaxNpyElements))
      throw Error(what + ": .npy array too large (more than " + std::to_string(kMaxNpyElements) +
                  " elements)");
  uint64_t n = product(a.shape);
  const uint8_t *p = bytes + offset + headerLen;
  uint64_t have = size - offset - headerLen;
  if (have != n * elemSize)
    throw Error(what + ": .npy data holds " + std::to_string(have) + " bytes, its shape needs " +
                std::to_string(n * elemSize) + (have < n * elemSize ? " (truncated file)" : ""));
  a.data.resize(n);
  float *out = a.data.data();
  switch (type) {
  case DType::F4:
    if (n) // an empty vector's data() may be null
      std::memcpy(out, p, n * 4);
    break;
  case DType::F8:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = load<double>(p + 8 * i);
    break;
  case DType::U1:
  case DType::Bool:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = (float)p[i];
    break;
  case DType::I1:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = load<int8_t>(p + i);
    break;
  case DType::I2:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = load<int16_t>(p + 2 * i);
    break;
  case DType::I4:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = load<int32_t>(p + 4 * i);
    break;
  case DType::I8:
    for (uint64_t i = 0; i < n; ++i)
      out[i] = load<int64_t>(p + 8 * i);
    break;
  }
  return a;
}

NpyArray parseNpy(const std::vector<uint8_t> &bytes, const std::string &what) {
  return parseNpy(bytes.data(), bytes.size(), what);
}

NpyArray loadNpy(const std::string &path) {
  std::vector<uint8_t> bytes = readFile(path, 64 + 2 * 65536 + kMaxNpyElements * 8);
  return parseNpy(bytes, path);
}

std::vector<uint8_t> npyBytes(const std::vector<uint64_t> &shape, const float *data) {
  std::vector<uint8_t> out = header(shape, "<f4");
  size_t n = product(shape);
  out.resize(out.size() + n * 4);
  if (n)
    std::memcpy(out.data() + out.size() - n * 4, data, n * 4);
  return out;
}

std::vector<uint8_t> npyBytes(const std::vector<uint64_t> &shape, const uint8_t *data) {
  std::vector<uint8_t> out = header(shape, "|u1");
  size_t n = product(shape);
  if (n)
    out.insert(out.end(), data, data + n);
  return out;
}

void writeNpy(const std::string &path, const std::vector<uint64_t> &shape, const float *data) {
  std::vector<uint8_t> bytes = npyBytes(shape, data);
  writeFileAtomic(path, bytes.data(), bytes.size());
}

void writeNpy(const std::string &path, const std::vector<uint64_t> &shape, const uint8_t *data) {
  std::vector<uint8_t> bytes = npyBytes(shape, data);
  writeFileAtomic(path, bytes.data(), bytes.size());
}

} // namespace gnc::rt
