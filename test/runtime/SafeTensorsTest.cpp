// safetensors and checkpoints: round trip, and every class of corrupt or lying header rejected
// with its one-line reason.
#include "runtime/Checkpoint.h"
#include "runtime/Digest.h"
#include "runtime/SafeTensors.h"

#include "TestUtil.h"

#include <nlohmann/json.hpp>

using namespace gnc::rt;
using namespace gnc::rt::test;
using json = nlohmann::ordered_json;

namespace {

StateBuffers tinyState(const ModelInfo &m, float base) {
  StateBuffers s;
  for (size_t t = 0; t < m.state.size(); ++t) {
    s.emplace_back(m.state[t].bytes());
    for (size_t i = 0; i < m.state[t].elements(); ++i)
      s.back().f32()[i] = base + (float)(10 * t + i) * 0.25f;
  }
  return s;
}

CheckpointMeta tinyMeta() {
  CheckpointMeta meta;
  meta.step = 7;
  meta.epoch = 1;
  meta.seed = 0xFEEDFACECAFEBEEFull;
  meta.trainImages = 20;
  meta.lossNames = {"loss"};
  meta.lossSums = {0.1 + 0.2}; // not a short decimal: must survive exactly
  meta.lossCount = 2;
  meta.excludedLabels = {0, 7};
  meta.historyFirst = 5; // steps 5 and 6
  meta.lossHistory = {0.1f, 1e-30f};
  return meta;
}

std::string goodFile() {
  ModelInfo m = tinyModel();
  return encodeCheckpoint(m, tinyState(m, 1.0f), tinyMeta());
}

// A file from a header (JSON text, padded) and a data region.
std::string raw(const std::string &header, const std::string &data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out.push_back((char)(n >> (8 * i) & 0xFF));
  return out + header + data;
}

// Splits a file into its header JSON and data region.
std::pair<json, std::string> split(const std::string &file) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = n << 8 | (uint8_t)file[i];
  return {json::parse(file.substr(8, n)), file.substr(8 + n)};
}

std::string mutate(const std::function<void(json &, std::string &)> &fn) {
  auto [header, data] = split(goodFile());
  fn(header, data);
  return raw(header.dump(), data);
}

// The metadata digest recomputed after an edit (what Checkpoint.cpp covers: every entry but
// itself and the loss history), so that the edit is judged by the checks behind it.
void redigestMetadata(json &h) {
  std::map<std::string, std::string> md;
  for (auto &[k, v] : h["__metadata__"].items())
    if (k != "digest:__metadata__" && k != "loss_history")
      md[k] = v.get<std::string>();
  h["__metadata__"]["digest:__metadata__"] = digestOfEntries(md);
}

// Decodes bytes as a checkpoint of the tiny model; expects an Error with the needles.
void rejects(const std::string &bytes, const std::vector<std::string> &needles) {
  ModelInfo m = tinyModel();
  StateBuffers state = tinyState(m, 0.0f);
  std::vector<std::string> all = needles;
  all.insert(all.begin(), "ckpt.safetensors: ");
  expectError(
      [&] {
        decodeCheckpoint(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(),
                         "ckpt.safetensors", m, &state);
      },
      all);
  // A rejected checkpoint leaves the state alone.
  StateBuffers untouched = tinyState(m, 0.0f);
  for (size_t t = 0; t < state.size(); ++t)
    EXPECT_EQ(std::memcmp(state[t].data(), untouched[t].data(), state[t].bytes()), 0);
}

} // namespace

