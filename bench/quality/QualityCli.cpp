#include "bench/quality/QualityCli.h"

#include "bench/quality/Quality.h"
#include "runtime/Cli.h"
#include "runtime/Dataset.h"
#include "runtime/Error.h"
#include "runtime/FileIO.h"
#include "runtime/Idx.h"
#include "runtime/Npy.h"
#include "runtime/SafeTensors.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <new>
#include <sstream>

namespace gnc::quality {
namespace {

using json = nlohmann::ordered_json;
using rt::Args;
using rt::Error;
using rt::FlagSpec;

constexpr const char *kProg = "gnc-quality";

const char *kUsage = R"(usage: gnc-quality COMMAND [flags]

Checks the seed lecture's claims about trained autoencoders. Every command prints one line
(with --json: that line on stderr and one JSON object on stdout) and exits 0 when the check
passes, 1 when it misses its threshold, 2 on bad usage or input.

  gnc-quality pca --checkpoint C.safetensors [--data DIR] [--q 10] [--limit N]
        [--encoder encoder.dense_0] [--decoder decoder.dense_0] [--scale-batch 128]
        [--max-angle-deg 5] [--max-mse-gap 0.01] [--json]
    AE <=> PCA for a linear autoencoder (models/linear_ae.gn): the principal angles between
    the decoder's row space (PREFIX.weight [q, 784]) and the top-q principal subspace of the
    MNIST training images (first N with --limit; pixels byte/255, centred with the mean over
    those images), and the autoencoder's reconstruction error
    ||X - ((X We + be) Wd + bd)||^2 against PCA's optimal rank-q error (the sum of the
    discarded eigenvalues of X^T X), both on the data scaled by 1/sqrt(SCALE_BATCH), the
    scale the model trained on (its batch size; 0: 1/sqrt(number of images)).
    Passes when the largest angle < MAX_ANGLE_DEG and (E_ae - E_pca) / E_pca < MAX_MSE_GAP.

  gnc-quality probe --train-codes A.npy --train-labels L.npy --test-codes B.npy
        --test-labels M.npy [--min-accuracy 0.9] [--l2 1e-4] [--max-iterations 1000] [--json]
    Classification with latent features: softmax regression with bias on the codes ([N, d]),
    standardised with the training mean and deviation, fitted by L-BFGS on the mean
    cross-entropy + (l2/2)||theta||^2; K = largest label + 1 classes. Passes when the test
    accuracy >= MIN_ACCURACY.

  gnc-quality roc --scores S.npy --labels L.npy --positive CLASS [--min-auc 0.9] [--fpr 0.05]
        [--json]
    Anomaly detection: the ROC AUC of the scores ([N] or [N, 1], higher = more anomalous) for
    label == CLASS against the other labels (Mann-Whitney U, ties counted half), and the true
    positive rate at false positive rate FPR. Passes when AUC >= MIN_AUC.

  gnc-quality psnr --clean DIR|X.npy --noisy N.npy --denoised D.npy [--limit N]
        [--peak 1] [--min-gain-db 0] [--json]
    Denoising: PSNR (dB, peak 1) of the noisy and of the denoised images against the clean
    ones, per image then averaged, and of the MSE over all images. --clean is an .npy or an
    MNIST directory (t10k-images-idx3-ubyte, pixels byte/255); its first rows are matched with
    the rows of the other two files ([N, ...] with as many elements per row as a clean image).
    Passes when the denoised mean PSNR exceeds the noisy one by more than MIN_GAIN_DB.

Data: --data DIR, else $GNC_DATA, else the build's data/mnist.
)";

// ---- flags ----------------------------------------------------------------------------------

double number(const Args &a, const std::string &flag, double otherwise, double min, double max) {
  if (!a.has(flag))
    return otherwise;
  std::string s = a.str(flag);
  errno = 0;
  char *end = nullptr;
  double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v) || v < min || v > max) {
    std::ostringstream os;
    os << "--" << flag << " '" << s << "': expected a number from " << min << " to " << max;
    throw Error(os.str());
  }
  return v;
}

std::string required(const Args &a, const std::string &command, const std::string &flag) {
  std::string v = a.str(flag);
  if (v.empty())
    throw Error("'" + command + "' needs --" + flag);
  return v;
}

