// Running gnc-halide-gen as a child process (Generator.h): Halide 14 and its LLVM 14 stay out
// of gnc's process.
#include "codegen/halide/Generator.h"

#include "codegen/halide/Passes.h"
#include "codegen/llvm/ObjectEmitter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SHA256.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace gnc {

namespace {

// The pipelines' descriptions and their kernels' and functions' names; empty when the module
// has no Halide kernels.
std::vector<llvm::json::Value> pipelines(ModuleOp module, std::vector<std::string> &kernels,
                                         std::vector<std::string> &functions, std::string &err) {
  FailureOr<std::vector<llvm::json::Value>> read = readHalidePipelines(module);
  if (failed(read)) {
    err = std::string("malformed ") + kHalidePipelinesAttr.data();
    return {};
  }
  for (const llvm::json::Value &v : *read) {
    kernels.push_back(v.getAsObject()->getString("kernel").value_or("?").str());
    functions.push_back(v.getAsObject()->getString("function").value_or("?").str());
  }
  return std::move(*read);
}

// The tool: $GNC_HALIDE_GEN, else the one built beside gnc.
std::string generatorPath() {
  if (const char *env = getenv("GNC_HALIDE_GEN"))
    return env;
  return GNC_HALIDE_GEN;
}

// "a, b, c": the kernels an error is about.
std::string kernelList(const std::vector<std::string> &kernels) {
  std::string names;
  for (const std::string &k : kernels)
    names += (names.empty() ? "" : ", ") + k;
  return names;
}

// The tool, or failure (err names the kernels that need it) when it is not there.
FailureOr<std::string> generatorTool(const std::vector<std::string> &kernels, std::string &err) {
  std::string tool = generatorPath();
  if (llvm::sys::fs::can_execute(tool))
    return tool;
  std::string names = kernelList(kernels);
  err = "the Halide backend needs gnc-halide-gen ('" + tool +
        "' is missing: it is built when CMake finds Halide 14, Debian's libhalide14-0-dev; or set "
        "GNC_HALIDE_GEN); kernels scheduled for Halide: " + names;
  return failure();
}

// The autoscheduler the module's pipelines take, if any.
std::string autoscheduler(ModuleOp module) {
  auto a = module->getAttrOfType<StringAttr>(kHalideAutoschedulerAttr);
  return a ? a.str() : "";
}

LogicalResult writePipelines(const std::string &path, const std::string &cpu, std::vector<llvm::json::Value> ps,
                             const std::string &autoscheduler, std::string &err) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    err = "cannot write '" + path + "': " + ec.message();
    return failure();
  }
  llvm::json::Object all{{"format", "gnc-halide-pipelines-1"},
                         {"target", halideTarget(cpu)},
                         {"pipelines", llvm::json::Array(std::move(ps))}};
  if (!autoscheduler.empty()) {
    all["autoscheduler"] = autoscheduler;
    all["machine_params"] = kHalideMachineParams;
  }
  os << llvm::json::Value(std::move(all));
  return success();
}

// Runs the tool; a failure says which kernels were being compiled (the tool's own message on
// stderr names the one at fault).
LogicalResult run(const std::vector<std::string> &args, const std::vector<std::string> &kernels,
                  std::optional<std::string> stdoutPath, std::string &err) {
  FailureOr<std::string> found = generatorTool(kernels, err);
  if (failed(found))
    return failure();
  std::string tool = *found;
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
          ") compiling the Halide kernels " + kernelList(kernels);
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

namespace {

std::string cacheDir() {
  if (const char *env = getenv("GNC_HALIDE_CACHE"))
    return std::string(env) == "off" ? "" : env;
  llvm::SmallString<128> dir;
  if (const char *xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg)
    dir = xdg;
  else if (const char *home = getenv("HOME"); home && *home)
    llvm::sys::path::append(dir, home, ".cache");
  else
    return "";
  llvm::sys::path::append(dir, "gnc", "halide");
  return dir.str().str();
}

// What else than a pipeline's description decides its object: the target and the tool.
std::string toolStamp(const std::string &tool, const std::string &target) {
  llvm::sys::fs::file_status st;
  std::string stamp = "gnc-halide-cache-1\n" + target + "\n" + tool + "\n";
  if (!llvm::sys::fs::status(tool, st))
    stamp += std::to_string(st.getSize()) + " " +
             std::to_string(st.getLastModificationTime().time_since_epoch().count());
  return stamp;
}

std::string key(const std::string &stamp, const std::string &text) {
  std::string all = stamp + "\n" + text;
  std::array<uint8_t, 32> h = llvm::SHA256::hash(llvm::arrayRefFromStringRef(all));
  return llvm::toHex(llvm::ArrayRef<uint8_t>(h).take_front(12), /*LowerCase=*/true);
}

} // namespace

FailureOr<std::vector<llvm::json::Value>> readHalidePipelines(ModuleOp module) {
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
      return failure();
    }
    out.push_back(std::move(*v));
  }
  return out;
}

