// gnc-halide-gen: builds the Halide pipelines that gnc describes and compiles each ahead of
// time. It links Halide 14 (and through it LLVM 14) and no MLIR, so that gnc never loads two
// LLVMs: gnc writes the descriptions (codegen/halide/KernelToHalide.h, HalideSchedule.h) and
// runs this tool as a child process.
//
//   gnc-halide-gen PIPELINES.json --out-dir DIR [--runtime FILE.o]   DIR/<function>.o each
//   gnc-halide-gen PIPELINES.json --stmt                             Halide's lowered statements
//
// PIPELINES.json: {"format": "gnc-halide-pipelines-1", "target": "x86-64-linux-avx2-...",
// "pipelines": [...], "autoscheduler": NAME (optional: Adams2019, Mullapudi2016 or Li2018,
// with "machine_params": "parallelism,cache bytes,balance"; gnc's directives are then not
// applied)}. Every pipeline is compiled with `no_runtime`; --runtime writes Halide's
// runtime once (compile_standalone_runtime) for the program to link. An error names the
// kernel and exits with status 1.
#include <Halide.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using json = nlohmann::json;
using namespace Halide;

namespace {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Type typeOf(const std::string &t) {
  if (t == "u1")
    return Bool();
  if (t.size() < 2)
    throw Failure("unknown type '" + t + "'");
  int bits = std::stoi(t.substr(1));
  switch (t[0]) {
  case 'f': return Float(bits);
  case 'i': return Int(bits);
  case 'u': return UInt(bits);
  }
  throw Failure("unknown type '" + t + "'");
}

// One pipeline's Funcs, variables and inputs, built from its description.
struct Builder {
  const json &d;
  std::map<std::string, Var> vars;
  std::map<std::string, RVar> rvars;
  std::map<std::string, ImageParam> images;
  std::map<std::string, Param<>> params;
  std::map<std::string, Expr> lets; // let name -> its value (for the Variable's type)
  std::vector<Argument> arguments;
  Func out{"out"}, acc{"acc"}, rf;
  bool hasRF = false;
  std::vector<Var> pureVars; // Halide order (dimension 0 first)
  std::optional<RDom> rdom;
  FuncRef self() { return acc(std::vector<Expr>(pureVars.begin(), pureVars.end())); }

  explicit Builder(const json &d) : d(d) {}

