// gnc-quality's numerical checks on synthetic data with known answers.
#include "bench/quality/Quality.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace gnc::quality;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = 180.0 / kPi;

Matrix randomMatrix(Eigen::Index r, Eigen::Index c, std::mt19937_64 &rng, double sd = 1.0) {
  std::normal_distribution<double> n(0.0, sd);
  Matrix m(r, c);
  for (Eigen::Index i = 0; i < r; ++i)
    for (Eigen::Index j = 0; j < c; ++j)
      m(i, j) = n(rng);
  return m;
}

// Centred data with a dominant q-dimensional subspace: M x n = Z (M x q, variances 9..) times
// a random orthonormal basis, plus small isotropic noise.
Matrix lowRankData(Eigen::Index M, Eigen::Index n, Eigen::Index q, std::mt19937_64 &rng,
                   Matrix *basis = nullptr) {
  Matrix B = orthonormalBasis(randomMatrix(n, q, rng));
  Matrix Z = randomMatrix(M, q, rng);
  for (Eigen::Index k = 0; k < q; ++k)
    Z.col(k) *= 3.0 + (double)(q - k); // distinct variances
  Matrix X = Z * B.transpose() + randomMatrix(M, n, rng, 0.1);
  X.rowwise() -= X.colwise().mean();
  if (basis)
    *basis = B;
  return X;
}

} // namespace

// ---- principal angles -------------------------------------------------------------------------

TEST(PrincipalAngles, SameSubspaceDifferentBasesIsZero) {
  std::mt19937_64 rng(1);
  Matrix Q = orthonormalBasis(randomMatrix(50, 4, rng));
  Matrix mixed = Q * randomMatrix(4, 4, rng); // another basis of the same span
  Vector a = principalAngles(Q, orthonormalBasis(mixed));
  ASSERT_EQ(a.size(), 4);
  for (Eigen::Index i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a(i), 0.0, 1e-10);
}

TEST(PrincipalAngles, OrthogonalSubspacesAreNinetyDegrees) {
  Matrix I = Matrix::Identity(10, 10);
  Vector a = principalAngles(I.leftCols(3), I.middleCols(3, 3));
  ASSERT_EQ(a.size(), 3);
  for (Eigen::Index i = 0; i < 3; ++i)
    EXPECT_NEAR(a(i) * kDeg, 90.0, 1e-10);
}

TEST(PrincipalAngles, KnownAnglesIncludingTinyOnes) {
  // span(e1, e2) against span(cos t1 e1 + sin t1 e3, cos t2 e2 + sin t2 e4).
  for (double t1 : {1e-9, 1e-4, 0.3}) {
    double t2 = 1.1;
    Matrix Q1 = Matrix::Zero(6, 2), Q2 = Matrix::Zero(6, 2);
    Q1(0, 0) = Q1(1, 1) = 1;
    Q2(0, 0) = std::cos(t1);
    Q2(2, 0) = std::sin(t1);
    Q2(1, 1) = std::cos(t2);
    Q2(3, 1) = std::sin(t2);
    Vector a = principalAngles(Q1, Q2);
    EXPECT_NEAR(a(0), t1, 1e-15 + 1e-9 * t1) << t1; // acos(cos t) would give 0 for t = 1e-9
    EXPECT_NEAR(a(1), t2, 1e-12);
    Vector b = principalAngles(Q2, Q1); // symmetric
    EXPECT_NEAR(b(0), a(0), 1e-15 + 1e-9 * t1);
    EXPECT_NEAR(b(1), a(1), 1e-12);
  }
}

TEST(PrincipalAngles, DifferentDimensions) {
  Matrix I = Matrix::Identity(5, 5);
  Vector a = principalAngles(I.leftCols(3), I.col(4) * 0.6 + I.col(0) * 0.8);
  ASSERT_EQ(a.size(), 1);
  EXPECT_NEAR(a(0), std::acos(0.8), 1e-12);
}

