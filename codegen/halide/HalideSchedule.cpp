// A gnc schedule as Halide directives (HalideSchedule.h). The translation is direct and sound
// rather than clever: thread tiles are splits whose outer variables are fused and run in
// parallel; register tiles are splits whose inner variables are innermost, the output's
// contiguous one vectorized and the others unrolled; a reduction's accumulator (acc) is
// computed per register tile, its reduction outside the tile's variables, so that it stays
// in registers across the whole reduction; a sum into a scalar becomes rfactor'ed partial
// sums (vector lanes, and one per thread tile). `order` orders a plain kernel's loops.
// Not realized yet: `outer` levels and split reductions of kernels with outputs.
#include "codegen/halide/HalideSchedule.h"

#include "llvm/ADT/STLExtras.h"

#include <map>

using llvm::json::Array;
using llvm::json::Object;

namespace gnc {

namespace {

struct Loop {
  unsigned index;
  int64_t extent;
  std::string name;
};

std::vector<Loop> loops(const Object &d, llvm::StringRef key) {
  std::vector<Loop> out;
  for (const llvm::json::Value &v : *d.getArray(key)) {
    const Object &o = *v.getAsObject();
    std::string name = o.getString("name")->str();
    out.push_back({(unsigned)std::stoul(name.substr(1)), *o.getInteger("extent"), name});
  }
  return out;
}

int64_t field(const llvm::SmallVector<int64_t> &v, unsigned i) { return i < v.size() ? v[i] : 0; }

struct Directives {
  Array list;
  void add(llvm::StringRef stage, llvm::StringRef what, std::initializer_list<llvm::json::Value> args) {
    Array a{stage.str(), what.str()};
    for (const llvm::json::Value &v : args)
      a.push_back(v);
    list.push_back(std::move(a));
  }
  void reorder(llvm::StringRef stage, const std::vector<std::string> &innermostFirst) {
    if (innermostFirst.size() > 1)
      add(stage, "reorder", {Array(innermostFirst)});
  }
};

} // namespace

Array halideSchedule(const Object &d, const KernelSchedule &s) {
  Directives out;
  std::vector<Loop> pure = loops(d, "vars"), red = loops(d, "rvars");
  // Halide order: innermost first; the output's last dimension is its contiguous one. A plain
  // kernel's `order` (outermost first) overrides it.
  auto position = [&](unsigned loop) -> int {
    for (unsigned i = 0; i < s.order.size(); ++i)
      if ((unsigned)s.order[i] == loop)
        return (int)i;
    return -1;
  };
  auto innermostFirst = [&](std::vector<Loop> ls) {
    std::reverse(ls.begin(), ls.end());
    if (!s.vectorize && !s.order.empty())
      std::stable_sort(ls.begin(), ls.end(), [&](const Loop &a, const Loop &b) {
        return position(a.index) > position(b.index);
      });
    return ls;
  };

  // A sum into a scalar: rfactor its one loop into partial sums per thread tile and per lane.
  if (pure.empty() && red.size() == 1) {
    const Loop &r = red[0];
    int64_t par = field(s.parallel, r.index), lanes = s.vectorize ? field(s.tile, r.index) : 0;
    std::string cur = r.name;
    int64_t extent = r.extent;
    Array preserved;
    std::vector<std::string> order;
    std::string thread, lane;
    if (par > 0 && par < extent) {
      out.add("acc.update", "split", {cur, cur + "_t", cur + "_p", par});
      thread = cur + "_t";
      cur += "_p";
      extent = par;
    }
    if (lanes > 1 && lanes < extent) {
      out.add("acc.update", "split", {cur, cur + "_o", cur + "_v", lanes});
      lane = cur + "_v";
      cur += "_o";
    }
    if (thread.empty() && lane.empty()) {
      out.add("acc", "compute_at", {"out", "__outermost"});
      return std::move(out.list);
    }
    if (!lane.empty())
      preserved.push_back(Array{lane, "u"});
    if (!thread.empty())
      preserved.push_back(Array{thread, "t"});
    out.add("acc", "compute_at", {"out", "__outermost"});
    out.add("acc.update", "rfactor", {std::move(preserved)});
    out.add("rf", "compute_at", {"out", "__outermost"});
    std::vector<std::string> rfOrder;
    if (!lane.empty()) {
      out.add("rf", "vectorize", {"u", lanes});
      rfOrder.push_back("u");
    }
    rfOrder.push_back(cur);
    if (!thread.empty())
      rfOrder.push_back("t");
    out.reorder("rf.update", rfOrder);
    if (!lane.empty())
      out.add("rf.update", "vectorize", {"u", lanes});
    if (!thread.empty())
      out.add("rf.update", "parallel", {"t"});
    return std::move(out.list);
  }

  // The output: thread tiles, then register (or loop) tiles.
  std::vector<std::string> threadVars, innerGroup, outerGroup;
  std::map<unsigned, int64_t> innerExtent; // loop -> extent of its register tile
  std::map<unsigned, std::string> innerName;
  std::map<unsigned, std::string> threadName, outerName, wholeName;
  for (const Loop &l : pure) {
    std::string cur = l.name;
    int64_t extent = l.extent, par = field(s.parallel, l.index);
    if (par > 0 && par < extent) {
      out.add("out", "split", {cur, cur + "_t", cur + "_p", par});
      threadName[l.index] = cur + "_t";
      cur += "_p";
      extent = par;
    }
    int64_t t = field(s.tile, l.index);
    if (t == 1) {
      wholeName[l.index] = cur; // a unit register tile: a loop outside the tile
    } else if (t == 0 || t >= extent) {
      innerName[l.index] = cur;
      innerExtent[l.index] = extent;
    } else {
      out.add("out", "split", {cur, cur + "_o", cur + "_v", t});
      outerName[l.index] = cur + "_o";
      innerName[l.index] = cur + "_v";
      innerExtent[l.index] = t;
    }
  }
  for (const Loop &l : innermostFirst(pure)) {
    if (innerName.count(l.index))
      innerGroup.push_back(innerName[l.index]);
    if (outerName.count(l.index))
      outerGroup.push_back(outerName[l.index]);
    if (wholeName.count(l.index))
      outerGroup.push_back(wholeName[l.index]);
    if (threadName.count(l.index))
      threadVars.push_back(threadName[l.index]);
  }
  std::vector<std::string> all = innerGroup;
  all.insert(all.end(), outerGroup.begin(), outerGroup.end());
  all.insert(all.end(), threadVars.begin(), threadVars.end());
  out.reorder("out", all);
  // The thread tiles as one parallel loop (an scf.forall of several loops, in Halide's terms).
  std::string parallelVar;
  if (!threadVars.empty()) {
    parallelVar = threadVars[0];
    for (size_t i = 1; i < threadVars.size(); ++i) {
      std::string fused = parallelVar + "_" + threadVars[i];
      out.add("out", "fuse", {parallelVar, threadVars[i], fused});
      parallelVar = fused;
    }
    out.add("out", "parallel", {parallelVar});
  }
  const Loop *vectorLoop = pure.empty() ? nullptr : &pure.back();
  if (s.vectorize)
    for (const Loop &l : pure) {
      if (!innerName.count(l.index) || innerExtent[l.index] <= 1)
        continue;
      if (&l == vectorLoop)
        out.add("out", "vectorize", {innerName[l.index], innerExtent[l.index]});
      else if (red.empty()) // with an accumulator, the copy out is not worth unrolling
        out.add("out", "unroll", {innerName[l.index]});
    }
  if (red.empty())
    return std::move(out.list);

  // The accumulator, per register tile (or per thread tile, or whole).
  std::string computeAt = !outerGroup.empty() ? outerGroup.front() : !parallelVar.empty() ? parallelVar : "__outermost";
  out.add("acc", "compute_at", {"out", computeAt});
  std::vector<std::string> tileVars, otherVars;
  for (const Loop &l : innermostFirst(pure))
    (innerName.count(l.index) ? tileVars : otherVars).push_back(l.name);
  if (s.vectorize) {
    for (const Loop &l : pure) {
      if (!innerName.count(l.index) || innerExtent[l.index] <= 1)
        continue;
      if (&l == vectorLoop)
        out.add("acc", "vectorize", {l.name, innerExtent[l.index]});
      else
        out.add("acc", "unroll", {l.name});
    }
    // Reduction register tiles: the inner steps unrolled, inside the tile's outer loop.
    std::vector<std::string> rInner, rOuter;
    for (const Loop &r : innermostFirst(red)) {
      int64_t t = field(s.tile, r.index);
      if (t > 1 && t < r.extent) {
        out.add("acc.update", "split", {r.name, r.name + "_o", r.name + "_i", t});
        rInner.push_back(r.name + "_i");
        rOuter.push_back(r.name + "_o");
      } else {
        rOuter.push_back(r.name);
      }
    }
    std::vector<std::string> order = tileVars;
    order.insert(order.end(), rInner.begin(), rInner.end());
    order.insert(order.end(), rOuter.begin(), rOuter.end());
    order.insert(order.end(), otherVars.begin(), otherVars.end());
    out.reorder("acc.update", order);
    for (const Loop &l : pure) {
      if (!innerName.count(l.index) || innerExtent[l.index] <= 1)
        continue;
      if (&l == vectorLoop)
        out.add("acc.update", "vectorize", {l.name, innerExtent[l.index]});
      else
        out.add("acc.update", "unroll", {l.name});
    }
    for (const std::string &r : rInner)
      out.add("acc.update", "unroll", {r});
  } else {
    // A plain kernel: its loops in `order` (reductions included).
    std::vector<Loop> every = pure;
    every.insert(every.end(), red.begin(), red.end());
    std::sort(every.begin(), every.end(), [](const Loop &a, const Loop &b) { return a.index < b.index; });
    // Reduction loops keep their relative order (the RDom's, innermost the last): Halide
    // reorders them only where it proves the update associative and commutative.
    std::vector<Loop> ordered = innermostFirst(every);
    std::vector<Loop> reductions(red.rbegin(), red.rend());
    size_t next = 0;
    std::vector<std::string> order;
    for (const Loop &l : ordered) {
      bool isReduction = llvm::any_of(red, [&](const Loop &r) { return r.index == l.index; });
      order.push_back(isReduction ? reductions[next++].name : l.name);
    }
    out.reorder("acc.update", order);
  }
  return std::move(out.list);
}

} // namespace gnc
