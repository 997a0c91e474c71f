//===- GnOps.td - operations of the gn dialect -----------------*- tablegen -*-===//
//
// Conventions: values are ranked, statically shaped tensors (f32 unless stated, i32 for
// indices), layout NHWC. Shape rules live in GnShapes.{h,cpp}; an op that infers its result
// type implements `static Type inferResultType(Adaptor, std::string &err)` (GnOps.cpp) and
// gets inferReturnTypes (used by builders and the parser) and verify() from GnInferResultType.
//
//===----------------------------------------------------------------------===//
#ifndef GNC_DIALECTS_GN_GNOPS_TD
#define GNC_DIALECTS_GN_GNOPS_TD

include "dialects/gn/GnDialect.td"
include "dialects/gn/GnInterfaces.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types, attributes, resources
//===----------------------------------------------------------------------===//

def GnF32Tensor : StaticShapeTensorOf<[F32]>;
def GnVJP : DeclareOpInterfaceMethods<Gn_DifferentiableOpInterface>;
def GnI32Tensor : StaticShapeTensorOf<[I32]>;
def GnTensor : StaticShapeTensorOf<[F32, I32]>;
// Ops that only passes after gn-autodiff create (they have no gradient rule); gn-autodiff
// rejects a module holding one.
def GnAfterAutodiff : NativeOpTrait<"AfterAutodiff"> {
  let cppNamespace = "::mlir::gn";
}
class GnScalarF32Type : RankedTensorOf<[F32], [HasAnyRankOfPred<[0]>], "tensor<f32>">;
class GnKeyType : RankedTensorOf<[I32],
    [CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getShape() == "
           "::llvm::ArrayRef<int64_t>{2}">], "tensor<2xi32> random key">;
// Results use the plain constraints (their types come from GnInferResultType); operands use
// the buildable ones, so that assembly formats can leave their types out.
def GnScalarF32 : GnScalarF32Type;
def GnScalarF32Operand : GnScalarF32Type,
    BuildableType<"::mlir::RankedTensorType::get({}, $_builder.getF32Type())">;
def GnScalarI32 : RankedTensorOf<[I32], [HasAnyRankOfPred<[0]>], "tensor<i32>">;
def GnKeyResult : GnKeyType;
def GnKey : GnKeyType,
    BuildableType<"::mlir::RankedTensorType::get({2}, $_builder.getI32Type())">;

def Gn_Reduction : I32EnumAttr<"Reduction", "loss reduction", [
    I32EnumAttrCase<"Mean", 0, "mean">,   // mean over all elements
    I32EnumAttrCase<"Sum", 1, "sum">,     // sum over all elements
    I32EnumAttrCase<"Batch", 2, "batch">  // sum per example (dim 0), mean over the batch
  ]> {
  let cppNamespace = "::mlir::gn";
}

// The values of the `gn.kind` function attribute (a string, GnDialect.td).
def Gn_FunctionKind : I32EnumAttr<"FunctionKind", "what a function of a gn program is", [
    I32EnumAttrCase<"Net", 0, "net">,       // called by procedures; inlined at `grad`
    I32EnumAttrCase<"Train", 1, "train">,   // one training step
    I32EnumAttrCase<"Sample", 2, "sample">, // reads the parameters only
    I32EnumAttrCase<"Eval", 3, "eval">,     // a train function's losses without updates
    I32EnumAttrCase<"Init", 4, "init">      // the initial state
  ]> {
  let cppNamespace = "::mlir::gn";
  let genSpecializedAttr = 0;
}

// The trainable parameters: gn.param_ref reads them, gn.minimize writes them.
def Gn_ParamResource : Resource<"::mlir::gn::ParamResource">;

// The processes of a data-parallel run: gn.all_reduce communicates with them, so collectives
// stay in program order (every process must call them in the same order).
def Gn_ProcessesResource : Resource<"::mlir::gn::ProcessesResource">;

// How gn.all_reduce combines the processes' tensors.
def Gn_ProcessReduction : I32EnumAttr<"ProcessReduction", "a reduction across processes", [
    I32EnumAttrCase<"Sum", 0, "sum">,   // elementwise sum over the processes
    I32EnumAttrCase<"Mean", 1, "mean">  // the sum divided by the number of processes
  ]> {
  let cppNamespace = "::mlir::gn";
}

