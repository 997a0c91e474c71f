// gnc: the Generative Network Compiler driver.
//
//   gnc ir MODEL.gn --stage=S [-o FILE]      print the program at a pipeline stage
//   gnc ir --stages                          list the stages in pipeline order
//   gnc summary MODEL.gn                     layer-by-layer shapes and parameter counts
//   gnc build MODEL.gn -o BIN                a standalone program that trains and samples
//   gnc build MODEL.gn --kernel-bench -o BIN each kernel timed on its own (runtime/KernelBench.cpp)
//
// Flags follow LLVM/MLIR conventions (-o, --help, --print-ir-after-all, and every --mlir-*
// option of the MLIR libraries).
#include "compiler/Frontend.h"
#include "compiler/ModelSummary.h"
#include "compiler/Parser.h"
#include "compiler/Pipeline.h"
#include "codegen/halide/Backend.h"
#include "support/UserFile.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cmath>
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

static cl::OptionCategory gncCat("gnc options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.gn>"), cl::init(""),
                                      cl::cat(gncCat));
static cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                       cl::value_desc("file"), cl::init("-"), cl::cat(gncCat));
static cl::opt<std::string> stageOpt("stage", cl::desc("Pipeline stage to print (see --stages)"),
                                     cl::init("gn"), cl::cat(gncCat));
static cl::opt<bool> listStages("stages", cl::desc("List the pipeline stages in order"),
                                cl::cat(gncCat));
static cl::opt<bool> printAfterAll("print-ir-after-all",
                                   cl::desc("Print the IR after every pass (to stderr)"),
                                   cl::cat(gncCat));
static cl::opt<std::string> printTreeDir(
    "print-ir-tree-dir", cl::desc("Write the IR after every pass, one file per pass, below DIR"),
    cl::value_desc("DIR"), cl::init(""), cl::cat(gncCat));
static cl::opt<bool> dataParallel(
    "data-parallel",
    cl::desc("Make each train step one process's share of a data-parallel step (gn-data-parallel, "
             "gn.all_reduce); gnc build needs --mpi for it"),
    cl::cat(gncCat));
static cl::list<std::string> defineOpts(
    "D", cl::Prefix, cl::desc("Give the scalar constant NAME of the .gn file another value"),
    cl::value_desc("NAME=VALUE"), cl::cat(gncCat));

static cl::OptionCategory buildCat("gnc build options");
static cl::opt<unsigned> optLevel("O", cl::Prefix, cl::desc("Optimization level -O0..-O3 (default 3)"),
                                  cl::init(3), cl::cat(buildCat));
static cl::opt<std::string> targetCpu("target-cpu", cl::desc("CPU to generate code for (default: native)"),
                                      cl::init("native"), cl::cat(buildCat));
static cl::opt<bool> emitObj("emit-obj", cl::desc("Write the object file to -o and stop (no link)"),
                             cl::cat(buildCat));
static cl::opt<bool> kernelBench(
    "kernel-bench",
    cl::desc("Build the per-kernel benchmark instead: every kernel run on its own under Google Benchmark"),
    cl::cat(buildCat));
static cl::opt<bool> mpi("mpi",
                         cl::desc("Data-parallel training over MPI processes (mpirun -np P BIN train): "
                                  "implies --data-parallel and links the MPI communicator (docs/distributed.md)"),
                         cl::cat(buildCat));
static cl::opt<std::string> emitLLVMIR("emit-llvm-ir", cl::desc("Also write the optimized LLVM IR to FILE"),
                                       cl::value_desc("FILE"), cl::init(""), cl::cat(buildCat));

static cl::opt<std::string> backendOpt(
    "backend", cl::desc("Backend of the kernels a schedule file does not assign: llvm (default) or halide"),
    cl::value_desc("llvm|halide"), cl::init("llvm"), cl::cat(gncCat));
static cl::opt<std::string> halideAutoscheduler(
    "halide-autoscheduler",
    cl::desc("Schedule the Halide kernels with this Halide autoscheduler instead of their gnc schedules"),
    cl::value_desc("Adams2019|Mullapudi2016"), cl::init(""), cl::cat(gncCat));
