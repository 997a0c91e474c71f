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
//   gnc_all_reduce_f32  called by the generated code of a program built with `gnc build --mpi`
//                   for every gn.all_reduce: data[0..n-1] becomes the elementwise sum over the
//                   processes (rank order, the same bits on every process), divided by their
//                   number when `mean` is 1. Defined only by runtime/Communicator.cpp
//                   (libgnc_runtime_mpi.a), so a program without --mpi cannot call it.
//   gnc_comm_rank   this process's rank (0 without MPI); the generated code offsets the
//                   element indices of sharded random ops (gn.shard) by rank x element count.
//   gnc_comm_*      the rest of the communicator, which the runtime calls (Processes.h): weak
//                   one-process definitions in Processes.cpp, MPI ones in Communicator.cpp.
#ifndef GNC_RUNTIME_GNCABI_H
#define GNC_RUNTIME_GNCABI_H

#include <stdint.h>

extern "C" {

struct GncEntry {
  const char *name;
  void (*fn)(void **buffers);
};

extern const char gnc_model_info[];
extern const GncEntry gnc_entries[];
extern const GncEntry gnc_kernel_functions[]; // --kernel-bench objects only
extern int gnc_num_threads;

void gnc_all_reduce_f32(float *data, int64_t n, int32_t mean);
int gnc_comm_init(int *argc, char ***argv); // 0, or a nonzero exit status after printing why
void gnc_comm_finalize(void);
int gnc_comm_rank(void);
int gnc_comm_size(void);
int gnc_comm_any(int flag);          // collective: 1 if any process passes a nonzero flag
void gnc_comm_abort(int exitStatus); // ends every process of the run; does not return

} // extern "C"

#endif
