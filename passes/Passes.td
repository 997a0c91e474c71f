//===- Passes.td - gnc's passes --------------------------------*- tablegen -*-===//
#ifndef GNC_PASSES_PASSES_TD
#define GNC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def GnDecompose : Pass<"gn-decompose", "::mlir::ModuleOp"> {
  let summary = "Rewrites composite gn ops (group_norm) into primitive gn ops";
  let description = [{
    group_norm becomes reshape / mean / sub / square / sqrt / div / mul / add, so that
    gn-autodiff only needs the primitive ops' gradient rules.
  }];
}

def GnAutodiff : Pass<"gn-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of gn.minimize, optimizer updates, explicit state";
  let description = [{
    Turns the program's mutable state (gn.param) into function arguments and results:
    every train and sample function takes the state tensors (trainable parameters, then the
    optimizer state this pass declares) after its own arguments, in module order, each marked
    `gn.state = "NAME"`; train functions also return the updated state after their losses.
    Each gn.minimize becomes the gradient of its loss with respect to its parameters, built by
    reverse-mode differentiation with the ops' DifferentiableOpInterface rules, followed by the
    optimizer's update (sgd with momentum/nesterov/weight decay, adam, adamw, rmsprop; optional
    weight clipping). A minimize that gn-data-parallel marked `gn.gradient_reduction` has all
    its gradients all-reduced (gn.all_reduce, as one concatenated buffer) between the reverse
    pass and the update. Statements after a minimize read the updated values. Calls must have
    been inlined. Also creates `@init(key) -> state`, which draws the initial values, and for each
    train function NAME a function NAME_eval (gn.kind "eval") with the same arguments that
    returns only the losses, for evaluating a test set without changing the state.
  }];
}

def GnDataParallel : Pass<"gn-data-parallel", "::mlir::ModuleOp"> {
  let summary = "Makes every train step one process's share of a data-parallel step";
  let description = [{
    Runs before gn-autodiff (after inlining and gn-decompose), only for `--data-parallel` /
    `gnc build --mpi`. Each process trains on its own B rows of a global batch of P x B
    (P processes, read at run time). The pass finds the per-example values of every train
    function (its data arguments and the random tensors whose leading dimension is the
    batch, which it marks `gn.shard`: process r draws rows r*B.. of the global batch's random
    numbers, so the run matches one process with batch P x B), and classifies every scalar
    computed from them as a mean or a sum over the batch. Each gn.minimize gets
    `gn.gradient_reduction = "mean"` or `"sum"` accordingly; gn-autodiff then all-reduces
    all of that minimize's gradients as one flat buffer (gn.all_reduce) before its optimizer
    update. The losses the function returns are all-reduced the same way (hence the eval
    function's too). A loss that is neither, or a value that mixes the examples of the batch
    other than by reducing it into a loss (a batch statistic used per example, a transpose
    of the batch dimension), is an error: the processes could not reproduce one large batch.
  }];
}

def GnTransposedConvToConv : Pass<"gn-transposed-conv-to-conv", "::mlir::ModuleOp"> {
  let summary = "Rewrites every gn.conv2d_transpose as stride-1 gn.conv2d in the form its gnc.algorithm names";
  let description = [{
    Runs after gn-autodiff, so it also rewrites the input gradients of strided convolutions
    (gn-autodiff emits them as gn.conv2d_transpose). The form is the op's `gnc.algorithm`
    attribute, which gnc-select-algorithms sets (this pass never decides):
    "zero_insertion" is gn.dilate (s-1 zeros between input pixels, padded by d*(k-1)-p and
    the output padding; rows beyond are cropped with gn.slice), gn.flip_kernel and one
    stride-1 gn.conv2d; "subpixel" (dilation 1) is, per output residue, a gn.pad + gn.slice
    window of the input and a stride-1 gn.conv2d with that residue's gn.flip_kernel
    sub-kernel, the s*s parts assembled by gn.interleave, then the bias (gn.broadcast +
    gn.add). An op without a realizable algorithm is an error.
  }];
}

#endif