TEST(SafeTensors, RoundTrip) {
  TempDir t;
  ModelInfo m = tinyModel();
  StateBuffers saved = tinyState(m, 1.0f);
  saveCheckpoint(t.path("c.safetensors"), m, saved, tinyMeta());
  StateBuffers loaded = tinyState(m, 0.0f);
  CheckpointMeta meta = loadCheckpoint(t.path("c.safetensors"), m, loaded);
  for (size_t i = 0; i < saved.size(); ++i)
    EXPECT_EQ(std::memcmp(saved[i].data(), loaded[i].data(), saved[i].bytes()), 0) << i;
  EXPECT_EQ(meta.step, 7u);
  EXPECT_EQ(meta.epoch, 1u);
  EXPECT_EQ(meta.seed, 0xFEEDFACECAFEBEEFull);
  EXPECT_EQ(meta.trainImages, 20u);
  EXPECT_EQ(meta.lossNames, std::vector<std::string>{"loss"});
  ASSERT_EQ(meta.lossSums.size(), 1u);
  EXPECT_EQ(meta.lossSums[0], 0.1 + 0.2); // bit for bit
  EXPECT_EQ(meta.lossCount, 2u);
  EXPECT_EQ(meta.excludedLabels, (std::vector<int>{0, 7}));
  EXPECT_EQ(meta.historyFirst, 5u);
  EXPECT_EQ(meta.lossHistory, (std::vector<float>{0.1f, 1e-30f})); // bit for bit
}

// Drops what format gnc-2 added: the digests.
void makeGnc1(json &h) {
  h["__metadata__"]["format"] = "gnc-1";
  for (auto it = h["__metadata__"].begin(); it != h["__metadata__"].end();)
    it = it.key().rfind("digest:", 0) == 0 ? h["__metadata__"].erase(it) : std::next(it);
}

TEST(SafeTensors, OlderCheckpointsWithoutHistory) {
  // Checkpoints written before the loss history and --exclude-label (format gnc-1) load with an
  // empty history that starts at their step, and no excluded labels.
  ModelInfo m = tinyModel();
  std::string f = mutate([](json &h, std::string &) {
    makeGnc1(h);
    h["__metadata__"].erase("loss_history");
    h["__metadata__"].erase("loss_history_first");
    h["__metadata__"].erase("excluded_labels");
  });
  CheckpointMeta meta = decodeCheckpoint(reinterpret_cast<const uint8_t *>(f.data()), f.size(),
                                         "old", m, nullptr);
  EXPECT_EQ(meta.historyFirst, 7u);
  EXPECT_TRUE(meta.lossHistory.empty());
  EXPECT_TRUE(meta.excludedLabels.empty());
}

TEST(SafeTensors, FileLayout) {
  std::string f = goodFile();
  auto [header, data] = split(f);
  uint64_t n = f.size() - 8 - data.size();
  EXPECT_EQ(n % 8, 0u) << "header padded to 8 bytes";
  EXPECT_EQ(header["__metadata__"]["format"], "gnc-2");
  EXPECT_EQ(header["__metadata__"]["digest:a"], digestOf(data.data(), 24));
  EXPECT_EQ(header["__metadata__"]["model_hash"], "0123456789abcdef");
  EXPECT_EQ(header["__metadata__"]["step"], "7");
  EXPECT_EQ(header["b"]["shape"], json::array());
  EXPECT_EQ(header["b"]["dtype"], "F32");
  EXPECT_EQ(data.size(), (6 + 1 + 4) * 4u);
  // The generic parser sees the same thing.
  SafeTensorsView v = parseSafeTensors(reinterpret_cast<const uint8_t *>(f.data()), f.size(), "f");
  ASSERT_EQ(v.tensors.size(), 3u);
  EXPECT_EQ(v.tensors[0].name, "a");
  EXPECT_EQ(v.tensors[1].begin, 24u);
  EXPECT_EQ(v.metadata.at("model"), "tiny");
}

TEST(SafeTensors, EmptyFileIsTruncated) {
  rejects("", {"truncated", "8-byte header length"});
  rejects("\x10\0\0", {"truncated"});
}

TEST(SafeTensors, TruncatedData) {
  std::string f = goodFile();
  rejects(f.substr(0, f.size() - 4), {"tensor 'c'", "past the end of the data region"});
}

TEST(SafeTensors, TruncatedHeader) {
  std::string f = goodFile();
  rejects(f.substr(0, 40), {"header length", "exceeds the file size (40 bytes)"});
}

