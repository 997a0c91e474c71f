// Running gnc-halide-gen as a child process (Generator.h): Halide 14 and its LLVM 14 stay out
// of gnc's process.
#include "codegen/halide/Generator.h"

#include "codegen/halide/Passes.h"
#include "codegen/llvm/ObjectEmitter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;

namespace gnc {

namespace {

// The pipelines' descriptions; empty when the module has no Halide kernels.
std::vector<llvm::json::Value> pipelines(ModuleOp module, std::vector<std::string> &kernels,
                                         std::vector<std::string> &functions, std::string &err) {
  std::vector<llvm::json::Value> out;
  auto attr = module->getAttrOfType<ArrayAttr>(kHalidePipelinesAttr);
  if (!attr)
    return out;
  for (Attribute a : attr) {
    auto text = dyn_cast<StringAttr>(a);
    llvm::Expected<llvm::json::Value> v = llvm::json::parse(text ? text.getValue() : "");
    if (!v || !v->getAsObject()) {
      if (!v)
        llvm::consumeError(v.takeError());
      err = std::string("malformed ") + kHalidePipelinesAttr.data();
      out.clear();
      return out;
    }
    kernels.push_back(v->getAsObject()->getString("kernel").value_or("?").str());
    functions.push_back(v->getAsObject()->getString("function").value_or("?").str());
    out.push_back(std::move(*v));
  }
  return out;
}

// The tool: $GNC_HALIDE_GEN, else the one built beside gnc.
std::string generatorPath() {
  if (const char *env = getenv("GNC_HALIDE_GEN"))
    return env;
  return GNC_HALIDE_GEN;
}

LogicalResult writePipelines(const std::string &path, const std::string &cpu, std::vector<llvm::json::Value> ps,
                             std::string &err) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    err = "cannot write '" + path + "': " + ec.message();
    return failure();
  }
  os << llvm::json::Value(llvm::json::Object{{"format", "gnc-halide-pipelines-1"},
                                             {"target", halideTarget(cpu)},
                                             {"pipelines", llvm::json::Array(std::move(ps))}});
  return success();
}

// Runs the tool; a failure says which kernels were being compiled (the tool's own message on
// stderr names the one at fault).
LogicalResult run(const std::vector<std::string> &args, const std::vector<std::string> &kernels,
                  std::optional<std::string> stdoutPath, std::string &err) {
  std::string tool = generatorPath();
  std::string names;
  for (const std::string &k : kernels)
    names += (names.empty() ? "" : ", ") + k;
  if (!llvm::sys::fs::can_execute(tool)) {
    err = "the Halide backend needs gnc-halide-gen ('" + tool +
          "' is missing: it is built when CMake finds Halide 14, Debian's libhalide14-0-dev; or set "
          "GNC_HALIDE_GEN); kernels scheduled for Halide: " + names;
    return failure();
  }
  std::vector<llvm::StringRef> argv{tool};
  for (const std::string &a : args)
    argv.push_back(a);
  std::optional<llvm::StringRef> redirects[3] = {std::nullopt, std::nullopt, std::nullopt};
  if (stdoutPath)
    redirects[1] = llvm::StringRef(*stdoutPath);
  std::string msg;
  int rc = llvm::sys::ExecuteAndWait(tool, argv, std::nullopt, redirects, 0, 0, &msg);
  if (rc != 0) {
    err = "gnc-halide-gen failed (" + (msg.empty() ? "exit status " + std::to_string(rc) : msg) +
          ") compiling the Halide kernels " + names;
    return failure();
  }
  return success();
}

} // namespace

std::string halideTarget(const std::string &cpu) {
  std::string t = "x86-64-linux-sse41-avx-avx2-fma-f16c";
  if (describeLLVMTarget(cpu).vectorBits >= 512)
    t += "-avx512-avx512_skylake";
  return t;
}

LogicalResult generateHalideObjects(ModuleOp module, const std::string &cpu, const std::string &dir,
                                    std::vector<std::string> &objects, std::string &err) {
  std::vector<std::string> kernels, functions;
  std::vector<llvm::json::Value> ps = pipelines(module, kernels, functions, err);
  if (!err.empty())
    return failure();
  if (ps.empty())
    return success();
  std::string json = dir + "/pipelines.json", runtime = dir + "/halide_runtime.o";
  if (failed(writePipelines(json, cpu, std::move(ps), err)) ||
      failed(run({json, "--out-dir", dir, "--runtime", runtime}, kernels, std::nullopt, err)))
    return failure();
  for (const std::string &f : functions)
    objects.push_back(dir + "/" + f + ".o");
  objects.push_back(runtime);
  return success();
}

LogicalResult printHalideStmts(ModuleOp module, const std::string &cpu, llvm::raw_ostream &os, std::string &err) {
  std::vector<std::string> kernels, functions;
  std::vector<llvm::json::Value> ps = pipelines(module, kernels, functions, err);
  if (!err.empty())
    return failure();
  if (ps.empty()) {
    os << "// no kernel is scheduled for Halide (gnc --backend=halide, or \"backend\": \"halide\" in a schedule file)\n";
    return success();
  }
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("gnc-halide-stmt", dir)) {
    err = "cannot create a temporary directory: " + ec.message();
    return failure();
  }
  std::string json = (dir + "/pipelines.json").str(), text = (dir + "/stmt.txt").str();
  LogicalResult ok = writePipelines(json, cpu, std::move(ps), err);
  if (succeeded(ok))
    ok = run({json, "--stmt", "--out-dir", dir.str().str()}, kernels, text, err);
  if (succeeded(ok)) {
    auto buf = llvm::MemoryBuffer::getFile(text);
    if (buf)
      os << (*buf)->getBuffer();
  }
  llvm::sys::fs::remove_directories(dir);
  return ok;
}

} // namespace gnc
