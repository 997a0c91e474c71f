// The lowering of a .gn syntax tree to the gn dialect, shared by the files that do it:
//   ASTToGn.cpp           the module, its declarations, procedures and nets
//   LowerStatements.cpp   assignments, return, minimize, report, for
//   LowerExpressions.cpp  names, operators, indexing, calls of nets
//   LowerConstants.cpp    compile-time values and argument binding
//   LowerBuiltins.cpp     the table of built-in operations and their emitters
//   LowerLayers.cpp       layers, the parameters they declare and their initializers
// Every check reports at the AST node that caused it, so users see `file:line:col` of their
// own source. Shape rules come from dialects/gn/GnShapes.h, the same functions the op
// verifiers use.
#ifndef GNC_COMPILER_LOWERING_H
#define GNC_COMPILER_LOWERING_H

#include "compiler/Frontend.h"
#include "dialects/gn/GnOps.h"
#include "dialects/gn/GnShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gnc::lowering {

using ::gn::shapes::Shape;

// A compile-time constant: a scalar or a 1-D array.
struct ConstVal {
  std::vector<double> data;
  bool isInt = false;
  bool isArray = false;
};

// What a name or an expression denotes while lowering.
struct Val {
  enum Kind { None, Tensor, Const, Str, Bool } kind = None;
  mlir::Value v;
  ConstVal c;
  std::string s;
  static Val tensor(mlir::Value v) { Val r; r.kind = Tensor; r.v = v; return r; }
  static Val constant(ConstVal c) { Val r; r.kind = Const; r.c = std::move(c); return r; }
};

struct NetInfo {
  const Function *ast = nullptr;
  mlir::func::FuncOp fn;
  bool emitting = false;
  bool usesRandom = false;
  std::vector<std::string> params;     // gn.param symbols owned by this net, in order
  std::set<std::string> callees;       // nets called directly
};

// State of the function being lowered.
struct FnCtx {
  const Function *ast = nullptr;
  mlir::func::FuncOp fn;
  NetInfo *net = nullptr; // when lowering a net
  mlir::Value key;        // rng key (train/sample: an argument; nets: added on first use)
  std::map<std::string, Val> scope;
  std::map<std::string, int> layerCount;
  std::vector<mlir::Value> losses;
  std::vector<std::string> lossNames; // for progress output: the minimized variable's name
  std::vector<mlir::Value> reports;    // `report` values: results after the losses
  std::vector<std::string> reportNames;
  bool returned = false;
  int loopDepth = 0;
};

// A call of a builtin after its arguments are bound: args[i] is the argument named
// Builtin::args[i], null when the call leaves it out.
struct BuiltinCall {
  const Expr &e;
  std::vector<const Expr *> args;
};

class Lowering;

// One built-in operation of the language.
struct Builtin {
  // Where it may be called: layers declare parameters, so they need a net; most operations
  // make tensors, so they need a net or procedure; constant ones work everywhere.
  enum class Where { Anywhere, Function, Net };
  const char *name;
  std::vector<const char *> args; // positional order; the names keyword arguments use
  size_t required;                // args[0..required) must be given
  Where where;
  std::optional<Val> (Lowering::*emit)(const BuiltinCall &);
};
// The builtin named `name`, or null.
const Builtin *findBuiltin(llvm::StringRef name);