TEST(SafeTensors, HeaderLengthTooLarge) {
  std::string f = goodFile();
  f[7] = '\x7f';
  rejects(f, {"header length", "exceeds the file size"});
}

TEST(SafeTensors, HeaderLengthTooSmall) {
  std::string f = goodFile();
  f[0] = 10;
  f[1] = 0;
  rejects(f, {"the header is not valid JSON"});
}

TEST(SafeTensors, HeaderOverLimit) {
  std::string f = raw("{}", "");
  uint64_t n = kMaxSafeTensorsHeader + 1;
  for (int i = 0; i < 8; ++i)
    f[i] = (char)(n >> (8 * i) & 0xFF);
  f.resize(8 + n, ' ');
  rejects(f, {"exceeds the limit"});
}

TEST(SafeTensors, NotJson) {
  rejects(raw("{\"a\": nope}     ", ""), {"the header is not valid JSON", "parse error"});
  rejects(raw("[1,2,3] ", ""), {"the header is not a JSON object"});
  rejects(raw("{} trailing", ""), {"the header is not valid JSON"});
}

TEST(SafeTensors, DuplicateKey) {
  rejects(raw(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
              R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
              std::string(8, '\0')),
          {"duplicate key 'a'"});
}

TEST(SafeTensors, OffsetsOutOfRange) {
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {1000, 1016}; }),
          {"tensor 'c'", "data_offsets [1000,1016]", "past the end of the data region (44 bytes)"});
}

TEST(SafeTensors, OffsetsOverlap) {
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {20, 36}; }),
          {"tensors 'a' [0,24] and 'c' [20,36] overlap"});
}

TEST(SafeTensors, OffsetsBackwards) {
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {44, 28}; }),
          {"tensor 'c'", "end before they begin"});
}

TEST(SafeTensors, OffsetsSizeLies) {
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {28, 40}; }),
          {"tensor 'c'", "holding 12 bytes, but F32 [4] needs 16"});
}

TEST(SafeTensors, OffsetsNotIntegers) {
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {-4, 12}; }),
          {"tensor 'c'", "no data_offsets"});
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {28}; }),
          {"tensor 'c'", "no data_offsets"});
  rejects(mutate([](json &h, std::string &) { h["c"]["data_offsets"] = {28.0, 44.0}; }),
          {"tensor 'c'", "no data_offsets"});
}

TEST(SafeTensors, Hole) {
  rejects(mutate([](json &h, std::string &d) {
            h["c"]["data_offsets"] = {32, 48};
            d.insert(28, 4, '\0');
          }),
          {"bytes [28,32) of the data region belong to no tensor"});
}

TEST(SafeTensors, TrailingBytes) {
  rejects(goodFile() + "junk", {"4 bytes after the last tensor's data"});
}

TEST(SafeTensors, UnknownDType) {
  rejects(mutate([](json &h, std::string &) { h["c"]["dtype"] = "F33"; }),
          {"tensor 'c' has an unknown dtype 'F33'"});
}

TEST(SafeTensors, WrongDType) {
  // A consistent F16 tensor (8 bytes for [4]) where the model wants F32.
  rejects(mutate([](json &h, std::string &d) {
            h["c"]["dtype"] = "F16";
            h["c"]["data_offsets"] = {28, 36};
            d.resize(36);
          }),
          {"tensor 'c' has dtype F16, expected F32"});
}

TEST(SafeTensors, WrongShape) {
  rejects(mutate([](json &h, std::string &) { h["a"]["shape"] = {3, 2}; }),
          {"tensor 'a' has shape [3,2], the model's is [2,3]"});
  rejects(mutate([](json &h, std::string &) { h["b"]["shape"] = {1}; }),
          {"tensor 'b' has shape [1], the model's is []"});
}

