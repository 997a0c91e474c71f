// The front end's limits on nesting (docs/language.md, "Limits"). The parser, the lowering,
// the AST printer and the tree's destructor recurse once per level of nesting, so these bound
// their stack on any input: deep input gets an error, not a stack overflow.
#ifndef GNC_COMPILER_LIMITS_H
#define GNC_COMPILER_LIMITS_H

namespace gnc {

// An expression nests at most this many levels: each operator, sign, index, call, list and
// pair of parentheses is one (`x + 0 + 0` is 2 deep, as it means `(x + 0) + 0`). The parser
// checks each expression; the lowering counts on through the bodies of the nets it calls.
constexpr unsigned kMaxExprDepth = 1000;
// `for` loops nest at most this deep (parser).
constexpr unsigned kMaxLoopDepth = 4;
// Net calls nest at most this deep: a net calling a net ... (lowering).
constexpr unsigned kMaxNetDepth = 100;

} // namespace gnc

#endif