// ---- inputs ---------------------------------------------------------------------------------

struct Checkpoint {
  std::string path;
  std::vector<uint8_t> bytes;
  rt::SafeTensorsView view;
};

// A tensor of the checkpoint as a matrix (1-D: a column vector), F32 or F64.
Matrix tensor(const Checkpoint &c, const std::string &name, size_t dims) {
  const rt::SafeTensorInfo *t = c.view.find(name);
  if (!t) {
    std::string names;
    for (const rt::SafeTensorInfo &i : c.view.tensors)
      names += (names.empty() ? "" : ", ") + i.name;
    throw Error(c.path + ": no tensor '" + name + "' (it holds: " + names + ")");
  }
  if (t->shape.size() != dims)
    throw Error(c.path + ": tensor '" + name + "' has shape " + rt::shapeString(t->shape) +
                ", expected " + std::to_string(dims) + " dimensions");
  const uint64_t rows = t->shape[0], cols = dims == 2 ? t->shape[1] : 1;
  Matrix m(rows, cols);
  const uint8_t *p = c.view.bytesOf(*t);
  for (uint64_t i = 0; i < rows; ++i)
    for (uint64_t j = 0; j < cols; ++j) {
      uint64_t k = i * cols + j;
      if (t->dtype == "F32") {
        float f;
        std::memcpy(&f, p + 4 * k, 4);
        m(i, j) = f;
      } else if (t->dtype == "F64") {
        std::memcpy(&m(i, j), p + 8 * k, 8);
      } else {
        throw Error(c.path + ": tensor '" + name + "' has dtype " + t->dtype +
                    " (F32 or F64 expected)");
      }
    }
  if (!m.allFinite())
    throw Error(c.path + ": tensor '" + name + "' holds NaN or infinite values");
  return m;
}

// An .npy file as an N x (elements per row) matrix.
Matrix npyMatrix(const std::string &path, const rt::NpyArray &a) {
  if (a.shape.empty())
    throw Error(path + ": a scalar, expected an array with one row per sample");
  const uint64_t rows = a.rows(), cols = a.rowElements();
  if (rows == 0 || cols == 0)
    throw Error(path + ": empty array of shape " + rt::shapeString(a.shape));
  Matrix m(rows, cols);
  for (uint64_t i = 0; i < rows; ++i)
    for (uint64_t j = 0; j < cols; ++j)
      m(i, j) = a.data[i * cols + j];
  return m;
}

Matrix loadMatrix(const std::string &path) { return npyMatrix(path, rt::loadNpy(path)); }

// Labels: an .npy of shape [N] or [N, 1] holding integers in [0, 255].
std::vector<int> loadLabels(const std::string &path) {
  rt::NpyArray a = rt::loadNpy(path);
  if (a.shape.empty() || a.shape.size() > 2 || a.rowElements() != 1)
    throw Error(path + ": labels of shape " + rt::shapeString(a.shape) +
                ", expected [N] or [N, 1]");
  std::vector<int> y(a.data.size());
  for (size_t i = 0; i < y.size(); ++i) {
    float v = a.data[i];
    if (!(v >= 0 && v <= 255 && v == std::floor(v)))
      throw Error(path + ": label " + std::to_string(i) + " is " + std::to_string(v) +
                  ", expected an integer class in [0, 255]");
    y[i] = (int)v;
  }
  if (y.empty())
    throw Error(path + ": no labels");
  return y;
}

// MNIST images (rows x cols bytes) as a matrix of byte/255, one image per row, first n.
Matrix imagesMatrix(const rt::ImageSet &s, size_t n) {
  Matrix m(n, s.imageBytes());
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *p = s.image(i);
    for (size_t j = 0; j < s.imageBytes(); ++j)
      m(i, j) = p[j] / 255.0;
  }
  return m;
}