  Expr expr(const json &e) {
    if (!e.is_array() || e.empty())
      throw Failure("malformed expression " + e.dump());
    const std::string kind = e[0];
    auto arg = [&](size_t i) { return expr(e.at(i)); };
    if (kind == "const") {
      Type t = typeOf(e[1]);
      if (t.is_float())
        return Internal::make_const(t, e[2].get<double>());
      const std::string v = e[2];
      if (t.is_uint() || t.is_bool())
        return Internal::make_const(t, (uint64_t)std::stoull(v));
      return Internal::make_const(t, (int64_t)std::stoll(v));
    }
    if (kind == "var") {
      const std::string n = e[1];
      if (auto it = vars.find(n); it != vars.end())
        return it->second;
      if (auto it = rvars.find(n); it != rvars.end())
        return it->second;
      throw Failure("unknown variable " + n);
    }
    if (kind == "param")
      return params.at(e[1]);
    if (kind == "ref") {
      const std::string n = e[1];
      return Internal::Variable::make(lets.at(n).type(), "gnc_" + n);
    }
    if (kind == "self")
      return self();
    if (kind == "load") {
      std::vector<Expr> index;
      const json &idx = e[2];
      for (auto it = idx.rbegin(); it != idx.rend(); ++it) // Halide's dimension 0 is MLIR's last
        index.push_back(expr(*it));
      return images.at(e[1])(index);
    }
    if (kind == "add") return arg(1) + arg(2);
    if (kind == "sub") return arg(1) - arg(2);
    if (kind == "mul") return arg(1) * arg(2);
    if (kind == "div") return arg(1) / arg(2);
    if (kind == "mod") return arg(1) % arg(2);
    if (kind == "and" || kind == "or" || kind == "xor") {
      Expr a = arg(1), b = arg(2);
      if (a.type().is_bool())
        return kind == "and" ? (a && b) : kind == "or" ? (a || b) : (a != b);
      return kind == "and" ? (a & b) : kind == "or" ? (a | b) : (a ^ b);
    }
    if (kind == "shl") return arg(1) << arg(2);
    if (kind == "shr") return arg(1) >> arg(2);
    if (kind == "eq") return arg(1) == arg(2);
    if (kind == "ne") return arg(1) != arg(2);
    if (kind == "lt") return arg(1) < arg(2);
    if (kind == "le") return arg(1) <= arg(2);
    if (kind == "gt") return arg(1) > arg(2);
    if (kind == "ge") return arg(1) >= arg(2);
    if (kind == "neg") return -arg(1);
    if (kind == "max") return max(arg(1), arg(2));
    if (kind == "min") return min(arg(1), arg(2));
    if (kind == "select") return select(arg(1), arg(2), arg(3));
    if (kind == "cast") return cast(typeOf(e[1]), arg(2));
    if (kind == "reinterpret") return reinterpret(typeOf(e[1]), arg(2));
    if (kind == "call") {
      const std::string fn = e[1];
      if (fn == "exp") return exp(arg(2));
      if (fn == "log") return log(arg(2));
      if (fn == "tanh") return tanh(arg(2));
      if (fn == "sqrt") return sqrt(arg(2));
      if (fn == "erf") return erf(arg(2));
      if (fn == "abs") return abs(arg(2));
      if (fn == "pow") return pow(arg(2), arg(3));
      if (fn == "floor") return floor(arg(2));
      if (fn == "ceil") return ceil(arg(2));
      if (fn == "sin") return sin(arg(2));
      if (fn == "cos") return cos(arg(2));
      throw Failure("unknown function " + fn);
    }
    throw Failure("unknown expression kind " + kind);
  }

  // A definition: its lets (in order, each visible to the later ones) around its value.
  Expr definition(const json &def) {
    lets.clear();
    std::vector<std::pair<std::string, Expr>> bound;
    for (const json &l : def.at("lets")) {
      Expr v = expr(l[1]);
      lets[l[0]] = v;
      bound.push_back({l[0], v});
    }
    Expr e = expr(def.at("value"));
    for (auto it = bound.rbegin(); it != bound.rend(); ++it)
      e = Internal::Let::make("gnc_" + it->first, it->second, e);
    return e;
  }

  void build() {
    for (const json &p : d.at("params")) {
      Param<> param(typeOf(p.at("type")), p.at("name").get<std::string>());
      params.emplace(p.at("name"), param);
      arguments.push_back(param);
    }
    for (const json &in : d.at("inputs")) {
      const json &shape = in.at("shape");
      ImageParam img(typeOf(in.at("type")), (int)shape.size(), in.at("name").get<std::string>());
      for (size_t i = 0; i < shape.size(); ++i) // static shapes: known bounds for Halide
        img.dim((int)i).set_bounds(0, shape[shape.size() - 1 - i].get<int>());
      images.emplace(in.at("name"), img);
      arguments.push_back(img);
    }
    const json &vs = d.at("vars");
    for (auto it = vs.rbegin(); it != vs.rend(); ++it) {
      Var v(it->at("name").get<std::string>());
      vars.emplace(it->at("name"), v);
      pureVars.push_back(v);
    }
    std::vector<Expr> args(pureVars.begin(), pureVars.end());
    const json &rs = d.at("rvars");
    if (rs.empty()) {
      out(args) = definition(d.at("pure"));
    } else {
      // r[0], Halide's innermost, is the last reduction loop: the default order is linalg's.
      Region region;
      for (auto it = rs.rbegin(); it != rs.rend(); ++it)
        region.push_back(Range(0, it->at("extent").get<int>()));
      rdom = RDom(region, "r");
      for (size_t i = 0; i < rs.size(); ++i)
        rvars.emplace(rs[rs.size() - 1 - i].at("name"), (*rdom)[(int)i]);
      acc(args) = definition(d.at("pure"));
      acc(args) = definition(d.at("update"));
      out(args) = acc(args);
    }
    const json &shape = d.at("output").at("shape");
    for (size_t i = 0; i < shape.size(); ++i)
      out.output_buffer().dim((int)i).set_bounds(0, shape[shape.size() - 1 - i].get<int>());
  }

