// --profile's bookkeeping: the hooks count only while profiling, rows come slowest first,
// and the table and JSON report what the model info says each kernel computes.
#include "runtime/Profile.h"

#include "TestUtil.h"

#include <thread>

using namespace gnc::rt;

namespace {

ModelInfo modelWithKernels() {
  ModelInfo m;
  m.kernels = {{"matmul_8x8", "llvm", 1024, 768, "matmul[8,8,8]"},
               {"zero_8", "llvm", 0, 32, "fill[8]"},
               {"never_1", "llvm", 1, 1, "never[1]"}};
  return m;
}

void runKernel(int32_t id, int micros) {
  gnc_kernel_begin(id);
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
  gnc_kernel_end(id);
}

} // namespace

TEST(Profile, CountsCallsSlowestFirst) {
  ModelInfo m = modelWithKernels();
  startProfile(m);
  ASSERT_TRUE(profiling());
  runKernel(1, 100);
  runKernel(0, 3000);
  runKernel(0, 3000);
  gnc_kernel_end(7); // an id the table does not have is ignored
  std::vector<KernelTime> rows = profileResults();
  ASSERT_EQ(rows.size(), 2u); // "never" did not run
  EXPECT_EQ(rows[0].spec->name, "matmul_8x8");
  EXPECT_EQ(rows[0].calls, 2u);
  EXPECT_GE(rows[0].seconds, 0.006);
  EXPECT_EQ(rows[1].spec->name, "zero_8");
  EXPECT_EQ(rows[1].calls, 1u);

  std::string table = profileTable(rows, 100);
  EXPECT_NE(table.find("% peak"), std::string::npos);
  EXPECT_NE(table.find("matmul_8x8"), std::string::npos); // the name, not the signature
  EXPECT_NE(table.find("2 kernels"), std::string::npos);
  EXPECT_EQ(profileTable(rows, 0).find("% peak"), std::string::npos);

  nlohmann::ordered_json j = profileJson(rows, 100);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["calls"], 2);
  EXPECT_EQ(j[0]["kernel"], "matmul_8x8");
  EXPECT_EQ(j[0]["signature"], "matmul[8,8,8]"); // the schedule file's key
  EXPECT_DOUBLE_EQ(j[0]["flops_per_call"].get<double>(), 1024);
  double gflops = 2 * 1024 / rows[0].seconds / 1e9;
  EXPECT_NEAR(j[0]["gflops_per_s"].get<double>(), gflops, 1e-12);
  EXPECT_NEAR(j[0]["peak_fraction"].get<double>(), gflops / 100, 1e-12);
  EXPECT_NEAR(j[0]["share"].get<double>() + j[1]["share"].get<double>(), 1.0, 1e-12);
}
