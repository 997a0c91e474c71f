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
}

class Gn_Op<string mnemonic, list<Trait> traits = []> : Op<Gn_Dialect, mnemonic, traits>;

#endif // GNC_DIALECTS_GN_GNDIALECT_TD
