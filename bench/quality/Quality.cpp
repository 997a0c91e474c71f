#include "bench/quality/Quality.h"

#include "runtime/Error.h"

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>
#include <string>

namespace gnc::quality {

using rt::Error;

// ---- subspaces ------------------------------------------------------------------------------

Matrix orthonormalBasis(const Matrix &A, Vector *singular, double relTol) {
  Eigen::JacobiSVD<Matrix> svd(A, Eigen::ComputeThinU);
  const Vector &s = svd.singularValues(); // descending
  if (singular)
    *singular = s;
  Eigen::Index rank = 0;
  double largest = s.size() ? s(0) : 0.0;
  while (rank < s.size() && largest > 0 && s(rank) > relTol * largest)
    ++rank;
  return svd.matrixU().leftCols(rank);
}

Vector principalAngles(const Matrix &Q1, const Matrix &Q2) {
  if (Q1.rows() != Q2.rows())
    throw Error("principal angles: bases of R^" + std::to_string(Q1.rows()) + " and R^" +
                std::to_string(Q2.rows()));
  // Let A be the larger basis and B the smaller one (k = B.cols() angles).
  const Matrix &A = Q1.cols() >= Q2.cols() ? Q1 : Q2;
  const Matrix &B = Q1.cols() >= Q2.cols() ? Q2 : Q1;
  const Eigen::Index k = B.cols();
  if (k == 0)
    return Vector();
  Matrix AtB = A.transpose() * B; // p x k
  Eigen::JacobiSVD<Matrix> cosSvd(AtB);
  Vector cosines = cosSvd.singularValues(); // descending: angles ascending
  Matrix residual = B - A * AtB;            // the part of span(B) orthogonal to span(A)
  Eigen::JacobiSVD<Matrix> sinSvd(residual);
  Vector sines = sinSvd.singularValues();   // descending: angles descending
  Vector angles(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    double c = std::clamp(cosines(i), 0.0, 1.0);
    double s = std::clamp(sines(k - 1 - i), 0.0, 1.0);
    angles(i) = std::atan2(s, c);
  }
  std::sort(angles.data(), angles.data() + k);
  return angles;
}

SymmetricEigen symmetricEigen(const Matrix &C) {
  Eigen::SelfAdjointEigenSolver<Matrix> solver(C);
  if (solver.info() != Eigen::Success)
    throw Error("the eigen-decomposition of the scatter matrix did not converge");
  const Eigen::Index n = C.rows();
  SymmetricEigen e;
  e.values.resize(n);
  e.vectors.resize(n, n);
  for (Eigen::Index i = 0; i < n; ++i) { // Eigen sorts ascending
    e.values(i) = std::max(0.0, solver.eigenvalues()(n - 1 - i));
    e.vectors.col(i) = solver.eigenvectors().col(n - 1 - i);
  }
  return e;
}

PcaComparison compareWithPca(const Matrix &X, const Matrix &We, const Vector &be,
                             const Matrix &Wd, const Vector &bd) {
  const Eigen::Index n = X.cols(), q = We.cols();
  auto shape = [](const Matrix &m) {
    return "[" + std::to_string(m.rows()) + ", " + std::to_string(m.cols()) + "]";
  };
  if (We.rows() != n || Wd.rows() != q || Wd.cols() != n || be.size() != q || bd.size() != n)
    throw Error("linear autoencoder shapes do not fit data of " + std::to_string(n) +
                " features: encoder weight " + shape(We) + ", bias [" +
                std::to_string(be.size()) + "], decoder weight " + shape(Wd) + ", bias [" +
                std::to_string(bd.size()) + "] (expected [" + std::to_string(n) +
                ", q], [q], [q, " + std::to_string(n) + "], [" + std::to_string(n) + "])");
  if (q < 1 || q > n)
    throw Error("latent size q = " + std::to_string(q) + " must be in [1, " + std::to_string(n) +
                "]");
  PcaComparison r;
  r.q = (int)q;

  // PCA: the scatter matrix X^T X (a symmetric rank update: half the work of a product).
  Matrix S = Matrix::Zero(n, n);
  S.selfadjointView<Eigen::Lower>().rankUpdate(X.transpose());
  S.triangularView<Eigen::StrictlyUpper>() = S.transpose();
  r.total = S.trace();
  SymmetricEigen eig = symmetricEigen(S);
  r.eigenvalues = eig.values;
  // The discarded eigenvalues, smallest first (the sum of the small ones stays accurate).
  r.ePca = 0;
  for (Eigen::Index i = n - 1; i >= q; --i)
    r.ePca += eig.values(i);

  // The decoder's row space against the top-q principal subspace.
  Matrix decoderBasis = orthonormalBasis(Wd.transpose(), &r.decoderSingular);
  if (decoderBasis.cols() < q)
    throw Error("the decoder weight [" + std::to_string(q) + ", " + std::to_string(n) +
                "] has numerical rank " + std::to_string(decoderBasis.cols()) +
                ": its rows do not span a " + std::to_string(q) + "-dimensional subspace");
  r.anglesRad = principalAngles(eig.vectors.leftCols(q), decoderBasis);

  // The autoencoder's reconstruction error, a block of rows at a time.
  const Eigen::Index block = 4096;
  r.eAe = 0;
  for (Eigen::Index start = 0; start < X.rows(); start += block) {
    Eigen::Index rows = std::min(block, X.rows() - start);
    auto Xb = X.middleRows(start, rows);
    Matrix Z = Xb * We;
    Z.rowwise() += be.transpose();
    Matrix R = Z * Wd;
    R.rowwise() += bd.transpose();
    r.eAe += (Xb - R).squaredNorm();
  }
  return r;
}

// ---- ROC ------------------------------------------------------------------------------------

RocResult rocAuc(const std::vector<double> &scores, const std::vector<bool> &isPositive,
                 double atFpr) {
  if (scores.size() != isPositive.size())
    throw Error("roc: " + std::to_string(scores.size()) + " scores but " +
                std::to_string(isPositive.size()) + " labels");
  const size_t n = scores.size();
  RocResult r;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(scores[i]))
      throw Error("roc: score " + std::to_string(i) + " is not finite");
    (isPositive[i] ? r.positives : r.negatives) += 1;
  }
  if (r.positives == 0 || r.negatives == 0)
    throw Error("roc: needs both positive and negative samples (got " +
                std::to_string(r.positives) + " positive, " + std::to_string(r.negatives) +
                " negative)");
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] < scores[b]; });

  // Mann-Whitney: the rank sum of the positives, ties sharing their average rank; and the ROC
  // curve's points, one per group of tied scores, walking from the highest score down.
  double rankSumPositives = 0;
  struct Point { double fpr, tpr; };
  std::vector<Point> curve{{0.0, 0.0}};
  std::vector<std::pair<uint64_t, uint64_t>> groups; // (positives, negatives), ascending score
  for (size_t i = 0; i < n;) {
    size_t j = i;
    uint64_t pos = 0, neg = 0;
    while (j < n && scores[order[j]] == scores[order[i]]) {
      (isPositive[order[j]] ? pos : neg) += 1;
      ++j;
    }
    double averageRank = 0.5 * (double)(i + 1 + j); // ranks i+1 .. j
    rankSumPositives += averageRank * (double)pos;
    groups.push_back({pos, neg});
    i = j;
  }
  const double P = (double)r.positives, N = (double)r.negatives;
  r.auc = (rankSumPositives - P * (P + 1) / 2) / (P * N);
  uint64_t tp = 0, fp = 0;
  for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
    tp += it->first;
    fp += it->second;
    curve.push_back({(double)fp / N, (double)tp / P});
  }
  // The curve is monotone in fpr; interpolate on the segment that reaches atFpr.
  r.tprAtFpr = 1.0;
  for (size_t k = 1; k < curve.size(); ++k) {
    if (curve[k].fpr >= atFpr) {
      const Point &a = curve[k - 1], &b = curve[k];
      double t = b.fpr > a.fpr ? (atFpr - a.fpr) / (b.fpr - a.fpr) : 1.0;
      r.tprAtFpr = a.tpr + std::clamp(t, 0.0, 1.0) * (b.tpr - a.tpr);
      break;
    }
  }
  return r;
}