TEST(OrthonormalBasis, DropsDependentColumns) {
  Matrix A(4, 3);
  A << 1, 2, 3, 0, 0, 0, 1, 2, 3, 0, 1, 1; // column 3 = column 1 + column 2
  Vector s;
  Matrix Q = orthonormalBasis(A, &s);
  EXPECT_EQ(Q.cols(), 2);
  EXPECT_EQ(s.size(), 3);
  EXPECT_NEAR((Q.transpose() * Q - Matrix::Identity(2, 2)).norm(), 0.0, 1e-12);
}

// ---- AE <=> PCA -------------------------------------------------------------------------------

TEST(CompareWithPca, DecoderSpanningTheTopSubspaceMatchesPca) {
  std::mt19937_64 rng(2);
  const int n = 20, q = 3;
  Matrix X = lowRankData(3000, n, q, rng);
  SymmetricEigen e = symmetricEigen(X.transpose() * X);
  Matrix V = e.vectors.leftCols(q);
  // A linear AE at PCA's optimum in any basis of the subspace: Wd = R V^T, We = V R^-1.
  Matrix R = randomMatrix(q, q, rng) + 3 * Matrix::Identity(q, q);
  Matrix Wd = R * V.transpose(), We = V * R.inverse();
  PcaComparison c = compareWithPca(X, We, Vector::Zero(q), Wd, Vector::Zero(n));
  ASSERT_EQ(c.anglesRad.size(), q);
  EXPECT_LT(c.anglesRad.maxCoeff() * kDeg, 1e-6);
  // E_pca is ||X - X V V^T||^2, and the optimal AE reaches it.
  double direct = (X - X * V * V.transpose()).squaredNorm();
  EXPECT_NEAR(c.ePca, direct, 1e-9 * direct);
  EXPECT_NEAR(c.eAe, c.ePca, 1e-9 * c.ePca);
  EXPECT_NEAR(c.total, X.squaredNorm(), 1e-9 * c.total);
  EXPECT_EQ(c.eigenvalues.size(), n);
  EXPECT_EQ(c.decoderSingular.size(), q);
}

TEST(CompareWithPca, OrthogonalDecoderIsNinetyDegreesAndWorse) {
  std::mt19937_64 rng(3);
  const int n = 20, q = 3;
  Matrix X = lowRankData(2000, n, q, rng);
  SymmetricEigen e = symmetricEigen(X.transpose() * X);
  Matrix W = e.vectors.middleCols(q, q); // the next three principal directions
  PcaComparison c = compareWithPca(X, W, Vector::Zero(q), W.transpose(), Vector::Zero(n));
  for (Eigen::Index i = 0; i < q; ++i)
    EXPECT_NEAR(c.anglesRad(i) * kDeg, 90.0, 1e-6);
  EXPECT_GT(c.eAe, 10 * c.ePca);
}

TEST(CompareWithPca, RelativeGapIsScaleInvariant) {
  std::mt19937_64 rng(4);
  const int n = 12, q = 2;
  Matrix X = lowRankData(1000, n, q, rng);
  Matrix We = randomMatrix(n, q, rng), Wd = randomMatrix(q, n, rng);
  Vector be = Vector::Zero(q), bd = Vector::Zero(n);
  PcaComparison a = compareWithPca(X, We, be, Wd, bd);
  PcaComparison b = compareWithPca(X / std::sqrt(128.0), We, be, Wd, bd); // linear: same map
  EXPECT_NEAR((a.eAe - a.ePca) / a.ePca, (b.eAe - b.ePca) / b.ePca, 1e-9);
  for (Eigen::Index i = 0; i < q; ++i)
    EXPECT_NEAR(a.anglesRad(i), b.anglesRad(i), 1e-9);
}

TEST(CompareWithPca, BiasesCountInTheError) {
  std::mt19937_64 rng(5);
  const int n = 10, q = 2;
  Matrix X = lowRankData(500, n, q, rng);
  SymmetricEigen e = symmetricEigen(X.transpose() * X);
  Matrix V = e.vectors.leftCols(q);
  Vector bd = Vector::Constant(n, 0.5);
  PcaComparison c = compareWithPca(X, V, Vector::Zero(q), V.transpose(), bd);
  // X is centred, so the residual's cross term with the constant offset vanishes.
  EXPECT_NEAR(c.eAe, c.ePca + 500 * bd.squaredNorm(), 1e-8 * c.eAe);
}

