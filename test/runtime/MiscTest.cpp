// ModelInfo parsing, command-line parsing and progress formatting.
#include "runtime/Cli.h"
#include "runtime/ModelInfo.h"
#include "runtime/Progress.h"

#include "TestUtil.h"

using namespace gnc::rt;
using namespace gnc::rt::test;

TEST(ModelInfo, Parses) {
  ModelInfo m = tinyModel();
  EXPECT_EQ(m.model, "tiny");
  EXPECT_EQ(m.batch, 4);
  EXPECT_EQ(m.inputShape, (Shape{4, 28, 28, 1}));
  ASSERT_EQ(m.state.size(), 3u);
  EXPECT_EQ(m.state[1].shape, Shape{});
  EXPECT_EQ(m.state[1].elements(), 1u);
  EXPECT_EQ(m.parameterCount(), 10u);
  EXPECT_EQ(m.stateElements(), 11u);
  EXPECT_EQ(m.trainEntry().losses, std::vector<std::string>{"loss"});
  EXPECT_EQ(m.trainEntry().fn, &dummyEntry);
}

TEST(ModelInfo, MissingProcedure) {
  ModelInfo m = tinyModel();
  expectError([&] { m.sampleEntry("generate"); },
              {"model 'tiny' has no sample procedure 'generate'"});
}

TEST(ModelInfo, Malformed) {
  auto bad = [](const std::string &json, const std::string &needle) {
    expectError([&] { parseModelInfo(json.c_str(), tinyEntries()); }, {"gnc_model_info", needle},
                ExitInternal);
  };
  bad("{", "not valid JSON");
  bad("[]", "not a JSON object");
  bad(R"({"model":"m","batch":0})", "\"batch\"");
  std::string good = tinyModelJson();
  auto with = [&](const std::string &from, const std::string &to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  bad(with("gnc_entry_step", "gnc_entry_missing"), "symbol 'gnc_entry_missing' is not in gnc_entries");
  bad(with("\"name\":\"c\"", "\"name\":\"a\""), "duplicate name");
  bad(with("[2,3]", "[2,-3]"), "bad dimension");
  bad(with("\"kind\":\"train\"", "\"kind\":\"fly\""), "unknown kind 'fly'");
  bad(with("[4,28,28,1]", "[5,28,28,1]"), "input_shape");
}

// The kernel functions of a --kernel-bench object (KernelBench.cpp): arguments by shape or as
// scalars, each pointing into the kernel table.
TEST(ModelInfo, KernelFunctions) {
  std::string json = tinyModelJson();
  std::string kernels = R"("kernels":[{"name":"matmul[2,2,2]","flops":16,"bytes":48}],
    "kernel_functions":[{"name":"matmul[2,2,2]","kernel":0,"symbol":"gnc_kernel_fn_m",
                         "args":[{"shape":[2,2],"dtype":"f32"},{"scalar":"i64"}]}],)";
  json.insert(json.find("\"entries\""), kernels);
  ModelInfo m = parseModelInfo(json.c_str(), tinyEntries());
  ASSERT_EQ(m.kernelFunctions.size(), 1u);
  const KernelFunctionSpec &f = m.kernelFunctions[0];
  EXPECT_EQ(f.symbol, "gnc_kernel_fn_m");
  EXPECT_EQ(f.kernel, 0u);
  ASSERT_EQ(f.args.size(), 2u);
  EXPECT_FALSE(f.args[0].scalar);
  EXPECT_EQ(f.args[0].shape, (Shape{2, 2}));
  EXPECT_EQ(f.args[0].dtype, "f32");
  EXPECT_TRUE(f.args[1].scalar);
  EXPECT_EQ(f.args[1].dtype, "i64");
  std::string outOfRange = json;
  outOfRange.replace(outOfRange.find("\"kernel\":0"), 10, "\"kernel\":1");
  expectError([&] { parseModelInfo(outOfRange.c_str(), tinyEntries()); },
              {"kernel function 'matmul[2,2,2]'", "not an index into \"kernels\""}, ExitInternal);
}

TEST(Cli, Parses) {
  std::vector<FlagSpec> flags = {{"steps", true}, {"json", false}, {"data", true}};
  Args a = Args::parse("train", {"--steps", "30", "--json", "--data=/x y"}, flags);
  EXPECT_EQ(a.uint("steps", 1, 100), 30u);
  EXPECT_TRUE(a.has("json"));
  EXPECT_EQ(a.str("data"), "/x y");
  EXPECT_FALSE(a.uint("missing", 0, 1).has_value());
}

TEST(Cli, Errors) {
  std::vector<FlagSpec> flags = {{"steps", true}, {"json", false}};
  expectError([&] { Args::parse("train", {"--bogus"}, flags); }, {"'train' has no flag --bogus"});
  expectError([&] { Args::parse("train", {"--steps"}, flags); }, {"--steps needs a value"});
  expectError([&] { Args::parse("train", {"--json=1"}, flags); }, {"--json takes no value"});
  expectError([&] { Args::parse("train", {"stray"}, flags); }, {"unexpected argument 'stray'"});
  for (const char *v : {"x", "-1", "1.5", "", "99999999999999999999999", "0"})
    expectError(
        [&] { Args::parse("train", {"--steps", v}, flags).uint("steps", 1, 1000); },
        {"--steps", "expected an integer from 1 to 1000"});
}

TEST(Progress, Formats) {
  ProgressState s;
  s.epoch = 1;
  s.epochs = 1;
  s.step = 200;
  s.stepsPerEpoch = 469;
  s.lossNames = {"loss"};
  s.lossMeans = {0.12344};
  s.imagesPerSecond = 1234.4;
  s.etaSeconds = 12.2;
  EXPECT_EQ(formatProgress(s, 20), "epoch 1/1 [========>           ] 200/469 loss 0.1234 1234 img/s ETA 0:12");
  EXPECT_EQ(formatProgress(s, 0), "epoch 1/1 step 200/469 loss 0.1234 1234 img/s ETA 0:12");
  s.lossNames = {"d_loss", "g_loss"};
  s.lossMeans = {0.5, 1.25};
  EXPECT_NE(formatProgress(s, 0).find("d_loss 0.5000 g_loss 1.2500"), std::string::npos);
  EXPECT_EQ(formatDuration(3723), "1:02:03");
  EXPECT_EQ(formatDuration(-1), "?");
}