static cl::opt<std::string> schedulesFile(
    "schedules", cl::desc("Kernel schedules by signature (JSON, docs/scheduling.md); others get the heuristic's"),
    cl::value_desc("FILE.json"), cl::init(""), cl::cat(gncCat));
static cl::opt<std::string> dumpSchedules("dump-schedules",
                                          cl::desc("Write every kernel's chosen schedule to FILE.json"),
                                          cl::value_desc("FILE.json"), cl::init(""), cl::cat(gncCat));

static const char *overview =
    "gnc: the Generative Network Compiler\n\n"
    "USAGE: gnc <command> [options] <model.gn>\n\n"
    "COMMANDS:\n"
    "  ir        print the program at a pipeline stage (--stage=S, --stages lists them)\n"
    "  summary   print each net's layers with output shapes and parameter counts\n"
    "  build     compile to a standalone executable (-o BIN) that trains and samples\n";

static int errorExit(const Twine &msg) {
  WithColor::error(errs(), "gnc") << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();

  // `gnc COMMAND args...`: the command is the first word; the rest is parsed as options.
  std::string command;
  std::vector<const char *> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (command.empty() && argv[i][0] != '-') {
      command = argv[i];
      continue;
    }
    args.push_back(argv[i]);
  }
  cl::HideUnrelatedOptions({&gncCat, &buildCat});
  if (auto *tp = cl::getRegisteredOptions().lookup("time-passes")) {
    tp->setDescription("Report the time of every pass, of LLVM code emission and of linking");
    tp->addCategory(buildCat);
  }
  if (!cl::ParseCommandLineOptions((int)args.size(), args.data(), overview, &errs()))
    return 1;
  if (command.empty())
    return errorExit("no command given (try 'gnc --help')");
  if (command != "ir" && command != "summary" && command != "build")
    return errorExit("unknown command '" + command + "' (try 'gnc --help')");

  if (backendOpt != "llvm" && backendOpt != "halide")
    return errorExit("unknown backend '" + backendOpt + "' (--backend=llvm or --backend=halide)");
  // Li2018's schedules gave wrong gradients on models/ae.gn (the crosscheck's Adam moments,
  // relative errors up to 1e2; docs/halide.md): refused rather than compiled wrongly.
  if (halideAutoscheduler == "Li2018")
    return errorExit("the Halide autoscheduler Li2018 is disabled: its schedules computed wrong gradients in gnc's "
                     "crosscheck (docs/halide.md, \"Known problems\"); use Adams2019 or Mullapudi2016");
  if (!halideAutoscheduler.empty() && halideAutoscheduler != "Adams2019" && halideAutoscheduler != "Mullapudi2016")
    return errorExit("unknown Halide autoscheduler '" + halideAutoscheduler +
                     "' (--halide-autoscheduler=Adams2019 or Mullapudi2016)");
  // The program is always LLVM's; the Halide backend adds its kernels (codegen/halide/Backend.h).
  const gnc::Backend &backend = gnc::halideBackend();
  const std::vector<gnc::Stage> stages = gnc::pipelineStages(&backend);
  if (command == "ir" && listStages) {
    for (const gnc::Stage &s : stages)
      outs() << format("%-9s", s.name) << " " << s.description << "\n";
    return 0;
  }
  if (inputFile.empty())
    return errorExit("no input file (usage: gnc " + command + " MODEL.gn)");
  int stage = gnc::findStage(stages, stageOpt);
  if (stage < 0)
    return errorExit("unknown stage '" + stageOpt + "' (see 'gnc ir --stages')");

  gnc::ConstOverrides defines;
  std::string definesText;
  for (const std::string &d : defineOpts) {
    auto [name, value] = StringRef(d).split('=');
    double v;
    if (name.empty() || d.find('=') == std::string::npos || value.trim().getAsDouble(v) || !std::isfinite(v))
      return errorExit("-D" + d + ": expected NAME=VALUE with a number, e.g. -DSIGMA=0.3");
    defines[name.str()] = v;
    definesText += " -D" + d;
  }

  auto file = gnc::readUserFile(inputFile);
  if (!file)
    return errorExit("cannot read '" + inputFile + "': " + llvm::toString(file.takeError()));
  std::string errMsg;
  // `build` writes its own files (object, executable); the others print to -o.
  std::unique_ptr<llvm::ToolOutputFile> out;
  if (command != "build") {
    out = mlir::openOutputFile(outputFile, &errMsg);
    if (!out)
      return errorExit(errMsg);
  }

  if (command == "ir" && stage == 0) {
    SourceMgr sm;
    sm.AddNewSourceBuffer(std::move(*file), SMLoc());
    gnc::Diagnostics diag(sm, errs());
    auto program = gnc::parseProgram(diag);
    if (!program)
      return 1;
    gnc::printAST(*program, out->os());
    out->keep();
    return 0;
  }

  mlir::DialectRegistry registry;
  gnc::registerDialects(registry);
  mlir::MLIRContext ctx(registry);
  auto module = gnc::compileSource(ctx, (*file)->getBuffer(), inputFile, errs(), defines);
  if (!module)
    return 1;

  if (command == "build" && outputFile == "-")
    return errorExit("gnc build needs an output file (-o BIN)");
  if (optLevel > 3)
    return errorExit("optimization level must be 0..3");
  // The collectives need the communicator that only --mpi links.
  if (command == "build" && dataParallel && !mpi)
    return errorExit("gnc build --data-parallel needs --mpi (the communicator the collectives call)");
  if (command == "build" && mpi && kernelBench)
    return errorExit("--mpi and --kernel-bench cannot be combined");
  // `build` runs every stage: the last one is what the backend's emitObjectFile takes.
  int last = command == "summary" ? gnc::findStage(stages, "gn")
             : command == "build" ? (int)stages.size() - 1
                                  : stage;
  gnc::PipelineOptions popts;
  popts.backend = backendOpt;
  popts.kernelBackend = backendOpt;
  popts.buildFlags = "-O" + std::to_string(optLevel) + " --target-cpu=" + targetCpu + definesText +
                     (mpi ? " --mpi" : "");
  popts.dataParallel = dataParallel || mpi;
  popts.schedulesFile = schedulesFile;
  popts.dumpSchedulesFile = dumpSchedules;
  popts.lowering.kernelBench = kernelBench;
  popts.lowering.halideAutoscheduler = halideAutoscheduler;
  gnc::TargetVectorInfo target = backend.describeTarget(targetCpu);
  popts.vectorBits = target.vectorBits;
  popts.vectorRegisters = target.vectorRegisters;
  mlir::DefaultTimingManager timing;
  // LLVM's own --time-passes flag (llvm::TimePassesIsEnabled) also times gnc's passes.
  bool timePasses = llvm::TimePassesIsEnabled;
  timing.setEnabled(timePasses);
  mlir::TimingScope rootTimer = timing.getRootScope();
  mlir::PassManager pm(&ctx);
  if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
    return 1;
  mlir::TimingScope passTimer = rootTimer.nest("passes");
  if (timePasses)
    pm.enableTiming(passTimer);
  for (int i = 1; i <= last; ++i)
    if (stages[i].addPasses)
      stages[i].addPasses(pm, popts);
  // Printing the whole module after each pass needs a single-threaded context (MLIR aborts
  // otherwise).
  if (printAfterAll || !printTreeDir.empty())
    ctx.disableMultithreading();
  auto never = [](mlir::Pass *, mlir::Operation *) { return false; };
  auto always = [](mlir::Pass *, mlir::Operation *) { return true; };
  if (printAfterAll)
    pm.enableIRPrinting(never, always, /*printModuleScope=*/true, /*onlyOnChange=*/false);
  if (!printTreeDir.empty())
    pm.enableIRPrintingToFileTree(never, always, true, false, false, printTreeDir);
  {
    SourceMgr sm;
    sm.AddNewSourceBuffer(MemoryBuffer::getMemBuffer((*file)->getBuffer(), inputFile), SMLoc());
    mlir::SourceMgrDiagnosticHandler handler(sm, &ctx, errs());
    if (mlir::failed(pm.run(*module)))
      return 1;
  }

  if (command == "build") {
    mlir::TimingScope emitTimer = rootTimer.nest("LLVM optimization and object emission");
    std::string objPath = emitObj ? outputFile.getValue() : outputFile + ".o";
    gnc::ObjectOptions oopts;
    oopts.path = objPath;
    oopts.optLevel = optLevel;
    oopts.cpu = targetCpu;
    std::unique_ptr<llvm::ToolOutputFile> irOut;
    if (!emitLLVMIR.empty()) {
      irOut = mlir::openOutputFile(emitLLVMIR, &errMsg);
      if (!irOut)
        return errorExit(errMsg);
      oopts.llvmIR = &irOut->os();
    }
    std::string err;
    if (mlir::failed(backend.emitObjectFile(*module, oopts, err)))
      return errorExit(err);
    if (irOut)
      irOut->keep();
    emitTimer.stop();
    if (emitObj)
      return 0;
    mlir::TimingScope linkTimer = rootTimer.nest("link");
    // The runtime is a static library built with gnc; the C++ driver links it with the object.
    const char *envLib = getenv("GNC_RUNTIME_LIB");
    std::string runtimeLib = envLib ? envLib : GNC_RUNTIME_LIB;
    if (!sys::fs::exists(runtimeLib))
      return errorExit("runtime library '" + runtimeLib + "' not found (set GNC_RUNTIME_LIB)");
    // The kernel benchmark's main comes first, so the runtime's main is never pulled in.
    const char *envBench = getenv("GNC_KERNEL_BENCH_LIB");
    std::string benchLib = envBench ? envBench : GNC_KERNEL_BENCH_LIB;
    if (kernelBench && !sys::fs::exists(benchLib))
      return errorExit("kernel benchmark library '" + benchLib + "' not found (set GNC_KERNEL_BENCH_LIB)");
    auto cxx = sys::findProgramByName("clang++-22");
    if (!cxx)
      cxx = sys::findProgramByName("c++");
    if (!cxx)
      return errorExit("no C++ compiler driver (clang++-22 or c++) on PATH to link with");
    // Kernels use the LLVM OpenMP runtime (libomp, from libomp-22-dev) for their threads.
    std::vector<StringRef> linkArgs{*cxx, objPath};
    if (kernelBench)
      linkArgs.push_back(benchLib);
    // --mpi: the communicator whole (its strong gnc_comm_* replace the runtime's weak
    // one-process ones, and no symbol has to pull it in), then MPI's libraries.
    std::string mpiLib;
    SmallVector<StringRef> mpiLibs;
    if (mpi) {
#ifdef GNC_RUNTIME_MPI_LIB
      const char *envMpi = getenv("GNC_RUNTIME_MPI_LIB");
      mpiLib = envMpi ? envMpi : GNC_RUNTIME_MPI_LIB;
      if (!sys::fs::exists(mpiLib))
        return errorExit("MPI runtime library '" + mpiLib + "' not found (set GNC_RUNTIME_MPI_LIB)");
      StringRef(GNC_MPI_LINK_LIBS).split(mpiLibs, ',', -1, false);
      linkArgs.insert(linkArgs.end(), {"-Wl,--whole-archive", mpiLib, "-Wl,--no-whole-archive"});
#else
      return errorExit("this gnc was built without MPI (install libopenmpi-dev and rebuild gnc) for --mpi");
#endif
    }
    linkArgs.insert(linkArgs.end(), {runtimeLib, "-o", outputFile, "-fopenmp=libomp", "-L/usr/lib/llvm-22/lib",
                                     "-Wl,-rpath,/usr/lib/llvm-22/lib", "-lm", "-lpthread", "-ldl"});
    if (kernelBench)
      linkArgs.push_back("-lbenchmark"); // Debian's libbenchmark-dev
    linkArgs.insert(linkArgs.end(), mpiLibs.begin(), mpiLibs.end());
    std::string linkErr;
    int rc = sys::ExecuteAndWait(*cxx, linkArgs, std::nullopt, {}, 0, 0, &linkErr);
    sys::fs::remove(objPath);
    if (rc != 0)
      return errorExit("linking '" + outputFile + "' failed" + (linkErr.empty() ? "" : ": " + linkErr));
    return 0;
  }
  if (command == "summary") {
    gnc::printModelSummary(*module, out->os());
  } else if (stages[stage].print) {
    std::string err;
    if (mlir::failed(stages[stage].print(*module, targetCpu, out->os(), err)))
      return errorExit(err);
  } else {
    module->print(out->os());
  }
  out->keep();
  return 0;
}