  // Halide's autoschedulers want estimates of every input, output and param: the static
  // shapes (a param's value does not change the loops).
  void autoSchedule(const std::string &name, const std::string &machine, const Target &target) {
    for (const json &in : d.at("inputs")) {
      const json &shape = in.at("shape");
      Region r;
      for (size_t i = shape.size(); i-- > 0;)
        r.push_back(Range(0, shape[i].get<int>()));
      images.at(in.at("name")).set_estimates(r);
    }
    const json &shape = d.at("output").at("shape");
    Region r;
    for (size_t i = shape.size(); i-- > 0;)
      r.push_back(Range(0, shape[i].get<int>()));
    out.set_estimates(r);
    for (auto &[n, p] : params)
      p.parameter().set_estimate(Internal::make_zero(p.type()));
    Pipeline(out).auto_schedule(name, target, MachineParams(machine));
  }

  VarOrRVar variable(const std::string &name) {
    if (auto it = rvars.find(name); it != rvars.end())
      return it->second;
    return Var(name);
  }
  bool isRVar(const std::string &name) { return rvars.count(name) > 0; }

  Stage stage(const std::string &name) {
    if (name == "out") return out;
    if (name == "acc") return acc;
    if (name == "acc.update") return acc.update(0);
    if (name == "rf" && hasRF) return rf;
    if (name == "rf.update" && hasRF) return rf.update(0);
    throw Failure("unknown stage " + name);
  }
  Func &func(const std::string &name) {
    if (name == "out") return out;
    if (name == "acc") return acc;
    if (name == "rf" && hasRF) return rf;
    throw Failure("unknown Func " + name);
  }