//===----------------------------------------------------------------------===//
// Shared result-type inference
//===----------------------------------------------------------------------===//

// inferReturnTypes (builders, parser) and verify() both call the op's inferResultType, so a
// violated shape rule is reported once, with GnShapes' message. refineReturnTypes (the
// interface's own verifier hook) accepts anything: verify() does that check more precisely.
def GnInferResultType : TraitList<[
  DeclareOpInterfaceMethods<InferTypeOpInterface, ["refineReturnTypes"]>,
  NativeOpTrait<"InferTypeOpAdaptor", [], [{
    static ::llvm::LogicalResult inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes);
    /// The op's shape rule: its result type, or a null type and the reason in `err`.
    static ::mlir::Type inferResultType(Adaptor adaptor, std::string &err);
  }], [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *context,
        std::optional<::mlir::Location> location, ::mlir::ValueRange operands,
        ::mlir::DictionaryAttr attributes, ::mlir::OpaqueProperties properties,
        ::mlir::RegionRange regions, ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      $cppClass::Adaptor adaptor(operands, attributes, properties, regions);
      return inferReturnTypes(context, location, adaptor, inferredReturnTypes);
    }
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      std::string err;
      ::mlir::Type type = inferResultType(adaptor, err);
      if (!type)
        return ::mlir::emitOptionalError(location, "'", getOperationName(), "' op ", err);
      inferredReturnTypes.push_back(type);
      return ::mlir::success();
    }
    ::llvm::LogicalResult $cppClass::refineReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location>, ::mlir::ValueRange, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange, ::llvm::SmallVectorImpl<::mlir::Type> &) {
      return ::mlir::success();
    }
    ::llvm::LogicalResult $cppClass::verify() {
      std::string err;
      ::mlir::Type type = inferResultType(Adaptor(*this), err);
      return ::mlir::gn::detail::verifyResultType(getOperation(), type, err);
    }
  }]>
]>;

class GnInferOp<string mnemonic, list<Trait> traits = []>
    : Gn_Op<mnemonic, !listconcat(traits, [GnInferResultType])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Parameters, optimizer steps, constants
//===----------------------------------------------------------------------===//

def Gn_ParamOp : Gn_Op<"param", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "declares one trainable parameter";
  let description = [{
    A module-level f32 tensor that keeps its value across calls and training steps, named
    `NET.KIND_N.weight` / `.bias`. `init` is "zeros", "ones", "uniform" (values in
    [-scale, scale]) or "normal" (mean 0, standard deviation `scale`); `scale` is required
    for the last two and not allowed for the first two.
    Example: `gn.param @encoder.dense_0.weight : tensor<784x256xf32> init "uniform" scale 0.0357`
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<GnF32Tensor>:$type, StrAttr:$init,
                       OptionalAttr<F64Attr>:$scale);
  let assemblyFormat = "$sym_name `:` $type `init` $init (`scale` $scale^)? attr-dict";
  let hasVerifier = 1;
}

