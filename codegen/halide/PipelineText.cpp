// Printing a pipeline description as Halide C++ (PipelineText.h).
#include "codegen/halide/PipelineText.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

namespace gnc {

namespace {

std::string halideType(llvm::StringRef t) {
  if (t == "u1")
    return "Bool()";
  std::string bits = t.substr(1).str();
  return (t[0] == 'f' ? "Float(" : t[0] == 'i' ? "Int(" : "UInt(") + bits + ")";
}

std::string str(const Value &v) {
  if (auto s = v.getAsString())
    return s->str();
  if (auto i = v.getAsInteger())
    return std::to_string(*i);
  if (auto d = v.getAsNumber()) {
    std::string s;
    llvm::raw_string_ostream(s) << llvm::format("%.9g", *d);
    return s;
  }
  return "?";
}

std::string expr(const Value &v);

std::string indices(const Array &index) {
  std::vector<std::string> parts;
  for (size_t i = index.size(); i-- > 0;)
    parts.push_back(expr(index[i]));
  return llvm::join(parts, ", ");
}

std::string expr(const Value &v) {
  const Array *a = v.getAsArray();
  if (!a || a->empty())
    return "?";
  std::string kind = str((*a)[0]);
  auto arg = [&](size_t i) { return i < a->size() ? expr((*a)[i]) : std::string("?"); };
  if (kind == "const") {
    std::string t = str((*a)[1]), value = str((*a)[2]);
    if (t == "f32" || t == "f64") {
      if (value.find_first_of(".eni") == std::string::npos) // 0 -> 0.0f
        value += ".0";
      return t == "f32" ? value + "f" : value;
    }
    if (t == "i32")
      return value;
    return "make_const(" + halideType(t) + ", " + value + ")";
  }
  if (kind == "var" || kind == "param" || kind == "ref")
    return str((*a)[1]);
  if (kind == "self")
    return "self";
  if (kind == "load")
    return str((*a)[1]) + "(" + indices(*(*a)[2].getAsArray()) + ")";
  static const std::map<std::string, std::string> infix = {
      {"add", "+"}, {"sub", "-"}, {"mul", "*"}, {"div", "/"}, {"mod", "%"}, {"and", "&"}, {"or", "|"},
      {"xor", "^"}, {"shl", "<<"}, {"shr", ">>"}, {"eq", "=="}, {"ne", "!="}, {"lt", "<"}, {"le", "<="},
      {"gt", ">"}, {"ge", ">="}};
  if (auto it = infix.find(kind); it != infix.end())
    return "(" + arg(1) + " " + it->second + " " + arg(2) + ")";
  if (kind == "neg")
    return "-" + arg(1);
  if (kind == "max" || kind == "min")
    return kind + "(" + arg(1) + ", " + arg(2) + ")";
  if (kind == "select")
    return "select(" + arg(1) + ", " + arg(2) + ", " + arg(3) + ")";
  if (kind == "cast" || kind == "reinterpret")
    return kind + "(" + halideType(str((*a)[1])) + ", " + arg(2) + ")";
  if (kind == "call") {
    std::vector<std::string> args;
    for (size_t i = 2; i < a->size(); ++i)
      args.push_back(expr((*a)[i]));
    return str((*a)[1]) + "(" + llvm::join(args, ", ") + ")";
  }
  return kind + "(...)";
}

std::string varList(const Array &vars) {
  std::vector<std::string> names;
  for (size_t i = vars.size(); i-- > 0;)
    names.push_back(str(*vars[i].getAsObject()->get("name")));
  return llvm::join(names, ", ");
}

void definition(llvm::raw_ostream &os, const Object &def, const std::string &lhs, const std::string &self) {
  for (const Value &let : *def.getArray("lets")) {
    const Array &l = *let.getAsArray();
    os << "  Expr " << str(l[0]) << " = " << expr(l[1]) << ";\n";
  }
  std::string value = expr(*def.get("value"));
  // ["self"] is the Func's current value at the same point.
  for (size_t p = value.find("self"); p != std::string::npos; p = value.find("self", p + self.size()))
    value.replace(p, 4, self);
  os << "  " << lhs << " = " << value << ";\n";
}

} // namespace

void printPipeline(const Object &d, llvm::raw_ostream &os) {
  os << "// kernel " << str(*d.get("kernel")) << " (" << str(*d.get("signature")) << ") -> "
     << str(*d.get("function")) << "\n";
  auto shape = [](const Object &b) {
    std::vector<std::string> dims;
    const Array &s = *b.getArray("shape");
    for (size_t i = s.size(); i-- > 0;)
      dims.push_back(str(s[i]));
    return "[" + llvm::join(dims, ", ") + "]";
  };
  for (const Value &p : *d.getArray("params"))
    os << "  Param<" << str(*p.getAsObject()->get("type")) << "> " << str(*p.getAsObject()->get("name")) << ";\n";
  for (const Value &in : *d.getArray("inputs")) {
    const Object &b = *in.getAsObject();
    os << "  ImageParam " << str(*b.get("name")) << "(" << halideType(str(*b.get("type"))) << ", "
       << b.getArray("shape")->size() << ");  // " << shape(b) << "\n";
  }
  const Object &out = *d.getObject("output");
  os << "  Func out;  // " << halideType(str(*out.get("type"))) << " " << shape(out) << "\n";
  const Array &vars = *d.getArray("vars"), &rvars = *d.getArray("rvars");
  if (!vars.empty())
    os << "  Var " << varList(vars) << ";\n";
  std::string args = varList(vars);
  if (rvars.empty()) {
    definition(os, *d.getObject("pure"), "out(" + args + ")", "out(" + args + ")");
  } else {
    // r[0], Halide's innermost, is the last reduction loop (gnc-halide-gen builds it so).
    std::vector<std::string> ranges, names;
    for (size_t i = rvars.size(); i-- > 0;) {
      ranges.push_back("{0, " + str(*rvars[i].getAsObject()->get("extent")) + "}");
      names.push_back(str(*rvars[i].getAsObject()->get("name")) + " = r[" + std::to_string(names.size()) + "]");
    }
    os << "  RDom r({" << llvm::join(ranges, ", ") << "});  // ";
    os << llvm::join(names, ", ") << "\n";
    os << "  Func acc;\n";
    definition(os, *d.getObject("pure"), "acc(" + args + ")", "acc(" + args + ")");
    definition(os, *d.getObject("update"), "acc(" + args + ")", "acc(" + args + ")");
    os << "  out(" << args << ") = acc(" << args << ");\n";
  }
  const Array *schedule = d.getArray("schedule");
  if (schedule && !schedule->empty()) {
    os << "  // schedule\n";
    for (const Value &v : *schedule) {
      const Array &s = *v.getAsArray();
      std::string stage = str(s[0]), what = str(s[1]);
      std::vector<std::string> parts;
      for (size_t i = 2; i < s.size(); ++i) {
        if (const Array *list = s[i].getAsArray()) {
          std::vector<std::string> items;
          for (const Value &e : *list) {
            if (const Array *pair = e.getAsArray())
              items.push_back("{" + str((*pair)[0]) + ", " + str((*pair)[1]) + "}");
            else
              items.push_back(str(e));
          }
          parts.push_back("{" + llvm::join(items, ", ") + "}");
        } else {
          std::string p = str(s[i]);
          parts.push_back(p == "__outermost" ? "Var::outermost()" : p);
        }
      }
      std::string target = stage;
      if (llvm::StringRef(stage).ends_with(".update"))
        target = stage.substr(0, stage.size() - 7) + ".update()";
      os << "  " << target << "." << what << "(" << llvm::join(parts, ", ") << ");\n";
    }
  }
}

} // namespace gnc