LogicalResult startHalideGeneration(ModuleOp module, const std::string &cpu, const std::string &dir, unsigned jobs,
                                    HalideGeneration &gen, std::string &err) {
  std::vector<std::string> kernels, functions;
  std::vector<llvm::json::Value> ps = pipelines(module, kernels, functions, err);
  if (!err.empty())
    return failure();
  if (ps.empty())
    return success();
  FailureOr<std::string> found = generatorTool(kernels, err);
  if (failed(found))
    return failure();
  std::string tool = *found;
  std::string target = halideTarget(cpu), cache = cacheDir();
  if (!cache.empty() && llvm::sys::fs::create_directories(cache))
    cache.clear(); // an unwritable cache is no cache
  std::string scheduler = autoscheduler(module);
  std::string stamp = toolStamp(tool, target) + "\nautoscheduler " + scheduler + " " + kHalideMachineParams.str();
  // Each pipeline's object: in the cache, or to generate (into dir, then into the cache).
  std::vector<std::vector<size_t>> todo(std::max(1u, jobs));
  size_t missing = 0;
  for (size_t i = 0; i < ps.size(); ++i) {
    std::string text;
    llvm::raw_string_ostream(text) << ps[i];
    std::string cached = cache.empty() ? "" : cache + "/" + functions[i] + "-" + key(stamp, text) + ".o";
    if (!cached.empty() && llvm::sys::fs::exists(cached)) {
      gen.objects.push_back(cached);
      ++gen.cached;
      continue;
    }
    todo[missing++ % todo.size()].push_back(i);
  }
  std::string runtimeCached = cache.empty() ? "" : cache + "/halide_runtime-" + key(stamp, "runtime") + ".o";
  bool runtimeMissing = runtimeCached.empty() || !llvm::sys::fs::exists(runtimeCached);
  if (!runtimeMissing)
    gen.objects.push_back(runtimeCached);
  for (size_t j = 0; j < todo.size(); ++j) {
    bool runtimeHere = j == 0 && runtimeMissing;
    if (todo[j].empty() && !runtimeHere)
      continue;
    std::string out = dir + "/gen-" + std::to_string(j), json = out + ".json";
    if (std::error_code ec = llvm::sys::fs::create_directories(out)) {
      err = "cannot create '" + out + "': " + ec.message();
      return failure();
    }
    std::vector<llvm::json::Value> part;
    HalideGeneration::Job job;
    for (size_t i : todo[j]) {
      part.push_back(ps[i]);
      std::string generated = out + "/" + functions[i] + ".o";
      std::string text;
      llvm::raw_string_ostream(text) << ps[i];
      std::string cached = cache.empty() ? generated : cache + "/" + functions[i] + "-" + key(stamp, text) + ".o";
      job.moves.push_back({generated, cached});
      gen.objects.push_back(cached);
      job.kernels += (job.kernels.empty() ? "" : ", ") + kernels[i];
      ++gen.generated;
    }
    if (failed(writePipelines(json, cpu, std::move(part), scheduler, err)))
      return failure();
    std::vector<std::string> args{tool, json, "--out-dir", out};
    if (runtimeHere) {
      std::string generated = out + "/halide_runtime.o";
      args.insert(args.end(), {"--runtime", generated});
      std::string cached = runtimeCached.empty() ? generated : runtimeCached;
      job.moves.push_back({generated, cached});
      gen.objects.push_back(cached);
    }
    std::vector<llvm::StringRef> argv(args.begin(), args.end());
    std::string msg;
    bool failedToStart = false;
    // The tool's output (an autoscheduler's progress, Halide's warnings) is shown only when it
    // fails.
    job.log = out + ".log";
    std::optional<llvm::StringRef> redirects[3] = {std::nullopt, llvm::StringRef(job.log), llvm::StringRef(job.log)};
    job.process = llvm::sys::ExecuteNoWait(tool, argv, std::nullopt, redirects, 0, &msg, &failedToStart);
    if (failedToStart) {
      err = "cannot run gnc-halide-gen: " + msg;
      return failure();
    }
    gen.jobs.push_back(std::move(job));
  }
  return success();
}

LogicalResult finishHalideGeneration(HalideGeneration &gen, std::string &err) {
  for (HalideGeneration::Job &job : gen.jobs) {
    std::string msg;
    llvm::sys::ProcessInfo done = llvm::sys::Wait(job.process, std::nullopt, &msg);
    if (done.ReturnCode != 0 && err.empty()) {
      if (auto log = llvm::MemoryBuffer::getFile(job.log)) {
        // Halide's message names the kernel (gnc-halide-gen prints it first); keep its lines.
        llvm::SmallVector<llvm::StringRef> lines;
        (*log)->getBuffer().split(lines, '\n', -1, false);
        for (llvm::StringRef l : lines)
          if (l.starts_with("gnc-halide-gen"))
            llvm::errs() << l << "\n";
      }
      err = "gnc-halide-gen failed (" + (msg.empty() ? "exit status " + std::to_string(done.ReturnCode) : msg) +
            ") compiling the Halide kernels " + job.kernels;
    }
  }
  if (!err.empty())
    return failure();
  // Into the cache: copied beside the final name, then renamed (atomic: a concurrent build
  // sees the whole object or none).
  for (HalideGeneration::Job &job : gen.jobs)
    for (auto &[generated, cached] : job.moves) {
      if (generated == cached)
        continue;
      std::string tmp = cached + ".tmp" + std::to_string(llvm::sys::Process::getProcessId());
      if (llvm::sys::fs::copy_file(generated, tmp) || llvm::sys::fs::rename(tmp, cached)) {
        llvm::sys::fs::remove(tmp);
        err = "cannot write '" + cached + "' into the Halide object cache (GNC_HALIDE_CACHE=off: no cache)";
        return failure();
      }
    }
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
  LogicalResult ok = writePipelines(json, cpu, std::move(ps), autoscheduler(module), err);
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
