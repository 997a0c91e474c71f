// gnc-quality's commands run in process on files written here: exit statuses (0 pass, 1 below
// the threshold, 2 bad input with one error line), the JSON object, and the PCA check end to end
// on a synthetic IDX data set whose principal subspace is known.
#include "bench/quality/Quality.h"
#include "bench/quality/QualityCli.h"

#include "runtime/FileIO.h"
#include "runtime/Npy.h"
#include "runtime/SafeTensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <sstream>
#include <unistd.h>

using namespace gnc::quality;
using nlohmann::json;

namespace {

struct Result {
  int status;
  std::string out, err;
};

Result run(std::vector<std::string> args) {
  std::ostringstream out, err;
  int status = qualityMain(args, out, err);
  return {status, out.str(), err.str()};
}

class QualityCli : public ::testing::Test {
protected:
  std::string dir;
  void SetUp() override {
    char templ[] = "/tmp/gnc-quality-test.XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir = templ;
  }
  void TearDown() override { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  std::string npy(const std::string &name, const std::vector<uint64_t> &shape,
                  const std::vector<float> &data) {
    gnc::rt::writeNpy(path(name), shape, data.data());
    return path(name);
  }
};

// Exactly one line on stderr, "gnc-quality: error: ...".
void expectOneErrorLine(const Result &r) {
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("gnc-quality: error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

} // namespace

TEST_F(QualityCli, UsageAndErrors) {
  EXPECT_EQ(run({"--help"}).status, 0);
  EXPECT_EQ(run({}).status, 2);
  expectOneErrorLine(run({"frobnicate"}));
  expectOneErrorLine(run({"roc", "--scores"}));
  expectOneErrorLine(run({"roc", "--scores", path("missing.npy"), "--labels", "x",
                          "--positive", "0"}));
  expectOneErrorLine(run({"roc", "--bogus", "1"}));
  expectOneErrorLine(run({"probe", "--train-codes", "a.npy"})); // missing flags
  expectOneErrorLine(run({"psnr", "--clean", "a", "--noisy", "b", "--denoised", "c",
                          "--min-gain-db", "many"}));
  // With --json the error is also a JSON object on stdout.
  Result r = run({"pca", "--checkpoint", path("none.safetensors"), "--json"});
  expectOneErrorLine(r);
  EXPECT_EQ(json::parse(r.out)["exit_status"], 2);
}

TEST_F(QualityCli, RocPassesFailsAndReportsJson) {
  std::string s = npy("s.npy", {6, 1}, {0.9f, 0.8f, 0.1f, 0.2f, 0.3f, 0.7f});
  std::string l = npy("l.npy", {6}, {0, 0, 1, 2, 3, 0});
  Result r = run({"roc", "--scores", s, "--labels", l, "--positive", "0", "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["check"], "roc");
  EXPECT_EQ(j["pass"], true);
  EXPECT_DOUBLE_EQ(j["auc"].get<double>(), 1.0);
  EXPECT_EQ(j["positives"], 3);
  EXPECT_NE(r.err.find("roc: PASS AUC 1.0000"), std::string::npos) << r.err;
  // Class 1 has the lowest score: AUC 0, below the threshold.
  r = run({"roc", "--scores", s, "--labels", l, "--positive", "1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("roc: FAIL AUC 0.0000"), std::string::npos) << r.out;
  // Mismatched lengths.
  expectOneErrorLine(run({"roc", "--scores", s, "--labels", npy("l5.npy", {5}, {0, 1, 0, 1, 0}),
                          "--positive", "0"}));
  expectOneErrorLine(run({"roc", "--scores", npy("s2.npy", {3, 2}, {0, 1, 2, 3, 4, 5}),
                          "--labels", npy("l3.npy", {3}, {0, 1, 0}), "--positive", "0"}));
}

TEST_F(QualityCli, ProbeOnSeparableCodes) {
  std::mt19937_64 rng(11);
  std::normal_distribution<float> n(0.0f, 0.3f);
  auto codes = [&](int N, std::vector<float> &x, std::vector<float> &y) {
    for (int i = 0; i < N; ++i) {
      int c = i % 3;
      y.push_back((float)c);
      for (int k = 0; k < 4; ++k)
        x.push_back((k == c ? 5.0f : 0.0f) + n(rng));
    }
  };
  std::vector<float> xtr, ytr, xte, yte;
  codes(300, xtr, ytr);
  codes(90, xte, yte);
  std::vector<std::string> args{"probe",
                                "--train-codes", npy("a.npy", {300, 4}, xtr),
                                "--train-labels", npy("la.npy", {300}, ytr),
                                "--test-codes", npy("b.npy", {90, 4}, xte),
                                "--test-labels", npy("lb.npy", {90, 1}, yte), "--json"};
  Result r = run(args);
  EXPECT_EQ(r.status, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["test_accuracy"].get<double>(), 1.0);
  EXPECT_EQ(j["classes"], 3);
  EXPECT_EQ(j["features"], 4);
  args.back() = "--min-accuracy=1.0";
  EXPECT_EQ(run(args).status, 0);
  // Labels that are not integers.
  args[4] = npy("bad.npy", {300}, std::vector<float>(300, 0.5f));
  expectOneErrorLine(run(args));
}

TEST_F(QualityCli, PsnrAgainstAnNpyAndTheGain) {
  // Clean 0.5 everywhere; noisy off by 0.1 (20 dB); denoised off by 0.01 (40 dB).
  std::vector<float> clean(3 * 16, 0.5f), noisy(2 * 16, 0.6f), denoised(2 * 16, 0.49f);
  std::string c = npy("c.npy", {3, 4, 4}, clean), nz = npy("n.npy", {2, 16}, noisy),
              d = npy("d.npy", {2, 4, 4, 1}, denoised);
  Result r = run({"psnr", "--clean", c, "--noisy", nz, "--denoised", d, "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_NEAR(j["noisy_psnr"].get<double>(), 20.0, 1e-4);
  EXPECT_NEAR(j["denoised_psnr"].get<double>(), 40.0, 1e-3);
  EXPECT_EQ(j["images"], 2);
  // Swapped: the "denoised" images are worse.
  EXPECT_EQ(run({"psnr", "--clean", c, "--noisy", d, "--denoised", nz}).status, 1);
  // More rows than the clean set has.
  expectOneErrorLine(run({"psnr", "--clean", npy("c1.npy", {1, 16}, std::vector<float>(16)),
                          "--noisy", nz, "--denoised", d}));
}

// The PCA check end to end: a synthetic MNIST-like training set (IDX bytes) built around a
// known 3-d subspace, a "checkpoint" holding the optimal linear AE, and one that is wrong.
TEST_F(QualityCli, PcaOnASyntheticDataSet) {
  const int M = 600, n = 784, q = 3;
  std::mt19937_64 rng(12);
  std::normal_distribution<double> g(0.0, 1.0);
  Matrix basis(n, q);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < q; ++k)
      basis(i, k) = g(rng);
  basis = orthonormalBasis(basis);
  std::vector<uint8_t> idx{0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28};
  idx[4] = (uint8_t)(M >> 24), idx[5] = (uint8_t)(M >> 16), idx[6] = (uint8_t)(M >> 8),
  idx[7] = (uint8_t)M;
  Matrix X(M, n);
  for (int m = 0; m < M; ++m) {
    Vector z(q);
    for (int k = 0; k < q; ++k)
      z(k) = g(rng) * (3.0 - k);
    Vector x = (basis * z) * 40.0;
    for (int i = 0; i < n; ++i) {
      int byte = std::clamp((int)std::lround(128 + x(i)), 0, 255);
      idx.push_back((uint8_t)byte);
      X(m, i) = byte / 255.0;
    }
  }
  gnc::rt::writeFileAtomic(path("train-images-idx3-ubyte"), idx.data(), idx.size());
  X.rowwise() -= X.colwise().mean();
  X /= std::sqrt(128.0);
  SymmetricEigen e = symmetricEigen(X.transpose() * X);

  auto checkpoint = [&](const std::string &name, const Matrix &We, const Matrix &Wd) {
    // safetensors are row-major.
    std::vector<float> we, be(q, 0.0f), wd, bd(n, 0.0f);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < q; ++k)
        we.push_back((float)We(i, k));
    for (int k = 0; k < q; ++k)
      for (int i = 0; i < n; ++i)
        wd.push_back((float)Wd(k, i));
    std::string bytes = gnc::rt::encodeSafeTensors(
        {}, {{"encoder.dense_0.weight", "F32", {(uint64_t)n, (uint64_t)q}, we.data()},
             {"encoder.dense_0.bias", "F32", {(uint64_t)q}, be.data()},
             {"decoder.dense_0.weight", "F32", {(uint64_t)q, (uint64_t)n}, wd.data()},
             {"decoder.dense_0.bias", "F32", {(uint64_t)n}, bd.data()}});
    gnc::rt::writeFileAtomic(path(name), bytes.data(), bytes.size());
    return path(name);
  };
  Matrix V = e.vectors.leftCols(q);
  Matrix R(q, q);
  R << 2, 1, 0, 0, 1, 0, 1, 0, 3; // any basis of the subspace
  std::string good = checkpoint("good.safetensors", V * R.inverse(), R * V.transpose());
  Result r = run({"pca", "--checkpoint", good, "--data", dir, "--q", "3", "--json"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  json j = json::parse(r.out);
  EXPECT_LT(j["max_angle_deg"].get<double>(), 0.01);
  EXPECT_LT(std::abs(j["mse_gap"].get<double>()), 1e-4);
  EXPECT_EQ(j["images"], M);
  EXPECT_EQ(j["angles_deg"].size(), 3u);

  // The next principal directions instead: 90 degrees, far worse; exit 1.
  Matrix W = e.vectors.middleCols(q, q);
  std::string bad = checkpoint("bad.safetensors", W, W.transpose());
  r = run({"pca", "--checkpoint", bad, "--data", dir, "--q", "3", "--json"});
  EXPECT_EQ(r.status, 1) << r.err;
  j = json::parse(r.out);
  EXPECT_NEAR(j["max_angle_deg"].get<double>(), 90.0, 1e-3);
  EXPECT_GT(j["mse_gap"].get<double>(), 0.5);

  // --limit, a wrong --q and a wrong prefix.
  r = run({"pca", "--checkpoint", good, "--data", dir, "--q", "3", "--limit", "100", "--json"});
  EXPECT_EQ(json::parse(r.out)["images"], 100);
  expectOneErrorLine(run({"pca", "--checkpoint", good, "--data", dir}));  // --q 10
  expectOneErrorLine(run({"pca", "--checkpoint", good, "--data", dir, "--q", "3",
                          "--decoder", "dec"}));
}
