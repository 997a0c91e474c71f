// apply/encode/manifold's pieces: entries' input shapes in the model info, .npy inputs checked
// against a procedure's input, batching with a padded last batch, the CSV, the normal quantile
// and the manifold's latent grid, the latent scatter plot.
#include "runtime/Apply.h"
#include "runtime/LatentScatter.h"
#include "runtime/Manifold.h"
#include "runtime/Plot.h"

#include "TestUtil.h"

#include <cmath>

using namespace gnc::rt;
using namespace gnc::rt::test;

namespace {

// A model with batch 4: 'enc' takes the images [4,28,28,1] -> [4,2], 'dec' takes [4,2] ->
// [4,28,28,1], 'gen' takes nothing, 'twice' takes [4,3] -> [4,3] and doubles its input (and adds
// the key's first word's parity, so that the call index shows).
void twice(void **b) {
  const float *in = static_cast<const float *>(b[0]);
  const int32_t *key = static_cast<const int32_t *>(b[1]);
  float *out = static_cast<float *>(b[2 + 3]);
  for (int i = 0; i < 12; ++i)
    out[i] = 2 * in[i] + (float)(key[0] & 1);
}

const char *applyModelJson() {
  return R"({"model":"ap","batch":4,"dataset":"mnist","input":"x","input_shape":[4,28,28,1],
    "model_hash":"00000000000000aa",
    "state":[{"name":"a","shape":[2,3],"trainable":true},
             {"name":"b","shape":[],"trainable":false},
             {"name":"c","shape":[4],"trainable":true}],
    "entries":[{"name":"init","kind":"init","symbol":"i"},
               {"name":"step","kind":"train","symbol":"s","losses":["loss"]},
               {"name":"enc","kind":"sample","symbol":"e","takes_input":true,"output_shape":[4,2]},
               {"name":"dec","kind":"sample","symbol":"d","takes_input":true,"input_shape":[4,2],
                "output_shape":[4,28,28,1]},
               {"name":"gen","kind":"sample","symbol":"g","output_shape":[4,28,28,1]},
               {"name":"twice","kind":"sample","symbol":"t","takes_input":true,
                "input_shape":[4,3],"output_shape":[4,3]},
               {"name":"flat","kind":"sample","symbol":"e","takes_input":true,
                "input_shape":[4,3],"output_shape":[12]}]})";
}

const GncEntry *applyEntries() {
  static const GncEntry table[] = {{"i", dummyEntry}, {"s", dummyEntry}, {"e", dummyEntry},
                                   {"d", dummyEntry}, {"g", dummyEntry}, {"t", twice},
                                   {nullptr, nullptr}};
  return table;
}

ModelInfo applyModel() { return parseModelInfo(applyModelJson(), applyEntries()); }

} // namespace

TEST(Apply, EntryInputShapes) {
  ModelInfo m = applyModel();
  EXPECT_EQ(m.sampleEntry("enc").inputShape, (Shape{4, 28, 28, 1})) << "default: the model's";
  EXPECT_EQ(m.sampleEntry("dec").inputShape, (Shape{4, 2}));
  EXPECT_TRUE(m.sampleEntry("gen").inputShape.empty());
  EXPECT_EQ(inputRowShape(m.sampleEntry("dec")), (Shape{2}));
  EXPECT_EQ(outputRowShape(m, m.sampleEntry("enc")), (Shape{2}));
  expectError([&] { inputRowShape(m.sampleEntry("gen")); }, {"procedure 'gen' takes no input"});
  expectError([&] { outputRowShape(m, m.sampleEntry("flat")); },
              {"procedure 'flat' outputs [12], which does not start with the batch 4"});
  expectError([&] { m.sampleEntry("nope"); },
              {"no sample procedure 'nope'", "it has: enc, dec, gen, twice, flat"});

  std::string good = applyModelJson();
  auto bad = [&](const std::string &from, const std::string &to, const std::string &needle) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    expectError([&] { parseModelInfo(s.c_str(), applyEntries()); }, {"gnc_model_info", needle},
                ExitInternal);
  };
  bad("\"input_shape\":[4,2]", "\"input_shape\":[5,2]", "does not start with the batch 4");
  bad("\"input_shape\":[4,2]", "\"input_shape\":\"x\"", "is not a shape");
  bad("\"symbol\":\"g\",", "\"symbol\":\"g\",\"input_shape\":[4,2],",
      "\"input_shape\" on a procedure that takes no input");
}