// ---- softmax regression ---------------------------------------------------------------------

namespace {

// [standardised X, 1]: N x (d + 1).
Matrix augmented(const ProbeModel &m, const Matrix &X) {
  Matrix A(X.rows(), X.cols() + 1);
  A.leftCols(X.cols()) =
      ((X.rowwise() - m.mean.transpose()).array().rowwise() / m.scale.transpose().array())
          .matrix();
  A.col(X.cols()).setOnes();
  return A;
}

// Mean cross-entropy + (l2/2)||theta||^2 and its gradient (same shape as theta).
double objective(const Matrix &A, const std::vector<int> &y, const Matrix &theta, double l2,
                 Matrix *grad) {
  const Eigen::Index N = A.rows();
  Matrix Z = A * theta; // N x K logits
  double loss = 0;
  for (Eigen::Index i = 0; i < N; ++i) {
    double mx = Z.row(i).maxCoeff();
    auto e = (Z.row(i).array() - mx).exp();
    double sum = e.sum();
    loss += std::log(sum) + mx - Z(i, y[(size_t)i]);
    if (grad) {
      Z.row(i) = e / sum; // the softmax, reusing Z
      Z(i, y[(size_t)i]) -= 1.0;
    }
  }
  loss = loss / (double)N + 0.5 * l2 * theta.squaredNorm();
  if (grad)
    *grad = (A.transpose() * Z) / (double)N + l2 * theta;
  return loss;
}

double dot(const Matrix &a, const Matrix &b) { return (a.array() * b.array()).sum(); }

} // namespace