TEST(SafeTensors, ShapeOverflowAndNegative) {
  rejects(mutate([](json &h, std::string &) {
            h["c"]["shape"] = {1ULL << 40, 1ULL << 40};
          }),
          {"tensor 'c'", "needs more than 2^64"});
  rejects(mutate([](json &h, std::string &) { h["c"]["shape"] = {-4}; }),
          {"tensor 'c'", "not a non-negative integer"});
}

TEST(SafeTensors, UnknownField) {
  rejects(mutate([](json &h, std::string &) { h["c"]["sneaky"] = 1; }),
          {"tensor 'c' has an unknown field 'sneaky'"});
}

TEST(SafeTensors, MissingTensor) {
  rejects(mutate([](json &h, std::string &d) {
            h.erase("c");
            d.resize(28);
          }),
          {"missing tensor 'c'"});
}

TEST(SafeTensors, UnexpectedTensor) {
  rejects(mutate([](json &h, std::string &d) {
            h["extra"] = {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {44, 48}}};
            d.append(4, '\0');
          }),
          {"unexpected tensor 'extra'", "model 'tiny'"});
}

TEST(SafeTensors, OtherModelHash) {
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["model_hash"] = "ffffffffffffffff"; }),
          {"another version of model 'tiny'", "ffffffffffffffff", "0123456789abcdef"});
}

TEST(SafeTensors, OtherModel) {
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["model"] = "dcgan"; }),
          {"checkpoint of model 'dcgan', not of this program's model 'tiny'"});
}

TEST(SafeTensors, BadMetadata) {
  rejects(mutate([](json &h, std::string &) { h.erase("__metadata__"); }),
          {"not a gnc checkpoint (no __metadata__)"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["step"] = 7; }),
          {"__metadata__ value of 'step' is not a string"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["step"] = "-7"; }),
          {"metadata \"step\" is not a non-negative integer"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["step"] = "99999999999999999999999"; }),
          {"metadata \"step\" is not a non-negative integer"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"].erase("seed"); }),
          {"no \"seed\" in __metadata__"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["format"] = "gnc-0"; }),
          {"format 'gnc-0' is not gnc-2 (or the older gnc-1)"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["loss_sums"] = "1.5,x"; }),
          {"\"loss_sums\" is not a list of numbers"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["batch"] = "5"; }),
          {"checkpoint batch 5 differs from the model's 4"});
  auto setMeta = [](const char *key, const char *value) {
    return mutate([&](json &h, std::string &) { h["__metadata__"][key] = value; });
  };
  rejects(setMeta("excluded_labels", "0,x"), {"\"excluded_labels\"", "'x' is not a digit 0-9"});
  rejects(setMeta("excluded_labels", "7,0"), {"\"excluded_labels\"", "ascending"});
  rejects(setMeta("loss_history", "AAAA*AAA"), {"\"loss_history\" is not base64"});
  rejects(setMeta("loss_history", "AAA"), {"\"loss_history\" is not base64"});
  rejects(setMeta("loss_history", "AAAAAAA="), {"not a whole number of steps of 1 losses"});
  rejects(setMeta("loss_history", "AAAAAA=="), {"holds 1 steps from step 5"});
  rejects(setMeta("loss_history_first", "6"),
          {"\"loss_history\" holds 2 steps from step 6, which does not end at step 7"});
  rejects(setMeta("loss_history_first", "9"), {"does not end at step 7"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"].erase("loss_history_first"); }),
          {"no \"loss_history_first\""});
}

TEST(SafeTensors, MissingFile) {
  TempDir t;
  ModelInfo m = tinyModel();
  StateBuffers s = tinyState(m, 0.0f);
  expectError([&] { loadCheckpoint(t.path("none.safetensors"), m, s); },
              {t.path("none.safetensors"), "cannot open"});
}

TEST(SafeTensors, ReferenceFormatScalarsAndEmpty) {
  // A file as the reference implementation writes it (no metadata, F16 and a 0-size tensor).
  std::string f = raw(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
                      R"("e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}})",
                      "abcd");
  SafeTensorsView v = parseSafeTensors(reinterpret_cast<const uint8_t *>(f.data()), f.size(), "f");
  EXPECT_FALSE(v.hasMetadata);
  ASSERT_EQ(v.tensors.size(), 2u);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(v.bytesOf(*v.find("h"))), 4), "abcd");
}