TEST(Apply, NpyInputShapes) {
  ModelInfo m = applyModel();
  TempDir t;
  std::vector<float> v(5 * 784, 0.5f);
  auto write = [&](const std::string &name, std::vector<uint64_t> shape) {
    writeNpy(t.path(name), shape, v.data());
    return t.path(name);
  };
  const EntrySpec &enc = m.sampleEntry("enc"), &dec = m.sampleEntry("dec");
  ApplyInput in = npyInput(enc, write("img.npy", {5, 28, 28, 1}));
  EXPECT_EQ(in.count, 5u);
  EXPECT_EQ(in.rowElements, 784u);
  EXPECT_TRUE(in.labels.empty());
  EXPECT_EQ(npyInput(enc, write("flat.npy", {5, 784})).count, 5u) << "[N, 784] fits too";
  EXPECT_EQ(npyInput(dec, write("z.npy", {7, 2})).count, 7u);
  expectError([&] { npyInput(enc, write("w.npy", {5, 27, 28, 1})); },
              {t.path("w.npy"), "shape [5,27,28,1] does not fit procedure 'enc''s input [4,28,28,1]",
               "expected [N,28,28,1] or [N,784]"});
  expectError([&] { npyInput(enc, write("w3.npy", {5, 28, 28})); }, {"does not fit"});
  expectError([&] { npyInput(dec, write("z3.npy", {5, 3})); },
              {"shape [5,3] does not fit procedure 'dec''s input [4,2] (expected [N,2])"});
  expectError([&] { npyInput(dec, write("s.npy", {})); }, {"a scalar", "expected [N,2]"});
  expectError([&] { npyInput(dec, write("e.npy", {0, 2})); }, {t.path("e.npy"), "holds no rows"});
  writeBytes(t.path("bad.npy"), "\x93NUMPY garbage");
  expectError([&] { npyInput(dec, t.path("bad.npy")); }, {t.path("bad.npy")});
  expectError([&] { npyInput(m.sampleEntry("gen"), t.path("z.npy")); }, {"takes no input"});
}

TEST(Apply, BatchesPadAndKeys) {
  ModelInfo m = applyModel();
  Engine engine(m);
  TempDir t;
  std::vector<float> x(6 * 3);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = (float)i;
  writeNpy(t.path("x.npy"), {6, 3}, x.data());
  const EntrySpec &e = m.sampleEntry("twice");
  ApplyInput in = npyInput(e, t.path("x.npy"));
  ApplyResult r = applyEntry(engine, e, in, 100, 7);
  ASSERT_EQ(r.rows, 6u); // --n beyond the data: all rows
  EXPECT_EQ(r.rowShape, (Shape{3}));
  ASSERT_EQ(r.outputs.size(), 18u);
  // Rows 0-3: call 0, rows 4-5: call 1 (its padding dropped); each call's own key.
  float k0 = (float)(evalKey(7, 0)[0] & 1), k1 = (float)(evalKey(7, 1)[0] & 1);
  for (size_t i = 0; i < 18; ++i)
    EXPECT_EQ(r.outputs[i], 2 * x[i] + (i < 12 ? k0 : k1)) << i;
  ApplyResult two = applyEntry(engine, e, in, 2, 7);
  EXPECT_EQ(two.rows, 2u);
  EXPECT_EQ(std::vector<float>(r.outputs.begin(), r.outputs.begin() + 6), two.outputs);

  r.labels = {1, 2, 3, 4, 5, 6};
  std::string csv = outputsCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "label,c0,c1,c2");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  r.labels.clear();
  r.outputs[0] = 0.1f;
  csv = outputsCsv(r);
  EXPECT_EQ(csv.substr(0, csv.find('\n', csv.find('\n') + 1)),
            "c0,c1,c2\n0.100000001," + std::to_string((int)r.outputs[1]) + "," +
                std::to_string((int)r.outputs[2]));
  writeOutputs(t.path("o.npy"), r);
  NpyArray back = loadNpy(t.path("o.npy"));
  EXPECT_EQ(back.shape, (std::vector<uint64_t>{6, 3}));
  EXPECT_EQ(back.data, r.outputs);
  writeOutputs(t.path("o.csv"), r);
  EXPECT_EQ(readBytes(t.path("o.csv")), outputsCsv(r));
}

