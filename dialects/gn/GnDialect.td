//===- GnDialect.td - the gn dialect ---------------------------*- tablegen -*-===//
#ifndef GNC_DIALECTS_GN_GNDIALECT_TD
#define GNC_DIALECTS_GN_GNDIALECT_TD

include "mlir/IR/OpBase.td"

def Gn_Dialect : Dialect {
  let name = "gn";
  let cppNamespace = "::mlir::gn";
  let summary = "Generative-network operations on statically shaped tensors";
  let description = [{
    The `gn` dialect is what the .gn front end produces: trainable parameters (`gn.param`),
    neural-network layers, losses, counter-based random numbers and optimizer steps
    (`gn.minimize`) on ranked, statically shaped tensors of f32 (i32 for indices). Images are
    NHWC, convolution kernels HWIO (HWOI for transposed convolutions). Broadcasting is always
    explicit (`gn.broadcast`). Nets, train steps and samplers are `func.func`s and loops are
    `scf.for`.
  }];
  let hasConstantMaterializer = 1;

  // The contract between the stages: what the front end, gn-autodiff, the model info and the
  // backends read and write besides ops. The verifier (GnDialect.cpp) checks each one's type,
  // value and place; an unknown `gn.` attribute is an error, so a misspelt name is caught.
  let discardableAttrs = (ins
    // On func.func: what the function is, a FunctionKind ("net", "train", "sample", and from
    // gn-autodiff on "eval" and "init").
    "::mlir::StringAttr":$kind,
    // On train and eval functions: the names of the first results (losses, then reports).
    "::mlir::ArrayAttr":$losses,
    // On the module: the batch size B (i64, positive).
    "::mlir::IntegerAttr":$batch,
    // On the module: the name of the data input and the data set it comes from.
    "::mlir::StringAttr":$input,
    "::mlir::StringAttr":$dataset,
    // On a gn.param that gn-autodiff declared for an optimizer (not trainable).
    "::mlir::UnitAttr":$optimizer_state,
    // On function arguments and results (from gn-autodiff on): the gn.param they carry.
    "::mlir::StringAttr":$state,
    // Data parallelism (gn-data-parallel): on a gn.minimize, how gn-autodiff all-reduces its
    // gradients over the processes ("mean" or "sum", as the loss's reduction over the batch
    // requires); on a random op whose leading dimension is the batch, that each process draws
    // its own rows of the global batch (element indices start at rank x element count).
    "::mlir::StringAttr":$gradient_reduction,
    "::mlir::UnitAttr":$shard
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class Gn_Op<string mnemonic, list<Trait> traits = []> : Op<Gn_Dialect, mnemonic, traits>;

#endif // GNC_DIALECTS_GN_GNDIALECT_TD
