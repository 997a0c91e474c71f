#include "runtime/SafeTensors.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

namespace gnc::rt {

using json = nlohmann::json;

size_t safeTensorsDTypeSize(const std::string &dtype) {
  static const std::map<std::string, size_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2},
      {"U16", 2},  {"F16", 2}, {"BF16", 2}, {"I32", 4},    {"U32", 4},     {"F32", 4},
      {"I64", 8},  {"U64", 8}, {"F64", 8}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

std::string shapeString(const std::vector<uint64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

const SafeTensorInfo *SafeTensorsView::find(const std::string &name) const {
  for (const SafeTensorInfo &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

namespace {

std::string offsetsString(const SafeTensorInfo &t) {
  return "[" + std::to_string(t.begin) + "," + std::to_string(t.end) + "]";
}

// Quotes a name from an untrusted header for an error message: at most 80 characters.
std::string q(const std::string &s) {
  return "'" + (s.size() > 80 ? s.substr(0, 77) + "..." : s) + "'";
}

bool isUnsigned(const json &v) { return v.is_number_unsigned(); }

} // namespace

SafeTensorsView parseSafeTensors(const uint8_t *bytes, size_t size, const std::string &what) {
  auto fail = [&](const std::string &problem) { throw Error(what + ": " + problem); };
  if (size < 8)
    fail("truncated: " + std::to_string(size) +
         " bytes, not even the 8-byte header length of a safetensors file");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = n << 8 | bytes[i];
  if (n > size - 8)
    fail("header length " + std::to_string(n) + " exceeds the file size (" +
         std::to_string(size) + " bytes): truncated or not a safetensors file");
  if (n > kMaxSafeTensorsHeader)
    fail("header length " + std::to_string(n) + " exceeds the limit of " +
         std::to_string(kMaxSafeTensorsHeader) + " bytes");
  if (n < 2 || bytes[8] != '{')
    fail("the header is not a JSON object");

  // Duplicate keys are lies too (which value counts?): reject them while parsing.
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json &parsed) {
    if (event == json::parse_event_t::object_start)
      keys.emplace_back();
    else if (event == json::parse_event_t::object_end && !keys.empty())
      keys.pop_back();
    else if (event == json::parse_event_t::key && !keys.empty() && parsed.is_string() &&
             !keys.back().insert(parsed.get<std::string>()).second && duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  const char *h = reinterpret_cast<const char *>(bytes + 8);
  json header;
  try {
    header = json::parse(h, h + n, cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const json::exception &e) {
    // nlohmann's messages are one line: "[json.exception.parse_error.101] parse error at ..."
    std::string msg = e.what();
    size_t bracket = msg.find("] ");
    fail("the header is not valid JSON: " +
         (bracket == std::string::npos ? msg : msg.substr(bracket + 2)));
  }
  if (!duplicate.empty())
    fail("the header has a duplicate key " + q(duplicate));
  if (!header.is_object())
    fail("the header is not a JSON object");

  SafeTensorsView view;
  view.data = bytes + 8 + n;
  view.dataSize = size - 8 - n;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &name = it.key();
    const json &v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object())
        fail("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          fail("__metadata__ value of " + q(m.key()) + " is not a string");
        view.metadata[m.key()] = m.value().get<std::string>();
      }
      view.hasMetadata = true;
      continue;
    }
    std::string tw = "tensor " + q(name);
    if (name.empty())
      fail("a tensor has an empty name");
    if (!v.is_object())
      fail(tw + " is not described by an object");
    for (auto f = v.begin(); f != v.end(); ++f)
      if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
        fail(tw + " has an unknown field " + q(f.key()));
    SafeTensorInfo t;
    t.name = name;
    auto dtype = v.find("dtype");
    if (dtype == v.end() || !dtype->is_string())
      fail(tw + " has no dtype string");
    t.dtype = dtype->get<std::string>();
    size_t elemSize = safeTensorsDTypeSize(t.dtype);
    if (!elemSize)
      fail(tw + " has an unknown dtype " + q(t.dtype));
    auto shape = v.find("shape");
    if (shape == v.end() || !shape->is_array())
      fail(tw + " has no shape array");
    uint64_t bytesNeeded = elemSize;
    bool overflow = false;
    for (const json &d : *shape) {
      if (!isUnsigned(d))
        fail(tw + " has a shape entry that is not a non-negative integer");
      uint64_t dim = d.get<uint64_t>();
      t.shape.push_back(dim);
      if (dim != 0 && bytesNeeded > UINT64_MAX / dim)
        overflow = true;
      else
        bytesNeeded *= dim;
    }
    auto offsets = v.find("data_offsets");
    if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2 ||
        !isUnsigned((*offsets)[0]) || !isUnsigned((*offsets)[1]))
      fail(tw + " has no data_offsets [BEGIN, END] of non-negative integers");
    t.begin = (*offsets)[0].get<uint64_t>();
    t.end = (*offsets)[1].get<uint64_t>();
    if (t.begin > t.end)
      fail(tw + " has data_offsets " + offsetsString(t) + " that end before they begin");
    if (overflow || t.end - t.begin != bytesNeeded)
      fail(tw + " has data_offsets " + offsetsString(t) + " holding " +
           std::to_string(t.end - t.begin) + " bytes, but " + t.dtype + " " +
           shapeString(t.shape) + " needs " + (overflow ? "more than 2^64" : std::to_string(bytesNeeded)));
    if (t.end > view.dataSize)
      fail(tw + " has data_offsets " + offsetsString(t) + " past the end of the data region (" +
           std::to_string(view.dataSize) + " bytes): truncated file or lying header");
    view.tensors.push_back(std::move(t));
  }

  std::sort(view.tensors.begin(), view.tensors.end(),
            [](const SafeTensorInfo &a, const SafeTensorInfo &b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  uint64_t covered = 0;
  for (size_t i = 0; i < view.tensors.size(); ++i) {
    const SafeTensorInfo &t = view.tensors[i];
    if (i > 0 && t.begin < view.tensors[i - 1].end)
      fail("tensors " + q(view.tensors[i - 1].name) + " " + offsetsString(view.tensors[i - 1]) +
           " and " + q(t.name) + " " + offsetsString(t) + " overlap");
    if (t.begin > covered)
      fail("bytes [" + std::to_string(covered) + "," + std::to_string(t.begin) +
           ") of the data region belong to no tensor");
    covered = std::max(covered, t.end);
  }
  if (covered != view.dataSize)
    fail(std::to_string(view.dataSize - covered) +
         " bytes after the last tensor's data that the header does not describe");
  return view;
}

std::string encodeSafeTensors(const std::map<std::string, std::string> &metadata,
                              const std::vector<SafeTensorOut> &tensors) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto &[k, v] : metadata)
      meta[k] = v;
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  std::vector<uint64_t> sizes;
  for (const SafeTensorOut &t : tensors) {
    uint64_t bytes = safeTensorsDTypeSize(t.dtype);
    if (!bytes)
      throw Error("internal error: cannot encode dtype '" + t.dtype + "'", ExitInternal);
    for (uint64_t d : t.shape)
      bytes *= d;
    nlohmann::ordered_json desc = nlohmann::ordered_json::object();
    desc["dtype"] = t.dtype;
    desc["shape"] = t.shape;
    desc["data_offsets"] = {offset, offset + bytes};
    header[t.name] = std::move(desc);
    offset += bytes;
    sizes.push_back(bytes);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + text.size() + offset);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i)
    out.push_back((char)(n >> (8 * i) & 0xFF));
  out += text;
  for (size_t i = 0; i < tensors.size(); ++i)
    out.append(static_cast<const char *>(tensors[i].data), sizes[i]);
  return out;
}

} // namespace gnc::rt