ProbeModel fitSoftmaxProbe(const Matrix &X, const std::vector<int> &y, int classes,
                           const ProbeOptions &o) {
  const Eigen::Index N = X.rows(), d = X.cols();
  if (N < 1 || (size_t)N != y.size())
    throw Error("probe: " + std::to_string(N) + " feature rows but " + std::to_string(y.size()) +
                " labels");
  if (classes < 2)
    throw Error("probe: needs at least 2 classes");
  for (int c : y)
    if (c < 0 || c >= classes)
      throw Error("probe: label " + std::to_string(c) + " outside [0, " +
                  std::to_string(classes) + ")");
  ProbeModel m;
  m.classes = classes;
  m.mean = X.colwise().mean().transpose();
  m.scale.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) {
    double var = (X.col(j).array() - m.mean(j)).square().sum() / (double)N;
    m.scale(j) = var > 0 && std::sqrt(var) > 1e-12 * (1 + std::abs(m.mean(j))) ? std::sqrt(var)
                                                                               : 1.0;
  }
  Matrix A = augmented(m, X);

  // L-BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search; the
  // objective is strongly convex (l2 > 0), so every accepted step has s^T y > 0.
  Matrix theta = Matrix::Zero(d + 1, classes), grad;
  double f = objective(A, y, theta, o.l2, &grad);
  std::deque<std::pair<Matrix, Matrix>> memory; // (s, y) pairs, newest last
  std::deque<double> rho;
  int it = 0;
  for (; it < o.maxIterations; ++it) {
    if (grad.lpNorm<Eigen::Infinity>() <= o.gradTol) {
      m.converged = true;
      break;
    }
    // Two-loop recursion: direction = -H grad.
    Matrix q = grad;
    std::vector<double> alpha(memory.size());
    for (size_t k = memory.size(); k-- > 0;) {
      alpha[k] = rho[k] * dot(memory[k].first, q);
      q -= alpha[k] * memory[k].second;
    }
    if (!memory.empty()) {
      const auto &[s, yv] = memory.back();
      q *= dot(s, yv) / dot(yv, yv);
    } else {
      q /= std::max(1.0, grad.norm()); // first step: a bounded steepest-descent step
    }
    for (size_t k = 0; k < memory.size(); ++k) {
      double beta = rho[k] * dot(memory[k].second, q);
      q += (alpha[k] - beta) * memory[k].first;
    }
    Matrix direction = -q;
    double slope = dot(grad, direction);
    if (slope >= 0) { // not a descent direction (round-off): restart from steepest descent
      memory.clear();
      rho.clear();
      direction = -grad / std::max(1.0, grad.norm());
      slope = dot(grad, direction);
    }
    double step = 1.0, fNew = f;
    Matrix thetaNew, gradNew;
    bool accepted = false;
    for (int tries = 0; tries < 60; ++tries) {
      thetaNew = theta + step * direction;
      fNew = objective(A, y, thetaNew, o.l2, &gradNew);
      if (std::isfinite(fNew) && fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted)
      break; // no decrease possible at this precision: as close as it gets
    Matrix s = thetaNew - theta, yv = gradNew - grad;
    double sy = dot(s, yv);
    if (sy > 1e-12 * s.norm() * yv.norm()) {
      memory.emplace_back(std::move(s), std::move(yv));
      rho.push_back(1.0 / sy);
      if ((int)memory.size() > o.history) {
        memory.pop_front();
        rho.pop_front();
      }
    }
    double decrease = f - fNew;
    theta = std::move(thetaNew);
    grad = std::move(gradNew);
    f = fNew;
    if (decrease <= 1e-15 * std::max(1.0, std::abs(f))) {
      ++it;
      m.converged = grad.lpNorm<Eigen::Infinity>() <= std::sqrt(o.gradTol);
      break;
    }
  }
  if (!m.converged && grad.lpNorm<Eigen::Infinity>() <= o.gradTol)
    m.converged = true;
  m.weights = std::move(theta);
  m.iterations = it;
  m.objective = f;
  m.gradInfNorm = grad.lpNorm<Eigen::Infinity>();
  return m;
}

