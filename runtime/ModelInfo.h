// The model description that the generated object carries (gnc_model_info, see GncAbi.h),
// parsed and checked, with every entry's function resolved through the gnc_entries table.
#ifndef GNC_RUNTIME_MODELINFO_H
#define GNC_RUNTIME_MODELINFO_H

#include "runtime/GncAbi.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gnc::rt {

using Shape = std::vector<int64_t>;

// Product of the dimensions (1 for a scalar). Shapes were checked at parse time, so this cannot
// overflow for a parsed model.
size_t numElements(const Shape &shape);
// "[3,3,1,32]", "[]" for a scalar.
std::string shapeString(const Shape &shape);

struct TensorSpec {
  std::string name;
  Shape shape;
  bool trainable = false;
  size_t elements() const { return numElements(shape); }
  size_t bytes() const { return elements() * sizeof(float); }
};

struct EntrySpec {
  std::string name;   // the procedure's name in the .gn file (step, generate, ...)
  std::string kind;   // init | train | eval (a train procedure's losses, no update) | sample
  std::string symbol; // gnc_entry_<name>
  std::vector<std::string> losses; // train: one f32 scalar result each, in this order
  bool takesInput = false;         // sample: whether the input batch is the first argument
  Shape inputShape;                // sample taking input: its "input_shape" (batch first), else
                                   // the model's input shape; empty when it takes none
  Shape outputShape;               // sample
  void (*fn)(void **) = nullptr;
};

// A generated kernel, by the id its gnc_kernel_begin/end calls pass (Profile.h).
struct KernelSpec {
  std::string name;    // what it computes, e.g. "conv2d_s2_7x7x64" (gnc-name-kernels)
  std::string backend; // the backend that generated it
  double flops = 0;    // per call
  double bytes = 0;    // operands read and written, per call
  std::string signature; // the schedule file's key, "conv_2d_nhwc_hwcf_s2x2_d1x1[128,7,7,64,3,3,32]"
  std::vector<std::string> entries; // the entry functions that call it
};

// An argument of a kernel function: a buffer of `shape` and `dtype`, or a scalar of `dtype`.
struct KernelArgSpec {
  bool scalar = false;
  std::string dtype; // "f32", "i32", "i64", "i1", ...
  Shape shape;       // buffers only
};

// A kernel as a function of its own ("kernel_functions", objects built with --kernel-bench).
struct KernelFunctionSpec {
  std::string name;   // the benchmark's name: the kernel's, with "#2"... for further functions
  size_t kernel = 0;  // index into ModelInfo::kernels
  std::string symbol; // gnc_kernel_fn_..., resolved through gnc_kernel_functions
  std::vector<KernelArgSpec> args;
};

struct ModelInfo {
  std::string model;
  int64_t batch = 0;
  std::string dataset; // "mnist"
  std::string input;   // the input's name in the .gn file
  Shape inputShape;    // [batch, H, W, C]
  std::string modelHash;
  std::string backend;
  std::string buildFlags;
  std::vector<TensorSpec> state;
  std::vector<EntrySpec> entries;
  std::vector<KernelSpec> kernels; // optional ("kernels"); empty for objects without hooks
  std::vector<KernelFunctionSpec> kernelFunctions; // optional ("kernel_functions")

  // nullptr when absent.
  const EntrySpec *findEntry(const std::string &kind, const std::string &name = "") const;
  // The entries the commands need; each throws a one-line Error when the model lacks it.
  const EntrySpec &initEntry() const;  // ExitInternal: every compiled model has one
  const EntrySpec &trainEntry() const; // the first train procedure
  const EntrySpec &sampleEntry(const std::string &name) const;

  size_t parameterCount() const;  // elements of the trainable state tensors
  size_t stateElements() const;   // elements of all state tensors
  size_t inputElements() const { return numElements(inputShape); }
};

// Parses and checks `json` (the whole ABI contract: types, shapes, unique names, known kinds)
// and resolves each entry's symbol in `table` (terminated by {nullptr, nullptr}). Errors are
// gnc bugs, not user errors: Error with ExitInternal.
ModelInfo parseModelInfo(const char *json, const GncEntry *table);

} // namespace gnc::rt

#endif