TEST(Manifold, NormalQuantile) {
  // Reference values (R's qnorm, 17 significant digits).
  EXPECT_EQ(normalQuantile(0.5), 0.0);
  EXPECT_NEAR(normalQuantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(normalQuantile(0.05), -1.6448536269514722, 1e-15);
  EXPECT_NEAR(normalQuantile(0.95), 1.6448536269514722, 1e-15);
  EXPECT_NEAR(normalQuantile(0.01), -2.3263478740408408, 1e-14);
  EXPECT_NEAR(normalQuantile(1e-10), -6.3613409024040557, 1e-13);
  EXPECT_NEAR(normalQuantile(0.3), -0.52440051270804067, 1e-15);
  EXPECT_EQ(normalQuantile(0.25), -normalQuantile(0.75));
  // Phi(Phi^-1(p)) = p across the range, tails included.
  for (double p : {1e-300, 1e-20, 1e-5, 0.001, 0.02425, 0.1, 0.2, 0.49, 0.51, 0.9, 0.97575, 0.999}) {
    double x = normalQuantile(p);
    double back = 0.5 * std::erfc(-x / std::sqrt(2.0));
    EXPECT_NEAR(back / p, 1.0, 1e-13) << p;
  }
  EXPECT_TRUE(std::isinf(normalQuantile(0)) && normalQuantile(0) < 0);
  EXPECT_TRUE(std::isinf(normalQuantile(1)) && normalQuantile(1) > 0);
  EXPECT_TRUE(std::isnan(normalQuantile(1.5)));
}

TEST(Manifold, Points) {
  std::vector<float> p = manifoldPoints(3);
  ASSERT_EQ(p.size(), 18u);
  float z = (float)normalQuantile(0.95);
  // Row 0 (top): second coordinate largest; columns: first coordinate increasing.
  EXPECT_EQ(p[0], -z);
  EXPECT_EQ(p[1], z);
  EXPECT_EQ(p[2], 0.0f);
  EXPECT_EQ(p[3], z);
  EXPECT_EQ(p[4], z);
  EXPECT_EQ(p[16], z);  // last point: bottom right
  EXPECT_EQ(p[17], -z);
  EXPECT_EQ(manifoldPoints(1), (std::vector<float>{0.0f, 0.0f}));
}

TEST(Manifold, ChecksTheProcedure) {
  ModelInfo m = applyModel();
  Engine engine(m);
  expectError([&] { manifoldGrid(engine, m.sampleEntry("enc"), 3, 1); },
              {"procedure 'enc' takes [4,28,28,1]", "2-D latent codes [4,2]"});
  expectError([&] { manifoldGrid(engine, m.sampleEntry("gen"), 3, 1); },
              {"procedure 'gen' takes no input"});
  expectError([&] { manifoldGrid(engine, m.sampleEntry("twice"), 3, 1); }, {"takes [4,3]"});
}

TEST(LatentScatter, Draws) {
  std::vector<float> codes;
  std::vector<uint8_t> labels;
  for (int i = 0; i < 500; ++i) {
    codes.push_back((float)std::cos(i * 0.1) * (1 + i % 10));
    codes.push_back((float)std::sin(i * 0.1) * (1 + i % 10));
    labels.push_back((uint8_t)(i % 10));
  }
  codes[0] = 1e30f; // an outlier does not shrink the cloud
  GridImage g = latentScatter(codes, labels, "test");
  EXPECT_EQ(g.width, 900u);
  EXPECT_EQ(g.height, 760u);
  for (size_t d = 0; d < 10; ++d) {
    Rgb c = palette(d);
    size_t n = 0;
    for (size_t i = 0; i + 2 < g.pixels.size(); i += 3)
      n += g.pixels[i] == c.r && g.pixels[i + 1] == c.g && g.pixels[i + 2] == c.b;
    EXPECT_GT(n, 20u) << "digit " << d << " (the legend's marker at least)";
  }
  GridImage unlabelled = latentScatter(codes, {}, "test");
  EXPECT_EQ(unlabelled.width, 900u);
}
