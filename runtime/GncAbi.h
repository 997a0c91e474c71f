// The ABI between the object file that gnc generates for a model and this runtime. Both sides
// are fixed by it; gnc's code generator emits exactly these symbols.
//
//   gnc_model_info  NUL-terminated JSON describing the model (ModelInfo.h parses it):
//                   {"model","batch","dataset","input","input_shape","model_hash","backend",
//                    "build_flags","state":[{"name","shape","trainable"}...],
//                    "entries":[{"name","kind":"init|train|eval|sample","symbol",
//                                "losses"(train, eval),"takes_input","output_shape"(sample),
//                                "input_shape"(sample taking an input; default: the model's)}
//                              ...]}
//   gnc_entries     {symbol name, function} pairs, terminated by {nullptr, nullptr}; the runtime
//                   resolves every entry's "symbol" through it (no dlsym).
//   gnc_entry_*     void fn(void **buffers): arguments then results, each a contiguous row-major
//                   64-byte-aligned buffer of its static shape. All state tensors are f32
//                   (shape [] is a scalar); a key is int32[2].
//                     init:   (key) -> (state[0..N-1])
//                     train:  (input, key, state[0..N-1]) -> (losses[0..L-1], new state[0..N-1])
//                     eval:   (input, key, state[0..N-1]) -> (losses[0..L-1])
//                             (train NAME's losses without the update, NAME_eval; test losses)
//                     sample: ([input,] key, state[0..N-1]) -> (output)
//                   Result buffers never alias argument buffers.
//   gnc_kernel_functions  only in objects built with `gnc build --kernel-bench`: {name,
//                   function} pairs ending in {nullptr, nullptr}, one per outlined kernel
//                   function, each `void fn(void **args)` with one pointer per argument (a
//                   buffer, or the address of a scalar's value) as the model info's
//                   "kernel_functions" describes them (ModelInfo.h; runtime/KernelBench.cpp).
//   gnc_num_threads defined here (Threads.cpp), set from --threads before any entry runs; the
//                   kernels' OpenMP pool gets the same count through OMP_NUM_THREADS (and
//                   Halide kernels' pool through HL_NUM_THREADS).
#ifndef GNC_RUNTIME_GNCABI_H
#define GNC_RUNTIME_GNCABI_H

extern "C" {

struct GncEntry {
  const char *name;
  void (*fn)(void **buffers);
};

extern const char gnc_model_info[];
extern const GncEntry gnc_entries[];
extern const GncEntry gnc_kernel_functions[]; // --kernel-bench objects only
extern int gnc_num_threads;

} // extern "C"

#endif