  void schedule() {
    for (const json &s : d.at("schedule")) {
      const std::string st = s.at(0), what = s.at(1);
      if (what == "split") {
        std::string old = s.at(2), outer = s.at(3), inner = s.at(4);
        bool r = isRVar(old);
        if (r) {
          rvars.emplace(outer, RVar(outer));
          rvars.emplace(inner, RVar(inner));
        }
        stage(st).split(variable(old), variable(outer), variable(inner), s.at(5).get<int>());
      } else if (what == "fuse") {
        std::string inner = s.at(2), outer = s.at(3), fused = s.at(4);
        if (isRVar(inner) || isRVar(outer))
          rvars.emplace(fused, RVar(fused));
        stage(st).fuse(variable(inner), variable(outer), variable(fused));
      } else if (what == "reorder") {
        std::vector<VarOrRVar> order;
        for (const json &v : s.at(2))
          order.push_back(variable(v));
        stage(st).reorder(order);
      } else if (what == "vectorize") {
        stage(st).vectorize(variable(s.at(2)), s.at(3).get<int>());
      } else if (what == "unroll") {
        stage(st).unroll(variable(s.at(2)));
      } else if (what == "parallel") {
        stage(st).parallel(variable(s.at(2)));
      } else if (what == "compute_at") {
        const std::string at = s.at(3);
        Func &f = func(st);
        if (at == "__outermost")
          f.compute_at(func(s.at(2)), Var::outermost());
        else if (isRVar(at))
          f.compute_at(func(s.at(2)), rvars.at(at));
        else
          f.compute_at(func(s.at(2)), Var(at));
      } else if (what == "compute_root") {
        func(st).compute_root();
      } else if (what == "rfactor") {
        if (st != "acc.update")
          throw Failure("rfactor applies to acc.update");
        std::vector<std::pair<RVar, Var>> preserved;
        for (const json &p : s.at(2))
          preserved.push_back({rvars.at(p.at(0)), Var(p.at(1).get<std::string>())});
        rf = acc.update(0).rfactor(preserved);
        hasRF = true;
      } else {
        throw Failure("unknown directive " + what);
      }
    }
  }
};

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw Failure("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int usage() {
  std::cerr << "usage: gnc-halide-gen PIPELINES.json (--out-dir DIR [--runtime FILE.o] | --stmt)\n";
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  std::string input, outDir, runtime;
  bool stmt = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--out-dir" && i + 1 < argc)
      outDir = argv[++i];
    else if (a == "--runtime" && i + 1 < argc)
      runtime = argv[++i];
    else if (a == "--stmt")
      stmt = true;
    else if (!a.empty() && a[0] != '-' && input.empty())
      input = a;
    else
      return usage();
  }
  if (input.empty() || (outDir.empty() && !stmt))
    return usage();
  json all;
  Target target;
  std::string autoscheduler, machineParams;
  try {
    all = json::parse(readFile(input));
    if (all.value("format", "") != "gnc-halide-pipelines-1")
      throw Failure("not a gnc-halide-pipelines-1 file");
    std::string t = all.at("target");
    if (!Target::validate_target_string(t))
      throw Failure("invalid Halide target '" + t + "'");
    target = Target(t);
    autoscheduler = all.value("autoscheduler", "");
    machineParams = all.value("machine_params", "2,16777216,40");
    if (!autoscheduler.empty()) {
      // The plugins beside libHalide (Debian: /usr/lib/x86_64-linux-gnu/halide14/).
      static const std::map<std::string, std::string> plugins = {
          {"Adams2019", GNC_HALIDE_ADAMS2019}, {"Mullapudi2016", GNC_HALIDE_MULLAPUDI2016}, {"Li2018", GNC_HALIDE_LI2018}};
      auto it = plugins.find(autoscheduler);
      if (it == plugins.end())
        throw Failure("unknown autoscheduler '" + autoscheduler + "' (Adams2019, Mullapudi2016, Li2018)");
      load_plugin(it->second);
    }
  } catch (const std::exception &e) {
    std::cerr << "gnc-halide-gen: " << input << ": " << e.what() << "\n";
    return 1;
  }
  for (const json &d : all.at("pipelines")) {
    std::string kernel = d.value("kernel", "?"), function = d.value("function", "?");
    try {
      Builder b(d);
      b.build();
      Target pinned = target.with_feature(Target::NoRuntime);
      if (autoscheduler.empty())
        b.schedule();
      else
        b.autoSchedule(autoscheduler, machineParams, pinned);
      if (stmt) {
        std::string tmp = (outDir.empty() ? std::string("/tmp") : outDir) + "/" + function + ".stmt";
        b.out.compile_to_lowered_stmt(tmp, b.arguments, Text, pinned);
        std::cout << "// kernel " << kernel << " -> " << function << "\n" << readFile(tmp) << "\n";
        std::remove(tmp.c_str());
      } else {
        b.out.compile_to_object(outDir + "/" + function + ".o", b.arguments, function, pinned);
      }
    } catch (const Halide::Error &e) {
      std::cerr << "gnc-halide-gen: kernel '" << kernel << "' (" << function << "): " << e.what() << "\n";
      return 1;
    } catch (const std::exception &e) {
      std::cerr << "gnc-halide-gen: kernel '" << kernel << "' (" << function << "): " << e.what() << "\n";
      return 1;
    }
  }
  if (!runtime.empty()) {
    try {
      compile_standalone_runtime(runtime, target.without_feature(Target::NoRuntime));
    } catch (const std::exception &e) {
      std::cerr << "gnc-halide-gen: Halide's runtime: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}