TEST(Digests, EveryBitOfEveryTensor) {
  // Any single bit flip in the data region is rejected, naming the tensor it falls in.
  auto [header, data] = split(goodFile());
  const std::pair<const char *, std::pair<int, int>> tensors[] = {
      {"a", {0, 24}}, {"b", {24, 28}}, {"c", {28, 44}}};
  for (const auto &[name, range] : tensors)
    for (int byte = range.first; byte < range.second; ++byte)
      for (int bit = 0; bit < 8; ++bit) {
        std::string d = data;
        d[byte] ^= (char)(1 << bit);
        rejects(raw(header.dump(), d),
                {std::string("tensor '") + name + "' does not match its digest (the file is corrupted)"});
      }
}

TEST(Digests, LossHistory) {
  // Other losses of the same length: every check but the digest passes.
  rejects(mutate([](json &h, std::string &) {
            ModelInfo m = tinyModel();
            CheckpointMeta meta = tinyMeta();
            meta.lossHistory = {0.1f, 2e-30f};
            json other = split(encodeCheckpoint(m, tinyState(m, 1.0f), meta)).first;
            h["__metadata__"]["loss_history"] = other["__metadata__"]["loss_history"];
          }),
          {"the loss history does not match its digest (the file is corrupted)"});
}

TEST(Digests, Metadata) {
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["seed"] = "12345"; }),
          {"the metadata does not match its digest (the file is corrupted)"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["note"] = "added"; }),
          {"the metadata does not match its digest"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"]["digest:a"] = "xxh64:0"; }),
          {"the metadata does not match its digest"});
}

TEST(Digests, MissingDigestIsAnError) {
  rejects(mutate([](json &h, std::string &) {
            h["__metadata__"].erase("digest:c");
            redigestMetadata(h);
          }),
          {"tensor 'c' has no digest (no \"digest:c\" in __metadata__)"});
  rejects(mutate([](json &h, std::string &) { h["__metadata__"].erase("digest:__metadata__"); }),
          {"the metadata has no digest"});
  rejects(mutate([](json &h, std::string &) {
            h["__metadata__"].erase("digest:__loss_history__");
            redigestMetadata(h);
          }),
          {"the loss history has no digest"});
  rejects(mutate([](json &h, std::string &) {
            h["__metadata__"].erase("loss_history");
            h["__metadata__"].erase("loss_history_first");
            redigestMetadata(h);
          }),
          {"no \"loss_history\" in __metadata__"});
}

TEST(Digests, OlderFormatLoadsUnchecked) {
  // Format gnc-1 predates the digests: accepted as it is (docs: runtime/README.md), and a
  // flipped bit goes unnoticed there, as it always did.
  ModelInfo m = tinyModel();
  std::string f = mutate([](json &h, std::string &d) {
    makeGnc1(h);
    d[0] ^= 1;
  });
  StateBuffers state = tinyState(m, 0.0f);
  decodeCheckpoint(reinterpret_cast<const uint8_t *>(f.data()), f.size(), "old", m, &state);
  EXPECT_NE(state[0].f32()[0], 0.0f);
}

TEST(Checkpoint, EpochAgainstStep) {
  // Every load checks it (not only --resume): 20 images in batches of 4 are 5 steps per epoch.
  rejects(mutate([](json &h, std::string &) {
            h["__metadata__"]["epoch"] = "2";
            redigestMetadata(h);
          }),
          {"metadata epoch 2 does not match step 7 (5 steps per epoch)"});
  rejects(mutate([](json &h, std::string &) {
            h["__metadata__"]["train_images"] = "3";
            redigestMetadata(h);
          }),
          {"metadata \"train_images\" 3 is fewer than one batch of 4"});
}
