// gnc: the Generative Network Compiler driver.
//
//   gnc ir MODEL.gn --stage=S [-o FILE]      print the program at a pipeline stage
//   gnc ir --stages                          list the stages in pipeline order
//   gnc summary MODEL.gn                     layer-by-layer shapes and parameter counts
//
// Flags follow LLVM/MLIR conventions (-o, --help, --print-ir-after-all, and every --mlir-*
// option of the MLIR libraries).
#include "compiler/Frontend.h"
#include "compiler/ModelSummary.h"
#include "compiler/Parser.h"
#include "compiler/Pipeline.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
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

static const char *overview =
    "gnc: the Generative Network Compiler\n\n"
    "USAGE: gnc <command> [options] <model.gn>\n\n"
    "COMMANDS:\n"
    "  ir        print the program at a pipeline stage (--stage=S, --stages lists them)\n"
    "  summary   print each net's layers with output shapes and parameter counts\n";

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
  cl::HideUnrelatedOptions({&gncCat});
  if (!cl::ParseCommandLineOptions((int)args.size(), args.data(), overview, &errs()))
    return 1;
  if (command.empty())
    return errorExit("no command given (try 'gnc --help')");
  if (command != "ir" && command != "summary")
    return errorExit("unknown command '" + command + "' (try 'gnc --help')");

  const auto &stages = gnc::pipelineStages();
  if (command == "ir" && listStages) {
    for (const gnc::Stage &s : stages)
      outs() << format("%-8s", s.name) << " " << s.description << "\n";
    return 0;
  }
  if (inputFile.empty())
    return errorExit("no input file (usage: gnc " + command + " MODEL.gn)");
  int stage = gnc::findStage(stageOpt);
  if (stage < 0)
    return errorExit("unknown stage '" + stageOpt + "' (see 'gnc ir --stages')");

  auto file = MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
  if (!file)
    return errorExit("cannot read '" + inputFile + "': " + file.getError().message());
  std::string errMsg;
  auto out = mlir::openOutputFile(outputFile, &errMsg);
  if (!out)
    return errorExit(errMsg);

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
  auto module = gnc::compileSource(ctx, (*file)->getBuffer(), inputFile, errs());
  if (!module)
    return 1;

  int last = command == "summary" ? gnc::findStage("gn") : stage;
  mlir::PassManager pm(&ctx);
  if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
    return 1;
  for (int i = 1; i <= last; ++i)
    if (stages[i].addPasses)
      stages[i].addPasses(pm);
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

  if (command == "summary")
    gnc::printModelSummary(*module, out->os());
  else
    module->print(out->os());
  out->keep();
  return 0;
}