TEST(CompareWithPca, RejectsBadShapesAndRankDeficientDecoders) {
  Matrix X = Matrix::Random(50, 6);
  EXPECT_THROW(compareWithPca(X, Matrix::Zero(5, 2), Vector::Zero(2), Matrix::Zero(2, 6),
                              Vector::Zero(6)),
               gnc::rt::Error);
  Matrix Wd = Matrix::Zero(2, 6);
  Wd(0, 0) = Wd(1, 0) = 1; // two equal rows
  EXPECT_THROW(compareWithPca(X, Matrix::Ones(6, 2), Vector::Zero(2), Wd, Vector::Zero(6)),
               gnc::rt::Error);
}

// ---- ROC --------------------------------------------------------------------------------------

TEST(Roc, PerfectlySeparatedIsOne) {
  std::vector<double> s{0.9, 0.8, 0.7, 0.3, 0.2, 0.1};
  std::vector<bool> pos{true, true, true, false, false, false};
  RocResult r = rocAuc(s, pos);
  EXPECT_DOUBLE_EQ(r.auc, 1.0);
  EXPECT_DOUBLE_EQ(r.tprAtFpr, 1.0);
  EXPECT_EQ(r.positives, 3u);
  EXPECT_EQ(r.negatives, 3u);
}

TEST(Roc, ReversedIsZero) {
  std::vector<double> s{0.1, 0.2, 0.3, 0.7, 0.8};
  std::vector<bool> pos{true, true, false, false, false};
  RocResult r = rocAuc(s, pos);
  EXPECT_DOUBLE_EQ(r.auc, 0.0);
  EXPECT_DOUBLE_EQ(r.tprAtFpr, 0.0);
}

TEST(Roc, AllTiedIsHalf) {
  std::vector<double> s(10, 3.0);
  std::vector<bool> pos{true, false, false, true, false, false, false, true, false, false};
  RocResult r = rocAuc(s, pos);
  EXPECT_DOUBLE_EQ(r.auc, 0.5);
  EXPECT_NEAR(r.tprAtFpr, 0.05, 1e-12); // the diagonal
}

TEST(Roc, TiesCountHalf) {
  // Pairs (positive, negative): 0.8>0.5, 0.8>0.1, 0.5=0.5 (half), 0.5>0.1: 3.5 / 4.
  RocResult r = rocAuc({0.8, 0.5, 0.5, 0.1}, {true, true, false, false});
  EXPECT_DOUBLE_EQ(r.auc, 0.875);
  // FPR 0.25 on the tied segment from (0, 0.5) to (0.5, 1): TPR 0.75.
  EXPECT_DOUBLE_EQ(rocAuc({0.8, 0.5, 0.5, 0.1}, {true, true, false, false}, 0.25).tprAtFpr, 0.75);
}

TEST(Roc, MatchesPairCountingOnRandomScores) {
  std::mt19937_64 rng(6);
  std::uniform_int_distribution<int> level(0, 20); // many ties
  std::vector<double> s(400);
  std::vector<bool> pos(400);
  for (size_t i = 0; i < s.size(); ++i) {
    pos[i] = i % 3 == 0;
    s[i] = level(rng) + (pos[i] ? 3 : 0);
  }
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = 0; j < s.size(); ++j)
      if (pos[i] && !pos[j]) {
        wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
        pairs += 1;
      }
  EXPECT_NEAR(rocAuc(s, pos).auc, wins / pairs, 1e-12);
}

TEST(Roc, NeedsBothClassesAndFiniteScores) {
  EXPECT_THROW(rocAuc({1, 2}, {true, true}), gnc::rt::Error);
  EXPECT_THROW(rocAuc({1, NAN}, {true, false}), gnc::rt::Error);
  EXPECT_THROW(rocAuc({1, 2}, {true}), gnc::rt::Error);
}

