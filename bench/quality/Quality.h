// The numerical checks of gnc-quality (the seed lecture's claims about trained autoencoders),
// as plain functions on Eigen matrices so that test/quality can check them on synthetic data
// with known answers. Everything is double precision. No file formats here (QualityCli.cpp).
#ifndef GNC_BENCH_QUALITY_QUALITY_H
#define GNC_BENCH_QUALITY_QUALITY_H

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace gnc::quality {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

// ---- subspaces ------------------------------------------------------------------------------

// An orthonormal basis (n x r) of the column space of A (n x k) by its thin SVD; `singular`
// receives A's singular values (descending). Columns whose singular value is below
// relTol * largest are dropped, so r < k when A is rank-deficient (r = 0 for A = 0).
Matrix orthonormalBasis(const Matrix &A, Vector *singular = nullptr, double relTol = 1e-10);

// The principal angles (radians, ascending, min(p, q) of them) between the column spaces of
// Q1 (n x p) and Q2 (n x q), both with orthonormal columns. Cosines come from the SVD of
// Q1^T Q2 and sines from the SVD of the part of the smaller basis orthogonal to the larger
// (Bjorck & Golub 1973); angle = atan2(sine, cosine) keeps small angles accurate, where acos of
// a cosine near 1 would lose half the digits.
Vector principalAngles(const Matrix &Q1, const Matrix &Q2);

// The eigen-decomposition of a symmetric positive semi-definite matrix C (a scatter matrix
// X^T X), eigenvalues sorted descending (tiny negative round-off clamped to 0).
struct SymmetricEigen {
  Vector values;  // descending
  Matrix vectors; // columns, in the order of `values`
};
SymmetricEigen symmetricEigen(const Matrix &C);

// The AE <=> PCA comparison (Baldi & Hornik 1989; Plaut 2018) of a linear autoencoder
// x -> (x We + be) Wd + bd (row vectors; We n x q, Wd q x n) on data X (M x n, centred and
// scaled the way the autoencoder was trained).
struct PcaComparison {
  int q = 0;
  Vector anglesRad;       // principal angles between span(Wd^T) and the top-q subspace, ascending
  Vector eigenvalues;     // of X^T X, descending (all n)
  Vector decoderSingular; // singular values of Wd (descending)
  double eAe = 0;         // ||X - ((X We + be) Wd + bd)||_F^2
  double ePca = 0;        // PCA's optimal rank-q error: the sum of the discarded eigenvalues
  double total = 0;       // ||X||_F^2 = trace(X^T X)
};
// Error when the shapes disagree or Wd's rows are linearly dependent (numerical rank < q).
PcaComparison compareWithPca(const Matrix &X, const Matrix &We, const Vector &be,
                             const Matrix &Wd, const Vector &bd);

// ---- anomaly detection: ROC ------------------------------------------------------------------

struct RocResult {
  double auc = 0;            // P(score of a positive > score of a negative) + 0.5 P(tie)
  double tprAtFpr = 0;       // the ROC curve (ties as diagonal segments) at fpr = `atFpr`
  uint64_t positives = 0, negatives = 0;
};

// ROC AUC by the rank statistic (Mann-Whitney U with average ranks for ties) of `scores`
// (higher = more anomalous) for the samples with isPositive[i] against the others, and the true
// positive rate at false positive rate `atFpr`, interpolated linearly along the curve.
// Needs at least one positive and one negative, finite scores (Error otherwise).
RocResult rocAuc(const std::vector<double> &scores, const std::vector<bool> &isPositive,
                 double atFpr = 0.05);

// ---- classification with latent features: softmax regression --------------------------------

struct ProbeOptions {
  double l2 = 1e-4;         // penalty (l2/2) ||theta||^2 on the weights and biases
  int maxIterations = 1000; // L-BFGS iterations
  double gradTol = 1e-6;    // stop when ||gradient||_inf <= gradTol
  int history = 10;         // L-BFGS memory
};

struct ProbeModel {
  Vector mean, scale; // feature standardisation (from the training set)
  Matrix weights;     // (d + 1) x K, the last row the biases
  int classes = 0;
  int iterations = 0;
  bool converged = false;
  double objective = 0;   // mean cross-entropy + (l2/2) ||theta||^2 at the end
  double gradInfNorm = 0;
};

// Multinomial logistic regression (softmax over K = classes, with bias) on X (N x d, one row
// per sample), labels y in [0, K), features standardised with the training mean and standard
// deviation (a constant feature is left centred, scale 1). The objective, mean cross-entropy +
// (l2/2) ||theta||^2, is strictly convex; it is minimised by L-BFGS with a backtracking Armijo
// line search (a Newton step would need a ((d+1) K)^2 Hessian over all N samples per iteration,
// about 13 GFLOP for 60,000 64-d codes; L-BFGS needs only gradients, ~0.1 GFLOP each).
ProbeModel fitSoftmaxProbe(const Matrix &X, const std::vector<int> &y, int classes,
                           const ProbeOptions &options = {});

// The predicted classes (argmax of the logits) and the fraction equal to y.
std::vector<int> predictProbe(const ProbeModel &m, const Matrix &X);
double accuracy(const std::vector<int> &predicted, const std::vector<int> &y);

// ---- denoising: PSNR ------------------------------------------------------------------------

// Peak signal-to-noise ratio in dB of a mean squared error: 10 log10(peak^2 / mse). An exact
// reconstruction (mse = 0) counts as kMaxPsnr so that per-image averages stay finite.
constexpr double kMaxPsnr = 100.0;
double psnrFromMse(double mse, double peak = 1.0);

struct PsnrResult {
  double meanPsnr = 0;      // PSNR per image (row), averaged over the images
  double aggregatePsnr = 0; // PSNR of the MSE over all pixels of all images
  double mse = 0;           // that MSE
};
// Rows are images (N x P); `reference` and `x` have the same shape.
PsnrResult psnr(const Matrix &reference, const Matrix &x, double peak = 1.0);

} // namespace gnc::quality

#endif