// Everything is public: the files listed above are one class's implementation.
class Lowering {
public:
  Lowering(const Program &p, mlir::MLIRContext &ctx, Diagnostics &diag,
           const ConstOverrides &defines)
      : prog(p), ctx(ctx), diag(diag), defines(defines), b(&ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> run();

  const Program &prog;
  mlir::MLIRContext &ctx;
  Diagnostics &diag;
  const ConstOverrides &defines;
  mlir::OpBuilder b;
  mlir::ModuleOp module;
  std::string filename;

  std::string modelName;
  int64_t batch = 0;
  const Item *input = nullptr;
  Shape inputShape;
  std::map<std::string, ConstVal> consts;
  std::map<std::string, llvm::SMLoc> constLocs;
  std::map<std::string, const Function *> functions;
  std::map<std::string, NetInfo> nets;
  std::map<std::string, std::string> paramOwner; // param symbol -> net
  std::vector<NetInfo *> emitStack;
  // eval() calls open, across the nets being emitted: the parser bounds each expression's
  // depth, but an expression in a net continues the one that called the net.
  unsigned evalDepth = 0;
  int64_t nextStream = 0;
  int64_t nextCallSite = 0;
  FnCtx *fc = nullptr;

  // ---- helpers (ASTToGn.cpp) ---------------------------------------------------------------
  bool fail(llvm::SMLoc loc, const llvm::Twine &msg) {
    diag.error(loc, msg);
    return false;
  }
  mlir::Location loc(llvm::SMLoc l);
  mlir::RankedTensorType tensorTy(const Shape &s, mlir::Type elt = {}) {
    return mlir::RankedTensorType::get(s, elt ? elt : b.getF32Type());
  }
  mlir::RankedTensorType keyTy() { return mlir::RankedTensorType::get({2}, b.getI32Type()); }
  static Shape shapeOf(mlir::Value v) {
    auto t = llvm::cast<mlir::RankedTensorType>(v.getType());
    return Shape(t.getShape().begin(), t.getShape().end());
  }
  static bool isF32(mlir::Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getElementType().isF32();
  }
  static std::string typeStr(mlir::Value v) {
    return ::gn::shapes::str(shapeOf(v)) + (isF32(v) ? "" : " (integer)");
  }
  // The rng key of the function being lowered (a net gets one as an extra argument).
  mlir::Value key(llvm::SMLoc l);

  // ---- procedures and nets (ASTToGn.cpp) -----------------------------------------------------
  bool lowerEntry(const Function &f);
  bool emitNet(NetInfo &net, llvm::ArrayRef<mlir::Value> args);

  // ---- compile-time values and argument binding (LowerConstants.cpp) -------------------------
  bool checkIntRange(double d, llvm::SMLoc l);
  bool checkSize(const Shape &s, llvm::SMLoc l);
  bool bind(const Expr &call, llvm::ArrayRef<const char *> names, size_t required,
            std::vector<const Expr *> &out);
  std::optional<ConstVal> evalConst(const Expr &e);
  std::optional<int64_t> evalInt(const Expr *e, int64_t dflt, const char *what);
  std::optional<double> evalFloat(const Expr *e, double dflt, const char *what);
  std::optional<bool> evalBool(const Expr *e, bool dflt, const char *what);
  std::optional<std::string> evalString(const Expr *e, const char *dflt, const char *what);
  std::optional<std::vector<int64_t>> evalInts(const Expr *e, const char *what);
  std::optional<Shape> evalShape(const Expr *e);
  std::optional<Val> linspace(const BuiltinCall &c);
  std::optional<Val> arange(const BuiltinCall &c);
  std::optional<Val> cumprod(const BuiltinCall &c);

  // ---- expressions (LowerExpressions.cpp) ---------------------------------------------------
  mlir::Value constTensor(const ConstVal &c, llvm::SMLoc l);
  mlir::Value splat(const Shape &s, float v, llvm::SMLoc l);
  mlir::Value evalTensor(const Expr &e, const char *what = "this operand");
  mlir::Value broadcastTo(mlir::Value v, const Shape &to, llvm::SMLoc l);
  std::optional<Val> eval(const Expr &e);
  std::optional<Val> evalName(const Expr &e);
  std::optional<Val> evalParamName(const Expr &e);
  std::optional<Val> evalBinary(const Expr &e);
  std::optional<Val> evalIndex(const Expr &e);
  std::optional<Val> evalCall(const Expr &e);
  std::optional<Val> evalNetCall(const Expr &e, NetInfo &net);

  // ---- statements (LowerStatements.cpp) ------------------------------------------------------
  bool lowerBody(const std::vector<StmtPtr> &body);
  bool lowerStmt(const Stmt &s);
  bool lowerMinimize(const Stmt &s);
  bool lowerReport(const Stmt &s);
  bool lowerFor(const Stmt &s);
  void netDependencies(mlir::Value v, std::set<std::string> &out,
                       std::set<mlir::Operation *> &seen);

  // ---- builtins (LowerBuiltins.cpp) ----------------------------------------------------------
  // An emitter's result shape `s` checked: null `s` is reported with `err`.
  std::optional<Shape> checkedShape(const Expr &e, std::optional<Shape> s, const std::string &err);
  template <typename OpT> std::optional<Val> unary(const BuiltinCall &c);
  template <typename OpT> std::optional<Val> math(const BuiltinCall &c);
  template <typename OpT> std::optional<Val> reduce(const BuiltinCall &c);
  template <typename OpT> std::optional<Val> loss(const BuiltinCall &c);
  std::optional<Val> leakyRelu(const BuiltinCall &c);
  std::optional<Val> toFloat(const BuiltinCall &c);
  std::optional<Val> flatten(const BuiltinCall &c);
  std::optional<Val> reshape(const BuiltinCall &c);
  std::optional<Val> transpose(const BuiltinCall &c);
  std::optional<Val> concat(const BuiltinCall &c);
  std::optional<Val> slice(const BuiltinCall &c);
  std::optional<Val> upsample(const BuiltinCall &c);
  std::optional<Val> randomFloat(const BuiltinCall &c);
  std::optional<Val> randint(const BuiltinCall &c);
  std::optional<Val> dropout(const BuiltinCall &c);
  std::optional<Val> filled(const BuiltinCall &c);

  // ---- layers (LowerLayers.cpp) --------------------------------------------------------------
  // Declares the gn.param `NET.LAYER.SUFFIX` (at the end of the module) and reads it here.
  mlir::Value declareParam(const std::string &layer, const char *suffix, const Shape &shape,
                           const std::string &init, double scale, llvm::SMLoc l);
  // A gn.param_ref of the parameter `name`.
  mlir::Value paramRef(llvm::StringRef name, mlir::Type type, llvm::SMLoc l);
  // The weight initializer named by the layer's `init` argument, as gn.param's init/scale.
  bool weightInit(const Expr *initE, int64_t fanIn, int64_t fanOut, std::string &init,
                  double &scale);
  // A layer: named NAME_N (numbering the net's layers of each kind) before its input is
  // lowered, as a layer nested in the input is numbered next; then `Emit(call, name, input)`.
  template <std::optional<Val> (Lowering::*Emit)(const BuiltinCall &, const std::string &,
                                                 mlir::Value)>
  std::optional<Val> layer(const BuiltinCall &c) {
    std::string name = c.e.text + "_" + std::to_string(fc->layerCount[c.e.text]++);
    mlir::Value x = evalTensor(*c.args[0], "the input");
    if (!x)
      return std::nullopt;
    return (this->*Emit)(c, name, x);
  }
  std::optional<Val> dense(const BuiltinCall &c, const std::string &layer, mlir::Value x);
  // conv2d and conv2d_transpose (whose arguments add output_padding).
  std::optional<Val> conv2d(const BuiltinCall &c, const std::string &layer, mlir::Value x);
  std::optional<Val> groupNorm(const BuiltinCall &c, const std::string &layer, mlir::Value x);
};

} // namespace gnc::lowering

#endif
