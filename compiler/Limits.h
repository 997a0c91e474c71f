// The front end's limits on nesting (docs/language.md, "Limits"). The parser, the lowering,
// the AST printer and the tree's destructor recurse once per level of nesting, so these bound
// their stack on any input: deep input gets an error, not a stack overflow.
#ifndef GNC_COMPILER_LIMITS_H
#define GNC_COMPILER_LIMITS_H

namespace gnc {

// An expression nests at most this many levels: each operator, sign, index, call, list and
// pair of parentheses is one, and so is a leaf (`x + 0 + 0` means `(x + 0) + 0`: 3 levels).
// The parser checks each expression; the lowering counts on through the bodies of the nets it
// calls. The seed's models nest under 10; a level costs up to ~10 KB of stack in the ASan
// build the fuzzer runs (a call of a built-in), so 256 stays far inside an 8 MB stack.
constexpr unsigned kMaxExprDepth = 256;
// `for` loops nest at most this deep (parser).
constexpr unsigned kMaxLoopDepth = 4;
// Net calls nest at most this deep: a net calling a net ... (lowering).
constexpr unsigned kMaxNetDepth = 100;

} // namespace gnc

#endif