// ---- softmax probe ------------------------------------------------------------------------------

TEST(Probe, LinearlySeparableBlobsAreClassifiedPerfectly) {
  std::mt19937_64 rng(7);
  const int classes = 4, d = 6, perClass = 300;
  Matrix centres = randomMatrix(classes, d, rng, 10.0);
  auto make = [&](Matrix &X, std::vector<int> &y) {
    X = randomMatrix(classes * perClass, d, rng, 0.5);
    y.resize(classes * perClass);
    for (int i = 0; i < classes * perClass; ++i) {
      y[i] = i % classes;
      X.row(i) += centres.row(y[i]);
    }
    X.col(d - 1).setConstant(7.0); // a constant feature must not break standardisation
  };
  Matrix Xtr, Xte;
  std::vector<int> ytr, yte;
  make(Xtr, ytr);
  make(Xte, yte);
  ProbeModel m = fitSoftmaxProbe(Xtr, ytr, classes);
  EXPECT_TRUE(m.converged) << m.iterations << " iterations, |g| " << m.gradInfNorm;
  EXPECT_DOUBLE_EQ(accuracy(predictProbe(m, Xtr), ytr), 1.0);
  EXPECT_GE(accuracy(predictProbe(m, Xte), yte), 0.99);
  EXPECT_LT(m.objective, 0.1);
}

TEST(Probe, ReachesTheOptimumOfAnOverlappingProblem) {
  // Two overlapping 1-D Gaussians with equal variance: the Bayes rule is the midpoint, and the
  // fitted model's accuracy is close to Phi(distance / 2).
  std::mt19937_64 rng(8);
  std::normal_distribution<double> n(0.0, 1.0);
  const int N = 20000;
  Matrix X(N, 1);
  std::vector<int> y(N);
  for (int i = 0; i < N; ++i) {
    y[i] = i % 2;
    X(i, 0) = n(rng) + (y[i] ? 1.0 : -1.0);
  }
  ProbeModel m = fitSoftmaxProbe(X, y, 2);
  EXPECT_TRUE(m.converged);
  double expected = 0.5 * std::erfc(-1.0 / std::sqrt(2.0)); // Phi(1) = 0.841
  EXPECT_NEAR(accuracy(predictProbe(m, X), y), expected, 0.01);
}

TEST(Probe, RejectsBadLabels) {
  Matrix X = Matrix::Random(4, 2);
  EXPECT_THROW(fitSoftmaxProbe(X, {0, 1, 2, 3}, 3), gnc::rt::Error);
  EXPECT_THROW(fitSoftmaxProbe(X, {0, 1, 1}, 2), gnc::rt::Error);
}

// ---- PSNR ---------------------------------------------------------------------------------------

TEST(Psnr, KnownMse) {
  EXPECT_NEAR(psnrFromMse(0.01), 20.0, 1e-12);
  EXPECT_NEAR(psnrFromMse(0.01, 255.0), 10 * std::log10(255.0 * 255.0 / 0.01), 1e-9);
  EXPECT_DOUBLE_EQ(psnrFromMse(0.0), kMaxPsnr);

  // Two images of 4 pixels with MSE 0.01 and 0.0001: 20 and 40 dB, mean 30; the aggregate MSE
  // 0.00505 gives 22.97 dB.
  Matrix clean = Matrix::Constant(2, 4, 0.5), x = clean;
  x.row(0).array() += 0.1;
  x.row(1).array() -= 0.01;
  PsnrResult r = psnr(clean, x);
  EXPECT_NEAR(r.meanPsnr, 30.0, 1e-9);
  EXPECT_NEAR(r.mse, 0.00505, 1e-15);
  EXPECT_NEAR(r.aggregatePsnr, 10 * std::log10(1 / 0.00505), 1e-9);
  EXPECT_THROW(psnr(clean, Matrix::Zero(3, 4)), gnc::rt::Error);
}
