#include "dialects/gn/GnOptimizers.h"

#include "llvm/ADT/STLExtras.h"

#include <cassert>

using namespace mlir;
using namespace mlir::gn;

using Range = Hyperparameter::Range;

bool Hyperparameter::valid(double v) const {
  switch (range) {
  case Range::NonNegative:
    return v >= 0;
  case Range::Positive:
    return v > 0;
  case Range::Fraction:
    return v >= 0 && v < 1;
  case Range::Rate:
    return v > 0 && v <= 1;
  case Range::Bool:
    return true;
  }
  return false;
}

ArrayRef<Optimizer> gn::optimizers() {
  // Defaults are torch.optim's (adamw's weight decay too).
  static const Hyperparameter lr{"lr", Range::Positive, std::nullopt},
      clip{"clip", Range::Positive, std::nullopt}, lrDecay{"lr_decay", Range::Rate, std::nullopt},
      weightDecay{"weight_decay", Range::NonNegative, 0.0}, eps{"eps", Range::NonNegative, 1e-8},
      beta1{"beta1", Range::Fraction, 0.9}, beta2{"beta2", Range::Fraction, 0.999};
  static const std::vector<Optimizer> table = {
      {"sgd",
       {lr, {"momentum", Range::Fraction, 0.0}, {"nesterov", Range::Bool, 0.0}, weightDecay, clip,
        lrDecay},
       {"momentum"},
       "momentum"},
      {"adam", {lr, beta1, beta2, eps, weightDecay, clip, lrDecay}, {"m", "v"}, ""},
      {"adamw",
       {lr, beta1, beta2, eps, {"weight_decay", Range::NonNegative, 0.01}, clip, lrDecay},
       {"m", "v"},
       ""},
      {"rmsprop",
       {lr, {"alpha", Range::Fraction, 0.99}, eps, weightDecay, clip, lrDecay},
       {"square_avg"},
       ""},
  };
  return table;
}

const Optimizer *gn::findOptimizer(StringRef name) {
  auto all = optimizers();
  const auto *it = llvm::find_if(all, [&](const Optimizer &o) { return o.name == name; });
  return it == all.end() ? nullptr : it;
}

const Hyperparameter *Optimizer::find(StringRef n) const {
  auto it = llvm::find_if(hyper, [&](const Hyperparameter &h) { return h.name == n; });
  return it == hyper.end() ? nullptr : &*it;
}

std::optional<double> Optimizer::value(DictionaryAttr given, StringRef n) const {
  const Hyperparameter *h = find(n);
  assert(h && h->range != Range::Bool && "not an f64 hyperparameter of this optimizer");
  if (auto a = given.getAs<FloatAttr>(n))
    return a.getValueAsDouble();
  return h->dflt;
}

std::vector<std::string> Optimizer::stateSlots(DictionaryAttr given) const {
  if (!slotsWhen.empty() && !(value(given, slotsWhen).value_or(0) > 0))
    return {};
  return std::vector<std::string>(slots.begin(), slots.end());
}