std::string shapeOf(const Matrix &m) {
  return "[" + std::to_string(m.rows()) + ", " + std::to_string(m.cols()) + "]";
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// ---- output ---------------------------------------------------------------------------------

struct Output {
  bool jsonOut;
  std::ostream &out, &err;
  int emit(const std::string &line, const json &j, bool pass) {
    (jsonOut ? err : out) << line << std::endl;
    if (jsonOut)
      out << j.dump() << std::endl;
    return pass ? 0 : 1;
  }
};

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

std::string sci(double v) {
  std::ostringstream os;
  os << std::scientific << std::setprecision(4) << v;
  return os.str();
}

// ---- commands -------------------------------------------------------------------------------

constexpr double kPi = 3.14159265358979323846;

int cmdPca(const Args &a, Output &o) {
  const std::string ckptPath = required(a, "pca", "checkpoint");
  const uint64_t q = a.uint("q", 1, 784).value_or(10);
  const uint64_t limit = a.uint("limit", 1, UINT32_MAX).value_or(0);
  const std::string encoder = a.str("encoder", "encoder.dense_0");
  const std::string decoder = a.str("decoder", "decoder.dense_0");
  const double scaleBatch = (double)a.uint("scale-batch", 0, UINT32_MAX).value_or(128);
  const double maxAngle = number(a, "max-angle-deg", 5.0, 0.0, 90.0);
  const double maxGap = number(a, "max-mse-gap", 0.01, 0.0, 1e300);

  Checkpoint c;
  c.path = ckptPath;
  c.bytes = rt::readFile(ckptPath);
  c.view = rt::parseSafeTensors(c.bytes.data(), c.bytes.size(), ckptPath);
  Matrix We = tensor(c, encoder + ".weight", 2), be = tensor(c, encoder + ".bias", 1);
  Matrix Wd = tensor(c, decoder + ".weight", 2), bd = tensor(c, decoder + ".bias", 1);
  if ((uint64_t)We.cols() != q || (uint64_t)Wd.rows() != q)
    throw Error(ckptPath + ": " + encoder + ".weight is " + shapeOf(We) + " and " + decoder +
                ".weight " + shapeOf(Wd) + ", expected [784, " + std::to_string(q) + "] and [" +
                std::to_string(q) + ", 784] (--q " + std::to_string(q) + ")");

  const std::string dir = rt::resolveDataDir(a.str("data"));
  rt::ImageSet train = rt::loadIdxImages(dir + "/train-images-idx3-ubyte", 28, 28);
  const size_t m = limit ? std::min<size_t>(limit, train.count) : train.count;
  if (m < 2)
    throw Error("pca needs at least 2 images");
  Matrix X = imagesMatrix(train, m);
  train.pixels = {};
  Eigen::RowVectorXd mean = X.colwise().mean();
  X.rowwise() -= mean;
  const double scaleRows = scaleBatch > 0 ? scaleBatch : (double)m;
  X /= std::sqrt(scaleRows);

  PcaComparison r = compareWithPca(X, We, be.col(0), Wd, bd.col(0));
  std::vector<double> anglesDeg;
  for (Eigen::Index i = 0; i < r.anglesRad.size(); ++i)
    anglesDeg.push_back(r.anglesRad(i) * 180.0 / kPi);
  const double largest = anglesDeg.back();
  const double gap = r.ePca > 0 ? (r.eAe - r.ePca) / r.ePca : (r.eAe > 0 ? INFINITY : 0.0);
  const double gapShown = std::abs(gap) < 5e-6 ? 0.0 : gap; // no "-0.000%"
  const double explained = r.total > 0 ? 1.0 - r.ePca / r.total : 1.0;
  const bool anglePass = largest < maxAngle, gapPass = gap < maxGap;
  const bool pass = anglePass && gapPass;

  json j;
  j["check"] = "pca";
  j["pass"] = pass;
  j["checkpoint"] = ckptPath;
  j["images"] = m;
  j["q"] = q;
  j["scale_rows"] = scaleRows;
  j["max_angle_deg"] = largest;
  j["angles_deg"] = anglesDeg;
  j["e_ae"] = r.eAe;
  j["e_pca"] = r.ePca;
  j["mse_gap"] = gap;
  // The errors as a batch of SCALE_BATCH images contributes them (the training loss's units).
  j["e_ae_per_batch"] = r.eAe * scaleRows / (double)m;
  j["e_pca_per_batch"] = r.ePca * scaleRows / (double)m;
  j["explained_variance"] = explained;
  auto list = [](const Vector &v, Eigen::Index count) {
    return std::vector<double>(v.data(), v.data() + std::min(count, v.size()));
  };
  j["top_eigenvalues"] = list(r.eigenvalues, (Eigen::Index)q + 1); // of X^T X, scaled data
  j["decoder_singular_values"] = list(r.decoderSingular, r.decoderSingular.size());
  j["thresholds"] = {{"max_angle_deg", maxAngle}, {"max_mse_gap", maxGap}};
  std::string line = std::string("pca: ") + (pass ? "PASS" : "FAIL") +
                     " largest principal angle " + fixed(largest, 3) + " deg (limit " +
                     fixed(maxAngle, 2) + "), AE error " + sci(r.eAe) + " vs PCA " +
                     sci(r.ePca) + ": gap " + (gapShown >= 0 ? "+" : "") +
                     fixed(100 * gapShown, 3) +
                     "% (limit " + fixed(100 * maxGap, 2) + "%); q=" + std::to_string(q) + ", " +
                     std::to_string(m) + " images, top-" + std::to_string(q) +
                     " explained variance " + fixed(100 * explained, 2) + "%";
  return o.emit(line, j, pass);
}

int cmdProbe(const Args &a, Output &o) {
  const std::string trainCodes = required(a, "probe", "train-codes");
  const std::string trainLabels = required(a, "probe", "train-labels");
  const std::string testCodes = required(a, "probe", "test-codes");
  const std::string testLabels = required(a, "probe", "test-labels");
  const double minAccuracy = number(a, "min-accuracy", 0.9, 0.0, 1.0);
  ProbeOptions options;
  options.l2 = number(a, "l2", 1e-4, 1e-12, 1e6);
  options.maxIterations = (int)a.uint("max-iterations", 1, 1000000).value_or(1000);

  Matrix Xtr = loadMatrix(trainCodes), Xte = loadMatrix(testCodes);
  std::vector<int> ytr = loadLabels(trainLabels), yte = loadLabels(testLabels);
  if ((size_t)Xtr.rows() != ytr.size())
    throw Error(trainCodes + ": " + std::to_string(Xtr.rows()) + " rows but " + trainLabels +
                " holds " + std::to_string(ytr.size()) + " labels");
  if ((size_t)Xte.rows() != yte.size())
    throw Error(testCodes + ": " + std::to_string(Xte.rows()) + " rows but " + testLabels +
                " holds " + std::to_string(yte.size()) + " labels");
  if (Xtr.cols() != Xte.cols())
    throw Error(testCodes + ": codes of dimension " + std::to_string(Xte.cols()) + ", " +
                trainCodes + " has " + std::to_string(Xtr.cols()));
  if (!Xtr.allFinite() || !Xte.allFinite())
    throw Error("probe: the codes hold NaN or infinite values");
  int classes = std::max(*std::max_element(ytr.begin(), ytr.end()),
                         *std::max_element(yte.begin(), yte.end())) + 1;
  classes = std::max(classes, 2);

  ProbeModel model = fitSoftmaxProbe(Xtr, ytr, classes, options);
  double trainAcc = accuracy(predictProbe(model, Xtr), ytr);
  double testAcc = accuracy(predictProbe(model, Xte), yte);
  const bool pass = testAcc >= minAccuracy;
  json j;
  j["check"] = "probe";
  j["pass"] = pass;
  j["train_accuracy"] = trainAcc;
  j["test_accuracy"] = testAcc;
  j["train_samples"] = Xtr.rows();
  j["test_samples"] = Xte.rows();
  j["features"] = Xtr.cols();
  j["classes"] = classes;
  j["l2"] = options.l2;
  j["iterations"] = model.iterations;
  j["converged"] = model.converged;
  j["objective"] = model.objective;
  j["gradient_inf_norm"] = model.gradInfNorm;
  j["thresholds"] = {{"min_accuracy", minAccuracy}};
  std::string line = std::string("probe: ") + (pass ? "PASS" : "FAIL") + " test accuracy " +
                     fixed(100 * testAcc, 2) + "% (minimum " + fixed(100 * minAccuracy, 2) +
                     "%), train " + fixed(100 * trainAcc, 2) + "%; " +
                     std::to_string(Xtr.cols()) + "-d codes, " + std::to_string(classes) +
                     " classes, " + std::to_string(model.iterations) + " L-BFGS iterations" +
                     (model.converged ? "" : " (not converged)");
  return o.emit(line, j, pass);
}

int cmdRoc(const Args &a, Output &o) {
  const std::string scoresPath = required(a, "roc", "scores");
  const std::string labelsPath = required(a, "roc", "labels");
  if (!a.has("positive"))
    throw Error("'roc' needs --positive CLASS");
  const int positive = (int)*a.uint("positive", 0, 255);
  const double minAuc = number(a, "min-auc", 0.9, 0.0, 1.0);
  const double atFpr = number(a, "fpr", 0.05, 0.0, 1.0);

  rt::NpyArray s = rt::loadNpy(scoresPath);
  if (s.shape.empty() || s.shape.size() > 2 || s.rowElements() != 1 || s.rows() == 0)
    throw Error(scoresPath + ": scores of shape " + rt::shapeString(s.shape) +
                ", expected [N] or [N, 1]");
  std::vector<int> y = loadLabels(labelsPath);
  if (y.size() != s.data.size())
    throw Error(scoresPath + ": " + std::to_string(s.data.size()) + " scores but " + labelsPath +
                " holds " + std::to_string(y.size()) + " labels");
  std::vector<double> scores(s.data.begin(), s.data.end());
  std::vector<bool> isPositive(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    isPositive[i] = y[i] == positive;
  RocResult r = rocAuc(scores, isPositive, atFpr);
  const bool pass = r.auc >= minAuc;
  json j;
  j["check"] = "roc";
  j["pass"] = pass;
  j["auc"] = r.auc;
  j["positive_class"] = positive;
  j["positives"] = r.positives;
  j["negatives"] = r.negatives;
  j["fpr"] = atFpr;
  j["tpr_at_fpr"] = r.tprAtFpr;
  j["thresholds"] = {{"min_auc", minAuc}};
  std::string line = std::string("roc: ") + (pass ? "PASS" : "FAIL") + " AUC " +
                     fixed(r.auc, 4) + " (minimum " + fixed(minAuc, 3) + ") for class " +
                     std::to_string(positive) + " (" + std::to_string(r.positives) +
                     " positives, " + std::to_string(r.negatives) + " negatives); TPR " +
                     fixed(100 * r.tprAtFpr, 2) + "% at " + fixed(100 * atFpr, 1) + "% FPR";
  return o.emit(line, j, pass);
}

int cmdPsnr(const Args &a, Output &o) {
  const std::string cleanPath = required(a, "psnr", "clean");
  const std::string noisyPath = required(a, "psnr", "noisy");
  const std::string denoisedPath = required(a, "psnr", "denoised");
  const uint64_t limit = a.uint("limit", 1, UINT32_MAX).value_or(0);
  const double peak = number(a, "peak", 1.0, 1e-300, 1e300);
  const double minGain = number(a, "min-gain-db", 0.0, -1e3, 1e3);

  Matrix noisy = loadMatrix(noisyPath), denoised = loadMatrix(denoisedPath);
  if (noisy.rows() != denoised.rows() || noisy.cols() != denoised.cols())
    throw Error(denoisedPath + ": " + std::to_string(denoised.rows()) + " x " +
                std::to_string(denoised.cols()) + " values, " + noisyPath + " has " +
                std::to_string(noisy.rows()) + " x " + std::to_string(noisy.cols()));
  size_t n = (size_t)noisy.rows();
  if (limit)
    n = std::min<size_t>(n, limit);
  Matrix clean;
  std::string cleanWhat = cleanPath;
  if (isDirectory(cleanPath)) {
    cleanWhat = cleanPath + "/t10k-images-idx3-ubyte";
    rt::ImageSet test = rt::loadIdxImages(cleanWhat, 28, 28);
    if (test.count < n)
      throw Error(cleanWhat + ": " + std::to_string(test.count) + " images, fewer than the " +
                  std::to_string(n) + " rows of " + noisyPath);
    clean = imagesMatrix(test, n);
  } else {
    clean = loadMatrix(cleanPath);
    if ((size_t)clean.rows() < n)
      throw Error(cleanPath + ": " + std::to_string(clean.rows()) + " rows, fewer than the " +
                  std::to_string(n) + " rows of " + noisyPath);
    clean.conservativeResize((Eigen::Index)n, Eigen::NoChange);
  }
  if (clean.cols() != noisy.cols())
    throw Error(noisyPath + ": " + std::to_string(noisy.cols()) + " values per row, the clean "
                "images have " + std::to_string(clean.cols()));
  PsnrResult before = psnr(clean, noisy.topRows((Eigen::Index)n), peak);
  PsnrResult after = psnr(clean, denoised.topRows((Eigen::Index)n), peak);
  const double gain = after.meanPsnr - before.meanPsnr;
  const bool pass = gain > minGain;
  json j;
  j["check"] = "psnr";
  j["pass"] = pass;
  j["images"] = n;
  j["peak"] = peak;
  j["noisy_psnr"] = before.meanPsnr;
  j["denoised_psnr"] = after.meanPsnr;
  j["gain_db"] = gain;
  j["noisy_psnr_aggregate"] = before.aggregatePsnr;
  j["denoised_psnr_aggregate"] = after.aggregatePsnr;
  j["noisy_mse"] = before.mse;
  j["denoised_mse"] = after.mse;
  j["thresholds"] = {{"min_gain_db", minGain}};
  std::string line = std::string("psnr: ") + (pass ? "PASS" : "FAIL") + " denoised " +
                     fixed(after.meanPsnr, 2) + " dB vs noisy " + fixed(before.meanPsnr, 2) +
                     " dB (gain " + (gain >= 0 ? "+" : "") + fixed(gain, 2) +
                     " dB; aggregate " + fixed(after.aggregatePsnr, 2) + " vs " +
                     fixed(before.aggregatePsnr, 2) + " dB); " + std::to_string(n) + " images";
  return o.emit(line, j, pass);
}

} // namespace

int qualityMain(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err) {
  bool jsonOut = false;
  for (const std::string &s : argv)
    jsonOut |= s == "--json";
  try {
    if (argv.empty()) {
      err << kUsage;
      return rt::ExitUsage;
    }
    const std::string command = argv[0];
    if (command == "help" || command == "--help" || command == "-h") {
      out << kUsage;
      return 0;
    }
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    for (const std::string &s : args)
      if (s == "--help" || s == "-h") {
        out << kUsage;
        return 0;
      }
    Output o{jsonOut, out, err};
    auto with = [](std::vector<FlagSpec> f) {
      f.push_back({"json", false});
      return f;
    };
    if (command == "pca")
      return cmdPca(Args::parse(command, args,
                                with({{"checkpoint", true}, {"data", true}, {"q", true},
                                      {"limit", true}, {"encoder", true}, {"decoder", true},
                                      {"scale-batch", true}, {"max-angle-deg", true},
                                      {"max-mse-gap", true}})),
                    o);
    if (command == "probe")
      return cmdProbe(Args::parse(command, args,
                                  with({{"train-codes", true}, {"train-labels", true},
                                        {"test-codes", true}, {"test-labels", true},
                                        {"min-accuracy", true}, {"l2", true},
                                        {"max-iterations", true}})),
                      o);
    if (command == "roc")
      return cmdRoc(Args::parse(command, args,
                                with({{"scores", true}, {"labels", true}, {"positive", true},
                                      {"min-auc", true}, {"fpr", true}})),
                    o);
    if (command == "psnr")
      return cmdPsnr(Args::parse(command, args,
                                 with({{"clean", true}, {"noisy", true}, {"denoised", true},
                                       {"limit", true}, {"peak", true}, {"min-gain-db", true}})),
                     o);
    throw Error("unknown command '" + command + "' (commands: pca, probe, roc, psnr, help)");
  } catch (const Error &e) {
    out.flush();
    err << kProg << ": error: " << e.what() << std::endl;
    if (jsonOut)
      out << json{{"error", e.what()}, {"exit_status", (int)rt::ExitUsage}}.dump() << std::endl;
    return rt::ExitUsage;
  } catch (const std::bad_alloc &) {
    err << kProg << ": error: out of memory" << std::endl;
    return rt::ExitUsage;
  } catch (const std::exception &e) {
    err << kProg << ": error: " << Error::oneLine(e.what()) << std::endl;
    return rt::ExitUsage;
  }
}

} // namespace gnc::quality