def Gn_ParamRefOp : Gn_Op<"param_ref", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>,
    MemoryEffects<[MemRead<Gn_ParamResource>]>]> {
  let summary = "reads the current value of a parameter";
  let description = [{
    The value of the `gn.param` named `name` (same type), as of the last `gn.minimize`.
    Example: `%w = gn.param_ref @encoder.dense_0.weight : tensor<784x256xf32>`
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Gn_MinimizeOp : Gn_Op<"minimize", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>,
    MemoryEffects<[MemRead<Gn_ParamResource>, MemWrite<Gn_ParamResource>]>]> {
  let summary = "one optimizer step on the gradient of a scalar loss";
  let description = [{
    Updates `params` (the parameters of the nets `nets`) by one step of `optimizer` ("sgd",
    "adam", "adamw" or "rmsprop") on the gradient of `loss`. `hyper` holds the optimizer's
    settings: `lr` (required) and sgd: momentum, nesterov (bool), weight_decay; adam/adamw:
    beta1, beta2, eps, weight_decay; rmsprop: alpha, eps, weight_decay; any: clip (clip the
    weights to [-clip, clip] after the step) and lr_decay (the schedule lr * lr_decay^(t-1)
    at step t). All but nesterov are f64.
    Example: `gn.minimize %loss with "adam" {lr = 1.0e-3 : f64} over ["encoder"]
    params [@encoder.dense_0.weight, @encoder.dense_0.bias]`
  }];
  let arguments = (ins GnScalarF32Operand:$loss, StrAttr:$optimizer, DictionaryAttr:$hyper,
                       StrArrayAttr:$nets, FlatSymbolRefArrayAttr:$params);
  let assemblyFormat = [{
    $loss `with` $optimizer $hyper `over` $nets `params` $params attr-dict
  }];
  let hasVerifier = 1;
}

def Gn_ConstantOp : GnInferOp<"constant", [ConstantLike, Pure]> {
  let summary = "a constant tensor";
  let description = [{
    Example: `%c = gn.constant dense<1.0> : tensor<4xf32>`
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs GnTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class GnUnaryOp<string mnemonic, string summaryText> : GnInferOp<mnemonic, [Pure, GnVJP]> {
  let summary = summaryText;
  let description = "Elementwise; the result has the operand's type. Example: `%y = gn." #
                    mnemonic # " %x : tensor<128x256xf32>`";
  let arguments = (ins GnF32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let extraClassDefinition = [{
    ::mlir::Type $cppClass::inferResultType(Adaptor adaptor, std::string &) {
      return adaptor.getX().getType();
    }
  }];
}

def Gn_ReluOp : GnUnaryOp<"relu", "max(x, 0)">;
def Gn_SigmoidOp : GnUnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Gn_TanhOp : GnUnaryOp<"tanh", "hyperbolic tangent">;
def Gn_SoftplusOp : GnUnaryOp<"softplus", "log(1 + exp(x))">;
def Gn_ExpOp : GnUnaryOp<"exp", "e^x">;
def Gn_LogOp : GnUnaryOp<"log", "natural logarithm">;
def Gn_SqrtOp : GnUnaryOp<"sqrt", "square root">;
def Gn_SinOp : GnUnaryOp<"sin", "sine">;
def Gn_CosOp : GnUnaryOp<"cos", "cosine">;
def Gn_NegOp : GnUnaryOp<"neg", "-x">;
def Gn_SquareOp : GnUnaryOp<"square", "x * x">;
def Gn_AbsOp : GnUnaryOp<"abs", "|x|">;
def Gn_StopGradientOp : GnUnaryOp<"stop_gradient",
                                  "identity whose gradient is zero (no gradient flows through)">;

def Gn_LeakyReluOp : GnInferOp<"leaky_relu", [Pure, GnVJP]> {
  let summary = "x if x > 0 else alpha * x";
  let description = [{
    Example: `%y = gn.leaky_relu %x alpha 2.0e-01 : tensor<128x256xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, F64Attr:$alpha);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `alpha` $alpha attr-dict `:` type($x)";
}

class GnBinaryOp<string mnemonic, string summaryText, list<Trait> traits = []>
    : GnInferOp<mnemonic, !listconcat([Pure, GnVJP, AllTypesMatch<["lhs", "rhs"]>], traits)> {
  let summary = summaryText;
  let description = "Elementwise on two tensors of the same type (broadcast explicitly with " #
                    "gn.broadcast). Example: `%z = gn." # mnemonic #
                    " %x, %y : tensor<128x256xf32>`";
  let arguments = (ins GnF32Tensor:$lhs, GnF32Tensor:$rhs);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
  let extraClassDefinition = [{
    ::mlir::Type $cppClass::inferResultType(Adaptor adaptor, std::string &err) {
      return ::mlir::gn::detail::sameType(adaptor.getLhs(), adaptor.getRhs(), err);
    }
  }];
}

def Gn_AddOp : GnBinaryOp<"add", "lhs + rhs", [Commutative]>;
def Gn_SubOp : GnBinaryOp<"sub", "lhs - rhs">;
def Gn_MulOp : GnBinaryOp<"mul", "lhs * rhs", [Commutative]>;
def Gn_DivOp : GnBinaryOp<"div", "lhs / rhs">;

def Gn_ToFloatOp : GnInferOp<"to_float", [Pure]> {
  let summary = "converts an i32 tensor to f32";
  let description = [{
    Example: `%f = gn.to_float %i : tensor<128xi32> -> tensor<128xf32>`
  }];
  let arguments = (ins GnI32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def Gn_BroadcastOp : Gn_Op<"broadcast", [Pure, GnVJP]> {
  let summary = "NumPy-style broadcast to a given shape";
  let description = [{
    Shapes are aligned at the right; a dimension of 1 stretches, missing leading ones are added.
    Example: `%b = gn.broadcast %x : tensor<256xf32> to tensor<128x256xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Gn_MatmulOp : GnInferOp<"matmul", [Pure, GnVJP]> {
  let summary = "matrix product [M, K] x [K, N] -> [M, N]";
  let description = [{
    Example: `%c = gn.matmul %a, %b : (tensor<8x4xf32>, tensor<4x2xf32>) -> tensor<8x2xf32>`
  }];
  let arguments = (ins GnF32Tensor:$lhs, GnF32Tensor:$rhs);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Gn_DenseOp : GnInferOp<"dense", [Pure, GnVJP]> {
  let summary = "fully connected layer: x [N, in] . w [in, out] (+ bias [out])";
  let description = [{
    Example: `%y = gn.dense %x, %w, %b : (tensor<128x784xf32>, tensor<784x256xf32>,
    tensor<256xf32>) -> tensor<128x256xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, GnF32Tensor:$w, Optional<GnF32Tensor>:$bias);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `,` $w (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def Gn_Conv2DOp : GnInferOp<"conv2d", [Pure, GnVJP]> {
  let summary = "2-D convolution, x NHWC, w HWIO [KH, KW, Cin, Cout], bias [Cout]";
  let description = [{
    `strides` [sH, sW], `padding` [top, bottom, left, right], `dilations` [dH, dW].
    Example: `%y = gn.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilations [1, 1]
    : (tensor<128x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<128x28x28x32xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, GnF32Tensor:$w, Optional<GnF32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilations);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $x `,` $w (`,` $bias^)? `strides` $strides `padding` $padding `dilations` $dilations
    attr-dict `:` functional-type(operands, results)
  }];
}

def Gn_Conv2DTransposeOp : GnInferOp<"conv2d_transpose", [Pure, GnVJP]> {
  let summary = "transposed 2-D convolution, x NHWC, w HWOI [KH, KW, Cout, Cin], bias [Cout]";
  let description = [{
    Output size (H-1)*sH - top - bottom + dH*(KH-1) + output_padding[0] + 1 (likewise W).
    Example: `%y = gn.conv2d_transpose %x, %w, %b strides [2, 2] padding [1, 1, 1, 1]
    output_padding [1, 1] dilations [1, 1] : (tensor<128x7x7x64xf32>, tensor<3x3x32x64xf32>,
    tensor<32xf32>) -> tensor<128x14x14x32xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, GnF32Tensor:$w, Optional<GnF32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$output_padding, DenseI64ArrayAttr:$dilations);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $x `,` $w (`,` $bias^)? `strides` $strides `padding` $padding
    `output_padding` $output_padding `dilations` $dilations
    attr-dict `:` functional-type(operands, results)
  }];
}

def Gn_GroupNormOp : GnInferOp<"group_norm", [Pure]> {
  let summary = "group normalization of NHWC x with per-channel gamma and beta [C]";
  let description = [{
    Example: `%y = gn.group_norm %x, %gamma, %beta groups 8 eps 1.0e-05 :
    (tensor<128x14x14x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<128x14x14x32xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, GnF32Tensor:$gamma, GnF32Tensor:$beta,
                       I64Attr:$groups, F64Attr:$eps);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $x `,` $gamma `,` $beta `groups` $groups `eps` $eps attr-dict
    `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Gn_UpsampleOp : GnInferOp<"upsample", [Pure, GnVJP]> {
  let summary = "nearest-neighbour upsampling of NHWC by an integer factor";
  let description = [{
    Example: `%y = gn.upsample %x factor 2 : tensor<128x7x7x64xf32> -> tensor<128x14x14x64xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, I64Attr:$factor);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `factor` $factor attr-dict `:` type($x) `->` type($result)";
}

def Gn_FlattenOp : GnInferOp<"flatten", [Pure, GnVJP]> {
  let summary = "[N, ...] -> [N, product of the rest]";
  let description = [{
    Example: `%y = gn.flatten %x : tensor<128x28x28x1xf32> -> tensor<128x784xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def Gn_ReshapeOp : Gn_Op<"reshape", [Pure, GnVJP]> {
  let summary = "reshape preserving the element count (row-major order)";
  let description = [{
    Example: `%y = gn.reshape %x : tensor<128x784xf32> to tensor<128x28x28x1xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `to` type($result)";
  let hasVerifier = 1;
}

def Gn_TransposeOp : GnInferOp<"transpose", [Pure, GnVJP]> {
  let summary = "permutes dimensions: result dim i is operand dim perm[i]";
  let description = [{
    Example: `%y = gn.transpose %x perm [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `perm` $perm attr-dict `:` type($x) `->` type($result)";
}

def Gn_ConcatOp : GnInferOp<"concat", [Pure, GnVJP]> {
  let summary = "concatenates tensors along one axis";
  let description = [{
    All operands have the same rank and agree outside `axis`.
    Example: `%y = gn.concat %a, %b axis 1 : (tensor<128x64xf32>, tensor<128x10xf32>)
    -> tensor<128x74xf32>`
  }];
  let arguments = (ins Variadic<GnF32Tensor>:$inputs, I64Attr:$axis);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$inputs `axis` $axis attr-dict `:` functional-type($inputs, results)";
}

def Gn_SliceOp : GnInferOp<"slice", [Pure, GnVJP]> {
  let summary = "a static box: size[d] elements from start[d] in every dimension d";
  let description = [{
    Example: `%y = gn.slice %x start [0, 10] size [128, 64] : tensor<128x74xf32>
    -> tensor<128x64xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, DenseI64ArrayAttr:$start, DenseI64ArrayAttr:$size);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $x `start` $start `size` $size attr-dict `:` type($x) `->` type($result)
  }];
}

class GnReduceOp<string mnemonic, string summaryText> : GnInferOp<mnemonic, [Pure, GnVJP]> {
  let summary = summaryText;
  let description = "Reduces over `axes` (all dimensions if empty); reduced dimensions are " #
                    "dropped. Example: `%y = gn." # mnemonic #
                    " %x axes [1] : tensor<128x10xf32> -> tensor<128xf32>`";
  let arguments = (ins GnF32Tensor:$x, DenseI64ArrayAttr:$axes);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `axes` $axes attr-dict `:` type($x) `->` type($result)";
  let extraClassDefinition = [{
    ::mlir::Type $cppClass::inferResultType(Adaptor adaptor, std::string &err) {
      return ::mlir::gn::detail::reduceType(adaptor.getX(), adaptor.getAxes(), err);
    }
  }];
}

def Gn_SumOp : GnReduceOp<"sum", "sum over axes">;
def Gn_MeanOp : GnReduceOp<"mean", "mean over axes">;

def Gn_GatherOp : GnInferOp<"gather", [Pure, GnVJP]> {
  let summary = "indexes a 1-D f32 table by an i32 tensor";
  let description = [{
    result[i...] = table[indices[i...]]; the result has the indices' shape.
    Example: `%y = gn.gather %t, %i : (tensor<1000xf32>, tensor<128xi32>) -> tensor<128xf32>`
  }];
  let arguments = (ins GnF32Tensor:$table, GnI32Tensor:$indices);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

class GnLossOp<string mnemonic, string a, string b, string summaryText>
    : GnInferOp<mnemonic, [Pure, GnVJP]> {
  let summary = summaryText;
  let description = "Operands of the same shape; the result is a scalar reduced by " #
                    "`reduction`: mean (over all elements), sum, or batch (summed per example " #
                    "along dim 0, averaged over the batch). Example: `%l = gn." # mnemonic #
                    " %" # a # ", %" # b # " reduction mean : (tensor<128x784xf32>, " #
                    "tensor<128x784xf32>) -> tensor<f32>`";
  let arguments = !con(!dag(ins, [GnF32Tensor, GnF32Tensor], [a, b]),
                       (ins Gn_Reduction:$reduction));
  let results = (outs GnScalarF32:$result);
  let assemblyFormat = "$" # a # " `,` $" # b # " `reduction` $reduction attr-dict `:` " #
                       "functional-type(operands, results)";
  let extraClassDefinition = [{
    ::mlir::Type $cppClass::inferResultType(Adaptor adaptor, std::string &err) {
      return ::mlir::gn::detail::lossType(adaptor.getOperands(), err);
    }
  }];
}

def Gn_MseOp : GnLossOp<"mse", "pred", "target", "mean squared error (pred - target)^2">;
def Gn_BceOp : GnLossOp<"bce", "prob", "target",
    "binary cross-entropy -(t log p + (1 - t) log(1 - p)) of probabilities">;
def Gn_BceWithLogitsOp : GnLossOp<"bce_with_logits", "logits", "target",
    "binary cross-entropy of sigmoid(logits), computed stably">;
def Gn_KlNormalOp : GnLossOp<"kl_normal", "mu", "logvar",
    "KL(N(mu, exp(logvar)) || N(0, 1)) = -0.5 (1 + logvar - mu^2 - exp(logvar))">;

def Gn_LossKind : I32EnumAttr<"LossKind", "a loss function", [
    I32EnumAttrCase<"Mse", 0, "mse">,
    I32EnumAttrCase<"Bce", 1, "bce">,
    I32EnumAttrCase<"BceWithLogits", 2, "bce_with_logits">,
    I32EnumAttrCase<"KlNormal", 3, "kl_normal">
  ]> {
  let cppNamespace = "::mlir::gn";
}

def Gn_LossGradOp : GnInferOp<"loss_grad", [Pure]> {
  let summary = "gradient of a loss with respect to one of its operands";
  let description = [{
    `dloss` (a scalar) times d loss(a, b) / d operand `wrt` (0 for a, 1 for b), elementwise,
    for the loss `kind` with `reduction`. bce clamps its logarithms at -100 and p(1-p) at
    1e-12, as PyTorch does. The result has the operands' type.
    Example: `%g = gn.loss_grad bce wrt 0 reduction batch %p, %t, %dl : (tensor<128x784xf32>,
    tensor<128x784xf32>, tensor<f32>) -> tensor<128x784xf32>`
  }];
  let arguments = (ins Gn_LossKind:$kind, I64Attr:$wrt, Gn_Reduction:$reduction,
                       GnF32Tensor:$a, GnF32Tensor:$b, GnScalarF32Operand:$dloss);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $kind `wrt` $wrt `reduction` $reduction $a `,` $b `,` $dloss attr-dict
    `:` functional-type(operands, results)
  }];
}

def Gn_Conv2DFilterGradOp : GnInferOp<"conv2d_filter_grad", [Pure]> {
  let summary = "gradient of conv2d with respect to its kernel";
  let description = [{
    dw[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*sH + kh*dH - top, ow*sW + kw*dW - left, ci]
    * dy[n, oh, ow, co] (out-of-range x reads are zero). `x` is the convolution's input, `dy` the
    gradient of its output; `kernel` is [KH, KW].
    Example: `%dw = gn.conv2d_filter_grad %x, %dy kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1]
    dilations [1, 1] : (tensor<128x28x28x1xf32>, tensor<128x14x14x32xf32>) -> tensor<3x3x1x32xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, GnF32Tensor:$dy, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilations);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $x `,` $dy `kernel` $kernel `strides` $strides `padding` $padding `dilations` $dilations
    attr-dict `:` functional-type(operands, results)
  }];
}

def Gn_PadOp : GnInferOp<"pad", [Pure, GnVJP]> {
  let summary = "zero padding: low[d] zeros before and high[d] after each dimension d";
  let description = [{
    Example: `%y = gn.pad %x low [0, 2] high [0, 3] : tensor<8x4xf32> -> tensor<8x9xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `low` $low `high` $high attr-dict `:` type($x) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Transposed convolution as convolution (gn-transposed-conv-to-conv)
//
// These ops exist after gn-autodiff only: gn-transposed-conv-to-conv creates them from
// gn.conv2d_transpose, so they have no gradient rule and gn-autodiff rejects them.
//===----------------------------------------------------------------------===//

def Gn_DilateOp : GnInferOp<"dilate", [Pure, GnAfterAutodiff]> {
  let summary = "zero insertion and padding: sH-1 zero rows between input rows (sW-1 columns), zeros around";
  let description = [{
    x NHWC [N, H, W, C] -> [N, top + (H-1)*sH + 1 + bottom, left + (W-1)*sW + 1 + right, C],
    with result[n, top + h*sH, left + w*sW, c] = x[n, h, w, c] and zeros elsewhere (padding
    [top, bottom, left, right], each >= 0): the input of the stride-1 convolution that a
    transposed convolution of stride s equals (the zero-insertion form of
    gn-transposed-conv-to-conv). Created after gn-autodiff only (no gradient rule).
    Example: `%d = gn.dilate %x strides [2, 2] padding [1, 2, 1, 2] : tensor<128x7x7x64xf32>
    -> tensor<128x16x16x64xf32>`
  }];
  let arguments = (ins GnF32Tensor:$x, DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $x `strides` $strides `padding` $padding attr-dict `:` type($x) `->` type($result)
  }];
}

def Gn_FlipKernelOp : GnInferOp<"flip_kernel", [Pure, GnAfterAutodiff]> {
  let summary = "a transposed convolution's kernel as a convolution's: flipped, channels swapped, every step-th tap";
  let description = [{
    w HWOI [KH, KW, Cout, Cin] -> HWIO [kH, kW, Cin, Cout] with kH = ceil((KH - pH) / sH)
    (likewise kW) and
    result[u, v, ci, co] = w[pH + sH*(kH-1-u), pW + sW*(kW-1-v), co, ci]:
    the taps pH, pH + sH, ... of each kernel row (phase p, step s), in reverse order, with the
    input and output channels swapped. With phase [0, 0] and step [1, 1] it is the whole
    kernel flipped (the zero-insertion form); with step = the stride and phase = an output
    residue it is that residue's sub-kernel (the sub-pixel form). Created after gn-autodiff
    only (no gradient rule).
    Example: `%k = gn.flip_kernel %w phase [1, 0] step [2, 2] : tensor<3x3x32x64xf32>
    -> tensor<1x2x64x32xf32>`
  }];
  let arguments = (ins GnF32Tensor:$w, DenseI64ArrayAttr:$phase, DenseI64ArrayAttr:$step);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $w `phase` $phase `step` $step attr-dict `:` type($w) `->` type($result)
  }];
}

def Gn_InterleaveOp : Gn_Op<"interleave", [Pure, GnAfterAutodiff]> {
  let summary = "assembles NHWC parts into every s-th row and column of the result (zeros elsewhere)";
  let description = [{
    Part i (NHWC, the result's N and C) lands at rows offsets[2i] + sH*a and columns
    offsets[2i+1] + sW*b: result[n, offsets[2i] + sH*a, offsets[2i+1] + sW*b, c] =
    part_i[n, a, b, c]. Parts must lie inside the result and occupy distinct residues
    (offset modulo stride), so no two write the same element; elements no part writes are
    zero. The sub-pixel form of gn-transposed-conv-to-conv assembles its s*s stride-1
    convolutions with it (a depth-to-space / pixel shuffle of separate parts). Created after
    gn-autodiff only (no gradient rule).
    Example: `%y = gn.interleave %a, %b, %c, %d strides [2, 2] offsets [0, 0, 0, 1, 1, 0, 1, 1]
    : (tensor<2x7x7x16xf32>, tensor<2x7x7x16xf32>, tensor<2x7x7x16xf32>, tensor<2x7x7x16xf32>)
    -> tensor<2x14x14x16xf32>`
  }];
  let arguments = (ins Variadic<GnF32Tensor>:$parts, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$offsets);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = [{
    $parts `strides` $strides `offsets` $offsets attr-dict `:` functional-type($parts, results)
  }];
  let hasVerifier = 1;
}

def Gn_StepOp : GnInferOp<"step", [Pure]> {
  let summary = "1 where x > 0, else 0 (the derivative of relu)";
  let description = "Example: `%m = gn.step %x : tensor<128x256xf32>`";
  let arguments = (ins GnF32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
}

def Gn_ClampOp : GnInferOp<"clamp", [Pure]> {
  let summary = "min(max(x, min), max)";
  let description = "Example: `%y = gn.clamp %x min -1.0e-02 max 1.0e-02 : tensor<64xf32>`";
  let arguments = (ins GnF32Tensor:$x, F64Attr:$min, F64Attr:$max);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$x `min` $min `max` $max attr-dict `:` type($x)";
}

//===----------------------------------------------------------------------===//
// Data parallelism (passes/DataParallel.cpp places these)
//===----------------------------------------------------------------------===//

def Gn_AllReduceOp : Gn_Op<"all_reduce", [
    AllTypesMatch<["x", "result"]>,
    MemoryEffects<[MemRead<Gn_ProcessesResource>, MemWrite<Gn_ProcessesResource>]>]> {
  let summary = "sums (or averages) a tensor over every process of a data-parallel run";
  let description = [{
    Every process passes its own `x`; each gets the elementwise sum over the processes (rank
    order 0, 1, ..., so that the result is the same bits on every process and in every run),
    divided by the number of processes for `mean`. In one process the result is `x`. The
    runtime's communicator (runtime/Communicator.cpp, `gnc build --mpi`) does the work;
    gn-data-parallel places the op on the gradients of every gn.minimize (through
    gn-autodiff) and on the losses.
    Example: `%g = gn.all_reduce mean %x : tensor<1024xf32>`
  }];
  let arguments = (ins Gn_ProcessReduction:$reduction, GnF32Tensor:$x);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$reduction $x attr-dict `:` type($x)";
}

//===----------------------------------------------------------------------===//
// Random numbers (counter based: a pure function of the key and the op's stream)
//===----------------------------------------------------------------------===//

class GnRandomOp<string mnemonic, list<Trait> traits = []>
    : Gn_Op<mnemonic, !listconcat([Pure], traits)> {
  let hasVerifier = 1;
}

def Gn_NormalOp : GnRandomOp<"normal"> {
  let summary = "normally distributed f32 numbers";
  let description = [{
    Counter based: the value is a function of `key` and `stream` (unique per op in a module).
    Example: `%n = gn.normal %key stream 3 mean 0.0 std 1.0 : tensor<128x64xf32>`
  }];
  let arguments = (ins GnKey:$key, I64Attr:$stream, F64Attr:$mean, F64Attr:$std);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$key `stream` $stream `mean` $mean `std` $std attr-dict `:` type($result)";
}

def Gn_UniformOp : GnRandomOp<"uniform"> {
  let summary = "uniformly distributed f32 numbers in [low, high)";
  let description = [{
    Counter based: the value is a function of `key` and `stream` (unique per op in a module).
    Example: `%u = gn.uniform %key stream 4 low 0.0 high 1.0 : tensor<128x64xf32>`
  }];
  let arguments = (ins GnKey:$key, I64Attr:$stream, F64Attr:$low, F64Attr:$high);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$key `stream` $stream `low` $low `high` $high attr-dict `:` type($result)";
}

def Gn_RandintOp : GnRandomOp<"randint"> {
  let summary = "uniformly distributed i32 numbers in [low, high)";
  let description = [{
    Counter based: the value is a function of `key` and `stream` (unique per op in a module).
    Example: `%t = gn.randint %key stream 5 low 0 high 1000 : tensor<128xi32>`
  }];
  let arguments = (ins GnKey:$key, I64Attr:$stream, I64Attr:$low, I64Attr:$high);
  let results = (outs GnI32Tensor:$result);
  let assemblyFormat = "$key `stream` $stream `low` $low `high` $high attr-dict `:` type($result)";
}

def Gn_DropoutMaskOp : GnRandomOp<"dropout_mask"> {
  let summary = "inverted-dropout mask: 0 with probability p, else 1 / (1 - p)";
  let description = [{
    Multiply by it to apply dropout; p is in [0, 1).
    Example: `%m = gn.dropout_mask %key stream 6 p 0.5 : tensor<128x256xf32>`
  }];
  let arguments = (ins GnKey:$key, I64Attr:$stream, F64Attr:$p);
  let results = (outs GnF32Tensor:$result);
  let assemblyFormat = "$key `stream` $stream `p` $p attr-dict `:` type($result)";
}

def Gn_RngFoldInOp : GnInferOp<"rng_fold_in", [Pure]> {
  let summary = "derives a new random key from a key and an i32 scalar";
  let description = [{
    Used per loop iteration or call site so that random ops draw fresh numbers.
    Example: `%k2 = gn.rng_fold_in %key, %t : tensor<i32>`
  }];
  let arguments = (ins GnKey:$key, GnScalarI32:$data);
  let results = (outs GnKeyResult:$result);
  let assemblyFormat = "$key `,` $data attr-dict `:` type($data)";
}

#endif // GNC_DIALECTS_GN_GNOPS_TD
