#include "codegen/llvm/ModelInfoAttr.h"

using namespace mlir;

namespace gnc {

static constexpr llvm::StringLiteral kModelInfoAttr = "gnc.model_info";

FailureOr<llvm::json::Object> readModelInfo(ModuleOp module, llvm::StringRef pass) {
  auto attr = module->getAttrOfType<StringAttr>(kModelInfoAttr);
  if (attr) {
    llvm::Expected<llvm::json::Value> info = llvm::json::parse(attr.getValue());
    if (!info)
      llvm::consumeError(info.takeError());
    else if (llvm::json::Object *object = info->getAsObject())
      return std::move(*object);
  }
  return module.emitError() << pass << " needs the module attribute " << kModelInfoAttr << " (a JSON object)";
}

void writeModelInfo(ModuleOp module, llvm::json::Object info) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(info));
  module->setAttr(kModelInfoAttr, StringAttr::get(module.getContext(), text));
}

LLVM::GlobalOp stringGlobal(OpBuilder &b, Location loc, llvm::StringRef name, llvm::StringRef text) {
  std::string bytes = text.str();
  bytes.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes.size());
  return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal, name,
                                b.getStringAttr(bytes));
}

} // namespace gnc