std::vector<int> predictProbe(const ProbeModel &m, const Matrix &X) {
  if (X.cols() + 1 != m.weights.rows())
    throw Error("probe: features of dimension " + std::to_string(X.cols()) +
                ", the classifier was fitted on " + std::to_string(m.weights.rows() - 1));
  Matrix Z = augmented(m, X) * m.weights;
  std::vector<int> out((size_t)X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    Eigen::Index best;
    Z.row(i).maxCoeff(&best);
    out[(size_t)i] = (int)best;
  }
  return out;
}

double accuracy(const std::vector<int> &predicted, const std::vector<int> &y) {
  if (predicted.size() != y.size() || y.empty())
    throw Error("accuracy: " + std::to_string(predicted.size()) + " predictions for " +
                std::to_string(y.size()) + " labels");
  size_t right = 0;
  for (size_t i = 0; i < y.size(); ++i)
    right += predicted[i] == y[i];
  return (double)right / (double)y.size();
}

// ---- PSNR -----------------------------------------------------------------------------------

double psnrFromMse(double mse, double peak) {
  if (!(mse > 0))
    return kMaxPsnr;
  return std::min(kMaxPsnr, 10.0 * std::log10(peak * peak / mse));
}

PsnrResult psnr(const Matrix &reference, const Matrix &x, double peak) {
  if (reference.rows() != x.rows() || reference.cols() != x.cols() || x.size() == 0)
    throw Error("psnr: images of different shapes or none");
  PsnrResult r;
  double sumPsnr = 0, sumSq = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double sq = (x.row(i) - reference.row(i)).squaredNorm();
    if (!std::isfinite(sq))
      throw Error("psnr: image " + std::to_string(i) + " has non-finite values");
    sumSq += sq;
    sumPsnr += psnrFromMse(sq / (double)x.cols(), peak);
  }
  r.meanPsnr = sumPsnr / (double)x.rows();
  r.mse = sumSq / (double)x.size();
  r.aggregatePsnr = psnrFromMse(r.mse, peak);
  return r;
}

} // namespace gnc::quality
